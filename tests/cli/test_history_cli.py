"""Migration through the command line on today's REAL date, in offices made by ``petitionkit init``.

The example legacy file (examples/migration/legacy-history.jsonl) is imported with ``import --format
history``; ``due``, ``overdue`` and the period report must show what the test oracle counts from the
file's own dates and the office's calendar (:mod:`petitionkit.testing.legacy`), whatever today is.
The office's export then restores into a second office byte for byte, and both audit trails verify.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from petitionkit.cli import cli
from petitionkit.config import OfficeConfig
from petitionkit.testing import open_test_office
from petitionkit.testing.legacy import expected, expected_duties

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "migration" / "legacy-history.jsonl"


def test_on_todays_real_date_a_legacy_history_comes_in_as_it_was_and_restores_byte_for_byte(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    runner = CliRunner()

    def run(*args: str, code: int = 0) -> Any:
        result: Result = runner.invoke(cli, ["--json", *args])
        assert result.exit_code == code, result.output + result.stderr
        return json.loads(result.stdout) if result.stdout.strip() else {}

    monkeypatch.chdir(tmp_path)
    run("init", "office")
    monkeypatch.chdir(tmp_path / "office")
    lines = [json.loads(text) for text in EXAMPLE.read_text(encoding="utf-8").splitlines()]
    report = run("import", str(EXAMPLE), "--format", "history")
    assert (report["imported"], report["skipped"], report["rejected"]) == (len(lines), 0, [])

    office = open_test_office(OfficeConfig.load(Path("petitionkit.toml")))
    today = office.today()

    def day_off(day: date) -> bool:
        return office.rules.calendar.day_off_reason(day) is not None

    run("export", str(tmp_path / "backup.jsonl"), "--format", "history")
    backup = (tmp_path / "backup.jsonl").read_text(encoding="utf-8")
    number = {
        doc["legacy"]["case_id"]: doc["petitions"][0]["tracking_number"] for doc in map(json.loads, backup.splitlines())
    }

    oracle = expected(lines, today, day_off)
    overdue = run("overdue")
    assert overdue["today"] == today.isoformat() and overdue["count"] == oracle.overdue > 0
    assert {o["tracking_number"] for o in overdue["obligations"]} == {number[c] for c in oracle.overdue_cases}
    due_soon = run("due", "--days", "30")
    soon = {
        (number[d.tracking], d.clock, d.due.isoformat())
        for doc in lines
        for d in expected_duties(doc, day_off)
        if d.outcome(today) in ("overdue", "pending") and d.due <= today + timedelta(days=30)
    }
    assert {(o["tracking_number"], o["clock"], o["due"]) for o in due_soon["obligations"]} == soon

    first, last = today - timedelta(days=730), today - timedelta(days=1)
    period = run("report", "period", "--from", first.isoformat(), "--to", last.isoformat(), "--no-signals")
    overall = period["timeliness"]["overall"]
    window = expected(lines, today, day_off, due_from=first, due_until=last)
    assert (overall["met"], overall["late"], overall["overdue"]) == (window.met, window.late, window.overdue)
    assert overall["on_time_rate"] == pytest.approx(window.on_time_rate(), abs=5e-5)

    again = run("import", str(EXAMPLE), "--format", "history")
    assert (again["imported"], again["skipped"]) == (0, len(lines))
    fresh = dict(lines[0], legacy={"system": "other", "case_id": "1"})
    wrong = dict(fresh, legacy={"system": "other", "case_id": "2"}, state="withdrawn")
    mixed = tmp_path / "mixed.jsonl"
    mixed.write_text("\n".join(json.dumps(d, ensure_ascii=False) for d in (wrong, fresh)) + "\n", encoding="utf-8")
    partly = run("import", str(mixed), "--format", "history", code=2)
    assert partly["imported"] == 1 and [r["row"] for r in partly["rejected"]] == [1]
    assert partly["rejected"][0]["errors"][0]["field"] == "state"

    monkeypatch.chdir(tmp_path)
    run("init", "copy")
    monkeypatch.chdir(tmp_path / "copy")
    restored = run("import", str(tmp_path / "backup.jsonl"), "--format", "history")
    assert (restored["imported"], restored["rejected"]) == (len(lines), [])
    run("export", str(tmp_path / "again.jsonl"), "--format", "history")
    assert (tmp_path / "again.jsonl").read_text(encoding="utf-8") == backup
    run("audit", "verify")  # exit 0: every case of the restored office verifies
    monkeypatch.chdir(tmp_path / "office")
    run("audit", "verify")
    refused = run("export", str(tmp_path / "body.jsonl"), "--format", "history", "--body", "QX-HRSS", code=2)
    assert refused["fields"][0]["field"] == "--body" and not (tmp_path / "body.jsonl").exists()
