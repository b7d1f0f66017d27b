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


def _spring_festival(from_eve: bool, count: int) -> Callable[[int], tuple[date, ...]]:
    """``count`` days from New Year's Eve (the last day of the 12th month: the 29th or the 30th) or
    from the first day of the first month."""

    def dates(year: int) -> tuple[date, ...]:
        start = _lunar(year, 1, 1) - (_ONE_DAY if from_eve else timedelta(0))
        return tuple(start + i * _ONE_DAY for i in range(count))

    return dates


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


def _version(
    title: str, in_force_from: int, *, spring: tuple[bool, int], labour: int, traditional: bool = True
) -> RegulationVersion:
    """A version of the regulation: how Spring Festival (from the eve?, days) and Labour Day (days) are
    given, and whether Qingming, Dragon Boat and Mid-Autumn are days off (since 2008)."""
    from_eve, spring_days = spring
    holidays: list[tuple[StatutoryHoliday, Callable[[int], tuple[date, ...]]]] = [
        (NEW_YEAR, _new_year),
        (_holiday("spring_festival", "春节", "Spring Festival", spring_days), _spring_festival(from_eve, spring_days)),
    ]
    if traditional:
        holidays.append((QINGMING, _qingming))
    holidays.append((_holiday("labour_day", "劳动节", "Labour Day", labour), _days(5, 1, labour)))
    if traditional:
        holidays += [(DRAGON_BOAT, _dragon_boat), (MID_AUTUMN, _mid_autumn)]
    holidays.append((NATIONAL_DAY, _days(10, 1, 3)))
    return RegulationVersion(title, in_force_from, tuple(holidays))


#: The versions of the regulation, newest first.  Only the newest counts provisional years;
#: the older ones let tests compare the lunar computation with every year of official data.
VERSIONS: tuple[RegulationVersion, ...] = (
    _version("全国年节及纪念日放假办法（2024年修订）", 2025, spring=(True, 4), labour=2),
    _version("全国年节及纪念日放假办法（2013年修订）", 2014, spring=(False, 3), labour=1),
    _version("全国年节及纪念日放假办法（2007年修订）", 2008, spring=(True, 3), labour=1),
    _version("全国年节及纪念日放假办法（1999年修订）", 2000, spring=(False, 3), labour=3, traditional=False),
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
