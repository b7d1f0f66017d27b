"""Statutory holidays (法定节假日) of any year, for counting before the official schedule is out.

The State Council General Office announces each year's holiday schedule (节假日安排: which days
bridge to weekends, which weekend days become working days) in November or December of the
year before.  Until then an office still has to count clocks that reach into that year, so
petitionkit counts them on a *provisional* calendar: the days off that the national holiday
regulation (全国年节及纪念日放假办法) itself fixes, plus Saturdays and Sundays, with no bridge
days and no make-up working days invented.  Every due date counted that way is marked
provisional and is recounted when the official schedule arrives (``petitionkit recompute``).

Lunar dates (Spring Festival, Dragon Boat, Mid-Autumn) and the Qingming solar term come from the
maintained ``lunar_python`` package (6tail's lunar library; pure Python, 1900–2100), not from
tables typed by hand.  The regulation's earlier versions are kept too, so that the provisional
calendar can be checked against every year of official data (see tests/rules/test_provisional.py).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from functools import lru_cache

import attrs
from lunar_python import Lunar, Solar  # type: ignore[import-untyped]

_ONE_DAY = timedelta(days=1)


@attrs.frozen
class StatutoryHoliday:
    """One holiday as the regulation fixes it: its name and how many days off it gives."""

    key: str  # the ``chinese_calendar.Holiday`` member name, e.g. "spring_festival"
    name: str  # Chinese, as read to a petitioner
    name_en: str
    days: int


@attrs.frozen
class RegulationVersion:
    """A version of 全国年节及纪念日放假办法 and the first year its days off apply to."""

    title: str
    in_force_from: int  # first calendar year counted under this version
    holidays: tuple[tuple[StatutoryHoliday, Callable[[int], tuple[date, ...]]], ...]


def _new_year(year: int) -> tuple[date, ...]:
    return (date(year, 1, 1),)


def _lunar(year: int, month: int, day: int) -> date:
    solar = Lunar.fromYmd(year, month, day).getSolar()
    return date(solar.getYear(), solar.getMonth(), solar.getDay())


def _spring_festival_from_eve(year: int) -> tuple[date, ...]:
    first = _lunar(year, 1, 1)  # the eve is the last day of the 12th month: the 29th or the 30th
    return (first - _ONE_DAY, first, first + _ONE_DAY, first + 2 * _ONE_DAY)


def _spring_festival_eve_to_second(year: int) -> tuple[date, ...]:
    first = _lunar(year, 1, 1)
    return (first - _ONE_DAY, first, first + _ONE_DAY)


def _spring_festival_first_to_third(year: int) -> tuple[date, ...]:
    first = _lunar(year, 1, 1)
    return (first, first + _ONE_DAY, first + 2 * _ONE_DAY)


def _qingming(year: int) -> tuple[date, ...]:
    term = Solar.fromYmd(year, 4, 1).getLunar().getJieQiTable()["清明"]
    return (date(term.getYear(), term.getMonth(), term.getDay()),)


def _days(month: int, first: int, count: int) -> Callable[[int], tuple[date, ...]]:
    def dates(year: int) -> tuple[date, ...]:
        return tuple(date(year, month, first + i) for i in range(count))

    return dates


def _dragon_boat(year: int) -> tuple[date, ...]:
    return (_lunar(year, 5, 5),)


def _mid_autumn(year: int) -> tuple[date, ...]:
    return (_lunar(year, 8, 15),)


def _holiday(key: str, name: str, name_en: str, days: int) -> StatutoryHoliday:
    return StatutoryHoliday(key, name, name_en, days)


NEW_YEAR = _holiday("new_years_day", "元旦", "New Year's Day", 1)
QINGMING = _holiday("tomb_sweeping_day", "清明节", "Tomb-sweeping Day", 1)
DRAGON_BOAT = _holiday("dragon_boat_festival", "端午节", "Dragon Boat Festival", 1)
MID_AUTUMN = _holiday("mid_autumn_festival", "中秋节", "Mid-autumn Festival", 1)
NATIONAL_DAY = _holiday("national_day", "国庆节", "National Day", 3)

#: The versions of the regulation, newest first.  Only the newest counts provisional years;
#: the older ones let tests compare the lunar computation with every year of official data.
VERSIONS: tuple[RegulationVersion, ...] = (
    RegulationVersion(
        "全国年节及纪念日放假办法（2024年修订）",
        2025,
        (
            (NEW_YEAR, _new_year),
            (_holiday("spring_festival", "春节", "Spring Festival", 4), _spring_festival_from_eve),
            (QINGMING, _qingming),
            (_holiday("labour_day", "劳动节", "Labour Day", 2), _days(5, 1, 2)),
            (DRAGON_BOAT, _dragon_boat),
            (MID_AUTUMN, _mid_autumn),
            (NATIONAL_DAY, _days(10, 1, 3)),
        ),
    ),
    RegulationVersion(
        "全国年节及纪念日放假办法（2013年修订）",
        2014,
        (
            (NEW_YEAR, _new_year),
            (_holiday("spring_festival", "春节", "Spring Festival", 3), _spring_festival_first_to_third),
            (QINGMING, _qingming),
            (_holiday("labour_day", "劳动节", "Labour Day", 1), _days(5, 1, 1)),
            (DRAGON_BOAT, _dragon_boat),
            (MID_AUTUMN, _mid_autumn),
            (NATIONAL_DAY, _days(10, 1, 3)),
        ),
    ),
    RegulationVersion(
        "全国年节及纪念日放假办法（2007年修订）",
        2008,
        (
            (NEW_YEAR, _new_year),
            (_holiday("spring_festival", "春节", "Spring Festival", 3), _spring_festival_eve_to_second),
            (QINGMING, _qingming),
            (_holiday("labour_day", "劳动节", "Labour Day", 1), _days(5, 1, 1)),
            (DRAGON_BOAT, _dragon_boat),
            (MID_AUTUMN, _mid_autumn),
            (NATIONAL_DAY, _days(10, 1, 3)),
        ),
    ),
    RegulationVersion(
        "全国年节及纪念日放假办法（1999年修订）",
        2000,
        (
            (NEW_YEAR, _new_year),
            (_holiday("spring_festival", "春节", "Spring Festival", 3), _spring_festival_first_to_third),
            (_holiday("labour_day", "劳动节", "Labour Day", 3), _days(5, 1, 3)),
            (NATIONAL_DAY, _days(10, 1, 3)),
        ),
    ),
)

CURRENT = VERSIONS[0]
FIRST_YEAR, LAST_YEAR = 2000, 2099  # the versions' span and lunar_python's reliable range


def version_for(year: int) -> RegulationVersion:
    """The version of the regulation whose days off apply to ``year``."""
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValueError(f"statutory holidays are known for {FIRST_YEAR}–{LAST_YEAR}, not {year}")
    return next(v for v in VERSIONS if year >= v.in_force_from)


@lru_cache(maxsize=128)
def statutory_holidays(year: int) -> dict[date, StatutoryHoliday]:
    """Each statutory day off of ``year`` with its holiday (the earlier holiday when two coincide)."""
    days: dict[date, StatutoryHoliday] = {}
    for holiday, dates in version_for(year).holidays:
        for day in dates(year):
            # The Spring Festival eve of a year can fall in the year before only in theory; keep the year's own days.
            if day.year == year:
                days.setdefault(day, holiday)
    return days


def statutory_periods(year: int) -> list[tuple[StatutoryHoliday, tuple[date, ...]]]:
    """The holidays of ``year`` with their dates, in the regulation's order."""
    return [(holiday, dates(year)) for holiday, dates in version_for(year).holidays]
