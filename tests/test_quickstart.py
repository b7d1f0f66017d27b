"""The README's main job: `petitionkit quickstart` sets up an office and runs a caseload through it."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from petitionkit.cli import cli
from petitionkit.config import OfficeConfig
from petitionkit.errors import ConfigurationError, StorageError
from petitionkit.quickstart import init_office
from petitionkit.testing import SHANGHAI, open_test_office

ROOT = Path(__file__).resolve().parents[1]


def test_quickstart_builds_a_working_office_with_due_work_and_an_explanation(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["--json", "quickstart", "office"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    # It runs on today's real date (in the office's time zone), not on a simulated one.
    assert data["registered"] == 30 and data["today"] == datetime.now(SHANGHAI).date().isoformat()
    if data["calendar_warning"]:  # next year's schedule is not out: dates reaching into it are provisional
        year = data["calendar_warning"]["missing_year"]
        open_obligations = [o for c in data["cases"] for o in c["obligations"] if o["status"] == "open"]
        assert all(o["provisional"] for o in open_obligations if o["due"] >= f"{year}-01-01")
        assert not any(o["provisional"] for o in open_obligations if o["due"] < f"{year - 1}-12-01")
    states = {c["state"] for c in data["cases"]}
    assert {"assigned", "replied", "declined", "transferred"} <= states
    assert data["due_within_14_days"] and data["explained"]["text"]
    # The folder is a real office: the CLI works in it and the audit trails verify.
    monkeypatch.chdir(tmp_path / "office")
    listed = json.loads(CliRunner().invoke(cli, ["--json", "list", "--limit", "500"]).stdout)
    assert listed["count"] == len(data["cases"])
    office = open_test_office(OfficeConfig.load())
    assert all(office.verify_audit_trail(c["id"]) is None for c in data["cases"])


def test_init_refuses_to_overwrite_and_leaves_no_half_made_office(tmp_path: Path) -> None:
    init_office(tmp_path / "a")
    with pytest.raises(ConfigurationError, match="already exists"):
        init_office(tmp_path / "a")
    with pytest.raises(StorageError):
        init_office(tmp_path / "b", database_url="postgresql+psycopg://nobody@127.0.0.1:1/none")
    assert not (tmp_path / "b" / "petitionkit.toml").exists()


def test_relative_sqlite_paths_resolve_next_to_the_config_file(tmp_path: Path) -> None:
    init_office(tmp_path / "office")
    config = OfficeConfig.load(tmp_path / "office" / "petitionkit.toml", env={})
    assert config.database_url == f"sqlite:///{tmp_path / 'office' / 'office.db'}"


def test_the_packaged_office_template_is_the_sample_county_example() -> None:
    packaged = (ROOT / "src" / "petitionkit" / "office_template" / "county.toml").read_text(encoding="utf-8")
    example = (ROOT / "examples" / "sample-county" / "rules" / "county.toml").read_text(encoding="utf-8")
    assert packaged == example
