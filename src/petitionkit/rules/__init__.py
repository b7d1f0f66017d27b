"""Jurisdiction rules (管辖规则): rule packs, their composition, calendars, screening and routing.

Typical use::

    from petitionkit.rules import load_rule_set
    rules = load_rule_set(("national", "zhejiang"), ["rules/county.toml"], base_dir=office_dir)
    rules.deadline(Clock.HANDLING, date(2026, 2, 2), PetitionKind.CLAIM)
    rules.explain_deadline(Clock.NOTICE, date(2025, 9, 30), PetitionKind.CLAIM).text("zh-CN")
    rules.screen(PetitionKind.CLAIM, "labour", facts={"pending_in_court"}).explanation("en")
    rules.route("labour", "330199", PetitionKind.CLAIM).body.code
    print(rules.describe_toml())

See docs/rules.md for the pack format.
"""

from petitionkit.domain.decisions import (
    Bilingual,
    BodyInfo,
    DayNote,
    DeadlineExplanation,
    PassedRule,
    RouteQuery,
    RoutingDecision,
    ScreeningDecision,
    ScreeningQuery,
)
from petitionkit.rules.builtin import BUILTIN_PACKS, BuiltinNationalRules, WeekendCalendar, builtin_pack
from petitionkit.rules.calendar import NamedDay, OfficialChinaCalendar, RuleCalendar, WeekendsOnly, YearData
from petitionkit.rules.compose import ComposedRules, compose
from petitionkit.rules.deadlines import compute_deadline, trace_deadline
from petitionkit.rules.errors import CalendarDataMissing, NoRoute, RulePackError
from petitionkit.rules.predicates import Predicate, using_predicates
from petitionkit.rules.schema import RulePack, load_pack, parse_pack
from petitionkit.rules.sets import load_packs, load_rule_set, resolve_files

__all__ = [
    "BUILTIN_PACKS",
    "Bilingual",
    "BodyInfo",
    "BuiltinNationalRules",
    "CalendarDataMissing",
    "ComposedRules",
    "DayNote",
    "DeadlineExplanation",
    "NamedDay",
    "NoRoute",
    "OfficialChinaCalendar",
    "PassedRule",
    "Predicate",
    "RouteQuery",
    "RoutingDecision",
    "RuleCalendar",
    "RulePack",
    "RulePackError",
    "ScreeningDecision",
    "ScreeningQuery",
    "WeekendCalendar",
    "WeekendsOnly",
    "YearData",
    "builtin_pack",
    "compose",
    "compute_deadline",
    "load_pack",
    "load_packs",
    "load_rule_set",
    "parse_pack",
    "resolve_files",
    "trace_deadline",
    "using_predicates",
]
