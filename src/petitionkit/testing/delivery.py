"""A slow receiver and several dispatchers on one outbox: the lease scenario of issue 15, for tests and benchmarks.

:func:`slow_receiver_run` fills an outbox with ``count`` messages, starts ``workers`` dispatcher threads
(each its own office on the same database) and a receiver that takes ``delay`` seconds per message, with
leases of ``lease_seconds`` (shorter than a batch takes), and returns how often each idempotency key
arrived.  It runs on the real clock: leases must actually run out.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Mapping
from typing import Any

import attrs

from petitionkit.service import open_office
from petitionkit.storage.base import OutboxMessage, Storage
from petitionkit.testing import ADMIN


class SlowReceiver:
    """Counts each idempotency key it receives; each delivery takes ``delay`` seconds."""

    def __init__(self, delay: float) -> None:
        self.delay = delay
        self.lock = threading.Lock()
        self.keys: Counter[str] = Counter()

    def send(self, message: Any) -> None:
        time.sleep(self.delay)
        with self.lock:
            self.keys[message.idempotency_key] += 1


@attrs.frozen
class LeaseRun:
    """What the receiver got and what the dispatchers reported."""

    received: Mapping[str, int]
    lost: int  # messages a dispatcher skipped because it had lost their lease
    seconds: float

    @property
    def duplicates(self) -> int:
        return sum(n - 1 for n in self.received.values() if n > 1)


def slow_receiver_run(
    settings: Mapping[str, Any],
    storage_factory: Callable[[], Storage],
    *,
    count: int = 12,
    workers: int = 2,
    delay: float = 0.25,
    lease_seconds: int = 1,
    limit: int = 100,
    deadline: float = 60.0,
) -> LeaseRun:
    """Deliver ``count`` messages with ``workers`` dispatchers through one slow receiver (see the module)."""
    seed = storage_factory()
    now = open_office(settings, storage=seed).now()
    with seed.transaction() as tx:
        tx.enqueue(
            [
                OutboxMessage(
                    id=uuid.uuid4().hex,
                    topic="accepted",
                    case_id=None,
                    payload={"channel": "sms", "recipient": "13800138000", "subject": f"#{i}", "body": "b"},
                    idempotency_key=f"lease-{i:04d}",
                    created_at=now,
                    available_at=now,
                )
                for i in range(count)
            ]
        )
    receiver = SlowReceiver(delay)
    start = threading.Barrier(workers)
    errors: list[BaseException] = []
    lost = [0] * workers
    began = time.monotonic()

    def work(n: int) -> None:
        try:
            office = open_office(settings, storage=storage_factory(), notifier=receiver).acting_as(ADMIN)
            start.wait()
            while len(receiver.keys) < count and time.monotonic() - began < deadline:
                result = office.dispatch(worker="dispatcher", limit=limit, lease_seconds=lease_seconds)
                lost[n] += result.lost
                if not (result.sent or result.lost or result.failed):
                    time.sleep(0.05)
            office.close()
        except BaseException as exc:  # reported by the caller
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seed.close()
    if errors:
        raise errors[0]
    return LeaseRun(dict(receiver.keys), sum(lost), time.monotonic() - began)
