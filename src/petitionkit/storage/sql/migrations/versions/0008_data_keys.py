"""Envelope keys of field encryption: the ``data_keys`` table.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07

Each office's data key (AES-256-GCM, for petitioners, petition subjects and content, case
subjects and outbox contexts) and blind-index key (HMAC-SHA-256, for repeat detection), stored only
wrapped by a master key that never enters the database. No column changes type: ciphertexts are
text (``pk1:<key id>:<base64>``), and a JSON column holds a JSON string. Existing rows are encrypted,
and existing identity digests re-keyed in place (HMAC over the stored digest), when the office is
first opened with a master key (``petitionkit.storage.sql.encryption``), not by this revision.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from petitionkit.storage.sql.types import UtcDateTime

revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "data_keys",
        sa.Column("key_id", sa.String(40), nullable=False),
        sa.Column("office_code", sa.String(64), nullable=False),
        sa.Column("purpose", sa.String(10), nullable=False),
        sa.Column("master_key_id", sa.String(40), nullable=False),
        sa.Column("wrapped", sa.Text(), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("retired_at", UtcDateTime(), nullable=True),
        sa.CheckConstraint("purpose IN ('data', 'index')", name=op.f("ck_data_keys_purpose")),
        sa.PrimaryKeyConstraint("key_id", name=op.f("pk_data_keys")),
    )
    op.create_index(
        "ux_data_keys_office_purpose_live",
        "data_keys",
        ["office_code", "purpose"],
        unique=True,
        sqlite_where=sa.text("retired_at IS NULL"),
        postgresql_where=sa.text("retired_at IS NULL"),
    )


def downgrade() -> None:
    op.drop_index("ux_data_keys_office_purpose_live", table_name="data_keys")
    op.drop_table("data_keys")
