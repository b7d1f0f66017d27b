"""Calendar test data: a complete holiday schedule for 2027 in the form of a State Council notice.

It is NOT the real 2027 schedule (not yet published when this was written); it satisfies the
checks a declared year must pass (every statutory holiday of 全国年节及纪念日放假办法, make-up
working days on weekends next to a holiday), so tests can declare it, recompute provisional due
dates against it, and see what moved.  ``schedule_pack()`` gives a whole rule file.
"""

from __future__ import annotations

from datetime import date, timedelta

#: (name, first day off, last day off, make-up working days)
TEST_2027: tuple[tuple[str, date, date, tuple[date, ...]], ...] = (
    ("元旦", date(2027, 1, 1), date(2027, 1, 3), ()),
    ("春节", date(2027, 2, 5), date(2027, 2, 12), (date(2027, 1, 31), date(2027, 2, 20))),
    ("清明节", date(2027, 4, 3), date(2027, 4, 5), ()),
    ("劳动节", date(2027, 5, 1), date(2027, 5, 5), (date(2027, 4, 25), date(2027, 5, 8))),
    ("端午节", date(2027, 6, 9), date(2027, 6, 9), ()),
    ("中秋节", date(2027, 9, 15), date(2027, 9, 15), ()),
    ("国庆节", date(2027, 10, 1), date(2027, 10, 7), (date(2027, 9, 26), date(2027, 10, 9))),
)


def schedule_toml(year_data: tuple[tuple[str, date, date, tuple[date, ...]], ...] = TEST_2027) -> str:
    """The ``[[calendar.extra_years]]`` table for ``year_data``."""
    holidays: list[str] = []
    workdays: list[str] = []
    for name, first, last, makeup in year_data:
        day = first
        while day <= last:
            holidays.append(f'  {{ date = {day.isoformat()}, name = "{name}" }},')
            day += timedelta(days=1)
        workdays.extend(f'  {{ date = {d.isoformat()}, name = "{name}" }},' for d in makeup)
    year = year_data[0][1].year
    return "\n".join(
        [
            "[[calendar.extra_years]]",
            f"year = {year}",
            'source = "test data in the form of the State Council notice (not the real schedule)"',
            "holidays = [",
            *holidays,
            "]",
            "workdays = [",
            *workdays,
            "]",
            "",
        ]
    )


def schedule_pack(name: str = "schedule-2027") -> str:
    """A whole rule file declaring the test 2027 schedule."""
    return f'[pack]\nname = "{name}"\n\n{schedule_toml()}'
