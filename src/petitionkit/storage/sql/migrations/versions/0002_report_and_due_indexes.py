"""Indexes for the report queries and the due/overdue list.

Revision ID: 0002
Revises: 0001
Create Date: 2026-03-09

Reports count cases of one office by region or category over an opened-date range, and list
petitions by received date; without these indexes each report scans every case.  The due/overdue
list reads open obligations only: a partial index on ``status = 'open'`` keeps it small however
many closed obligations pile up over the years.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_cases_office_region_opened", "cases", ["office_code", "region_code", "opened_at"])
    op.create_index("ix_cases_office_category_opened", "cases", ["office_code", "category", "opened_at"])
    op.create_index("ix_petitions_office_received", "petitions", ["office_code", "received_at"])
    op.create_index(
        "ix_obligations_open_due",
        "obligations",
        ["office_code", "due", "case_id", "clock"],
        sqlite_where=sa.text("status = 'open'"),
        postgresql_where=sa.text("status = 'open'"),
    )


def downgrade() -> None:
    op.drop_index("ix_obligations_open_due", table_name="obligations")
    op.drop_index("ix_petitions_office_received", table_name="petitions")
    op.drop_index("ix_cases_office_category_opened", table_name="cases")
    op.drop_index("ix_cases_office_region_opened", table_name="cases")
