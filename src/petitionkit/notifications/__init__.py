"""Notifications (通知): planned with each change, written to the outbox, delivered by a dispatcher.

* :mod:`~petitionkit.notifications.planner` — which messages each event implies, rendered;
* :mod:`~petitionkit.notifications.templates` — Jinja2 templates per type and locale, overridable;
* :mod:`~petitionkit.notifications.routing` — a notifier per channel;
* :mod:`~petitionkit.notifications.reminders` — reminders, overdue supervision, escalation;
* :mod:`~petitionkit.notifications.settings` — ``[settings.notifications]``.

See docs/notifications.md.
"""

from typing import TYPE_CHECKING

from petitionkit.lazy import lazy_exports

if TYPE_CHECKING:
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

#: Where each public name lives, imported on first use: importing one submodule (the command line's
#: start-up, a settings plugin) does not load the others (issue 21).
_HOME = {
    "ChannelRouter": "routing",
    "MESSAGE_TYPES": "planner",
    "NotificationSettings": "settings",
    "PlannedMessage": "planner",
    "Planner": "planner",
    "QueuedReminder": "reminders",
    "ReminderReport": "reminders",
    "build_router": "routing",
    "remind": "reminders",
}


__getattr__ = lazy_exports(__name__, _HOME)
