"""The webhook notifier against a real HTTP receiver on loopback (http.server in a thread).

The main test plays an outage: the receiver is down, then fails intermittently (sometimes after
applying a message, so the acknowledgement is lost and the message comes again), then recovers.
Afterwards every committed message has arrived, the receiver applied no idempotency key twice,
and nothing arrived for a change that rolled back.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections import Counter, defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import petitionkit_webhook
import pytest
from petitionkit_webhook import WebhookSettings, WebhookVerificationError, factory, verify_webhook

from petitionkit.config import OfficeConfig
from petitionkit.errors import ConfigurationError
from petitionkit.notify import Message
from petitionkit.plugins import make_plugin_manager
from petitionkit.service import Office
from petitionkit.testing import SHANGHAI, FakeClock, office_settings, open_test_office, sample_petition

SECRET = "test-shared-secret"


class Receiver:
    """An idempotent receiver: applies each key once; its ``mode`` plays outages."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.mode = "up"  # "down", "flaky" or "up"
        self.requests = 0
        self.deliveries: dict[str, list[bytes]] = defaultdict(list)
        self.applied: Counter[str] = Counter()
        self.bad_signatures = 0
        self.lost_acks = 0

    def handle(self, key: str, body: bytes, headers: Any, secret: str = SECRET) -> int:
        with self.lock:
            self.requests += 1
            if self.mode == "down":
                return 503
            try:
                verify_webhook(secret, dict(headers.items()), body)
            except WebhookVerificationError:
                self.bad_signatures += 1
                return 401
            if self.mode == "flaky" and self.requests % 4 == 0:
                return 502  # failed before applying
            self.deliveries[key].append(body)
            if key not in self.applied:
                self.applied[key] += 1  # a real receiver would apply the change here
            if self.mode == "flaky" and self.requests % 3 == 0:
                self.lost_acks += 1
                return 500  # applied, but the acknowledgement is lost: the sender will retry
            return 200


@pytest.fixture
def receiver() -> Iterator[tuple[Receiver, str]]:
    state = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            status = state.handle(self.headers.get("webhook-id", ""), body, self.headers)
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state, f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def _office(tmp_path: Path, url: str, clock: FakeClock, monkeypatch: pytest.MonkeyPatch) -> Office:
    monkeypatch.setenv("PK_TEST_WEBHOOK_SECRET", SECRET)
    data: dict[str, Any] = dict(office_settings())
    data["bodies"] = [
        {**b, "contacts": {"webhook": f"{url}/hooks/{b['code']}"}} if b["code"] == "GOV-HRSS" else b
        for b in data["bodies"]
    ]
    data["database"] = {"url": f"sqlite:///{tmp_path / 'office.db'}"}
    data["settings"] = {
        "webhook": {"secret_env": "PK_TEST_WEBHOOK_SECRET", "timeout": 5, "allow_insecure_loopback": True},
        "notifications": {
            "channels": {"webhook": "webhook"},
            "petitioner_channels": [],
            "body_channels": ["webhook"],
            "staff": {"webhook": [f"{url}/hooks/staff"]},
            "max_attempts": 50,
            "backoff_seconds": 1,
            "backoff_max_seconds": 8,
        },
    }
    pm = make_plugin_manager(load_entrypoints=False, extra=[petitionkit_webhook])
    return open_test_office(data, plugin_manager=pm, clock=clock)


def _outbox(tmp_path: Path) -> dict[str, str]:
    with sqlite3.connect(tmp_path / "office.db") as db:
        return dict(db.execute("SELECT idempotency_key, status FROM outbox").fetchall())


def test_outage_then_recovery_every_committed_message_arrives_once(
    tmp_path: Path, receiver: tuple[Receiver, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    state, url = receiver
    clock = FakeClock(datetime(2026, 6, 1, 9, 0, tzinfo=SHANGHAI))
    office = _office(tmp_path, url, clock, monkeypatch)
    state.mode = "down"
    cases = [office.register(sample_petition(received_at=clock().isoformat())).case for _ in range(6)]
    for case in cases[:5]:
        office.assign(case.id, body="GOV-HRSS")

    # A change that rolls back after its messages were written: none of them may ever arrive.
    rolled_back: list[str] = []
    real = office.storage.transaction

    @contextmanager
    def crashing() -> Iterator[Any]:
        with real() as tx:
            original = tx.enqueue

            def enqueue(messages: Any) -> None:
                original(messages)
                rolled_back.extend(m.idempotency_key for m in messages)
                raise RuntimeError("crash after the outbox write")

            monkeypatch.setattr(tx, "enqueue", enqueue)
            yield tx

    monkeypatch.setattr(office.storage, "transaction", crashing)
    with pytest.raises(RuntimeError):
        office.assign(cases[5].id, body="GOV-HRSS")
    monkeypatch.setattr(office.storage, "transaction", real)
    office.record_objection(cases[4].id, reason="不属本单位职责")  # a staff message too
    assert rolled_back, "the rolled-back change had planned messages"

    for _ in range(3):  # the receiver is down
        assert office.dispatch().sent == 0
        clock.advance(seconds=8)
    state.mode = "flaky"
    for _ in range(10):
        office.dispatch()
        clock.advance(seconds=8)
    state.mode = "up"
    for _ in range(20):
        if "pending" not in _outbox(tmp_path).values():
            break
        office.dispatch()
        clock.advance(seconds=8)

    committed = _outbox(tmp_path)
    assert set(committed.values()) == {"sent"}, committed
    assert set(state.applied) == set(committed), "every committed message arrived"
    assert max(state.applied.values()) == 1, "no idempotency key applied twice"
    assert not set(rolled_back) & set(state.deliveries), "nothing arrived for the rolled-back change"
    assert state.lost_acks > 0 and any(len(d) > 1 for d in state.deliveries.values()), "redelivery was exercised"
    for key, bodies in state.deliveries.items():
        assert len(set(bodies)) == 1, f"redeliveries of {key} are identical"
        assert json.loads(bodies[0])["idempotency_key"] == key
    assert state.bad_signatures == 0
    office.close()


def test_signature_and_headers(receiver: tuple[Receiver, str], monkeypatch: pytest.MonkeyPatch) -> None:
    state, url = receiver
    monkeypatch.setenv("PK_SECRET", SECRET)
    data = dict(office_settings())
    data["settings"] = {"webhook": {"secret_env": "PK_SECRET", "allow_insecure_loopback": True}}
    notifier = factory(OfficeConfig.from_mapping(data))
    notifier.send(Message(f"{url}/x", "webhook", "主题", "正文", "k-1", case_id="c1"))
    assert state.applied == Counter({"k-1": 1})
    doc = json.loads(state.deliveries["k-1"][0])
    assert doc["subject"] == "主题" and doc["case_id"] == "c1"


def test_a_wrong_secret_is_refused_by_the_receiver(receiver: tuple[Receiver, str]) -> None:
    state, url = receiver
    notifier = petitionkit_webhook.WebhookNotifier(WebhookSettings(b"not-the-secret", allow_insecure_loopback=True))
    with pytest.raises(OSError):
        notifier.send(Message(f"{url}/x", "webhook", "s", "b", "k-2"))
    assert state.bad_signatures == 1 and "k-2" not in state.applied


@pytest.mark.parametrize(
    ("webhook", "env", "needle"),
    [
        (None, {}, "settings.webhook"),
        ({}, {}, "settings.webhook.secret_env"),
        ({"secret_env": "PK_MISSING"}, {}, "PK_MISSING is not set"),
        ({"secret_env": "S", "url": "ftp://example.cn/x"}, {"S": "x"}, "settings.webhook.url"),
        ({"secret_env": "S", "url": "not a url"}, {"S": "x"}, "must be an http(s) URL"),
        ({"secret_env": "S", "url": "http://oa.example.cn/x"}, {"S": "x"}, "plain http"),
        ({"secret_env": "S", "url": "http://127.0.0.1/x"}, {"S": "x"}, "plain http"),
        ({"secret_env": "S", "body_secrets": {"QX-HRSS": "PK_NONE"}}, {"S": "x"}, "PK_NONE is not set"),
        ({"secret_env": "S"}, {"S": "whsec_***"}, "base64"),
        ({"secret_env": "S", "ca_file": "/no/such/ca.pem"}, {"S": "x"}, "settings.webhook.ca_file"),
        ({"secret_env": "S", "timeout": 0}, {"S": "x"}, "settings.webhook.timeout"),
        ({"secret_env": "S", "retries": 3}, {"S": "x"}, "settings.webhook.retries"),
    ],
)
def test_bad_settings_are_configuration_errors(webhook: Any, env: dict[str, str], needle: str) -> None:
    data = dict(office_settings())
    if webhook is not None:
        data["settings"] = {"webhook": webhook}
    with pytest.raises(ConfigurationError) as error:
        WebhookSettings.from_config(OfficeConfig.from_mapping(data), env=env)
    assert needle in error.value.message("en")


def test_missing_secret_fails_when_the_office_opens(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PK_NOT_SET", raising=False)
    data = dict(office_settings(notifier="webhook"))
    data["settings"] = {"webhook": {"secret_env": "PK_NOT_SET"}}
    pm = make_plugin_manager(load_entrypoints=False, extra=[petitionkit_webhook])
    with pytest.raises(ConfigurationError) as error:
        open_test_office(data, plugin_manager=pm)
    assert "PK_NOT_SET" in error.value.message("en")
