"""The due/overdue list and the case list page by keyset: their indexes end with the row's id.

Revision ID: 0020
Revises: 0014
Create Date: 2026-11-30

A page of the due list starts after the sort key ``(due, case_id, clock, id)`` of the previous page's
last duty, a page of cases after ``(opened_at, first_tracking_number, id)``.  With the whole key in the
index the database starts each page where the last one ended and reads one page, instead of an
``OFFSET`` reading and discarding every row before it (at 100,000 overdue duties, the whole list).
The due list's index also ends with ``owed_by``, so the list's total (the duties owed by the office
and bodies, not the petitioner's windows) is counted from the index alone, without reading the table:
at 100,000 overdue duties that keeps the count from filling SQLite's page cache with table pages.
The new indexes replace the ones they extend (a prefix of each serves every query the old one did).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020"
down_revision: str | Sequence[str] | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_OPEN = sa.text("status = 'open'")


def upgrade() -> None:
    op.create_index(
        "ix_obligations_open_due_key",
        "obligations",
        ["office_code", "due", "case_id", "clock", "id", "owed_by"],
        sqlite_where=_OPEN,
        postgresql_where=_OPEN,
    )
    op.drop_index("ix_obligations_open_due", table_name="obligations")
    op.create_index("ix_cases_office_opened_key", "cases", ["office_code", "opened_at", "first_tracking_number", "id"])
    op.drop_index("ix_cases_office_opened", table_name="cases")


def downgrade() -> None:
    op.create_index("ix_cases_office_opened", "cases", ["office_code", "opened_at"])
    op.drop_index("ix_cases_office_opened_key", table_name="cases")
    op.create_index(
        "ix_obligations_open_due",
        "obligations",
        ["office_code", "due", "case_id", "clock"],
        sqlite_where=_OPEN,
        postgresql_where=_OPEN,
    )
    op.drop_index("ix_obligations_open_due_key", table_name="obligations")
