"""Database fixtures for petitionkit's tests and for plugin authors' (a pytest plugin module).

Use them with ``pytest_plugins = ["petitionkit.testing.databases"]`` in a ``conftest.py``:
``sqlite_url`` (a SQLite file per test), ``postgresql_url`` (a PostgreSQL schema per test) and
``db_url`` (each of them in turn).

PostgreSQL tests run when ``PETITIONKIT_TEST_POSTGRESQL_URL`` names a server, e.g.
``postgresql+psycopg://postgres@127.0.0.1:5432/test``; each test gets a fresh schema
(``pk_<random>``, selected with ``search_path``) that is dropped afterwards, so several runs can
share one database.  With ``PETITIONKIT_REQUIRE_POSTGRESQL=1`` a missing or unreachable server
fails the tests instead of skipping them (CI sets both).
"""

from __future__ import annotations

import os
import sqlite3
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

PG_URL_ENV = "PETITIONKIT_TEST_POSTGRESQL_URL"
PG_REQUIRED_ENV = "PETITIONKIT_REQUIRE_POSTGRESQL"
HOW_TO_ENABLE = (
    f"PostgreSQL tests skipped: set {PG_URL_ENV}=postgresql+psycopg://postgres@127.0.0.1:5432/test "
    f"(and {PG_REQUIRED_ENV}=1 to make a missing server an error)"
)


def _unavailable(reason: str) -> None:
    if os.environ.get(PG_REQUIRED_ENV) == "1":
        pytest.fail(f"{PG_REQUIRED_ENV}=1 but {reason}", pytrace=False)
    pytest.skip(f"{HOW_TO_ENABLE}; {reason}")


@pytest.fixture(scope="session")
def postgresql_base_url() -> str:
    """The server URL from the environment, checked once per session."""
    url = os.environ.get(PG_URL_ENV)
    if not url:
        _unavailable(f"{PG_URL_ENV} is not set")
        raise AssertionError("unreachable")
    engine = create_engine(url, connect_args={"connect_timeout": 5})
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as exc:
        _unavailable(f"cannot connect to {make_url(url).render_as_string(hide_password=True)}: {exc}")
    finally:
        engine.dispose()
    return url


def schema_url(base_url: str, schema: str) -> str:
    """``base_url`` with every connection's search_path set to ``schema``."""
    url = make_url(base_url).update_query_dict({"options": f"-csearch_path={schema}"})
    return url.render_as_string(hide_password=False)


@contextmanager
def temporary_schema(base_url: str, prefix: str = "pk") -> Iterator[str]:
    """A URL whose connections see a fresh, empty schema of their own, dropped on exit."""
    schema = f"{prefix}_{uuid.uuid4().hex[:16]}"
    admin = create_engine(base_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        yield schema_url(base_url, schema)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def postgresql_url(postgresql_base_url: str) -> Iterator[str]:
    """A URL whose connections see a fresh, empty schema of their own (dropped after the test)."""
    with temporary_schema(postgresql_base_url) as url:
        yield url


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'office.db'}"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)])
def db_url(request: pytest.FixtureRequest) -> str:
    """An empty database of each kind (the PostgreSQL one only when a server is configured)."""
    if request.param == "sqlite":
        return str(request.getfixturevalue("sqlite_url"))
    return str(request.getfixturevalue("postgresql_url"))


def raw_dump(url: str, base_dir: str | Path = ".") -> str:
    """What someone holding the database file sees, for canary checks (no personal data in it).

    SQLite: ``iterdump`` (as ``sqlite3 .dump``); PostgreSQL: every row of every table of the current
    schema, both as the driver reads it and cast to text (what ``pg_dump`` would write).
    """
    from petitionkit.storage.sql.engine import parse_url  # noqa: PLC0415 - only the dump needs the SQL backend

    parsed = parse_url(url, str(base_dir))
    if parsed.get_backend_name() == "sqlite":
        connection = sqlite3.connect(str(parsed.database))
        try:
            return "\n".join(connection.iterdump())
        finally:
            connection.close()
    engine = create_engine(parsed)
    try:
        with engine.connect() as c:
            names = c.execute(
                text("SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()")
            ).scalars()
            lines: list[str] = []
            for name in sorted(names):
                lines.extend(str(tuple(row)) for row in c.execute(text(f'SELECT * FROM "{name}" ORDER BY 1')))
                lines.extend(c.execute(text(f'SELECT CAST(t AS text) FROM "{name}" AS t ORDER BY 1')).scalars())
        return "\n".join(lines)
    finally:
        engine.dispose()
