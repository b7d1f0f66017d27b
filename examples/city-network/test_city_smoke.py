"""Smoke test of the city deployment on PostgreSQL: three offices, one database, referrals between levels."""

from __future__ import annotations

import json
import shutil
import threading
from collections.abc import Iterator
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest
from click.testing import CliRunner
from petitionkit_webhook import WebhookVerificationError, verify_webhook

from petitionkit.cli import cli
from petitionkit.testing import SHANGHAI, FakeClock

HERE = Path(__file__).resolve().parent


OA = "https://oa.linjiang.example.cn/hooks/petition"
SECRET = "test-only-secret"


class OaSystem(BaseHTTPRequestHandler):
    """The city's existing OA system: stores each signed notice once per idempotency key."""

    received: ClassVar[dict[str, dict[str, Any]]] = {}

    def do_POST(self) -> None:
        raw = self.rfile.read(int(self.headers["Content-Length"]))
        try:
            key = verify_webhook(SECRET, dict(self.headers.items()), raw)  # Standard Webhooks, replay window
        except WebhookVerificationError:
            self.send_response(401)
        else:
            self.received.setdefault(key, json.loads(raw))
            self.send_response(204)
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def oa_url() -> Iterator[str]:
    OaSystem.received = {}
    server = ThreadingHTTPServer(("127.0.0.1", 0), OaSystem)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/hooks/petition"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def deployment(tmp_path: Path, postgresql_url: str, oa_url: str, monkeypatch: pytest.MonkeyPatch) -> Path:
    target = tmp_path / "city-network"
    shutil.copytree(HERE, target, ignore=shutil.ignore_patterns("__pycache__", "test_*.py"))
    for path in [*target.glob("*.toml"), *target.glob("rules/*.toml")]:
        text = path.read_text(encoding="utf-8").replace(OA, oa_url)
        # The test's OA system listens on plain http on loopback, which the plugin allows only when told.
        text = text.replace(
            'secret_env = "PETITIONKIT_WEBHOOK_SECRET"',
            'secret_env = "PETITIONKIT_WEBHOOK_SECRET"\nallow_insecure_loopback = true',
        )
        path.write_text(text, encoding="utf-8")
    monkeypatch.chdir(target)
    monkeypatch.setenv("PETITIONKIT_DATABASE_URL", postgresql_url)
    monkeypatch.setenv("PETITIONKIT_WEBHOOK_SECRET", SECRET)
    return target


def run(clock: FakeClock, office: str, *args: str) -> Any:
    result = CliRunner().invoke(
        cli,
        ["--json", "--as", "admin", "--config", f"{office}.toml", *args],
        obj={"clock": clock},
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_the_city_assigns_to_a_county_and_gets_the_county_reply_back(deployment: Path) -> None:
    clock = FakeClock(datetime(2026, 6, 1, 9, 0, tzinfo=SHANGHAI))
    run(clock, "city", "db", "upgrade")
    reg = run(
        clock,
        "city",
        "register",
        "--channel",
        "online",
        "--kind",
        "claim",
        "--subject",
        "拖欠工资",
        "--content",
        "县内企业拖欠工资",
        "--category",
        "labour",
        "--region",
        "330199",
        "--name",
        "张三",
        "--phone",
        "13800138000",
    )
    routed = run(clock, "city", "route", reg["tracking_number"], "--apply")
    assert routed["routing"]["rule_id"] == "county-qingxi" and routed["case"]["state"] == "assigned"
    # The county office finds it in its own list, referred in from the city.
    (arrived,) = run(clock, "qingxi", "list")["cases"]
    assert arrived["tracking_number"] == "QX-2026-000001"
    assert run(clock, "yunxi", "list")["count"] == 0
    county_case = run(clock, "qingxi", "route", "QX-2026-000001", "--apply")["case"]
    assert county_case["referrals"][0]["body_code"] == "QX-HRSS"
    clock.advance(days=12)
    run(clock, "qingxi", "record-report", "QX-2026-000001", "--outcome", "support", "--text", "已责成企业支付")
    city_case = run(clock, "city", "show", reg["tracking_number"])["case"]
    assert city_case["state"] == "replied" and "已责成企业支付" in city_case["reply"]["text"]
    report = next(o for o in city_case["obligations"] if o["clock"] == "referral_report")
    assert report["status"] == "met"
    # Every office delivers its notices into the OA system, signed, once per idempotency key.
    for office in ("city", "qingxi"):
        assert run(clock, office, "dispatch")["dead"] == 0
    recipients = {notice["recipient"] for notice in OaSystem.received.values()}
    assert any(r.endswith("?to=QX-CONGRESS") for r in recipients)  # the city's assignment letter
    assert any(r.endswith("?to=QX-HRSS") for r in recipients)  # the county's own assignment
    assert all(run(clock, office, "dispatch")["sent"] == 0 for office in ("city", "qingxi"))
