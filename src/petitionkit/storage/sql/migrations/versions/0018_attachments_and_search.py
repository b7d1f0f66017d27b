"""Attachments and the search index: the ``attachments`` and ``search_documents`` tables.

Revision ID: 0018
Revises: 0014
Create Date: 2026-11-30

``attachments`` describes each attached file (its bytes are in the blob store, encrypted; the digest
is the SHA-256 its ``AttachmentAdded`` event carries). ``search_documents`` holds one segmented text
per source of a case (subject, petition, and later reception and investigation records), free of
personal data. SQLite indexes it with the FTS5 table ``search_fts`` (external content, kept in step
by triggers); PostgreSQL with a GIN index over ``to_tsvector('simple', body)``. Existing cases are
indexed by ``petitionkit search reindex`` (docs/attachments.md).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from petitionkit.storage.sql.types import UtcDateTime

revision: str = "0018"
down_revision: str | Sequence[str] | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SQLITE_FTS = (
    "CREATE VIRTUAL TABLE search_fts USING fts5(body, content='search_documents', content_rowid='seq')",
    "CREATE TRIGGER search_documents_ai AFTER INSERT ON search_documents BEGIN"
    " INSERT INTO search_fts(rowid, body) VALUES (new.seq, new.body); END",
    "CREATE TRIGGER search_documents_ad AFTER DELETE ON search_documents BEGIN"
    " INSERT INTO search_fts(search_fts, rowid, body) VALUES ('delete', old.seq, old.body); END",
    "CREATE TRIGGER search_documents_au AFTER UPDATE ON search_documents BEGIN"
    " INSERT INTO search_fts(search_fts, rowid, body) VALUES ('delete', old.seq, old.body);"
    " INSERT INTO search_fts(rowid, body) VALUES (new.seq, new.body); END",
)
POSTGRESQL_GIN = "CREATE INDEX ix_search_documents_tsv ON search_documents USING gin (to_tsvector('simple', body))"


def upgrade() -> None:
    op.create_table(
        "attachments",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("office_code", sa.String(64), nullable=False),
        sa.Column("case_id", sa.String(32), nullable=False),
        sa.Column("petition_id", sa.String(32), nullable=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("media_type", sa.String(120), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("blob_ref", sa.String(64), nullable=False),
        sa.Column("filename", sa.Text(), nullable=False),
        sa.Column("added_at", UtcDateTime(), nullable=False),
        sa.Column("added_by", sa.Text(), nullable=False),
        sa.Column("sealed_with", sa.String(40), nullable=True),
        sa.CheckConstraint(
            "kind IN ('letter', 'photo', 'audio', 'document', 'evidence')", name=op.f("ck_attachments_kind")
        ),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_attachments_case_id_cases")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attachments")),
    )
    op.create_index("ix_attachments_case", "attachments", ["case_id", "added_at"])
    op.create_index("ix_attachments_office", "attachments", ["office_code", "id"])
    op.create_table(
        "search_documents",
        sa.Column("seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("office_code", sa.String(64), nullable=False),
        sa.Column("case_id", sa.String(32), nullable=False),
        sa.Column("source_kind", sa.String(32), nullable=False),
        sa.Column("source_id", sa.String(64), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_search_documents_case_id_cases")),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_search_documents")),
        sa.UniqueConstraint(
            "case_id", "source_kind", "source_id", name=op.f("uq_search_documents_case_id_source_kind_source_id")
        ),
    )
    op.create_index("ix_search_documents_office", "search_documents", ["office_code", "seq"])
    if op.get_context().dialect.name == "sqlite":
        for statement in SQLITE_FTS:
            op.execute(statement)
    else:
        op.execute(POSTGRESQL_GIN)


def downgrade() -> None:
    if op.get_context().dialect.name == "sqlite":
        op.execute("DROP TABLE search_fts")  # its triggers go with search_documents
    else:
        op.execute("DROP INDEX ix_search_documents_tsv")
    op.drop_index("ix_search_documents_office", table_name="search_documents")
    op.drop_table("search_documents")
    op.drop_index("ix_attachments_office", table_name="attachments")
    op.drop_index("ix_attachments_case", table_name="attachments")
    op.drop_table("attachments")
