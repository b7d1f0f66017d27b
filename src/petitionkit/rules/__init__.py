"""Jurisdiction rules: clocks and their counting, calendars, bodies."""

from petitionkit.rules.builtin import BuiltinNationalRules, WeekendCalendar
from petitionkit.rules.deadlines import compute_deadline

__all__ = ["BuiltinNationalRules", "WeekendCalendar", "compute_deadline"]
