"""Purging what has outlived its retention period (按保存期限删除), keeping the statistics and the audit trail.

:func:`plan_purge` (``petitionkit purge --dry-run``) reads every closed case of the office and lists,
per case, the kinds of record (:class:`~petitionkit.domain.retention.RecordKind`) whose period
(``[retention]`` of the rule pack) has run out since the case ended and that are not erased yet.  It
writes nothing.

:func:`purge` (``--apply``) erases them in batches, each batch one transaction, so a run stopped
half-way keeps what it finished and the next run carries on (a case already purged of a kind is never
purged of it again).  For each case, in the batch's transaction:

1. the case is read again and its audit trail verified (:func:`petitionkit.audit.trail.verify_case`):
   a case whose trail is broken is left alone and reported, since erasing would bury the evidence;
2. petitions and the case are anonymised (:func:`~petitionkit.domain.retention.anonymise_petition`,
   :func:`~petitionkit.domain.retention.anonymise_case`): every counted fact stays;
3. personal data: the identity index rows are replaced by pseudonyms, an HMAC of each under a key
   made for the run and never stored, so petitions of one person still count as one person in the
   reports' repeat figures but nothing links them to a person any more;
4. notices: the case's delivered or dead outbox rows are deleted;
5. attachments: the case's stored attachments are deleted and their blobs released, to be deleted from
   the blob store after the batch's commit (one another attachment still names stays);
6. a ``CasePurged`` event is appended to the case's hash chain, naming the kinds, the periods, the
   case's end, the state digest of the rows before (the one the previous event sealed) and each
   deleted attachment's id with its SHA-256 (never its file name); the unit
   of work seals it with the state digest of the rows after, so ``audit verify`` passes and any later
   edit of the tombstones is found.

One access record per run (action ``purge``) says who purged how many cases, under which run id.
Needs the ``purge`` permission (administrator).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

import attrs

from petitionkit.audit.seals import state_digest
from petitionkit.audit.trail import verify_case
from petitionkit.domain import event_types as ev
from petitionkit.domain import lifecycle as lc
from petitionkit.domain.access import Permission
from petitionkit.domain.casework import anonymised
from petitionkit.domain.events import Event
from petitionkit.domain.model import Case, Petition
from petitionkit.domain.retention import (
    RecordKind,
    RetentionPeriod,
    anonymise_case,
    anonymise_petition,
    case_end,
    erase_event_notes,
    erased_count,
    expired_kinds,
    purged_kinds,
    redacted_digest,
)
from petitionkit.search import index_cases, index_casework
from petitionkit.service.attachments import delete_released_blobs
from petitionkit.storage.base import Transaction

if TYPE_CHECKING:
    from petitionkit.service.office import Office

SCAN_BATCH = 500  # cases read per transaction when looking for expired ones
PURGE_BATCH = 100  # cases purged per transaction

#: ``progress(cases_done, cases_total)`` after each purged batch.
Progress = Callable[[int, int], None]


@attrs.frozen
class PurgeItem:
    """One case with kinds of record due for erasure."""

    case_id: str
    tracking_number: str
    ended_at: datetime
    kinds: tuple[RecordKind, ...]
    attachments: int = 0  # stored attachments the attachments kind deletes

    def to_dict(self) -> dict[str, Any]:
        return {
            "case_id": self.case_id,
            "tracking_number": self.tracking_number,
            "ended_at": self.ended_at.isoformat(),
            "kinds": [k.value for k in self.kinds],
            "attachments": self.attachments,
        }


@attrs.frozen
class PurgePlan:
    """What a purge at ``as_of`` would erase (``petitionkit purge --dry-run``)."""

    as_of: datetime
    periods: Mapping[RecordKind, RetentionPeriod]
    items: tuple[PurgeItem, ...]
    scanned: int  # cases read

    @property
    def attachments(self) -> int:
        """Stored attachments (and their files) the purge deletes."""
        return sum(item.attachments for item in self.items)

    @property
    def cases_per_kind(self) -> dict[str, int]:
        counts = Counter(k.value for item in self.items for k in item.kinds)
        return {k.value: counts.get(k.value, 0) for k in RecordKind}

    def to_dict(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of.isoformat(),
            "periods": {
                k.value: {"period": p.describe(), "source": p.source, "set_by": p.set_by}
                for k, p in self.periods.items()
            },
            "scanned": self.scanned,
            "cases": len(self.items),
            "cases_per_kind": self.cases_per_kind,
            "attachments": self.attachments,
            "items": [i.to_dict() for i in self.items],
        }


@attrs.frozen
class PurgeResult:
    """What ``petitionkit purge --apply`` did."""

    run: str
    plan: PurgePlan
    purged: tuple[str, ...]  # case ids
    erased: Mapping[str, int]  # values erased per field, e.g. "petitions.petitioners": 3
    skipped: Mapping[str, str]  # case id -> why it was left alone (a broken audit trail)
    blobs_deleted: int = 0  # files deleted from the blob store after the commits

    def to_dict(self) -> dict[str, Any]:
        return {
            "run": self.run,
            "as_of": self.plan.as_of.isoformat(),
            "cases": len(self.purged),
            "cases_per_kind": self.plan.cases_per_kind,
            "erased": dict(sorted(self.erased.items())),
            "skipped": dict(sorted(self.skipped.items())),
            "blobs_deleted": self.blobs_deleted,
            "purged": list(self.purged),
        }


def _periods(office: Office) -> dict[RecordKind, RetentionPeriod]:
    return dict(office.rules.retention())


def _due(
    case: Case, events: Sequence[Event], periods: Mapping[RecordKind, RetentionPeriod], now: datetime
) -> PurgeItem | None:
    end = case_end(case, events)
    if end is None:
        return None
    kinds = expired_kinds(periods, end, now, purged_kinds(events))
    return PurgeItem(case.id, case.first_tracking_number, end, kinds) if kinds else None


def plan_purge(office: Office) -> PurgePlan:
    """The cases with records past their retention period now, and which kinds (writes nothing).

    Needs ``purge``.
    """
    office.access.require(Permission.PURGE)
    periods = _periods(office)
    now = office.now()
    code = office.config.office_code
    items: list[PurgeItem] = []
    scanned = 0
    after: str | None = None
    while True:
        with office.storage.transaction() as tx:
            batch = tx.cases_for_audit(code, after, SCAN_BATCH)
            if not batch:
                break
            found = []
            for case, _petitions, events in batch:
                item = _due(case, events, periods, now)
                if item is not None and RecordKind.ATTACHMENTS in item.kinds:
                    item = attrs.evolve(item, attachments=tx.count_attachments(case.id))
                found.append(item)
        scanned += len(batch)
        items.extend(item for item in found if item is not None)
        after = batch[-1][0].id
    return PurgePlan(now, periods, tuple(items), scanned)


class _Pseudonyms:
    """Identity pseudonyms of one run: HMAC under a key that lives only as long as the run."""

    def __init__(self) -> None:
        self._key = secrets.token_bytes(32)

    def __call__(self, stored: str) -> str:
        return hmac.new(self._key, f"petitionkit-erased-identity/{stored}".encode(), hashlib.sha256).hexdigest()


def purge(office: Office, *, batch_size: int = PURGE_BATCH, progress: Progress | None = None) -> PurgeResult:
    """Erase what :func:`plan_purge` lists, in batches of ``batch_size`` cases (one transaction each).

    Needs ``purge``.  Idempotent: a second run finds nothing more to erase.
    """
    principal = office.access.require(Permission.PURGE)
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    blobs_deleted = _delete_released_blobs(office)  # what an interrupted run released and left
    plan = plan_purge(office)
    run = uuid.uuid4().hex
    pseudonyms = _Pseudonyms()
    erased: Counter[str] = Counter()
    purged: list[str] = []
    skipped: dict[str, str] = {}
    items = list(plan.items)
    for start in range(0, len(items), batch_size):
        chunk = items[start : start + batch_size]
        now = office.now()
        attachments_before = erased["attachments"]
        with office.storage.transaction() as tx:
            for item in chunk:
                outcome = _purge_case(office, tx, item.case_id, plan.periods, now, run, pseudonyms, erased)
                if outcome is None:
                    continue
                if outcome == "purged":
                    purged.append(item.case_id)
                else:
                    skipped[item.case_id] = outcome
        if erased["attachments"] > attachments_before:
            blobs_deleted += _delete_released_blobs(office)  # only after the batch's commit
        if progress is not None:
            progress(min(start + batch_size, len(items)), len(items))
    if purged or skipped:
        with office.storage.transaction() as tx:
            counts = ", ".join(f"{k}={n}" for k, n in sorted(erased.items()))
            query = f"purge run {run}: {len(purged)} cases; {counts}"
            office.access.record(tx, principal, "purge", count=len(purged), query=query, purpose="retention")
    return PurgeResult(run, plan, tuple(purged), dict(erased), skipped, blobs_deleted)


def _delete_released_blobs(office: Office) -> int:
    """Delete the blobs the office released, opening the blob store only when there are some."""
    code = office.config.office_code
    with office.storage.transaction() as tx:
        if not tx.released_blobs(code, 1):
            return 0
    return delete_released_blobs(office.storage, office.blob_store, code)


def _purge_case(
    office: Office,
    tx: Transaction,
    case_id: str,
    periods: Mapping[RecordKind, RetentionPeriod],
    now: datetime,
    run: str,
    pseudonyms: Callable[[str], str],
    erased: Counter[str],
) -> str | None:
    """Purge one case in ``tx``: ``"purged"``, ``None`` (nothing due any more), or why it was skipped."""
    case = tx.get_case(case_id)
    if case is None:
        return None
    petitions = tx.petitions_of_case(case_id)
    events = tx.events_of_case(case_id)
    item = _due(case, events, periods, now)
    if item is None:  # purged meanwhile (another run), or reopened
        return None
    checked = verify_case(case, petitions, events, office.uow.keyring)
    if checked.broken is not None:
        return f"audit trail broken at {checked.broken.item}: {checked.broken.problem}"
    kinds = item.kinds
    # The trail verified, so the last event's sealed state digest is the rows' (computed once, there).
    before = events[-1].state_digest or state_digest(case, petitions)
    new_petitions = [anonymise_petition(p, kinds) for p in petitions]
    _count_petitions(petitions, new_petitions, erased)
    tx.replace_petitions(new_petitions)
    new_case = anonymise_case(case, kinds)
    index_cases(tx, [(new_case, new_petitions)])  # the search index forgets what the purge erased
    erased["cases"] += erased_count([case], [new_case])
    if RecordKind.PERSONAL_DATA in kinds:
        rows = tx.identity_rows(case_id)
        tx.replace_identities(case_id, case.office_code, [(p, pseudonyms(d)) for p, d in rows])
        erased["petitioner_identities"] += len(rows)
    if RecordKind.NOTICES in kinds:
        erased["outbox"] += tx.drop_finished_outbox(case_id)
    personal, content = RecordKind.PERSONAL_DATA in kinds, RecordKind.CONTENT in kinds
    if personal or content:  # reception talks and investigations (petitionkit.domain.casework)
        for record in tx.casework_of_case(case_id):
            blanked = anonymised(record, personal=personal, content=content)
            if blanked != record:
                tx.put_casework(blanked)
                index_casework(tx, new_case, [blanked])  # the index forgets the erased talk too
                erased["casework"] += 1
    deleted: dict[str, str] = {}
    if RecordKind.ATTACHMENTS in kinds:  # the rows go now, their files after the commit (released)
        gone = tx.remove_attachments(case_id)
        tx.release_blobs(case.office_code, [ref for _, _, ref in gone], now)
        deleted = {attachment_id: digest for attachment_id, digest, _ in gone}
        erased["attachments"] += len(gone)
    redacted: dict[str, str] = {}
    if RecordKind.CONTENT in kinds:
        notes = erase_event_notes(events)
        tx.erase_event_payloads(notes)
        redacted = {str(e.sequence): redacted_digest(e) for e in notes}
        erased["events"] += len(notes)
    event = ev.CasePurged(
        kinds=[k.value for k in kinds],
        ended_at=item.ended_at.isoformat(),
        periods={k.value: periods[k].describe() for k in kinds},
        source="; ".join(sorted({periods[k].source for k in kinds if periods[k].source})),
        state_before=before,
        erased=_erased_of_case(petitions, new_petitions, case, new_case)
        | ({"events": len(redacted)} if redacted else {})
        | ({"attachments": len(deleted)} if deleted else {}),
        run=run,
        redacted=redacted,
        attachments=deleted,
    )
    actor = office.access.principal(Permission.PURGE.value).actor
    context = office.uow.context(actor, now, new_case, new_petitions)
    decision = lc.record(new_case, event, context)
    office.uow.write(tx, decision, case.version, now)
    return "purged"


def _count_petitions(before: Sequence[Petition], after: Sequence[Petition], erased: Counter[str]) -> None:
    for field in ("petitioners", "subject", "content", "attachments", "respondent", "query_code_digest"):
        erased[f"petitions.{field}"] += sum(
            1 for a, b in zip(before, after, strict=True) if getattr(a, field) != getattr(b, field)
        )


def _erased_of_case(before: Iterable[Petition], after: Iterable[Petition], case: Case, new: Case) -> dict[str, int]:
    counts: Counter[str] = Counter()
    _count_petitions(list(before), list(after), counts)
    counts["cases"] += erased_count([case], [new])
    return {k: n for k, n in sorted(counts.items()) if n}
