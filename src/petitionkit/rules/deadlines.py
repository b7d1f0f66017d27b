"""Counting days: the two conventions a rule pack can name."""

from __future__ import annotations

from datetime import date, timedelta

from petitionkit.domain.clocks import Convention, Deadline, DeadlineBasis, SkippedDay
from petitionkit.domain.ports import Calendar

_ONE_DAY = timedelta(days=1)


def _count(start: date, days: int, convention: Convention, calendar: Calendar) -> tuple[date, list[SkippedDay]]:
    skipped: list[SkippedDay] = []
    if convention is Convention.WORKING_DAYS:
        day, counted = start, 0
        while counted < days:
            day += _ONE_DAY
            reason = calendar.day_off_reason(day)
            if reason is None:
                counted += 1
            else:
                skipped.append(SkippedDay(day, reason))
        return day, skipped
    # Calendar days: the start day is not counted; a last day that is a day off moves
    # to the next working day.
    day = start + timedelta(days=days)
    while (reason := calendar.day_off_reason(day)) is not None:
        skipped.append(SkippedDay(day, reason))
        day += _ONE_DAY
    return day, skipped


def compute_deadline(basis: DeadlineBasis, calendar: Calendar) -> Deadline:
    """The due date for ``basis`` on ``calendar``; an extension counts on from the first due date."""
    due, skipped = _count(basis.start, basis.days, basis.convention, calendar)
    if basis.extension_days:
        due, more = _count(due, basis.extension_days, basis.convention, calendar)
        skipped.extend(more)
    return Deadline(due=due, basis=basis, skipped=tuple(skipped))
