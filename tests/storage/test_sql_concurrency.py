"""Concurrency on a real database: optimistic locking, tracking numbers, outbox claims.

Threads use their own connections (the store's pool); barriers line them up so the race is real.
Nothing here asserts on time.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import TypeVar

import attrs
import pytest

from petitionkit.errors import ConcurrencyConflict, ExtensionRefused
from petitionkit.service import Office
from petitionkit.storage.base import OutboxMessage, OutboxStatus
from petitionkit.storage.sql import SqlStorage
from petitionkit.testing import DIRECTOR, FakeClock, office_settings, open_test_office, sample_petition

T = TypeVar("T")


@pytest.fixture
def store(db_url: str) -> Iterator[SqlStorage]:
    storage = SqlStorage(db_url, busy_timeout=60.0)
    yield storage
    storage.close()


@pytest.fixture
def office(store: SqlStorage) -> Office:
    return open_test_office(office_settings(), storage=store, clock=FakeClock())


def _in_threads(count: int, work: Callable[[int], T]) -> list[T | BaseException]:
    """Run ``work(i)`` in ``count`` threads; return each result or the exception it raised."""
    results: list[T | BaseException] = [RuntimeError("did not run")] * count

    def run(i: int) -> None:
        try:
            results[i] = work(i)
        except BaseException as exc:  # collected and asserted on by the test
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_two_writers_of_one_case_one_wins_one_conflicts(office: Office, store: SqlStorage) -> None:
    case = office.register(sample_petition()).case
    assert case.version == 1
    read_both = threading.Barrier(2)

    def writer(i: int) -> int:
        with store.transaction() as tx:  # each reads the case as a clerk's screen would
            seen = tx.get_case(case.id)
        assert seen is not None
        read_both.wait()
        with store.transaction() as tx:
            tx.update_case(attrs.evolve(seen, version=seen.version + 1, subject=f"clerk {i}"), seen.version)
        return i

    results = _in_threads(2, writer)
    winners = [r for r in results if isinstance(r, int)]
    conflicts = [r for r in results if isinstance(r, ConcurrencyConflict)]
    assert len(winners) == 1 and len(conflicts) == 1, results
    assert conflicts[0].expected == 1 and conflicts[0].actual == 2
    final = office.case(case.id)
    assert final.version == 1 + len(winners)
    assert final.subject == f"clerk {winners[0]}"


@pytest.mark.postgresql
def test_two_open_transactions_on_one_case_one_conflicts(postgresql_url: str) -> None:
    """On PostgreSQL both transactions are open at once: the second UPDATE waits, then matches no row."""
    store = SqlStorage(postgresql_url)
    office = open_test_office(office_settings(), storage=store, clock=FakeClock())
    case = office.register(sample_petition()).case
    read_both = threading.Barrier(2)

    def writer(i: int) -> int:
        with store.transaction() as tx:
            seen = tx.get_case(case.id)
            assert seen is not None
            read_both.wait()
            tx.update_case(attrs.evolve(seen, version=seen.version + 1, subject=f"clerk {i}"), seen.version)
        return i

    results = _in_threads(2, writer)
    store.close()
    assert sum(isinstance(r, int) for r in results) == 1
    assert sum(isinstance(r, ConcurrencyConflict) for r in results) == 1, results
    check = SqlStorage(postgresql_url)
    with check.transaction() as tx:
        stored = tx.get_case(case.id)
    check.close()
    assert stored is not None and stored.version == 2


def test_inserting_an_existing_case_is_a_conflict(office: Office, store: SqlStorage) -> None:
    case = office.register(sample_petition()).case
    with pytest.raises(ConcurrencyConflict), store.transaction() as tx:
        tx.insert_cases([case])
    assert office.case(case.id) == case


def test_concurrent_use_cases_never_lose_an_update(office: Office) -> None:
    """Many clerks act on one case through the service; every success is one version step."""
    case = office.register(sample_petition()).case
    office.accept(case.id)

    def extend_or_conflict(i: int) -> str:
        office.extend(case.id, days=10, reason=f"理由{i}", approved_by=DIRECTOR)
        return "ok"

    results = _in_threads(4, extend_or_conflict)
    successes = [r for r in results if r == "ok"]
    failures = [r for r in results if r != "ok"]
    assert all(isinstance(r, ConcurrencyConflict | ExtensionRefused) for r in failures), failures
    final = office.case(case.id)
    assert len(successes) == 1  # a case is extended once; the others conflict or are refused
    assert final.version == 2 + len(successes)


def test_tracking_sequences_are_unique_under_concurrency(store: SqlStorage) -> None:
    start = threading.Barrier(4)

    def reserve(i: int) -> list[int]:
        start.wait()
        got = []
        for _ in range(20):
            with store.transaction() as tx:
                got.append(tx.next_tracking_sequence("XS", 2026, 1 + i % 2))
        return got

    results = _in_threads(4, reserve)
    numbers: list[int] = []
    for i, result in enumerate(results):
        assert isinstance(result, list), result
        for first in result:
            numbers.extend(range(first, first + 1 + i % 2))
    assert sorted(numbers) == list(range(1, len(numbers) + 1))


def _messages(count: int) -> list[OutboxMessage]:
    now = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
    return [
        OutboxMessage(
            id=uuid.uuid4().hex,
            topic="CaseAccepted",
            case_id=None,
            payload={"n": i},
            idempotency_key=f"test:{i}",
            created_at=now,
            available_at=now,
        )
        for i in range(count)
    ]


def test_two_workers_never_claim_the_same_message(store: SqlStorage) -> None:
    messages = _messages(1000)
    with store.transaction() as tx:
        tx.enqueue(messages)
    now = messages[0].created_at + timedelta(minutes=1)
    start = threading.Barrier(2)

    def work(i: int) -> list[str]:
        worker, claimed = f"worker-{i}", []
        start.wait()
        while True:
            with store.transaction() as tx:
                batch = tx.claim_outbox(worker, 20, now, now + timedelta(minutes=5))
            if not batch:
                return claimed
            claimed.extend(m.id for m in batch)
            with store.transaction() as tx:
                for m in batch:
                    tx.finish_outbox(m.id, worker, status=OutboxStatus.SENT, attempts=m.attempts + 1)

    results = _in_threads(2, work)
    claims = [m for r in results if isinstance(r, list) for m in r]
    assert all(isinstance(r, list) for r in results), results
    assert len(claims) == len(set(claims)) == 1000
    if store.dialect == "postgresql":  # the workers really overlapped (SKIP LOCKED), neither starved
        assert all(results)
    assert set(claims) == {m.id for m in messages}
    with store.transaction() as tx:
        assert tx.claim_outbox("late", 10, now + timedelta(hours=1), now + timedelta(hours=2)) == []
