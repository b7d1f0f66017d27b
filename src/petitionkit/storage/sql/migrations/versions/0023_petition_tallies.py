"""Petition tallies: the period report's petition counts per office, UTC hour, dimension and key (issue 21).

Revision ID: 0023
Revises: 0022
Create Date: 2026-11-30

The period report counted the petitions of its windows a dozen times (six breakdowns, totals, repeat
petitions, the trend line, the trend signals' history): over 1,000,000 petitions a year's report read
about 500,000 index entries per pass.  ``petition_tallies`` holds those counts per UTC hour, kept by
triggers on ``petitions`` in the same transaction as every write (storage.sql.tallies); the upgrade
counts every petition already stored, the downgrade drops the triggers and the table.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from petitionkit.storage.sql.tallies import COUNTS, FILLFACTOR, create_statements, drop_statements, rebuild_statements
from petitionkit.storage.sql.types import UtcDateTime

revision: str = "0023"
down_revision: str | Sequence[str] | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "petition_tallies",
        sa.Column("office_code", sa.String(64), nullable=False),
        sa.Column("dimension", sa.String(16), nullable=False),
        sa.Column("hour", UtcDateTime(), nullable=False),
        sa.Column("key", sa.Text(), nullable=False),
        *(sa.Column(name, sa.BigInteger(), nullable=False) for name in COUNTS),
        sa.PrimaryKeyConstraint("office_code", "dimension", "hour", "key", name=op.f("pk_petition_tallies")),
    )
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute(f"ALTER TABLE petition_tallies SET (fillfactor = {FILLFACTOR})")
    for statement in (*rebuild_statements(dialect), *create_statements(dialect)):
        op.execute(statement)


def downgrade() -> None:
    for statement in drop_statements(op.get_bind().dialect.name):
        op.execute(statement)
    op.drop_table("petition_tallies")
