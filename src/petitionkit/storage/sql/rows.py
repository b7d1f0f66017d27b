"""Explicit mapping between domain objects and table rows, column by column and by name.

Each table the store writes has a :class:`Shape`: the table, the columns the database fills itself
(``generated``) and the columns stored beside an object but never read back into it
(``write_only``: a denormalised body code, a child's place in its case).  Every ``*_values``
function turns a frozen attrs object into a ``{column name: driver value}`` dict holding exactly the
shape's :attr:`~Shape.written` columns; every ``*_from_row`` function builds the object back from a
fetched row, reading each column by name through ``at``, the name -> position map of the statement
that fetched it.  Statements are rendered from the same shapes (``statements.py``), and
``tests/storage/test_sql_fields_match_tables.py`` checks every mapping against its table.

Size: just over 500 lines: one pair of functions per table, kept in one place so a column added to
``tables.py`` is mapped beside all the others.

A :class:`~petitionkit.storage.sql.types.Codec` converts times, dates and JSON for the dialect:
SQLite gets UTC ISO text, PostgreSQL native ``timestamptz``.  Nested value objects travel as JSON
in the shapes of :mod:`~petitionkit.storage.sql.json_values`.

Size: just over 500 lines: one writer and one reader per table, by column name, beside the
:class:`Shape` that says which columns each uses; they are checked together against ``tables.py``
(tests/storage/test_sql_fields_match_tables.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from operator import itemgetter
from typing import Any

import attrs
from sqlalchemy import Table

from petitionkit.domain.access import AccessRecord
from petitionkit.domain.casework import CaseworkRecord, Reception, happened_at, kind_of, record_from_json, record_json
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
    Respondent,
    legacy_feedbacks,
)
from petitionkit.storage.base import ApiKey, OutboxMessage, OutboxStatus, StoredResponse
from petitionkit.storage.sql import tables
from petitionkit.storage.sql.json_values import (
    attachment_from_json,
    attachment_json,
    decline_from_json,
    decline_json,
    evaluation_from_json,
    evaluation_json,
    extension_from_json,
    extension_json,
    feedback_from_json,
    feedback_json,
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

Positions = Mapping[str, int]
"""Column name -> position in the rows of one statement."""

Values = dict[str, Any]
"""Column name -> driver value: one row to write."""


def positions(columns: Iterable[str]) -> dict[str, int]:
    """The name -> position map of a statement's result columns (computed once per statement)."""
    return {name: i for i, name in enumerate(columns)}


def _names(names: Iterable[str]) -> frozenset[str]:
    return frozenset(names)


@attrs.frozen(eq=False)
class Shape:
    """Which columns of one table a mapping writes and which it reads back.

    Both lists are derived from the table, so a column added to ``tables.py`` is written and read
    unless it is declared here; a name here that the table lacks fails at import.
    """

    table: Table
    write_only: frozenset[str] = attrs.field(default=frozenset(), converter=_names)
    """Stored beside the object for queries or order, never read back into it."""
    generated: frozenset[str] = attrs.field(default=frozenset(), converter=_names)
    """Filled by the database on insert (autoincrement keys); never written."""

    def __attrs_post_init__(self) -> None:
        unknown = sorted((self.write_only | self.generated) - set(self.table.c.keys()))
        if unknown:
            raise ValueError(f"table {self.table.name} has no column {', '.join(unknown)}")

    @property
    def written(self) -> tuple[str, ...]:
        """The columns an ``INSERT`` of one object sets, in table order."""
        return tuple(c.key for c in self.table.c if c.key not in self.generated)

    @property
    def read(self) -> tuple[str, ...]:
        """The columns a ``SELECT`` fetches to build one object, in table order."""
        skip = self.write_only | self.generated
        return tuple(c.key for c in self.table.c if c.key not in skip)


CASES = Shape(tables.cases, write_only={"respondent_body_code"})  # it is respondent.body_code
PETITIONS = Shape(tables.petitions, write_only={"respondent_body_code"})
PETITIONER_IDENTITIES = Shape(tables.petitioner_identities)
# Obligations: office_code is denormalised for the (office_code, status, due) index; position is
# the obligation's place in its case's tuple.
OBLIGATIONS = Shape(tables.obligations, write_only={"office_code", "position"})
REFERRALS = Shape(tables.referrals, write_only={"position"})
EVENTS = Shape(tables.events, generated={"id"})  # global append order, not part of an event
OUTBOX = Shape(tables.outbox, generated={"seq"})  # enqueue order; claims read it to sort
ACCESS_LOG = Shape(tables.access_log, generated={"seq"})  # append order
API_KEYS = Shape(tables.api_keys)
IDEMPOTENCY_KEYS = Shape(tables.idempotency_keys)
# The record is its body; the rest is copied out of it for the case's lookups and the reports' counts.
CASEWORK = Shape(tables.casework, write_only={"case_id", "office_code", "happened_at", "settled"})
# Written only (a search reads its hits' keys, not documents); its values are made by attachment_state.
SEARCH_DOCUMENTS = Shape(tables.search_documents, generated={"seq"})  # the FTS5 rowid, newest last
SHAPES = (
    CASES,
    PETITIONS,
    PETITIONER_IDENTITIES,
    OBLIGATIONS,
    REFERRALS,
    EVENTS,
    OUTBOX,
    ACCESS_LOG,
    API_KEYS,
    IDEMPOTENCY_KEYS,
    CASEWORK,
)

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


def respondent_values(respondent: Respondent | None, k: Codec) -> Values:
    """The respondent columns of a case or petition: the whole respondent, and its body code for queries.

    (``case_values`` and ``petition_values`` spell the same two entries out: they run per imported row.)
    """
    return {
        "respondent": k.doc(respondent_json(respondent)),
        "respondent_body_code": None if respondent is None else respondent.body_code,
    }


def case_values(c: Case, k: Codec) -> Values:
    """The ``cases`` row of a case (its obligations and referrals go to their own tables)."""
    doc = k.doc
    return {
        "id": c.id,
        "office_code": c.office_code,
        "state": c.state.value,
        "version": c.version,
        "kind": c.kind.value,
        "category": c.category,
        "region_code": c.region_code,
        "subject": k.seal(c.office_code, "cases", c.id, "subject", c.subject),
        "opened_at": k.ts_out(c.opened_at),
        "first_tracking_number": c.first_tracking_number,
        "petition_ids": doc(list(c.petition_ids)),
        "confidential": c.confidential,
        "anonymous": c.anonymous,
        # "is None" first: a new case (every imported row) has none of these, and two calls each add up.
        "respondent": None if c.respondent is None else doc(respondent_json(c.respondent)),
        "respondent_body_code": None if c.respondent is None else c.respondent.body_code,
        "decline": None if c.decline is None else doc(decline_json(c.decline)),
        "extension": None if c.extension is None else doc(extension_json(c.extension)),
        "reply": None if c.reply is None else doc(reply_json(c.reply)),
        "evaluations": doc([evaluation_json(e) for e in c.evaluations]),
        "review": None if c.review is None else doc(review_json(c.review)),
        "rereview": None if c.rereview is None else doc(review_json(c.rereview)),
        "closed_reason": c.closed_reason,
        "updated_at": k.ts(c.updated_at),
        "last_sequence": c.last_sequence,
        "last_digest": c.last_digest,
    }


def case_from_row(
    r: Sequence[Any], at: Positions, k: Codec, obs: Sequence[Obligation], refs: Sequence[Referral]
) -> Case:
    load = k.doc_in
    case_id = r[at["id"]]
    return Case(
        id=case_id,
        office_code=r[at["office_code"]],
        state=_STATE[r[at["state"]]],
        version=r[at["version"]],
        kind=_KIND[r[at["kind"]]],
        category=r[at["category"]],
        region_code=r[at["region_code"]],
        subject=k.open("cases", case_id, "subject", r[at["subject"]]),
        opened_at=k.ts_in(r[at["opened_at"]]),
        petition_ids=tuple(load(r[at["petition_ids"]])),
        first_tracking_number=r[at["first_tracking_number"]],
        confidential=bool(r[at["confidential"]]),
        anonymous=bool(r[at["anonymous"]]),
        respondent=respondent_from_json(load(r[at["respondent"]])),
        obligations=tuple(obs),
        referrals=tuple(refs),
        decline=decline_from_json(load(r[at["decline"]])),
        extension=extension_from_json(load(r[at["extension"]])),
        reply=reply_from_json(load(r[at["reply"]])),
        evaluations=tuple(evaluation_from_json(e) for e in load(r[at["evaluations"]])),
        review=review_from_json(load(r[at["review"]])),
        rereview=review_from_json(load(r[at["rereview"]])),
        closed_reason=r[at["closed_reason"]],
        updated_at=k.ts_or_none(r[at["updated_at"]]),
        last_sequence=r[at["last_sequence"]],
        last_digest=r[at["last_digest"]],
    )


# --- obligations --------------------------------------------------------------------------------


def obligation_values(o: Obligation, k: Codec, office_code: str, position: int) -> Values:
    b = o.basis
    return {
        "id": o.id,
        "case_id": o.case_id,
        "office_code": office_code,
        "position": position,
        "clock": o.clock.value,
        "owed_by": o.owed_by.value,
        "owed_to": o.owed_to.value,
        "status": o.status.value,
        "due": k.day_out(o.due),
        "opened_at": k.ts_out(o.opened_at),
        "closed_at": k.ts(o.closed_at),
        "body_code": o.body_code,
        "referral_id": o.referral_id,
        "basis_clock": b.clock.value,
        "basis_start": k.day_out(b.start),
        "basis_days": b.days,
        "basis_convention": b.convention.value,
        "basis_rule_set": b.rule_set,
        "basis_source": b.source,
        "basis_calendar": b.calendar,
        "basis_extension_days": b.extension_days,
        # revision 0004: "2027" or "2027,2028"; "" for a final due date
        "basis_provisional_years": ",".join(str(y) for y in b.provisional_years),
    }


def obligation_from_row(r: Sequence[Any], at: Positions, k: Codec) -> Obligation:
    """An obligation from its row."""
    return obligations_from_rows((r,), at, k)[0]


def obligations_from_rows(found: Iterable[Sequence[Any]], at: Positions, k: Codec) -> list[Obligation]:
    """Obligations from the rows of one query, each column's position looked up by name once.

    Rows of a long list share equal dates and deadline bases: they are frozen values, and a due list
    has few distinct ones, so most rows build neither.
    """
    id_ = at["id"]
    case_id = at["case_id"]
    clock = at["clock"]
    owed_by = at["owed_by"]
    owed_to = at["owed_to"]
    status = at["status"]
    due = at["due"]
    opened_at = at["opened_at"]
    closed_at = at["closed_at"]
    body_code = at["body_code"]
    referral_id = at["referral_id"]
    basis_clock = at["basis_clock"]
    basis_start = at["basis_start"]
    basis_days = at["basis_days"]
    basis_convention = at["basis_convention"]
    basis_rule_set = at["basis_rule_set"]
    basis_source = at["basis_source"]
    basis_calendar = at["basis_calendar"]
    basis_extension_days = at["basis_extension_days"]
    basis_years = at["basis_provisional_years"]
    basis_key = itemgetter(
        basis_clock,
        basis_start,
        basis_days,
        basis_convention,
        basis_rule_set,
        basis_source,
        basis_calendar,
        basis_extension_days,
        basis_years,
    )
    day_in, ts_in = k.day_in, k.ts_in
    shared: dict[Any, Any] = {}
    result = []
    for r in found:
        due_text = r[due]
        due_day = shared.get(due_text)
        if due_day is None:
            due_day = shared[due_text] = day_in(due_text)
        key = basis_key(r)
        basis = shared.get(key)
        if basis is None:
            years = r[basis_years]
            basis = shared[key] = DeadlineBasis(
                clock=_CLOCK[r[basis_clock]],
                start=day_in(r[basis_start]),
                days=r[basis_days],
                convention=_CONVENTION[r[basis_convention]],
                rule_set=r[basis_rule_set],
                source=r[basis_source],
                calendar=r[basis_calendar],
                extension_days=r[basis_extension_days],
                provisional_years=tuple(int(y) for y in years.split(",")) if years else (),
            )
        closed = r[closed_at]
        # Positional: keywords would cost a due list of 50,000 rows about 50 ms; the columns
        # are still taken by name, through the positions looked up above.
        result.append(
            Obligation(
                r[id_],
                r[case_id],
                _CLOCK[r[clock]],
                _PARTY[r[owed_by]],
                _PARTY[r[owed_to]],
                _OBLIGATION_STATUS[r[status]],
                due_day,
                basis,
                ts_in(r[opened_at]),
                r[body_code],
                r[referral_id],
                None if closed is None else ts_in(closed),
            )
        )
    return result


# --- referrals ----------------------------------------------------------------------------------


def referral_values(r: Referral, k: Codec, position: int) -> Values:
    return {
        "id": r.id,
        "case_id": r.case_id,
        "position": position,
        "body_code": r.body_code,
        "mode": r.mode.value,
        "status": r.status.value,
        "referred_at": k.ts_out(r.referred_at),
        "objection_due": k.day(r.objection_due),
        "note": r.note,
        "feedback": r.feedback,
        "closed_at": k.ts(r.closed_at),
        "feedbacks": k.doc([feedback_json(f) for f in r.feedbacks]) if r.feedbacks else None,
    }


def referral_from_row(r: Sequence[Any], at: Positions, k: Codec) -> Referral:
    mode = _REFERRAL_MODE[r[at["mode"]]]
    status = _REFERRAL_STATUS[r[at["status"]]]
    feedback = r[at["feedback"]]
    closed_at = k.ts_or_none(r[at["closed_at"]])
    stored = k.doc_in(r[at["feedbacks"]])
    # A row written before revision 0012 has no history: its one feedback text is the history.
    feedbacks = (
        legacy_feedbacks(mode, status, feedback, closed_at)
        if stored is None
        else tuple(feedback_from_json(f) for f in stored)
    )
    return Referral(
        id=r[at["id"]],
        case_id=r[at["case_id"]],
        body_code=r[at["body_code"]],
        mode=mode,
        status=status,
        referred_at=k.ts_in(r[at["referred_at"]]),
        objection_due=k.day_or_none(r[at["objection_due"]]),
        note=r[at["note"]],
        feedback=feedback,
        closed_at=closed_at,
        feedbacks=feedbacks,
    )


# --- petitions ----------------------------------------------------------------------------------


def petition_values(p: Petition, k: Codec) -> Values:
    doc = k.doc
    return {
        "id": p.id,
        "office_code": p.office_code,
        "tracking_number": p.tracking_number,
        "query_code_digest": p.query_code_digest,
        "case_id": p.case_id,
        "channel": p.channel.value,
        "received_at": k.ts_out(p.received_at),
        "registered_at": k.ts_out(p.registered_at),
        "kind": p.kind.value,
        # Protected (docs/security.md): sealed with the office's data key, bound to this row and column.
        "subject": k.seal(p.office_code, "petitions", p.id, "subject", p.subject),
        "content": k.seal(p.office_code, "petitions", p.id, "content", p.content),
        "category": p.category,
        "region_code": p.region_code,
        "petitioners": k.seal_doc(
            p.office_code, "petitions", p.id, "petitioners", [person_json(x) for x in p.petitioners]
        ),
        "anonymous": p.anonymous,
        "confidential": p.confidential,
        "headcount": p.headcount,
        "respondent": None if p.respondent is None else doc(respondent_json(p.respondent)),
        "respondent_body_code": None if p.respondent is None else p.respondent.body_code,
        "attachments": doc([attachment_json(a) for a in p.attachments]),
        "referred_from": p.referred_from,
        "source_ref": p.source_ref,
        "repeat_of": p.repeat_of,
    }


def petition_from_row(r: Sequence[Any], at: Positions, k: Codec) -> Petition:
    load = k.doc_in
    petition_id = r[at["id"]]
    return Petition(
        id=petition_id,
        office_code=r[at["office_code"]],
        tracking_number=r[at["tracking_number"]],
        query_code_digest=r[at["query_code_digest"]],
        case_id=r[at["case_id"]],
        channel=_CHANNEL[r[at["channel"]]],
        received_at=k.ts_in(r[at["received_at"]]),
        registered_at=k.ts_in(r[at["registered_at"]]),
        kind=_KIND[r[at["kind"]]],
        subject=k.open("petitions", petition_id, "subject", r[at["subject"]]),
        content=k.open("petitions", petition_id, "content", r[at["content"]]),
        category=r[at["category"]],
        region_code=r[at["region_code"]],
        petitioners=tuple(
            person_from_json(x) for x in k.open_doc("petitions", petition_id, "petitioners", r[at["petitioners"]])
        ),
        anonymous=bool(r[at["anonymous"]]),
        confidential=bool(r[at["confidential"]]),
        headcount=r[at["headcount"]],
        respondent=respondent_from_json(load(r[at["respondent"]])),
        attachments=tuple(attachment_from_json(a) for a in load(r[at["attachments"]])),
        referred_from=r[at["referred_from"]],
        source_ref=r[at["source_ref"]],
        repeat_of=r[at["repeat_of"]],
    )


def identity_values(p: Petition, digest: str, k: Codec) -> Values:
    """One ``petitioner_identities`` row: a petitioner identity's blind index (重复信访 detection).

    ``digest`` is an identity digest, or ``"<kind>:<digest>"`` for a secondary key (see
    :func:`petitionkit.domain.tracking.identity_keys`); the kind is kept in its own column.
    """
    kind, _, bare = digest.rpartition(":")
    return {
        "petition_id": p.id,
        "digest": k.blind(p.office_code, bare),
        "case_id": p.case_id,
        "office_code": p.office_code,
        "kind": kind or "person",
    }


def bare_digest(digest: str) -> str:
    """The digest of a key as :func:`identity_values` stores it (without its ``kind:`` prefix)."""
    return digest.rpartition(":")[2]


# --- events -------------------------------------------------------------------------------------


def event_values(e: Event, k: Codec) -> Values:
    return {
        "case_id": e.case_id,
        "sequence": e.sequence,
        "name": e.name,
        "actor": e.actor,
        "occurred_at": k.ts_out(e.occurred_at),
        "payload": dumps(dict(e.payload)),
        "prev_digest": e.prev_digest,
        "digest": e.digest,
        "key_id": e.key_id,
        "state_digest": e.state_digest,
        "seal": e.seal,
    }


def event_from_row(r: Sequence[Any], at: Positions, k: Codec) -> Event:
    return Event(
        case_id=r[at["case_id"]],
        sequence=r[at["sequence"]],
        name=r[at["name"]],
        actor=r[at["actor"]],
        occurred_at=k.ts_in(r[at["occurred_at"]]),
        payload=k.doc_in(r[at["payload"]]),
        prev_digest=r[at["prev_digest"]],
        digest=r[at["digest"]],
        key_id=r[at["key_id"]],
        state_digest=r[at["state_digest"]],
        seal=r[at["seal"]],
    )


# --- outbox -------------------------------------------------------------------------------------


def outbox_values(m: OutboxMessage, k: Codec) -> Values:
    return {
        "id": m.id,
        "topic": m.topic,
        "case_id": m.case_id,
        "payload": k.seal_payload(m.id, m.payload),  # the template context sealed
        "idempotency_key": m.idempotency_key,
        "created_at": k.ts_out(m.created_at),
        "available_at": k.ts_out(m.available_at),
        "status": m.status.value,
        "attempts": m.attempts,
        "last_error": m.last_error,
        "claimed_by": m.claimed_by,
        "lease_until": k.ts(m.lease_until),
        "finished_at": k.ts(m.finished_at),
        "digest": m.digest,
    }


def outbox_from_row(r: Sequence[Any], at: Positions, k: Codec) -> OutboxMessage:
    message_id = r[at["id"]]
    return OutboxMessage(
        id=message_id,
        topic=r[at["topic"]],
        case_id=r[at["case_id"]],
        payload=k.open_payload(message_id, r[at["payload"]]),
        idempotency_key=r[at["idempotency_key"]],
        created_at=k.ts_in(r[at["created_at"]]),
        available_at=k.ts_in(r[at["available_at"]]),
        status=_OUTBOX_STATUS[r[at["status"]]],
        attempts=r[at["attempts"]],
        last_error=r[at["last_error"]],
        claimed_by=r[at["claimed_by"]],
        lease_until=k.ts_or_none(r[at["lease_until"]]),
        finished_at=k.ts_or_none(r[at["finished_at"]]),
        digest=r[at["digest"]],
    )


# --- access records -----------------------------------------------------------------------------


def access_values(a: AccessRecord, k: Codec) -> Values:
    return {
        "id": a.id,
        "office_code": a.office_code,
        "principal_id": a.principal_id,
        "roles": a.roles,
        "at": k.ts_out(a.at),
        "action": a.action,
        "case_id": a.case_id,
        "query": a.query,
        "count": a.count,
        "purpose": a.purpose,
        "key_id": a.key_id,
        "seal": a.seal,
    }


def access_from_row(r: Sequence[Any], at: Positions, k: Codec) -> AccessRecord:
    return AccessRecord(
        id=r[at["id"]],
        office_code=r[at["office_code"]],
        principal_id=r[at["principal_id"]],
        roles=r[at["roles"]],
        at=k.ts_in(r[at["at"]]),
        action=r[at["action"]],
        case_id=r[at["case_id"]],
        query=r[at["query"]],
        count=r[at["count"]],
        purpose=r[at["purpose"]],
        key_id=r[at["key_id"]],
        seal=r[at["seal"]],
    )


# --- casework records (revision 0017) ----------------------------------------------------------


def casework_values(c: CaseworkRecord, k: Codec) -> Values:
    """A reception, investigation or legal basis: the record whole in ``body``, sealed (its texts hold
    personal data); kind, time and "settled" beside it for reports."""
    return {
        "id": c.id,
        "case_id": c.case_id,
        "office_code": c.office_code,
        "kind": kind_of(c),
        "happened_at": k.ts_out(happened_at(c)),
        "settled": c.settled if isinstance(c, Reception) else None,
        "body": k.seal_doc(c.office_code, "casework", c.id, "body", record_json(c)),
    }


def casework_from_row(r: Sequence[Any], at: Positions, k: Codec) -> CaseworkRecord:
    record_id = r[at["id"]]
    return record_from_json(r[at["kind"]], k.open_doc("casework", record_id, "body", r[at["body"]]))


# --- the HTTP API: API keys and idempotency keys (revision 0014) --------------------------------


def api_key_values(a: ApiKey, k: Codec) -> Values:
    return {
        "id": a.id,
        "office_code": a.office_code,
        "principal_id": a.principal_id,
        "name": a.name,
        "digest": a.digest,
        "created_at": k.ts_out(a.created_at),
        "expires_at": k.ts_out(a.expires_at),
        "created_by": a.created_by,
        "revoked_at": None if a.revoked_at is None else k.ts_out(a.revoked_at),
    }


def api_key_from_row(r: Sequence[Any], at: Positions, k: Codec) -> ApiKey:
    return ApiKey(
        id=r[at["id"]],
        office_code=r[at["office_code"]],
        principal_id=r[at["principal_id"]],
        name=r[at["name"]],
        digest=r[at["digest"]],
        created_at=k.ts_in(r[at["created_at"]]),
        expires_at=k.ts_in(r[at["expires_at"]]),
        created_by=r[at["created_by"]],
        revoked_at=k.ts_or_none(r[at["revoked_at"]]),
    )


def stored_response_values(s: StoredResponse, k: Codec) -> Values:
    return {
        "office_code": s.office_code,
        "principal_id": s.principal_id,
        "key": s.key,
        "request_digest": s.request_digest,
        "status": s.status,
        "body": s.body,
        "body_digest": s.body_digest,
        "location": s.location,
        "started_at": k.ts_out(s.started_at),
    }


def stored_response_from_row(r: Sequence[Any], at: Positions, k: Codec) -> StoredResponse:
    return StoredResponse(
        office_code=r[at["office_code"]],
        principal_id=r[at["principal_id"]],
        key=r[at["key"]],
        request_digest=r[at["request_digest"]],
        status=r[at["status"]],
        body=r[at["body"]],
        body_digest=r[at["body_digest"]],
        location=r[at["location"]],
        started_at=k.ts_in(r[at["started_at"]]),
    )
