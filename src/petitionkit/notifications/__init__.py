"""Notifications (通知): planned with each change, written to the outbox, delivered by a dispatcher.

* :mod:`~petitionkit.notifications.planner` — which messages each event implies, rendered;
* :mod:`~petitionkit.notifications.templates` — Jinja2 templates per type and locale, overridable;
* :mod:`~petitionkit.notifications.routing` — a notifier per channel;
* :mod:`~petitionkit.notifications.reminders` — reminders, overdue supervision, escalation;
* :mod:`~petitionkit.notifications.settings` — ``[settings.notifications]``.

See docs/notifications.md.
"""

from petitionkit.notifications.planner import MESSAGE_TYPES, PlannedMessage, Planner
from petitionkit.notifications.reminders import QueuedReminder, ReminderReport, remind
from petitionkit.notifications.routing import ChannelRouter, build_router
from petitionkit.notifications.settings import NotificationSettings

__all__ = [
    "MESSAGE_TYPES",
    "ChannelRouter",
    "NotificationSettings",
    "PlannedMessage",
    "Planner",
    "QueuedReminder",
    "ReminderReport",
    "build_router",
    "remind",
]
