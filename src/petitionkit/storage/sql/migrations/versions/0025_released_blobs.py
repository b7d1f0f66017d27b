"""Blobs released by a key rotation or a purge, and the attachment indexes that find them.

Revision ID: 0025
Revises: 0021
Create Date: 2026-11-30

A key rotation re-seals each attachment's blob under the new data key (a new blob, by content address)
and a purge of attachments deletes their rows; the blob that is no longer named is written to
``released_blobs`` in the same transaction and deleted from the blob store after the commit, so a crash
between the two leaves a row the next run finishes.  ``ix_attachments_sealed_with`` lets the rotation
find the blobs under a retiring key, ``ix_attachments_blob_ref`` tells whether another attachment still
shares a blob before it is deleted.

(Chained to 0021 on the blobs branch; the lead re-chains it after 0024 when merging.)
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from petitionkit.storage.sql.types import UtcDateTime

revision: str = "0025"
down_revision: str | Sequence[str] | None = "0023"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "released_blobs",
        sa.Column("office_code", sa.String(64), primary_key=True),
        sa.Column("blob_ref", sa.String(64), primary_key=True),
        sa.Column("released_at", UtcDateTime(), nullable=False),
    )
    op.create_index("ix_attachments_sealed_with", "attachments", ["sealed_with", "id"])
    op.create_index("ix_attachments_blob_ref", "attachments", ["blob_ref"])


def downgrade() -> None:
    op.drop_index("ix_attachments_blob_ref", table_name="attachments")
    op.drop_index("ix_attachments_sealed_with", table_name="attachments")
    op.drop_table("released_blobs")
