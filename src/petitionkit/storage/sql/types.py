"""Column types that behave the same on SQLite and PostgreSQL.

Times are stored timezone-aware: ``timestamptz`` on PostgreSQL, and on SQLite fixed-width UTC
ISO-8601 text (``2026-03-02T00:30:00.000000+00:00``) so that text order is time order and range
conditions work.  Either way they come back as aware datetimes equal to what was stored.

The column types do this for statements SQLAlchemy executes; :class:`Codec` does the same by hand
for the store's fixed statements, which run on the driver's cursor.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, Date, DateTime, String
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator, TypeEngine

from petitionkit.errors import EncryptionKeyError

if TYPE_CHECKING:
    from petitionkit.storage.sql.crypto import FieldCipher

_SEALED = ("pk1:", "pk2:")  # crypto.SEALED_PREFIXES (not imported: cryptography loads only when used)
SEALED_PREFIXES = _SEALED  # what a sealed value starts with
SEALED_PAYLOAD_KEYS = ("context", "recipient")
"""The entries of an outbox payload that hold personal data (the template's values, the address)."""

_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def dumps(value: Any) -> str:
    """The JSON text every JSON column stores: compact, UTF-8 (Chinese stays readable in the database)."""
    if not value and isinstance(value, list):
        return "[]"  # most cases have no evaluations, most petitions no attachments
    return _ENCODER.encode(value)


def utc_text(value: datetime) -> str:
    """``value`` as the fixed-width UTC text stored on SQLite."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("naive datetimes cannot be stored; give a timezone-aware time")
    # isoformat with microseconds is fixed-width too, and several times faster than strftime.
    return value.astimezone(UTC).isoformat(timespec="microseconds")


class UtcDateTime(TypeDecorator[datetime]):
    """A timezone-aware point in time (``timestamptz`` / UTC text); naive values are refused."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(String(32))
        return dialect.type_descriptor(DateTime(timezone=True))

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if dialect.name == "sqlite":
            return utc_text(value)
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError("naive datetimes cannot be stored; give a timezone-aware time")
        return value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if isinstance(value, str):
            return datetime.fromisoformat(value)
        assert isinstance(value, datetime)
        return value


class IsoDate(TypeDecorator[date]):
    """A calendar date (``date`` / ISO text on SQLite), parsed with the fast ``date.fromisoformat``."""

    impl = Date
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(String(10))
        return dialect.type_descriptor(Date())

    def process_bind_param(self, value: date | None, dialect: Dialect) -> Any:
        if value is None or dialect.name != "sqlite":
            return value
        return value.isoformat()

    def process_result_value(self, value: Any, dialect: Dialect) -> date | None:
        if value is None or isinstance(value, date):
            return value
        return date.fromisoformat(value)


def json_type() -> TypeEngine[Any]:
    """JSON kept as written (``json``, not ``jsonb``, on PostgreSQL) so payloads hash the same after a round trip."""
    return JSON(none_as_null=True)


def _aware(value: datetime) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("naive datetimes cannot be stored; give a timezone-aware time")
    return value


def _load_json(value: Any) -> Any:
    # psycopg parses json itself; sqlite3 hands back the text.
    return json.loads(value) if isinstance(value, str) else value


class Codec:
    """Converts values between Python and one dialect's driver, both ways.

    With a :class:`~petitionkit.storage.sql.crypto.FieldCipher` (``cipher``, set when the store is
    unlocked) the ``seal``/``open`` methods encrypt and decrypt the protected columns; without one they
    pass values through, and refuse a sealed value (fail closed).
    """

    def __init__(self, dialect: str) -> None:
        self.dialect = dialect
        self.cipher: FieldCipher | None = None
        self.doc_in: Callable[[Any], Any] = _load_json
        if dialect == "sqlite":
            self.ts_out: Callable[[datetime], Any] = utc_text
            self.day_out: Callable[[date], Any] = date.isoformat
            self.ts_in: Callable[[Any], datetime] = datetime.fromisoformat
            self.day_in: Callable[[Any], date] = date.fromisoformat
        else:
            self.ts_out = _aware
            self.day_out = _same
            self.ts_in = _same
            self.day_in = _same

    def ts(self, value: datetime | None) -> Any:
        return None if value is None else self.ts_out(value)

    def ts_or_none(self, value: Any) -> datetime | None:
        return None if value is None else self.ts_in(value)

    def day(self, value: date | None) -> Any:
        return None if value is None else self.day_out(value)

    def day_or_none(self, value: Any) -> date | None:
        return None if value is None else self.day_in(value)

    @staticmethod
    def doc(value: Any) -> str | None:
        return None if value is None else dumps(value)

    # --- protected columns (docs/security.md, "Personal data at rest") ---------------------------

    def seal(self, office_code: str | None, table: str, row_id: str, column: str, text: str) -> str:
        cipher = self.cipher
        return text if cipher is None else cipher.seal(office_code, table, row_id, column, text)

    def open(self, table: str, row_id: str, column: str, value: str) -> str:
        cipher = self.cipher
        if cipher is not None:
            return cipher.open(table, row_id, column, value)
        if value.startswith(_SEALED):
            raise EncryptionKeyError("locked")
        return value

    def seal_doc(self, office_code: str | None, table: str, row_id: str, column: str, value: Any) -> str:
        """A JSON column's driver text: the JSON itself, or a JSON string holding its ciphertext."""
        cipher = self.cipher
        if cipher is None:
            return dumps(value)
        return dumps(cipher.seal(office_code, table, row_id, column, dumps(value)))

    def _sealed_doc_in(self, stored: Any) -> Any:
        # psycopg has already parsed a JSON string holding a ciphertext into that string.
        if isinstance(stored, str) and stored.startswith(_SEALED):
            return stored
        return self.doc_in(stored)

    def open_doc(self, table: str, row_id: str, column: str, stored: Any) -> Any:
        loaded = self._sealed_doc_in(stored)
        if isinstance(loaded, str):
            return json.loads(self.open(table, row_id, column, loaded))
        if self.cipher is not None:
            raise EncryptionKeyError("plaintext", table=table, column=column, row=row_id)
        return loaded

    def seal_payload(self, row_id: str, payload: Mapping[str, Any]) -> str:
        """An outbox payload's driver text, its template ``context`` and ``recipient`` address sealed
        (type, channel, audience and ids stay readable for delivery and its queries)."""
        cipher = self.cipher
        if cipher is None:
            return dumps(dict(payload))
        sealed = dict(payload)
        for key in SEALED_PAYLOAD_KEYS:
            if sealed.get(key) is not None:
                sealed[key] = cipher.seal(None, "outbox", row_id, key, dumps(sealed[key]))
        return dumps(sealed)

    def open_payload(self, row_id: str, stored: Any) -> Any:
        payload = self.doc_in(stored)
        if not isinstance(payload, dict):
            return payload
        for key in SEALED_PAYLOAD_KEYS:
            value = payload.get(key)
            if isinstance(value, str) and value.startswith(_SEALED):
                payload[key] = json.loads(self.open("outbox", row_id, key, value))
            elif value is not None and self.cipher is not None:
                raise EncryptionKeyError("plaintext", table="outbox", column=key, row=row_id)
        return payload

    def blind(self, office_code: str, digest: str) -> str:
        """The stored form of an identity digest: its keyed blind index once the store is unlocked."""
        cipher = self.cipher
        return digest if cipher is None else cipher.blind(office_code, digest)

    def blind_all(self, office_code: str, digest: str) -> list[str]:
        """What a lookup by identity searches for (two forms while an index key rotation runs)."""
        cipher = self.cipher
        return [digest] if cipher is None else cipher.blind_all(office_code, digest)


def _same(value: Any) -> Any:
    return value
