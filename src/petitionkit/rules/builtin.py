"""The built-in rule set: the national 2022 clocks, counted without holiday data.

It exists so the core works alone.  It knows weekends but not China's public holidays or
adjusted working days; real deployments use a rule pack with the official calendar.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

import attrs

from petitionkit.domain.clocks import Clock, Convention, Deadline, DeadlineBasis
from petitionkit.domain.model import Body, PetitionKind
from petitionkit.rules.deadlines import compute_deadline


class WeekendCalendar:
    """Saturdays and Sundays off, nothing else known."""

    name = "weekends-only"

    def day_off_reason(self, day: date) -> str | None:
        return "weekend" if day.weekday() >= 5 else None


@attrs.frozen
class ClockRule:
    days: int
    convention: Convention
    source: str
    kinds: frozenset[PetitionKind] = frozenset(PetitionKind)


ALL_KINDS = frozenset(PetitionKind)

NATIONAL_2022_CLOCKS: Mapping[Clock, ClockRule] = {
    Clock.NOTICE: ClockRule(15, Convention.CALENDAR_DAYS, "2022 art. 23"),
    Clock.ROUTING: ClockRule(15, Convention.CALENDAR_DAYS, "2022 art. 22"),
    Clock.MISROUTE_OBJECTION: ClockRule(5, Convention.WORKING_DAYS, "2022 art. 23"),
    Clock.HANDLING: ClockRule(60, Convention.CALENDAR_DAYS, "2022 art. 34", frozenset({PetitionKind.CLAIM})),
    Clock.EXTENSION: ClockRule(30, Convention.CALENDAR_DAYS, "2022 art. 34", frozenset({PetitionKind.CLAIM})),
    # 2022 sets no length for an assignment's report; 60 days follows the handling period
    # the handler itself is bound by (SH art. 31 says the same).
    Clock.REFERRAL_REPORT: ClockRule(60, Convention.CALENDAR_DAYS, "2022 art. 34 (by analogy); SH art. 31"),
    Clock.REVIEW_REQUEST: ClockRule(30, Convention.CALENDAR_DAYS, "2022 art. 35"),
    Clock.REVIEW_OPINION: ClockRule(30, Convention.CALENDAR_DAYS, "2022 art. 35"),
    Clock.REREVIEW_REQUEST: ClockRule(30, Convention.CALENDAR_DAYS, "2022 art. 36"),
    Clock.REREVIEW_OPINION: ClockRule(30, Convention.CALENDAR_DAYS, "2022 art. 36"),
    Clock.SUPERVISION_REPLY: ClockRule(30, Convention.CALENDAR_DAYS, "2005 art. 36"),
}


class BuiltinNationalRules:
    """National 2022 clocks, weekends-only calendar, representative limit 5, no bodies."""

    name = "builtin-national-2022"

    def __init__(self, bodies: Sequence[Body] = (), calendar: WeekendCalendar | None = None) -> None:
        self._bodies = tuple(bodies)
        self.calendar = calendar or WeekendCalendar()

    def deadline(self, clock: Clock, start: date, kind: PetitionKind, *, extension_days: int = 0) -> Deadline | None:
        rule = NATIONAL_2022_CLOCKS[clock]
        if kind not in rule.kinds:
            return None
        basis = DeadlineBasis(
            clock=clock,
            start=start,
            days=rule.days,
            convention=rule.convention,
            rule_set=self.name,
            source=rule.source,
            calendar=self.calendar.name,
            extension_days=extension_days,
        )
        return compute_deadline(basis, self.calendar)

    def recompute(self, basis: DeadlineBasis) -> Deadline:
        return compute_deadline(attrs.evolve(basis, calendar=self.calendar.name), self.calendar)

    def max_extension_days(self, kind: PetitionKind) -> int:
        rule = NATIONAL_2022_CLOCKS[Clock.EXTENSION]
        return rule.days if kind in rule.kinds else 0

    def representative_limit(self, headcount: int) -> int:
        return 5  # 2022 art. 20

    def bodies(self) -> Sequence[Body]:
        return self._bodies
