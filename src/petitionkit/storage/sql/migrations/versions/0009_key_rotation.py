"""Key rotation and SM4-GCM: ``data_keys.algorithm`` and ``data_keys.destroyed_at``.

Revision ID: 0009
Revises: 0011
Create Date: 2026-11-30

``algorithm`` records each data key's cipher (``aes-256-gcm``, every key before this revision, or
``sm4-gcm``); ``destroyed_at`` marks a retired key whose wrapped secret a completed rotation erased
(``petitionkit keys rotate``): the row stays as a record that the key existed and when it ended.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from petitionkit.storage.sql.types import UtcDateTime

revision: str = "0009"
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("data_keys") as batch:
        batch.add_column(sa.Column("algorithm", sa.String(20), nullable=False, server_default="aes-256-gcm"))
        batch.add_column(sa.Column("destroyed_at", UtcDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("data_keys") as batch:
        batch.drop_column("destroyed_at")
        batch.drop_column("algorithm")
