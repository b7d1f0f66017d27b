"""Referrals keep every feedback a body sends on a transfer: the ``referrals.feedbacks`` column.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-30

Before this revision a second feedback replaced the first in ``referrals.feedback``. The new JSON
column holds the whole history (text, received_on, recorded_at, recorded_by), oldest first. Existing
rows are not rewritten: a NULL history is read back as the one feedback text the row kept (without
the date it arrived or who recorded it, which were never stored). Downgrading drops the history;
``feedback`` still holds the latest text.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | Sequence[str] | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("referrals") as batch:
        batch.add_column(sa.Column("feedbacks", sa.JSON(none_as_null=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("referrals") as batch:
        batch.drop_column("feedbacks")
