"""Repeat detection at intake: secondary identity keys and repeats of closed matters.

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-30

``petitioner_identities.kind`` tells the identity digest reports count people by (``person``, every
existing row) from the secondary keys of repeat detection (``phone``, ``address``), which share the
existing ``(office_code, digest, case_id)`` index: a candidate lookup is an index range scan, never a
table scan.  ``petitions.repeat_of`` holds the tracking number of the closed (terminated or withdrawn)
case a petition repeats when the rule pack made it open a case of its own; the partial index lets the
report count those repeats by received date without reading the other petitions.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | Sequence[str] | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("petitioner_identities") as batch:
        batch.add_column(sa.Column("kind", sa.String(10), nullable=False, server_default="person"))
    with op.batch_alter_table("petitions") as batch:
        batch.add_column(sa.Column("repeat_of", sa.String(80), nullable=True))
    op.create_index(
        "ix_petitions_office_repeat_received",
        "petitions",
        ["office_code", "received_at"],
        sqlite_where=sa.text("repeat_of IS NOT NULL"),
        postgresql_where=sa.text("repeat_of IS NOT NULL"),
    )


def downgrade() -> None:
    op.drop_index("ix_petitions_office_repeat_received", table_name="petitions")
    with op.batch_alter_table("petitions") as batch:
        batch.drop_column("repeat_of")
    with op.batch_alter_table("petitioner_identities") as batch:
        batch.drop_column("kind")
