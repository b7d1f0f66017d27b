"""A raw dump of an office's database (what ``sqlite3 .dump`` or ``pg_dump`` would show), for canary checks."""

from __future__ import annotations

import sqlite3

import sqlalchemy as sa

from petitionkit.storage.sql.engine import parse_url


def raw_dump(url: str, base_dir: str) -> str:
    """SQLite: ``iterdump``; PostgreSQL: every row of every table of the schema, and each as text."""
    parsed = parse_url(url, base_dir)
    if parsed.get_backend_name() == "sqlite":
        connection = sqlite3.connect(str(parsed.database))
        try:
            return "\n".join(connection.iterdump())
        finally:
            connection.close()
    engine = sa.create_engine(parsed)
    try:
        with engine.connect() as c:
            names = c.execute(
                sa.text("SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()")
            ).scalars()
            lines = []
            for name in sorted(names):
                lines.extend(str(tuple(row)) for row in c.execute(sa.text(f'SELECT * FROM "{name}" ORDER BY 1')))
                lines.extend(c.execute(sa.text(f'SELECT CAST(t AS text) FROM "{name}" AS t ORDER BY 1')).scalars())
        return "\n".join(lines)
    finally:
        engine.dispose()
