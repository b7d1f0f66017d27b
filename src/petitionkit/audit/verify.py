"""Office-wide verification (全面核验): every verifier over every record, and checkpoints.

``petitionkit audit verify`` runs each *verifier* registered through
``petitionkit_register_audit_verifiers``: the built-in ``cases`` verifier checks every case of the
office (:func:`petitionkit.audit.trail.verify_case`); other append-only record kinds (access
records ...) register their own.  A verifier is a callable taking the :class:`AuditRun` and
returning a :class:`~petitionkit.audit.findings.VerifierReport`; it reads in batches and calls
``run.progress`` as it goes, so large offices see it advance.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

from petitionkit import hookspecs
from petitionkit.audit.checkpoints import Checkpoint, CheckpointError, checkpoint_sink, load_checkpoint, make_checkpoint
from petitionkit.audit.findings import AuditBreak, VerifierReport
from petitionkit.audit.keys import KeyRing, load_keyring, require_keyring
from petitionkit.audit.seals import access_seal_of
from petitionkit.audit.trail import CaseHead, verify_case
from petitionkit.domain.access import AccessQuery, AccessRecord
from petitionkit.domain.casework import casework_breaks
from petitionkit.domain.events import Event
from petitionkit.domain.model import Case, Petition
from petitionkit.errors import EncryptionKeyError

if TYPE_CHECKING:
    import pluggy

    from petitionkit.service.office import Office

BATCH = 500  # cases per read: under SQLite's bound-parameter limit for the IN lists
MAX_LISTED_BREAKS = 1000  # breaks kept in a report; every one is counted

#: ``progress(verifier, records_done)``; called after each batch.
Progress = Callable[[str, int], None]


def _no_progress(_name: str, _done: int) -> None:
    pass


@attrs.define
class AuditRun:
    """One verification run: the office, its key ring, the checkpoint to compare with, the heads seen."""

    office: Office
    ring: KeyRing
    against: Checkpoint | None = None
    progress: Progress = _no_progress
    heads: list[CaseHead] = attrs.field(factory=list)
    access: tuple[int, str] = (0, "")  # the access records seen: count and running digest


#: What ``petitionkit_register_audit_verifiers`` registers.
AuditVerifier = Callable[[AuditRun], VerifierReport]


@attrs.frozen
class AuditReport:
    """The outcome of ``petitionkit audit verify``: one report per verifier."""

    reports: tuple[VerifierReport, ...]
    against: str | None = None

    @property
    def intact(self) -> bool:
        return all(not r.breaks for r in self.reports)

    def report(self, name: str) -> VerifierReport:
        """The report of the verifier ``name`` (``"cases"``, ``"access_records"`` …)."""
        return next(r for r in self.reports if r.name == name)

    @property
    def first_break(self) -> AuditBreak | None:
        return next((b for r in self.reports for b in r.breaks), None)

    def to_dict(self) -> dict[str, Any]:
        return {"intact": self.intact, "against": self.against, "verifiers": [r.to_dict() for r in self.reports]}


def audit_verifiers(pm: pluggy.PluginManager) -> dict[str, AuditVerifier]:
    """``{name: verifier}`` registered through ``petitionkit_register_audit_verifiers``."""
    return hookspecs.collect(pm.hook.petitionkit_register_audit_verifiers)


def verify_cases(run: AuditRun) -> VerifierReport:
    """The built-in verifier: every case of the office, in id order, against the checkpoint if given."""
    office = run.office
    code = office.config.office_code
    recorded = {h.case_id: h for h in run.against.heads} if run.against else {}
    breaks: list[AuditBreak] = []
    broken = cases = events = unkeyed_cases = unkeyed_events = 0
    after: str | None = None
    while True:
        try:
            with office.storage.transaction() as tx:
                batch = tx.cases_for_audit(code, after, BATCH)
            unreadable: list[AuditBreak] = []
        except EncryptionKeyError:  # an altered ciphertext: read this batch case by case, name the ones that fail
            batch, unreadable = _one_by_one(office, code, after)
            cases += len(unreadable)
            broken += len(unreadable)
            breaks.extend(unreadable[: max(0, MAX_LISTED_BREAKS - len(breaks))])
        if not batch and not unreadable:
            break
        for case, petitions, trail in batch:
            result = verify_case(case, petitions, trail, run.ring, recorded.pop(case.id, None))
            cases += 1
            events += len(trail)
            if result.unkeyed:
                unkeyed_cases += 1
                unkeyed_events += result.unkeyed
            if result.head is not None:
                run.heads.append(result.head)
            if result.broken is not None:
                broken += 1
                if len(breaks) < MAX_LISTED_BREAKS:
                    breaks.append(result.broken)
        after = max([*(c.id for c, _, _ in batch), *(b.subject for b in unreadable)])
        run.progress("cases", cases)
    for head in sorted(recorded.values(), key=lambda h: h.case_id):  # in the checkpoint, gone now
        if len(breaks) < MAX_LISTED_BREAKS:
            breaks.append(AuditBreak("case", head.case_id, "case row", "missing", params={"checkpoint": head.sequence}))
    return VerifierReport("cases", cases, events, tuple(breaks), unkeyed_cases, unkeyed_events)


def verify_casework(run: AuditRun) -> VerifierReport:
    """The built-in ``casework`` verifier: every case's receptions, investigations and legal bases
    against the digest their last event carries (edited, swapped, deleted or unreadable records)."""
    office = run.office
    code = office.config.office_code
    breaks: list[AuditBreak] = []
    records = cases = 0
    after: str | None = None
    while refs := _case_refs(office, code, after):
        for case_id, tracking_number in refs:
            try:
                with office.storage.transaction() as tx:
                    found = tx.casework_of_case(case_id)
                    failed = casework_breaks(found, tx.events_of_case(case_id))
                records += len(found)
                problem = "casework_altered"
            except EncryptionKeyError:  # a sealed record altered or moved to another row
                failed, problem = ["?"], "undecryptable"
            cases += 1
            if failed and len(breaks) < MAX_LISTED_BREAKS:
                breaks.append(AuditBreak("casework", case_id, failed[0], problem, tracking_number))
        after = refs[-1][0]
        run.progress("casework", cases)
    return VerifierReport("casework", records, cases, tuple(breaks))


def _case_refs(office: Office, code: str, after: str | None) -> list[tuple[str, str]]:
    with office.storage.transaction() as tx:
        return tx.case_refs_for_audit(code, after, BATCH)


def _one_by_one(
    office: Office, code: str, after: str | None
) -> tuple[list[tuple[Case, list[Petition], list[Event]]], list[AuditBreak]]:
    """The batch after ``after`` read one case at a time: the cases that decrypt, and a finding for each
    that does not (``undecryptable``: which table, row and column, and why; never the stored value)."""
    with office.storage.transaction() as tx:
        refs = tx.case_refs_for_audit(code, after, BATCH)
    readable: list[tuple[Case, list[Petition], list[Event]]] = []
    unreadable: list[AuditBreak] = []
    previous = after
    for case_id, tracking_number in refs:
        try:
            with office.storage.transaction() as tx:
                readable.extend(tx.cases_for_audit(code, previous, 1))
        except EncryptionKeyError as exc:
            d = exc.detail
            where = f"{d.get('table', '?')}.{d.get('column', '?')} {d.get('row', '?')}"
            params = {"table": d.get("table", "?"), "column": d.get("column", "?"), "row": d.get("row", "?")}
            problem = f"undecryptable_{exc.problem}" if exc.problem in ("plaintext", "unknown_key") else "undecryptable"
            unreadable.append(AuditBreak("case", case_id, where, problem, tracking_number, params))
        previous = case_id
    return readable, unreadable


def verify_access_records(run: AuditRun) -> VerifierReport:
    """The built-in verifier of access records (who read personal data): each seal, in append order.

    A record edited, or forged without the key, no longer matches its seal; a record without a seal
    after a sealed one is a break (written behind petitionkit's back), before the first sealed one it
    is counted as unkeyed (written before the office had its key).
    """
    office = run.office
    breaks: list[AuditBreak] = []
    records = unkeyed = 0
    sealed_seen = False
    tally = AccessTally()
    recorded = (run.against.access_count, run.against.access_root) if run.against else (0, "")
    while True:
        with office.storage.transaction() as tx:
            page = tx.access_records(AccessQuery(office.config.office_code, limit=BATCH, offset=records))
        for record in page:
            records += 1
            tally.add(record)
            if recorded[1] and records == recorded[0] and tally.digest != recorded[1]:
                breaks.append(AuditBreak("access", "access_log", f"record {records}", "access_rewritten"))
            problem = _access_problem(record, run.ring, sealed_seen)
            if record.seal is None and problem is None:
                unkeyed += 1
            sealed_seen = sealed_seen or record.seal is not None
            if problem is not None and len(breaks) < MAX_LISTED_BREAKS:
                item = f"record {records}"
                breaks.append(AuditBreak("access", record.id, item, problem, label=record.principal_id))
        run.progress("access_records", records)
        if len(page) < BATCH:
            break
    if recorded[1] and records < recorded[0]:  # the checkpoint saw more: records were deleted
        params = {"checkpoint": recorded[0], "now": records}
        breaks.append(AuditBreak("access", "access_log", "count", "access_truncated", params=params))
    run.access = (records, tally.digest)
    return VerifierReport("access_records", records, records, tuple(breaks), unkeyed, unkeyed)


class AccessTally:
    """A running SHA-256 over access records' ids and seals, in append order (what a checkpoint signs)."""

    def __init__(self) -> None:
        self._hash = hashlib.sha256(b"petitionkit-access-tally/1")
        self.digest = ""

    def add(self, record: AccessRecord) -> None:
        self._hash.update(f"{record.id}\n{record.seal or ''}\n".encode())
        self.digest = self._hash.hexdigest()


def _access_problem(record: AccessRecord, ring: KeyRing, sealed_seen: bool) -> str | None:
    if record.seal is None or record.key_id is None:
        return "access_unsealed" if sealed_seen else None
    secret = ring.secret(record.key_id)
    if secret is None:
        return "access_unknown_key"
    return None if hmac.compare_digest(record.seal, access_seal_of(secret, record.key_id, record)) else "access_altered"


def office_keyring(office: Office) -> KeyRing:
    """The office's audit key ring; a :class:`ConfigurationError` when none is set (fail closed)."""
    return require_keyring(load_keyring(office.config, office.pm))


def run_audit(office: Office, *, against: Path | None = None, progress: Progress | None = None) -> AuditRun:
    """Prepare a run: the key ring (required) and the checkpoint ``against`` (read and checked)."""
    ring = office_keyring(office)
    checkpoint = load_checkpoint(against, ring) if against is not None else None
    if checkpoint is not None and checkpoint.office_code != office.config.office_code:
        raise CheckpointError(str(against), f"belongs to office '{checkpoint.office_code}'")
    return AuditRun(office, ring, checkpoint, progress or _no_progress)


def verify_office(office: Office, *, against: Path | None = None, progress: Progress | None = None) -> AuditReport:
    """Run every registered verifier; see :class:`AuditReport`."""
    run = run_audit(office, against=against, progress=progress)
    return _verify(run, str(against) if against is not None else None)


def _verify(run: AuditRun, against: str | None) -> AuditReport:
    reports = [verifier(run) for _name, verifier in sorted(audit_verifiers(run.office.pm).items())]
    return AuditReport(tuple(reports), against)


def write_checkpoint(office: Office, *, progress: Progress | None = None) -> tuple[AuditReport, str | None]:
    """Verify the office, then write a signed checkpoint of its case heads through the configured sink.

    Returns the report and where the checkpoint went; nothing is written when the trail is broken
    (a checkpoint must never vouch for a tampered trail).
    """
    sink = checkpoint_sink(office.config, office.pm)  # a bad sink setting fails before the long scan
    run = run_audit(office, progress=progress)
    report = _verify(run, None)
    if not report.intact:
        return report, None
    checkpoint = make_checkpoint(office.config.office_code, run.heads, run.ring, office.now(), access=run.access)
    return report, sink.write(checkpoint)
