"""The last TOTP time step accepted per workspace account: a code signs in once (no replay).

Revision ID: 0021
Revises: 0020
Create Date: 2026-11-30

A TOTP code stays valid for its 30-second step and one step either side; without the step of the
last code accepted, a code seen over a clerk's shoulder (or in a proxy's log) signed in again within
that window.  ``totp_last_step`` is NULL until the account's first code is accepted.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0021"
down_revision: str | Sequence[str] | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("web_accounts") as batch:
        batch.add_column(sa.Column("totp_last_step", sa.BigInteger(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("web_accounts") as batch:
        batch.drop_column("totp_last_step")
