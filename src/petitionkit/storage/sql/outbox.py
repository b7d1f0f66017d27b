"""The outbox operations of a SQL transaction (送达队列): claim, lease, finish, and receipts.

:class:`OutboxOperations` is a part of :class:`~petitionkit.storage.sql.store.SqlTransaction`, kept here
so the rules of the queue read in one place.  A sent or dead row becomes a *receipt* in the statement
that records it: its payload is reduced to :data:`~petitionkit.storage.base.RECEIPT_KEYS` (the sealed
address and template values, and any legacy text, are overwritten, not kept beside), ``finished_at`` is
set, and the digest of the message sent is stored keyed under the office's index key
(``hmac-sha256:<hex>``) once the store is unlocked, so a copy of the database cannot be used to confirm a
guessed letter.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, or_, select

from petitionkit.storage.base import OutboxMessage, OutboxStatus, receipt_payload
from petitionkit.storage.sql import rows
from petitionkit.storage.sql.statements import raw, raw_columns
from petitionkit.storage.sql.tables import outbox
from petitionkit.storage.sql.types import Codec

if TYPE_CHECKING:
    from petitionkit.storage.sql.store import SqlStorage

KEYED = "hmac-sha256:"


class OutboxOperations:
    """The outbox part of the storage protocol on one connection (see ``petitionkit.storage.base``)."""

    store: SqlStorage
    connection: Connection
    codec: Codec

    def claim_outbox(self, worker: str, limit: int, now: datetime, lease_until: datetime) -> list[OutboxMessage]:
        if limit < 1:
            return []
        ready = (
            select(outbox.c.seq)
            .where(
                outbox.c.status == OutboxStatus.PENDING.value,
                outbox.c.available_at <= now,
                or_(outbox.c.lease_until.is_(None), outbox.c.lease_until <= now),
            )
            .order_by(outbox.c.available_at, outbox.c.created_at, outbox.c.seq)
            .limit(limit)
        )
        if self.store.dialect == "postgresql":
            # Rows another worker is claiming right now are skipped, not waited for.
            ready = ready.with_for_update(skip_locked=True)
        # SQLite: the transaction already holds the write lock (BEGIN IMMEDIATE), so this
        # select-and-lease is atomic: a leased UPDATE ... RETURNING.
        stmt: Any = (
            outbox.update()
            .where(outbox.c.seq.in_(ready.scalar_subquery()))
            .values(claimed_by=worker, lease_until=lease_until)
            .returning(*raw_columns(rows.OUTBOX), raw(outbox.c.seq))
        )
        k = self.codec
        result = self.connection.execute(stmt)
        at = rows.positions(result.keys())
        seq = at["seq"]
        claimed = [(rows.outbox_from_row(r, at, k), r[seq]) for r in result]
        # RETURNING gives no order: sort as the queue is ordered (time, then enqueue order).
        claimed.sort(key=lambda pair: (pair[0].available_at, pair[0].created_at, pair[1]))
        return [message for message, _ in claimed]

    def renew_outbox_lease(self, message_id: str, worker: str, lease_until: datetime) -> bool:
        # One conditional UPDATE: a claim by another worker (which rewrites claimed_by) and this renewal
        # are serialised by the database, so exactly one of them wins.
        result = self.connection.execute(
            outbox.update()
            .where(
                outbox.c.id == message_id,
                outbox.c.claimed_by == worker,
                outbox.c.status == OutboxStatus.PENDING.value,
            )
            .values(lease_until=lease_until)
        )
        return bool(result.rowcount == 1)

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
        values: dict[str, Any] = {
            "status": status.value,
            "attempts": attempts,
            "last_error": error,
            "claimed_by": None,
            "lease_until": None,
        }
        if retry_at is not None:
            values["available_at"] = retry_at
        mine = (outbox.c.id == message_id, outbox.c.claimed_by == worker)
        if status is not OutboxStatus.PENDING:
            # The stored payload is read as stored: its sealed entries are dropped unopened.
            stored = self.connection.execute(select(raw(outbox.c.payload)).where(*mine)).scalar_one_or_none()
            if stored is None:
                return  # the lease expired and another worker owns it now
            payload = self.codec.doc_in(stored)
            receipt = receipt_payload(payload) if isinstance(payload, dict) else {}
            values["payload"] = receipt  # no sealed entry left: plain JSON (the column type encodes it)
            values["finished_at"] = at
            values["digest"] = self.receipt_digest(digest) if digest else None
        # Only the worker that holds the lease may record the attempt; a stale worker changes nothing.
        self.connection.execute(outbox.update().where(*mine).values(values))

    def outbox_message(self, message_id: str) -> OutboxMessage | None:
        found = self._outbox_rows(outbox.c.id == message_id)
        return found[0] if found else None

    def outbox_of_case(self, case_id: str) -> list[OutboxMessage]:
        return self._outbox_rows(outbox.c.case_id == case_id)

    def receipt_digest(self, digest: str) -> str:
        cipher = self.codec.cipher
        if cipher is None or cipher.default_office is None:
            return digest  # a store without field encryption keeps nothing secret
        return KEYED + cipher.blind(cipher.default_office, digest)

    def _outbox_rows(self, condition: Any) -> list[OutboxMessage]:
        result = self.connection.execute(select(*raw_columns(rows.OUTBOX)).where(condition).order_by(outbox.c.seq))
        at = rows.positions(result.keys())
        return [rows.outbox_from_row(r, at, self.codec) for r in result]
