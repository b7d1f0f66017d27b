"""The HTTP API's state: the ``api_keys`` and ``idempotency_keys`` tables.

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-30

API keys of system integrations are stored as SHA-256 digests of their secrets, each scoped to one
configured principal, expiring and revocable (``petitionkit api-key``). Every POST with an
``Idempotency-Key`` keeps its response here (status 0 while it runs), so a retried request gets the
first answer again instead of registering a petition twice (docs/http.md).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from petitionkit.storage.sql.types import UtcDateTime

revision: str = "0014"
down_revision: str | Sequence[str] | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "api_keys",
        sa.Column("id", sa.String(40), nullable=False),
        sa.Column("office_code", sa.String(64), nullable=False),
        sa.Column("principal_id", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("expires_at", UtcDateTime(), nullable=False),
        sa.Column("created_by", sa.Text(), nullable=False),
        sa.Column("revoked_at", UtcDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_keys")),
    )
    op.create_index("ix_api_keys_office", "api_keys", ["office_code", "created_at"])
    op.create_table(
        "idempotency_keys",
        sa.Column("office_code", sa.String(64), nullable=False),
        sa.Column("principal_id", sa.String(200), nullable=False),
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("request_digest", sa.String(64), nullable=False),
        sa.Column("status", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("body_digest", sa.String(64), nullable=False),
        sa.Column("location", sa.Text(), nullable=True),
        sa.Column("started_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("office_code", "principal_id", "key", name=op.f("pk_idempotency_keys")),
    )


def downgrade() -> None:
    op.drop_table("idempotency_keys")
    op.drop_index("ix_api_keys_office", table_name="api_keys")
    op.drop_table("api_keys")
