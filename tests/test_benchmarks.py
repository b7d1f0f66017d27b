"""The benchmark script runs, at a few hundred petitions, on each backend the suite has (issue 21).

A smoke run, not a timed test: it checks that ``benchmarks/run.py`` still drives every phase (register,
import, the same rows raw, due lists, the period report, CLI start-up) through today's interfaces and
prints each figure beside its baseline, so the script cannot rot between the runs at 1,000,000 (docs/benchmarks.md).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "benchmarks" / "run.py"
FIGURES = (
    "1. register one petition",
    "2. bulk import 200 petitions",
    "3a. due within 7 days",
    "3b. overdue",
    "4. period report over 200 petitions",
    "5. CLI start: petitionkit --help",
)


def _script(script: Path, tmp_path: Path, *args: str) -> str:
    """``script`` run with ``args`` in ``tmp_path`` (without the caller's master key); its output."""
    env = {k: v for k, v in os.environ.items() if k != "PETITIONKIT_MASTER_KEY"}
    done = subprocess.run(
        [sys.executable, str(script), *args],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
        env=env,
        timeout=900,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def run(tmp_path: Path, *args: str) -> str:
    small = ("--petitions", "200", "--register", "10", "--same-rows", "10", "--cli-runs", "1")
    return _script(SCRIPT, tmp_path, *small, *args)


def check_figures(out: str, figures: tuple[str, ...] = FIGURES) -> None:
    lines = out.splitlines()
    for figure in figures:
        found = [line for line in lines if line.startswith(figure)]
        assert found, f"{figure!r} missing from:\n{out}"
        ours, raw = found[0][44:].split()[:2]  # the figure and its baseline, then the unit and the ratio
        assert float(ours.replace(",", "")) > 0, found[0]
        assert float(raw.replace(",", "")) >= 0, found[0]  # a raw query of 200 rows may print as 0.0 ms
    assert "rejected rows 0" in out


SAME_ROWS = re.compile(
    r"^   same rows, raw: register twin ([0-9,.]+) petitions/s \(one per commit, 10\); library/same-rows ([0-9.]+);"
    r" import twin ([0-9,.]+) petitions/s \(executemany, 1,000 per commit\); library/same-rows ([0-9.]+)$",
    re.M,
)


def check_same_rows(out: str) -> None:
    """The same rows raw: both twins' rates and both ratios printed, every table the import wrote replayed,
    and the trigger-kept tallies of the replay equal to the library's."""
    found = SAME_ROWS.search(out)
    assert found, out
    assert all(float(v.replace(",", "")) > 0 for v in found.groups()), found.group(0)
    assert re.search(r"rows the library wrote for 200 petitions \([0-9.]+ a petition\) in cases, ", out), out
    for table in ("petitions", "events", "search_documents", "obligations", "petitioner_identities"):
        assert re.search(rf"^   the same rows, raw: .*\b{table}\b", out, re.M), table
    assert "trigger-kept tallies equal the library's: yes" in out
    assert re.search(r"^   same rows raw / one-row raw baseline .*: register [0-9.]+, import [0-9.]+$", out, re.M), out


def test_the_benchmark_runs_on_sqlite_with_encryption_and_principals(tmp_path: Path) -> None:
    out = run(tmp_path, "--db", "sqlite", "--workdir", str(tmp_path / "bench"))
    assert "field encryption ON, principals on" in out
    check_figures(out)
    check_same_rows(out)


def test_the_benchmark_runs_on_postgresql(tmp_path: Path) -> None:
    url = os.environ.get("PETITIONKIT_TEST_POSTGRESQL_URL")
    if not url:
        pytest.skip("PETITIONKIT_TEST_POSTGRESQL_URL is not set")
    out = run(tmp_path, "--db", "postgresql", "--url", url, "--cli-runs", "0")
    check_figures(out, FIGURES[:-1])
    check_same_rows(out)


AT_SCALE = SCRIPT.with_name("at_scale.py")
AT_SCALE_FIGURES = (
    "3a. due within 7 days",
    "3b. overdue",
    "4. period report, quarter 2025Q4",
    "4. period report, year 2025",
    "4. period report, everything",
    "6. search_text, first page of 20",
    "1. register one petition at",
    "2. import 50 more at",
)


def run_at_scale(tmp_path: Path, *args: str) -> str:
    """``benchmarks/at_scale.py`` at 100 imported petitions multiplied in SQL to 400 (issues 21, 22)."""
    small = ("--seed", "100", "--total", "400", "--register", "5", "--batch", "50", "--repeat", "1")
    return _script(AT_SCALE, tmp_path, *small, *args)


def check_at_scale(out: str) -> None:
    check_figures(out, AT_SCALE_FIGURES)
    assert "now 400 petitions, 800 search documents" in out  # 3 SQL copies of the 100 imported
    assert "rows resealed" in out


def test_the_at_scale_benchmark_runs_on_sqlite(tmp_path: Path) -> None:
    out = run_at_scale(tmp_path, "--db", "sqlite", "--workdir", str(tmp_path / "bench"))
    check_at_scale(out)
    assert not list((tmp_path / "bench").glob("at-scale.db*"))  # removed afterwards


def test_the_at_scale_benchmark_runs_on_postgresql(tmp_path: Path) -> None:
    url = os.environ.get("PETITIONKIT_TEST_POSTGRESQL_URL")
    if not url:
        pytest.skip("PETITIONKIT_TEST_POSTGRESQL_URL is not set")
    out = run_at_scale(tmp_path, "--db", "postgresql", "--url", url)
    check_at_scale(out)
    for word in ("工资", "噪音", "食品 督促"):  # frequent, without hits, rare: each raw way beside search_text
        assert re.search(
            rf"^   {word}: search_text [0-9.]+ ms; raw ms: old .*, planned .*, bitmap .*, walk ", out, re.M
        )
