"""Paged lists on one SQL transaction: the due/overdue list and case counts (see the storage protocol).

Paging is by keyset: a page starts after the sort key of the previous page's last row
(``WHERE (due, case_id, clock, id) > (:due, :case_id, :clock, :id)``), so the database walks the index
from there and reads one page, where an ``OFFSET`` would read and throw away every row before it.
Row-value comparisons are standard SQL; SQLite (3.15 and later) and PostgreSQL both use the index for
them (revision 0020: ``ix_obligations_open_due_key`` and ``ix_cases_office_opened_key`` end with ``id``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import and_, func, literal, literal_column, select, tuple_
from sqlalchemy.engine import Connection

from petitionkit.domain.model import Obligation, ObligationStatus, Party
from petitionkit.storage.base import DueQuery
from petitionkit.storage.sql import rows
from petitionkit.storage.sql.statements import raw_columns
from petitionkit.storage.sql.tables import cases, obligations
from petitionkit.storage.sql.types import Codec

_OPEN: Any = literal_column(f"'{ObligationStatus.OPEN.value}'")  # a literal: the planner sees the partial index apply
_CHUNK = 500
DUE_INDEX = "ix_obligations_open_due_key"
_SQLITE_COUNT = (
    f"SELECT count(*) FROM obligations INDEXED BY {DUE_INDEX}"
    f" WHERE office_code = ? AND status = '{ObligationStatus.OPEN.value}' AND due <= ? AND owed_by != ?"
)


def _duties(office_code: str, until: date) -> Any:
    return and_(
        obligations.c.office_code == office_code,
        obligations.c.status == _OPEN,
        obligations.c.due <= until,
        obligations.c.owed_by != Party.PETITIONER.value,
    )


class PagedReads:
    """The storage protocol's paged reads (``duties_due``, ``count_duties_due``, ``first_tracking_numbers``)."""

    connection: Connection
    codec: Codec
    dialect_name: str

    def duties_due(self, query: DueQuery) -> list[Obligation]:
        condition = _duties(query.office_code, query.until)
        if query.after is not None:
            key = tuple_(obligations.c.due, obligations.c.case_id, obligations.c.clock, obligations.c.id)
            due, case_id, clock, id_ = query.after
            condition = and_(condition, key > tuple_(_day(obligations.c.due, due), case_id, clock, id_))
        stmt = (
            select(*raw_columns(rows.OBLIGATIONS))
            .where(condition)
            .order_by(obligations.c.due, obligations.c.case_id, obligations.c.clock, obligations.c.id)
            .limit(query.limit)
        )
        result = self.connection.execute(stmt)
        return rows.obligations_from_rows(result.all(), rows.positions(result.keys()), self.codec)

    def count_duties_due(self, office_code: str, until: date) -> int:
        # Counted in the keyset index, which holds every column the count tests; SQLite's planner, without
        # statistics, would pick (office_code, status, due) and read every duty's table row as well.
        # (SQLAlchemy renders no table hints for SQLite, hence the statement's text.)
        if self.dialect_name == "sqlite":
            values = (office_code, self.codec.day_out(until), Party.PETITIONER.value)
            return int(self.connection.exec_driver_sql(_SQLITE_COUNT, values).scalar_one())
        stmt = select(func.count()).select_from(obligations).where(_duties(office_code, until))
        return int(self.connection.execute(stmt).scalar_one())

    def first_tracking_numbers(self, case_ids: Sequence[str]) -> dict[str, str]:
        found: dict[str, str] = {}
        unique = list(dict.fromkeys(case_ids))
        for start in range(0, len(unique), _CHUNK):
            stmt = select(cases.c.id, cases.c.first_tracking_number).where(
                cases.c.id.in_(unique[start : start + _CHUNK])
            )
            found.update((case_id, number) for case_id, number in self.connection.execute(stmt))
        return found


def _day(column: Any, value: date) -> Any:
    """``value`` bound as ``column``'s type (a tuple of plain values would not be typed per element)."""
    return literal(value, column.type)
