"""The period report's covering index on petitions (issue 21).

Revision ID: 0019
Revises: 0014
Create Date: 2026-11-30

Every breakdown of the period report counts the petitions received in a window by one column
(channel, kind, category, region, respondent body, office) and sums headcounts.  The petitions table is
wide (each row carries the petition's text), so a scan of the period's rows through the old
``(office_code, received_at)`` index read most of the table.  The covering index holds every column
those counts read after its ``(office_code, received_at)`` prefix, so the database answers them from the
index alone; it replaces the old index, which is its prefix (one B-tree more per petition would cost
registration and import for nothing).
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0019"
down_revision: str | Sequence[str] | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COVER = [
    "office_code",
    "received_at",
    "channel",
    "kind",
    "category",
    "region_code",
    "headcount",
    "anonymous",
    "respondent_body_code",
    "case_id",
]


def upgrade() -> None:
    op.create_index("ix_petitions_office_received_cover", "petitions", COVER)
    op.drop_index("ix_petitions_office_received", table_name="petitions")


def downgrade() -> None:
    op.create_index("ix_petitions_office_received", "petitions", ["office_code", "received_at"])
    op.drop_index("ix_petitions_office_received_cover", table_name="petitions")
