"""Petitions remember the key of the legacy row they were imported from.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27

Offices migrating from spreadsheets re-run imports; a unique (office_code, source_ref) index makes a
second run add nothing, even if two imports run at once.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("petitions") as batch:
        batch.add_column(sa.Column("source_ref", sa.Text(), nullable=True))
    op.create_index(
        "ux_petitions_office_source_ref",
        "petitions",
        ["office_code", "source_ref"],
        unique=True,
        sqlite_where=sa.text("source_ref IS NOT NULL"),
        postgresql_where=sa.text("source_ref IS NOT NULL"),
    )


def downgrade() -> None:
    op.drop_index("ux_petitions_office_source_ref", table_name="petitions")
    with op.batch_alter_table("petitions") as batch:
        batch.drop_column("source_ref")
