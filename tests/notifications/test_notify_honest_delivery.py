"""No silent loss and no double delivery: a channel without a notifier fails loudly; a lost lease is not sent."""

from __future__ import annotations

from pathlib import Path

import pytest
from notify_helpers import outbox, petition, settings_with

from petitionkit.storage.base import OutboxStatus
from petitionkit.storage.sql import SqlStorage
from petitionkit.testing import FakeClock, open_test_office
from petitionkit.testing.delivery import slow_receiver_run


def test_sms_with_no_notifier_leaves_the_messages_undelivered_and_alerts_the_staff(
    clock: FakeClock, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    settings = settings_with({"petitioner_channels": ["sms"], "staff": {"console": ["office"]}, "max_attempts": 2})
    office = open_test_office(settings, clock=clock)  # [office] notifier = "console"; nothing for sms
    assert "sms" in [m.channel for m in office.router.unserved]  # `petitionkit dispatch` warns of it
    office.accept(office.register(petition()).case.id)
    (sms,) = [m for m in outbox(office) if m.payload["channel"] == "sms"]
    first = office.dispatch()
    assert first.sent == 0 and first.failed == 1
    row = office.storage.outbox[sms.id]  # type: ignore[attr-defined]
    assert row.status is OutboxStatus.PENDING and "no notifier" in str(row.last_error)
    clock.advance(hours=1)
    assert office.dispatch().dead == 1
    assert office.storage.outbox[sms.id].status is OutboxStatus.DEAD  # type: ignore[attr-defined]
    (alert,) = [m for m in outbox(office) if m.topic == "staff_dead_letter"]
    assert alert.payload["channel"] == "console" and alert.payload["context"]["channel"] == "sms"
    capsys.readouterr()
    assert office.dispatch().sent == 1  # the alert reaches the staff console, on standard output
    printed = capsys.readouterr().out
    assert "to office via console:" in printed and alert.idempotency_key in printed
    assert "13800138000" not in printed


def test_the_console_serves_a_real_channel_only_when_named(
    clock: FakeClock, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = settings_with({"petitioner_channels": ["sms"], "channels": {"sms": "console"}})
    office = open_test_office(settings, clock=clock)
    office.accept(office.register(petition()).case.id)
    assert office.dispatch().sent >= 1
    assert "via sms:" in capsys.readouterr().out


def test_a_receiver_slower_than_the_lease_gets_no_message_twice_on_sqlite(tmp_path: Path) -> None:
    """Two dispatchers (one worker name), a 1 s lease, a batch that takes 3 s: the lost lease is not sent."""
    url = f"sqlite:///{tmp_path / 'office.db'}"
    run = slow_receiver_run(settings_with(), lambda: SqlStorage(url), count=12, delay=0.25, lease_seconds=1)
    assert len(run.received) == 12, "every message was delivered"
    assert run.duplicates == 0, f"delivered twice: {[k for k, n in run.received.items() if n > 1]}"


@pytest.mark.postgresql
def test_a_receiver_slower_than_the_lease_gets_no_message_twice_on_postgresql(postgresql_url: str) -> None:
    run = slow_receiver_run(settings_with(), lambda: SqlStorage(postgresql_url), count=12, delay=0.25, lease_seconds=1)
    assert len(run.received) == 12 and run.duplicates == 0
