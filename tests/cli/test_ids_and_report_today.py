"""End to end on today's date (no injected clock), through the command line (issue 21).

An office made by ``petitionkit init`` registers petitions; their cases and petitions get time-ordered
UUID7 ids (version digit 7, later ids sort after earlier ones, the same 32-hex form as the UUID4 ids
already stored, which the office still reads); the period report of this month counts them from the
database.
"""

from __future__ import annotations

import json
import os
import uuid
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from petitionkit.cli import cli
from petitionkit.domain import ids as ids_module

LETTER = [
    *("register", "--channel", "letter", "--kind", "claim", "--subject", "拖欠工资"),
    *("--content", "被拖欠工资三个月", "--category", "labour", "--region", "330199"),
    *("--name", "张三", "--phone", "13800138000"),
]


def test_registrations_get_time_ordered_ids_and_this_months_report_counts_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    runner = CliRunner()

    def run(*args: str) -> Any:
        result = runner.invoke(cli, ["--json", *args], catch_exceptions=False)
        assert result.exit_code == 0, result.output + result.stderr
        return json.loads(result.stdout)

    monkeypatch.chdir(tmp_path)
    run("init", "office")
    os.chdir(tmp_path / "office")
    with monkeypatch.context() as before:  # a petition registered before issue 21: random UUID4 ids
        before.setattr(ids_module, "_make", uuid.uuid4)
        old = run(*LETTER)
    first = run(*LETTER, "--new", "--reason", "另一事项")
    second = run(*LETTER, "--new", "--reason", "又一事项")
    made = [first["case"]["id"], second["case"]["id"]]
    for new in made:
        assert len(new) == 32 and uuid.UUID(hex=new).version == 7
    assert made == sorted(made)
    assert uuid.UUID(hex=old["case"]["id"]).version == 4

    # old and new ids side by side: each case is found, by id and by tracking number
    for registration in (old, first, second):
        shown = run("show", registration["tracking_number"])["case"]
        assert shown["id"] == registration["case"]["id"]
        assert run("show", shown["id"])["case"]["id"] == shown["id"]

    report = run("report", "period", "--period", first["case"]["opened_at"][:7], "--no-clusters")
    totals = {t["key"]: t["current"] for t in report["totals"]}
    assert totals["petitions"] == 3
