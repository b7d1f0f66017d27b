"""Turning a database URL into a configured SQLAlchemy engine, and database errors into ``StorageError``.

SQLite (the embedded default, ``sqlite:///office.db``) gets WAL mode, a busy timeout, foreign keys
on, and every transaction begun with ``BEGIN IMMEDIATE`` (the pysqlite recipe in the SQLAlchemy
docs: the driver's own transaction handling is switched off and the engine's ``begin`` event issues
the statement), so two writers queue instead of failing half-way.  PostgreSQL runs at its default
isolation (READ COMMITTED) through psycopg 3.
"""

from __future__ import annotations

import contextlib
import re
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event
from sqlalchemy.engine import URL, Connection, Engine, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError
from sqlalchemy.pool import StaticPool

from petitionkit.errors import StorageError
from petitionkit.files import create_private
from petitionkit.storage.sql.types import dumps

SQLITE_SYNCHRONOUS = ("off", "normal", "full", "extra")
SQLITE_CACHE_KIB = 32 * 1024
_PASSWORD_IN_URL = re.compile(r"(://[^:/@]*:)[^@/]*@")


def hide_password(url: str | URL) -> str:
    """The URL for messages and logs: the password replaced by ``***``."""
    if isinstance(url, URL):
        return url.render_as_string(hide_password=True)
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # not parseable: mask what looks like a password
        return _PASSWORD_IN_URL.sub(r"\1***@", url)


def parse_url(url: str, base_dir: str | Path = ".") -> URL:
    """Parse and normalise ``url``; a relative SQLite path is taken from ``base_dir``.

    ``postgresql://`` without a driver means psycopg 3 (``postgresql+psycopg://``).
    """
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise StorageError(
            hide_password(url),
            "is not a database URL; use e.g. sqlite:///office.db or postgresql+psycopg://user@host/dbname",
        ) from None
    backend = parsed.get_backend_name()
    if backend == "postgresql":
        if parsed.drivername == "postgresql":
            parsed = parsed.set(drivername="postgresql+psycopg")
        elif parsed.get_driver_name() != "psycopg":
            raise StorageError(
                hide_password(parsed), "only the psycopg 3 driver is supported; write postgresql+psycopg://..."
            )
    elif backend == "sqlite":
        if parsed.get_driver_name() != "pysqlite":
            raise StorageError(
                hide_password(parsed), "only the built-in sqlite3 driver is supported; write sqlite:///..."
            )
        if not is_memory(parsed) and not parsed.query.get("uri"):
            path = Path(parsed.database or "").expanduser()
            if not path.is_absolute():
                path = Path(base_dir).expanduser() / path
            parsed = parsed.set(database=str(path.resolve()))
    else:
        raise StorageError(hide_password(parsed), "the SQL backend serves sqlite: and postgresql: URLs only")
    return parsed


def is_memory(url: URL) -> bool:
    return url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:")


def sqlite_path(url: URL) -> Path | None:
    """The database file of a SQLite URL (``None`` for an in-memory or ``uri=true`` database)."""
    if url.get_backend_name() != "sqlite" or is_memory(url) or url.query.get("uri"):
        return None
    return Path(url.database or "")


def make_engine(url: URL, *, busy_timeout: float = 30.0, synchronous: str = "full", pool_size: int = 5) -> Engine:
    """A configured engine for ``url`` (parsed by :func:`parse_url`); nothing is connected yet."""
    shown = hide_password(url)
    # hide_parameters: SQLAlchemy's statement log and its error texts never carry row values (names,
    # contents, or ciphertexts that would pair with them); the statement itself is still shown.
    options: dict[str, Any] = {"json_serializer": dumps, "hide_parameters": True}
    if url.get_backend_name() == "sqlite":
        if synchronous not in SQLITE_SYNCHRONOUS:
            raise StorageError(shown, f"sqlite synchronous must be one of {', '.join(SQLITE_SYNCHRONOUS)}")
        if is_memory(url):
            options.update(poolclass=StaticPool, connect_args={"check_same_thread": False})
        else:
            options.update(connect_args={"timeout": busy_timeout, "check_same_thread": False}, pool_size=pool_size)
    else:
        options.update(pool_size=pool_size, max_overflow=pool_size)
    try:
        engine = create_engine(url, **options)
    except (NoSuchModuleError, ImportError) as exc:
        extra = " (pip install 'petitionkit[postgresql]')" if url.get_backend_name() == "postgresql" else ""
        raise StorageError(shown, f"the database driver is not installed{extra}: {exc}") from None
    except (ArgumentError, TypeError) as exc:
        raise StorageError(shown, f"the URL has an option the driver does not understand: {exc}") from None
    if url.get_backend_name() == "sqlite":
        path = sqlite_path(url)
        if path is not None and path.parent.is_dir():
            # Created 0600 before SQLite opens it; its -wal and -shm files take the same mode. A folder
            # that is missing or not writable is left for the schema check to report (test_sql_open.py).
            with contextlib.suppress(OSError):
                create_private(path)
        _install_sqlite_hooks(engine, busy_ms=int(busy_timeout * 1000), synchronous=synchronous)
    return engine


def _install_sqlite_hooks(engine: Engine, *, busy_ms: int, synchronous: str) -> None:
    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        # Take BEGIN out of the driver's hands (it would defer it); the "begin" hook issues it.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("PRAGMA foreign_keys = ON")
            cursor.execute(f"PRAGMA busy_timeout = {busy_ms:d}")
            cursor.execute(f"PRAGMA synchronous = {synchronous.upper()}")
            # 32 MiB of page cache (the default is 2 MiB): the indexes of a large office stay in memory.
            cursor.execute(f"PRAGMA cache_size = -{SQLITE_CACHE_KIB:d}")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection: Connection) -> None:
        # Take the write lock up front: a writer waits (busy timeout) instead of failing on upgrade.
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def first_line(exc: BaseException) -> str:
    """The driver's message, first line, without SQLAlchemy's statement dump."""
    orig = getattr(exc, "orig", None) or exc
    text = str(orig).strip().splitlines()
    return text[0] if text else type(orig).__name__


def storage_error(url: URL | str, exc: DBAPIError) -> StorageError:
    """A ``StorageError`` for a database failure while working, with what to do."""
    message = first_line(exc)
    lower = message.lower()
    if "readonly" in lower or "read-only" in lower:
        hint = "the database is read-only; check the permissions of the file and its folder"
    elif "locked" in lower or "busy" in lower:
        hint = "the database stayed locked by another writer past the busy timeout; retry"
    elif "no such table" in lower or "does not exist" in lower:
        hint = "tables are missing; run 'petitionkit db upgrade' or check the database and schema"
    elif exc.connection_invalidated or "connection" in lower or "server" in lower:
        hint = "the connection to the database failed; check that the server runs and retry"
    else:
        hint = "the database refused the operation"
    return StorageError(hide_password(url), f"{hint} ({message})")
