"""The SQL transaction's part for casework records (receptions, investigations, legal bases).

Kept beside :mod:`~petitionkit.storage.sql.store` (which mixes :class:`CaseworkOperations` into its
transaction) like :mod:`~petitionkit.storage.sql.http_state`.  A record is one ``casework`` row whose
``body`` is sealed (``rows.casework_values``); a changed record (an investigation that grew) replaces
its row in the transaction of the change, which also writes the case and so holds the case's lock.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import and_, func, select, text

from petitionkit.domain.casework import CaseworkRecord, sorted_records
from petitionkit.storage.sql import rows
from petitionkit.storage.sql.statements import raw_columns
from petitionkit.storage.sql.tables import casework

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from petitionkit.storage.sql.types import Codec

_NAMES = rows.CASEWORK.written
_INSERT = text(f"INSERT INTO casework ({', '.join(_NAMES)}) VALUES ({', '.join(':' + n for n in _NAMES)})")
_DELETE = text("DELETE FROM casework WHERE id = :id")


class CaseworkOperations:
    """Casework storage operations on one SQL transaction (see the storage protocol)."""

    connection: Connection
    codec: Codec

    def put_casework(self, record: CaseworkRecord) -> None:
        self.connection.execute(_DELETE, {"id": record.id})
        self.connection.execute(_INSERT, rows.casework_values(record, self.codec))

    def casework_of_case(self, case_id: str) -> list[CaseworkRecord]:
        stmt = select(*raw_columns(rows.CASEWORK)).where(casework.c.case_id == case_id)
        result = self.connection.execute(stmt)
        at = rows.positions(result.keys())
        return sorted_records([rows.casework_from_row(r, at, self.codec) for r in result.all()])

    def reception_counts(self, office_code: str, since: datetime, before: datetime) -> tuple[int, int]:
        c = casework.c
        stmt = (
            select(c.settled, func.count())
            .where(
                and_(
                    c.office_code == office_code, c.kind == "reception", c.happened_at >= since, c.happened_at < before
                )
            )
            .group_by(c.settled)
        )
        counts = {bool(flag): int(n) for flag, n in self.connection.execute(stmt).all()}
        return sum(counts.values()), counts.get(True, 0)
