"""Access records are sealed with the audit key, like events.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30

Each record of a read of personal data carries the id of the audit key that sealed it and an
HMAC over its fields, so ``petitionkit audit verify`` finds a record edited or forged behind
petitionkit's back. Records written before have neither and are reported as unkeyed.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("access_log") as batch:
        batch.add_column(sa.Column("key_id", sa.Text(), nullable=True))
        batch.add_column(sa.Column("seal", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("access_log") as batch:
        batch.drop_column("seal")
        batch.drop_column("key_id")
