"""On PostgreSQL: two dispatchers share 1,000 messages (none sent twice); two remind runs queue once."""

from __future__ import annotations

import threading
import uuid
from collections import Counter
from datetime import datetime, time, timedelta

import pytest
from notify_helpers import petition, settings_with

from petitionkit.domain.clocks import Clock
from petitionkit.notifications import ReminderReport, remind
from petitionkit.notify import Message
from petitionkit.storage.base import OutboxMessage
from petitionkit.storage.sql import SqlStorage
from petitionkit.testing import SHANGHAI, FakeClock, open_test_office

pytestmark = pytest.mark.postgresql

COUNT = 1000


class SharedLog:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.keys: list[tuple[str, str]] = []

    def notifier(self, worker: str) -> object:
        log = self

        class Recorder:
            def send(self, message: Message) -> None:
                with log.lock:
                    log.keys.append((message.idempotency_key, worker))

        return Recorder()


def test_two_dispatchers_deliver_every_message_exactly_once(postgresql_url: str) -> None:
    clock = FakeClock(datetime(2026, 6, 1, 9, 0, tzinfo=SHANGHAI))
    now = clock()
    seed = SqlStorage(postgresql_url)
    with seed.transaction() as tx:
        tx.enqueue(
            [
                OutboxMessage(
                    id=uuid.uuid4().hex,
                    topic="staff_reminder",
                    case_id=None,
                    payload={"channel": "console", "recipient": "office", "subject": f"#{i}", "body": "b"},
                    idempotency_key=f"key-{i:04d}",
                    created_at=now,
                    available_at=now,
                )
                for i in range(COUNT)
            ]
        )
    log = SharedLog()
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def work(worker: str) -> None:
        try:
            office = open_test_office(settings_with(), storage=SqlStorage(postgresql_url), clock=clock,
                                 notifier=log.notifier(worker))  # type: ignore[arg-type]  # fmt: skip
            start.wait()
            while office.dispatch(worker=worker, limit=25).sent:
                pass
            office.close()
        except BaseException as exc:  # reported by the test below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(name,)) for name in ("d1", "d2")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    counts = Counter(key for key, _ in log.keys)
    assert len(counts) == COUNT, "every message was sent"
    assert counts.most_common(1)[0][1] == 1, "no message was sent twice"
    with seed.transaction() as tx:
        assert tx.claim_outbox("check", COUNT, now, now) == []  # nothing left pending
    seed.close()


def test_two_concurrent_remind_runs_queue_each_reminder_once(postgresql_url: str) -> None:
    clock = FakeClock(datetime(2026, 6, 1, 9, 0, tzinfo=SHANGHAI))
    setup = open_test_office(settings_with(), storage=SqlStorage(postgresql_url), clock=clock)
    case_ids = []
    for _ in range(5):
        case = setup.register(petition(received_at=clock().isoformat())).case
        setup.assign(case.id, body="GOV-HRSS")
        case_ids.append(case.id)
    due = next(o.due for o in setup.case(case_ids[0]).obligations if o.clock is Clock.REFERRAL_REPORT)
    clock.current = datetime.combine(due, time(9), SHANGHAI) - timedelta(days=1)
    start = threading.Barrier(2)
    reports: list[ReminderReport] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            office = open_test_office(settings_with(), storage=SqlStorage(postgresql_url), clock=clock)
            start.wait()
            reports.append(remind(office))
            office.close()
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sum(r.reminders for r in reports) == 5
    for case_id in case_ids:
        queued = [e for e in setup.events(case_id) if e.name == "ReminderQueued"]
        assert [e.payload["threshold"] for e in queued] == ["1"]
    setup.close()
