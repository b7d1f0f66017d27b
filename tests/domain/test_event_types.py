"""Typed events: every event class is registered, names live in one place, payloads round-trip."""

from __future__ import annotations

import ast
from datetime import UTC, datetime
from pathlib import Path

import attrs
import pytest

from petitionkit.domain import event_types as ev
from petitionkit.domain.events import GENESIS_DIGEST, record_event
from petitionkit.service import Office
from petitionkit.testing import DIRECTOR, sample_petition

SRC = Path(__file__).resolve().parents[2] / "src" / "petitionkit"


def _concrete(cls: type[ev.DomainEvent]) -> set[type[ev.DomainEvent]]:
    found: set[type[ev.DomainEvent]] = set()
    for sub in cls.__subclasses__():
        if not sub.__name__.startswith("_"):
            found.add(sub)
        found |= _concrete(sub)
    return found


def test_every_event_class_is_registered_under_its_own_name() -> None:
    classes = _concrete(ev.DomainEvent)
    missing = sorted(c.__name__ for c in classes if ev.EVENT_TYPES.get(c.name) is not c)
    assert not missing, f"not in EVENT_TYPES: {missing}"
    assert all(name == cls.name == cls.__name__ for name, cls in ev.EVENT_TYPES.items())


def test_an_unregistered_event_cannot_be_recorded() -> None:
    @attrs.frozen(kw_only=True)
    class SomethingHappened(ev.DomainEvent):
        name = "SomethingHappened"

    with pytest.raises(ev.UnregisteredEvent, match="SomethingHappened"):
        record_event(GENESIS_DIGEST, "case", 1, SomethingHappened(), "clerk", datetime(2026, 3, 2, tzinfo=UTC))
    with pytest.raises(ev.UnregisteredEvent):
        ev.from_payload("SomethingHapened", {})


def test_event_names_are_written_only_in_the_registry() -> None:
    """Code matches on classes; a string with an event's name elsewhere in the package is a lost notice."""
    names = set(ev.EVENT_TYPES)
    offenders = []
    for path in SRC.rglob("*.py"):
        if path.name == "event_types.py" or "testing" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and node.value in names:
                offenders.append(f"{path.relative_to(SRC)}:{node.lineno} {node.value}")
    assert not offenders, offenders


def test_every_recorded_payload_reads_back_as_the_same_typed_event(office: Office) -> None:
    reg = office.register(sample_petition())
    office.assign(reg.case.id, body="GOV-HRSS")
    office.extend(reg.case.id, days=10, reason="需核查", approved_by=DIRECTOR)
    office.record_report(reg.case.id, outcome="support", text="已解决")
    for event in office.events(reg.case.id):
        assert event.data.to_payload() == dict(event.payload)
        assert type(event.data) is ev.EVENT_TYPES[event.name]


@pytest.mark.parametrize(
    ("name", "payload"),
    [
        ("ExportRefused", {"body_code": "GOV-HOUSING", "rule": "2022 art. 30 para. 3"}),
        ("ReferralRefused", {"action": "transfer", "body_code": "GOV-HOUSING", "rule": "2022 art. 30 para. 3"}),
        ("ObligationOpened", {"obligation_id": "o", "clock": "notice", "owed_by": "office", "owed_to": "petitioner",
                              "start": "2026-03-02", "due": "2026-03-17", "body_code": None, "rule_set": "national",
                              "calendar": "chinese_calendar 1.11.0"}),
        ("DueDateRecomputed", {"obligation_id": "o", "clock": "notice", "old_due": "2026-03-17",
                               "new_due": "2026-03-18", "changed": True, "old_calendar": "a", "calendar": "b"}),
    ],
)  # fmt: skip
def test_payloads_stored_by_release_0_1_still_read_back(name: str, payload: dict[str, object]) -> None:
    assert ev.from_payload(name, payload).name == name
