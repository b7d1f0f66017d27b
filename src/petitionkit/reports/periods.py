"""Reporting periods (统计期): a month, a quarter, a year or any date range, and the windows they cover.

A period is a span of whole local days (the office's time zone).  Its :class:`Window` is the
half-open interval of instants ``[first day 00:00, day after the last day 00:00)`` in that zone,
so a petition received at 23:59 on the 31st local time counts in that month even though it is
15:59 UTC.  Comparisons use the previous period (环比) and the same period last year (同比).
"""

from __future__ import annotations

import calendar
import enum
import re
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import attrs

from petitionkit.errors import FieldError, InvalidInput
from petitionkit.reports import labels as _labels  # noqa: F401 - registers the field problems used here


class PeriodKind(enum.StrEnum):
    MONTH = "month"  # 月报
    QUARTER = "quarter"  # 季报
    YEAR = "year"  # 年报
    RANGE = "range"  # any date range


@attrs.frozen
class Window:
    """The instants of a period: ``start <= t < end`` (timezone-aware)."""

    start: datetime
    end: datetime

    def __contains__(self, moment: datetime) -> bool:
        return self.start <= moment < self.end


_QUARTER_NAMES = {1: "一", 2: "二", 3: "三", 4: "四"}


def _shift_year(day: date, years: int) -> date:
    """``day`` moved by whole years; 29 February becomes 28 February in a common year."""
    year = day.year + years
    return day.replace(year=year, day=min(day.day, calendar.monthrange(year, day.month)[1]))


def add_months(year: int, month: int, delta: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + delta
    return index // 12, index % 12 + 1


@attrs.frozen
class Period:
    """A reporting period: its kind and its first and last day (both included)."""

    kind: PeriodKind
    start: date
    end: date

    def __attrs_post_init__(self) -> None:
        if self.end < self.start:
            raise InvalidInput([FieldError("--to", "period_order", {"day": self.start.isoformat()})])

    # --- constructors ---------------------------------------------------------------------

    @classmethod
    def month(cls, year: int, month: int) -> Period:
        return cls(PeriodKind.MONTH, date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1]))

    @classmethod
    def quarter(cls, year: int, quarter: int) -> Period:
        if not 1 <= quarter <= 4:
            raise InvalidInput([FieldError("--quarter", "choice", {"choices": "1, 2, 3, 4"})])
        first = 3 * (quarter - 1) + 1
        return cls(
            PeriodKind.QUARTER,
            date(year, first, 1),
            date(year, first + 2, calendar.monthrange(year, first + 2)[1]),
        )

    @classmethod
    def year(cls, year: int) -> Period:
        return cls(PeriodKind.YEAR, date(year, 1, 1), date(year, 12, 31))

    @classmethod
    def between(cls, start: date, end: date) -> Period:
        """Any date range; a range that is exactly a month, quarter or year becomes that kind."""
        for candidate in (cls.month(start.year, start.month), cls.year(start.year)):
            if (candidate.start, candidate.end) == (start, end):
                return candidate
        if start.day == 1 and start.month % 3 == 1:
            candidate = cls.quarter(start.year, (start.month - 1) // 3 + 1)
            if candidate.end == end:
                return candidate
        return cls(PeriodKind.RANGE, start, end)

    @classmethod
    def parse(cls, text: str) -> Period:
        """``2026``, ``2026-03``, ``2026Q1`` (or ``2026-Q1``), or ``2026-01-01..2026-03-15``."""
        value = text.strip()
        try:
            if m := re.fullmatch(r"(\d{4})", value):
                return cls.year(int(m[1]))
            if m := re.fullmatch(r"(\d{4})-(\d{1,2})", value):
                return cls.month(int(m[1]), int(m[2]))
            if m := re.fullmatch(r"(\d{4})-?[Qq]([1-4])", value):
                return cls.quarter(int(m[1]), int(m[2]))
            if m := re.fullmatch(r"(\d{4}-\d{2}-\d{2})\s*(?:\.\.|/|~)\s*(\d{4}-\d{2}-\d{2})", value):
                return cls.between(date.fromisoformat(m[1]), date.fromisoformat(m[2]))
        except ValueError:
            pass
        raise InvalidInput([FieldError("--period", "period_format")])

    # --- related periods --------------------------------------------------------------------

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> Period:
        """The period just before (环比): the previous month, quarter or year, or a range as long."""
        if self.kind is PeriodKind.MONTH:
            return Period.month(*add_months(self.start.year, self.start.month, -1))
        if self.kind is PeriodKind.QUARTER:
            year, month = add_months(self.start.year, self.start.month, -3)
            return Period.quarter(year, (month - 1) // 3 + 1)
        if self.kind is PeriodKind.YEAR:
            return Period.year(self.start.year - 1)
        end = self.start - timedelta(days=1)
        return Period(PeriodKind.RANGE, end - timedelta(days=self.days - 1), end)

    def last_year(self) -> Period:
        """The same period one year earlier (同比)."""
        if self.kind is PeriodKind.MONTH:
            return Period.month(self.start.year - 1, self.start.month)
        if self.kind is PeriodKind.QUARTER:
            return Period.quarter(self.start.year - 1, (self.start.month - 1) // 3 + 1)
        if self.kind is PeriodKind.YEAR:
            return Period.year(self.start.year - 1)
        return Period(PeriodKind.RANGE, _shift_year(self.start, -1), _shift_year(self.end, -1))

    def history(self, count: int) -> list[Period]:
        """The ``count`` periods before this one, most recent first (the baseline of trend signals)."""
        found: list[Period] = []
        current = self
        for _ in range(count):
            current = current.previous()
            found.append(current)
        return found

    def months(self) -> list[Period]:
        """Calendar months overlapping the period, clipped to it (the points of a trend line)."""
        found: list[Period] = []
        year, month = self.start.year, self.start.month
        while date(year, month, 1) <= self.end:
            whole = Period.month(year, month)
            start, end = max(whole.start, self.start), min(whole.end, self.end)
            found.append(whole if (start, end) == (whole.start, whole.end) else Period(PeriodKind.RANGE, start, end))
            year, month = add_months(year, month, 1)
        return found

    def window(self, zone: ZoneInfo) -> Window:
        """The instants of the period in ``zone``."""
        return Window(
            datetime.combine(self.start, time(0), zone),
            datetime.combine(self.end + timedelta(days=1), time(0), zone),
        )

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end

    # --- labels -------------------------------------------------------------------------------

    def label(self, locale: str = "zh-CN") -> str:
        """``2026年3月``, ``2026年第一季度``, ``2026年``, ``2026年1月1日至2026年3月15日`` (or the English)."""
        en = locale == "en"
        y, m = self.start.year, self.start.month
        if self.kind is PeriodKind.MONTH:
            return f"{calendar.month_name[m]} {y}" if en else f"{y}年{m}月"
        if self.kind is PeriodKind.QUARTER:
            q = (m - 1) // 3 + 1
            return f"Q{q} {y}" if en else f"{y}年第{_QUARTER_NAMES[q]}季度"
        if self.kind is PeriodKind.YEAR:
            return str(y) if en else f"{y}年"
        if en:
            return f"{self.start.isoformat()} to {self.end.isoformat()}"
        return f"{chinese_date(self.start)}至{chinese_date(self.end)}"

    def short_label(self) -> str:
        """A compact axis label: ``2026-03`` for a month, else ``start..end``."""
        if self.kind is PeriodKind.MONTH:
            return f"{self.start.year}-{self.start.month:02d}"
        if self.kind is PeriodKind.YEAR:
            return str(self.start.year)
        if self.kind is PeriodKind.QUARTER:
            return f"{self.start.year}Q{(self.start.month - 1) // 3 + 1}"
        return f"{self.start.isoformat()}..{self.end.isoformat()}"


def chinese_date(day: date) -> str:
    """``2026年3月2日``: the date as Chinese official documents write it."""
    return f"{day.year}年{day.month}月{day.day}日"
