"""Logs, error texts and the outbox's stored errors never hold personal data (issue 14, "Minimisation").

An office made by ``petitionkit init`` (SQLite, master key) is driven on today's real date through the
command line and through the Python API with canary petitioners (names, ID numbers, mobiles, e-mails, an
address, a phrase of content): registration, acceptance, a transfer whose letter goes to the body's
webhook, notices to the petitioners by e-mail through a real SMTP server on loopback (aiosmtpd) that
refuses one recipient echoing the address back, a webhook receiver on loopback that answers 500 and then
times out until the letter is dead, invalid input, a lookup by phone number and permission refusals.
Every log record of every logger (DEBUG), every standard output and error of the commands (except the
displays of the case to the clerk who acts: ``show``, and the case (its subject too) that ``register``,
``accept`` and ``transfer`` print after the change), every exception's text, the
staff's dead-letter alerts and every column of the outbox table are then searched for the canaries.

What the fake receivers log about what they received (``mail.log``) is theirs, not the office's, and
is left out; so is SQLAlchemy's own log of rows it read (ciphertexts only, on an encrypted store).
"""

from __future__ import annotations

import json
import logging
import socket
import sqlite3
import threading
import time
from collections.abc import Iterator
from email import message_from_string, policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest
from aiosmtpd.controller import Controller
from click.testing import CliRunner, Result

from petitionkit.cli import cli
from petitionkit.config import OfficeConfig
from petitionkit.domain.identity import id_check_digit
from petitionkit.errors import PetitionkitError
from petitionkit.privacy import MASTER_KEY_ENV
from petitionkit.service import open_office
from petitionkit.service.results import Receipt
from petitionkit.testing import ADMIN, AUDITOR, REGISTRAR

WEBHOOK_SECRET_ENV = "PETITIONKIT_CANARY_WEBHOOK_SECRET"
NAMES = ("欧阳清漪", "慕容砚秋")
ID_NUMBERS = tuple(f + id_check_digit(f) for f in ("33010219870412361", "11010519650228302"))
PHONES = ("13912345678", "15823456789")
EMAILS = ("ouyang.qingyi@canary.example", "murong.yanqiu@canary.example")
ADDRESS = "青石巷甲七号"
PHRASE = "琥珀色的灯塔在午夜熄灭"
CANARIES = (*NAMES, *ID_NUMBERS, *PHONES, *EMAILS, ADDRESS, PHRASE)
BAD_ID = ID_NUMBERS[0][:-1] + ("0" if ID_NUMBERS[0][-1] != "0" else "1")  # a canary with a wrong check digit


class MailServer:
    """Accepts mail except to the first canary, which it refuses with the address echoed (as servers do)."""

    def __init__(self) -> None:
        self.mails: list[tuple[list[str], str]] = []

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:  # noqa: N802
        if address == EMAILS[0]:
            return f"550 5.1.1 <{address}>: Recipient address rejected: mailbox of {NAMES[0]} unknown"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd API
        self.mails.append((list(envelope.rcpt_tos), envelope.content.decode("utf-8", "replace")))
        return "250 OK"


class Receiver(BaseHTTPRequestHandler):
    """A body's webhook endpoint: answers 500 (echoing what it got), or is too slow, as ``mode`` says."""

    mode = "500"
    received: ClassVar[list[bytes]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        Receiver.received.append(body)
        if Receiver.mode == "slow":
            time.sleep(1.5)  # past the notifier's timeout
        status = 500 if Receiver.mode == "500" else 200
        self.send_response(status)
        self.end_headers()
        self.wfile.write(b"internal error while handling " + body)

    def log_message(self, format: str, *args: Any) -> None:  # the receiver's own access log: not the office's
        pass


@pytest.fixture
def receivers() -> Iterator[tuple[MailServer, int, int]]:
    mail = MailServer()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    controller = Controller(mail, hostname="127.0.0.1", port=port)
    controller.start()
    Receiver.mode, Receiver.received = "500", []
    http = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    thread = threading.Thread(target=http.serve_forever, daemon=True)
    thread.start()
    try:
        yield mail, port, int(http.server_address[1])
    finally:
        http.shutdown()
        http.server_close()
        controller.stop()


@pytest.fixture
def office_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, receivers: tuple[MailServer, int, int]) -> Path:
    _, smtp_port, http_port = receivers
    monkeypatch.delenv(MASTER_KEY_ENV, raising=False)
    monkeypatch.setenv(WEBHOOK_SECRET_ENV, "whsec_" + "Y2FuYXJ5LXNlY3JldC1rZXktZm9yLXRlc3Rz")
    folder = tmp_path / "office"
    made = CliRunner().invoke(cli, ["init", str(folder), "--rules", "builtin", "--no-sample-county"])
    assert made.exit_code == 0, made.output
    config = folder / "petitionkit.toml"
    config.write_text(
        config.read_text(encoding="utf-8")
        + f"""
[[bodies]]
code = "GOV-HRSS"
name = "区人力资源和社会保障局"
kind = "government_department"
contacts = {{ webhook = "http://127.0.0.1:{http_port}/hooks/hrss" }}

[settings.notifications]
petitioner_channels = ["email"]
body_channels = ["webhook"]
channels = {{ email = "email", webhook = "webhook" }}
max_attempts = 3
backoff_seconds = 0

[settings.notifications.staff]
email = ["xinfang@rd.example.cn"]

[settings.email]
host = "127.0.0.1"
port = {smtp_port}
security = "none"
sender = "xinfang@rd.example.cn"
timeout = 5

[settings.webhook]
secret_env = "{WEBHOOK_SECRET_ENV}"
allow_insecure_loopback = true
timeout = 0.5
""",
        encoding="utf-8",
    )
    return folder


class Scan:
    """Everything the office said, to be searched for canaries."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.texts: list[tuple[str, str]] = []

    def add(self, where: str, text: str) -> None:
        self.texts.append((where, text))

    def run(self, *args: str, code: int = 0, display: bool = False) -> Result:
        """``petitionkit --config … ARGS`` on today's date; its output is scanned unless it is a display."""
        result = CliRunner().invoke(cli, ["--config", str(self.folder / "petitionkit.toml"), *args])
        assert result.exit_code == code, (args, result.output, result.stderr)
        if not display:
            self.add(f"stdout of {args[:3]}", result.stdout)
        self.add(f"stderr of {args[:3]}", result.stderr)
        return result

    def leaks(self) -> list[tuple[str, str, str]]:
        return [(where, canary, text[:300]) for where, text in self.texts for canary in CANARIES if canary in text]


def _petition(i: int, **extra: str) -> list[str]:
    return [
        "register", "--channel", "letter", "--kind", "claim", "--subject", f"{PHRASE}的问题",
        "--content", f"{NAMES[i]}反映：{PHRASE}，住{ADDRESS}，电话{PHONES[i]}，邮箱{EMAILS[i]}。",
        "--category", "labour", "--region", "330109", "--name", NAMES[i], "--id-number", ID_NUMBERS[i],
        "--phone", PHONES[i], "--email", EMAILS[i], "--address", ADDRESS,
        *[x for k, v in extra.items() for x in (f"--{k.replace('_', '-')}", v)],
    ]  # fmt: skip


def test_no_canary_reaches_a_log_an_error_or_the_outbox(
    office_folder: Path, receivers: tuple[MailServer, int, int], caplog: pytest.LogCaptureFixture
) -> None:
    mail, _, _ = receivers
    caplog.set_level(logging.DEBUG)  # the root logger: every logger of every library, at DEBUG
    scan = Scan(office_folder)
    refs = _through_the_command_line(scan)
    receipts = _through_the_api(scan, refs)

    # --- what the office kept and what it told its staff ----------------------------------------
    connection = sqlite3.connect(str(office_folder / "office.db"))
    try:
        rows = connection.execute("SELECT * FROM outbox").fetchall()
    finally:
        connection.close()
    scan.add("outbox rows", "\n".join(map(str, rows)))
    errors = [r.last_error for r in receipts if r.last_error]
    scan.add("outbox last_error", "\n".join(errors))
    alerts = [text for rcpts, text in mail.mails if rcpts == ["xinfang@rd.example.cn"]]
    for text in alerts:
        scan.add("dead-letter alert to the staff", _mail_text(text))
    for record in caplog.records:
        if record.name.startswith("mail.log"):
            continue
        scan.add(f"log {record.name}", record.getMessage() + (record.exc_text or ""))

    # The workload did what it says: deliveries failed the three ways and died; the errors say why.
    assert sorted(r.status for r in receipts if r.type in ("referred", "transfer_letter")) == ["dead", "dead"]
    warnings = [r.getMessage() for r in caplog.records if r.name == "petitionkit"]
    assert any("550" in e for e in errors) and any("HTTP 500" in w for w in warnings)
    assert any("timed out" in e for e in errors), errors
    assert len(alerts) == 2 and any(EMAILS[1] in rcpts for rcpts, _ in mail.mails)  # the other mail went out
    assert any(NAMES[0].encode() in body or b"\\u" in body for body in Receiver.received)  # the body got the letter
    assert len(caplog.records) > 10 and any(r.levelno == logging.DEBUG for r in caplog.records)

    leaks = scan.leaks()
    assert not leaks, "\n".join(f"{w}: {c} in {t!r}" for w, c, t in leaks)


def _through_the_command_line(scan: Scan) -> list[str]:
    refs = [json.loads(scan.run("--json", *_petition(i), display=True).stdout)["tracking_number"] for i in (0, 1)]
    scan.run("transfer", refs[0], "--body", "GOV-HRSS", "--note", "请依法办理", display=True)  # prints the case
    scan.run("accept", refs[1], "--note", "符合受理条件", display=True)
    scan.run("--json", "show", refs[0], "--petitions", display=True)
    scan.run("--json", "dispatch")  # refused mailbox: dead at once; the letter to the body: 500
    Receiver.mode = "slow"
    scan.run("dispatch")  # the staff alert goes out; the letter times out
    scan.run("--json", "dispatch")  # a third failure: the letter is dead
    Receiver.mode = "ok"
    scan.run("--json", "dispatch")  # the second dead letter's alert
    scan.run("receipts", refs[0])
    listed = json.loads(scan.run("--json", "receipts", refs[1]).stdout)["receipts"]
    assert [(r["type"], r["status"]) for r in listed] == [("accepted", "sent")]
    assert listed[0]["digest"].startswith("hmac-sha256:") and listed[0]["finished_at"]
    scan.run("--json", *_petition(1, id_number=BAD_ID, phone="1391234567"), code=2)  # invalid input
    scan.run("show", PHONES[0], code=4)  # a phone number typed where a tracking number belongs
    scan.run("show", NAMES[1], code=4)
    scan.run("--as", "sun", "decline", refs[1], "--reason", "x", "--channel", "litigation", code=10)
    scan.run("--json", "--as", "wang", "export", str(scan.folder / "x.jsonl"), code=10)
    return refs


def _through_the_api(scan: Scan, refs: list[str]) -> list[Receipt]:
    """Invalid input, a permission refusal and lookups by personal values: every exception's text scanned."""
    bad = {
        "channel": "letter", "kind": "claim", "subject": PHRASE, "content": PHRASE, "category": "labour",
        "region_code": "330109",
        "petitioners": [
            {"name": NAMES[0], "id_number": BAD_ID, "phone": PHONES[0][:-1], "email": EMAILS[0].replace("@", " at ")}
        ],
    }  # fmt: skip
    with open_office(OfficeConfig.load(scan.folder / "petitionkit.toml")) as office:
        attempts = [
            lambda: office.acting_as(REGISTRAR).register(bad),
            lambda: office.acting_as(AUDITOR).petitions(refs[0]),
            lambda: office.acting_as(ADMIN).case(ID_NUMBERS[1]),
            lambda: office.acting_as(ADMIN).case(EMAILS[1]),
        ]
        for attempt in attempts:
            with pytest.raises(PetitionkitError) as caught:
                attempt()
            error = caught.value
            scan.add(f"exception {type(error).__name__}", f"{error} {error.message('zh-CN')} {error.to_dict()}")
        return office.acting_as(ADMIN).receipts(refs[0])


def _mail_text(raw: str) -> str:
    message = message_from_string(raw, policy=policy.default)
    body = message.get_body()
    return f"{message['Subject']}\n{body.get_content() if body is not None else raw}"
