"""The benchmark script runs, at a few hundred petitions, on each backend the suite has (issue 21).

A smoke run, not a timed test: it checks that ``benchmarks/run.py`` still drives every phase (register,
import, due lists, the period report, CLI start-up) through today's interfaces and prints each figure
beside its baseline, so the script cannot rot between the runs at 1,000,000 (docs/benchmarks.md).
"""

from __future__ import annotations

import os
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


def run(tmp_path: Path, *args: str) -> str:
    env = {k: v for k, v in os.environ.items() if k != "PETITIONKIT_MASTER_KEY"}
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--petitions", "200", "--register", "10", "--cli-runs", "1", *args],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
        env=env,
        timeout=900,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def check_figures(out: str, figures: tuple[str, ...] = FIGURES) -> None:
    lines = out.splitlines()
    for figure in figures:
        found = [line for line in lines if line.startswith(figure)]
        assert found, f"{figure!r} missing from:\n{out}"
        ours, raw = found[0][44:].split()[:2]  # the figure and its baseline, then the unit and the ratio
        assert float(ours.replace(",", "")) > 0, found[0]
        assert float(raw.replace(",", "")) >= 0, found[0]  # a raw query of 200 rows may print as 0.0 ms
    assert "rejected rows 0" in out


def test_the_benchmark_runs_on_sqlite_with_encryption_and_principals(tmp_path: Path) -> None:
    out = run(tmp_path, "--db", "sqlite", "--workdir", str(tmp_path / "bench"))
    assert "field encryption ON, principals on" in out
    check_figures(out)


def test_the_benchmark_runs_on_postgresql(tmp_path: Path) -> None:
    url = os.environ.get("PETITIONKIT_TEST_POSTGRESQL_URL")
    if not url:
        pytest.skip("PETITIONKIT_TEST_POSTGRESQL_URL is not set")
    out = run(tmp_path, "--db", "postgresql", "--url", url, "--cli-runs", "0")
    check_figures(out, FIGURES[:-1])
