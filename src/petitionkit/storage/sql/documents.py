"""The SQL transaction's part for formal documents: the number counters (文号) and the register (发文登记).

Mixed into :class:`~petitionkit.storage.sql.store.SqlTransaction` like the HTTP API's state.  The
counter is bumped with one upsert ... RETURNING, so concurrent issuers queue on the counter row
(PostgreSQL row lock; SQLite's ``BEGIN IMMEDIATE`` serialises writers anyway) and the number is
given back if the transaction rolls back.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, insert, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from petitionkit.domain.documents import IssuedDocument
from petitionkit.storage.sql.tables import document_counters, issued_documents

if TYPE_CHECKING:
    from sqlalchemy import Connection

FIELDS = (
    "office_code",
    "kind",
    "year",
    "sequence",
    "number",
    "case_id",
    "tracking_number",
    "act",
    "act_date",
    "issued_at",
    "actor",
)


def _document(row: Any) -> IssuedDocument:
    return IssuedDocument(**{name: row._mapping[name] for name in FIELDS})


class DocumentRegister:
    """Document numbers and the register on one SQL transaction (see the storage protocol)."""

    connection: Connection
    dialect_name: str

    def next_document_sequence(self, office_code: str, kind: str, year: int) -> int:
        upsert = postgresql_insert if self.dialect_name == "postgresql" else sqlite_insert
        values = upsert(document_counters).values(office_code=office_code, kind=kind, year=year, last_value=1)
        stmt = values.on_conflict_do_update(
            index_elements=[document_counters.c.office_code, document_counters.c.kind, document_counters.c.year],
            set_={"last_value": document_counters.c.last_value + 1},
        ).returning(document_counters.c.last_value)
        return int(self.connection.execute(stmt).scalar_one())

    def issued_document(self, office_code: str, kind: str, case_id: str, act: str) -> IssuedDocument | None:
        t = issued_documents.c
        stmt = select(issued_documents).where(
            and_(t.office_code == office_code, t.kind == kind, t.case_id == case_id, t.act == act)
        )
        row = self.connection.execute(stmt).first()
        return _document(row) if row is not None else None

    def add_issued_document(self, document: IssuedDocument) -> None:
        self.connection.execute(insert(issued_documents).values(**{name: getattr(document, name) for name in FIELDS}))

    def issued_documents(
        self, office_code: str, *, year: int | None = None, kind: str | None = None, case_id: str | None = None
    ) -> list[IssuedDocument]:
        t = issued_documents.c
        stmt = select(issued_documents).where(t.office_code == office_code)
        if year is not None:
            stmt = stmt.where(t.year == year)
        if kind is not None:
            stmt = stmt.where(t.kind == kind)
        if case_id is not None:
            stmt = stmt.where(t.case_id == case_id)
        stmt = stmt.order_by(t.year, t.kind, t.sequence)
        return [_document(row) for row in self.connection.execute(stmt)]
