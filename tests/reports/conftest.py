"""Offices filled with the planted history (report_dataset), built once per backend per session.

Backends: memory, SQLite, and PostgreSQL when ``PETITIONKIT_TEST_POSTGRESQL_URL`` names a server
(a schema of its own, dropped at the end; ``PETITIONKIT_REQUIRE_POSTGRESQL=1`` turns a missing
server into a failure), as in tests/storage/conftest.py.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from report_dataset import Built, build, settings_for
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from petitionkit.service import open_office
from petitionkit.testing import FakeClock

PG_URL_ENV = "PETITIONKIT_TEST_POSTGRESQL_URL"
PG_REQUIRED_ENV = "PETITIONKIT_REQUIRE_POSTGRESQL"


def _unavailable(reason: str) -> None:
    if os.environ.get(PG_REQUIRED_ENV) == "1":
        pytest.fail(f"{PG_REQUIRED_ENV}=1 but {reason}", pytrace=False)
    pytest.skip(f"PostgreSQL report tests skipped: set {PG_URL_ENV}; {reason}")


@pytest.fixture(scope="session")
def report_pg_url() -> Iterator[str]:
    """A fresh PostgreSQL schema for the session's report offices."""
    base = os.environ.get(PG_URL_ENV)
    if not base:
        _unavailable(f"{PG_URL_ENV} is not set")
        raise AssertionError("unreachable")
    schema = f"pk_reports_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 5})
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception as exc:
        admin.dispose()
        _unavailable(f"cannot connect: {type(exc).__name__}")
    url = make_url(base).update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(False)
    try:
        yield url
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


def _build(kind: str, url: str | None) -> Built:
    clock = FakeClock()
    office = open_office(settings_for(url), clock=clock)
    log = build(office, clock)
    return Built(kind, office, clock, log, url)


@pytest.fixture(scope="session")
def built_memory() -> Iterator[Built]:
    built = _build("memory", None)
    yield built
    built.office.close()


@pytest.fixture(scope="session")
def built_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Built]:
    path: Path = tmp_path_factory.mktemp("reports") / "office.db"
    built = _build("sqlite", f"sqlite:///{path}")
    yield built
    built.office.close()


@pytest.fixture(scope="session")
def built_postgresql(report_pg_url: str) -> Iterator[Built]:
    built = _build("postgresql", report_pg_url)
    yield built
    built.office.close()


@pytest.fixture(params=["memory", "sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)])
def built(request: pytest.FixtureRequest) -> Built:
    """The planted office on each backend."""
    found: Built = request.getfixturevalue(f"built_{request.param}")
    return found
