"""The SQL transaction's part for the HTTP API: the changes feed, API keys, idempotency keys, the outbox depth.

Kept beside :mod:`~petitionkit.storage.sql.store` (which mixes :class:`HttpState` into its
transaction) so the store stays one operation per method of the storage protocol.  Values go in
through the row mappings of :mod:`~petitionkit.storage.sql.rows` as driver values (untyped text
statements: no second type conversion), rows come back through raw columns.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

import attrs
from sqlalchemy import and_, delete, func, select, text, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from petitionkit.domain.events import Event
from petitionkit.errors import EncryptionKeyError
from petitionkit.storage.base import ApiKey, OutboxStatus, StoredResponse
from petitionkit.storage.sql import rows
from petitionkit.storage.sql.statements import raw, raw_columns
from petitionkit.storage.sql.tables import api_keys, cases, events, idempotency_keys, outbox
from petitionkit.storage.sql.types import SEALED_PREFIXES

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from petitionkit.storage.sql.types import Codec


def _insert_sql(shape: rows.Shape) -> str:
    names = shape.written
    columns = ", ".join(f'"{n}"' for n in names)
    return f"INSERT INTO {shape.table.name} ({columns}) VALUES ({', '.join(':' + n for n in names)})"


_INSERT_API_KEY = text(_insert_sql(rows.API_KEYS))


class HttpState:
    """The HTTP API's storage operations on one SQL transaction (see the storage protocol)."""

    connection: Connection
    codec: Codec
    dialect_name: str

    def events_after(self, office_code: str, after: int, limit: int) -> list[tuple[int, Event]]:
        stmt = (
            select(raw(events.c.id).label("feed_position"), *raw_columns(rows.EVENTS))
            .join(cases, cases.c.id == events.c.case_id)
            .where(and_(events.c.id > after, cases.c.office_code == office_code))
            .order_by(events.c.id)
            .limit(limit)
        )
        result = self.connection.execute(stmt)
        at = rows.positions(result.keys())
        k = self.codec
        return [(int(r[at["feed_position"]]), rows.event_from_row(r, at, k)) for r in result.all()]

    def pending_outbox_count(self) -> int:
        stmt = select(func.count()).select_from(outbox).where(outbox.c.status == OutboxStatus.PENDING.value)
        return int(self.connection.execute(stmt).scalar_one())

    def add_api_key(self, key: ApiKey) -> None:
        self.connection.execute(_INSERT_API_KEY, rows.api_key_values(key, self.codec))

    def api_key(self, key_id: str) -> ApiKey | None:
        result = self.connection.execute(select(*raw_columns(rows.API_KEYS)).where(api_keys.c.id == key_id))
        at = rows.positions(result.keys())
        found = result.all()
        return rows.api_key_from_row(found[0], at, self.codec) if found else None

    def api_keys(self, office_code: str) -> list[ApiKey]:
        stmt = (
            select(*raw_columns(rows.API_KEYS))
            .where(api_keys.c.office_code == office_code)
            .order_by(api_keys.c.created_at, api_keys.c.id)
        )
        result = self.connection.execute(stmt)
        at = rows.positions(result.keys())
        return [rows.api_key_from_row(r, at, self.codec) for r in result.all()]

    def revoke_api_key(self, key_id: str, at: datetime) -> bool:
        stmt = text("UPDATE api_keys SET revoked_at = :at WHERE id = :id AND revoked_at IS NULL")
        result = self.connection.execute(stmt, {"at": self.codec.ts_out(at), "id": key_id})
        return bool(result.rowcount)

    # The answer a POST stores for replay holds personal data (a registration names its petitioners, a
    # reception holds what was said): sealed like it on an encrypted store, bound to principal and key.
    # A key rotation does not re-seal these answers (docs/security.md): one sealed under a destroyed key
    # reads as still running (409), and the caller checks the outcome with a GET, as after a crash.

    def _sealed_body(self, response: StoredResponse) -> str:
        if not response.body:
            return ""
        row = f"{response.principal_id}/{response.key}"
        return self.codec.seal(response.office_code, "idempotency_keys", row, "body", response.body)

    def _opened(self, response: StoredResponse) -> StoredResponse:
        if not response.body.startswith(SEALED_PREFIXES):  # empty (running), or stored before sealing
            return response
        row = f"{response.principal_id}/{response.key}"
        try:
            return attrs.evolve(response, body=self.codec.open("idempotency_keys", row, "body", response.body))
        except EncryptionKeyError:
            return attrs.evolve(response, status=0, body="")

    def _held(self, response: StoredResponse) -> StoredResponse | None:
        t = idempotency_keys.c
        stmt = select(*raw_columns(rows.IDEMPOTENCY_KEYS)).where(
            and_(t.office_code == response.office_code, t.principal_id == response.principal_id, t.key == response.key)
        )
        result = self.connection.execute(stmt)
        at = rows.positions(result.keys())
        found = result.all()
        return self._opened(rows.stored_response_from_row(found[0], at, self.codec)) if found else None

    def claim_idempotency_key(self, response: StoredResponse) -> StoredResponse | None:
        values: Mapping[str, Any] = attrs.asdict(response)  # typed values: the column types convert them
        upsert = sqlite_insert if self.dialect_name == "sqlite" else postgresql_insert
        t = idempotency_keys.c
        stmt = upsert(idempotency_keys).values(dict(values)).on_conflict_do_nothing().returning(t.key)
        if self.connection.execute(stmt).first() is not None:
            return None
        return self._held(response)

    def finish_idempotency_key(self, response: StoredResponse) -> None:
        t = idempotency_keys.c
        slot = and_(
            t.office_code == response.office_code, t.principal_id == response.principal_id, t.key == response.key
        )
        if response.status == 0:
            self.connection.execute(delete(idempotency_keys).where(and_(slot, t.status == 0)))
            return
        values = attrs.asdict(response)
        changes = {k: v for k, v in values.items() if k not in ("office_code", "principal_id", "key", "started_at")}
        changes["body"] = self._sealed_body(response)
        self.connection.execute(update(idempotency_keys).where(slot), changes)
