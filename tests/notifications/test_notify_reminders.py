"""Reminders are queued once per obligation and threshold; overdue referrals escalate to the parent."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, time

from notify_helpers import outbox, petition

from petitionkit.domain.clocks import Clock
from petitionkit.notifications import remind
from petitionkit.notifications.reminders import threshold_reached
from petitionkit.service import Office
from petitionkit.testing import SHANGHAI, FakeClock, rendered


def _assigned(office: Office) -> tuple[str, str]:
    case = office.register(petition()).case
    office.assign(case.id, body="GOV-HRSS")
    ob = next(o for o in office.case(case.id).obligations if o.clock is Clock.REFERRAL_REPORT)
    return case.id, ob.due.isoformat()


def _at(clock: FakeClock, day: str) -> None:
    clock.current = datetime.combine(datetime.fromisoformat(day).date(), time(9), SHANGHAI)


def test_threshold_reached() -> None:
    assert [threshold_reached(d, (1, 3)) for d in (5, 4, 3, 2, 1, 0, -1)] == [None, None, "3", "3", "1", "1", "overdue"]


def test_each_threshold_is_queued_once_however_often_remind_runs(office: Office, clock: FakeClock) -> None:
    case_id, due = _assigned(office)
    before = len(outbox(office))
    assert remind(office).queued == ()  # nothing due soon yet
    _at(clock, due)
    clock.advance(days=-3)
    first = remind(office)
    assert [(q.threshold, q.body_code) for q in first.queued if q.case_id == case_id] == [("3", "GOV-HRSS")]
    assert remind(office).queued == () and remind(office).queued == ()
    rows = outbox(office)[before:]
    assert sorted((r.topic, r.payload["recipient"]) for r in rows) == [
        ("report_due", "hrss@gov.example.cn"),
        ("report_due", "https://oa.example.cn/hooks/hrss"),
    ]
    assert "尚余 3 日" in rendered(office, rows[0]).body
    events = [e for e in office.events(case_id) if e.name == "ReminderQueued"]
    assert len(events) == 1 and events[0].payload["threshold"] == "3"
    clock.advance(days=2)
    assert [q.threshold for q in remind(office).queued] == ["1"]
    assert remind(office).queued == ()


def test_overdue_notice_then_escalation_to_the_parent_after_the_delay(
    make_office: Callable[..., Office], clock: FakeClock
) -> None:
    office = make_office({"escalate_after_days": 5})
    case_id, due = _assigned(office)
    _at(clock, due)
    clock.advance(days=1)
    report = remind(office)
    assert [q.threshold for q in report.queued] == ["overdue"]
    before = len(outbox(office))
    clock.advance(days=3)
    assert remind(office).queued == ()  # overdue notice already sent; escalation not yet due
    clock.advance(days=1)  # five days late
    report = remind(office)
    assert [(q.event, q.parent_code) for q in report.queued] == [("EscalatedToParent", "GOV")]
    assert remind(office).queued == ()
    rows = outbox(office)[before:]
    assert sorted((r.topic, r.payload["recipient"]) for r in rows) == [
        ("escalation_notice", "gov@gov.example.cn"),
        ("staff_escalated", "staff@rd.example.cn"),
    ]
    assert "逾期 5 日" in rendered(office, rows[0]).body
    assert [e.name for e in office.events(case_id)].count("EscalatedToParent") == 1


def test_overdue_accusation_never_escalates_to_the_accused_side(office: Office, clock: FakeClock) -> None:
    case = office.register(
        petition(kind="accusation", respondent={"unit_name": "区政府办", "body_code": "GOV"})
    ).case  # the accused unit is GOV, the parent of the handling body
    office.assign(case.id, body="SUPERVISION")
    ob = next(o for o in office.case(case.id).obligations if o.clock is Clock.REFERRAL_REPORT)
    _at(clock, ob.due.isoformat())
    clock.advance(days=30)
    remind(office)
    assert not any(r.payload["recipient"] == "gov@gov.example.cn" for r in outbox(office))


def test_a_closed_obligation_gets_no_reminder(office: Office, clock: FakeClock) -> None:
    case_id, due = _assigned(office)
    office.record_report(case_id, outcome="support", text="已解决")
    _at(clock, due)
    assert [q for q in remind(office).queued if q.clock == "referral_report"] == []
