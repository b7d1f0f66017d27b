"""Offices filled with the planted history (report_dataset), built once per backend per session.

Backends: memory, SQLite, and PostgreSQL when ``PETITIONKIT_TEST_POSTGRESQL_URL`` names a server
(a schema of its own, dropped at the end; ``PETITIONKIT_REQUIRE_POSTGRESQL=1`` turns a missing
server into a failure), with the fixtures of ``petitionkit.testing.databases``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from report_dataset import Built, build, settings_for

from petitionkit.testing import FakeClock, open_test_office
from petitionkit.testing.databases import temporary_schema


@pytest.fixture(scope="session")
def report_pg_url(postgresql_base_url: str) -> Iterator[str]:
    """A fresh PostgreSQL schema for the session's report offices."""
    with temporary_schema(postgresql_base_url, "pk_reports") as url:
        yield url


def _build(kind: str, url: str | None) -> Built:
    clock = FakeClock()
    office = open_test_office(settings_for(url), clock=clock)
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
