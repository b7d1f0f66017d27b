"""Obligations record the years their due date was counted on the provisional calendar.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29

Before the State Council publishes a year's holiday schedule, clocks reaching into that year are
counted on the statutory holidays alone and marked provisional (预计); ``petitionkit recompute``
recounts them when the schedule is out. Existing rows were all counted on official data: "".
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("obligations") as batch:
        batch.add_column(sa.Column("basis_provisional_years", sa.Text(), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("obligations") as batch:
        batch.drop_column("basis_provisional_years")
