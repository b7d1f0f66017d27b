"""Casework records: receptions (接谈), investigations (调查核实) and the legal basis cited.

Revision ID: 0017
Revises: 0014
Create Date: 2026-11-30

One ``casework`` row per record of a case; ``body`` holds the record whole, sealed with the office's
data key on an encrypted store (the texts of a talk or an interview hold personal data). ``kind``,
``happened_at`` and ``settled`` are copied out for the period report's counts (docs/casework.md).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from petitionkit.storage.sql.types import UtcDateTime

revision: str = "0017"
down_revision: str | Sequence[str] | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "casework",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("case_id", sa.String(32), nullable=False),
        sa.Column("office_code", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("happened_at", UtcDateTime(), nullable=False),
        sa.Column("settled", sa.Boolean(), nullable=True),
        sa.Column("body", sa.JSON(none_as_null=True), nullable=False),
        sa.CheckConstraint("kind IN ('reception', 'investigation', 'basis')", name=op.f("ck_casework_kind")),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_casework_case_id_cases")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_casework")),
    )
    op.create_index("ix_casework_case", "casework", ["case_id"])
    op.create_index("ix_casework_office_kind_happened", "casework", ["office_code", "kind", "happened_at"])


def downgrade() -> None:
    op.drop_index("ix_casework_office_kind_happened", table_name="casework")
    op.drop_index("ix_casework_case", table_name="casework")
    op.drop_table("casework")
