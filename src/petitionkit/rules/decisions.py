"""Moved to :mod:`petitionkit.domain.decisions` (the rules port returns domain values); kept for imports."""

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
    SegmentExplanation,
    as_facts,
    format_day,
    labels,
    runs,
)

__all__ = [
    "Bilingual",
    "BodyInfo",
    "DayNote",
    "DeadlineExplanation",
    "PassedRule",
    "RouteQuery",
    "RoutingDecision",
    "ScreeningDecision",
    "ScreeningQuery",
    "SegmentExplanation",
    "as_facts",
    "format_day",
    "labels",
    "runs",
]
