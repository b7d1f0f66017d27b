"""Clocks (期限) and the recorded inputs of a computed due date."""

from __future__ import annotations

import enum
from datetime import date

import attrs


class Clock(enum.StrEnum):
    """Every statutory clock a case can run (see docs/concepts for sources)."""

    NOTICE = "notice"  # 告知: whether and how it will be handled (2022 art. 23, 15 days)
    ROUTING = "routing"  # 转送/交办 by a petition department (2022 art. 22, 15 days)
    MISROUTE_OBJECTION = "misroute_objection"  # 异议 by the receiving body (2022 art. 23, 5 working days)
    HANDLING = "handling"  # 办理 (2022 art. 34, 60 days for claims)
    EXTENSION = "extension"  # 延期 limit (2022 art. 34, <= 30 days)
    REFERRAL_REPORT = "referral_report"  # 办结报告 owed on an assignment
    REVIEW_REQUEST = "review_request"  # 复查申请 window (2022 art. 35, 30 days)
    REVIEW_OPINION = "review_opinion"  # 复查意见 (2022 art. 35, 30 days)
    REREVIEW_REQUEST = "rereview_request"  # 复核申请 window (2022 art. 36, 30 days)
    REREVIEW_OPINION = "rereview_opinion"  # 复核意见 (2022 art. 36, 30 days)
    SUPERVISION_REPLY = "supervision_reply"  # 督办 reply (2005 art. 36, 30 days)


class Convention(enum.StrEnum):
    """How the days of a clock are counted."""

    # Calendar days, start day not counted; a period whose last day is a day off ends on
    # the next working day (Civil Code arts. 200-203 by analogy).
    CALENDAR_DAYS = "calendar_days"
    # Working days only, start day not counted.
    WORKING_DAYS = "working_days"


class ExtensionCounts(enum.StrEnum):
    """What the length of a pack's ``[clocks.extension]`` means (延期的法律含义).

    Either way the extended period is counted on from the original, unmoved last day of the period
    (not from the working day a holiday moved it to), in the clock's own convention; only the limit
    differs.
    """

    # The extension adds at most ``days`` days to the period (2022 art. 34: 延长期限不得超过30日).
    ADDED_DAYS = "added_days"
    # ``days`` is the longest the whole extended period may be, counted from its start (e.g. a reading
    # of "30 days, extended to at most 60"): at most ``days`` minus the period's own length is added.
    TOTAL_PERIOD = "total_period"


@attrs.frozen
class SkippedDay:
    """A day the computation passed over, and why (for explanations)."""

    day: date
    reason: str  # e.g. "weekend", "holiday:国庆节", "local:县庆"


@attrs.frozen
class DeadlineBasis:
    """Everything that went into a due date, so it can be recomputed and explained later."""

    clock: Clock
    start: date
    days: int
    convention: Convention
    rule_set: str  # composed rule set id, e.g. "national-2022"
    source: str  # the article the length comes from
    calendar: str  # calendar data that computed it, e.g. "weekends-only" or "chinese_calendar 1.11.0"
    extension_days: int = 0
    # Years whose days were counted on the provisional calendar (预计: the official holiday schedule
    # was not out, so only statutory holidays and weekends were known). Empty for a final date.
    provisional_years: tuple[int, ...] = ()

    @property
    def provisional(self) -> bool:
        """Whether the due date is provisional (预计) and will be recounted when the schedule is out."""
        return bool(self.provisional_years)


@attrs.frozen
class Deadline:
    """A computed due date with its basis and the days skipped to reach it."""

    due: date
    basis: DeadlineBasis
    skipped: tuple[SkippedDay, ...] = ()

    @property
    def provisional(self) -> bool:
        return self.basis.provisional
