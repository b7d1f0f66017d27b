"""Smoke test of the migration example: the file is the documented generator's, and it imports whole."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from click.testing import CliRunner

from petitionkit.cli import cli
from petitionkit.testing import SHANGHAI, FakeClock
from petitionkit.testing.legacy import Office, write_legacy_file

HERE = Path(__file__).resolve().parent
COUNTY = Office(bodies=("QX-HRSS", "QX-HOUSING", "QX-LAND"), regions=("330199",))


def test_the_example_is_what_the_generator_writes(tmp_path: Path) -> None:
    write_legacy_file(tmp_path / "again.jsonl", 40, today=date(2026, 11, 28), seed=2026, office=COUNTY)
    assert (tmp_path / "again.jsonl").read_bytes() == (HERE / "legacy-history.jsonl").read_bytes()


def test_the_example_imports_into_the_sample_county(tmp_path: Path) -> None:
    runner = CliRunner()
    clock = FakeClock(datetime(2026, 12, 1, 9, 0, tzinfo=SHANGHAI))
    made = runner.invoke(cli, ["init", str(tmp_path / "office")])
    assert made.exit_code == 0, made.output
    config = tmp_path / "office" / "petitionkit.toml"
    args = ["--config", str(config), "--json", "import", str(HERE / "legacy-history.jsonl"), "--format", "history"]
    result = runner.invoke(cli, args, obj={"clock": clock})
    assert result.exit_code == 0, result.output
    assert '"imported": 40' in result.stdout
