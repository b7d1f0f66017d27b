"""The provisional calendar: statutory holidays computed from the lunar calendar and solar terms.

For every year the official data covers, each statutory day off that the provisional calendar
computes is a day off in the State Council schedule (as ``chinese_calendar`` encodes it), with the
same holiday's name where the data names one; the official schedule may add bridge days only.
"""

from __future__ import annotations

from datetime import date, timedelta

import chinese_calendar
import pytest
from hypothesis import given
from hypothesis import strategies as st

from petitionkit.rules import load_rule_set
from petitionkit.rules.calendar import RuleCalendar, WeekendsOnly
from petitionkit.rules.provisional import CURRENT, statutory_holidays, statutory_periods, version_for

OFFICIAL = (2004, 2026)


def _holidays_on(day: date) -> set[str]:
    return {h.key for h, dates in statutory_periods(day.year) if day in dates}


@given(st.dates(date(OFFICIAL[0], 1, 1), date(OFFICIAL[1], 12, 31)))
def test_a_statutory_day_is_an_official_day_off(day: date) -> None:
    holidays = _holidays_on(day)
    official_off, official_name = chinese_calendar.get_holiday_detail(day)
    if holidays:
        assert official_off, f"{day} is statutory ({holidays}) but an official working day"
        if official_name is not None:
            assert chinese_calendar.Holiday(official_name).name in holidays
    elif official_off and official_name is not None and day.weekday() < 5:
        # a weekday off beyond the statute is a bridge day, within a week of its holiday's statutory days
        key = chinese_calendar.Holiday(official_name).name
        # (the holiday may be next year's: 2007-12-31 bridges to New Year's Day 2008)
        years = (day.year - 1, day.year, day.year + 1)
        statutory = [d for y in years for h, dates in statutory_periods(y) if h.key == key for d in dates]
        assert not statutory or min(abs((d - day).days) for d in statutory) <= 7, (day, official_name)


@pytest.mark.parametrize("year", range(OFFICIAL[0], OFFICIAL[1] + 1))
def test_every_statutory_day_of_every_official_year_agrees(year: int) -> None:
    for day, holiday in statutory_holidays(year).items():
        official_off, official_name = chinese_calendar.get_holiday_detail(day)
        assert official_off, (day, holiday.name)
        if official_name is not None:
            assert chinese_calendar.Holiday(official_name).name in _holidays_on(day)


@given(st.integers(2027, 2099))
def test_qingming_agrees_with_chinese_calendars_solar_terms(year: int) -> None:
    # Two independent computations of the solar term (lunar_python, chinese_calendar's formula).
    (qingming,) = [d for h, dates in statutory_periods(year) if h.key == "tomb_sweeping_day" for d in dates]
    terms = chinese_calendar.get_solar_terms(date(year, 4, 1), date(year, 4, 10))
    assert [d for d, name in terms if name == "清明"] == [qingming]


@given(st.integers(2025, 2099))
def test_the_current_regulation_gives_thirteen_days_off(year: int) -> None:
    assert version_for(year) is CURRENT
    periods = dict((h.key, dates) for h, dates in statutory_periods(year))
    assert sum(len(d) for d in periods.values()) == 13
    eve, first, *_ = periods["spring_festival"]
    assert first - eve == timedelta(days=1)
    assert first.month in (1, 2) and date(year, 1, 21) <= first <= date(year, 2, 20)


def test_the_2027_statutory_holidays() -> None:
    # checked by hand against the lunar calendar: 正月初一 = 6 Feb 2027, 端午 = 9 Jun, 中秋 = 15 Sep
    expected = {
        date(2027, 1, 1),
        *(date(2027, 2, d) for d in (5, 6, 7, 8)),
        date(2027, 4, 5),
        date(2027, 5, 1),
        date(2027, 5, 2),
        date(2027, 6, 9),
        date(2027, 9, 15),
        *(date(2027, 10, d) for d in (1, 2, 3)),
    }
    assert set(statutory_holidays(2027)) == expected


def test_provisional_counting_is_only_for_years_without_data() -> None:
    weekends = RuleCalendar(WeekendsOnly())
    assert not weekends.is_provisional(date(2040, 1, 1))  # weekends-only data knows every year
    national = load_rule_set(("national",)).calendar
    assert not national.is_provisional(date(2026, 12, 31))
    assert national.is_provisional(date(2027, 1, 1))
    assert national.last_official_day(date(2026, 11, 29)) == date(2026, 12, 31)
    assert national.label(national.day_off_reason(date(2027, 2, 5)) or "", "en") == "public holiday (Spring Festival)"
