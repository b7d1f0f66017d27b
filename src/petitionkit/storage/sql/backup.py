"""A consistent copy of a SQLite database with SQLite's online backup API (``sqlite3.Connection.backup``).

The copy is taken on a connection of the store's own engine, page by page, while the office keeps
working: SQLite restarts the copy if another connection writes meanwhile, so the result is one
consistent snapshot.  PostgreSQL is refused (its tool is ``pg_dump``, see docs/operations.md).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

from petitionkit.errors import ConfigurationError
from petitionkit.storage.sql.engine import sqlite_path
from petitionkit.storage.sql.tables import VERSION_TABLE


def database_file(storage: Any) -> Path:
    """The file of ``storage``'s SQLite database; a :class:`ConfigurationError` for anything else."""
    engine = getattr(storage, "engine", None)
    if engine is None:
        raise ConfigurationError.of("database.url", "config.backup_sqlite_only", url=storage.url)
    url = make_url(str(engine.url))
    if url.get_backend_name() == "postgresql":
        raise ConfigurationError(
            "database.url",
            "petitionkit backup copies SQLite files; back up PostgreSQL with pg_dump (docs/operations.md, Backups)",
        )
    path = sqlite_path(url)
    if path is None:
        raise ConfigurationError.of("database.url", "config.backup_in_memory", url=storage.url)
    return path


def online_copy(storage: Any, target: Path) -> None:
    """Copy ``storage``'s SQLite database into the (new, empty) file ``target`` with the backup API."""
    database_file(storage)  # refuses what is not a SQLite file
    raw = storage.engine.raw_connection()
    try:
        source: sqlite3.Connection = raw.driver_connection
        destination = sqlite3.connect(target)
        try:
            source.backup(destination, pages=1024)
        finally:
            destination.close()
    finally:
        raw.close()


def schema_revision(path: Path) -> str:
    """The schema revision recorded in the SQLite database ``path`` (``""`` when it has none)."""
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        found = connection.execute(f"SELECT version_num FROM {VERSION_TABLE}").fetchall()
    except sqlite3.DatabaseError:
        return ""
    finally:
        connection.close()
    return ",".join(sorted(str(r[0]) for r in found))
