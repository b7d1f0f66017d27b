"""Calendar data: the missing-year error, declaring a year in a pack, recomputing after data changes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from petitionkit.domain.clocks import Clock
from petitionkit.domain.model import PetitionKind
from petitionkit.rules import CalendarDataMissing, ComposedRules, OfficialChinaCalendar, load_rule_set

CLAIM = PetitionKind.CLAIM

# Test data in the form of a State Council notice (NOT the real 2027 schedule, which was not published
# when this was written): New Year 1 Jan, Spring Festival 6-13 Feb with make-up Sundays 31 Jan and 21 Feb.
YEAR_2027 = """
[[calendar.extra_years]]
year = 2027
source = "test data in the form of the State Council notice"
holidays = [
  { date = 2027-01-01, name = "元旦", name_en = "New Year's Day" },
  { date = 2027-02-06, name = "春节", name_en = "Spring Festival" },
  { date = 2027-02-07, name = "春节" }, { date = 2027-02-08, name = "春节" }, { date = 2027-02-09, name = "春节" },
  { date = 2027-02-10, name = "春节" }, { date = 2027-02-11, name = "春节" }, { date = 2027-02-12, name = "春节" },
  { date = 2027-02-13, name = "春节" },
]
workdays = [
  { date = 2027-01-31, name = "春节" },
  { date = 2027-02-21, name = "春节" },
]
"""


def test_the_installed_calendar_covers_2004_to_2026() -> None:
    official = OfficialChinaCalendar()
    assert (official.first_year, official.last_year) == (2004, 2026)
    assert official.name == "chinese_calendar 1.11.0"


def test_a_year_without_data_is_a_clear_error(national: ComposedRules) -> None:
    # 30 days from 10 Dec 2026 end in January 2027, a year chinese_calendar 1.11.0 has no data for
    with pytest.raises(CalendarDataMissing) as err:
        national.deadline(Clock.NOTICE, date(2026, 12, 10), CLAIM, days=30)
    assert err.value.year == 2027
    for locale in ("en", "zh-CN"):
        message = err.value.message(locale)
        assert "2027" in message
        assert "chinesecalendar" in message  # how to add data: upgrade the package ...
        assert "[[calendar.extra_years]]" in message  # ... or declare the year in a rule pack
        assert "2004–2026" in message
    assert "no guess" in str(err.value)


def test_working_days_into_a_missing_year_also_fail(national: ComposedRules) -> None:
    with pytest.raises(CalendarDataMissing, match="2027"):
        national.deadline(Clock.MISROUTE_OBJECTION, date(2026, 12, 28), CLAIM)
    with pytest.raises(CalendarDataMissing, match="2003"):
        national.deadline(Clock.NOTICE, date(2003, 6, 1), CLAIM)


def test_declaring_the_year_in_a_pack_makes_it_work(write_pack: Callable[..., Path]) -> None:
    rules = load_rule_set(("national",), [write_pack(YEAR_2027, "year-2027")])
    # day 30 = Sat 9 Jan 2027 -> Mon 11 Jan
    notice = rules.deadline(Clock.NOTICE, date(2026, 12, 10), CLAIM, days=30)
    assert notice is not None and notice.due == date(2027, 1, 11)
    # day 15 = Sat 6 Feb (holiday) .. Sat 13 Feb -> Sun 14 Feb is not declared a working day -> Mon 15 Feb
    spring = rules.deadline(Clock.NOTICE, date(2027, 1, 22), CLAIM, days=15)
    assert spring is not None and spring.due == date(2027, 2, 15)
    assert {s.reason for s in spring.skipped} == {"holiday:春节", "weekend"}
    # working days: Fri 29 Jan, [Sat 30], Sun 31 Jan (make-up), Mon 1 Feb
    work = rules.deadline(Clock.MISROUTE_OBJECTION, date(2027, 1, 28), CLAIM, days=3)
    assert work is not None and work.due == date(2027, 2, 1)
    assert rules.calendar.workday_reason(date(2027, 1, 31)) == "makeup:春节"
    assert "years:2027@year-2027" in rules.calendar.name
    assert work.basis.calendar == rules.calendar.name
    # still strict about the year after
    with pytest.raises(CalendarDataMissing, match="2028"):
        rules.deadline(Clock.NOTICE, date(2027, 12, 20), CLAIM)


def test_a_declared_year_replaces_the_package_data_for_that_year(write_pack: Callable[..., Path]) -> None:
    # An office may correct a year: here 2026 with no holidays at all (test data).
    rules = load_rule_set(("national",), [write_pack("[[calendar.extra_years]]\nyear = 2026\n", "plain-2026")])
    due = rules.deadline(Clock.NOTICE, date(2026, 1, 20), CLAIM, days=30)
    assert due is not None and due.due == date(2026, 2, 19)  # no Spring Festival in this data


def test_recompute_after_a_local_day_off_is_added(national: ComposedRules, write_pack: Callable[..., Path]) -> None:
    first = national.deadline(Clock.MISROUTE_OBJECTION, date(2026, 4, 14), CLAIM)
    assert first is not None and first.due == date(2026, 4, 21)
    changed = load_rule_set(
        ("national",),
        [write_pack('[[calendar.local_days_off]]\ndate = 2026-04-21\nname = "防汛抢险日"\n', "flood")],
    )
    again = changed.recompute(first.basis)
    assert again.due == date(2026, 4, 22)
    assert again.basis.calendar == changed.calendar.name != first.basis.calendar
    # the rest of the basis is kept as recorded
    assert (again.basis.start, again.basis.days, again.basis.rule_set) == (date(2026, 4, 14), 5, "national")
    assert any(s.reason == "local:防汛抢险日" for s in again.skipped)


def test_recompute_after_a_missing_year_is_declared(national: ComposedRules, write_pack: Callable[..., Path]) -> None:
    # A basis recorded with data for 2027 can be recomputed when the data changes, and a recorded
    # basis cannot be recomputed on a calendar that lacks its year.
    with_2027 = load_rule_set(("national",), [write_pack(YEAR_2027, "year-2027")])
    recorded = with_2027.deadline(Clock.NOTICE, date(2027, 1, 22), CLAIM, days=15)
    assert recorded is not None
    with pytest.raises(CalendarDataMissing):
        national.recompute(recorded.basis)
    assert with_2027.recompute(recorded.basis).due == recorded.due


def test_calendar_name_changes_with_the_data(write_pack: Callable[..., Path]) -> None:
    a = load_rule_set(("national",), [write_pack('[[calendar.local_days_off]]\ndate = 2026-05-06\nname = "甲"\n', "x")])
    b = load_rule_set(("national",), [write_pack('[[calendar.local_days_off]]\ndate = 2026-05-07\nname = "甲"\n', "x")])
    assert a.calendar.name != b.calendar.name
    assert a.calendar.name.startswith("chinese_calendar 1.11.0 + local:x #")


def test_official_reasons_win_over_local_ones(write_pack: Callable[..., Path]) -> None:
    rules = load_rule_set(("national",), [write_pack('[[calendar.local_days_off]]\ndate = 2026-10-01\nname = "甲"\n')])
    assert rules.calendar.day_off_reason(date(2026, 10, 1)) == "holiday:国庆节"
    assert rules.calendar.day_off_reason(date(2026, 10, 10)) is None  # make-up Saturday
    assert rules.calendar.workday_reason(date(2026, 10, 10)) == "makeup:国庆节"
    assert rules.calendar.workday_reason(date(2026, 10, 9)) is None  # an ordinary Friday
