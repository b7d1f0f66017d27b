"""Due dates on real dates across Spring Festival and National Day 2024-2026, both conventions.

Expected dates are hand-counted from the State Council schedules as encoded in chinese_calendar 1.11:
2024 Spring Festival Feb 10-17 (work Sun Feb 4, Sun Feb 18); National Day Oct 1-7 (work Sun Sep 29, Sat Oct 12).
2025 Spring Festival Jan 28-Feb 4 (work Sun Jan 26, Sat Feb 8); National Day + Mid-autumn Oct 1-8
(work Sun Sep 28, Sat Oct 11).  2026 Spring Festival Feb 15-23 (work Sat Feb 14, Sat Feb 28);
Mid-autumn Sep 25-27; National Day Oct 1-7 (work Sun Sep 20, Sat Oct 10); Labour Day May 1-5.
"""

from __future__ import annotations

from datetime import date

import pytest

from petitionkit.domain.clocks import Clock, Convention, ExtensionCounts
from petitionkit.domain.model import PetitionKind
from petitionkit.rules import ComposedRules

CLAIM = PetitionKind.CLAIM

# (start, working days, due): counted on the national misroute_objection clock (working days).
WORKING = [
    # 2024 Spring Festival: Thu 8, Fri 9, [10-17 off], Sun 18 (make-up), Mon 19, Tue 20
    (date(2024, 2, 7), 5, date(2024, 2, 20)),
    # 2024 National Day: Sun 29 Sep (make-up), Mon 30, [1-7 off], Tue 8, Wed 9, Thu 10
    (date(2024, 9, 27), 5, date(2024, 10, 10)),
    # ... Fri 11 Oct is day 6, the make-up Saturday 12 Oct day 7, [Sun 13], Mon 14 day 8
    (date(2024, 9, 27), 7, date(2024, 10, 12)),
    (date(2024, 9, 27), 8, date(2024, 10, 14)),
    # 2025 Spring Festival: Sun 26 Jan (make-up), Mon 27, [28 Jan-4 Feb off], Wed 5, Thu 6, Fri 7
    (date(2025, 1, 24), 5, date(2025, 2, 7)),
    (date(2025, 1, 24), 6, date(2025, 2, 8)),  # Saturday 8 Feb is a make-up working day
    (date(2025, 1, 24), 10, date(2025, 2, 13)),
    # 2025 National Day, started just before it: [1-8 off], Thu 9, Fri 10, Sat 11 (make-up), [Sun 12], Mon 13, Tue 14
    (date(2025, 9, 30), 5, date(2025, 10, 14)),
    (date(2025, 9, 26), 5, date(2025, 10, 10)),  # Sun 28 Sep is a make-up day
    # 2026 Spring Festival: Thu 12, Fri 13, Sat 14 (make-up), [15-23 off], Tue 24, Wed 25
    (date(2026, 2, 11), 5, date(2026, 2, 25)),
    # 2026 Mid-autumn: Sun 20 Sep (make-up), Mon 21 .. Thu 24, [Fri 25 holiday]
    (date(2026, 9, 18), 5, date(2026, 9, 24)),
    # 2026 National Day: Wed 30 Sep, [1-7 off], Thu 8, Fri 9, Sat 10 (make-up), [Sun 11], Mon 12
    (date(2026, 9, 29), 5, date(2026, 10, 12)),
]

# (start, calendar days, due): counted on the national notice clock (calendar days).
CALENDAR = [
    # 2024: day 15 = Thu 15 Feb (holiday) -> 16, 17 holiday -> Sun 18 Feb is a make-up working day
    (date(2024, 1, 31), 15, date(2024, 2, 18)),
    # 2024: day 30 = Sat 5 Oct -> 6, 7 holiday -> Tue 8 Oct
    (date(2024, 9, 5), 30, date(2024, 10, 8)),
    # 2025: day 15 = Thu 30 Jan -> holidays to 4 Feb -> Wed 5 Feb
    (date(2025, 1, 15), 15, date(2025, 2, 5)),
    # 2025: day 15 = Sun 5 Oct -> holidays to 8 Oct -> Thu 9 Oct
    (date(2025, 9, 20), 15, date(2025, 10, 9)),
    # 2025: day 60 = Sat 4 Oct -> Thu 9 Oct
    (date(2025, 8, 5), 60, date(2025, 10, 9)),
    # 2026: a 30-day clock ending inside the Spring Festival holiday (Thu 19 Feb) -> Tue 24 Feb
    (date(2026, 1, 20), 30, date(2026, 2, 24)),
    (date(2026, 1, 16), 30, date(2026, 2, 24)),  # day 30 = Sun 15 Feb, first day of the holiday
    # 2026: day 15 = Sat 28 Feb, a make-up working day: no move
    (date(2026, 2, 13), 15, date(2026, 2, 28)),
    # 2026: day 30 = Fri 2 Oct -> holidays to 7 Oct -> Thu 8 Oct
    (date(2026, 9, 2), 30, date(2026, 10, 8)),
    # an ordinary weekday: no move
    (date(2026, 3, 2), 15, date(2026, 3, 17)),
    # an ordinary weekend: Sat 14 Mar -> Mon 16 Mar
    (date(2026, 2, 27), 15, date(2026, 3, 16)),
]


@pytest.mark.parametrize(("start", "days", "due"), WORKING)
def test_working_days(national: ComposedRules, start: date, days: int, due: date) -> None:
    assert national.clock_rule(Clock.MISROUTE_OBJECTION).convention is Convention.WORKING_DAYS
    deadline = national.deadline(Clock.MISROUTE_OBJECTION, start, CLAIM, days=days)
    assert deadline is not None
    assert deadline.due == due
    assert deadline.basis.convention is Convention.WORKING_DAYS


@pytest.mark.parametrize(("start", "days", "due"), CALENDAR)
def test_calendar_days(national: ComposedRules, start: date, days: int, due: date) -> None:
    assert national.clock_rule(Clock.NOTICE).convention is Convention.CALENDAR_DAYS
    deadline = national.deadline(Clock.NOTICE, start, CLAIM, days=days)
    assert deadline is not None
    assert deadline.due == due


def test_skipped_days_name_the_holiday(national: ComposedRules) -> None:
    deadline = national.deadline(Clock.MISROUTE_OBJECTION, date(2025, 9, 30), CLAIM)
    assert deadline is not None
    reasons = {s.day: s.reason for s in deadline.skipped}
    assert reasons[date(2025, 10, 1)] == "holiday:国庆节"
    assert reasons[date(2025, 10, 6)] == "holiday:中秋"  # the schedule files 6 Oct under Mid-autumn
    assert reasons[date(2025, 10, 12)] == "weekend"
    assert date(2025, 10, 11) not in reasons  # make-up Saturday counted


def test_calendar_days_skip_only_the_days_after_the_last_day(national: ComposedRules) -> None:
    deadline = national.deadline(Clock.NOTICE, date(2026, 1, 20), CLAIM, days=30)
    assert deadline is not None
    assert [s.day for s in deadline.skipped] == [date(2026, 2, d) for d in range(19, 24)]
    assert {s.reason for s in deadline.skipped} == {"holiday:春节"}


def test_extension_counts_on_from_the_original_last_day(national: ComposedRules) -> None:
    # 60 days from 2 Mar 2026 = Fri 1 May (Labour Day, 1-5 May) -> Wed 6 May. The extension adds 30 days
    # to 1 May, the period's original last day (2022 art. 34), not to 6 May: 31 May is a Sunday -> Mon 1 Jun.
    # (Counting from 6 May gave 5 Jun: 35 days added for a 30-day extension.)
    base = national.deadline(Clock.HANDLING, date(2026, 3, 2), CLAIM)
    extended = national.deadline(Clock.HANDLING, date(2026, 3, 2), CLAIM, extension_days=30)
    assert base is not None and extended is not None
    assert base.due == date(2026, 5, 6)
    assert extended.due == date(2026, 6, 1)
    assert national.clock_rule(Clock.EXTENSION).counts is ExtensionCounts.ADDED_DAYS


def test_every_basis_records_the_calendar_data(national: ComposedRules, county: ComposedRules) -> None:
    a = national.deadline(Clock.NOTICE, date(2026, 3, 2), CLAIM)
    b = county.deadline(Clock.NOTICE, date(2026, 3, 2), CLAIM)
    assert a is not None and b is not None
    assert a.basis.calendar == "chinese_calendar 1.11.0"
    assert b.basis.calendar.startswith("chinese_calendar 1.11.0 + local:sample-county #")
    assert a.basis.rule_set == "national"
    assert b.basis.rule_set == "national+zhejiang+sample-county"


def test_local_day_off_is_skipped(county: ComposedRules, national: ComposedRules) -> None:
    # 5 working days from Tue 14 Apr 2026: 15, 16, 17, [18-19 weekend], 20 (county day off), 21, 22
    plain = national.deadline(Clock.MISROUTE_OBJECTION, date(2026, 4, 14), CLAIM)
    local = county.deadline(Clock.MISROUTE_OBJECTION, date(2026, 4, 14), CLAIM)
    assert plain is not None and local is not None
    assert plain.due == date(2026, 4, 21)
    assert local.due == date(2026, 4, 22)
    assert any(s.day == date(2026, 4, 20) and s.reason == "local:县庆日" for s in local.skipped)


def test_clock_not_applying_to_the_kind_gives_none(national: ComposedRules) -> None:
    assert national.deadline(Clock.HANDLING, date(2026, 3, 2), PetitionKind.SUGGESTION) is None
    assert national.explain_deadline(Clock.HANDLING, date(2026, 3, 2), PetitionKind.SUGGESTION) is None
    assert national.max_extension_days(PetitionKind.SUGGESTION) == 0
    assert national.max_extension_days(CLAIM) == 30
