"""Access records (``access_log``) on SQL: appended, read by case, principal and time; never changed."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, insert, select

from petitionkit.domain.access import AccessQuery, AccessRecord
from petitionkit.storage.sql.tables import access_log

FIELDS = ("id", "office_code", "principal_id", "roles", "at", "action", "case_id", "query", "count", "purpose")


def append_access(connection: Connection, records: Sequence[AccessRecord]) -> None:
    """Insert ``records`` in order (one statement)."""
    if records:
        connection.execute(insert(access_log), [{f: getattr(r, f) for f in FIELDS} for r in records])


def access_records(connection: Connection, query: AccessQuery) -> list[AccessRecord]:
    """The records ``query`` selects, in append order."""
    statement: Any = select(*(access_log.c[f] for f in FIELDS)).where(access_log.c.office_code == query.office_code)
    if query.case_id is not None:
        statement = statement.where(access_log.c.case_id == query.case_id)
    if query.principal_id is not None:
        statement = statement.where(access_log.c.principal_id == query.principal_id)
    if query.since is not None:
        statement = statement.where(access_log.c.at >= query.since)
    statement = statement.order_by(access_log.c.seq).limit(query.limit)
    return [AccessRecord(**dict(row._mapping)) for row in connection.execute(statement)]
