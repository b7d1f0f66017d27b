"""Retention (保存期限): how long each kind of record of a case is kept after the case ends, and what
erasing it leaves behind.

The rule pack declares one period per :class:`RecordKind` (``[retention]``, docs/rules.md).  A period
counts from the case's *end*: the last time it entered a closed state (declined, transferred,
terminated, withdrawn; :data:`~petitionkit.domain.model.CLOSED_STATES`), read from its events.  Once
the period of a kind has run out, ``petitionkit purge`` anonymises that kind of the case's records
(:func:`anonymise_case`, :func:`anonymise_petition`, :func:`erase_event_notes`) and keeps every fact the
reports count: kinds,
categories, regions, channels, dates, states, bodies, headcounts, outcomes and clocks.

Erased texts are replaced by :data:`ERASED`; erased optional values become ``None``; a petitioner
stays in the list (so counts of petitioners still add up) with only its role kept.
"""

from __future__ import annotations

import enum
import hashlib
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta

import attrs

from petitionkit.domain import event_types as ev
from petitionkit.domain.events import Event, event_digest
from petitionkit.domain.model import (
    CLOSED_STATES,
    Attachment,
    Case,
    Person,
    Petition,
    Referral,
    Respondent,
    ReviewStep,
)

ERASED = "〔已删除 erased〕"
"""What an erased text reads afterwards (a tombstone: the value is gone, the field stays)."""


class RecordKind(enum.StrEnum):
    """The kinds of a case's records a rule pack gives a retention period."""

    PERSONAL_DATA = "personal_data"  # 个人信息: petitioners, identity indexes, query codes, respondent persons
    CONTENT = "content"  # 信访内容: subjects, content, replies, opinions, notes, reasons, comments
    NOTICES = "notices"  # 告知、通知: the outbox copies of letters and notices sent for the case
    ATTACHMENTS = "attachments"  # 附件: the attached files (rows and blobs), and the references a petition lists


#: The free-text fields of events (notes and reasons a clerk typed), erased with the ``content`` kind.
EVENT_NOTES: Mapping[str, tuple[str, ...]] = {
    ev.CaseAccepted.name: ("note",),
    ev.CaseDeclined.name: ("reason",),
    ev.CaseTransferred.name: ("note",),
    ev.CaseAssigned.name: ("note",),
    ev.ReferralObjected.name: ("reason",),
    ev.CaseSupervised.name: ("reason",),
    ev.HandlingExtended.name: ("reason",),
    ev.CaseTerminated.name: ("reason",),
    ev.CaseWithdrawn.name: ("reason",),
}

#: Events that put a case into a closed state; the last of them is the case's end.
ENDING_EVENTS = frozenset(
    {
        ev.CaseDeclined.name,
        ev.CaseTransferred.name,
        ev.CaseTerminated.name,
        ev.RereviewDecided.name,
        ev.CaseWithdrawn.name,
    }
)


@attrs.frozen
class RetentionPeriod:
    """How long one kind of record is kept after the case ends: ``years`` or ``days`` (one of them)."""

    kind: RecordKind
    years: int = 0
    days: int = 0
    source: str = ""
    set_by: str = ""  # the pack that declared it

    def __attrs_post_init__(self) -> None:
        if (self.years > 0) == (self.days > 0) or self.years < 0 or self.days < 0:
            raise ValueError("a retention period is a positive number of years or of days, not both")

    def expires(self, end: datetime) -> datetime:
        """The instant the period runs out for a case that ended at ``end`` (29 Feb counts to 28 Feb)."""
        if self.days:
            return end + timedelta(days=self.days)
        year = end.year + self.years
        try:
            return end.replace(year=year)
        except ValueError:  # 29 February into a year without one
            return end.replace(year=year, day=28)

    def describe(self) -> str:
        return f"{self.years}y" if self.years else f"{self.days}d"


def case_end(case: Case, events: Iterable[Event]) -> datetime | None:
    """When ``case`` ended: the last event that closed it; ``None`` while it is open."""
    if case.state not in CLOSED_STATES:
        return None
    ends = [e.occurred_at for e in events if e.name in ENDING_EVENTS]
    return max(ends) if ends else None


def purged_kinds(events: Iterable[Event]) -> frozenset[RecordKind]:
    """The kinds earlier purges of the case already erased (from its ``CasePurged`` events)."""
    done: set[RecordKind] = set()
    for event in events:
        if event.name == ev.CasePurged.name:
            done.update(RecordKind(k) for k in event.payload.get("kinds", ()))
    return frozenset(done)


def expired_kinds(
    periods: Mapping[RecordKind, RetentionPeriod], end: datetime, now: datetime, done: Iterable[RecordKind] = ()
) -> tuple[RecordKind, ...]:
    """The kinds whose period ran out by ``now`` and that are not erased yet, in declaration order.

    Notices are copies of letters that hold personal data and content: they never outlive either, so
    they go with the first of the two even when their own period is longer.
    """
    skip = frozenset(done)
    due = {k for k in RecordKind if k in periods and k not in skip and periods[k].expires(end) <= now}
    if due & {RecordKind.PERSONAL_DATA, RecordKind.CONTENT} and RecordKind.NOTICES not in skip:
        due.add(RecordKind.NOTICES)
    return tuple(k for k in RecordKind if k in due)


# --- anonymising ----------------------------------------------------------------------------------


def _text(value: str) -> str:
    return value if value in ("", ERASED) else ERASED


def _optional(value: str | None) -> str | None:
    return None if value is None else _text(value)


def _respondent(respondent: Respondent | None) -> Respondent | None:
    """The unit stays (reports count by it); the person complained about goes."""
    if respondent is None or respondent.person_name is None:
        return respondent
    return attrs.evolve(respondent, person_name=ERASED)


def _person(person: Person) -> Person:
    return Person(name=ERASED, role=person.role)


def _attachment(attachment: Attachment) -> Attachment:
    return Attachment(name=ERASED, uri="", sha256=None)


def erased_query_digest(petition_id: str) -> str:
    """A query-code digest no code can match (unique per petition, as the column requires)."""
    return hashlib.sha256(f"petitionkit-erased-query-code/{petition_id}".encode()).hexdigest()


def anonymise_petition(petition: Petition, kinds: Iterable[RecordKind]) -> Petition:
    """``petition`` with the ``kinds`` erased (every counted fact kept)."""
    wanted = frozenset(kinds)
    changes: dict[str, object] = {}
    if RecordKind.PERSONAL_DATA in wanted:
        changes |= {
            "petitioners": tuple(_person(p) for p in petition.petitioners),
            "query_code_digest": erased_query_digest(petition.id),
            "respondent": _respondent(petition.respondent),
        }
    if RecordKind.CONTENT in wanted:
        changes |= {"subject": _text(petition.subject), "content": _text(petition.content)}
    if RecordKind.ATTACHMENTS in wanted:
        changes["attachments"] = tuple(_attachment(a) for a in petition.attachments)
    return attrs.evolve(petition, **changes)  # type: ignore[arg-type]


def _step(step: ReviewStep | None) -> ReviewStep | None:
    if step is None:
        return None
    return attrs.evolve(step, reason=_text(step.reason), organ=step.organ, opinion=_optional(step.opinion))


def _referral(referral: Referral) -> Referral:
    return attrs.evolve(
        referral,
        note=_text(referral.note),
        feedback=_optional(referral.feedback),
        feedbacks=tuple(attrs.evolve(f, text=_text(f.text)) for f in referral.feedbacks),
    )


def anonymise_case(case: Case, kinds: Iterable[RecordKind]) -> Case:
    """``case`` with the ``kinds`` erased: its subject and every text written about it (content), the
    respondent person (personal data).  States, dates, bodies, outcomes and clocks stay."""
    wanted = frozenset(kinds)
    changes: dict[str, object] = {}
    if RecordKind.PERSONAL_DATA in wanted:
        changes["respondent"] = _respondent(case.respondent)
    if RecordKind.CONTENT in wanted:
        changes |= {
            "subject": _text(case.subject),
            "referrals": tuple(_referral(r) for r in case.referrals),
            "decline": None if case.decline is None else attrs.evolve(case.decline, reason=_text(case.decline.reason)),
            "extension": None
            if case.extension is None
            else attrs.evolve(case.extension, reason=_text(case.extension.reason)),
            "reply": None if case.reply is None else attrs.evolve(case.reply, text=_text(case.reply.text)),
            "evaluations": tuple(attrs.evolve(e, comment=_text(e.comment)) for e in case.evaluations),
            "review": _step(case.review),
            "rereview": _step(case.rereview),
            "closed_reason": _optional(case.closed_reason),
        }
    return attrs.evolve(case, **changes)  # type: ignore[arg-type]


def erase_event_notes(events: Iterable[Event]) -> list[Event]:
    """The events whose notes hold text, with the notes erased (same digest: see ``redacted_digest``)."""
    changed = []
    for event in events:
        fields = [f for f in EVENT_NOTES.get(event.name, ()) if event.payload.get(f) not in (None, "", ERASED)]
        if fields:
            payload = dict(event.payload) | {f: ERASED for f in fields}
            changed.append(attrs.evolve(event, payload=payload))
    return changed


def redacted_digest(event: Event) -> str:
    """The digest of ``event`` as its (erased) payload now reads, for ``CasePurged.redacted``."""
    return event_digest(
        event.prev_digest, event.case_id, event.sequence, event.name, event.actor, event.occurred_at, event.payload
    )


def erased_count(before: Sequence[object], after: Sequence[object]) -> int:
    """How many of the objects changed (for the purge's counts)."""
    return sum(1 for a, b in zip(before, after, strict=True) if a != b)
