"""Writes held until the transaction needs the server (PostgreSQL): one round trip for many statements.

A registration writes a case, its obligation, the petition, its identity keys and two events: five
statements that return nothing.  Sent one by one, each waits a round trip to the server, and on a busy
machine a round trip is a scheduling delay of the server's process (measured: 6–9 ms each under load,
docs/benchmarks.md).  So on PostgreSQL the transaction holds such writes (``executemany`` of fixed
``INSERT``/upsert statements: nothing reads their result) and sends them when it next talks to the
server, before any other statement and before the commit, in order:

* consecutive small batches in one psycopg **pipeline** (one sync, one round trip);
* an ``INSERT`` of at least :data:`COPY_ROWS` rows (bulk import) with ``COPY ... FROM STDIN`` (psycopg's
  copy), which the server loads without planning and binding each row.

Order is kept, so foreign keys see their parents first; an error of a held write surfaces as the same
SQLAlchemy error at the statement or commit that sent it, and the transaction rolls back whole.  SQLite
runs in the process: nothing is held there.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

#: An INSERT of this many rows or more goes by COPY (bulk import); fewer by the pipeline.
COPY_ROWS = 100

_INSERT = "INSERT INTO "

#: ``connection.info`` key of the transaction whose writes are held (for SQLAlchemy-run statements).
HELD_BY = "petitionkit_held_writes"


def copy_statement(sql: str) -> str | None:
    """``COPY table (columns) FROM STDIN`` for a plain ``INSERT``; ``None`` for an upsert or anything else."""
    if not sql.startswith(_INSERT) or "ON CONFLICT" in sql or " VALUES " not in sql:
        return None
    return "COPY " + sql.split(" VALUES ", 1)[0][len(_INSERT) :] + " FROM STDIN"


def send(connection: Any, cursor: Any, held: Sequence[tuple[str, list[Any]]]) -> None:
    """Send ``held`` (statement, rows) in order on the psycopg ``connection``: pipelines and COPY."""
    if len(held) == 1 and len(held[0][1]) == 1:
        sql, rows = held[0]
        cursor.execute(sql, rows[0])  # one row alone: a pipeline would add its sync to the round trip
        return
    start = 0
    while start < len(held):
        sql, rows = held[start]
        copy = copy_statement(sql) if len(rows) >= COPY_ROWS else None
        if copy is not None:
            with cursor.copy(copy) as stream:
                for row in rows:
                    stream.write_row(row)
            start += 1
            continue
        end = start
        with connection.pipeline():
            while end < len(held):
                sql, rows = held[end]
                if len(rows) >= COPY_ROWS and copy_statement(sql) is not None:
                    break
                cursor.executemany(sql, rows)
                end += 1
        start = end


def flush_before_statement(conn: Any, *_args: Any) -> None:
    """SQLAlchemy ``before_cursor_execute``: a statement run through SQLAlchemy sees the held writes."""
    held_by = conn.info.get(HELD_BY)
    if held_by is not None:
        held_by.flush()
