"""Delivered and dead outbox rows are receipts on the SQL store: erased in the write that finishes them,
their digest keyed under the index key, and rows from before revision 0011 reduced by the migration."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime
from typing import Any

import attrs
import pytest
from sqlalchemy import create_engine, select, text

from petitionkit.notify import Message
from petitionkit.privacy import MASTER_KEY_ENV
from petitionkit.service import Office
from petitionkit.storage.sql import SqlStorage, head_revision, upgrade
from petitionkit.storage.sql.tables import outbox
from petitionkit.testing import FakeClock, office_settings, open_test_office, sample_petition

MASTER = {"m-test": bytes(range(32))}  # made up for tests


class Recorder:
    def __init__(self) -> None:
        self.sent: list[Message] = []

    def send(self, message: Message) -> None:
        self.sent.append(message)


def _office(url: str, monkeypatch: pytest.MonkeyPatch, notifier: Recorder) -> Office:
    monkeypatch.setenv(MASTER_KEY_ENV, ",".join(f"{k}:{base64.b64encode(v).decode()}" for k, v in MASTER.items()))
    data = {**office_settings(), "database": {"url": url}}
    return open_test_office(data, clock=FakeClock(), notifier=notifier)


def _raw_rows(office: Office) -> list[dict[str, Any]]:
    with office.storage.engine.connect() as c:  # type: ignore[attr-defined]
        return [dict(r._mapping) for r in c.execute(select(outbox).order_by(outbox.c.seq))]


def test_a_delivered_row_keeps_a_keyed_digest_and_nothing_of_the_letter(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    notifier = Recorder()
    office = _office(db_url, monkeypatch, notifier)
    reg = office.register(sample_petition())
    office.accept(reg.case.id, note="依法受理")
    (pending,) = _raw_rows(office)
    assert str(pending["payload"]["recipient"]).startswith("pk1:")  # sealed while pending
    assert office.dispatch().sent == 1
    (row,) = _raw_rows(office)
    dump = json.dumps({k: str(v) for k, v in row.items()}, ensure_ascii=False)
    assert "pk1:" not in dump and "13800138000" not in dump  # erased, not kept encrypted beside
    assert row["payload"] == {"type": "accepted", "audience": "petitioner", "channel": "sms"}
    assert row["status"] == "sent" and row["finished_at"] is not None and row["attempts"] == 1
    assert str(row["digest"]).startswith("hmac-sha256:") and len(row["digest"]) == len("hmac-sha256:") + 64

    (letter,) = notifier.sent
    assert office.receipt_matches(row["id"], letter)
    assert "依法受理" in letter.body
    altered = attrs.evolve(letter, body=letter.body.replace("依法受理", "不予受理"))
    assert not office.receipt_matches(row["id"], altered)
    (receipt,) = office.receipts(reg.case.first_tracking_number)
    assert (receipt.type, receipt.audience, receipt.channel, receipt.status) == (
        "accepted",
        "petitioner",
        "sms",
        "sent",
    )
    assert receipt.digest == row["digest"] and receipt.finished_at == office.now()
    office.close()


def test_rows_finished_before_receipts_are_reduced_by_the_migration(db_url: str) -> None:
    """A 0008 database with a sent, a dead and a pending row: 0011 erases the first two, keeps the third."""
    assert upgrade(db_url, "0008") == (None, "0008")
    full = {
        "type": "accepted",
        "audience": "petitioner",
        "channel": "email",
        "recipient": "pk1:dabc:c2VhbGVk",
        "context": "pk1:dabc:c2VhbGVkIGNvbnRleHQ=",
        "subject": "信访事项受理告知",
        "body": "张三：您的信访事项已受理。",
        "obligation_id": None,
        "body_code": None,
        "locale": "zh-CN",
    }
    now = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
    storage = _OldSchema(db_url)
    for seq, status in enumerate(("sent", "dead", "pending"), 1):
        storage.insert(f"m{seq}", status, full, now)
    assert upgrade(db_url) == ("0008", head_revision())
    store = SqlStorage(db_url)  # a plain store reads the receipts: nothing sealed is left in them
    with store.transaction() as tx:
        sent, dead = (tx.outbox_message(f"m{n}") for n in (1, 2))
    with store.engine.connect() as c:
        (stored,) = c.execute(select(outbox.c.payload).where(outbox.c.id == "m3")).one()
    store.close()
    assert sent is not None and dead is not None
    for receipt in (sent, dead):
        assert dict(receipt.payload) == {"type": "accepted", "audience": "petitioner", "channel": "email"}
        assert receipt.digest is None and receipt.finished_at is None
    pending = json.loads(stored) if isinstance(stored, str) else stored
    assert pending == full  # still to deliver: nothing erased


class _OldSchema:
    """Writes outbox rows in the columns revision 0008 has."""

    def __init__(self, url: str) -> None:
        self.url = url

    def insert(self, message_id: str, status: str, payload: dict[str, Any], at: datetime) -> None:
        engine = create_engine(self.url)
        stamp = at.isoformat(timespec="microseconds") if engine.dialect.name == "sqlite" else at
        value = "CAST(:payload AS json)" if engine.dialect.name == "postgresql" else ":payload"
        with engine.begin() as c:
            c.execute(
                text(
                    "INSERT INTO outbox (id, topic, payload, idempotency_key, created_at, available_at, status,"
                    f" attempts) VALUES (:id, 'accepted', {value}, :key, :at, :at, :status, 1)"
                ),
                {
                    "id": message_id,
                    "payload": json.dumps(payload, ensure_ascii=False),
                    "key": message_id,
                    "at": stamp,
                    "status": status,
                },
            )
        engine.dispose()
