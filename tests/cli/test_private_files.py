"""Databases, exports, documents and reports are created 0600, and the process umask is left as it was."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from petitionkit.cli import cli
from petitionkit.files import create_private, open_private
from petitionkit.testing import SHANGHAI, FakeClock, principals_toml

COUNTY = Path(__file__).resolve().parents[2] / "examples" / "sample-county" / "rules" / "county.toml"
CONFIG = """
[office]
office_code = "QX"

[database]
url = "sqlite:///{db}"

[rules]
set = "national"
files = ["{county}"]
"""
CLAIM = [
    "register", "--channel", "letter", "--kind", "claim", "--subject", "房屋质量问题", "--content", "新房漏水",
    "--category", "housing", "--region", "330199", "--name", "张三", "--phone", "13800138000",
    "--received-at", "2026-09-20T09:00:00+08:00",
]  # fmt: skip


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def open_umask() -> Iterator[int]:
    """A permissive umask (0o022, files would be 0644) for the test, restored after."""
    previous = os.umask(0o022)
    yield 0o022
    os.umask(previous)


@pytest.fixture
def run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, open_umask: int) -> Any:
    config = tmp_path / "petitionkit.toml"
    config.write_text(CONFIG.format(db=tmp_path / "office.db", county=COUNTY) + principals_toml(), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    clock = FakeClock(datetime(2026, 10, 20, 9, 0, tzinfo=SHANGHAI))

    def invoke(*args: str) -> Any:
        result = runner.invoke(cli, list(args), catch_exceptions=False, obj={"clock": clock})
        assert result.exit_code == 0, result.output + result.stderr
        return result

    return invoke


@pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")
def test_database_export_report_and_document_are_owner_only(run: Any, tmp_path: Path, open_umask: int) -> None:
    run("--json", *CLAIM)
    assert mode(tmp_path / "office.db") == 0o600
    assert all(mode(p) == 0o600 for p in tmp_path.glob("office.db-*"))  # -wal, -shm
    run("--json", "export", str(tmp_path / "all.jsonl"))
    assert mode(tmp_path / "all.jsonl") == 0o600
    run("--json", "report", "period", "--period", "2026-09", "--output", str(tmp_path / "report.json"))
    assert mode(tmp_path / "report.json") == 0o600
    pytest.importorskip("docxtpl")
    ref = "QX-2026-000001"
    run("--json", "accept", ref)
    run("--json", "document", "make", "acceptance-notice", ref, "--output", str(tmp_path / "notice.docx"))
    assert mode(tmp_path / "notice.docx") == 0o600
    # The rest of the program still creates files with the umask it had.
    assert os.umask(open_umask) == open_umask
    (tmp_path / "other.txt").write_text("x", encoding="utf-8")
    assert mode(tmp_path / "other.txt") == 0o644


@pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")
def test_an_existing_readable_export_target_is_narrowed(tmp_path: Path, open_umask: int) -> None:
    target = tmp_path / "old.csv"
    target.write_text("old", encoding="utf-8")
    assert mode(target) == 0o644
    with open_private(target, encoding="utf-8") as out:
        out.write("new")
    assert mode(target) == 0o600 and target.read_text(encoding="utf-8") == "new"
    assert create_private(tmp_path / "new.db") and mode(tmp_path / "new.db") == 0o600
    assert not create_private(tmp_path / "new.db")
