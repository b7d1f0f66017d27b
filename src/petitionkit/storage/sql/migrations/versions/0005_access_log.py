"""An append-only record of every read of personal data (``access_log``).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06

Who read (principal id and roles), when, which case or query, how many records and the stated
purpose (PIPL arts. 51, 55; GB/T 22239 level 3 audit).  Rows are only ever inserted.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from petitionkit.storage.sql.types import UtcDateTime

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "access_log",
        sa.Column("seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("office_code", sa.String(length=64), nullable=False),
        sa.Column("principal_id", sa.Text(), nullable=False),
        sa.Column("roles", sa.Text(), nullable=False),
        sa.Column("at", UtcDateTime(), nullable=False),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("case_id", sa.String(length=32), nullable=True),
        sa.Column("query", sa.Text(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("purpose", sa.Text(), nullable=False),
        sa.CheckConstraint("count >= 0", name=op.f("ck_access_log_count_not_negative")),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_access_log")),
        sa.UniqueConstraint("id", name=op.f("uq_access_log_id")),
    )
    op.create_index("ix_access_log_office_code_at", "access_log", ["office_code", "at"])
    op.create_index("ix_access_log_case_id", "access_log", ["case_id"])
    op.create_index("ix_access_log_principal_id", "access_log", ["principal_id"])


def downgrade() -> None:
    op.drop_index("ix_access_log_principal_id", table_name="access_log")
    op.drop_index("ix_access_log_case_id", table_name="access_log")
    op.drop_index("ix_access_log_office_code_at", table_name="access_log")
    op.drop_table("access_log")
