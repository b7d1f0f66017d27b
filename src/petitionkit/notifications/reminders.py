"""Reminders (到期提醒), overdue supervision (逾期督办) and escalation to the parent body (提请上级督促).

``remind(office)`` is what ``petitionkit remind`` runs from cron.  For each open duty due within the
largest threshold of ``[settings.notifications] remind_days`` it queues the reminder of the
threshold it has reached (e.g. 3 days, then 1 day before the due date), one "overdue" notice once the
due date has passed, and, for a body late by ``escalate_after_days``, an escalation to its parent.

Each is recorded as an event on its case (``ReminderQueued`` / ``EscalatedToParent``) in the same
transaction as its outbox messages; before queuing, the case's events are checked, so a reminder is
queued at most once per obligation and threshold however often the command runs.  Two concurrent
runs are safe: the second write fails optimistic locking (``ConcurrencyConflict``) and is skipped.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

import attrs

from petitionkit.domain import event_types as ev
from petitionkit.domain import lifecycle as lc
from petitionkit.domain.access import Permission
from petitionkit.domain.model import Case, Obligation, Party
from petitionkit.errors import ConcurrencyConflict
from petitionkit.notifications.planner import OVERDUE
from petitionkit.notifications.settings import NotificationSettings

if TYPE_CHECKING:
    from petitionkit.service import Office
    from petitionkit.storage.base import Transaction

REMINDER_EVENT = ev.ReminderQueued.name
ESCALATION_EVENT = ev.EscalatedToParent.name


@attrs.frozen
class QueuedReminder:
    """One reminder, overdue notice or escalation queued by a run."""

    event: str  # "ReminderQueued" or "EscalatedToParent"
    case_id: str
    tracking_number: str
    obligation_id: str
    clock: str
    due: date
    threshold: str  # "3", "1" ... days before; "overdue"; "escalation"
    body_code: str | None = None
    parent_code: str | None = None


@attrs.frozen
class ReminderReport:
    queued: tuple[QueuedReminder, ...] = ()
    conflicts: int = 0  # skipped because another run changed the case at the same time

    @property
    def reminders(self) -> int:
        return sum(1 for q in self.queued if q.event == REMINDER_EVENT)

    @property
    def escalations(self) -> int:
        return sum(1 for q in self.queued if q.event == ESCALATION_EVENT)


def threshold_reached(days_left: int, remind_days: Sequence[int]) -> str | None:
    """The threshold a duty ``days_left`` days from its due date has reached (``None``: not yet)."""
    if days_left < 0:
        return OVERDUE
    reached = [d for d in remind_days if d >= days_left]
    return str(min(reached)) if reached else None


def remind(office: Office) -> ReminderReport:
    """Queue every reminder, overdue notice and escalation that is due and not queued before.

    The office's principal needs ``configure`` (reminder runs are the office's scheduled jobs).
    """
    office.access.require(Permission.CONFIGURE)
    settings = NotificationSettings.from_config(office.config)
    today = office.today()
    horizon = max(settings.remind_days, default=0)
    queued: list[QueuedReminder] = []
    conflicts = 0
    for ob in office.due_within(horizon):
        days_left = (ob.due - today).days
        wanted: list[tuple[str, str]] = []
        threshold = threshold_reached(days_left, settings.remind_days)
        if threshold is not None:
            wanted.append((REMINDER_EVENT, threshold))
        if days_left < 0 and ob.owed_by is Party.BODY and ob.body_code and -days_left >= settings.escalate_after_days:
            wanted.append((ESCALATION_EVENT, "escalation"))
        for event_name, level in wanted:
            try:
                done = _queue(office, ob, event_name, level, -days_left)
            except ConcurrencyConflict:
                conflicts += 1
                continue
            if done is not None:
                queued.append(done)
    return ReminderReport(tuple(queued), conflicts)


def _parent_of(office: Office, body_code: str) -> str | None:
    info = office.rules.body_info(body_code)
    if info is not None and info.parent:
        return info.parent
    return next((b.parent_code for b in office.config.bodies if b.code == body_code), None)


def _queue(office: Office, ob: Obligation, event_name: str, level: str, days_overdue: int) -> QueuedReminder | None:
    parent = _parent_of(office, ob.body_code) if event_name == ESCALATION_EVENT and ob.body_code else None
    if event_name == ESCALATION_EVENT and parent is None:
        return None  # nobody above the body is declared: the overdue notice to staff is all there is
    duty: dict[str, Any] = {
        "obligation_id": ob.id,
        "clock": ob.clock.value,
        "due": ob.due.isoformat(),
        "owed_by": ob.owed_by.value,
        "body_code": ob.body_code,
        "provisional": ob.basis.provisional,
    }
    event: ev.DomainEvent
    if parent is not None:
        event = ev.EscalatedToParent(**duty, parent_code=parent, days_overdue=days_overdue)
    else:
        event = ev.ReminderQueued(**duty, threshold=level, days_left=max(0, -days_overdue))

    def queue(tx: Transaction, case: Case, ctx: lc.Context) -> lc.Decision | None:
        if not any(o.id == ob.id and o.is_open for o in case.obligations):
            return None
        for earlier in tx.events_of_case(case.id):
            match earlier.data:
                case ev.EscalatedToParent(obligation_id=ob.id) if parent is not None:
                    return None
                case ev.ReminderQueued(obligation_id=ob.id, threshold=threshold) if (
                    parent is None and threshold == level
                ):
                    return None
        queued.append(True)
        return lc.record(case, event, ctx)

    queued: list[bool] = []
    case = office.uow.run(ob.case_id, queue, permission=Permission.CONFIGURE)
    if not queued:
        return None
    return QueuedReminder(
        event=event_name,
        case_id=case.id,
        tracking_number=case.first_tracking_number,
        obligation_id=ob.id,
        clock=ob.clock.value,
        due=ob.due,
        threshold=level,
        body_code=ob.body_code,
        parent_code=parent,
    )
