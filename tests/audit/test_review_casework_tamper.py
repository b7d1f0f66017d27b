"""Security review: ``petitionkit audit verify`` (and so the workspace's audit page) finds casework
records edited, swapped or deleted behind petitionkit's back, as it finds edited cases (SQLite and
PostgreSQL, a real office made by ``petitionkit init``: sealed records)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from click.testing import CliRunner, Result

from petitionkit.cli import cli
from petitionkit.config import OfficeConfig
from petitionkit.service import Office
from petitionkit.storage.sql.engine import parse_url
from petitionkit.storage.sql.tables import casework
from petitionkit.testing import open_test_office, sample_petition


def run(folder: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--config", str(folder / "petitionkit.toml"), "--json", *args])


def _office(folder: Path) -> Office:
    return open_test_office(OfficeConfig.load(folder / "petitionkit.toml"))


@pytest.fixture
def folder(db_url: str, tmp_path: Path) -> Path:
    """An office made by ``petitionkit init`` on ``db_url`` with one accepted case."""
    folder = tmp_path / "office"
    result = CliRunner().invoke(
        cli, ["init", str(folder), "--database-url", db_url, "--rules", "builtin", "--no-sample-county"]
    )
    assert result.exit_code == 0, result.output
    with _office(folder) as office:
        office.accept(office.register(sample_petition()).case.id)
    return folder


@pytest.fixture
def engine(folder: Path) -> Iterator[sa.Engine]:
    config = OfficeConfig.load(folder / "petitionkit.toml")
    found = sa.create_engine(parse_url(config.database_url, config.base_dir))
    yield found
    found.dispose()


def _investigated(folder: Path) -> tuple[str, str, str]:
    with _office(folder) as office:
        case = next(c for c in office.search() if c.last_sequence > 1)
        reception = office.receive(case.id, channel="visit", asked="问", explained="答")
        plan = office.plan_investigation(
            case.id, mode="open", investigators=["li"], places=["工地"], due_on=office.today(), purpose="核实"
        )
        office.record_findings(case.id, plan.id, findings="属实")
    return case.id, reception.id, plan.id


def _casework_breaks(folder: Path) -> list[dict[str, Any]]:
    result = run(folder, "audit", "verify")
    assert result.exit_code == 9, result.output
    report = json.loads(result.stdout)
    return list(next(v for v in report["verifiers"] if v["name"] == "casework")["breaks"])


def test_an_intact_office_verifies_its_casework(folder: Path) -> None:
    _investigated(folder)
    result = run(folder, "audit", "verify")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    checked = next(v for v in report["verifiers"] if v["name"] == "casework")
    assert checked["records"] == 2 and checked["intact"]


def test_a_deleted_investigation_is_found(folder: Path, engine: sa.Engine) -> None:
    case_id, _, investigation = _investigated(folder)
    with engine.begin() as c:
        c.execute(sa.delete(casework).where(casework.c.id == investigation))
    breaks = _casework_breaks(folder)
    assert [(b["subject"], b["item"], b["problem"]) for b in breaks] == [(case_id, investigation, "casework_altered")]


def test_a_record_swapped_for_another_is_found(folder: Path, engine: sa.Engine) -> None:
    case_id, reception, investigation = _investigated(folder)
    with engine.begin() as c:
        body = c.execute(sa.select(casework.c.body).where(casework.c.id == reception)).scalar_one()
        c.execute(sa.update(casework).where(casework.c.id == investigation).values(body=body))
    breaks = _casework_breaks(folder)
    assert [b["subject"] for b in breaks] == [case_id]
    assert breaks[0]["problem"] in ("casework_altered", "undecryptable")
