"""Working-day calendars (工作日历): official holidays, adjusted working days (调休), local days off.

The official schedule comes from the maintained ``chinese_calendar`` package (PyPI
``chinesecalendar``): it encodes every State Council holiday notice *with* the weekend days that
become working days, and raises for a year it has no data for.  ``holidays.China`` has the same
official years but silently estimates later ones, which would turn a missing announcement into a
wrong due date; ``workalendar`` stops at 2023.  See docs/rules.md.

A :class:`RuleCalendar` layers, in this order: a year declared in a rule pack
(``[[calendar.extra_years]]``) replaces the base data for that year; otherwise the base
(:class:`OfficialChinaCalendar` or :class:`WeekendsOnly`) decides; a year that neither knows is
counted on the provisional calendar (:mod:`petitionkit.rules.provisional`: the statutory holidays
and weekends, no bridge or make-up days), unless the rule set is strict (``[calendar] provisional =
false``), which raises :class:`CalendarDataMissing`; then the office's local days off (本地休息日)
are added.  Day-off reasons are strings: ``"weekend"``, ``"holiday:春节"``,
``"local:县庆日"``; a make-up working day (调休上班日) has the working-day reason ``"makeup:春节"``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any, Protocol

import attrs

from petitionkit.i18n import translate
from petitionkit.rules.errors import CalendarDataMissing
from petitionkit.rules.provisional import VERSIONS, statutory_holidays

WEEKEND = "weekend"
HOLIDAY = "holiday:"
LOCAL = "local:"
MAKEUP = "makeup:"


@attrs.frozen
class NamedDay:
    """A dated entry of calendar data: a holiday, a make-up working day or a local day off."""

    day: date
    name: str  # Chinese, as read to a petitioner
    name_en: str = ""
    set_by: str = ""  # the pack that declared it

    @property
    def english(self) -> str:
        return self.name_en or self.name


@attrs.frozen
class YearData:
    """One year's official schedule declared in a rule pack (节假日安排): holidays and make-up days."""

    year: int
    holidays: tuple[NamedDay, ...]
    workdays: tuple[NamedDay, ...]
    source: str = ""
    set_by: str = ""


class WeekendsOnly:
    """Base data that knows Saturdays and Sundays only (the built-in rule set; never raises)."""

    name = "weekends-only"

    def day_off_reason(self, day: date) -> str | None:
        return WEEKEND if day.weekday() >= 5 else None

    def workday_reason(self, day: date) -> str | None:
        return None

    def covered(self) -> str:
        return "all years (weekends only)"

    def has_year(self, year: int) -> bool:
        return True


class OfficialChinaCalendar:
    """The State Council schedule as encoded by ``chinese_calendar``; raises for years it lacks."""

    def __init__(self) -> None:
        import chinese_calendar  # type: ignore[import-untyped]  # noqa: PLC0415 - optional at import time

        self._holidays: Mapping[date, str] = chinese_calendar.holidays
        self._workdays: Mapping[date, str] = chinese_calendar.workdays
        self.version: str = str(getattr(chinese_calendar, "__version__", "unknown"))
        years = [d.year for d in chinese_calendar.holidays]
        self.first_year: int = min(years)
        self.last_year: int = max(years)
        self.name = f"chinese_calendar {self.version}"
        # English names of the official holidays as chinese_calendar spells them, by Chinese name.
        self._by_english: dict[str, tuple[str, str]] = {h.value: (h.chinese, h.value) for h in chinese_calendar.Holiday}

    def covered(self) -> str:
        return f"{self.first_year}–{self.last_year}"

    def has_year(self, year: int) -> bool:
        return self.first_year <= year <= self.last_year

    def _detail(self, day: date) -> tuple[bool, str | None]:
        if not self.has_year(day.year):
            raise CalendarDataMissing(day.year, self.name, self.covered())
        # The package's exported tables (as get_holiday_detail reads them, without its per-call
        # range scan): a listed working day, else a listed holiday, else Saturday/Sunday off.
        if day in self._workdays:
            return False, str(self._workdays[day])
        if day in self._holidays:
            return True, str(self._holidays[day])
        return day.weekday() >= 5, None

    def _chinese(self, english: str) -> str:
        return self._by_english.get(english, (english, english))[0]

    def english_name(self, chinese: str) -> str | None:
        for zh, en in self._by_english.values():
            if zh == chinese:
                return en
        return None

    def day_off_reason(self, day: date) -> str | None:
        is_off, name = self._detail(day)
        if not is_off:
            return None
        return HOLIDAY + self._chinese(name) if name else WEEKEND

    def workday_reason(self, day: date) -> str | None:
        is_off, name = self._detail(day)
        if is_off or day.weekday() < 5:
            return None
        return MAKEUP + (self._chinese(name) if name else "")


#: How long before the last day of official data the office is warned (due, rules show, init, remind).
WARN_DAYS = 60


@attrs.frozen
class ScheduleWarning:
    """Next year's official holiday schedule is missing: what it means and what to do."""

    missing_year: int
    last_official_day: date
    days_left: int
    provisional: bool  # True: clocks into that year are counted provisionally; False: they are refused

    def text(self, locale: str) -> str:
        key = "calendar.warning.provisional" if self.provisional else "calendar.warning.strict"
        remaining = (
            translate("calendar.remaining.days", locale, days=self.days_left)
            if self.days_left > 0
            else translate("calendar.remaining.none", locale)
        )
        return translate(
            key, locale, year=self.missing_year, last=self.last_official_day.isoformat(), remaining=remaining
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "missing_year": self.missing_year,
            "last_official_day": self.last_official_day.isoformat(),
            "days_left": self.days_left,
            "provisional": self.provisional,
            "text": {loc: self.text(loc) for loc in ("zh-CN", "en")},
        }


class BaseCalendar(Protocol):
    """Base calendar data under a :class:`RuleCalendar` (official schedule, or weekends only)."""

    @property
    def name(self) -> str: ...

    def has_year(self, year: int) -> bool:
        """Whether the data knows ``year`` (otherwise days of it raise :class:`CalendarDataMissing`)."""
        ...

    def day_off_reason(self, day: date) -> str | None: ...

    def workday_reason(self, day: date) -> str | None: ...

    def covered(self) -> str:
        """The years the data covers, in words (for the missing-year error)."""
        ...


class RuleCalendar:
    """The calendar a composed rule set counts with: base data + pack-declared years + local days off.

    ``name`` identifies the data and is recorded in every :class:`~petitionkit.domain.clocks.DeadlineBasis`,
    e.g. ``"chinese_calendar 1.11.0 + local:sample-county #1a2b3c4d"``; the digest changes whenever
    pack calendar data changes, so stale bases can be found and recomputed.
    """

    def __init__(
        self,
        base: BaseCalendar,
        *,
        extra_years: Iterable[YearData] = (),
        local_days_off: Iterable[NamedDay] = (),
        provisional: bool = True,
    ) -> None:
        self.base = base
        self.provisional = provisional
        self.extra_years: dict[int, YearData] = {y.year: y for y in extra_years}
        self.local_days_off: dict[date, NamedDay] = {d.day: d for d in local_days_off}
        self._holidays = {d.day: d for y in self.extra_years.values() for d in y.holidays}
        self._workdays = {d.day: d for y in self.extra_years.values() for d in y.workdays}
        self.name = self._make_name()

    def _make_name(self) -> str:
        parts = [self.base.name]
        if self.extra_years:
            owners = sorted({y.set_by for y in self.extra_years.values()})
            years = ",".join(str(y) for y in sorted(self.extra_years))
            parts.append(f"years:{years}@{'+'.join(owners)}")
        if self.local_days_off:
            owners = sorted({d.set_by for d in self.local_days_off.values()})
            parts.append("local:" + "+".join(owners))
        name = " + ".join(parts)
        if self.extra_years or self.local_days_off:
            name += " #" + self.data_digest()[:8]
        return name

    def data_digest(self) -> str:
        """SHA-256 of the pack-supplied calendar data (extra years and local days off)."""
        data = {
            "years": {
                str(y.year): {
                    "holidays": sorted((d.day.isoformat(), d.name) for d in y.holidays),
                    "workdays": sorted((d.day.isoformat(), d.name) for d in y.workdays),
                }
                for y in self.extra_years.values()
            },
            "local": sorted((d.day.isoformat(), d.name) for d in self.local_days_off.values()),
        }
        return hashlib.sha256(json.dumps(data, sort_keys=True, ensure_ascii=False).encode()).hexdigest()

    def covered(self) -> str:
        base = self.base.covered()
        if self.extra_years:
            base += " + " + ", ".join(str(y) for y in sorted(self.extra_years))
        return base

    def has_official_year(self, year: int) -> bool:
        """Whether ``year``'s official schedule is known (from the base data or a declared year)."""
        return year in self.extra_years or self.base.has_year(year)

    def is_provisional(self, day: date) -> bool:
        """Whether ``day`` is counted on the provisional calendar (its year's schedule is not out)."""
        return self.provisional and not self.has_official_year(day.year)

    def last_official_day(self, after: date) -> date:
        """The last day of the unbroken run of officially known years from ``after``'s year on
        (``date.max`` when the base data knows every year, as weekends-only data does)."""
        year = after.year
        while self.has_official_year(year):
            if year >= after.year + 100:
                return date.max
            year += 1
        return date(year - 1, 12, 31)

    def schedule_warning(self, today: date) -> ScheduleWarning | None:
        """A warning when ``today`` is within :data:`WARN_DAYS` of the last day of official data."""
        last = self.last_official_day(today)
        if last == date.max or (last - today).days > WARN_DAYS:
            return None
        return ScheduleWarning(last.year + 1, last, max(0, (last - today).days), self.provisional)

    def _official_off(self, day: date) -> str | None:
        if day.year in self.extra_years:
            if day in self._workdays:
                return None
            if day in self._holidays:
                return HOLIDAY + self._holidays[day].name
            return WEEKEND if day.weekday() >= 5 else None
        if self.is_provisional(day):
            holiday = statutory_holidays(day.year).get(day)
            if holiday is not None:
                return HOLIDAY + holiday.name
            return WEEKEND if day.weekday() >= 5 else None
        try:
            return self.base.day_off_reason(day)
        except CalendarDataMissing:
            raise CalendarDataMissing(day.year, self.name, self.covered()) from None

    def day_off_reason(self, day: date) -> str | None:
        """``None`` for a working day, else why it is off (official reasons win over local ones)."""
        reason = self._official_off(day)
        if reason is None and day in self.local_days_off:
            return LOCAL + self.local_days_off[day].name
        return reason

    def workday_reason(self, day: date) -> str | None:
        """``"makeup:<holiday>"`` when ``day`` is a weekend day worked in exchange for a holiday."""
        if self.day_off_reason(day) is not None:
            return None
        if day.year in self.extra_years:
            if day in self._workdays and day.weekday() >= 5:
                return MAKEUP + self._workdays[day].name
            return None
        if self.is_provisional(day):
            return None  # no make-up working day is invented
        return self.base.workday_reason(day)

    def label(self, reason: str, locale: str) -> str:
        """The words for a reason string in ``locale`` (used by explanations)."""
        return reason_label(reason, locale, self._english_names())

    def _english_names(self) -> Mapping[str, str]:
        names: dict[str, str] = {}
        for y in self.extra_years.values():
            for d in (*y.holidays, *y.workdays):
                if d.name_en:
                    names[d.name] = d.name_en
        for d in self.local_days_off.values():
            if d.name_en:
                names[d.name] = d.name_en
        if isinstance(self.base, OfficialChinaCalendar):
            for zh, en in self.base._by_english.values():
                names.setdefault(zh, en)
        for version in VERSIONS:
            for holiday, _ in version.holidays:
                names.setdefault(holiday.name, holiday.name_en)
        return names

    def describe(self) -> dict[str, Any]:
        """The calendar's data, printable (JSON-able)."""
        return {
            "name": self.name,
            "base": self.base.name,
            "covered_years": self.covered(),
            "provisional": self.provisional,
            "extra_years": [
                {
                    "year": y.year,
                    "source": y.source,
                    "set_by": y.set_by,
                    "holidays": [{"date": d.day.isoformat(), "name": d.name} for d in y.holidays],
                    "workdays": [{"date": d.day.isoformat(), "name": d.name} for d in y.workdays],
                }
                for y in sorted(self.extra_years.values(), key=lambda y: y.year)
            ],
            "local_days_off": [
                {"date": d.day.isoformat(), "name": d.name, "name_en": d.name_en, "set_by": d.set_by}
                for d in sorted(self.local_days_off.values(), key=lambda d: d.day)
            ],
        }


_WORDS = {
    "weekend": {"zh-CN": "周末", "en": "weekend"},
    "holiday": {"zh-CN": "法定节假日（{name}）", "en": "public holiday ({name})"},
    "local": {"zh-CN": "本地休息日（{name}）", "en": "local day off ({name})"},
    "makeup": {"zh-CN": "调休上班日（{name}）", "en": "make-up working day ({name})"},
}


def reason_label(reason: str, locale: str, english_names: Mapping[str, str] | None = None) -> str:
    """Render ``"holiday:春节"`` as ``"法定节假日（春节）"`` / ``"public holiday (Spring Festival)"``."""
    loc = "en" if locale == "en" else "zh-CN"
    kind, _, name = reason.partition(":")
    words = _WORDS.get(kind)
    if words is None:
        return reason
    if loc == "en" and name:
        name = (english_names or {}).get(name, name)
    return words[loc].format(name=name)
