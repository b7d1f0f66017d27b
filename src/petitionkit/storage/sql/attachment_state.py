"""The SQL transaction's part for attachments (附件) and the search index (检索).

Mixed into :class:`~petitionkit.storage.sql.store.SqlTransaction` like the HTTP API's part.  An
attachment's file name is sealed under the office's data key; its bytes are sealed here too
(:meth:`FieldCipher.seal_bytes <petitionkit.storage.sql.crypto.FieldCipher.seal_bytes>`) before they
go to the blob store.  The search index is one row per source of a case: SQLite matches it through the
FTS5 table ``search_fts``, PostgreSQL through the stored vector ``body_tsv`` and its GIN index (revision
0022); both page by ``seq`` (keyset: ``seq < before``, newest first).

PostgreSQL answers in bounded steps, not by the planner's guess of how many documents match (for a
word not among its most common ones it guesses 0.5 % of the table, and for a word with few or no hits
it walked the primary key through every document):

1. *the newest*: the office's documents among the last :data:`RECENT` positions below ``before`` are
   read newest first and those matching kept.  A word with a page of hits among them (a frequent word)
   is answered here, at a cost bounded by :data:`RECENT` whatever the table holds and whatever plan the
   planner picks for that range (its statistics may be older than the table);
2. *the index, in windows*: otherwise the word's matches among the last :data:`WINDOWS` positions below
   ``before``, then among all of them, come from a GIN bitmap scan (a ``MATERIALIZED`` CTE without an
   order, so the planner cannot walk the primary key instead; for a window it ANDs the GIN bitmap with
   the primary key's range), sorted, the page taken.  The cost grows with the word's matches in the
   window, not with the table; the first window that holds a page ends the search.

The pages are those of one ``ORDER BY seq DESC LIMIT`` query: a step returns only when it holds a
full page, which is then the newest matches below ``before``; the last step is that query itself.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, func, insert, select, text
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from petitionkit.domain.attachments import Attachment, AttachmentKind
from petitionkit.storage.base import SearchDocument, SearchHit, TextQuery
from petitionkit.storage.memory_attachments import PLAIN_BLOB, open_plain_blob
from petitionkit.storage.sql.tables import attachments, released_blobs

if TYPE_CHECKING:
    from datetime import datetime

    from sqlalchemy import Connection

    from petitionkit.storage.sql.statements import Statement, Statements
    from petitionkit.storage.sql.types import Codec

_a = attachments.c
_r = released_blobs.c
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

    def remove_attachments(self, case_id: str) -> list[tuple[str, str, str]]:
        found = self.connection.execute(
            select(_a.id, _a.digest, _a.blob_ref).where(_a.case_id == case_id).order_by(_a.id)
        ).all()
        if found:
            self.connection.execute(delete(attachments).where(_a.case_id == case_id))
        return [(str(r[0]), str(r[1]), str(r[2])) for r in found]

    def count_attachments(self, case_id: str) -> int:
        found = self.connection.execute(select(func.count()).select_from(attachments).where(_a.case_id == case_id))
        return int(found.scalar_one())

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

    def release_blobs(self, office_code: str, refs: Sequence[str], at: datetime) -> None:
        wanted = sorted(set(refs))
        if not wanted:
            return
        # one atomic insert-or-nothing (not a read, then an insert): a record that a concurrent
        # delete_released_blobs is forgetting makes this wait for it, and then insert, instead of
        # counting on a record about to go (the blob would then never be deleted)
        upsert = sqlite_insert if self.dialect_name == "sqlite" else postgresql_insert
        rows = [{"office_code": office_code, "blob_ref": r, "released_at": at} for r in wanted]
        self.connection.execute(upsert(released_blobs).on_conflict_do_nothing(), rows)

    def released_blobs(self, office_code: str, limit: int) -> list[str]:
        found = self.connection.execute(
            select(_r.blob_ref).where(_r.office_code == office_code).order_by(_r.released_at, _r.blob_ref).limit(limit)
        ).scalars()
        return list(found)

    def blob_in_use(self, ref: str) -> bool:
        return self.connection.execute(select(_a.id).where(_a.blob_ref == ref).limit(1)).first() is not None

    def forget_released_blobs(self, office_code: str, refs: Sequence[str]) -> None:
        if refs:
            self.connection.execute(
                delete(released_blobs).where(_r.office_code == office_code, _r.blob_ref.in_(list(refs)))
            )

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
        if self.dialect_name == "sqlite":
            # The FTS5 table drives (CROSS JOIN keeps SQLite from scanning search_documents first) and
            # walks its matches by rowid, newest first, stopping at the page's end: no sort, no full scan.
            values = {"office": query.office_code, "before": query.before, "limit": query.limit}
            found = self.connection.execute(_SQLITE_SEARCH, {**values, "q": fts_query(query.words)}).all()
        else:
            found = self._search_postgresql(query)
        return [SearchHit(int(r[0]), r[1], r[2], r[3]) for r in found]

    def _search_postgresql(self, query: TextQuery) -> Sequence[Any]:
        values: dict[str, Any] = {"office": query.office_code, "q": " ".join(query.words), "limit": query.limit}
        top = query.before
        if top is None:
            last = self.connection.execute(_POSTGRESQL_TOP, values).scalar()
            if last is None:
                return []
            top = int(last) + 1
        values["before"] = top
        # the subquery's LIMIT keeps the match outside it: the planner cannot turn the range into a GIN scan
        newest = {**values, "lowest": max(0, top - RECENT), "recent": RECENT}
        found = self.connection.execute(_POSTGRESQL_NEWEST, newest).all()
        for window in (*WINDOWS, top):
            if len(found) == query.limit:
                break
            lowest = max(0, top - window)
            found = self.connection.execute(_POSTGRESQL_INDEXED, {**values, "lowest": lowest}).all()
            if lowest == 0:
                break  # every position below the page's start was searched
        return found


#: How many of the newest positions PostgreSQL reads first (docs/benchmarks.md): a word with a page of
#: hits among them is frequent enough for the walk, which stops at the page's end.
RECENT = 5_000
#: Then the GIN bitmap over the last WINDOWS[0], then WINDOWS[1] positions below the page's start
#: (PostgreSQL ANDs it with a range of the primary key: the heap is read for the matches in the window
#: only), and last over every position below it.
WINDOWS = (40_000, 320_000)

_SQLITE_SEARCH = text(
    "SELECT d.seq, d.case_id, d.source_kind, d.source_id FROM search_fts AS f"
    " CROSS JOIN search_documents AS d ON d.seq = f.rowid"
    " WHERE search_fts MATCH :q AND d.office_code = :office AND (:before IS NULL OR f.rowid < :before)"
    " ORDER BY f.rowid DESC LIMIT :limit"
)
_POSTGRESQL_TOP = text("SELECT max(seq) FROM search_documents WHERE office_code = :office")
_POSTGRESQL_NEWEST = text(
    "SELECT seq, case_id, source_kind, source_id FROM ("
    "SELECT seq, case_id, source_kind, source_id, body_tsv FROM search_documents"
    " WHERE office_code = :office AND seq >= :lowest AND seq < :before ORDER BY seq DESC LIMIT :recent) AS newest"
    " WHERE body_tsv @@ plainto_tsquery('simple', :q) ORDER BY seq DESC LIMIT :limit"
)
_POSTGRESQL_INDEXED = text(
    "WITH hits AS MATERIALIZED (SELECT seq, case_id, source_kind, source_id FROM search_documents"
    " WHERE body_tsv @@ plainto_tsquery('simple', :q) AND office_code = :office"
    " AND seq >= :lowest AND seq < :before)"
    " SELECT seq, case_id, source_kind, source_id FROM hits ORDER BY seq DESC LIMIT :limit"
)
