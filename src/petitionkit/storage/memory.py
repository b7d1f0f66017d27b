"""The in-memory backend: for tests, demos and embedding without a database.

Transactions are serialised by one lock and rolled back through an undo log, so a use case
that fails half-way leaves nothing behind, exactly as on a database.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from functools import partial
from typing import TypeVar

import attrs

from petitionkit.domain.access import AccessQuery, AccessRecord
from petitionkit.domain.attachments import Attachment
from petitionkit.domain.casework import CaseworkRecord, Reception, sorted_records
from petitionkit.domain.documents import IssuedDocument
from petitionkit.domain.events import Event
from petitionkit.domain.model import Case, Obligation, Party, Petition, Respondent
from petitionkit.errors import ConcurrencyConflict
from petitionkit.storage.base import (
    ApiKey,
    CaseQuery,
    DueQuery,
    OutboxMessage,
    OutboxStatus,
    SearchDocument,
    StoredResponse,
    receipt_payload,
)
from petitionkit.storage.memory_attachments import MemoryAttachments
from petitionkit.storage.memory_web import MemoryWebState
from petitionkit.storage.web import SignInFailure, WebAccount, WebSession

K = TypeVar("K")
V = TypeVar("V")


class MemoryStorage:
    def __init__(self, url: str = "memory://") -> None:
        self._url = url
        self._lock = threading.RLock()
        self.cases: dict[str, Case] = {}
        self.petitions: dict[str, Petition] = {}
        self.events: dict[str, list[Event]] = defaultdict(list)
        self.sequences: dict[tuple[str, int], int] = {}
        self.document_sequences: dict[tuple[str, str, int], int] = {}
        self.issued: dict[tuple[str, str, str, str], IssuedDocument] = {}  # (office, kind, case, act)
        self.identities: dict[str, set[str]] = defaultdict(set)  # digest -> case ids
        self.outbox: dict[str, OutboxMessage] = {}
        self.access: list[AccessRecord] = []  # append-only
        self.feed: list[Event] = []  # every event in append order: position = index + 1
        self.api_keys: dict[str, ApiKey] = {}
        self.idempotency: dict[tuple[str, str, str], StoredResponse] = {}
        self.casework: dict[str, CaseworkRecord] = {}
        self.web_accounts: dict[str, WebAccount] = {}
        self.web_sessions: dict[str, WebSession] = {}  # by digest
        self.sign_in_failures: list[SignInFailure] = []  # append-only
        self.attachments: dict[str, Attachment] = {}
        self.search_index: dict[tuple[str, str, str], tuple[int, SearchDocument]] = {}
        self.search_position = 0
        self.released_blobs: dict[tuple[str, str], datetime] = {}  # (office, blob ref) -> released at

    @property
    def url(self) -> str:
        return self._url

    @contextmanager
    def transaction(self) -> Iterator[MemoryTransaction]:
        with self._lock:
            tx = MemoryTransaction(self)
            try:
                yield tx
            except BaseException:
                tx.rollback()
                raise

    def close(self) -> None:
        pass


class MemoryTransaction(MemoryWebState, MemoryAttachments):
    def __init__(self, store: MemoryStorage) -> None:
        self.s = store
        self._undo: list[Callable[[], None]] = []

    def rollback(self) -> None:
        for undo in reversed(self._undo):
            undo()
        self._undo.clear()

    def _set(self, mapping: dict[K, V], key: K, value: V) -> None:
        had, old = key in mapping, mapping.get(key)

        def undo() -> None:
            if had:
                mapping[key] = old  # type: ignore[assignment]
            else:
                mapping.pop(key, None)

        mapping[key] = value
        self._undo.append(undo)

    # --- writes
    def next_tracking_sequence(self, office_code: str, year: int, count: int = 1) -> int:
        first = self.s.sequences.get((office_code, year), 0) + 1
        self._set(self.s.sequences, (office_code, year), first + count - 1)
        return first

    def next_document_sequence(self, office_code: str, kind: str, year: int) -> int:
        value = self.s.document_sequences.get((office_code, kind, year), 0) + 1
        self._set(self.s.document_sequences, (office_code, kind, year), value)
        return value

    def issued_document(self, office_code: str, kind: str, case_id: str, act: str) -> IssuedDocument | None:
        return self.s.issued.get((office_code, kind, case_id, act))

    def add_issued_document(self, document: IssuedDocument) -> None:
        key = (document.office_code, document.kind, document.case_id, document.act)
        if key in self.s.issued:
            raise ValueError(f"document {document.kind} for act {document.act} was already issued")
        self._set(self.s.issued, key, document)

    def issued_documents(
        self, office_code: str, *, year: int | None = None, kind: str | None = None, case_id: str | None = None
    ) -> list[IssuedDocument]:
        found = [
            d
            for d in self.s.issued.values()
            if d.office_code == office_code
            and (year is None or d.year == year)
            and (kind is None or d.kind == kind)
            and (case_id is None or d.case_id == case_id)
        ]
        return sorted(found, key=lambda d: (d.year, d.kind, d.sequence))

    def add_petitions(self, petitions: Sequence[tuple[Petition, Sequence[str]]]) -> None:
        for petition, identity_digests in petitions:
            if petition.source_ref is not None and self.existing_source_refs(
                petition.office_code, [petition.source_ref]
            ):
                raise ValueError(f"source_ref {petition.source_ref!r} was already imported")
            if petition.case_id not in self.s.cases:
                raise ValueError(f"petition {petition.id} refers to unknown case {petition.case_id}")
            self._set(self.s.petitions, petition.id, petition)
            for digest in identity_digests:
                cases = self.s.identities[digest]
                if petition.case_id not in cases:
                    cases.add(petition.case_id)
                    self._undo.append(partial(cases.discard, petition.case_id))

    def existing_source_refs(self, office_code: str, refs: Sequence[str]) -> set[str]:
        wanted = set(refs)
        return {
            p.source_ref
            for p in self.s.petitions.values()
            if p.office_code == office_code and p.source_ref is not None and p.source_ref in wanted
        }

    def set_query_digest(self, petition_id: str, digest: str) -> None:
        petition = self.s.petitions[petition_id]
        self._set(self.s.petitions, petition_id, attrs.evolve(petition, query_code_digest=digest))

    def set_petition_respondent(self, petition_id: str, respondent: Respondent) -> None:
        petition = self.s.petitions[petition_id]
        self._set(self.s.petitions, petition_id, attrs.evolve(petition, respondent=respondent))

    def insert_cases(self, cases: Sequence[Case]) -> None:
        for case in cases:
            if case.id in self.s.cases:
                raise ConcurrencyConflict(case.id, 0, self.s.cases[case.id].version)
            self._set(self.s.cases, case.id, case)

    def update_case(self, case: Case, expected_version: int) -> None:
        stored = self.s.cases.get(case.id)
        if stored is None or stored.version != expected_version:
            raise ConcurrencyConflict(case.id, expected_version, stored.version if stored else None)
        self._set(self.s.cases, case.id, case)

    def append_events(self, events: Sequence[Event]) -> None:
        for event in events:
            trail = self.s.events[event.case_id]
            trail.append(event)
            self._undo.append(partial(trail.remove, event))
            self.s.feed.append(event)
            self._undo.append(partial(self.s.feed.remove, event))

    def enqueue(self, messages: Sequence[OutboxMessage]) -> None:
        for message in messages:
            self._set(self.s.outbox, message.id, message)

    # --- retention
    def replace_petitions(self, petitions: Sequence[Petition]) -> None:
        for petition in petitions:
            if petition.id not in self.s.petitions:
                raise KeyError(petition.id)
            self._set(self.s.petitions, petition.id, petition)

    def identity_rows(self, case_id: str) -> list[tuple[str, str]]:
        """The in-memory index keeps digests per case, not per petition: the petition id is ``""``."""
        # only the person keys reports count by; secondary "<kind>:<digest>" keys go with the rest
        return sorted(("", d) for d, ids in self.s.identities.items() if case_id in ids and ":" not in d)

    def replace_identities(self, case_id: str, office_code: str, found: Sequence[tuple[str, str]]) -> None:
        for ids in list(self.s.identities.values()):
            if case_id in ids:
                ids.discard(case_id)
                self._undo.append(partial(ids.add, case_id))
        for _petition, digest in found:
            ids = self.s.identities[digest]
            if case_id not in ids:
                ids.add(case_id)
                self._undo.append(partial(ids.discard, case_id))

    def erase_event_payloads(self, events: Sequence[Event]) -> None:
        for event in events:
            trail = self.s.events[event.case_id]
            index = next(i for i, e in enumerate(trail) if e.sequence == event.sequence)
            old = trail[index]
            trail[index] = attrs.evolve(old, payload=dict(event.payload))
            self._undo.append(partial(trail.__setitem__, index, old))

    def drop_finished_outbox(self, case_id: str) -> int:
        gone = [m.id for m in self.s.outbox.values() if m.case_id == case_id and m.status is not OutboxStatus.PENDING]
        for message_id in gone:
            message = self.s.outbox.pop(message_id)
            self._undo.append(partial(self.s.outbox.__setitem__, message_id, message))
        return len(gone)

    # --- reads
    def put_casework(self, record: CaseworkRecord) -> None:
        self._set(self.s.casework, record.id, record)

    def casework_of_case(self, case_id: str) -> list[CaseworkRecord]:
        return sorted_records([r for r in self.s.casework.values() if r.case_id == case_id])

    def reception_counts(self, office_code: str, since: datetime, before: datetime) -> tuple[int, int]:
        found = [
            r
            for r in self.s.casework.values()
            if isinstance(r, Reception) and r.office_code == office_code and since <= r.received_at < before
        ]
        return len(found), sum(1 for r in found if r.settled)

    def get_case(self, case_id: str) -> Case | None:
        return self.s.cases.get(case_id)

    def petition_by_tracking_number(self, office_code: str, tracking_number: str) -> Petition | None:
        for petition in self.s.petitions.values():
            if petition.office_code == office_code and petition.tracking_number == tracking_number:
                return petition
        return None

    def petition_by_query_digest(self, digest: str) -> Petition | None:
        return next((p for p in self.s.petitions.values() if p.query_code_digest == digest), None)

    def petitions_of_case(self, case_id: str) -> list[Petition]:
        found = [p for p in self.s.petitions.values() if p.case_id == case_id]
        return sorted(found, key=lambda p: (p.registered_at, p.tracking_number))

    def events_of_case(self, case_id: str) -> list[Event]:
        return list(self.s.events.get(case_id, ()))

    def search_cases(self, query: CaseQuery) -> list[Case]:
        found = self._matching(query)
        if query.after is not None:
            found = [c for c in found if (c.opened_at, c.first_tracking_number, c.id) > query.after]
        return found[query.offset : query.offset + query.limit]

    def count_cases(self, query: CaseQuery) -> int:
        return len(self._matching(query))

    def _matching(self, query: CaseQuery) -> list[Case]:
        def keep(case: Case) -> bool:
            return all(
                (
                    query.office_code is None or case.office_code == query.office_code,
                    not query.states or case.state in query.states,
                    query.kind is None or case.kind is query.kind,
                    query.category is None or case.category == query.category,
                    query.region_prefix is None or case.region_code.startswith(query.region_prefix),
                    query.opened_from is None or case.opened_at >= query.opened_from,
                    query.opened_before is None or case.opened_at < query.opened_before,
                    query.respondent_body is None
                    or (case.respondent is not None and case.respondent.body_code == query.respondent_body),
                    query.text is None or query.text in case.subject,
                )
            )

        return sorted(
            (c for c in self.s.cases.values() if keep(c)), key=lambda c: (c.opened_at, c.first_tracking_number, c.id)
        )

    def open_obligations_due(self, office_code: str, until: date) -> list[Obligation]:
        found = [
            ob
            for case in self.s.cases.values()
            if case.office_code == office_code
            for ob in case.obligations
            if ob.is_open and ob.due <= until
        ]
        return sorted(found, key=lambda o: (o.due, o.case_id, o.clock.value))

    def _duties(self, office_code: str, until: date) -> list[Obligation]:
        found = [o for o in self.open_obligations_due(office_code, until) if o.owed_by is not Party.PETITIONER]
        return sorted(found, key=lambda o: (o.due, o.case_id, o.clock.value, o.id))

    def duties_due(self, query: DueQuery) -> list[Obligation]:
        found = self._duties(query.office_code, query.until)
        if query.after is not None:
            after = query.after
            found = [o for o in found if (o.due, o.case_id, o.clock.value, o.id) > after]
        return found[: query.limit]

    def count_duties_due(self, office_code: str, until: date) -> int:
        return len(self._duties(office_code, until))

    def first_tracking_numbers(self, case_ids: Sequence[str]) -> dict[str, str]:
        return {i: self.s.cases[i].first_tracking_number for i in dict.fromkeys(case_ids) if i in self.s.cases}

    def case_ids_by_identity(self, office_code: str, digests: Sequence[str]) -> list[str]:
        ids = {cid for d in digests for cid in self.s.identities.get(d, ())}
        return sorted(i for i in ids if self.s.cases[i].office_code == office_code)

    def identity_matches(self, office_code: str, digests: Sequence[str]) -> list[tuple[str, str]]:
        return sorted(
            (d, cid)
            for d in dict.fromkeys(digests)
            for cid in self.s.identities.get(d, ())
            if self.s.cases[cid].office_code == office_code
        )

    # --- outbox
    def cases_for_audit(
        self, office_code: str, after: str | None, limit: int
    ) -> list[tuple[Case, list[Petition], list[Event]]]:
        ids = sorted(
            i for i, c in self.s.cases.items() if c.office_code == office_code and (after is None or i > after)
        )
        return [(self.s.cases[i], self.petitions_of_case(i), self.events_of_case(i)) for i in ids[:limit]]

    def case_refs_for_audit(self, office_code: str, after: str | None, limit: int) -> list[tuple[str, str]]:
        ids = sorted(
            i for i, c in self.s.cases.items() if c.office_code == office_code and (after is None or i > after)
        )
        return [(i, self.s.cases[i].first_tracking_number) for i in ids[:limit]]

    def claim_outbox(self, worker: str, limit: int, now: datetime, lease_until: datetime) -> list[OutboxMessage]:
        ready = sorted(
            (
                m
                for m in self.s.outbox.values()
                if m.status is OutboxStatus.PENDING
                and m.available_at <= now
                and (m.lease_until is None or m.lease_until <= now)
            ),
            key=lambda m: m.available_at,  # stable: enqueue order among equals
        )[:limit]
        claimed = [attrs.evolve(m, claimed_by=worker, lease_until=lease_until) for m in ready]
        for message in claimed:
            self._set(self.s.outbox, message.id, message)
        return claimed

    def renew_outbox_lease(self, message_id: str, worker: str, lease_until: datetime) -> bool:
        message = self.s.outbox.get(message_id)
        if message is None or message.status is not OutboxStatus.PENDING or message.claimed_by != worker:
            return False
        self._set(self.s.outbox, message_id, attrs.evolve(message, lease_until=lease_until))
        return True

    def finish_outbox(
        self,
        message_id: str,
        worker: str,
        *,
        status: OutboxStatus,
        attempts: int,
        error: str | None = None,
        retry_at: datetime | None = None,
        digest: str | None = None,
        at: datetime | None = None,
    ) -> None:
        message = self.s.outbox[message_id]
        if message.claimed_by != worker:
            return  # the lease expired and another worker owns it now
        finished = status is not OutboxStatus.PENDING
        self._set(
            self.s.outbox,
            message_id,
            attrs.evolve(
                message,
                status=status,
                attempts=attempts,
                last_error=error,
                claimed_by=None,
                lease_until=None,
                available_at=retry_at or message.available_at,
                # A receipt from now on: what kind of message went where, when, and its digest.
                payload=receipt_payload(message.payload) if finished else message.payload,
                finished_at=at if finished else None,
                digest=self.receipt_digest(digest) if finished and digest else None,
            ),
        )

    def outbox_message(self, message_id: str) -> OutboxMessage | None:
        return self.s.outbox.get(message_id)

    def outbox_of_case(self, case_id: str) -> list[OutboxMessage]:
        return [m for m in self.s.outbox.values() if m.case_id == case_id]

    def receipt_digest(self, digest: str) -> str:
        return digest  # nothing at rest to protect

    # --- access records

    def append_access(self, records: Sequence[AccessRecord]) -> None:
        log = self.s.access
        for record in records:
            log.append(record)
            self._undo.append(partial(log.remove, record))

    def access_records(self, query: AccessQuery) -> list[AccessRecord]:
        found = [
            r
            for r in self.s.access
            if r.office_code == query.office_code
            and (query.case_id is None or r.case_id == query.case_id)
            and (query.principal_id is None or r.principal_id == query.principal_id)
            and (query.since is None or r.at >= query.since)
        ]
        if query.newest_first:
            found.reverse()
        return found[query.offset : query.offset + query.limit]

    # --- the changes feed, API keys and idempotency keys

    def events_after(self, office_code: str, after: int, limit: int) -> list[tuple[int, Event]]:
        found: list[tuple[int, Event]] = []
        for position, event in enumerate(self.s.feed[max(after, 0) :], start=max(after, 0) + 1):
            case = self.s.cases.get(event.case_id)
            if case is not None and case.office_code == office_code:
                found.append((position, event))
                if len(found) >= limit:
                    break
        return found

    def pending_outbox_count(self) -> int:
        return sum(1 for m in self.s.outbox.values() if m.status is OutboxStatus.PENDING)

    def add_api_key(self, key: ApiKey) -> None:
        if key.id in self.s.api_keys:
            raise ValueError(f"API key {key.id} exists")
        self._set(self.s.api_keys, key.id, key)

    def api_key(self, key_id: str) -> ApiKey | None:
        return self.s.api_keys.get(key_id)

    def api_keys(self, office_code: str) -> list[ApiKey]:
        found = [k for k in self.s.api_keys.values() if k.office_code == office_code]
        return sorted(found, key=lambda k: (k.created_at, k.id))

    def revoke_api_key(self, key_id: str, at: datetime) -> bool:
        key = self.s.api_keys.get(key_id)
        if key is None or key.revoked_at is not None:
            return False
        self._set(self.s.api_keys, key_id, attrs.evolve(key, revoked_at=at))
        return True

    def claim_idempotency_key(self, response: StoredResponse) -> StoredResponse | None:
        slot = (response.office_code, response.principal_id, response.key)
        held = self.s.idempotency.get(slot)
        if held is not None:
            return held
        self._set(self.s.idempotency, slot, response)
        return None

    def finish_idempotency_key(self, response: StoredResponse) -> None:
        slot = (response.office_code, response.principal_id, response.key)
        if response.status == 0:
            held = self.s.idempotency.pop(slot, None)
            if held is not None:
                self._undo.append(partial(self.s.idempotency.__setitem__, slot, held))
        else:
            self._set(self.s.idempotency, slot, response)
