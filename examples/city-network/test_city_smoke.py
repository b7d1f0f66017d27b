"""Smoke test of the city deployment on PostgreSQL: three offices, one database, referrals between levels."""

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
def deployment(tmp_path: Path, postgresql_url: str, monkeypatch: pytest.MonkeyPatch) -> Path:
    target = tmp_path / "city-network"
    shutil.copytree(HERE, target, ignore=shutil.ignore_patterns("__pycache__", "test_*.py"))
    monkeypatch.chdir(target)
    monkeypatch.setenv("PETITIONKIT_DATABASE_URL", postgresql_url)
    return target


def run(clock: FakeClock, office: str, *args: str) -> Any:
    result = CliRunner().invoke(
        cli, ["--json", "--config", f"{office}.toml", *args], obj={"clock": clock}, catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_the_city_assigns_to_a_county_and_gets_the_county_reply_back(deployment: Path) -> None:
    clock = FakeClock(datetime(2026, 6, 1, 9, 0, tzinfo=SHANGHAI))
    run(clock, "city", "db", "upgrade")
    reg = run(
        clock,
        "city",
        "register",
        "--channel",
        "online",
        "--kind",
        "claim",
        "--subject",
        "拖欠工资",
        "--content",
        "县内企业拖欠工资",
        "--category",
        "labour",
        "--region",
        "330199",
        "--name",
        "张三",
        "--phone",
        "13800138000",
    )
    routed = run(clock, "city", "route", reg["tracking_number"], "--apply")
    assert routed["routing"]["rule_id"] == "county-qingxi" and routed["case"]["state"] == "assigned"
    # The county office finds it in its own list, referred in from the city.
    (arrived,) = run(clock, "qingxi", "list")["cases"]
    assert arrived["tracking_number"] == "QX-2026-000001"
    assert run(clock, "yunxi", "list")["count"] == 0
    county_case = run(clock, "qingxi", "route", "QX-2026-000001", "--apply")["case"]
    assert county_case["referrals"][0]["body_code"] == "QX-HRSS"
    clock.advance(days=12)
    run(clock, "qingxi", "report", "QX-2026-000001", "--outcome", "support", "--text", "已责成企业支付")
    city_case = run(clock, "city", "show", reg["tracking_number"])["case"]
    assert city_case["state"] == "replied" and "已责成企业支付" in city_case["reply"]["text"]
    report = next(o for o in city_case["obligations"] if o["clock"] == "referral_report")
    assert report["status"] == "met"
