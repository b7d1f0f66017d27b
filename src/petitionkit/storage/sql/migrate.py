"""Schema versions: where a database stands, creating a new one, and ``upgrade``.

The migrations ship inside the package (``migrations/``) and record their revision in
``petitionkit_alembic_version``.  A database is one of:

* **empty** (no tables at all): the store creates the head schema by itself;
* **current** (at the head revision): ready;
* **outdated** (an older petitionkit revision): the store refuses to run until
  ``petitionkit db upgrade`` has migrated it;
* **newer** (a revision this petitionkit does not know): written by a newer petitionkit;
* **foreign** (tables, but no petitionkit version table): another application's database, which
  petitionkit never creates anything in or changes.
"""

from __future__ import annotations

import contextlib
import enum
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path

import attrs
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text
from sqlalchemy.engine import URL, Connection, Engine
from sqlalchemy.exc import DBAPIError

from petitionkit.errors import StorageError
from petitionkit.storage.sql.engine import first_line, hide_password, make_engine, parse_url, sqlite_path
from petitionkit.storage.sql.tables import VERSION_TABLE

MIGRATIONS = Path(__file__).with_name("migrations")
UPGRADE_HINT = "back it up, then run 'petitionkit db upgrade'"


class SchemaState(enum.StrEnum):
    MISSING = "missing"  # a SQLite file that does not exist yet
    EMPTY = "empty"
    CURRENT = "current"
    OUTDATED = "outdated"
    NEWER = "newer"
    FOREIGN = "foreign"


@attrs.frozen
class SchemaStatus:
    """Where a database stands against the migrations this petitionkit ships."""

    url: str  # password hidden
    state: SchemaState
    revision: str | None
    head: str
    table_count: int = 0


def alembic_config(connection: Connection | None = None) -> Config:
    """An alembic configuration for the packaged migrations (no ini file needed)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


@lru_cache(maxsize=1)
def _script() -> ScriptDirectory:
    return ScriptDirectory.from_config(alembic_config())


def head_revision() -> str:
    head = _script().get_current_head()
    assert head is not None
    return head


def known_revisions() -> frozenset[str]:
    return frozenset(s.revision for s in _script().walk_revisions())


def schema_status(connection: Connection, url: URL | str) -> SchemaStatus:
    """Inspect the database behind ``connection`` without changing anything."""
    shown = hide_password(url)
    names = inspect(connection).get_table_names()
    head = head_revision()
    if not names:
        return SchemaStatus(shown, SchemaState.EMPTY, None, head)
    if VERSION_TABLE not in names:
        return SchemaStatus(shown, SchemaState.FOREIGN, None, head, len(names))
    context = MigrationContext.configure(connection, opts={"version_table": VERSION_TABLE})
    heads = context.get_current_heads()
    revision = heads[0] if len(heads) == 1 else None
    if revision == head:
        state = SchemaState.CURRENT
    elif revision in known_revisions():
        state = SchemaState.OUTDATED
    else:
        state = SchemaState.NEWER
    return SchemaStatus(shown, state, revision, head, len(names))


def refusal(status: SchemaStatus) -> StorageError | None:
    """The error that stops a store from running on this database, if any."""
    if status.state is SchemaState.FOREIGN:
        return StorageError(
            status.url,
            f"the database has {status.table_count} tables of another application and no petitionkit schema; "
            "petitionkit changes nothing there. Give it an empty database of its own, or on PostgreSQL "
            "a schema of its own (?options=-csearch_path%3Dpetitionkit)",
        )
    if status.state is SchemaState.OUTDATED:
        return StorageError(
            status.url,
            f"the database schema is at revision {status.revision}, this petitionkit needs {status.head}; "
            + UPGRADE_HINT,
        )
    if status.state is SchemaState.NEWER:
        shown = status.revision or "unknown (the version table is empty or has several rows)"
        return StorageError(
            status.url,
            f"the database schema is at revision {shown}, which this petitionkit does not know "
            f"(its newest is {status.head}); upgrade petitionkit or restore the right database",
        )
    return None


def serialize_schema_changes(connection: Connection) -> None:
    """Make concurrent creators of one database wait for each other (SQLite: BEGIN IMMEDIATE does it)."""
    if connection.dialect.name == "postgresql":
        connection.execute(
            text("SELECT pg_advisory_xact_lock(hashtext(coalesce(current_schema(), '') || '/petitionkit'))")
        )


def migrate(connection: Connection, revision: str = "head") -> None:
    """Run the migrations up to ``revision`` inside the caller's transaction."""
    command.upgrade(alembic_config(connection), revision)


def set_wal(engine: Engine) -> None:
    """Switch a SQLite file to WAL (persistent; needs no open transaction, so a raw connection)."""
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.close()
    finally:
        raw.close()


def connection_problem(url: URL, exc: BaseException) -> StorageError:
    """A clear ``StorageError`` for a database that cannot be reached or opened."""
    message = first_line(exc)
    lower = message.lower()
    path = sqlite_path(url)
    if path is not None:
        if "not a database" in lower:
            problem = f"{path} is not a SQLite database; point the URL at a petitionkit database or a new file"
        elif "readonly" in lower or "read-only" in lower:
            problem = f"{path} is read-only; petitionkit needs to write to the file and its folder"
        else:
            problem = f"cannot open or create {path} ({message}); check that the folder exists and is writable"
    else:
        problem = (
            f"cannot connect ({message}); check the host, port, database name, user and password, "
            "and that the server runs"
        )
    return StorageError(hide_password(url), problem)


@contextlib.contextmanager
def _created_file_removed_on_failure(url: URL) -> Iterator[None]:
    path = sqlite_path(url)
    existed = path is None or path.exists()
    try:
        yield
    except BaseException:
        if not existed and path is not None:
            for leftover in (path, Path(f"{path}-wal"), Path(f"{path}-shm"), Path(f"{path}-journal")):
                with contextlib.suppress(OSError):
                    leftover.unlink()
        raise


def check_sqlite_folder(url: URL) -> None:
    path = sqlite_path(url)
    if path is not None and not path.parent.is_dir():
        raise StorageError(hide_password(url), f"the folder {path.parent} does not exist; create it or correct the URL")


def open_schema(engine: Engine, url: URL) -> SchemaStatus:
    """Bring a store's database to a usable state or refuse: create an empty one at head, else check it.

    Runs in one transaction, so two processes opening a brand-new database do not both create it.
    Nothing is created or changed in a database that is refused.
    """
    check_sqlite_folder(url)
    with _created_file_removed_on_failure(url):
        try:
            with engine.connect() as connection:
                transaction = connection.begin()
                try:
                    serialize_schema_changes(connection)
                    status = schema_status(connection, url)
                    if status.state is SchemaState.EMPTY:
                        migrate(connection)
                        status = attrs.evolve(status, state=SchemaState.CURRENT, revision=head_revision())
                        transaction.commit()
                    else:
                        error = refusal(status)
                        if error is not None:
                            raise error
                        if connection.dialect.name == "sqlite":
                            # Fails now, with a clear message, if the file or its folder is read-only.
                            connection.execute(text(f"UPDATE {VERSION_TABLE} SET version_num = version_num"))
                        transaction.rollback()
                finally:
                    if transaction.is_active:
                        transaction.rollback()
            if sqlite_path(url) is not None:
                set_wal(engine)
        except DBAPIError as exc:
            raise connection_problem(url, exc) from None
    return status


def upgrade(url: str, revision: str = "head", *, base_dir: str | Path = ".") -> tuple[str | None, str]:
    """Migrate the database at ``url`` to ``revision`` (default: the newest); return (before, after).

    Creates the schema in an empty database; refuses another application's database and one written
    by a newer petitionkit.  Raises :class:`StorageError` with what to do.
    """
    parsed = parse_url(url, base_dir)
    check_sqlite_folder(parsed)
    engine = make_engine(parsed)
    try:
        with _created_file_removed_on_failure(parsed):
            try:
                with engine.begin() as connection:
                    serialize_schema_changes(connection)
                    status = schema_status(connection, parsed)
                    if status.state in (SchemaState.FOREIGN, SchemaState.NEWER):
                        error = refusal(status)
                        assert error is not None
                        raise error
                    migrate(connection, revision)
                    after = MigrationContext.configure(
                        connection, opts={"version_table": VERSION_TABLE}
                    ).get_current_revision()
                if sqlite_path(parsed) is not None:
                    set_wal(engine)
            except DBAPIError as exc:
                raise connection_problem(parsed, exc) from None
    finally:
        engine.dispose()
    return status.revision, after or ""


def current(url: str, *, base_dir: str | Path = ".") -> SchemaStatus:
    """Where the database at ``url`` stands; changes nothing (a missing SQLite file is not created)."""
    parsed = parse_url(url, base_dir)
    path = sqlite_path(parsed)
    if path is not None and not path.exists():
        check_sqlite_folder(parsed)
        return SchemaStatus(hide_password(parsed), SchemaState.MISSING, None, head_revision())
    engine = make_engine(parsed)
    try:
        with engine.connect() as connection:
            status = schema_status(connection, parsed)
            connection.rollback()
        return status
    except DBAPIError as exc:
        raise connection_problem(parsed, exc) from None
    finally:
        engine.dispose()
