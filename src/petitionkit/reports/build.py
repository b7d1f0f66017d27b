"""Building period reports (统计报告) and signal reports from a :class:`ReportSource`.

``period_report(office, Period.year(2026))`` is the usual entry point; ``build_period_report``
takes the source and labels explicitly (for tools that have no :class:`~petitionkit.service.Office`).
Every figure is defined in docs/reports.md.

Size: about 750 lines: one builder per section of the report (volumes, timeliness, referrals,
overdue, signals) in the order docs/reports.md defines them; the sections share labels and windows.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from functools import partial
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import attrs

from petitionkit.domain.access import Permission
from petitionkit.domain.ports import Rules
from petitionkit.i18n import normalize_locale, translate
from petitionkit.reports.labels import label, region_label
from petitionkit.reports.model import (
    Breakdown,
    ClusterMethod,
    CollectiveSummary,
    ConclusionSummary,
    CountRow,
    EvaluationSummary,
    Figure,
    OverdueCase,
    OverdueSummary,
    PeriodInfo,
    PeriodReport,
    ReferralRow,
    ReferralSummary,
    RepeatSummary,
    RespondentRow,
    ReviewSummary,
    SeriesLine,
    SignalReport,
    SupervisionRow,
    SupervisionSummary,
    Timeliness,
    TimelinessRow,
    Trend,
    rate,
)
from petitionkit.reports.periods import Period, Window, add_months, chinese_date
from petitionkit.reports.signals import ClusterSettings, TrendSettings, cluster_signals, trend_signals
from petitionkit.reports.source import CLOSED_STATES, Dimension, ObligationCount, ReportSource, Scope, report_source
from petitionkit.reports.wording import trend_sentence

if TYPE_CHECKING:
    from petitionkit.service import Office

BREAKDOWN_DIMENSIONS = (
    Dimension.CHANNEL,
    Dimension.KIND,
    Dimension.CATEGORY,
    Dimension.REGION,
    Dimension.RESPONDENT_BODY,
)
SATISFIED = ("satisfied", "basically_satisfied")
DEFAULT_TREND = TrendSettings()
DEFAULT_CLUSTERS = ClusterSettings()
Progress = Callable[[str], None]


@attrs.frozen
class Labels:
    """Turns codes into words: categories and bodies from the rule set, regions and offices from settings."""

    rules: Rules | None
    locale: str = "zh-CN"
    regions: Mapping[str, str] = attrs.field(factory=dict)
    offices: Mapping[str, str] = attrs.field(factory=dict)

    def key(self, dimension: Dimension, key: str | None) -> str:
        if key is None:
            return label("report.figure.none", self.locale)
        if dimension is Dimension.CHANNEL:
            return self._known(f"report.channel.{key}", key)
        if dimension is Dimension.KIND:
            return self._known(f"report.kind.{key}", key)
        if dimension is Dimension.CATEGORY:
            words = self.rules.categories().get(key) if self.rules is not None else None
            return words(self.locale) if words is not None else key
        if dimension is Dimension.REGION:
            return self.regions.get(key) or region_label(key, self.locale)
        if dimension is Dimension.OFFICE:
            return self.offices.get(key, key)
        return self.body(key)

    def body(self, code: str | None) -> str:
        if code is None:
            return label("report.figure.office", self.locale)
        info = self.rules.body_info(code) if self.rules is not None else None
        if info is not None:
            return info.name(self.locale)
        if self.rules is not None:
            for body in self.rules.bodies():
                if body.code == code:
                    return body.name
        return code

    def is_body(self, code: str) -> bool:
        if self.rules is None:
            return False
        return self.rules.body_info(code) is not None or any(b.code == code for b in self.rules.bodies())

    def clock(self, clock: str) -> str:
        return self._known(f"clock.{clock}", clock)

    def _known(self, key: str, fallback: str) -> str:
        try:
            return translate(key, self.locale)
        except KeyError:
            return fallback


def period_info(period: Period, zone: ZoneInfo, locale: str) -> PeriodInfo:
    previous, last_year = period.previous(), period.last_year()
    return PeriodInfo(
        kind=period.kind.value,
        start=period.start,
        end=period.end,
        label=period.label(locale),
        previous_start=previous.start,
        previous_end=previous.end,
        previous_label=previous.label(locale),
        last_year_start=last_year.start,
        last_year_end=last_year.end,
        last_year_label=last_year.label(locale),
        timezone=zone.key,
    )


def trend_months(period: Period) -> list[Period]:
    """The twelve calendar months ending with the month of the period's last day."""
    return [Period.month(*add_months(period.end.year, period.end.month, -k)) for k in range(11, -1, -1)]


@attrs.frozen
class ReportContext:
    """What a report needs besides the source: who, where, in which words."""

    scope: Scope
    zone: ZoneInfo
    labels: Labels
    office_name: str
    as_of: date
    generated_at: datetime

    @property
    def locale(self) -> str:
        return self.labels.locale

    def window(self, period: Period) -> Window:
        return period.window(self.zone)


def _figures(counts: Mapping[tuple[int, str | None], int], name: Callable[[str | None], str]) -> tuple[Figure, ...]:
    keys = {k for (_, k) in counts}
    rows = [
        Figure.of(k or "", name(k), counts.get((0, k), 0), counts.get((1, k), 0), counts.get((2, k), 0)) for k in keys
    ]
    rows.sort(key=lambda f: (-f.current, -f.last_year, f.key))
    return tuple(rows)


def _timeliness_row(key: str, name: str, outcomes: Counter[str]) -> TimelinessRow:
    met, late, overdue = outcomes["met"], outcomes["late"], outcomes["overdue"]
    return TimelinessRow(key, name, met, late, overdue, outcomes["pending"], rate(met, met + late + overdue))


def _timeliness(rows: Sequence[ObligationCount], labels: Labels) -> Timeliness:
    overall: Counter[str] = Counter()
    by_clock: dict[str, Counter[str]] = defaultdict(Counter)
    by_body: dict[str, Counter[str]] = defaultdict(Counter)
    for r in rows:
        overall[r.outcome] += r.count
        by_clock[r.clock][r.outcome] += r.count
        by_body[r.body_code or ""][r.outcome] += r.count
    total = label("report.figure.on_time_rate", labels.locale)
    clocks = [_timeliness_row(c, labels.clock(c), v) for c, v in by_clock.items()]
    bodies = [_timeliness_row(b, labels.body(b or None), v) for b, v in by_body.items()]

    def order(t: TimelinessRow) -> tuple[int, str]:
        return -(t.met + t.late + t.overdue + t.pending), t.key

    return Timeliness(
        _timeliness_row("all", total, overall), tuple(sorted(clocks, key=order)), tuple(sorted(bodies, key=order))
    )


def _count_rows(
    counts: Mapping[str, int], name: Callable[[str], str], keys: Sequence[str] = ()
) -> tuple[CountRow, ...]:
    total = sum(counts.values())
    ordered = list(keys) or sorted(counts, key=lambda k: (-counts[k], k))
    return tuple(CountRow(k, name(k), counts.get(k, 0), rate(counts.get(k, 0), total)) for k in ordered)


def build_period_report(  # noqa: PLR0915 - one figure after another
    source: ReportSource,
    context: ReportContext,
    period: Period,
    *,
    top: int = 10,
    overdue_limit: int = 50,
    signals: bool = True,
    trend_settings: TrendSettings = DEFAULT_TREND,
    cluster_settings: ClusterSettings | None = DEFAULT_CLUSTERS,
    progress: Progress | None = None,
) -> PeriodReport:
    """Every figure of ``period`` for ``context.scope`` (and its signals unless ``signals`` is false)."""
    step = progress or (lambda _name: None)
    scope, labels, locale = context.scope, context.labels, context.locale
    compared = [period, period.previous(), period.last_year()]
    windows = [context.window(p) for p in compared]
    current = windows[0]
    with source.session():
        step("volumes")
        totals = source.petition_totals(scope, windows)
        opened = source.cases_opened(scope, windows)
        repeated = source.repeat_petitions(scope, windows)
        dimensions = list(BREAKDOWN_DIMENSIONS)
        if len(scope.offices) > 1:
            dimensions.append(Dimension.OFFICE)
        breakdowns = []
        for dimension in dimensions:
            step(f"by {dimension.value}")
            counts = source.petition_counts(scope, windows, dimension)
            if dimension is Dimension.RESPONDENT_BODY:
                counts = {k: v for k, v in counts.items() if k[1] is not None}
            breakdowns.append(
                Breakdown(
                    dimension.value,
                    label(f"report.dimension.{dimension.value}", locale),
                    _figures(counts, partial(labels.key, dimension)),
                )
            )
        step("trend")
        months = trend_months(period)
        month_windows = [context.window(m) for m in months] + [context.window(m.last_year()) for m in months]
        monthly = source.petition_counts(scope, month_windows, None)
        top_categories = [f.key for f in breakdowns[2].rows[:5] if f.current > 0]
        by_category = source.petition_counts(scope, month_windows[:12], Dimension.CATEGORY)
        trend = Trend(
            months=tuple(m.short_label() for m in months),
            totals=tuple(monthly.get((i, None), 0) for i in range(12)),
            last_year=tuple(monthly.get((12 + i, None), 0) for i in range(12)),
            categories=tuple(
                SeriesLine(k, labels.key(Dimension.CATEGORY, k), tuple(by_category.get((i, k), 0) for i in range(12)))
                for k in top_categories
            ),
        )
        step("referrals")
        referrals = _referrals(source.referral_counts(scope, current), labels)
        step("respondents")
        by_respondent = source.petition_counts(scope, windows, Dimension.RESPONDENT)
        respondents = _respondents(by_respondent, source.respondent_cases(scope, current), referrals, labels)[:top]
        supervision = _supervision(source.supervision_counts(scope, current), labels)
        step("clocks")
        timeliness = _timeliness(source.clock_outcomes(scope, period.start, period.end, context.as_of), labels)
        overdue = _overdue(source, context, overdue_limit)
        step("outcomes")
        milestones = source.milestones(scope, current, period.start, period.end)
        evaluation_counts = source.evaluation_counts(scope, current)
        states = source.opened_states(scope, current)
        repeat_people = source.repeat_petitioners(scope, current)
        signal_report = None
        if signals:
            signal_report = _signals(source, context, period, trend_settings, cluster_settings, step)

    t = totals
    petitions = Figure.of("petitions", label("report.total.petitions", locale), *(x.petitions for x in t))
    people = Figure.of("people", label("report.total.people", locale), *(x.people for x in t))
    collective = Figure.of(
        "collective_petitions", label("report.total.collective_petitions", locale), *(x.collective for x in t)
    )
    collective_people = Figure.of(
        "collective_people", label("report.total.collective_people", locale), *(x.collective_people for x in t)
    )
    # Repeat petitions (重复信访): those received in the window that joined an earlier case, and those
    # that repeat a closed matter in a case of their own (ReportSource.repeat_petitions).
    repeats = Figure.of("repeat_petitions", label("report.total.repeat_petitions", locale), *repeated)
    cases = Figure.of("cases", label("report.total.cases", locale), *opened)
    anonymous = Figure.of(
        "anonymous_petitions", label("report.total.anonymous_petitions", locale), *(x.anonymous for x in t)
    )
    rating_keys = ("satisfied", "basically_satisfied", "dissatisfied")
    evaluated = sum(evaluation_counts.values())
    replies = sum(milestones.replies.values())
    opened_now = sum(states.values())
    closed = sum(n for s, n in states.items() if s in CLOSED_STATES)
    report = PeriodReport(
        title="",
        office_name=context.office_name,
        offices=scope.offices,
        period=period_info(period, context.zone, locale),
        as_of=context.as_of,
        generated_at=context.generated_at,
        locale=locale,
        summary="",
        totals=(petitions, cases, people, collective, collective_people, repeats, anonymous),
        breakdowns=tuple(breakdowns),
        trend=trend,
        respondents=tuple(respondents),
        referrals=referrals,
        supervision=supervision,
        timeliness=timeliness,
        overdue=overdue,
        evaluations=EvaluationSummary(
            evaluated,
            _count_rows(evaluation_counts, lambda k: label(f"report.rating.{k}", locale), rating_keys),
            rate(sum(evaluation_counts.get(k, 0) for k in SATISFIED), evaluated),
        ),
        reviews=ReviewSummary(
            replies,
            milestones.review_requests,
            milestones.reviews_decided,
            milestones.rereview_requests,
            milestones.rereviews_decided,
            rate(milestones.review_requests, replies),
            rate(milestones.rereview_requests, milestones.reviews_decided),
        ),
        collective=CollectiveSummary(
            collective,
            collective_people,
            rate(collective.current, petitions.current),
            rate(collective_people.current, people.current),
        ),
        repeats=RepeatSummary(repeats, rate(repeats.current, petitions.current), repeat_people),
        conclusions=ConclusionSummary(
            replies=replies,
            by_outcome=_count_rows(
                milestones.replies,
                lambda k: label(f"report.outcome.{k}", locale),
                ("support", "explain", "not_support", "mediated"),
            ),
            declined=sum(milestones.declines.values()),
            declined_by_channel=_count_rows(milestones.declines, lambda k: label(f"decline_channel.{k}", locale)),
            extensions=milestones.extensions,
            opened=opened_now,
            closed=closed,
            in_progress=opened_now - closed,
            closure_rate=rate(closed, opened_now),
            opened_by_state=_count_rows(states, lambda k: translate(f"state.{k}", locale)),
        ),
        signals=signal_report,
    )
    return attrs.evolve(report, title=report_title(report), summary=summary_text(report))


def _respondents(
    by_respondent: Mapping[tuple[int, str | None], int],
    respondent_cases: Mapping[str, int],
    referrals: ReferralSummary,
    labels: Labels,
) -> list[RespondentRow]:
    """The organs most complained about: the respondents petitions name, and the bodies the period's cases
    were referred to (most petitions name no respondent: without the referrals the table stays empty)."""
    referred = {r.body_code: r.transfers + r.assignments for r in referrals.by_body}
    return sorted(
        (
            RespondentRow(
                key,
                labels.body(key),
                labels.is_body(key),
                by_respondent.get((0, key), 0),
                respondent_cases.get(key, 0),
                by_respondent.get((1, key), 0),
                by_respondent.get((2, key), 0),
                referred.get(key, 0),
            )
            for key in dict.fromkeys([*respondent_cases, *referred])
        ),
        key=lambda r: (-r.petitions, -r.referrals, -r.cases, r.key),
    )


def _referrals(rows: Sequence[Any], labels: Labels) -> ReferralSummary:
    per_body: dict[str, Counter[str]] = defaultdict(Counter)
    total: Counter[str] = Counter()
    for r in rows:
        counter = per_body[r.body_code]
        counter["transfers" if r.mode == "transfer" else "assignments"] += r.count
        counter[r.status] += r.count
        total["transfers" if r.mode == "transfer" else "assignments"] += r.count
        total[r.status] += r.count
    by_body = sorted(
        (
            ReferralRow(
                body,
                labels.body(body),
                c["transfers"],
                c["assignments"],
                c["open"],
                c["reported"],
                c["objected"],
                c["withdrawn"],
            )
            for body, c in per_body.items()
        ),
        key=lambda r: (-(r.transfers + r.assignments), r.body_code),
    )
    return ReferralSummary(
        total["transfers"],
        total["assignments"],
        total["open"],
        total["reported"],
        total["objected"],
        total["withdrawn"],
        tuple(by_body),
    )


def _supervision(rows: Sequence[ObligationCount], labels: Labels) -> SupervisionSummary:
    per_body: dict[str, Counter[str]] = defaultdict(Counter)
    for r in rows:
        per_body[r.body_code or ""][r.outcome] += r.count
    by_body = sorted(
        (
            SupervisionRow(
                body,
                labels.body(body or None),
                sum(c.values()),
                c["met"],
                c["late"],
                c["open"],
                c["waived"],
            )
            for body, c in per_body.items()
        ),
        key=lambda r: (-r.notices, r.body_code),
    )
    return SupervisionSummary(
        sum(r.notices for r in by_body),
        sum(r.met for r in by_body),
        sum(r.late for r in by_body),
        sum(r.open for r in by_body),
        sum(r.superseded for r in by_body),
        tuple(by_body),
    )


def _overdue(source: ReportSource, context: ReportContext, limit: int) -> OverdueSummary:
    labels = context.labels
    data = source.overdue(context.scope, context.as_of, limit)
    by_clock: Counter[str] = Counter()
    by_body: Counter[str] = Counter()
    for r in data.counts:
        by_clock[r.clock] += r.count
        by_body[r.body_code or ""] += r.count
    return OverdueSummary(
        as_of=context.as_of,
        cases=data.cases,
        obligations=sum(by_clock.values()),
        by_clock=_count_rows(by_clock, labels.clock),
        by_body=_count_rows(by_body, lambda b: labels.body(b or None)),
        oldest=tuple(
            OverdueCase(
                i.case_id,
                i.tracking_number,
                i.subject,
                i.clock,
                labels.clock(i.clock),
                i.body_code,
                labels.body(i.body_code),
                i.due,
                (context.as_of - i.due).days,
                i.provisional,
            )
            for i in data.items
        ),
    )


# --- signals -------------------------------------------------------------------------------------------


def describe_trend_method(settings: TrendSettings, used: int, tested: int, locale: str) -> str:
    """The method of rising-series signals in words (it goes into the report itself)."""
    if locale == "en":
        text = (
            f"Each category, region and respondent is tested for a rise against its own previous {used} periods "
            "(of the same length): the exact conditional test of two Poisson rates (given the total, the period's "
            f"share is Binomial(n, 1/{used + 1})), on quasi-Poisson counts divided by the history's dispersion "
            "(variance/mean, at least 1). P-values of all series are adjusted together by Benjamini-Hochberg; a "
            f"signal has q <= {settings.fdr}, at least {settings.min_count} petitions and at least "
            f"{settings.min_ratio} times its historical mean. Series tested: {tested}."
        )
        if used < settings.min_history:
            text += f" Not tested: only {used} earlier period(s) have data (at least {settings.min_history} needed)."
        return text
    text = (
        f"对每个问题类别、问题发生地和被反映单位，将本期件次与其前 {used} 个同长度统计期比较："
        "采用两个泊松率的精确条件检验"
        f"（给定合计数，本期所占份额服从 Binomial(n, 1/{used + 1})），"
        "并按历史各期的离散度（方差/均值，不小于 1）作准泊松修正；"
        "所有序列的 p 值统一用 Benjamini-Hochberg 方法控制错误发现率。"
        f"判定为苗头性问题须同时满足：q ≤ {settings.fdr}，本期不少于 {settings.min_count} 件次，"
        f"且不低于历史均值的 {settings.min_ratio} 倍。本次检验序列 {tested} 个。"
    )
    if used < settings.min_history:
        text += f"历史数据仅 {used} 期（至少需要 {settings.min_history} 期），本期未作检验。"
    return text


def describe_cluster_method(settings: ClusterSettings, documents: int, locale: str) -> str:
    if locale == "en":
        return (
            f"{documents} petitions were segmented with jieba, weighted by TF-IDF and compared by cosine "
            f"similarity; petitions at least {settings.threshold} alike are linked and linked groups form "
            f"clusters. A cluster is reported when at least {settings.min_petitioners} different petitioners "
            "raised it in at least two cases."
        )
    return (
        f"对本期 {documents} 件信访件的标题和内容用 jieba 分词、TF-IDF 加权，计算余弦相似度；相似度不低于 "
        f"{settings.threshold} 的信访件相连，相连成组即为同一事项。至少 {settings.min_petitioners} 名不同信访人、"
        "分属两个以上信访事项反映的，列为同一事项多人反映。"
    )


def _signals(
    source: ReportSource,
    context: ReportContext,
    period: Period,
    trend_settings: TrendSettings,
    cluster_settings: ClusterSettings | None,
    step: Progress,
) -> SignalReport:
    locale = context.locale
    step("trend signals")
    trends, trend_method = trend_signals(
        source,
        context.scope,
        period,
        context.window,
        context.labels.key,
        lambda s, used, tested: describe_trend_method(s, used, tested, locale),
        trend_settings,
    )
    trends = [attrs.evolve(t, sentence=trend_sentence(t, period.kind, locale)) for t in trends]
    clusters: list[Any] = []
    settings = cluster_settings or ClusterSettings()
    texts: list[Any] = []
    received = 0
    if cluster_settings is not None:
        step("clusters")
        window = context.window(period)
        # at most max_documents texts in memory, however large the period (issue 21)
        received = source.petition_totals(context.scope, [window])[0].petitions
        texts = list(source.petition_texts(context.scope, window, cluster_settings.max_documents))
        found, cluster_method = cluster_signals(
            texts, cluster_settings, lambda s, n: describe_cluster_method(s, n, locale)
        )
        zone = context.zone
        clusters = [
            attrs.evolve(
                c, first_received=c.first_received.astimezone(zone), last_received=c.last_received.astimezone(zone)
            )
            for c in found
        ]
    else:
        cluster_method = ClusterMethod("", settings.threshold, settings.min_petitioners, 0)
    notes: list[str] = []
    if cluster_settings is not None and received > cluster_settings.max_documents:
        notes.append(
            f"clusters cover the latest {cluster_settings.max_documents} of {received} petitions"
            if locale == "en"
            else f"同一事项聚类仅覆盖本期最近的 {cluster_settings.max_documents} 件（共 {received} 件）"
        )
    return SignalReport(
        period=period_info(period, context.zone, locale),
        offices=context.scope.offices,
        trend_method=trend_method,
        trends=tuple(trends),
        cluster_method=cluster_method,
        clusters=tuple(clusters),
        notes=tuple(notes),
    )


def build_signal_report(
    source: ReportSource,
    context: ReportContext,
    period: Period,
    *,
    trend_settings: TrendSettings = DEFAULT_TREND,
    cluster_settings: ClusterSettings | None = DEFAULT_CLUSTERS,
    progress: Progress | None = None,
) -> SignalReport:
    """Trend signals of ``period`` alone (rising series and same-matter clusters)."""
    with source.session():
        return _signals(source, context, period, trend_settings, cluster_settings, progress or (lambda _n: None))


# --- words -------------------------------------------------------------------------------------------


def percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def _movement(value: float | None, locale: str) -> str:
    if value is None:
        return "no comparison" if locale == "en" else "无可比数据"
    if locale == "en":
        return "unchanged" if value == 0 else f"{'up' if value > 0 else 'down'} {abs(value) * 100:.1f}%"
    return "持平" if value == 0 else f"{'上升' if value > 0 else '下降'}{abs(value) * 100:.1f}%"


def report_title(report: PeriodReport) -> str:
    if report.locale == "en":
        return f"{report.office_name}: petition work report, {report.period.label}"
    return f"{report.office_name}{report.period.label}信访工作情况报告"


def summary_text(report: PeriodReport) -> str:
    """The summary paragraph (综述) that opens the report."""
    en = report.locale == "en"
    p, people = report.total("petitions"), report.total("people")
    cases = report.total("cases")
    categories = report.breakdown("category")
    top = [f for f in (categories.rows if categories else ()) if f.current > 0][:3]
    ref, sup, t = report.referrals, report.supervision, report.timeliness.overall
    signals = report.signals
    if en:
        parts = [
            f"In {report.period.label} the office registered {p.current} petitions from {people.current} people "
            f"({_movement(p.change_previous, 'en')} on the previous period, {_movement(p.change_last_year, 'en')} "
            f"on the same period last year), opening {cases.current} new cases; "
            f"{report.collective.petitions.current} were collective petitions and "
            f"{report.repeats.petitions.current} repeat petitions."
        ]
        if top:
            parts.append("Most petitions concerned " + ", ".join(f"{f.label} ({f.current})" for f in top) + ".")
        parts.append(
            f"{ref.transfers} cases were transferred, {ref.assignments} assigned and {sup.notices} supervision "
            f"notices issued; {percent(t.on_time_rate)} of the duties due in the period were met on time, and "
            f"{report.overdue.cases} cases were overdue on {report.as_of.isoformat()}."
        )
        if report.evaluations.total:
            parts.append(
                f"Petitioners gave {report.evaluations.total} ratings; satisfaction rate "
                f"{percent(report.evaluations.satisfaction_rate)}."
            )
        if signals is not None:
            parts.append(f"Trend signals: {len(signals.trends)} rising series, {len(signals.clusters)} clusters.")
        return " ".join(parts)
    parts = [
        f"{report.period.label}，共登记群众来信来访 {p.current} 件次、{people.current} 人次，"
        f"环比{_movement(p.change_previous, 'zh-CN')}，同比{_movement(p.change_last_year, 'zh-CN')}；"
        f"新登记信访事项 {cases.current} 件，其中集体访 {report.collective.petitions.current} 批 "
        f"{report.collective.people.current} 人次，重复信访 {report.repeats.petitions.current} 件次。"
    ]
    if top:
        parts.append("反映较多的问题是" + "、".join(f"{f.label}（{f.current} 件次）" for f in top) + "。")
    parts.append(
        f"转送 {ref.transfers} 件、交办 {ref.assignments} 件、督办 {sup.notices} 件；本期到期事项按期办理率 "
        f"{percent(t.on_time_rate)}，截至 {chinese_date(report.as_of)} 仍有 {report.overdue.cases} 件事项逾期未办结。"
    )
    if report.evaluations.total:
        parts.append(
            f"信访人作出满意度评价 {report.evaluations.total} 次，满意率（含基本满意）"
            f"{percent(report.evaluations.satisfaction_rate)}。"
        )
    if signals is not None:
        parts.append(f"发现苗头性、倾向性问题 {len(signals.trends)} 项，同一事项多人反映 {len(signals.clusters)} 起。")
    return "".join(parts)


# --- entry points on an office ---------------------------------------------------------------------------


def office_context(
    office: Office, offices: Sequence[str] = (), *, locale: str | None = None, as_of: date | None = None
) -> ReportContext:
    """The context of a report run by ``office`` (a :class:`~petitionkit.service.Office`)."""
    config = office.config
    settings = dict(config.settings.get("reports", {}))
    loc = normalize_locale(locale or config.locale)
    codes = tuple(dict.fromkeys(offices)) or (config.office_code,)
    names = {str(k): str(v) for k, v in dict(settings.get("offices", {})).items()}
    names.setdefault(config.office_code, config.office_name)
    return ReportContext(
        scope=Scope(codes),
        zone=office.zone,
        labels=Labels(
            office.rules,
            loc,
            {str(k): str(v) for k, v in dict(settings.get("regions", {})).items()},
            names,
        ),
        office_name=config.office_name
        if codes == (config.office_code,)
        else str(settings.get("name", config.office_name)),
        as_of=as_of or office.today(),
        generated_at=office.now(),
    )


def period_report(
    office: Office,
    period: Period,
    *,
    offices: Sequence[str] = (),
    locale: str | None = None,
    as_of: date | None = None,
    signals: bool = True,
    trend_settings: TrendSettings = DEFAULT_TREND,
    cluster_settings: ClusterSettings | None = DEFAULT_CLUSTERS,
    progress: Progress | None = None,
) -> PeriodReport:
    """The period report of ``office`` (or of ``offices`` in its database: a city with its counties).

    Needs the ``report`` permission (a handling body never has it: reports are office-wide).
    """
    from petitionkit.reports.redact import redact_period_report  # noqa: PLC0415 - it reads the office

    office.access.require(Permission.REPORT)
    source = report_source(office.storage, office.pm)
    try:
        built = build_period_report(
            source,
            office_context(office, offices, locale=locale, as_of=as_of),
            period,
            signals=signals,
            trend_settings=trend_settings,
            cluster_settings=cluster_settings,
            progress=progress,
        )
    finally:
        source.close()
    built = with_receptions(office, built, period, offices, locale or office.config.locale)
    return redact_period_report(office, built)  # report readers see no petitioner's identity


def with_receptions(
    office: Office, report: PeriodReport, period: Period, offices: Sequence[str], locale: str
) -> PeriodReport:
    """``report`` with the reception figures (接谈次数, 其中息诉) of the period and its comparisons.

    Counted from the casework records' plain columns (no text is read), per office of the scope.
    """
    codes = list(offices) or [office.config.office_code]
    windows = [p.window(office.zone) for p in (period, period.previous(), period.last_year())]
    held, settled = [0, 0, 0], [0, 0, 0]
    with office.storage.transaction() as tx:
        for i, window in enumerate(windows):
            for code in codes:
                n, s = tx.reception_counts(code, window.start, window.end)
                held[i] += n
                settled[i] += s
    receptions = Figure.of("receptions", label("report.receptions", locale), *held)
    receptions_settled = Figure.of("receptions_settled", label("report.receptions_settled", locale), *settled)
    return attrs.evolve(
        report,
        totals=(*report.totals, receptions, receptions_settled),  # every output lists them with the totals
        receptions=receptions,
        receptions_settled=receptions_settled,
    )


def signal_report(
    office: Office,
    period: Period,
    *,
    offices: Sequence[str] = (),
    locale: str | None = None,
    trend_settings: TrendSettings = DEFAULT_TREND,
    cluster_settings: ClusterSettings | None = DEFAULT_CLUSTERS,
    progress: Progress | None = None,
) -> SignalReport:
    """Trend signals of ``office`` (or ``offices``) for ``period``; needs the ``report`` permission."""
    from petitionkit.reports.redact import redact_signal_report  # noqa: PLC0415 - it reads the office

    office.access.require(Permission.REPORT)
    source = report_source(office.storage, office.pm)
    try:
        built = build_signal_report(
            source,
            office_context(office, offices, locale=locale),
            period,
            trend_settings=trend_settings,
            cluster_settings=cluster_settings,
            progress=progress,
        )
    finally:
        source.close()
    return redact_signal_report(office, built)  # report readers see no petitioner's identity
