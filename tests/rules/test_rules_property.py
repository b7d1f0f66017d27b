"""Due dates agree with an independent computation straight from chinese_calendar over many start dates."""

from __future__ import annotations

from datetime import date, timedelta

import chinese_calendar
from hypothesis import given
from hypothesis import strategies as st

from petitionkit.domain.clocks import Clock, Convention, DeadlineBasis
from petitionkit.rules import NamedDay, OfficialChinaCalendar, RuleCalendar, compute_deadline

LAST = date(2026, 12, 31)
CALENDAR = RuleCalendar(OfficialChinaCalendar())
starts = st.dates(min_value=date(2004, 1, 1), max_value=date(2026, 9, 30))
lengths = st.integers(min_value=1, max_value=60)


def _basis(start: date, days: int, convention: Convention, extension: int = 0) -> DeadlineBasis:
    return DeadlineBasis(Clock.NOTICE, start, days, convention, "test", "test", CALENDAR.name, extension)


def _workdays_from(first: date) -> list[date]:
    """Working days from ``first`` on (a window long enough for any clock tested here)."""
    return chinese_calendar.get_workdays(first, min(first + timedelta(days=200), LAST))


def _oracle_working(start: date, days: int) -> date:
    """The ``days``-th working day after ``start``, listed by chinese_calendar.get_workdays."""
    return _workdays_from(start + timedelta(days=1))[days - 1]


def _oracle_calendar(start: date, days: int) -> date:
    """The first working day on or after ``start + days``, listed by chinese_calendar.get_workdays."""
    return _workdays_from(start + timedelta(days=days))[0]


@given(starts, lengths)
def test_working_days_match_get_workdays(start: date, days: int) -> None:
    due = compute_deadline(_basis(start, days, Convention.WORKING_DAYS), CALENDAR).due
    assert due == _oracle_working(start, days)


@given(starts, lengths)
def test_calendar_days_match_get_workdays(start: date, days: int) -> None:
    due = compute_deadline(_basis(start, days, Convention.CALENDAR_DAYS), CALENDAR).due
    assert due == _oracle_calendar(start, days)
    assert chinese_calendar.is_workday(due)
    assert due >= start + timedelta(days=days)


@given(starts, st.integers(min_value=1, max_value=60), st.integers(min_value=1, max_value=30))
def test_an_extension_adds_its_days_to_the_original_last_day(start: date, days: int, extension: int) -> None:
    """2022 art. 34 (延长期限不得超过30日): the extension is counted on from the period's original last day,
    not from the working day a holiday moved it to, so it never adds more than its own days plus the
    move of its own last day."""
    working = compute_deadline(_basis(start, days, Convention.WORKING_DAYS, extension), CALENDAR).due
    assert working == _oracle_working(start, days + extension)
    calendar = compute_deadline(_basis(start, days, Convention.CALENDAR_DAYS, extension), CALENDAR).due
    assert calendar == _oracle_calendar(start, days + extension)
    # the first working day on or after original last day + extension: never counted from the moved day
    assert calendar == _oracle_calendar(start + timedelta(days=days), extension)


@given(starts, lengths, st.data())
def test_local_days_off_are_never_counted_nor_due(start: date, days: int, data: st.DataObject) -> None:
    near = st.dates(min_value=start, max_value=min(start + timedelta(days=90), LAST))
    local = data.draw(st.sets(near, max_size=10))
    calendar = RuleCalendar(OfficialChinaCalendar(), local_days_off=[NamedDay(d, "本地", set_by="t") for d in local])
    working = [d for d in _workdays_from(start + timedelta(days=1)) if d not in local]
    due = compute_deadline(_basis(start, days, Convention.WORKING_DAYS), calendar).due
    assert due == working[days - 1]
    due = compute_deadline(_basis(start, days, Convention.CALENDAR_DAYS), calendar).due
    assert due not in local and chinese_calendar.is_workday(due)
