"""Counting days (期限计算): the two conventions a rule pack can name.

* ``calendar_days`` (按日计算): the start day is not counted; the period ends ``days`` days later,
  and a last day that is a day off moves to the next working day (Civil Code arts. 200–203 by
  analogy — the petition regulations say nothing on counting; this is an inference).
* ``working_days`` (按工作日计算): the start day is not counted; the next ``days`` working days are
  counted, skipping weekends, holidays and local days off, counting make-up working days (调休).

An extension counts on from the period's original last day with the same convention: from the
nominal end, not from the working day a holiday moved the first due date to (2022 art. 34: the
extension adds at most 30 days to the period; counting from the moved day would add the holiday too).

A due date is provisional (预计) when any day the count had to look at lies in a year whose
official holiday schedule is not out; the basis records those years (``provisional_years``).
"""

from __future__ import annotations

from datetime import date, timedelta

import attrs

from petitionkit.domain.clocks import Convention, Deadline, DeadlineBasis, SkippedDay
from petitionkit.domain.ports import Calendar

_ONE_DAY = timedelta(days=1)


@attrs.frozen
class Segment:
    """One counted stretch: the base period, or its extension."""

    start: date
    days: int
    nominal_end: date  # the last counted day before any move past days off
    due: date
    skipped: tuple[SkippedDay, ...]  # days off passed over, with reasons
    makeup: tuple[SkippedDay, ...]  # make-up working days (调休上班日) counted or landed on
    provisional_years: tuple[int, ...] = ()  # years of looked-at days counted on provisional data


def count_segment(start: date, days: int, convention: Convention, calendar: Calendar) -> Segment:
    """Count ``days`` from ``start`` (not counted) under ``convention`` on ``calendar``."""
    skipped: list[SkippedDay] = []
    makeup: list[SkippedDay] = []
    if convention is Convention.WORKING_DAYS:
        day, counted = start, 0
        while counted < days:
            day += _ONE_DAY
            reason = calendar.day_off_reason(day)
            if reason is None:
                counted += 1
                if (work := calendar.workday_reason(day)) is not None:
                    makeup.append(SkippedDay(day, work))
            else:
                skipped.append(SkippedDay(day, reason))
        nominal, first_looked_at = day, start + _ONE_DAY
    else:
        nominal = start + timedelta(days=days)
        day = nominal
        while (reason := calendar.day_off_reason(day)) is not None:
            skipped.append(SkippedDay(day, reason))
            day += _ONE_DAY
        if (work := calendar.workday_reason(day)) is not None:
            makeup.append(SkippedDay(day, work))
        first_looked_at = nominal
    provisional = tuple(
        year for year in range(first_looked_at.year, day.year + 1) if calendar.is_provisional(date(year, 1, 1))
    )
    return Segment(start, days, nominal, day, tuple(skipped), tuple(makeup), provisional)


def trace_deadline(basis: DeadlineBasis, calendar: Calendar) -> tuple[Segment, ...]:
    """The base period and, when ``basis.extension_days`` is set, the extension counted on from the base
    period's original (unmoved) last day."""
    first = count_segment(basis.start, basis.days, basis.convention, calendar)
    if not basis.extension_days:
        return (first,)
    return (first, count_segment(first.nominal_end, basis.extension_days, basis.convention, calendar))


def compute_deadline(basis: DeadlineBasis, calendar: Calendar) -> Deadline:
    """The due date for ``basis`` on ``calendar``; an extension counts on from the original last day."""
    segments = trace_deadline(basis, calendar)
    skipped = tuple(s for seg in segments for s in seg.skipped)
    provisional = tuple(sorted({year for seg in segments for year in seg.provisional_years}))
    return Deadline(due=segments[-1].due, basis=attrs.evolve(basis, provisional_years=provisional), skipped=skipped)
