"""``due`` and ``overdue`` over 100,000 cases print their first page within the memory of 1,000 (issue 20).

Each size is an SQLite office folder: ten petitions registered through the office (received in
January 2026, so their duties are overdue on today's real date), then copied in the database to
1,000 and to 100,000 cases (:func:`petitionkit.testing.backlog.multiply_backlog`).  The real
``petitionkit`` command runs in a subprocess per size and list; its peak resident memory (from
``wait4``) at 100,000 cases must stay within a ratio of the same command's at 1,000.  Before keyset
paging, ``overdue`` at 100,000 held every duty (285 MB, docs/benchmarks.md): a ratio near 3.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import pytest

from petitionkit.config import OfficeConfig
from petitionkit.service import open_office
from petitionkit.testing import REGISTRAR, principals_toml, sample_petition
from petitionkit.testing.backlog import multiply_backlog

PETITIONKIT = shutil.which("petitionkit", path=str(Path(sys.executable).parent)) or "petitionkit"
BASE = 10
RATIO = 1.25  # peak RSS at 100,000 cases over peak RSS at 1,000, for the first page

CONFIG = """
[office]
office_code = "QX"

[database]
url = "sqlite:///{db}"

[rules]
set = "national"
"""


def _office(folder: Path, cases: int) -> Path:
    folder.mkdir()
    config = folder / "petitionkit.toml"
    config.write_text(CONFIG.format(db=folder / "office.db") + principals_toml(), encoding="utf-8")
    office = open_office(OfficeConfig.load(config)).acting_as(REGISTRAR)
    try:
        for day in range(1, BASE + 1):
            office.register(sample_petition(received_at=f"2026-01-{day:02d}T09:00:00+08:00"))
    finally:
        office.close()
    assert multiply_backlog(folder / "office.db", cases // BASE - 1) == cases
    return folder


def _peak_rss(folder: Path, *args: str) -> tuple[int, dict[str, Any]]:
    """Run ``petitionkit --json ARGS`` in ``folder``; its peak resident memory (KiB) and its output."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PETITIONKIT_")}
    with tempfile.TemporaryFile() as err:
        child = subprocess.Popen(
            [PETITIONKIT, "--json", *args], cwd=folder, env=env, stdout=subprocess.PIPE, stderr=err
        )
        assert child.stdout is not None
        out = child.stdout.read()
        child.stdout.close()
        _, status, usage = os.wait4(child.pid, 0)  # this child's own rusage: its peak RSS
        child.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        assert child.returncode == 0, err.read().decode()
    return usage.ru_maxrss, json.loads(out)


@pytest.fixture(scope="module")
def offices(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("backlogs")
    return _office(root / "small", 1_000), _office(root / "large", 100_000)


@pytest.mark.parametrize("command", [("overdue",), ("due", "--days", "7")])
def test_the_first_page_at_100000_cases_needs_the_memory_of_1000(
    offices: tuple[Path, Path], command: tuple[str, ...]
) -> None:
    small, large = offices
    small_rss, small_page = _peak_rss(small, *command)
    large_rss, large_page = _peak_rss(large, *command)
    # the lists are what they claim: every copied case is overdue, a page of 50, the total counted
    assert small_page["total"] >= 1_000 and large_page["total"] >= 100_000
    assert small_page["count"] == large_page["count"] == 50 and large_page["next_cursor"]
    assert large_page["obligations"][0]["tracking_number"].startswith("QX-2026-")
    assert large_rss <= RATIO * small_rss, f"peak RSS {large_rss} KiB at 100,000 cases, {small_rss} KiB at 1,000"
