"""A large backlog made fast: the cases and open obligations of an office, copied in the database.

Registering 100,000 petitions through the office takes minutes; a test of how a list behaves at that
size needs only the rows the list reads.  :func:`multiply_backlog` copies every case of an SQLite
office with its obligations ``times`` times with one ``INSERT ... SELECT`` per table (a recursive CTE
numbers the copies), in a couple of seconds: each copy has its own id and tracking number, the same
due dates and states.  Petitions, events and referrals are not copied, so the copies are for lists
(due, overdue, cases) only: audit verification or an export would find them incomplete.
"""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from petitionkit.storage.sql.tables import cases, obligations

_NUMBERS = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < :times) "


def _copy(table: sa.Table, changed: dict[str, str]) -> str:
    columns = [c.name for c in table.columns]
    values = [changed.get(name, f"t.{name}") for name in columns]
    return (
        f"{_NUMBERS}INSERT INTO {table.name} ({', '.join(columns)}) "
        f"SELECT {', '.join(values)} FROM {table.name} AS t CROSS JOIN n WHERE t.id NOT LIKE 'x%'"
    )


def _new_id(column: str) -> str:
    """A copy's id: ``x`` and the copy's number in place of the original's last characters (32 in all)."""
    return f"'x' || printf('%07d', n.i) || substr({column}, 9)"


def multiply_backlog(database: Path, times: int) -> int:
    """Add ``times`` copies of every case of the SQLite database at ``database`` (and of its
    obligations); return how many cases it then holds."""
    engine = sa.create_engine(f"sqlite:///{database}")
    try:
        with engine.begin() as connection:
            connection.execute(
                sa.text(
                    _copy(
                        cases,
                        {
                            "id": _new_id("t.id"),
                            "first_tracking_number": "t.first_tracking_number || '-' || n.i",
                        },
                    )
                ),
                {"times": times},
            )
            connection.execute(
                sa.text(_copy(obligations, {"id": _new_id("t.id"), "case_id": _new_id("t.case_id")})),
                {"times": times},
            )
            return int(connection.execute(sa.text("SELECT count(*) FROM cases")).scalar_one())
    finally:
        engine.dispose()
