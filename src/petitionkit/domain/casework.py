"""The office's work between registration and reply: reception talks, investigations, the legal basis cited.

* :class:`Reception` (接谈记录): a visit or call received by a member of staff — whom (a reference to the
  petition whose petitioner came, never a copy of their identity), when, what they asked, what was
  explained and on which provisions (:class:`~petitionkit.domain.knowledge.Citation`), what they
  answered, and whether the matter was settled in the talk (息诉).
* :class:`Investigation` (调查核实): the plan (who goes where, openly 明察 or unannounced 暗访, by when), the
  interviews and site visits (:class:`Inquiry`), the evidence (:class:`Evidence`: a reference to an
  attachment by id and SHA-256 digest) and the findings that feed the reply.
* :class:`LegalBasis` (处理依据): the provisions a decline or reply cited, snapshot, and the investigation
  whose findings it used.

Each is a *casework record* of one case, stored whole (free texts encrypted at rest on the SQL store)
and bound into the case's audit trail by an event carrying :func:`record_digest`.  Their texts reach the
search index through :func:`searchable_texts` only.
"""

from __future__ import annotations

import enum
import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

import attrs

from petitionkit.domain import event_types as ev
from petitionkit.domain.event_types import CasePurged
from petitionkit.domain.events import Event
from petitionkit.domain.knowledge import Citation, citation_from_json, citation_json
from petitionkit.errors import FieldError, InvalidInput


class ReceptionChannel(enum.StrEnum):
    VISIT = "visit"  # 来访接谈
    CALL = "call"  # 来电接谈


class InvestigationMode(enum.StrEnum):
    OPEN = "open"  # 明察: announced to the body concerned
    UNANNOUNCED = "unannounced"  # 暗访: not announced


class InquiryKind(enum.StrEnum):
    INTERVIEW = "interview"  # 约谈、询问
    SITE_VISIT = "site_visit"  # 实地查看


class BasisUse(enum.StrEnum):
    DECLINE = "decline"  # 不予受理告知
    REPLY = "reply"  # 处理意见书


@attrs.frozen
class Reception:
    """接谈记录: one visit or call, received by ``received_by`` (a principal id) on the case ``case_id``."""

    id: str
    case_id: str
    office_code: str
    channel: ReceptionChannel
    received_at: datetime
    received_by: str
    petitioner_ref: str  # the tracking number of the petition whose petitioner was received
    asked: str  # 诉求
    explained: str  # 解释说明
    citations: tuple[Citation, ...]
    response: str  # 信访人意见
    settled: bool  # 息诉
    recorded_at: datetime
    recorded_by: str  # the actor who recorded it


@attrs.frozen
class Inquiry:
    """One interview (约谈) or site visit (实地查看) of an investigation."""

    id: str
    kind: InquiryKind
    at: datetime
    place: str
    persons: str  # who was heard or present (free text: may hold names)
    summary: str
    recorded_by: str


@attrs.frozen
class Evidence:
    """A piece of evidence: an attachment (by id and SHA-256 digest) and what it shows."""

    id: str
    attachment_id: str
    digest: str  # SHA-256, 64 lower-case hex digits, as the attachment store computed it
    description: str
    inquiry_id: str | None
    recorded_by: str
    recorded_at: datetime


@attrs.frozen
class Investigation:
    """调查核实: plan, inquiries, evidence and findings of one investigation of a case."""

    id: str
    case_id: str
    office_code: str
    mode: InvestigationMode
    investigators: tuple[str, ...]  # principal ids of the staff who go
    places: tuple[str, ...]
    due_on: date
    purpose: str
    planned_by: str
    planned_at: datetime
    inquiries: tuple[Inquiry, ...] = ()
    evidence: tuple[Evidence, ...] = ()
    findings: str | None = None
    concluded_at: datetime | None = None


@attrs.frozen
class LegalBasis:
    """处理依据: the provisions a decline or reply cited, snapshot, and the findings it used."""

    id: str
    case_id: str
    office_code: str
    used_in: BasisUse
    citations: tuple[Citation, ...]
    findings_of: str | None  # an investigation id
    recorded_at: datetime
    recorded_by: str


CaseworkRecord = Reception | Investigation | LegalBasis

KIND_OF: Mapping[type[Any], str] = {Reception: "reception", Investigation: "investigation", LegalBasis: "basis"}
KINDS = tuple(KIND_OF.values())
#: The kind of casework record each casework event tells of: an event reaches whoever may read its
#: record (``redaction.casework_visibility``), so the changes feed gives no body an event of a record
#: it may not read (an accusation's investigation: who goes, when they inquire, what evidence).
EVENT_KINDS: Mapping[str, str] = {
    ev.ReceptionRecorded.name: "reception",
    ev.InvestigationPlanned.name: "investigation",
    ev.InquiryRecorded.name: "investigation",
    ev.EvidenceRecorded.name: "investigation",
    ev.FindingsRecorded.name: "investigation",
    ev.LegalBasisCited.name: "basis",
}


def kind_of(record: CaseworkRecord) -> str:
    return KIND_OF[type(record)]


# --- checks -------------------------------------------------------------------------------------------

DIGEST = re.compile(r"^[0-9a-f]{64}$")
ATTACHMENT_ID = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.:-]{0,127}$")


def check_evidence(attachment_id: str, digest: str) -> None:
    """An attachment reference: an id of letters, digits, ``_.:-`` and a SHA-256 hex digest."""
    errors = []
    if not ATTACHMENT_ID.match(attachment_id):
        errors.append(FieldError("attachment_id", "attachment_id"))
    if not DIGEST.match(digest):
        errors.append(FieldError("digest", "sha256"))
    if errors:
        raise InvalidInput(errors)


def required(values: Mapping[str, str]) -> None:
    """Every named text is non-empty (after the normaliser trimmed it)."""
    blank = [FieldError(name, "blank") for name, value in values.items() if not value]
    if blank:
        raise InvalidInput(blank)


# --- JSON (what is stored, sealed, and digested) ------------------------------------------------------


def _ts(value: datetime) -> str:
    return value.isoformat()


def record_json(record: CaseworkRecord) -> dict[str, Any]:
    """The record as JSON primitives (times ISO with offset, citations whole)."""
    match record:
        case Reception():
            return {
                "id": record.id,
                "case_id": record.case_id,
                "office_code": record.office_code,
                "channel": record.channel.value,
                "received_at": _ts(record.received_at),
                "received_by": record.received_by,
                "petitioner_ref": record.petitioner_ref,
                "asked": record.asked,
                "explained": record.explained,
                "citations": [citation_json(c) for c in record.citations],
                "response": record.response,
                "settled": record.settled,
                "recorded_at": _ts(record.recorded_at),
                "recorded_by": record.recorded_by,
            }
        case Investigation():
            return {
                "id": record.id,
                "case_id": record.case_id,
                "office_code": record.office_code,
                "mode": record.mode.value,
                "investigators": list(record.investigators),
                "places": list(record.places),
                "due_on": record.due_on.isoformat(),
                "purpose": record.purpose,
                "planned_by": record.planned_by,
                "planned_at": _ts(record.planned_at),
                "inquiries": [
                    {
                        "id": q.id,
                        "kind": q.kind.value,
                        "at": _ts(q.at),
                        "place": q.place,
                        "persons": q.persons,
                        "summary": q.summary,
                        "recorded_by": q.recorded_by,
                    }
                    for q in record.inquiries
                ],
                "evidence": [
                    {
                        "id": e.id,
                        "attachment_id": e.attachment_id,
                        "digest": e.digest,
                        "description": e.description,
                        "inquiry_id": e.inquiry_id,
                        "recorded_by": e.recorded_by,
                        "recorded_at": _ts(e.recorded_at),
                    }
                    for e in record.evidence
                ],
                "findings": record.findings,
                "concluded_at": None if record.concluded_at is None else _ts(record.concluded_at),
            }
        case LegalBasis():
            return {
                "id": record.id,
                "case_id": record.case_id,
                "office_code": record.office_code,
                "used_in": record.used_in.value,
                "citations": [citation_json(c) for c in record.citations],
                "findings_of": record.findings_of,
                "recorded_at": _ts(record.recorded_at),
                "recorded_by": record.recorded_by,
            }


def _dt(value: Any) -> datetime:
    return datetime.fromisoformat(str(value))


def record_from_json(kind: str, d: Mapping[str, Any]) -> CaseworkRecord:
    """The record :func:`record_json` wrote (``kind`` as :func:`kind_of` names it)."""
    if kind == "reception":
        return Reception(
            id=d["id"],
            case_id=d["case_id"],
            office_code=d["office_code"],
            channel=ReceptionChannel(d["channel"]),
            received_at=_dt(d["received_at"]),
            received_by=d["received_by"],
            petitioner_ref=d["petitioner_ref"],
            asked=d["asked"],
            explained=d["explained"],
            citations=tuple(citation_from_json(c) for c in d["citations"]),
            response=d["response"],
            settled=bool(d["settled"]),
            recorded_at=_dt(d["recorded_at"]),
            recorded_by=d["recorded_by"],
        )
    if kind == "investigation":
        return Investigation(
            id=d["id"],
            case_id=d["case_id"],
            office_code=d["office_code"],
            mode=InvestigationMode(d["mode"]),
            investigators=tuple(d["investigators"]),
            places=tuple(d["places"]),
            due_on=date.fromisoformat(d["due_on"]),
            purpose=d["purpose"],
            planned_by=d["planned_by"],
            planned_at=_dt(d["planned_at"]),
            inquiries=tuple(
                Inquiry(
                    q["id"],
                    InquiryKind(q["kind"]),
                    _dt(q["at"]),
                    q["place"],
                    q["persons"],
                    q["summary"],
                    q["recorded_by"],
                )
                for q in d["inquiries"]
            ),
            evidence=tuple(
                Evidence(
                    e["id"],
                    e["attachment_id"],
                    e["digest"],
                    e["description"],
                    e["inquiry_id"],
                    e["recorded_by"],
                    _dt(e["recorded_at"]),
                )
                for e in d["evidence"]
            ),
            findings=d["findings"],
            concluded_at=None if d["concluded_at"] is None else _dt(d["concluded_at"]),
        )
    if kind == "basis":
        return LegalBasis(
            id=d["id"],
            case_id=d["case_id"],
            office_code=d["office_code"],
            used_in=BasisUse(d["used_in"]),
            citations=tuple(citation_from_json(c) for c in d["citations"]),
            findings_of=d["findings_of"],
            recorded_at=_dt(d["recorded_at"]),
            recorded_by=d["recorded_by"],
        )
    raise ValueError(f"unknown casework kind {kind!r}")


def record_digest(record: CaseworkRecord) -> str:
    """SHA-256 over the record's canonical JSON (times in UTC): the event that records it carries it, so an
    edit of the stored record behind petitionkit's back no longer matches the audit trail."""
    data = record_json(record)
    canonical = json.dumps([kind_of(record), data], ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def searchable_texts(record: CaseworkRecord) -> list[str]:
    """The free texts of a record a full-text index should hold (the search helper's hook).

    The texts may hold personal data: an index of them must be kept like the records (encrypted or
    blind) and searched only by principals who may read them.
    """
    match record:
        case Reception():
            return [t for t in (record.asked, record.explained, record.response) if t]
        case Investigation():
            texts = [record.purpose, *record.places]
            for q in record.inquiries:
                texts += [q.place, q.persons, q.summary]
            texts += [e.description for e in record.evidence]
            if record.findings:
                texts.append(record.findings)
            return [t for t in texts if t]
        case LegalBasis():
            return []


def happened_at(record: CaseworkRecord) -> datetime:
    """When the record's work happened: reception time, plan time, time the basis was cited."""
    match record:
        case Reception():
            return record.received_at
        case Investigation():
            return record.planned_at
        case LegalBasis():
            return record.recorded_at


def sorted_records(records: Sequence[CaseworkRecord]) -> list[CaseworkRecord]:
    """Records in the order they happened, then by id."""
    return sorted(records, key=lambda r: (happened_at(r), r.id))


def anonymised(record: CaseworkRecord, *, personal: bool, content: bool) -> CaseworkRecord:
    """``record`` with what a purge erases (docs/security.md "Retention"): with ``content``, every free
    text; with ``personal``, who was heard (``persons``).  Ids, times, kinds, citations and evidence
    digests stay, so the counts and the audit trail's references still hold."""
    match record:
        case Reception():
            if not content:
                return record
            return attrs.evolve(record, asked="", explained="", response="")
        case Investigation():
            inquiries = tuple(
                attrs.evolve(
                    q,
                    persons="" if personal or content else q.persons,
                    place="" if content else q.place,
                    summary="" if content else q.summary,
                )
                for q in record.inquiries
            )
            if not content:
                return attrs.evolve(record, inquiries=inquiries)
            return attrs.evolve(
                record,
                inquiries=inquiries,
                purpose="",
                places=tuple("" for _ in record.places),
                evidence=tuple(attrs.evolve(e, description="") for e in record.evidence),
                findings=None if record.findings is None else "",
            )
        case LegalBasis():
            return record


_ID_KEYS = ("reception_id", "investigation_id", "basis_id")


def casework_breaks(records: Sequence[CaseworkRecord], events: Sequence[Event]) -> list[str]:
    """Ids of the records that no longer match the audit trail: the last event naming a record carries
    the digest of the record as that event left it (:func:`record_digest`).  A record with no event, or
    whose digest differs, is listed, and so is a record an event names that is gone (deleted); records
    a later purge erased (``CasePurged``) are not compared."""
    latest: dict[str, tuple[int, str]] = {}
    purged_after = 0
    for event in events:
        if event.name == CasePurged.name:
            purged_after = event.sequence
        digest = event.payload.get("digest")
        for key in _ID_KEYS:
            record_id = event.payload.get(key)
            if isinstance(record_id, str) and isinstance(digest, str) and digest:
                latest[record_id] = (event.sequence, digest)
    broken = []
    for record in records:
        found = latest.get(record.id)
        if found is None:
            broken.append(record.id)
        elif found[0] < purged_after:
            continue
        elif found[1] != record_digest(record):
            broken.append(record.id)
    present = {record.id for record in records}
    broken.extend(sorted(i for i, (seq, _) in latest.items() if i not in present and seq >= purged_after))
    return broken
