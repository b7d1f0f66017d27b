"""Smoke test of the county reference deployment: its own files, driven through the command line."""

from __future__ import annotations

import json
import shutil
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from petitionkit.cli import cli
from petitionkit.testing import SHANGHAI, FakeClock

HERE = Path(__file__).resolve().parent


@pytest.fixture
def office_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    target = tmp_path / "office"
    shutil.copytree(HERE, target, ignore=shutil.ignore_patterns("*.db*", "__pycache__", "test_*.py"))
    monkeypatch.chdir(target)
    return target


def run(clock: FakeClock, *args: str) -> Any:
    result = CliRunner().invoke(cli, ["--json", *args], obj={"clock": clock}, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_the_county_office_registers_routes_and_keeps_its_clocks(office_dir: Path) -> None:
    clock = FakeClock(datetime(2026, 4, 13, 9, 0, tzinfo=SHANGHAI))
    assert run(clock, "db", "upgrade")
    reg = run(
        clock,
        "register",
        "--channel",
        "visit",
        "--kind",
        "claim",
        "--subject",
        "拖欠工资",
        "--content",
        "工地拖欠工资",
        "--category",
        "labour",
        "--region",
        "330199",
        "--name",
        "张三",
        "--id-number",
        "11010519491231002X",
        "--phone",
        "13800138000",
    )
    notice = reg["case"]["obligations"][0]
    assert notice["due"] == "2026-04-28"  # 15 days from 13 April; 20 April (县庆日) is mid-period
    routed = run(clock, "route", reg["tracking_number"], "--apply")
    assert routed["routing"]["rule_id"] == "labour"
    report = next(o for o in routed["case"]["obligations"] if o["clock"] == "referral_report")
    assert report["body_code"] == "QX-HRSS" and report["due"] == "2026-05-13"  # 30 days, 1-5 May holiday
    assert (office_dir / "office.db").exists()
    shown = run(clock, "rules", "show")["rules"]
    assert any(b["code"] == "QX-HRSS" for b in shown["bodies"])
