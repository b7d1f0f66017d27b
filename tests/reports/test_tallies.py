"""Petition tallies (revision 0023): the counts read from ``petition_tallies`` are the counts of the petitions.

Randomized petitions are registered through the service in a SQL office and an in-memory one alike;
after every batch the SQL source reading the tallies, the same source counting petitions
(``tallies=False``, the queries from before the tallies) and the in-memory source must agree, for
windows on whole UTC hours (Asia/Shanghai days: the tallies are read) and windows that are not
(Asia/Kolkata, UTC+5:30: the petitions are counted).  Writes the service never makes (updates of every
counted field, deletes) are made in SQL to prove the triggers, and the migration's backfill and
downgrade are checked on a database filled before the revision.
"""

from __future__ import annotations

import importlib.util
import json
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from alembic import command
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import create_engine, inspect, text

from petitionkit.cli import cli
from petitionkit.reports import Period
from petitionkit.reports.source import Dimension, Scope, report_source
from petitionkit.reports.sql_source import SqlReportSource, _on_the_hour
from petitionkit.service import Office
from petitionkit.storage.sql import SqlStorage, head_revision, tallies, upgrade
from petitionkit.storage.sql.migrate import alembic_config
from petitionkit.storage.sql.tallies import rebuild_statements
from petitionkit.testing import SHANGHAI, FakeClock, office_settings, open_test_office, sample_petition

NOW = datetime(2026, 4, 10, 9, 0, tzinfo=SHANGHAI)
SCOPE = Scope(("XS",))
DIMENSIONS = (None, *Dimension)
ZONES = (SHANGHAI, ZoneInfo("Asia/Kolkata"))
UNITS = ("某街道办事处", "某村委会", "")


def _windows(zone: ZoneInfo) -> list[list[Any]]:
    """Groups of windows in ``zone`` (those of one call equal or disjoint, as the protocol asks): whole months,
    a month with no petition, a quarter, a single day, a range of days."""
    months = [Period.month(2026, m) for m in (1, 2, 3, 4)] + [Period.month(2025, 1)]
    return [
        [p.window(zone) for p in months],
        [Period.quarter(2026, 1).window(zone), Period.quarter(2025, 4).window(zone)],
        [Period.between(date(2026, 3, 1), date(2026, 3, 1)).window(zone)],
        [Period.between(date(2026, 3, 10), date(2026, 4, 10)).window(zone)],
    ]


def figures(source: Any) -> dict[str, Any]:
    """Every figure the tallies answer, over every group of windows of both zones."""
    found: dict[str, Any] = {}
    with source.session():
        for zone in ZONES:
            for n, windows in enumerate(_windows(zone)):
                found[f"{zone.key} {n} totals"] = source.petition_totals(SCOPE, windows)
                found[f"{zone.key} {n} repeats"] = source.repeat_petitions(SCOPE, windows)
                for by in DIMENSIONS:
                    found[f"{zone.key} {n} {by}"] = source.petition_counts(SCOPE, windows, by)
    return found


def _sources(office: Office) -> tuple[Any, Any]:
    tallied = report_source(office.storage, office.pm)
    assert isinstance(tallied, SqlReportSource) and tallied.tallies
    counted = SqlReportSource.for_storage(office.storage)
    counted.tallies = False
    return tallied, counted


petition_inputs = st.fixed_dictionaries(
    {
        "minutes": st.integers(min_value=0, max_value=60 * 24 * 120),
        "channel": st.sampled_from(("letter", "visit", "online", "phone")),
        "kind": st.sampled_from(("claim", "suggestion", "accusation")),
        "category": st.sampled_from(("labour", "housing", "land", "environment")),
        "region_code": st.sampled_from(("330102", "330109", "330110")),
        "headcount": st.sampled_from((1, 1, 2, 5, 12)),
        "anonymous": st.booleans(),
        "respondent": st.one_of(
            st.none(),
            st.sampled_from(("GOV-HRSS", "GOV-HOUSING")).map(lambda b: {"person_name": "某某", "body_code": b}),
            st.sampled_from(UNITS).map(lambda u: {"person_name": "某某", "unit_name": u or None}),
        ),
        "joins": st.booleans(),
        "resolve": st.sampled_from((None, None, "GOV-LAND")),
    }
)


def _register(office: Office, drawn: dict[str, Any], earlier: list[str]) -> str:
    received = NOW - timedelta(minutes=drawn["minutes"])
    data = sample_petition(
        channel=drawn["channel"],
        received_at=received.isoformat(),
        kind=drawn["kind"],
        category=drawn["category"],
        region_code=drawn["region_code"],
    )
    if drawn["headcount"] > 1:
        data["headcount"] = drawn["headcount"]
        data["petitioners"][0]["role"] = "representative"
    elif drawn["anonymous"] and drawn["channel"] in ("letter", "online"):
        data["anonymous"] = True
        data.pop("petitioners")
    if drawn["respondent"] is not None and drawn["kind"] == "accusation":
        data["respondent"] = drawn["respondent"]
    if drawn["joins"] and earlier and not data.get("anonymous"):
        data["joins_case"] = earlier[drawn["minutes"] % len(earlier)]
    registration = office.register(data)
    if drawn["resolve"] and drawn["kind"] == "accusation":  # a correction of the respondent (a counted field)
        office.resolve_respondent(
            registration.case.id, body=drawn["resolve"], petition=registration.petition.tracking_number
        )
    return registration.petition.tracking_number


@pytest.fixture
def offices(db_url: str) -> Iterator[tuple[Office, Office]]:
    clock = FakeClock(NOW)
    with (
        open_test_office(office_settings(), storage=SqlStorage(db_url), clock=clock) as sql_office,
        open_test_office(office_settings(), clock=clock) as memory_office,
    ):
        yield sql_office, memory_office


def test_the_windows_of_the_two_zones_take_both_paths() -> None:
    assert all(_on_the_hour(w) for w in _windows(SHANGHAI))
    assert not any(_on_the_hour(w) for w in _windows(ZoneInfo("Asia/Kolkata")))


def test_tallied_figures_equal_counted_ones_and_the_memory_store(offices: tuple[Office, Office]) -> None:
    sql_office, memory_office = offices
    tallied, counted = _sources(sql_office)
    in_memory = report_source(memory_office.storage, memory_office.pm)
    earlier: list[str] = []

    @settings(suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow], deadline=None)
    @given(st.lists(petition_inputs, min_size=1, max_size=4))
    def check(batch: list[dict[str, Any]]) -> None:
        for drawn in batch:
            number = _register(sql_office, drawn, earlier)
            assert _register(memory_office, drawn, earlier) == number
            earlier.append(number)
        expected = figures(in_memory)
        assert figures(counted) == expected
        assert figures(tallied) == expected

    try:
        check()
    finally:
        tallied.close()
        counted.close()
    assert figures(in_memory)[f"{SHANGHAI.key} 1 totals"][0].petitions > 0  # the quarter held petitions


def _scramble(url: str, seed: int) -> None:
    """Change every counted field of some petitions and delete others, in SQL (no service does all this)."""
    engine = create_engine(url)
    updates = (
        "UPDATE petitions SET category = 'housing' WHERE id IN (SELECT id FROM petitions ORDER BY id LIMIT 3)",
        "UPDATE petitions SET region_code = '330182', channel = 'visit', kind = 'suggestion' "
        "WHERE id IN (SELECT id FROM petitions ORDER BY tracking_number DESC LIMIT 2)",
        "UPDATE petitions SET headcount = headcount + 6 "
        "WHERE id IN (SELECT id FROM petitions ORDER BY id DESC LIMIT 2)",
        "UPDATE petitions SET respondent_body_code = NULL, respondent = NULL WHERE respondent_body_code IS NOT NULL",
        # a unit named as written, then resolved to the body of that very code: only the body's key changes
        """UPDATE petitions SET respondent = '{"unit_name": "GOV-HRSS"}' """
        "WHERE id IN (SELECT id FROM petitions ORDER BY id DESC LIMIT 3)",
        "UPDATE petitions SET respondent_body_code = 'GOV-HRSS' "
        "WHERE id IN (SELECT id FROM petitions ORDER BY id DESC LIMIT 3)",
        "UPDATE petitions SET repeat_of = 'XS-2025-000001' WHERE id IN (SELECT id FROM petitions ORDER BY id LIMIT 1)",
        "UPDATE petitions SET subject = subject WHERE id IN (SELECT id FROM petitions ORDER BY id LIMIT 4)",
    )
    with engine.begin() as connection:
        for statement in updates:
            connection.execute(text(statement))
        moved = connection.execute(text("SELECT id, received_at FROM petitions ORDER BY id LIMIT 2")).all()
        for pid, received in moved:  # a received time corrected by days (another hour, month or window)
            later = (received if isinstance(received, datetime) else datetime.fromisoformat(received)) + timedelta(
                days=seed % 40 + 1, minutes=7
            )
            connection.execute(
                text("UPDATE petitions SET received_at = :t WHERE id = :id"),
                {"t": later if connection.dialect.name == "postgresql" else later.isoformat(timespec="microseconds"),
                 "id": pid},
            )  # fmt: skip
        victim = connection.execute(
            text("SELECT id FROM petitions p WHERE NOT EXISTS (SELECT 1 FROM petitions q WHERE q.case_id = p.case_id "
                 "AND q.id <> p.id) ORDER BY id DESC LIMIT 1")
        ).scalar()  # fmt: skip
        if victim is not None:
            connection.execute(text("DELETE FROM petitioner_identities WHERE petition_id = :id"), {"id": victim})
            connection.execute(text("DELETE FROM petitions WHERE id = :id"), {"id": victim})
    engine.dispose()


@pytest.mark.parametrize("seed", [3, 17])
def test_updates_and_deletes_of_petitions_keep_the_tallies(db_url: str, seed: int) -> None:
    clock = FakeClock(NOW)
    with open_test_office(office_settings(), storage=SqlStorage(db_url), clock=clock) as office:
        earlier: list[str] = []
        for i in range(12):
            drawn = {
                "minutes": (i * 7919 * seed) % (60 * 24 * 90),
                "channel": ("letter", "visit", "online")[i % 3],
                "kind": ("claim", "accusation")[i % 2],
                "category": ("labour", "land")[i % 2],
                "region_code": "330109",
                "headcount": (1, 5)[i % 2],
                "anonymous": False,
                "respondent": {"person_name": "某某", "body_code": "GOV-HRSS"} if i % 4 == 1 else None,
                "joins": i % 5 == 4,
                "resolve": None,
            }
            earlier.append(_register(office, drawn, earlier))
        _scramble(db_url, seed)
        tallied, counted = _sources(office)
        try:
            assert figures(tallied) == figures(counted)
        finally:
            tallied.close()
            counted.close()


def test_the_migration_counts_what_is_stored_and_the_downgrade_drops_the_tallies(db_url: str) -> None:
    clock = FakeClock(NOW)
    with open_test_office(office_settings(), storage=SqlStorage(db_url), clock=clock) as office:
        for i in range(6):
            office.register(
                sample_petition(received_at=(NOW - timedelta(days=9 * i, hours=i)).isoformat(), category="land")
            )
        tallied, counted = _sources(office)
        expected = figures(counted)
        tallied.close()
        counted.close()
    engine = create_engine(db_url)
    with engine.begin() as connection:
        command.downgrade(alembic_config(connection), "0023-1")
    with engine.connect() as connection:
        assert not inspect(connection).has_table("petition_tallies")
        triggers = (
            "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'petition_tallies%'"
            if connection.dialect.name == "sqlite"
            else "SELECT count(*) FROM pg_trigger WHERE tgrelid = to_regclass('petitions') "
            "AND tgname LIKE 'petition_tallies%'"  # the test's own schema (search_path), not the database's
        )
        assert connection.execute(text(triggers)).scalar() == 0
    engine.dispose()
    before, after = upgrade(db_url)  # the upgrade backfills
    assert before not in (None, "0023") and after == head_revision()
    with open_test_office(office_settings(), storage=SqlStorage(db_url), clock=clock) as office:
        tallied, counted = _sources(office)
        assert figures(tallied) == expected == figures(counted)
        assert expected[f"{SHANGHAI.key} 0 totals"][4].petitions == 0
        assert sum(expected[f"{SHANGHAI.key} 0 None"].values()) > 0
        tallied.close()
        counted.close()


def test_a_rebuild_gives_the_tallies_the_triggers_kept(sqlite_url: str) -> None:
    clock = FakeClock(NOW)
    with open_test_office(office_settings(), storage=SqlStorage(sqlite_url), clock=clock) as office:
        for i in range(5):
            office.register(sample_petition(received_at=(NOW - timedelta(hours=5 * i)).isoformat()))
    engine = create_engine(sqlite_url)
    read = "SELECT * FROM petition_tallies WHERE petitions <> 0 ORDER BY office_code, dimension, hour, key"
    with engine.begin() as connection:
        kept = connection.execute(text(read)).all()
        for statement in rebuild_statements("sqlite"):
            connection.execute(text(statement))
        assert connection.execute(text(read)).all() == kept and len(kept) > 7
    engine.dispose()


def test_cli_rebuild_tallies_repairs_tallies_changed_by_hand(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'office.db'}"
    clock = FakeClock(NOW)
    with open_test_office(office_settings(), storage=SqlStorage(url), clock=clock) as office:
        for i in range(4):
            office.register(sample_petition(received_at=(NOW - timedelta(days=20 * i)).isoformat(), category="land"))
        tallied, counted = _sources(office)
        expected = figures(counted)
        engine = create_engine(url)
        with engine.begin() as connection:  # someone edits the derived table by hand
            connection.execute(text("UPDATE petition_tallies SET petitions = petitions + 3 WHERE dimension = 'kind'"))
            connection.execute(text("DELETE FROM petition_tallies WHERE dimension = 'all'"))
        engine.dispose()
        assert figures(tallied) != expected
        config = tmp_path / "petitionkit.toml"
        config.write_text(f'[office]\noffice_code = "XS"\n\n[database]\nurl = "{url}"\n', encoding="utf-8")
        done = CliRunner().invoke(cli, ["--config", str(config), "--json", "db", "rebuild-tallies"])
        assert done.exit_code == 0, done.output
        assert json.loads(done.output)["tally_rows"] > 7
        human = CliRunner().invoke(cli, ["--config", str(config), "--locale", "zh-CN", "db", "rebuild-tallies"])
        assert human.exit_code == 0 and "已重新统计信访计数" in human.output
        assert figures(tallied) == expected
        tallied.close()
        counted.close()


def test_revision_0023_spells_out_the_sql_the_tallies_module_makes() -> None:
    """The migration keeps its own copy of the trigger and backfill SQL (a migration never changes after it
    shipped); while storage.sql.tallies makes the same, a rebuild and the triggers agree with it."""
    path = Path(tallies.__file__).parent / "migrations" / "versions" / "0023_petition_tallies.py"
    spec = importlib.util.spec_from_file_location("revision_0023", path)
    assert spec is not None and spec.loader is not None
    revision = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(revision)
    for dialect in ("sqlite", "postgresql"):
        assert revision.BACKFILL[dialect] == tuple(tallies.rebuild_statements(dialect))
        assert revision.TRIGGERS[dialect] == tuple(tallies.create_statements(dialect))
        assert revision.DROP_TRIGGERS[dialect] == tuple(tallies.drop_statements(dialect))
    assert (revision.COUNTS, revision.FILLFACTOR) == (tallies.COUNTS, tallies.FILLFACTOR)
