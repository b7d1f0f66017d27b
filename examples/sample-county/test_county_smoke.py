"""Smoke test of the county reference deployment: its own files, driven through the command line."""

from __future__ import annotations

import json
import shutil
import socket
import ssl
from collections.abc import Iterator
from datetime import datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
import trustme
from aiosmtpd.controller import Controller
from click.testing import CliRunner

from petitionkit.cli import cli
from petitionkit.testing import SHANGHAI, FakeClock

HERE = Path(__file__).resolve().parent


class Inbox:
    def __init__(self) -> None:
        self.mails: list[tuple[list[str], EmailMessage]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd API
        self.mails.append((list(envelope.rcpt_tos), message_from_bytes(envelope.content, policy=policy.default)))
        return "250 OK"


@pytest.fixture
def ca() -> trustme.CA:
    return trustme.CA()  # the county's own CA, made for this test only


@pytest.fixture
def inbox(ca: trustme.CA) -> Iterator[tuple[Inbox, int]]:
    """A loopback SMTP server that requires STARTTLS, with a certificate for 127.0.0.1 from the test's CA."""
    received = Inbox()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(context)
    controller = Controller(received, hostname="127.0.0.1", port=port, tls_context=context, require_starttls=True)
    controller.start()
    try:
        yield received, port
    finally:
        controller.stop()


@pytest.fixture
def office_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, inbox: tuple[Inbox, int], ca: trustme.CA) -> Path:
    target = tmp_path / "office"
    shutil.copytree(HERE, target, ignore=shutil.ignore_patterns("*.db*", "__pycache__", "test_*.py"))
    ca.cert_pem.write_to_path(str(target / "test-ca.pem"))
    config = target / "petitionkit.toml"
    text = config.read_text(encoding="utf-8")
    text = text.replace('host = "smtp.qingxi.example.cn"', 'host = "127.0.0.1"')
    text = text.replace("port = 587", f"port = {inbox[1]}")
    # trust the test's CA as an office would trust its own (security stays "starttls", verified)
    text = text.replace('security = "starttls"', f'security = "starttls"\nca_file = "{target / "test-ca.pem"}"')
    # the loopback server offers no AUTH: log in without credentials
    text = text.replace('username = "xinfang"\n', "").replace('password_env = "PETITIONKIT_SMTP_PASSWORD"\n', "")
    config.write_text(text, encoding="utf-8")
    monkeypatch.chdir(target)
    return target


def run(clock: FakeClock, *args: str) -> Any:
    result = CliRunner().invoke(cli, ["--json", "--as", "admin", *args], obj={"clock": clock}, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_the_county_office_registers_routes_keeps_its_clocks_and_mails_the_body(
    office_dir: Path, inbox: tuple[Inbox, int]
) -> None:
    clock = FakeClock(datetime(2026, 4, 13, 9, 0, tzinfo=SHANGHAI))
    assert run(clock, "db", "upgrade")
    reg = run(
        clock,
        "register",
        "--channel",
        "visit",
        "--kind",
        "claim",
        "--subject",
        "拖欠工资",
        "--content",
        "工地拖欠工资",
        "--category",
        "labour",
        "--region",
        "330199",
        "--name",
        "张三",
        "--id-number",
        "11010519491231002X",
        "--phone",
        "13800138000",
    )
    notice = reg["case"]["obligations"][0]
    assert notice["due"] == "2026-04-28"  # 15 days from 13 April; 20 April (县庆日) is mid-period
    routed = run(clock, "route", reg["tracking_number"], "--apply")
    assert routed["routing"]["rule_id"] == "labour"
    report = next(o for o in routed["case"]["obligations"] if o["clock"] == "referral_report")
    assert report["body_code"] == "QX-HRSS" and report["due"] == "2026-05-13"  # 30 days, 1-5 May holiday
    assert (office_dir / "office.db").exists()
    shown = run(clock, "rules", "show")["rules"]
    assert any(b["code"] == "QX-HRSS" for b in shown["bodies"])
    delivered = run(clock, "dispatch")
    assert delivered["sent"] >= 1 and delivered["dead"] == 0
    to_bureau = [mail for rcpt, mail in inbox[0].mails if rcpt == ["rsj@gov.qingxi.example.cn"]]
    assert len(to_bureau) == 1 and reg["tracking_number"] in to_bureau[0].get_content()
