"""Outbox rows belong to their change's transaction; the dispatcher retries, backs off, gives up loudly."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import pytest
from notify_helpers import PETITIONER_EMAIL, RecordingNotifier, outbox, petition, settings_with

from petitionkit.config import OfficeConfig
from petitionkit.errors import ConfigurationError, IllegalTransition
from petitionkit.hookspecs import hookimpl
from petitionkit.notifications import build_router
from petitionkit.plugins import make_plugin_manager
from petitionkit.service import Office
from petitionkit.storage.base import OutboxStatus
from petitionkit.testing import FakeClock, open_test_office, rendered


def test_a_use_case_that_raises_leaves_no_outbox_row(office: Office, monkeypatch: pytest.MonkeyPatch) -> None:
    case = office.register(petition()).case
    real = office.storage.transaction

    @contextmanager
    def failing_after_enqueue() -> Iterator[Any]:
        with real() as tx:
            original = tx.enqueue

            def enqueue(messages: Any) -> None:
                original(messages)
                assert messages, "the change did plan messages"
                raise RuntimeError("crash after the outbox write")

            monkeypatch.setattr(tx, "enqueue", enqueue)
            yield tx

    monkeypatch.setattr(office.storage, "transaction", failing_after_enqueue)
    with pytest.raises(RuntimeError):
        office.accept(case.id)
    monkeypatch.undo()
    assert outbox(office) == []
    assert office.case(case.id).state.value == "registered"
    with pytest.raises(IllegalTransition):
        office.reply(case.id, outcome="support", text="x")  # refused: nothing queued either
    assert outbox(office) == []


def test_failures_back_off_exponentially_then_dead_with_a_staff_alert(
    make_office: Callable[..., Office], notifier: RecordingNotifier, clock: FakeClock
) -> None:
    office = make_office({"max_attempts": 3, "backoff_seconds": 10})
    case = office.register(petition(petitioners=[{"name": "张三", "email": PETITIONER_EMAIL}])).case
    office.accept(case.id)
    assert len(outbox(office)) == 1
    notifier.failures = 3
    start = clock.current
    assert office.dispatch().failed == 1
    assert outbox(office)[0].available_at == start + timedelta(seconds=10)
    assert office.dispatch() == office.dispatch().__class__(0, 0, 0)  # not before its retry time
    clock.advance(seconds=10)
    assert office.dispatch().failed == 1
    assert outbox(office)[0].available_at == clock.current + timedelta(seconds=20)  # doubled
    clock.advance(seconds=20)
    result = office.dispatch()
    assert (result.dead, result.failed) == (1, 0)
    dead, alert = outbox(office)
    assert dead.status is OutboxStatus.DEAD and dead.attempts == 3 and "receiver down" in (dead.last_error or "")
    assert alert.topic == "staff_dead_letter" and alert.payload["recipient"] == "staff@rd.example.cn"
    body = rendered(office, alert).body
    assert PETITIONER_EMAIL not in body and "z***@example.com" in body  # the staff see which, masked
    assert case.first_tracking_number in body and alert.idempotency_key.startswith(f"dead:{dead.id}")
    assert "recipient" not in dead.payload and "context" not in dead.payload  # the dead row is a receipt
    assert office.dispatch().sent == 1  # the alert itself is delivered
    assert notifier.sent[-1].subject == rendered(office, alert).subject


def test_a_dead_alert_raises_no_further_alert(make_office: Callable[..., Office], notifier: RecordingNotifier) -> None:
    office = make_office({"max_attempts": 1})
    case = office.register(petition(petitioners=[{"name": "张三", "email": PETITIONER_EMAIL}])).case
    office.accept(case.id)
    notifier.failures = 2
    assert office.dispatch().dead == 1
    assert office.dispatch().dead == 1  # the alert dies too ...
    assert len(outbox(office)) == 2  # ... and raises nothing more


def test_each_channel_goes_through_its_own_notifier(clock: FakeClock) -> None:
    email, default = RecordingNotifier(), RecordingNotifier()

    class Plugin:
        @hookimpl
        def petitionkit_register_notifiers(self, register: Callable[..., None]) -> None:
            register("test-email", lambda config: email)
            register("test-default", lambda config: default)

    pm = make_plugin_manager(load_entrypoints=False, extra=[Plugin()])
    data = settings_with({"channels": {"email": "test-email"}}, notifier="test-default")
    office = open_test_office(data, plugin_manager=pm, clock=clock)
    case = office.register(petition()).case
    office.accept(case.id)
    assert office.dispatch().sent == 2
    assert [m.channel for m in email.sent] == ["email"]
    assert [m.channel for m in default.sent] == ["sms"]
    assert email.sent[0].idempotency_key == outbox(office)[0].idempotency_key


def test_an_unknown_notifier_for_a_channel_is_a_configuration_error() -> None:
    config = OfficeConfig.from_mapping(settings_with({"channels": {"email": "no-such-notifier"}}))
    with pytest.raises(ConfigurationError) as error:
        build_router(make_plugin_manager(load_entrypoints=False), config)
    assert "no-such-notifier" in str(error.value.message("en"))


@pytest.mark.parametrize(
    ("settings", "key"),
    [({"max_attempts": 0}, "max_attempts"), ({"remind_days": ["3"]}, "remind_days"), ({"bogus": 1}, "bogus")],
)
def test_bad_notification_settings_name_the_key(make_office: Callable[..., Office], settings: Any, key: str) -> None:
    with pytest.raises(ConfigurationError) as error:
        make_office(settings)  # checked when the office opens, not at the first notice
    assert f"settings.notifications.{key}" in error.value.message("en")
