"""Encrypted backups and their checked restore, through the command line on today's real date.

The office is made by ``petitionkit init`` (master key, audit key); nothing freezes the clock.
"""

from __future__ import annotations

import base64
import json
import os
import sqlite3
import stat
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from petitionkit.cli import cli
from petitionkit.config import OfficeConfig
from petitionkit.service.backup import MAGIC, BackupError, backup
from petitionkit.testing import open_test_office

CANARY = "欧阳金丝雀"


@pytest.fixture
def office(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv("PETITIONKIT_MASTER_KEY", raising=False)
    monkeypatch.delenv("PETITIONKIT_AUDIT_KEY", raising=False)
    monkeypatch.chdir(tmp_path)
    assert CliRunner().invoke(cli, ["init", "office"]).exit_code == 0
    monkeypatch.chdir(tmp_path / "office")
    return tmp_path / "office"


def _run(*args: str, code: int = 0) -> Any:
    result = CliRunner().invoke(cli, ["--json", "--as", "admin", *args])
    assert result.exit_code == code, result.output
    return json.loads(result.stdout) if result.stdout.strip() else None


def _register() -> str:
    letter = ["register", "--channel", "letter", "--kind", "claim", "--subject", "拖欠工资", "--content", "被拖欠"]
    letter += ["--category", "labour", "--region", "330199", "--name", CANARY, "--phone", "13712345678"]
    return str(_run(*letter)["tracking_number"])


def _cases(database: Path) -> int:
    connection = sqlite3.connect(database)
    try:
        return int(connection.execute("SELECT count(*) FROM cases").fetchone()[0])
    finally:
        connection.close()


def test_fresh_office_purges_nothing_then_backup_restore_verify(office: Path) -> None:
    ref = _register()
    _run("accept", ref)
    dry = _run("purge", "--dry-run")
    assert dry["cases"] == 0 and dry["items"] == [] and dry["scanned"] == 1
    assert dry["periods"]["personal_data"]["period"] == "30y"

    made = _run("backup", "office.pkbackup")
    path = office / "office.pkbackup"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    data = path.read_bytes()
    assert data.startswith(MAGIC) and CANARY.encode() not in data and b"SQLite format 3" not in data
    assert made["manifest"]["office_code"] == "QX" and made["manifest"]["schema_revision"]
    assert [p.name for p in office.iterdir() if p.name.startswith(".petitionkit-")] == []

    restored = _run("restore", "office.pkbackup", "restored.db")
    assert restored["audit"]["intact"] is True
    target = office / "restored.db"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600 and _cases(target) == 1
    _run("backup", "office.pkbackup", code=2)  # never overwritten
    _run("restore", "office.pkbackup", "restored.db", code=2)  # nor the target, without --force
    _run("restore", "office.pkbackup", "restored.db", "--force")

    # The restored copy is the office: point a configuration at it and verify it there.
    text = (office / "petitionkit.toml").read_text(encoding="utf-8")
    (office / "copy.toml").write_text(text.replace('url = "sqlite:///office.db"', 'url = "sqlite:///restored.db"'))
    result = CliRunner().invoke(cli, ["--config", "copy.toml", "--as", "admin", "--json", "show", ref, "--petitions"])
    assert result.exit_code == 0, result.output
    assert CANARY in result.stdout
    verified = CliRunner().invoke(cli, ["--config", "copy.toml", "--as", "admin", "--json", "audit", "verify"])
    assert verified.exit_code == 0, verified.output


@pytest.mark.parametrize("where", ["chunk", "manifest", "cut"])
def test_a_tampered_backup_is_refused_and_nothing_is_written(office: Path, where: str) -> None:
    _register()
    _run("backup", "office.pkbackup")
    path = office / "office.pkbackup"
    data = bytearray(path.read_bytes())
    if where == "chunk":
        data[-40] ^= 0x01
    elif where == "manifest":
        data = bytearray(bytes(data).replace(b'"created_at":"2', b'"created_at":"1', 1))
    else:
        data = data[: len(data) - 100]
    path.write_bytes(bytes(data))
    refused = _run("restore", "office.pkbackup", "restored.db", code=9)
    assert refused["error"] == "backup_refused"
    assert not (office / "restored.db").exists()
    assert [p.name for p in office.iterdir() if p.name.startswith(".petitionkit-")] == []


def test_a_backup_whose_trail_was_tampered_is_refused(office: Path) -> None:
    ref = _register()
    connection = sqlite3.connect(office / "office.db")
    with connection:
        connection.execute("UPDATE cases SET category = 'housing' WHERE first_tracking_number = ?", (ref,))
    connection.close()
    _run("backup", "office.pkbackup")  # a backup copies what is there
    refused = _run("restore", "office.pkbackup", "restored.db", code=9)
    assert refused["error"] == "backup_refused" and "audit" in refused["message"]
    assert not (office / "restored.db").exists()


def test_another_master_key_cannot_restore(office: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _register()
    _run("backup", "office.pkbackup")
    other = "m1:" + base64.b64encode(os.urandom(32)).decode()
    monkeypatch.setenv("PETITIONKIT_MASTER_KEY", other)
    refused = _run("restore", "office.pkbackup", "restored.db", code=7)
    assert refused["error"] == "backup"


def test_backup_refuses_an_in_memory_office(tmp_path: Path) -> None:
    with open_test_office(OfficeConfig(database_url="memory://")) as memory, pytest.raises(BackupError):
        backup(memory, tmp_path / "x.pkbackup")
    assert not (tmp_path / "x.pkbackup").exists()


def test_backup_refuses_postgresql_naming_pg_dump(postgresql_url: str, tmp_path: Path) -> None:
    with open_test_office(OfficeConfig(database_url=postgresql_url)) as office, pytest.raises(BackupError) as refused:
        backup(office, tmp_path / "x.pkbackup")
    assert refused.value.exit_code == 7
    assert "pg_dump" in refused.value.message("en") and "pg_dump" in refused.value.message("zh-CN")
    assert not (tmp_path / "x.pkbackup").exists()
