"""The storage protocol.

A backend gives transactions; a use case runs entirely inside one (all or nothing).  The case
aggregate is saved whole, with its obligations and referrals; optimistic locking on
``Case.version`` turns a lost update into ``ConcurrencyConflict``.  Backends are checked by the
contract suite in ``petitionkit.testing``.

Size: over 500 lines: the whole protocol a backend implements, each method with the docstring that is
its contract, in one place, so a backend's author reads it top to bottom beside the contract suite.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from contextlib import AbstractContextManager
from datetime import date, datetime
from typing import Any, Protocol

import attrs

from petitionkit.domain.access import AccessQuery, AccessRecord
from petitionkit.domain.attachments import Attachment
from petitionkit.domain.casework import CaseworkRecord
from petitionkit.domain.documents import IssuedDocument
from petitionkit.domain.events import Event
from petitionkit.domain.model import Case, CaseState, Obligation, Petition, PetitionKind, Respondent
from petitionkit.storage.web import WebAccountOperations


class OutboxStatus(enum.StrEnum):
    PENDING = "pending"
    SENT = "sent"
    DEAD = "dead"


RECEIPT_KEYS = ("type", "audience", "channel", "obligation_id", "body_code")
"""What a delivered or dead outbox row keeps of its payload: no address, no template values, no text."""


def receipt_payload(payload: Mapping[str, Any]) -> dict[str, Any]:
    """``payload`` reduced to a receipt's entries (:data:`RECEIPT_KEYS`): what kind of message went where."""
    return {key: payload[key] for key in RECEIPT_KEYS if payload.get(key) is not None}


@attrs.frozen
class OutboxMessage:
    """A message to deliver after commit, written in the same transaction as its cause.

    While pending it carries what delivery needs (``payload``: the address and the template's values).
    Once sent or dead it is a *receipt*: the payload is reduced to :data:`RECEIPT_KEYS`, ``finished_at``
    says when, and ``digest`` is the stored form of the SHA-256 of the message as handed to the notifier
    (keyed under the office's index key on the SQL backend), so the office can later recognise a letter
    it is shown without keeping the letter.
    """

    id: str
    topic: str  # e.g. the event name "CaseAccepted"
    case_id: str | None
    payload: Mapping[str, Any]
    idempotency_key: str
    created_at: datetime
    available_at: datetime
    status: OutboxStatus = OutboxStatus.PENDING
    attempts: int = 0
    last_error: str | None = None
    claimed_by: str | None = None
    lease_until: datetime | None = None
    finished_at: datetime | None = None  # when it was sent or given up (a receipt)
    digest: str | None = None  # a receipt's digest of the message sent (see ``Transaction.receipt_digest``)


@attrs.frozen
class ApiKey:
    """An API key of a system integration (``petitionkit api-key create``), acting as one principal.

    Only ``digest`` (SHA-256 of the secret) is stored; the secret is shown once, when made.
    """

    id: str  # the public part of the key: ``pk_<id>.<secret>``
    office_code: str
    principal_id: str
    name: str
    digest: str
    created_at: datetime
    expires_at: datetime
    created_by: str
    revoked_at: datetime | None = None

    def usable_at(self, now: datetime) -> bool:
        return self.revoked_at is None and now < self.expires_at


@attrs.frozen
class StoredResponse:
    """The response an ``Idempotency-Key`` POST got, kept so a retry gets it again instead of a second change.

    ``status`` 0 marks a request still running (``started_at`` says since when).
    """

    office_code: str
    principal_id: str
    key: str
    request_digest: str  # SHA-256 of method, path and body: the same key with another request is refused
    status: int
    body: str
    body_digest: str
    started_at: datetime
    location: str | None = None


@attrs.frozen
class CaseQuery:
    """Filters for listing cases; every field narrows the result."""

    office_code: str | None = None
    states: frozenset[CaseState] = frozenset()
    kind: PetitionKind | None = None
    category: str | None = None
    region_prefix: str | None = None  # "3301" matches every county of Hangzhou
    opened_from: datetime | None = None
    opened_before: datetime | None = None
    respondent_body: str | None = None
    text: str | None = None  # substring of the subject
    limit: int = 100
    offset: int = 0
    # keyset paging: the sort key ``(opened_at, first_tracking_number, id)`` of the last case already seen;
    # only cases after it are listed (an index range, where ``offset`` would read and skip every row before)
    after: tuple[datetime, str, str] | None = None


DueKey = tuple[date, str, str, str]
"""Where a page of duties ends: ``(due, case_id, clock, id)`` of its last obligation (the list's sort key)."""


@attrs.frozen
class DueQuery:
    """A page of open duties of an office (obligations not owed by the petitioner) due on or before
    ``until``, in the order ``(due, case_id, clock, id)``, starting after ``after`` (keyset paging)."""

    office_code: str
    until: date
    after: DueKey | None = None
    limit: int = 100


@attrs.frozen
class SearchDocument:
    """One searchable text of a case (检索文本), keyed by ``(case_id, source_kind, source_id)``.

    ``text`` is already segmented (words separated by spaces) and free of personal data
    (:mod:`petitionkit.search`); storing a document replaces the one with the same key.
    """

    office_code: str
    case_id: str
    source_kind: str  # "case", "petition", and later "reception", "investigation" ...
    source_id: str
    text: str


@attrs.frozen
class TextQuery:
    """A full-text search: documents of the office holding every word, newest first, keyset-paged."""

    office_code: str
    words: tuple[str, ...]
    before: int | None = None  # the position of the last hit of the previous page
    limit: int = 20


@attrs.frozen
class SearchHit:
    """A document that matched: where it stands in the index (the paging cursor) and what it is."""

    position: int
    case_id: str
    source_kind: str
    source_id: str


class Transaction(WebAccountOperations, Protocol):
    """One unit of work.  Leaving the ``with`` block commits; an exception rolls back.

    The web workspace's accounts and sessions: :class:`~petitionkit.storage.web.WebAccountOperations`.
    """

    # --- writes
    def next_tracking_sequence(self, office_code: str, year: int, count: int = 1) -> int:
        """Reserve ``count`` consecutive tracking sequence numbers of the office and year; return the first.

        Numbers start at 1 and are never handed out twice, even to concurrent transactions.
        """
        ...

    def next_document_sequence(self, office_code: str, kind: str, year: int) -> int:
        """Reserve the next number (N of 〔year〕N号) of a document kind in the office and year.

        Numbers start at 1 and are never handed out twice, even to concurrent transactions: the
        counter row is locked until the transaction ends (a rollback gives the number back).
        """
        ...

    def issued_document(self, office_code: str, kind: str, case_id: str, act: str) -> IssuedDocument | None:
        """The register's entry of the document of ``kind`` stating ``act`` of the case, if it was issued."""
        ...

    def add_issued_document(self, document: IssuedDocument) -> None:
        """Enter a document in the register (发文登记)."""
        ...

    def issued_documents(
        self, office_code: str, *, year: int | None = None, kind: str | None = None, case_id: str | None = None
    ) -> list[IssuedDocument]:
        """The register, by kind, year and number."""
        ...

    def add_petitions(self, petitions: Sequence[tuple[Petition, Sequence[str]]]) -> None:
        """Store petitions with the identity keys of their petitioners (for repeat detection).

        Each key is an identity digest (reports count people by these) or a secondary key
        ``"<kind>:<digest>"`` (:func:`petitionkit.domain.tracking.identity_keys`).
        """
        ...

    def existing_source_refs(self, office_code: str, refs: Sequence[str]) -> set[str]:
        """Which of ``refs`` (legacy-system keys) the office already imported."""
        ...

    def set_query_digest(self, petition_id: str, digest: str) -> None:
        """Replace a petition's query-code digest (a reissued query code)."""
        ...

    def set_petition_respondent(self, petition_id: str, respondent: Respondent) -> None:
        """Replace a petition's respondent (a clerk resolved it; see ``petitionkit.respondents``)."""
        ...

    def insert_cases(self, cases: Sequence[Case]) -> None:
        """Store new cases with their obligations and referrals."""
        ...

    def update_case(self, case: Case, expected_version: int) -> None:
        """Save ``case`` whole; raise ``ConcurrencyConflict`` unless the stored version is ``expected_version``."""
        ...

    def append_events(self, events: Sequence[Event]) -> None: ...

    # --- retention (petitionkit.service.retention): anonymising what has expired
    def replace_petitions(self, petitions: Sequence[Petition]) -> None:
        """Rewrite petitions whole (same ids); ``KeyError`` for one that does not exist."""
        ...

    def identity_rows(self, case_id: str) -> list[tuple[str, str]]:
        """The case's person identity rows as stored (``(petition id, blind index)``): the ones reports
        count people by; secondary repeat-detection keys (phone, name and address) are not listed."""
        ...

    def replace_identities(self, case_id: str, office_code: str, found: Sequence[tuple[str, str]]) -> None:
        """Replace all the case's identity rows (secondary keys included) with the person rows ``found``,
        as given (opaque values: not blinded again)."""
        ...

    def drop_finished_outbox(self, case_id: str) -> int:
        """Delete the case's delivered or dead outbox rows (pending ones stay); how many went."""
        ...

    def erase_event_payloads(self, events: Sequence[Event]) -> None:
        """Store ``events``' payloads in place of the stored ones (a purge erasing notes); nothing else changes."""
        ...

    def remove_attachments(self, case_id: str) -> list[tuple[str, str, str]]:
        """Delete the case's attachment rows (a purge of ``attachments``); ``(attachment id, digest, blob
        ref)`` of each, in id order, for the ``CasePurged`` event and the blobs to release (no file name)."""
        ...

    def count_attachments(self, case_id: str) -> int:
        """How many attachments the case has (a dry run's count: reads no file name)."""
        ...

    def enqueue(self, messages: Sequence[OutboxMessage]) -> None: ...

    # --- reads
    def get_case(self, case_id: str) -> Case | None: ...

    def petition_by_tracking_number(self, office_code: str, tracking_number: str) -> Petition | None: ...

    def petition_by_query_digest(self, digest: str) -> Petition | None: ...

    def petitions_of_case(self, case_id: str) -> list[Petition]: ...

    def events_of_case(self, case_id: str) -> list[Event]: ...

    def search_cases(self, query: CaseQuery) -> list[Case]:
        """Matching cases ordered by ``opened_at``, then ``first_tracking_number``, then ``id``; with
        ``query.after``, only those after that key."""
        ...

    def open_obligations_due(self, office_code: str, until: date) -> list[Obligation]:
        """Open obligations of the office due on or before ``until``, earliest first."""
        ...

    # --- paged lists (keyset: the database reads one page, whatever the office's size)
    def duties_due(self, query: DueQuery) -> list[Obligation]:
        """Up to ``query.limit`` open duties (not the petitioner's windows) due on or before ``query.until``,
        ordered by ``(due, case_id, clock, id)`` and after ``query.after``."""
        ...

    def count_duties_due(self, office_code: str, until: date) -> int:
        """How many open duties :meth:`duties_due` would list over all its pages."""
        ...

    def count_cases(self, query: CaseQuery) -> int:
        """How many cases :meth:`search_cases` would list over all its pages (``limit``, ``offset`` and
        ``after`` ignored)."""
        ...

    def first_tracking_numbers(self, case_ids: Sequence[str]) -> dict[str, str]:
        """Each listed case's first tracking number (the one a clerk quotes), read without the case."""
        ...

    def case_ids_by_identity(self, office_code: str, digests: Sequence[str]) -> list[str]:
        """Cases with a petition by any of these petitioner identities (for repeat detection)."""
        ...

    def identity_matches(self, office_code: str, digests: Sequence[str]) -> list[tuple[str, str]]:
        """``(digest, case id)`` for every case with a petition under one of ``digests`` (as given).

        An index lookup (repeat detection at intake runs it on every registration).  ``digests`` are
        identity digests or secondary keys ``"<kind>:<digest>"`` as stored by :meth:`add_petitions`.
        """
        ...

    # --- casework (petitionkit.domain.casework): receptions, investigations, legal bases of a case
    def put_casework(self, record: CaseworkRecord) -> None:
        """Store a casework record whole: a new one, or the same id replaced (an investigation grows)."""
        ...

    def casework_of_case(self, case_id: str) -> list[CaseworkRecord]:
        """The case's casework records, in the order they happened (see ``sorted_records``)."""
        ...

    def reception_counts(self, office_code: str, since: datetime, before: datetime) -> tuple[int, int]:
        """``(receptions, settled in talk)`` of the office received in ``[since, before)``; reads no text."""
        ...

    # --- attachments (附件) and the search index
    def add_attachment(self, attachment: Attachment) -> None:
        """Store an attachment's description (its bytes are in the blob store)."""
        ...

    def get_attachment(self, attachment_id: str) -> Attachment | None: ...

    def attachments_of_case(self, case_id: str) -> list[Attachment]:
        """The case's attachments, in the order they were added."""
        ...

    def attachments_of_office(self, office_code: str, after: str | None, limit: int) -> list[Attachment]:
        """Up to ``limit`` attachments of the office with ids above ``after``, in id order (verification)."""
        ...

    def seal_blob(self, office_code: str, context: str, data: bytes) -> tuple[bytes, str | None]:
        """``data`` as it may rest in a blob store, and the data key that sealed it: encrypted under the
        office's data key on an encrypted SQL store (``context`` bound as associated data), marked plain
        (``pkb0``, no key) where nothing is at rest.  A key rotation keeps a key alive while an
        attachment's ``sealed_with`` names it."""
        ...

    def open_blob(self, context: str, sealed: bytes) -> bytes:
        """The bytes :meth:`seal_blob` sealed under the same ``context``; EncryptionKeyError if altered."""
        ...

    def release_blobs(self, office_code: str, refs: Sequence[str], at: datetime) -> None:
        """Record blobs nothing of this transaction names any more (re-sealed, or their attachment erased),
        to be deleted from the blob store after the commit; a blob released twice is recorded once."""
        ...

    def released_blobs(self, office_code: str, limit: int) -> list[str]:
        """Up to ``limit`` released blobs of the office, oldest release first."""
        ...

    def blob_in_use(self, ref: str) -> bool:
        """Whether an attachment still names the blob ``ref`` (stored plain, equal files share a blob)."""
        ...

    def forget_released_blobs(self, office_code: str, refs: Sequence[str]) -> None:
        """Drop the records of released blobs (deleted from the store, or found in use again)."""
        ...

    def put_search_documents(self, documents: Sequence[SearchDocument]) -> None:
        """Store documents in the search index, each replacing the one with its key."""
        ...

    def search_documents(self, query: TextQuery) -> list[SearchHit]:
        """Documents holding every word of ``query``, by position, highest first, below ``query.before``."""
        ...

    # --- access records (append-only: no update, no delete)
    def append_access(self, records: Sequence[AccessRecord]) -> None:
        """Append records of reads of personal data (who, when, which case or query, how many, why)."""
        ...

    def access_records(self, query: AccessQuery) -> list[AccessRecord]:
        """Access records of ``query.office_code`` narrowed by case, principal and time, in append order."""

    def cases_for_audit(
        self, office_code: str, after: str | None, limit: int
    ) -> list[tuple[Case, list[Petition], list[Event]]]:
        """Up to ``limit`` cases of the office with ids above ``after`` (all when ``None``), in id order,
        each with its petitions and its events in sequence order (``petitionkit audit verify``)."""
        ...

    def case_refs_for_audit(self, office_code: str, after: str | None, limit: int) -> list[tuple[str, str]]:
        """``(id, first tracking number)`` of the cases :meth:`cases_for_audit` would return, read without
        decrypting anything (so a case whose ciphertext was altered can still be named)."""
        ...

    def events_after(self, office_code: str, after: int, limit: int) -> list[tuple[int, Event]]:
        """Up to ``limit`` events of the office's cases whose feed position is above ``after``, in append
        order, each with its position (the changes feed, ``GET /events``)."""
        ...

    def pending_outbox_count(self) -> int:
        """How many messages wait for delivery (pending, leased or not): the outbox depth of metrics."""
        ...

    # --- API keys and idempotency keys (the HTTP API)
    def add_api_key(self, key: ApiKey) -> None: ...

    def api_key(self, key_id: str) -> ApiKey | None: ...

    def api_keys(self, office_code: str) -> list[ApiKey]:
        """The office's API keys, oldest first."""
        ...

    def revoke_api_key(self, key_id: str, at: datetime) -> bool:
        """Revoke a key (from ``at`` on); False when there is no such key or it was revoked before."""
        ...

    def claim_idempotency_key(self, response: StoredResponse) -> StoredResponse | None:
        """Store ``response`` (status 0: running) unless its key is held: then the held one is returned."""
        ...

    def finish_idempotency_key(self, response: StoredResponse) -> None:
        """Store the response of a claimed key (``status`` 0 again: forget the claim, the request failed)."""
        ...

    # --- outbox
    def claim_outbox(self, worker: str, limit: int, now: datetime, lease_until: datetime) -> list[OutboxMessage]:
        """Lease up to ``limit`` deliverable messages to ``worker``; no two workers get the same one.

        Messages come earliest ``available_at`` first and, among equals, in the order they were enqueued.
        """
        ...

    def renew_outbox_lease(self, message_id: str, worker: str, lease_until: datetime) -> bool:
        """Extend ``worker``'s lease on a message to ``lease_until``, right before it is sent.

        True only while the message is still pending and leased to ``worker``; False when another
        worker has claimed it since (the lease ran out) or it was finished: the caller must not send it.
        """
        ...

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
        """Record a delivery attempt by the worker that holds the lease.

        ``SENT`` or ``DEAD`` makes the row a receipt in the same write: the payload is reduced to
        :func:`receipt_payload` (address, template values and any text erased), ``finished_at`` is set to
        ``at`` and ``digest`` (the SHA-256 of the message as sent, ``sha256:<hex>``) is stored in its
        :meth:`receipt_digest` form.  ``error`` must already be free of personal data.
        """
        ...

    def outbox_message(self, message_id: str) -> OutboxMessage | None:
        """One outbox row (pending with its payload, or a receipt), or ``None``."""
        ...

    def outbox_of_case(self, case_id: str) -> list[OutboxMessage]:
        """The outbox rows of a case, in the order they were enqueued."""
        ...

    def receipt_digest(self, digest: str) -> str:
        """The stored form of a message digest: as given on a backend with nothing at rest, an HMAC under
        the office's index key (``hmac-sha256:<hex>``) on an encrypted SQL store."""
        ...


class Storage(Protocol):
    """A storage backend, created by a factory registered through ``petitionkit_register_storage``."""

    @property
    def url(self) -> str:
        """Where the data lives, password hidden."""
        ...

    def transaction(self) -> AbstractContextManager[Transaction]: ...

    def close(self) -> None: ...
