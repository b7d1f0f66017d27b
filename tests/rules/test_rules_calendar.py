"""Calendar data: the missing-year error, declaring a year in a pack, recomputing after data changes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from petitionkit.domain.clocks import Clock
from petitionkit.domain.model import PetitionKind
from petitionkit.rules import CalendarDataMissing, ComposedRules, OfficialChinaCalendar, RulePackError, load_rule_set
from petitionkit.testing.calendars import TEST_2027, schedule_toml

CLAIM = PetitionKind.CLAIM

YEAR_2027 = schedule_toml()  # complete test data in the form of a notice, NOT the real 2027 schedule


def test_the_installed_calendar_covers_2004_to_2026() -> None:
    official = OfficialChinaCalendar()
    assert (official.first_year, official.last_year) == (2004, 2026)
    assert official.name == "chinese_calendar 1.11.0"


def test_a_year_without_data_is_counted_provisionally(national: ComposedRules) -> None:
    # 30 days from 10 Dec 2026 end on Sat 9 Jan 2027, a year chinese_calendar 1.11.0 has no data for
    notice = national.deadline(Clock.NOTICE, date(2026, 12, 10), CLAIM, days=30)
    assert notice is not None and notice.due == date(2027, 1, 11)
    assert notice.provisional and notice.basis.provisional_years == (2027,)
    # Spring Festival 2027 (statutory: eve 5 Feb .. 8 Feb) is known from the lunar calendar
    spring = national.deadline(Clock.NOTICE, date(2027, 1, 21), CLAIM, days=15)
    assert spring is not None and spring.due == date(2027, 2, 9)  # 5 Feb .. 8 Feb off, then Tue 9 Feb
    assert {s.reason for s in spring.skipped} == {"holiday:春节"}
    # no make-up working day is invented: Sun 31 Jan 2027 stays a day off
    assert national.calendar.workday_reason(date(2027, 1, 31)) is None
    assert national.calendar.day_off_reason(date(2027, 1, 31)) == "weekend"


def test_a_clock_inside_a_known_year_is_final(national: ComposedRules) -> None:
    done = national.deadline(Clock.NOTICE, date(2026, 11, 1), CLAIM)
    assert done is not None and not done.provisional and done.basis.provisional_years == ()
    # a calendar-days clock looks only at its last days: passing through no unknown day keeps it final
    assert national.calendar.is_provisional(date(2027, 1, 4))
    assert not national.calendar.is_provisional(date(2026, 12, 31))


def test_working_days_into_a_missing_year_are_provisional(national: ComposedRules) -> None:
    work = national.deadline(Clock.MISROUTE_OBJECTION, date(2026, 12, 28), CLAIM)
    assert work is not None and work.provisional
    # Tue 29, Wed 30, Thu 31 Dec, [Fri 1 Jan statutory, Sat, Sun], Mon 4, Tue 5 Jan
    assert work.due == date(2027, 1, 5)


def test_a_strict_pack_keeps_the_clear_error(write_pack: Callable[..., Path]) -> None:
    strict = load_rule_set(("national",), [write_pack("[calendar]\nprovisional = false\n", "strict")])
    with pytest.raises(CalendarDataMissing) as err:
        strict.deadline(Clock.NOTICE, date(2026, 12, 10), CLAIM, days=30)
    assert err.value.year == 2027
    for locale in ("en", "zh-CN"):
        message = err.value.message(locale)
        assert "2027" in message
        assert "[[calendar.extra_years]]" in message  # how to add data: declare the year in a rule pack
        assert "2004–2026" in message
    assert "no guess" in str(err.value)
    with pytest.raises(CalendarDataMissing, match="2003"):
        strict.deadline(Clock.NOTICE, date(2003, 6, 1), CLAIM)


def test_declaring_the_year_in_a_pack_makes_it_final(write_pack: Callable[..., Path]) -> None:
    rules = load_rule_set(("national",), [write_pack(YEAR_2027, "year-2027")])
    # day 30 = Sat 9 Jan 2027 -> Mon 11 Jan
    notice = rules.deadline(Clock.NOTICE, date(2026, 12, 10), CLAIM, days=30)
    assert notice is not None and notice.due == date(2027, 1, 11) and not notice.provisional
    # day 15 = Sat 6 Feb (holiday) .. Fri 12 Feb, Sat 13 and Sun 14 weekend -> Mon 15 Feb
    spring = rules.deadline(Clock.NOTICE, date(2027, 1, 22), CLAIM, days=15)
    assert spring is not None and spring.due == date(2027, 2, 15)
    assert {s.reason for s in spring.skipped} == {"holiday:春节", "weekend"}
    # working days: Fri 29 Jan, [Sat 30], Sun 31 Jan (make-up), Mon 1 Feb
    work = rules.deadline(Clock.MISROUTE_OBJECTION, date(2027, 1, 28), CLAIM, days=3)
    assert work is not None and work.due == date(2027, 2, 1)
    assert rules.calendar.workday_reason(date(2027, 1, 31)) == "makeup:春节"
    assert "years:2027@year-2027" in rules.calendar.name
    assert work.basis.calendar == rules.calendar.name
    # the year after is provisional again
    later = rules.deadline(Clock.NOTICE, date(2027, 12, 20), CLAIM)
    assert later is not None and later.basis.provisional_years == (2028,)


def test_a_declared_year_replaces_the_package_data_for_that_year(write_pack: Callable[..., Path]) -> None:
    # An office may correct a year, e.g. 2026 with Spring Festival one day longer (test data).
    days = "".join(f'{{ date = 2026-02-{d:02d}, name = "春节" }},' for d in range(15, 25))
    body = (
        "[[calendar.extra_years]]\nyear = 2026\nholidays = [\n"
        '{ date = 2026-01-01, name = "元旦" }, ' + days + "\n"
        '{ date = 2026-04-05, name = "清明节" }, { date = 2026-05-01, name = "劳动节" },'
        '{ date = 2026-05-02, name = "劳动节" }, { date = 2026-06-19, name = "端午节" },'
        '{ date = 2026-09-25, name = "中秋节" }, { date = 2026-10-01, name = "国庆节" },'
        '{ date = 2026-10-02, name = "国庆节" }, { date = 2026-10-03, name = "国庆节" },\n]\n'
    )
    rules = load_rule_set(("national",), [write_pack(body, "longer-2026")])
    assert rules.calendar.day_off_reason(date(2026, 2, 24)) == "holiday:春节"  # official: a working day
    assert rules.calendar.day_off_reason(date(2026, 2, 14)) == "weekend"  # official: a make-up day; not here


@pytest.mark.parametrize(
    ("body", "key", "words"),
    [
        # Spring Festival left out
        (schedule_toml(tuple(h for h in TEST_2027 if h[0] != "春节")), "holidays", "Spring Festival"),
        # a make-up working day on a Wednesday
        (schedule_toml().replace("date = 2027-02-20", "date = 2027-02-17"), "workdays[1].date", "Saturday"),
        # a make-up Saturday far from any holiday
        (schedule_toml().replace("date = 2027-02-20", "date = 2027-03-13"), "workdays[1].date", "14 days"),
        # a year out of range
        ("[[calendar.extra_years]]\nyear = 1999\n", "year", "2000"),
    ],
)
def test_a_wrong_declared_year_is_refused_at_load(
    write_pack: Callable[..., Path], body: str, key: str, words: str
) -> None:
    path = write_pack(body, "typo")
    with pytest.raises(RulePackError) as err:
        load_rule_set(("national",), [path])
    assert err.value.file == str(path)
    assert err.value.key_path == f"calendar.extra_years[0].{key}"
    assert words in err.value.message("en")
    assert err.value.message("zh-CN") != err.value.message("en")


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
    # A provisional basis recounted on the declared schedule becomes final, and may move.
    provisional = national.deadline(Clock.NOTICE, date(2027, 1, 29), CLAIM)
    assert provisional is not None and provisional.provisional
    assert provisional.due == date(2027, 2, 15)  # 13 Feb Sat, 14 Sun -> Mon 15 Feb: no make-up day known
    with_2027 = load_rule_set(("national",), [write_pack(YEAR_2027, "year-2027")])
    final = with_2027.recompute(provisional.basis)
    assert not final.provisional and final.basis.calendar == with_2027.calendar.name
    assert final.due == date(2027, 2, 15)
    # a working-days clock across the make-up Sunday 31 Jan moves a day earlier
    work = national.deadline(Clock.MISROUTE_OBJECTION, date(2027, 1, 28), CLAIM, days=3)
    assert work is not None and work.due == date(2027, 2, 2)
    assert with_2027.recompute(work.basis).due == date(2027, 2, 1)


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
