"""Explicit mapping between domain objects and table rows.

Every ``*_values`` function turns a frozen attrs object into the tuple of driver values an
``INSERT`` takes, in the order of the matching ``*_FIELDS`` tuple; every ``*_from_row`` function
builds the object back from a fetched row in that same order.  A
:class:`~petitionkit.storage.sql.types.Codec` converts times, dates and JSON for the dialect: SQLite
gets UTC ISO text, PostgreSQL native ``timestamptz``.
Nested value objects travel as JSON in the shapes of :mod:`~petitionkit.storage.sql.json_values`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from petitionkit.domain.clocks import Clock, Convention, DeadlineBasis
from petitionkit.domain.events import Event
from petitionkit.domain.model import (
    Case,
    CaseState,
    Channel,
    Obligation,
    ObligationStatus,
    Party,
    Petition,
    PetitionKind,
    Referral,
    ReferralMode,
    ReferralStatus,
)
from petitionkit.storage.base import OutboxMessage, OutboxStatus
from petitionkit.storage.sql.json_values import (
    attachment_from_json,
    attachment_json,
    decline_from_json,
    decline_json,
    evaluation_from_json,
    evaluation_json,
    extension_from_json,
    extension_json,
    person_from_json,
    person_json,
    reply_from_json,
    reply_json,
    respondent_from_json,
    respondent_json,
    review_from_json,
    review_json,
)
from petitionkit.storage.sql.types import Codec, dumps

# Enum lookups by value: a dict is several times faster than calling the enum class.
_CLOCK = {m.value: m for m in Clock}
_CONVENTION = {m.value: m for m in Convention}
_PARTY = {m.value: m for m in Party}
_OBLIGATION_STATUS = {m.value: m for m in ObligationStatus}
_STATE = {m.value: m for m in CaseState}
_KIND = {m.value: m for m in PetitionKind}
_CHANNEL = {m.value: m for m in Channel}
_REFERRAL_MODE = {m.value: m for m in ReferralMode}
_REFERRAL_STATUS = {m.value: m for m in ReferralStatus}
_OUTBOX_STATUS = {m.value: m for m in OutboxStatus}


# --- cases --------------------------------------------------------------------------------------

CASE_FIELDS = (
    "id",
    "office_code",
    "state",
    "version",
    "kind",
    "category",
    "region_code",
    "subject",
    "opened_at",
    "petition_ids",
    "first_tracking_number",
    "confidential",
    "anonymous",
    "respondent",
    "decline",
    "extension",
    "reply",
    "evaluations",
    "review",
    "rereview",
    "closed_reason",
    "updated_at",
    "last_sequence",
    "last_digest",
    "respondent_body_code",  # written, never read back (it is respondent.body_code)
)
CASE_READ = CASE_FIELDS[:-1]


def case_values(c: Case, k: Codec) -> tuple[Any, ...]:
    """The ``cases`` row of a case (its obligations and referrals go to their own tables)."""
    doc = k.doc
    return (
        c.id,
        c.office_code,
        c.state.value,
        c.version,
        c.kind.value,
        c.category,
        c.region_code,
        c.subject,
        k.ts_out(c.opened_at),
        doc(list(c.petition_ids)),
        c.first_tracking_number,
        c.confidential,
        c.anonymous,
        doc(respondent_json(c.respondent)),
        doc(decline_json(c.decline)),
        doc(extension_json(c.extension)),
        doc(reply_json(c.reply)),
        doc([evaluation_json(e) for e in c.evaluations]),
        doc(review_json(c.review)),
        doc(review_json(c.rereview)),
        c.closed_reason,
        k.ts(c.updated_at),
        c.last_sequence,
        c.last_digest,
        None if c.respondent is None else c.respondent.body_code,
    )


def case_from_row(r: Sequence[Any], k: Codec, obs: Sequence[Obligation], refs: Sequence[Referral]) -> Case:
    load = k.doc_in
    return Case(
        id=r[0],
        office_code=r[1],
        state=_STATE[r[2]],
        version=r[3],
        kind=_KIND[r[4]],
        category=r[5],
        region_code=r[6],
        subject=r[7],
        opened_at=k.ts_in(r[8]),
        petition_ids=tuple(load(r[9])),
        first_tracking_number=r[10],
        confidential=bool(r[11]),
        anonymous=bool(r[12]),
        respondent=respondent_from_json(load(r[13])),
        obligations=tuple(obs),
        referrals=tuple(refs),
        decline=decline_from_json(load(r[14])),
        extension=extension_from_json(load(r[15])),
        reply=reply_from_json(load(r[16])),
        evaluations=tuple(evaluation_from_json(e) for e in load(r[17])),
        review=review_from_json(load(r[18])),
        rereview=review_from_json(load(r[19])),
        closed_reason=r[20],
        updated_at=k.ts_or_none(r[21]),
        last_sequence=r[22],
        last_digest=r[23],
    )


# --- obligations --------------------------------------------------------------------------------

OBLIGATION_FIELDS = (
    "id",
    "case_id",
    "clock",
    "owed_by",
    "owed_to",
    "status",
    "due",
    "basis_clock",
    "basis_start",
    "basis_days",
    "basis_convention",
    "basis_rule_set",
    "basis_source",
    "basis_calendar",
    "basis_extension_days",
    "opened_at",
    "body_code",
    "referral_id",
    "closed_at",
    "basis_provisional_years",  # revision 0004: "2027" or "2027,2028"; "" for a final due date
    "office_code",  # written only: denormalised for the (office_code, status, due) index
    "position",  # written only: the obligation's place in the case's tuple
)
OBLIGATION_READ = OBLIGATION_FIELDS[:-2]


def obligation_values(o: Obligation, k: Codec, office_code: str, position: int) -> tuple[Any, ...]:
    b = o.basis
    return (
        o.id,
        o.case_id,
        o.clock.value,
        o.owed_by.value,
        o.owed_to.value,
        o.status.value,
        k.day_out(o.due),
        b.clock.value,
        k.day_out(b.start),
        b.days,
        b.convention.value,
        b.rule_set,
        b.source,
        b.calendar,
        b.extension_days,
        k.ts_out(o.opened_at),
        o.body_code,
        o.referral_id,
        k.ts(o.closed_at),
        ",".join(str(y) for y in b.provisional_years),
        office_code,
        position,
    )


def obligation_from_row(r: Sequence[Any], k: Codec, shared: dict[Any, Any] | None = None) -> Obligation:
    """An obligation from its row.

    ``shared`` (one dict per query) lets rows of a long list share equal dates and deadline bases:
    they are frozen values, and a due list has few distinct ones, so most rows build neither.
    """
    if shared is None:
        shared = {}
    due = shared.get(r[6])
    if due is None:
        due = shared[r[6]] = k.day_in(r[6])
    key = (r[7], r[8], r[9], r[10], r[11], r[12], r[13], r[14], r[19])
    basis = shared.get(key)
    if basis is None:
        provisional = tuple(int(y) for y in r[19].split(",")) if r[19] else ()
        basis = shared[key] = DeadlineBasis(
            _CLOCK[r[7]], k.day_in(r[8]), r[9], _CONVENTION[r[10]], r[11], r[12], r[13], r[14], provisional
        )
    closed = r[18]
    return Obligation(
        r[0],
        r[1],
        _CLOCK[r[2]],
        _PARTY[r[3]],
        _PARTY[r[4]],
        _OBLIGATION_STATUS[r[5]],
        due,
        basis,
        k.ts_in(r[15]),
        r[16],
        r[17],
        None if closed is None else k.ts_in(closed),
    )


# --- referrals ----------------------------------------------------------------------------------

REFERRAL_FIELDS = (
    "id",
    "case_id",
    "body_code",
    "mode",
    "status",
    "referred_at",
    "objection_due",
    "note",
    "feedback",
    "closed_at",
    "position",  # written only
)
REFERRAL_READ = REFERRAL_FIELDS[:-1]


def referral_values(r: Referral, k: Codec, position: int) -> tuple[Any, ...]:
    return (
        r.id,
        r.case_id,
        r.body_code,
        r.mode.value,
        r.status.value,
        k.ts_out(r.referred_at),
        k.day(r.objection_due),
        r.note,
        r.feedback,
        k.ts(r.closed_at),
        position,
    )


def referral_from_row(r: Sequence[Any], k: Codec) -> Referral:
    return Referral(
        r[0],
        r[1],
        r[2],
        _REFERRAL_MODE[r[3]],
        _REFERRAL_STATUS[r[4]],
        k.ts_in(r[5]),
        k.day_or_none(r[6]),
        r[7],
        r[8],
        k.ts_or_none(r[9]),
    )


# --- petitions ----------------------------------------------------------------------------------

PETITION_FIELDS = (
    "id",
    "office_code",
    "tracking_number",
    "query_code_digest",
    "case_id",
    "channel",
    "received_at",
    "registered_at",
    "kind",
    "subject",
    "content",
    "category",
    "region_code",
    "petitioners",
    "anonymous",
    "confidential",
    "headcount",
    "respondent",
    "attachments",
    "referred_from",
    "source_ref",
    "respondent_body_code",  # written only
)
PETITION_READ = PETITION_FIELDS[:-1]


def petition_values(p: Petition, k: Codec) -> tuple[Any, ...]:
    doc = k.doc
    return (
        p.id,
        p.office_code,
        p.tracking_number,
        p.query_code_digest,
        p.case_id,
        p.channel.value,
        k.ts_out(p.received_at),
        k.ts_out(p.registered_at),
        p.kind.value,
        p.subject,
        p.content,
        p.category,
        p.region_code,
        doc([person_json(x) for x in p.petitioners]),
        p.anonymous,
        p.confidential,
        p.headcount,
        doc(respondent_json(p.respondent)),
        doc([attachment_json(a) for a in p.attachments]),
        p.referred_from,
        p.source_ref,
        None if p.respondent is None else p.respondent.body_code,
    )


def petition_from_row(r: Sequence[Any], k: Codec) -> Petition:
    load = k.doc_in
    return Petition(
        id=r[0],
        office_code=r[1],
        tracking_number=r[2],
        query_code_digest=r[3],
        case_id=r[4],
        channel=_CHANNEL[r[5]],
        received_at=k.ts_in(r[6]),
        registered_at=k.ts_in(r[7]),
        kind=_KIND[r[8]],
        subject=r[9],
        content=r[10],
        category=r[11],
        region_code=r[12],
        petitioners=tuple(person_from_json(x) for x in load(r[13])),
        anonymous=bool(r[14]),
        confidential=bool(r[15]),
        headcount=r[16],
        respondent=respondent_from_json(load(r[17])),
        attachments=tuple(attachment_from_json(a) for a in load(r[18])),
        referred_from=r[19],
        source_ref=r[20],
    )


# --- events -------------------------------------------------------------------------------------

EVENT_FIELDS = ("case_id", "sequence", "name", "actor", "occurred_at", "payload", "prev_digest", "digest")


def event_values(e: Event, k: Codec) -> tuple[Any, ...]:
    return (
        e.case_id,
        e.sequence,
        e.name,
        e.actor,
        k.ts_out(e.occurred_at),
        dumps(dict(e.payload)),
        e.prev_digest,
        e.digest,
    )


def event_from_row(r: Sequence[Any], k: Codec) -> Event:
    return Event(r[0], r[1], r[2], r[3], k.ts_in(r[4]), k.doc_in(r[5]), r[6], r[7])


# --- outbox -------------------------------------------------------------------------------------

OUTBOX_FIELDS = (
    "id",
    "topic",
    "case_id",
    "payload",
    "idempotency_key",
    "created_at",
    "available_at",
    "status",
    "attempts",
    "last_error",
    "claimed_by",
    "lease_until",
)


def outbox_values(m: OutboxMessage, k: Codec) -> tuple[Any, ...]:
    return (
        m.id,
        m.topic,
        m.case_id,
        dumps(dict(m.payload)),
        m.idempotency_key,
        k.ts_out(m.created_at),
        k.ts_out(m.available_at),
        m.status.value,
        m.attempts,
        m.last_error,
        m.claimed_by,
        k.ts(m.lease_until),
    )


def outbox_from_row(r: Sequence[Any], k: Codec) -> OutboxMessage:
    return OutboxMessage(
        r[0],
        r[1],
        r[2],
        k.doc_in(r[3]),
        r[4],
        k.ts_in(r[5]),
        k.ts_in(r[6]),
        _OUTBOX_STATUS[r[7]],
        r[8],
        r[9],
        r[10],
        k.ts_or_none(r[11]),
    )
