"""``petitionkit serve`` as a user runs it, on today's real date: an office made by ``petitionkit init``, an
API key made by ``petitionkit api-key create``, the server a subprocess, clients over HTTP (curl and httpx)."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from petitionkit.cli import cli

from .conftest import httpx

DOCS = Path(__file__).resolve().parents[2] / "docs"
CLIENT_SCRIPT = DOCS / "examples" / "http-client.sh"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _cli(*args: str) -> Any:
    result = CliRunner().invoke(cli, ["--json", *args])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.fixture
def office(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    _cli("init", "office")
    folder = tmp_path / "office"
    monkeypatch.chdir(folder)
    return folder


def _wait_until_up(base: str, process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"petitionkit serve exited: {process.communicate()}")
        try:
            if httpx.get(f"{base}/ready", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise AssertionError("petitionkit serve did not answer within 60 s")


def test_serve_registers_accepts_and_refers_on_todays_date(office: Path) -> None:
    made = _cli("api-key", "create", "admin", "--name", "县OA系统", "--days", "30")["api_key"]
    token = made["token"]
    assert _cli("api-key", "list")["api_keys"][0]["usable"] is True

    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    executable = Path(sys.executable).with_name("petitionkit")
    process = subprocess.Popen(
        [str(executable), "serve", "--port", str(port)],
        cwd=office,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        _wait_until_up(base, process)
        headers = {"Authorization": f"Bearer {token}"}
        with httpx.Client(base_url=base, headers=headers, timeout=30) as client:
            now = datetime.now(UTC).replace(microsecond=0).isoformat()
            petition = {
                "channel": "letter",
                "received_at": now,
                "kind": "claim",
                "subject": "拖欠工资问题",
                "content": "被拖欠工资三个月。",
                "category": "labour",
                "region_code": "330199",
                "petitioners": [{"name": "李四", "phone": "13800138001"}],
            }
            registered = client.post("/petitions", json=petition, headers={"Idempotency-Key": uuid.uuid4().hex})
            assert registered.status_code == 201, registered.text
            case = registered.json()["case"]
            assert case["opened_at"][:10] == now[:10]  # today's real date
            accepted = client.post(
                f"/cases/{case['id']}/acceptance",
                json={"note": "本机关受理"},
                headers={"If-Match": registered.headers["ETag"], "Idempotency-Key": uuid.uuid4().hex},
            )
            assert accepted.status_code == 200 and accepted.json()["state"] == "accepted"
            due = client.get("/obligations/due", params={"days": 90}).json()["items"]
            assert case["id"] in {o["case_id"] for o in due}

            if shutil.which("curl"):  # the docs' client, in bash and curl: register, then refer by the rules
                env = {**os.environ, "PETITIONKIT_URL": base, "PETITIONKIT_TOKEN": token}
                ran = subprocess.run(
                    ["bash", str(CLIENT_SCRIPT)], check=False, env=env, capture_output=True, text=True, timeout=120
                )
                assert ran.returncode == 0, ran.stdout + ran.stderr
                assert '"state":"assigned"' in ran.stdout  # the labour rule assigns to the county HRSS bureau
            else:  # the same steps with httpx
                second = client.post("/petitions", json=petition, headers={"Idempotency-Key": uuid.uuid4().hex})
                referred = client.post(
                    f"/cases/{second.json()['case']['id']}/referrals",
                    json={},
                    headers={"If-Match": second.headers["ETag"], "Idempotency-Key": uuid.uuid4().hex},
                )
                assert referred.json()["state"] == "assigned"
            assert (
                client.get("/cases", params={"state": "assigned"}).json()["items"][0]["referrals"][0]["body_code"]
                == "QX-HRSS"
            )

        _cli("api-key", "revoke", made["id"])
        assert httpx.get(f"{base}/cases", headers=headers, timeout=10).status_code == 401
    finally:
        process.send_signal(signal.SIGINT)  # Ctrl-C: uvicorn finishes what runs, then stops
        out, err = process.communicate(timeout=60)
    assert process.returncode == 0, err
    assert "李四" not in out + err and "张三" not in out + err  # the logs carry no personal data


def test_the_library_and_its_help_never_import_the_server() -> None:
    probe = (
        "import sys, petitionkit, petitionkit.service\n"
        "from petitionkit.cli import cli\n"
        "from click.testing import CliRunner\n"
        "assert CliRunner().invoke(cli, ['--help']).exit_code == 0\n"
        "assert CliRunner().invoke(cli, ['serve', '--help']).exit_code == 0\n"
        "loaded = [m for m in sys.modules if m.split('.')[0] in ('litestar', 'uvicorn', 'joserfc')]\n"
        "loaded += [m for m in sys.modules if m.startswith('petitionkit.server')]\n"
        "assert not loaded, loaded\n"
    )
    ran = subprocess.run([sys.executable, "-c", probe], check=False, capture_output=True, text=True, timeout=120)
    assert ran.returncode == 0, ran.stderr


def test_serve_refuses_several_workers_on_sqlite_and_a_bad_setting(office: Path) -> None:
    result = CliRunner().invoke(cli, ["serve", "--workers", "2"])
    assert result.exit_code == 7 and "PostgreSQL" in result.output
    config = office / "petitionkit.toml"
    config.write_text(config.read_text(encoding="utf-8") + "\n[settings.server]\nport = 0\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["serve"])
    assert result.exit_code == 7 and "settings.server.port" in result.output


def test_serve_logs_one_json_object_a_line_without_personal_data(office: Path) -> None:
    """``--log-format json``: uvicorn's and petitionkit's records alike, each a JSON object, for a log shipper."""
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    executable = Path(sys.executable).with_name("petitionkit")
    process = subprocess.Popen(
        [str(executable), "serve", "--port", str(port), "--log-format", "json"],
        cwd=office,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        _wait_until_up(base, process)
        refused = httpx.get(f"{base}/cases", headers={"Authorization": "Bearer zhangsan-13800138000"}, timeout=10)
        assert refused.status_code == 401
    finally:
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=60)
    assert process.returncode == 0, err
    records = [json.loads(line) for line in err.splitlines() if line.strip()]
    assert records and all({"time", "level", "logger", "message"} <= set(r) for r in records)
    assert any(r["logger"] == "petitionkit.server" and "401" in r["message"] for r in records)
    assert any(r["logger"].startswith("uvicorn") for r in records)  # the server's own records, formatted alike
    assert "zhangsan" not in out + err and "13800138000" not in out + err  # the token is never logged
