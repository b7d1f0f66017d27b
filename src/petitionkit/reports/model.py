"""Report data: frozen attrs classes that serialise to JSON (``petitionkit.serialization.unstructure``).

Labels are resolved in the report's locale when it is built, so every output (HTML, CSV, DOCX,
JSON) shows the same words.  Rates are fractions in ``[0, 1]`` (``None`` when the denominator is 0);
changes are relative (``0.25`` = up 25 %).
"""

from __future__ import annotations

from datetime import date, datetime

import attrs

from petitionkit.reports.source import CaseRef


def rate(part: int, whole: int) -> float | None:
    """``part / whole`` rounded to 4 places; ``None`` when ``whole`` is 0."""
    return None if whole == 0 else round(part / whole, 4)


def change(current: int, before: int) -> float | None:
    """Relative change ``(current - before) / before``; ``None`` when ``before`` is 0."""
    return None if before == 0 else round((current - before) / before, 4)


@attrs.frozen
class PeriodInfo:
    """The period reported on and the two it is compared with (环比 and 同比)."""

    kind: str
    start: date
    end: date
    label: str
    previous_start: date
    previous_end: date
    previous_label: str
    last_year_start: date
    last_year_end: date
    last_year_label: str
    timezone: str


@attrs.frozen
class Figure:
    """One count this period, the previous period and the same period last year."""

    key: str
    label: str
    current: int
    previous: int
    last_year: int
    change_previous: float | None
    change_last_year: float | None

    @classmethod
    def of(cls, key: str, label: str, current: int, previous: int, last_year: int) -> Figure:
        return cls(key, label, current, previous, last_year, change(current, previous), change(current, last_year))


@attrs.frozen
class Breakdown:
    """Petition volumes by one dimension (channel, kind, category, region, respondent body, office)."""

    dimension: str
    title: str
    rows: tuple[Figure, ...]  # largest first


@attrs.frozen
class CountRow:
    key: str
    label: str
    count: int
    share: float | None = None


@attrs.frozen
class RespondentRow:
    """An organ or unit complained about (被反映单位) and how often: named by petitions as the respondent,
    or the body the period's petitions were referred to (转送/交办) for handling."""

    key: str
    label: str
    is_body: bool  # a body the rule set knows (else the unit's name as petitioners wrote it)
    petitions: int  # petitions of the period naming it as the respondent
    cases: int
    previous: int
    last_year: int
    referrals: int = 0  # referrals made to it in the period (a body only)


@attrs.frozen
class ReferralRow:
    """Referrals (转送/交办) made in the period to one body, by their status now."""

    body_code: str
    label: str
    transfers: int
    assignments: int
    open: int
    reported: int
    objected: int
    withdrawn: int


@attrs.frozen
class ReferralSummary:
    transfers: int
    assignments: int
    open: int
    reported: int
    objected: int
    withdrawn: int
    by_body: tuple[ReferralRow, ...]


@attrs.frozen
class SupervisionRow:
    body_code: str
    label: str
    notices: int
    met: int
    late: int
    open: int
    superseded: int  # waived: a later notice or a withdrawal replaced it


@attrs.frozen
class SupervisionSummary:
    notices: int
    met: int
    late: int
    open: int
    superseded: int
    by_body: tuple[SupervisionRow, ...]


@attrs.frozen
class TimelinessRow:
    """Duties that fell due in the period and how they ended."""

    key: str
    label: str
    met: int
    late: int
    overdue: int
    pending: int
    on_time_rate: float | None  # met / (met + late + overdue)


@attrs.frozen
class Timeliness:
    overall: TimelinessRow
    by_clock: tuple[TimelinessRow, ...]
    by_body: tuple[TimelinessRow, ...]


@attrs.frozen
class OverdueCase:
    case_id: str
    tracking_number: str
    subject: str
    clock: str
    clock_label: str
    body_code: str | None
    body_label: str
    due: date
    days_overdue: int
    provisional: bool = False  # the due date was counted before its year's holiday schedule was out

    def due_label(self, locale: str) -> str:
        """The due date as the report prints it, marked when provisional (预计)."""
        if not self.provisional:
            return self.due.isoformat()
        return f"{self.due.isoformat()}（预计）" if locale == "zh-CN" else f"{self.due.isoformat()} (provisional)"


@attrs.frozen
class OverdueSummary:
    as_of: date
    cases: int
    obligations: int
    by_clock: tuple[CountRow, ...]
    by_body: tuple[CountRow, ...]
    oldest: tuple[OverdueCase, ...]


@attrs.frozen
class EvaluationSummary:
    total: int
    by_rating: tuple[CountRow, ...]
    satisfaction_rate: float | None  # (satisfied + basically satisfied) / total


@attrs.frozen
class ReviewSummary:
    replies: int
    review_requests: int
    reviews_decided: int
    rereview_requests: int
    rereviews_decided: int
    review_rate: float | None  # review requests / replies
    rereview_rate: float | None  # re-review requests / reviews decided


@attrs.frozen
class CollectiveSummary:
    petitions: Figure
    people: Figure
    share_of_petitions: float | None
    share_of_people: float | None


@attrs.frozen
class RepeatSummary:
    petitions: Figure
    share: float | None
    petitioners: int  # identities with two or more petitions in the period


@attrs.frozen
class ConclusionSummary:
    replies: int
    by_outcome: tuple[CountRow, ...]
    declined: int
    declined_by_channel: tuple[CountRow, ...]
    extensions: int
    opened: int
    closed: int
    in_progress: int
    closure_rate: float | None
    opened_by_state: tuple[CountRow, ...]


@attrs.frozen
class SeriesLine:
    key: str
    label: str
    values: tuple[int, ...]


@attrs.frozen
class Trend:
    """Monthly petitions over the twelve months ending with the period, and the same months a year before."""

    months: tuple[str, ...]
    totals: tuple[int, ...]
    last_year: tuple[int, ...]
    categories: tuple[SeriesLine, ...]  # the largest categories of the period, month by month


# --- trend signals ---------------------------------------------------------------------------------


@attrs.frozen
class TrendSignal:
    """A category, region or respondent whose count rose significantly against its own history."""

    dimension: str
    key: str
    label: str
    current: int
    history: tuple[int, ...]  # the previous periods, most recent first
    baseline: float  # mean of the history
    ratio: float | None  # current / baseline
    dispersion: float  # quasi-Poisson dispersion of the history (>= 1)
    p_value: float
    q_value: float  # Benjamini-Hochberg adjusted
    case_count: int
    cases: tuple[CaseRef, ...]
    sentence: str = ""  # the signal in plain words, in the report's locale (reports/wording.py)


@attrs.frozen
class ClusterSignal:
    """Petitions about the same matter from several different petitioners."""

    terms: tuple[str, ...]  # the words that weigh most in the cluster
    subject: str  # the most common subject line
    petitions: int
    petitioners: int  # distinct petitioner identities (an anonymous petition counts as one)
    cohesion: float  # mean cosine similarity of the petitions to the cluster's centre
    categories: tuple[str, ...]
    regions: tuple[str, ...]
    first_received: datetime
    last_received: datetime
    case_count: int
    cases: tuple[CaseRef, ...]


@attrs.frozen
class TrendMethod:
    """How trend signals were tested, stated in the report itself."""

    description: str
    history_periods: int  # asked for
    history_used: int  # periods with data that formed the baseline
    fdr: float
    min_count: int
    min_ratio: float
    series_tested: int


@attrs.frozen
class ClusterMethod:
    description: str
    threshold: float
    min_petitioners: int
    documents: int


@attrs.frozen
class SignalReport:
    """Trend signals (苗头性、倾向性问题) of a period."""

    period: PeriodInfo
    offices: tuple[str, ...]
    trend_method: TrendMethod
    trends: tuple[TrendSignal, ...]
    cluster_method: ClusterMethod
    clusters: tuple[ClusterSignal, ...]
    notes: tuple[str, ...]


# --- the period report ----------------------------------------------------------------------------


@attrs.frozen
class PeriodReport:
    """Everything an office reports for a period (see docs/reports.md for each figure)."""

    title: str
    office_name: str
    offices: tuple[str, ...]
    period: PeriodInfo
    as_of: date
    generated_at: datetime
    locale: str
    summary: str
    totals: tuple[Figure, ...]
    breakdowns: tuple[Breakdown, ...]
    trend: Trend
    respondents: tuple[RespondentRow, ...]
    referrals: ReferralSummary
    supervision: SupervisionSummary
    timeliness: Timeliness
    overdue: OverdueSummary
    evaluations: EvaluationSummary
    reviews: ReviewSummary
    collective: CollectiveSummary
    repeats: RepeatSummary
    conclusions: ConclusionSummary
    signals: SignalReport | None = None
    # Reception talks (接谈) received in the period and those settled in talk (息诉); None: not counted
    # (a report built from a source alone, without the office's storage).
    receptions: Figure | None = None
    receptions_settled: Figure | None = None

    def breakdown(self, dimension: str) -> Breakdown | None:
        return next((b for b in self.breakdowns if b.dimension == dimension), None)

    def total(self, key: str) -> Figure:
        return next(f for f in self.totals if f.key == key)
