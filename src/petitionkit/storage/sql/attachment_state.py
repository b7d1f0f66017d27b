"""The SQL transaction's part for attachments (附件) and the search index (检索).

Mixed into :class:`~petitionkit.storage.sql.store.SqlTransaction` like the HTTP API's part.  An
attachment's file name is sealed under the office's data key; its bytes are sealed here too
(:meth:`FieldCipher.seal_bytes <petitionkit.storage.sql.crypto.FieldCipher.seal_bytes>`) before they
go to the blob store.  The search index is one row per source of a case: SQLite matches it through the
FTS5 table ``search_fts``, PostgreSQL through ``to_tsvector('simple', body)`` and its GIN index; both
page by ``seq`` (keyset: ``seq < before``, newest first).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import insert, select, text

from petitionkit.domain.attachments import Attachment, AttachmentKind
from petitionkit.storage.base import SearchDocument, SearchHit, TextQuery
from petitionkit.storage.memory_attachments import PLAIN_BLOB, open_plain_blob
from petitionkit.storage.sql.tables import attachments

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from petitionkit.storage.sql.statements import Statement, Statements
    from petitionkit.storage.sql.types import Codec

_a = attachments.c
TABLE = "attachments"


def fts_query(words: Sequence[str]) -> str:
    """An FTS5 query holding every word, each quoted (so no word is read as an operator)."""
    return " ".join('"' + w.replace('"', '""') + '"' for w in words)


class AttachmentState:
    """Attachments and search documents on one SQL transaction (see the storage protocol)."""

    connection: Connection
    codec: Codec
    dialect_name: str

    sql: Statements
    _unindexed_cases: set[str]

    def _fresh_keys(self) -> None: ...

    def _run_many(self, statement: Statement, each: Iterable[Mapping[str, Any]]) -> None: ...

    # --- attachments ---------------------------------------------------------------------------

    def add_attachment(self, attachment: Attachment) -> None:
        self._fresh_keys()
        k = self.codec
        self.connection.execute(
            insert(attachments).values(
                id=attachment.id,
                office_code=attachment.office_code,
                case_id=attachment.case_id,
                petition_id=attachment.petition_id,
                kind=attachment.kind.value,
                media_type=attachment.media_type,
                size=attachment.size,
                digest=attachment.digest,
                blob_ref=attachment.blob_ref,
                filename=k.seal(attachment.office_code, "attachments", attachment.id, "filename", attachment.filename),
                added_at=attachment.added_at,
                added_by=attachment.added_by,
                sealed_with=attachment.sealed_with,
            )
        )

    def _attachment(self, row: Any) -> Attachment:
        return Attachment(
            id=row["id"],
            office_code=row["office_code"],
            case_id=row["case_id"],
            kind=AttachmentKind(row["kind"]),
            media_type=row["media_type"],
            size=int(row["size"]),
            digest=row["digest"],
            blob_ref=row["blob_ref"],
            filename=self.codec.open(TABLE, row["id"], "filename", row["filename"]),
            added_at=row["added_at"],
            added_by=row["added_by"],
            petition_id=row["petition_id"],
            sealed_with=row["sealed_with"],
        )

    def get_attachment(self, attachment_id: str) -> Attachment | None:
        row = self.connection.execute(select(attachments).where(_a.id == attachment_id)).mappings().first()
        return None if row is None else self._attachment(row)

    def attachments_of_case(self, case_id: str) -> list[Attachment]:
        found = self.connection.execute(
            select(attachments).where(_a.case_id == case_id).order_by(_a.added_at, _a.id)
        ).mappings()
        return [self._attachment(row) for row in found]

    def attachments_of_office(self, office_code: str, after: str | None, limit: int) -> list[Attachment]:
        statement = select(attachments).where(_a.office_code == office_code)
        if after is not None:
            statement = statement.where(_a.id > after)
        found = self.connection.execute(statement.order_by(_a.id).limit(limit)).mappings()
        return [self._attachment(row) for row in found]

    def seal_blob(self, office_code: str, context: str, data: bytes) -> tuple[bytes, str | None]:
        cipher = self.codec.cipher
        if cipher is None:
            return PLAIN_BLOB + data, None
        self._fresh_keys()
        return cipher.seal_bytes(office_code, context, data)

    def open_blob(self, context: str, sealed: bytes) -> bytes:
        cipher = self.codec.cipher
        if cipher is None:
            return open_plain_blob(context, sealed)
        return cipher.open_bytes(context, sealed)  # a plain blob is refused: never read as data

    # --- the search index ------------------------------------------------------------------------

    def put_search_documents(self, documents: Sequence[SearchDocument]) -> None:
        if not documents:
            return
        # A case inserted in this transaction has no documents but those put in it since: the first put of
        # its documents deletes nothing (a registration's or an import's), so it skips the delete.
        fresh = self._unindexed_cases
        old = [d for d in documents if d.case_id not in fresh]
        fresh.difference_update(d.case_id for d in documents)
        sql = self.sql
        # One source at a time by the unique key (SQLite 3.40 planned a row-value IN over several keys as a
        # scan of the whole table: seconds a registration at 2,000,000 documents, docs/benchmarks.md).
        # Both statements are fixed: run on the driver cursor, held on PostgreSQL for one round trip with
        # the rest of the transaction's writes (an import's documents go by COPY).
        self._run_many(
            sql.drop_search_document,
            ({"case_id": d.case_id, "source_kind": d.source_kind, "source_id": d.source_id} for d in old),
        )
        self._run_many(
            sql.insert_search_document,
            (
                {
                    "office_code": d.office_code,
                    "case_id": d.case_id,
                    "source_kind": d.source_kind,
                    "source_id": d.source_id,
                    "body": d.text,
                }
                for d in documents
            ),
        )

    def search_documents(self, query: TextQuery) -> list[SearchHit]:
        if not query.words:
            return []
        values = {"office": query.office_code, "before": query.before, "limit": query.limit}
        if self.dialect_name == "sqlite":
            # The FTS5 table drives (CROSS JOIN keeps SQLite from scanning search_documents first) and
            # walks its matches by rowid, newest first, stopping at the page's end: no sort, no full scan.
            statement = _SQLITE_SEARCH
            values["q"] = fts_query(query.words)
        else:
            statement = _POSTGRESQL_SEARCH
            values["q"] = " ".join(query.words)
        found = self.connection.execute(statement, values).all()
        return [SearchHit(int(r[0]), r[1], r[2], r[3]) for r in found]


_SQLITE_SEARCH = text(
    "SELECT d.seq, d.case_id, d.source_kind, d.source_id FROM search_fts AS f"
    " CROSS JOIN search_documents AS d ON d.seq = f.rowid"
    " WHERE search_fts MATCH :q AND d.office_code = :office AND (:before IS NULL OR f.rowid < :before)"
    " ORDER BY f.rowid DESC LIMIT :limit"
)
_POSTGRESQL_SEARCH = text(
    "SELECT seq, case_id, source_kind, source_id FROM search_documents"
    " WHERE office_code = :office AND to_tsvector('simple', body) @@ plainto_tsquery('simple', :q)"
    " AND (CAST(:before AS BIGINT) IS NULL OR seq < :before) ORDER BY seq DESC LIMIT :limit"
)
