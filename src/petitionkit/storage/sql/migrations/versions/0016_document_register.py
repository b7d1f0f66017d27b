"""The document register (发文登记) and the formal-document number counters (文号).

Revision ID: 0016
Revises: 0014
Create Date: 2026-11-30

``document_counters`` holds one counter per office, document kind and year, bumped inside the unit
of work that records the document; ``issued_documents`` lists every document issued, one row per
act and kind, so a reprint gets the same number and date (docs/reports.md, "Document numbers").
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from petitionkit.storage.sql.types import IsoDate, UtcDateTime

revision: str = "0016"
down_revision: str | Sequence[str] | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "document_counters",
        sa.Column("office_code", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(64), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("last_value", sa.Integer(), nullable=False),
        sa.CheckConstraint("last_value >= 0", name=op.f("ck_document_counters_last_value_not_negative")),
        sa.PrimaryKeyConstraint("office_code", "kind", "year", name=op.f("pk_document_counters")),
    )
    op.create_table(
        "issued_documents",
        sa.Column("office_code", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(64), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("number", sa.Text(), nullable=False),
        sa.Column("case_id", sa.String(32), nullable=False),
        sa.Column("tracking_number", sa.Text(), nullable=False),
        sa.Column("act", sa.String(64), nullable=False),
        sa.Column("act_date", IsoDate(), nullable=False),
        sa.Column("issued_at", UtcDateTime(), nullable=False),
        sa.Column("actor", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("office_code", "kind", "year", "sequence", name=op.f("pk_issued_documents")),
        sa.UniqueConstraint(
            "office_code", "kind", "case_id", "act", name=op.f("uq_issued_documents_office_code_kind_case_id_act")
        ),
    )
    op.create_index("ix_issued_documents_issued", "issued_documents", ["office_code", "issued_at"])


def downgrade() -> None:
    op.drop_index("ix_issued_documents_issued", table_name="issued_documents")
    op.drop_table("issued_documents")
    op.drop_table("document_counters")
