"""``petitionkit keys``: a data key rotation killed half-way (SIGKILL) and resumed, a master key rotation,
and ``keys status``, in offices made by ``petitionkit init``, on today's real date, through subprocesses.
"""

from __future__ import annotations

import base64
import json
import os
import signal
import sqlite3
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner

from petitionkit.cli import cli
from petitionkit.storage.sql.crypto import AES_GCM, SM4_GCM, parse_sealed, stored_prefix
from petitionkit.testing import principals_toml

NAME, PHRASE = "欧阳金丝雀", "金丝雀湾拆迁补偿款被截留"
COUNT = 240
PETITIONKIT = str(Path(sys.executable).with_name("petitionkit"))  # the console script of this environment


def _petitionkit(folder: Path, *args: str, code: int = 0) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [PETITIONKIT, *args],
        check=False,
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=300,
        env=_env(),
    )
    assert done.returncode == code, done.stdout + done.stderr
    return done


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PETITIONKIT_")}
    env["PYTHONUNBUFFERED"] = "1"
    return env


def _office(tmp_path: Path) -> Path:
    """An office made by init (master key file, require_key), with COUNT petitions imported today."""
    folder = tmp_path / "office"
    subprocess.run([PETITIONKIT, "init", str(folder)], check=True, capture_output=True, env=_env())
    received = (datetime.now(ZoneInfo("Asia/Shanghai")) - timedelta(hours=1)).isoformat(timespec="seconds")
    rows = [
        {
            "source_ref": f"R{n}",
            "channel": "letter",
            "received_at": received,
            "kind": "claim",
            "subject": f"拆迁补偿问题{n}",
            "content": f"{PHRASE}，第{n}件。",
            "category": "housing",
            "region_code": "330109",
            "petitioners": [{"name": f"{NAME}{n}", "phone": f"137{n:08d}"}],
        }
        for n in range(COUNT)
    ]
    (folder / "in.jsonl").write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    _petitionkit(folder, "import", "in.jsonl")
    return folder


def _status(folder: Path) -> dict[str, Any]:
    return dict(json.loads(_petitionkit(folder, "--json", "keys", "status").stdout))


def _data_keys(status: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {k["key_id"]: k for k in status["keys"] if k["purpose"] == "data"}


def _dump(folder: Path) -> str:
    connection = sqlite3.connect(folder / "office.db")
    try:
        return "\n".join(connection.iterdump())
    finally:
        connection.close()


def _exported(folder: Path) -> list[dict[str, Any]]:
    _petitionkit(folder, "export", "out.jsonl")
    text = (folder / "out.jsonl").read_text(encoding="utf-8")
    (folder / "out.jsonl").unlink()
    return [json.loads(line) for line in text.splitlines()]


def _all_decrypt(folder: Path) -> None:
    docs = _exported(folder)
    assert len(docs) == COUNT
    assert sorted(d["petitioners"][0]["name"] for d in docs) == sorted(f"{NAME}{n}" for n in range(COUNT))
    assert all(PHRASE in d["content"] for d in docs)


def test_a_rotation_killed_half_way_resumes_and_the_old_key_opens_nothing(tmp_path: Path) -> None:
    folder = _office(tmp_path)
    (old,) = _data_keys(_status(folder))
    assert _data_keys(_status(folder))[old]["values"] >= COUNT * 4

    rotating = subprocess.Popen(
        [PETITIONKIT, "keys", "rotate", "--batch-size", "10", "--pause", "0.05"],
        cwd=folder,
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
        env={**_env(), "PETITIONKIT_PROGRESS": "1"},  # progress lines although stderr is a pipe
    )
    assert rotating.stderr is not None
    progress = 0
    for line in rotating.stderr:
        progress += "已完成" in line  # one line per batch
        if progress == 8:
            rotating.send_signal(signal.SIGKILL)
            break
    rotating.wait(timeout=60)
    assert rotating.returncode == -signal.SIGKILL

    # Killed half-way: values under both keys, the old one retiring; the office works meanwhile.
    halfway = _data_keys(_status(folder))
    (new,) = set(halfway) - {old}
    assert halfway[old]["state"] == "retiring" and halfway[new]["state"] == "live"
    assert 80 <= halfway[new]["values"] < COUNT * 4 and halfway[old]["values"] > 0
    _all_decrypt(folder)

    resumed = json.loads(_petitionkit(folder, "--json", "keys", "rotate", "--batch-size", "50").stdout)
    assert resumed["resumed"] is True and resumed["live"] == new and resumed["destroyed"] == [old]
    assert resumed["left"] == 0 and resumed["reencrypted"] == halfway[old]["values"]

    done = _data_keys(_status(folder))
    assert done[old]["state"] == "destroyed" and done[old]["values"] == 0 and done[new]["values"] >= COUNT * 4
    _all_decrypt(folder)
    dump = _dump(folder)
    assert stored_prefix(old, AES_GCM) not in dump
    assert NAME not in dump and PHRASE not in dump
    connection = sqlite3.connect(folder / "office.db")
    try:
        (wrapped,) = connection.execute("SELECT wrapped FROM data_keys WHERE key_id = ?", (old,)).fetchone()
        sealed = [v for (v,) in connection.execute("SELECT content FROM petitions")]
    finally:
        connection.close()
    assert wrapped == ""  # the old key's secret is gone from the database
    assert {parse_sealed(v)[1] for v in sealed} == {new}  # type: ignore[index]
    # The destruction is on record, and the audit trail (access records included) verifies.
    access = json.loads(_petitionkit(folder, "--json", "audit", "access").stdout)["access_records"]
    assert [(r["action"], r["count"]) for r in access if old in r["query"]] == [
        ("key_rotation", resumed["reencrypted"])
    ]
    _petitionkit(folder, "audit", "verify")


def test_master_rotation_then_the_old_master_key_is_removed(tmp_path: Path) -> None:
    folder = _office(tmp_path)
    key_file = folder / "master.key"
    (old_master,) = _status(folder)["master_keys_in_use"]
    added = json.loads(_petitionkit(folder, "--json", "keys", "add-master").stdout)["master_key_id"]
    assert oct(key_file.stat().st_mode & 0o777) == "0o600"
    rewrapped = json.loads(_petitionkit(folder, "--json", "keys", "rotate", "--master").stdout)
    assert rewrapped == {
        "rewrapped": 2,
        "master_key_id": added,
        "master_keys_in_use": [added],
        "removable": [old_master],
    }
    lines = key_file.read_text(encoding="utf-8").splitlines()
    key_file.write_text("\n".join(x for x in lines if not x.startswith(old_master + ":")) + "\n", encoding="utf-8")
    _all_decrypt(folder)  # the office opens with the new master key alone

    only_old = [x for x in lines if not x.startswith(added + ":")]
    key_file.write_text("\n".join(only_old) + "\n", encoding="utf-8")
    refused = _petitionkit(folder, "export", "out.jsonl", code=7)
    assert added in refused.stderr  # names the master key it needs


def test_keys_status_and_a_rotation_to_sm4_through_the_settings(tmp_path: Path) -> None:
    folder = _office(tmp_path)
    config = folder / "petitionkit.toml"
    text = config.read_text(encoding="utf-8")
    assert "[settings.privacy]" in text
    config.write_text(text.replace("[settings.privacy]", '[settings.privacy]\nalgorithm = "sm4-gcm"'), encoding="utf-8")
    told = _petitionkit(folder, "keys", "status").stdout
    assert "aes-256-gcm" in told and "keys rotate" in told  # the live key differs from the setting
    _petitionkit(folder, "keys", "rotate")
    status = _status(folder)
    live = [k for k in status["keys"] if k["purpose"] == "data" and k["state"] == "live"]
    assert [k["algorithm"] for k in live] == [SM4_GCM] and live[0]["values"] >= COUNT * 4
    _all_decrypt(folder)
    assert "pk1:" not in _dump(folder)
    english = _petitionkit(folder, "--locale", "en", "keys", "status").stdout
    assert "master keys in use" in english and "destroyed" in english
    # The blind-index key too: every identity re-keyed, the old key destroyed, the trail intact.
    (old_index,) = [k["key_id"] for k in status["keys"] if k["purpose"] == "index"]
    rekeyed = json.loads(_petitionkit(folder, "--json", "keys", "rotate", "--index", "--batch-size", "100").stdout)
    assert rekeyed["destroyed"] == [old_index] and rekeyed["rekeyed"] == COUNT and not rekeyed["resumed"]
    _petitionkit(folder, "audit", "verify")


def test_rotation_needs_the_configure_permission(tmp_path: Path) -> None:
    folder = tmp_path / "office"
    subprocess.run([PETITIONKIT, "init", str(folder)], check=True, capture_output=True, env=_env())
    refused = _petitionkit(folder, "--as", "wang", "keys", "rotate", code=10)
    assert "wang" in refused.stderr
    assert len(_data_keys(_status(folder))) == 1  # nothing was rotated


@pytest.mark.parametrize("option", ["--batch-size=0", "--algorithm=des", "--index --master"])
def test_bad_options_are_usage_errors(tmp_path: Path, option: str) -> None:
    folder = tmp_path / "office"
    subprocess.run([PETITIONKIT, "init", str(folder)], check=True, capture_output=True, env=_env())
    _petitionkit(folder, "keys", "rotate", *option.split(), code=2)


def _runner_office(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, privacy: str) -> None:
    """A plain office folder for CliRunner (no import): ``privacy`` is its [settings.privacy] table."""
    config = f"""
[office]
office_code = "QX"

[database]
url = "sqlite:///{tmp_path / "office.db"}"

[rules]
set = "national"

[settings.privacy]
{privacy}
"""
    (tmp_path / "petitionkit.toml").write_text(config + principals_toml(), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    for name in list(os.environ):
        if name.startswith("PETITIONKIT_"):
            monkeypatch.delenv(name)


def test_an_office_that_does_not_encrypt_is_told_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _runner_office(tmp_path, monkeypatch, "require_key = false")
    for args in (["keys", "status"], ["keys", "rotate"], ["keys", "rotate", "--master"]):
        result = CliRunner().invoke(cli, ["--locale", "en", "--as", "admin", *args])
        assert result.exit_code == 7, result.output
        assert "does not encrypt" in result.stderr and "settings.privacy" in result.stderr


def test_add_master_refuses_a_key_from_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _runner_office(tmp_path, monkeypatch, 'key_file = "master.key"')
    monkeypatch.setenv("PETITIONKIT_MASTER_KEY", "m1:" + base64.b64encode(bytes(32)).decode())
    result = CliRunner().invoke(cli, ["--locale", "en", "--as", "admin", "keys", "add-master"])
    assert result.exit_code == 7 and "PETITIONKIT_MASTER_KEY" in result.stderr
    assert not (tmp_path / "master.key").exists()


def test_sm4_refused_where_openssl_lacks_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from petitionkit.storage.sql import crypto

    _runner_office(tmp_path, monkeypatch, 'algorithm = "sm4-gcm"')
    monkeypatch.setenv("PETITIONKIT_MASTER_KEY", "m1:" + base64.b64encode(bytes(32)).decode())
    monkeypatch.setattr(crypto, "sm4_supported", lambda: False)
    result = CliRunner().invoke(cli, ["--locale", "en", "--as", "admin", "keys", "status"])
    assert result.exit_code == 7 and "settings.privacy.algorithm" in result.stderr
