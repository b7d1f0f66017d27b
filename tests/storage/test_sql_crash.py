"""A registration killed with SIGKILL at any point of its transaction leaves no partial record.

The test runs this file as a child process (``python test_sql_crash.py URL POINT``).  The child
registers one petition normally, then registers a second with a test-only hook wrapped around one
step of the storage transaction: after that step it prints ``paused`` and sleeps, and the parent
kills it there.  Afterwards the database must hold the first registration whole and nothing of the
second (or, when killed after the commit, the second whole as well).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import create_engine, func, select, text

from petitionkit.domain.events import verify_chain
from petitionkit.storage.base import CaseQuery
from petitionkit.storage.sql import SqlStorage, SqlTransaction
from petitionkit.storage.sql.tables import (
    cases,
    events,
    obligations,
    outbox,
    petitioner_identities,
    petitions,
    tracking_counters,
)
from petitionkit.testing import open_test_office

STEPS = ("next_tracking_sequence", "insert_cases", "append_events", "enqueue", "add_petitions")
POINTS = (*STEPS, "before_commit", "after_commit")


# --- the child --------------------------------------------------------------------------------------


def _pause() -> None:
    print("paused", flush=True)
    time.sleep(600)  # the parent kills us here


def _install_pause(point: str) -> None:
    """Test-only hook: stop after ``point`` inside the storage transaction (never in production code)."""
    if point in STEPS:
        original: Callable[..., Any] = getattr(SqlTransaction, point)

        def paused(self: SqlTransaction, *args: Any, **kwargs: Any) -> Any:
            result = original(self, *args, **kwargs)
            _pause()
            return result

        setattr(SqlTransaction, point, paused)
    elif point == "before_commit":
        transaction = SqlStorage.transaction

        @contextmanager
        def paused_before_commit(self: SqlStorage) -> Iterator[SqlTransaction]:
            with transaction(self) as tx:
                yield tx
                _pause()  # the use case is done, the COMMIT not yet sent

        SqlStorage.transaction = paused_before_commit  # type: ignore[method-assign,assignment]


def child(url: str, point: str) -> None:
    from petitionkit.testing import FakeClock, office_settings, sample_petition

    office = open_test_office(office_settings(), storage=SqlStorage(url), clock=FakeClock())
    office.register(sample_petition(subject="第一件"))
    print("first registered", flush=True)
    if point != "after_commit":
        _install_pause(point)
    office.register(sample_petition(subject="第二件", respondent={"unit_name": "某局", "body_code": "GOV-LAND"}))
    _pause()


# --- the parent -------------------------------------------------------------------------------------


def _kill_at(url: str, point: str) -> dict[str, int]:
    """Kill the child at ``point``; return the committed rows seen while it was paused there."""
    process = subprocess.Popen(
        [sys.executable, __file__, url, point],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        lines = [process.stdout.readline().strip() for _ in range(2)]
        assert lines == ["first registered", "paused"], (lines, process.stderr and process.stderr.read())
        committed = _counts(url)  # the child holds its transaction open here
        os.kill(process.pid, signal.SIGKILL)
        assert process.wait() == -signal.SIGKILL
        return committed
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        for stream in (process.stdout, process.stderr):
            if stream is not None:
                stream.close()


def _counts(url: str) -> dict[str, int]:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            counts = {
                t.name: connection.execute(select(func.count()).select_from(t)).scalar_one()
                for t in (cases, petitions, petitioner_identities, obligations, events, outbox)
            }
            # one identity digest per petitioner; repeat detection's secondary keys beside it
            counts["petitioner_identities"] = connection.execute(
                select(func.count()).where(petitioner_identities.c.kind == "person")
            ).scalar_one()
            counts["sequence"] = connection.execute(
                select(func.coalesce(func.max(tracking_counters.c.last_value), 0))
            ).scalar_one()
            # Every case is whole: it has its petitions and its event trail up to last_sequence.  (Foreign
            # keys already forbid the reverse: events, obligations and outbox rows of a missing case.)
            counts["orphan_cases"] = connection.execute(
                text(
                    "SELECT count(*) FROM cases c WHERE NOT EXISTS (SELECT 1 FROM petitions p WHERE p.case_id = c.id)"
                    " OR c.last_sequence <> (SELECT count(*) FROM events e WHERE e.case_id = c.id)"
                )
            ).scalar_one()
            counts["bare_petitions"] = connection.execute(
                text(
                    "SELECT count(*) FROM petitions p WHERE NOT EXISTS"
                    " (SELECT 1 FROM petitioner_identities i WHERE i.petition_id = p.id)"
                )
            ).scalar_one()
        return counts
    finally:
        engine.dispose()


@pytest.mark.parametrize("point", POINTS)
def test_sigkill_inside_a_registration_leaves_no_partial_record(db_url: str, point: str) -> None:
    SqlStorage(db_url).close()  # create the schema before the child starts
    committed = _kill_at(db_url, point)
    after = _counts(db_url)
    expected = 2 if point == "after_commit" else 1
    assert after == committed  # the killed transaction left nothing behind
    assert (after["cases"], after["petitions"], after["petitioner_identities"], after["sequence"]) == (expected,) * 4
    assert after["orphan_cases"] == after["bare_petitions"] == 0
    store = SqlStorage(db_url)  # the database opens and works after the crash
    try:
        with store.transaction() as tx:
            ids = [c.id for c in tx.search_cases(CaseQuery())]
            assert len(ids) == expected
            for case_id in ids:
                assert verify_chain(tx.events_of_case(case_id)) is None
            assert tx.next_tracking_sequence("XS", 2026) == expected + 1
    finally:
        store.close()


if __name__ == "__main__":
    child(sys.argv[1], sys.argv[2])
