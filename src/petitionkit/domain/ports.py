"""What the domain needs from the outside world, as protocols.

Rule sets (jurisdiction rules, 规则) and calendars are supplied by plugins; the lifecycle only
talks to these protocols.  The reference implementation is
:class:`petitionkit.rules.ComposedRules` (rule packs composed national → province → county).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import date
from typing import Any, Protocol

from petitionkit.domain.access import Role
from petitionkit.domain.clocks import Clock, Deadline, DeadlineBasis
from petitionkit.domain.decisions import (
    Bilingual,
    BodyInfo,
    DeadlineExplanation,
    RepeatPolicy,
    RoutingDecision,
    ScreeningDecision,
)
from petitionkit.domain.knowledge import Knowledge
from petitionkit.domain.model import Body, PetitionKind, Respondent
from petitionkit.domain.retention import RecordKind, RetentionPeriod


class Calendar(Protocol):
    """Which days are working days (工作日)."""

    @property
    def name(self) -> str:
        """Identifies the data, e.g. ``"weekends-only"``; recorded in every deadline basis."""
        ...

    def day_off_reason(self, day: date) -> str | None:
        """``None`` for a working day, else why it is a day off (``"weekend"``, ``"holiday:春节"``).

        Raises :class:`petitionkit.rules.CalendarDataMissing` for a year the calendar has no data for.
        """
        ...

    def workday_reason(self, day: date) -> str | None:
        """For a weekend day that is a working day (调休上班日): ``"makeup:<holiday>"``; else ``None``."""
        ...

    def is_provisional(self, day: date) -> bool:
        """Whether ``day`` is counted on provisional data (预计): its year's official schedule is not out,
        so only the statutory holidays and weekends are known."""
        ...


class Rules(Protocol):
    """A composed jurisdiction rule set: clocks, screening, routing, bodies, collective-petition limits."""

    @property
    def name(self) -> str:
        """Identifies the composed set, e.g. ``"national+zhejiang+sample-county"``; recorded in every basis."""
        ...

    @property
    def calendar(self) -> Calendar:
        """The calendar deadlines are counted on."""
        ...

    @property
    def guard_parent_body(self) -> bool:
        """Whether an accusation must not reach the accused unit's parent body either (2022 art. 30)."""
        ...

    def deadline(
        self,
        clock: Clock,
        start: date,
        kind: PetitionKind,
        *,
        extension_days: int = 0,
        days: int | None = None,
        source: str | None = None,
    ) -> Deadline | None:
        """Due date of ``clock`` started on ``start``; ``None`` when the clock does not apply to ``kind``.

        ``days``/``source`` override the clock's length and recorded source (e.g. a routing rule's
        own ``report_days`` for ``referral_report``); the convention stays the clock's.
        """
        ...

    def recompute(self, basis: DeadlineBasis) -> Deadline:
        """Recompute a recorded basis with the rule set's current calendar (same length and convention)."""
        ...

    def explain_deadline(
        self,
        clock: Clock,
        start: date,
        kind: PetitionKind,
        *,
        extension_days: int = 0,
        days: int | None = None,
        source: str | None = None,
    ) -> DeadlineExplanation | None:
        """Why ``deadline(...)`` falls where it does; ``None`` when the clock does not apply to ``kind``."""
        ...

    def explain_basis(self, basis: DeadlineBasis) -> DeadlineExplanation:
        """Explain a recorded basis (an open obligation's) on the current calendar."""
        ...

    def max_extension_days(self, kind: PetitionKind, period_days: int | None = None) -> int:
        """Most days an extension may add to a period of ``period_days`` days (default: the handling
        clock's) for ``kind`` (0: none), as the pack's ``[clocks.extension] counts`` reads its length."""
        ...

    def representative_limit(self, headcount: int) -> int:
        """How many representatives a collective petition of ``headcount`` people may elect."""
        ...

    def bodies(self) -> Sequence[Body]:
        """Every handling body the office knows."""
        ...

    def repeat_policy(self) -> RepeatPolicy:
        """Repeat detection's threshold and what a repeat of a closed matter does (``[repeats]``)."""
        ...

    def body_info(self, code: str) -> BodyInfo | None:
        """A body with its regions, competences and notification contacts; ``None`` if unknown."""
        ...

    def guarded_bodies(self, respondent: Respondent | None) -> frozenset[str]:
        """Bodies an accusation against ``respondent`` must never reach (its unit, and parent if guarded)."""
        ...

    def screen(
        self,
        kind: PetitionKind,
        category: str,
        *,
        facts: Collection[str] = (),
        region_code: str | None = None,
        respondent: Respondent | None = None,
    ) -> ScreeningDecision:
        """Accept, or decline with the channel the petitioner is told (诉访分离), and why."""
        ...

    def route(
        self,
        category: str,
        region_code: str,
        kind: PetitionKind,
        respondent: Respondent | None = None,
        *,
        headcount: int = 1,
        facts: Collection[str] = (),
    ) -> RoutingDecision:
        """The body and referral mode for a case (first matching rule, else the default)."""
        ...

    def referral_report_deadline(self, decision: RoutingDecision, start: date, kind: PetitionKind) -> Deadline | None:
        """The report deadline of an assignment routed by ``decision`` (``None`` for a transfer)."""
        ...

    def roles(self) -> Mapping[str, Role]:
        """The roles the rule packs declare (``[roles.<name>]``): name → words and permissions."""
        ...

    def retention(self) -> Mapping[RecordKind, RetentionPeriod]:
        """The retention period of each kind of record (``[retention]``), counted from the case's end."""
        ...

    def knowledge(self) -> Knowledge:
        """The provisions and explanation snippets the rule packs declare (``[knowledge]``)."""
        ...

    def categories(self) -> Mapping[str, Bilingual]:
        """The category vocabulary (事项类别) a petition's ``category`` must come from (empty: any)."""
        ...

    def describe(self) -> dict[str, Any]:
        """The composed rules as a JSON-able dict, each entry with the pack that set it."""
        ...
