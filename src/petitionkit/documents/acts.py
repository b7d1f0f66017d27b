"""Which act of the office a formal document states, and that act's date (成文日期).

A document is dated on the day of its act (the decision, referral or reply), not on the day it is
printed, and its number (文号) is allocated once per act: this module names the act so the register
(:mod:`petitionkit.service.documents`) can find a document issued before.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from petitionkit.domain.clocks import Clock
from petitionkit.domain.event_types import (
    CaseAccepted,
    CaseDeclined,
    DomainEvent,
    HandlingExtended,
    ReplyRecorded,
    ReportRecorded,
)
from petitionkit.domain.events import Event
from petitionkit.domain.model import ReferralMode

if TYPE_CHECKING:
    from petitionkit.documents.kinds import DocumentKind
    from petitionkit.documents.make import CaseRecord


def _latest(events: Sequence[Event], *kinds: type[DomainEvent]) -> Event | None:
    names = {k.name for k in kinds}
    return next((e for e in reversed(events) if e.name in names), None)


def _day(value: datetime, zone: Any) -> date:
    return value.astimezone(zone).date()


def document_act(kind: DocumentKind, record: CaseRecord, zone: Any) -> tuple[str, date] | None:
    """``(act, day)`` of the act a ``kind`` document of the case states; ``None`` if it has none yet."""
    case, events = record.case, record.events
    name = kind.name
    if name in ("transfer-letter", "assignment-letter", "supervision-notice"):
        mode = ReferralMode.TRANSFER if name == "transfer-letter" else ReferralMode.ASSIGNMENT
        referral = next((r for r in reversed(case.referrals) if r.mode is mode), None)
        if referral is None:
            return None
        if name != "supervision-notice":
            return f"referral-{referral.id}", _day(referral.referred_at, zone)
        notice = next(
            (
                o
                for o in reversed(case.obligations)
                if o.clock is Clock.SUPERVISION_REPLY and o.referral_id == referral.id
            ),
            None,
        )
        return (f"supervision-{notice.id}", _day(notice.opened_at, zone)) if notice else None
    if name == "non-acceptance-notice":
        declined = _latest(events, CaseDeclined)
        if case.decline is None or declined is None:
            return None
        return f"declined-{declined.sequence}", _day(case.decline.declined_at, zone)
    if name == "handling-opinion":
        replied = _latest(events, ReplyRecorded, ReportRecorded)  # the office's reply, or a body's report
        if case.reply is None or replied is None:
            return None
        return f"reply-{replied.sequence}", _day(case.reply.replied_at, zone)
    event_kind = {"acceptance-notice": CaseAccepted, "extension-notice": HandlingExtended}.get(name)
    found = _latest(events, event_kind) if event_kind else None
    if found is None:
        return None
    return f"{found.name}-{found.sequence}", _day(found.occurred_at, zone)
