"""Calendar continuity through the command line on the real clock (frozen with time-machine).

In late November and December the next year's holiday schedule is not out; an office must still
register, accept, assign and extend, with every date reaching into the unknown year marked
provisional, and recount them when the schedule is declared.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import time_machine
from click.testing import CliRunner, Result

from petitionkit.cli import cli
from petitionkit.config import OfficeConfig
from petitionkit.testing import SHANGHAI, open_test_office, rendered
from petitionkit.testing.calendars import schedule_pack

LETTER = [
    *("register", "--channel", "letter", "--kind", "claim", "--subject", "拖欠工资"),
    *("--content", "被拖欠工资三个月", "--category", "labour", "--region", "330199"),
    *("--name", "张三", "--phone", "13800138000"),
]

Run = Callable[..., Any]


@pytest.fixture
def office(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Path, Run]]:
    """``petitionkit init`` (national + the sample county) and a runner of JSON commands in the folder."""
    runner = CliRunner()

    def run(*args: str, ok: bool = True) -> Any:
        result: Result = runner.invoke(cli, ["--json", *args], catch_exceptions=False)
        if ok:
            assert result.exit_code == 0, result.output + result.stderr
        return json.loads(result.stdout) if result.stdout.strip() else {}

    monkeypatch.chdir(tmp_path)
    yield tmp_path / "office", run


def _travel(day: str) -> Any:
    return time_machine.travel(datetime.fromisoformat(f"{day}T10:00:00").replace(tzinfo=SHANGHAI), tick=True)


@pytest.mark.parametrize("today", ["2026-11-29", "2026-12-20"])
def test_register_accept_assign_extend_on_a_national_office(office: tuple[Path, Run], today: str) -> None:
    folder, run = office
    with _travel(today):
        made = run("init", str(folder))
        assert made["rules"] == "national" and made["calendar_warning"]["missing_year"] == 2027
        os.chdir(folder)
        first = run(*LETTER)
        second = run(*LETTER, "--new", "--reason", "另一事项")
        notice = {o["clock"]: o for o in first["case"]["obligations"]}["notice"]
        assert notice["provisional"] is (notice["due"] >= "2027-01-01")
        accepted = run("accept", first["tracking_number"])["case"]
        handling = {o["clock"]: o for o in accepted["obligations"]}["handling"]
        assert handling["due"] >= "2027-01-01" and handling["provisional"] is True
        assert handling["basis"]["provisional_years"] == [2027]
        assigned = run("assign", second["tracking_number"], "--body", "QX-HRSS")["case"]
        assert assigned["state"] == "assigned"
        report = {o["clock"]: o for o in assigned["obligations"]}["referral_report"]
        assert report["provisional"] is (report["due"] >= "2027-01-01")
        extended = run(
            "extend", first["tracking_number"], "--days", "30", "--reason", "需现场核查", "--approved-by", "zhao"
        )
        handling = {o["clock"]: o for o in extended["case"]["obligations"] if o["status"] == "open"}["handling"]
        assert handling["provisional"] is True and handling["basis"]["extension_days"] == 30
        # what a clerk reads: the due list, the explanation, the petitioner's notice
        due = run("due", "--days", "120")
        assert due["calendar_warning"]["missing_year"] == 2027
        assert any(o["provisional"] for o in due["obligations"])
        explained = run("explain", first["tracking_number"])["obligations"]
        handling_text = next(e["text"] for e in explained if e["clock"] == "handling" and e["status"] == "open")
        assert "预计" in handling_text and "全国年节及纪念日放假办法" in handling_text
        # the petitioner's notice as it will be delivered (rendered from what the outbox stores)
        with (
            open_test_office(OfficeConfig.load(folder / "petitionkit.toml")) as opened,
            opened.storage.transaction() as tx,
        ):
            rows = tx.claim_outbox("test", 100, opened.now(), opened.now())
            accepted = rendered(opened, next(r for r in rows if r.topic == "accepted")).body
        assert "（预计）" in accepted and "全国年节及纪念日放假办法" in accepted
        table = CliRunner().invoke(cli, ["due", "--days", "120"])
        assert "（预计）" in table.stdout and "2027" in table.stderr  # the warning goes to stderr


def test_a_declared_schedule_clears_the_provisional_flags_once(office: tuple[Path, Run]) -> None:
    folder, run = office
    with _travel("2026-12-07"):
        run("init", str(folder))
        os.chdir(folder)
        ref = run(*LETTER)["tracking_number"]
        handling = {o["clock"]: o for o in run("accept", ref)["case"]["obligations"]}["handling"]
        # 60 days end on Fri 5 Feb 2027, the statutory Spring Festival eve: 5-8 Feb off -> Tue 9 Feb
        assert (handling["due"], handling["provisional"]) == ("2027-02-09", True)

        # The schedule is out: the office declares it in a rule file and recomputes.
        (folder / "rules" / "year-2027.toml").write_text(schedule_pack(), encoding="utf-8")
        config = folder / "petitionkit.toml"
        text = config.read_text(encoding="utf-8")
        config.write_text(
            text.replace('files = ["rules/county.toml"]', 'files = ["rules/county.toml", "rules/year-2027.toml"]')
        )
        assert run("due")["calendar_warning"] is None  # 2027 is known now; 2028 is more than 60 days away

        recomputed = run("recompute")
        assert recomputed["recomputed_cases"] == [ref]
        case = run("show", ref)["case"]
        handling = {o["clock"]: o for o in case["obligations"]}["handling"]
        # the declared Spring Festival runs 5-12 Feb, then the weekend: Mon 15 Feb, final
        assert (handling["due"], handling["provisional"]) == ("2027-02-15", False)
        moved = [e for e in run("events", ref)["events"] if e["name"] == "DueDateRecomputed"]
        assert [
            (e["payload"]["days_moved"], e["payload"]["old_provisional"], e["payload"]["provisional"]) for e in moved
        ] == [(6, True, False)]
        staff = _outbox_types(folder)
        assert staff.count("staff_due_dates_moved") >= 1
        assert run("recompute")["count"] == 0  # a second run changes nothing
        assert _outbox_types(folder) == staff


def _outbox(folder: Path) -> list[dict[str, Any]]:
    with sqlite3.connect(folder / "office.db") as db:
        return [json.loads(row[0]) for row in db.execute("SELECT payload FROM outbox ORDER BY seq")]


def _outbox_types(folder: Path) -> list[str]:
    with sqlite3.connect(folder / "office.db") as db:
        return [json.loads(row[0])["type"] for row in db.execute("SELECT payload FROM outbox ORDER BY seq")]


def test_a_command_outside_an_office_folder_refuses_and_creates_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("PETITIONKIT_DATABASE_URL", raising=False)
    result = CliRunner().invoke(cli, ["--json", "due"])
    assert result.exit_code == 7
    error = json.loads(result.stdout)
    assert error["error"] == "configuration" and "petitionkit init" in json.dumps(error, ensure_ascii=False)
    assert list(tmp_path.iterdir()) == []


def test_on_todays_real_date_an_office_registers_and_accepts(office: tuple[Path, Run]) -> None:
    """No frozen clock: whatever today is, a national office accepts a claim and explains its clock."""
    folder, run = office
    run("init", str(folder))
    os.chdir(folder)
    ref = run(*LETTER)["tracking_number"]
    case = run("accept", ref)["case"]
    handling = {o["clock"]: o for o in case["obligations"]}["handling"]
    year = int(handling["due"][:4])
    assert handling["provisional"] is (year in handling["basis"]["provisional_years"])
    assert run("explain", ref)["obligations"]
