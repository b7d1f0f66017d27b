"""The clerk's web workspace: ``web_accounts``, ``web_sessions`` and ``sign_in_failures``.

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-30

Local accounts of the workspace keep Argon2 password hashes and an optional TOTP secret (sealed like
personal data on an encrypted store), each acting as one configured principal (``petitionkit
account``). A session is kept only as the SHA-256 of its random id; a failed sign-in as the digest of
the name typed, the client address and why (docs/web.md).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from petitionkit.storage.sql.types import UtcDateTime

revision: str = "0015"
down_revision: str | Sequence[str] | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "web_accounts",
        sa.Column("id", sa.String(40), nullable=False),
        sa.Column("office_code", sa.String(64), nullable=False),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("principal_id", sa.Text(), nullable=False),
        sa.Column("password_hash", sa.Text(), nullable=False),
        sa.Column("totp_secret", sa.Text(), nullable=True),
        sa.Column("locale", sa.String(16), nullable=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("changed_at", UtcDateTime(), nullable=True),
        sa.Column("disabled_at", UtcDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_web_accounts")),
        sa.UniqueConstraint("office_code", "username", name="uq_web_accounts_office_username"),
    )
    op.create_table(
        "web_sessions",
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("office_code", sa.String(64), nullable=False),
        sa.Column("principal_id", sa.Text(), nullable=False),
        sa.Column("account_id", sa.String(40), nullable=True),
        sa.Column("subject", sa.Text(), nullable=True),
        sa.Column("locale", sa.String(16), nullable=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("seen_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("digest", name=op.f("pk_web_sessions")),
    )
    op.create_index("ix_web_sessions_account", "web_sessions", ["account_id"])
    op.create_index("ix_web_sessions_office_seen", "web_sessions", ["office_code", "seen_at"])
    op.create_table(
        "sign_in_failures",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("office_code", sa.String(64), nullable=False),
        sa.Column("at", UtcDateTime(), nullable=False),
        sa.Column("name_digest", sa.String(64), nullable=False),
        sa.Column("account_id", sa.String(40), nullable=True),
        sa.Column("reason", sa.String(16), nullable=False),
        sa.Column("client", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sign_in_failures")),
    )
    op.create_index("ix_sign_in_failures_name", "sign_in_failures", ["office_code", "name_digest", "at"])


def downgrade() -> None:
    op.drop_index("ix_sign_in_failures_name", table_name="sign_in_failures")
    op.drop_table("sign_in_failures")
    op.drop_index("ix_web_sessions_office_seen", table_name="web_sessions")
    op.drop_index("ix_web_sessions_account", table_name="web_sessions")
    op.drop_table("web_sessions")
    op.drop_table("web_accounts")
