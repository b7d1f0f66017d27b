"""PostgreSQL's search index: a stored ``tsvector`` column with its GIN index (SQLite unchanged).

Revision ID: 0022
Revises: 0021
Create Date: 2026-11-30

Revision 0018 indexed ``to_tsvector('simple', body)`` as a GIN expression index, so a search that walks
the newest documents computed ``to_tsvector`` of each one again (about 50 µs a document; a word
without hits read all 2,000,000 documents of the 1,000,000-petition office in 105 s).  The column
``body_tsv`` (generated, stored) holds the vector computed once on write, the GIN index moves onto it,
and ANALYZE keeps statistics of its words.  The search itself (storage.sql.attachment_state) walks a
bounded number of the newest documents first and otherwise asks the GIN index in windows.

Adding a stored generated column rewrites the table under an exclusive lock: at 2,000,000 documents
this took 405 s on a loaded 2-core machine, and the table grew by 2.7 GB (docs/benchmarks.md, "Search on
PostgreSQL at 1,000,000").  SQLite keeps its FTS5 table (revision 0018); nothing changes there.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0022"
down_revision: str | Sequence[str] | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UPGRADE = (
    "ALTER TABLE search_documents ADD COLUMN body_tsv tsvector"
    " GENERATED ALWAYS AS (to_tsvector('simple', body)) STORED",
    "CREATE INDEX ix_search_documents_body_tsv ON search_documents USING gin (body_tsv)",
    "DROP INDEX ix_search_documents_tsv",
    "ANALYZE search_documents",
)
DOWNGRADE = (
    "CREATE INDEX ix_search_documents_tsv ON search_documents USING gin (to_tsvector('simple', body))",
    "DROP INDEX ix_search_documents_body_tsv",
    "ALTER TABLE search_documents DROP COLUMN body_tsv",
)


def upgrade() -> None:
    if op.get_context().dialect.name == "postgresql":
        for statement in UPGRADE:
            op.execute(statement)


def downgrade() -> None:
    if op.get_context().dialect.name == "postgresql":
        for statement in DOWNGRADE:
            op.execute(statement)
