"""Trend signals find the planted rise and the planted cluster, and stay quiet on flat noise."""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import datetime

import pytest
from report_dataset import RISING, Built, poisson
from scipy.stats import binom, false_discovery_control

from petitionkit.reports import ClusterSettings, Dimension, Period, Scope, TrendSettings, Window, signal_report
from petitionkit.reports.signals import benjamini_hochberg, rise_p_value, trend_signals
from petitionkit.reports.source import CaseRef
from petitionkit.testing import SHANGHAI

MARCH, FEBRUARY = Period.month(2026, 3), Period.month(2026, 2)


def test_the_planted_rising_category_is_the_only_trend_signal(built: Built) -> None:
    report = signal_report(built.office, MARCH)
    assert [(s.dimension, s.key) for s in report.trends] == [("category", RISING)]
    signal = report.trends[0]
    start, end = datetime(2026, 3, 1, tzinfo=SHANGHAI), datetime(2026, 4, 1, tzinfo=SHANGHAI)
    march = [
        p
        for p in built.log.petitions + built.log.repeats
        if p["category"] == RISING and start <= datetime.fromisoformat(p["received_at"]) < end
    ]
    assert signal.current == len(march)
    assert len(signal.history) == 6 and signal.baseline == round(sum(signal.history) / 6, 3)
    assert signal.q_value <= 0.05 and signal.ratio is not None and signal.ratio >= 1.5
    numbers = {p["tracking_number"] for p in built.log.petitions if p in march}
    assert signal.case_count == len({p.get("joins_case") or p["tracking_number"] for p in march})
    assert {c.tracking_number for c in signal.cases} <= numbers
    method = report.trend_method
    assert method.history_used == 6 and method.series_tested > 10
    assert "Benjamini-Hochberg" in method.description and "Binomial" in method.description


def test_the_planted_cluster_is_found_and_one_petitioner_is_not_a_cluster(built: Built) -> None:
    report = signal_report(built.office, MARCH)
    assert len(report.clusters) == 1
    cluster = report.clusters[0]
    assert {c.case_id for c in cluster.cases} == set(built.log.cluster_cases)
    assert cluster.petitioners == 6 and cluster.petitions == 6 and cluster.case_count == 6
    assert "化工厂" in cluster.terms and cluster.categories == (RISING,)
    assert not set(built.log.same_person_cases) & {c.case_id for c in cluster.cases}
    assert "jieba" in report.cluster_method.description


def test_a_flat_month_has_no_signal(built: Built) -> None:
    """February carries only the flat noise: no series rises, no matter clusters."""
    report = signal_report(built.office, FEBRUARY)
    assert report.trends == ()
    assert report.clusters == ()
    assert report.trend_method.series_tested > 10


def test_too_little_history_tests_nothing(built: Built) -> None:
    report = signal_report(built.office, Period.month(2025, 11), cluster_settings=None)
    assert report.trends == () and report.trend_method.series_tested == 0
    assert report.trend_method.history_used == 2
    assert "至少需要 3 期" in report.trend_method.description


# --- the statistics alone ----------------------------------------------------------------------------


def test_p_value_is_the_binomial_tail_without_overdispersion() -> None:
    history = (10, 10, 10, 10, 10, 10)
    p, dispersion = rise_p_value(25, history)
    assert dispersion == 1.0
    assert p == pytest.approx(binom.sf(24, 25 + 60, 1 / 7), rel=1e-9)
    assert rise_p_value(0, history) == (1.0, 1.0)


def test_overdispersed_history_weakens_the_evidence() -> None:
    calm, _ = rise_p_value(30, (15, 15, 15, 15, 15, 15))
    wild, dispersion = rise_p_value(30, (2, 28, 5, 25, 10, 20))
    assert dispersion > 1 and wild > calm


def test_benjamini_hochberg_matches_the_textbook_and_scipy() -> None:
    # Benjamini & Hochberg (1995) step-up adjustment: sorted 0.01, 0.03, 0.04, 0.2 -> 0.04, 0.06, 0.0533, 0.2,
    # then the running minimum from the largest down.
    assert benjamini_hochberg([0.01, 0.04, 0.03, 0.2]) == pytest.approx([0.04, 0.16 / 3, 0.16 / 3, 0.2])
    rng = random.Random(3)
    values = [rng.random() ** 3 for _ in range(50)]
    assert benjamini_hochberg(values) == pytest.approx(list(false_discovery_control(values, method="bh")))


class _Counts:
    """A ReportSource stand-in with given counts per window and key."""

    def __init__(self, counts: dict[tuple[int, str | None], int]) -> None:
        self.counts = counts

    def petition_counts(
        self, scope: Scope, windows: Sequence[Window], by: Dimension | None
    ) -> dict[tuple[int, str | None], int]:
        if by is None:
            totals: dict[tuple[int, str | None], int] = {}
            for (i, _), n in self.counts.items():
                if i >= 1:
                    totals[(i - 1, None)] = totals.get((i - 1, None), 0) + n
            return totals
        return dict(self.counts) if by is Dimension.CATEGORY else {}

    def cases_behind(
        self, scope: Scope, window: Window, by: Dimension, key: str, limit: int
    ) -> tuple[int, list[CaseRef]]:
        return 0, []


def _run(counts: dict[tuple[int, str | None], int]) -> list[str]:
    found, _ = trend_signals(
        _Counts(counts),  # type: ignore[arg-type]
        Scope(("XS",)),
        MARCH,
        lambda p: p.window(SHANGHAI),
        lambda d, k: k,
        lambda s, used, tested: "",
        TrendSettings(dimensions=(Dimension.CATEGORY,)),
    )
    return [s.key for s in found]


def test_flat_poisson_noise_rarely_signals() -> None:
    """Under flat noise the false-discovery control keeps runs with any signal near the 5 % rate."""
    rng = random.Random(11)
    noisy_runs = 0
    for _ in range(400):
        rates = [rng.choice((3, 8, 20, 60)) for _ in range(30)]
        counts = {(i, f"s{k}"): poisson(rng, rate) for k, rate in enumerate(rates) for i in range(7)}
        noisy_runs += bool(_run(counts))
    assert noisy_runs <= 32  # 8 % of the runs; about 3.5 % expected


def test_a_real_rise_in_noise_is_found() -> None:
    rng = random.Random(5)
    counts = {(i, f"s{k}"): poisson(rng, 20) for k in range(30) for i in range(7)}
    counts[(0, "s7")] = 55
    assert _run(counts) == ["s7"]


def test_clustering_reads_only_the_latest_texts_and_says_so(built: Built) -> None:
    """``max_documents`` bounds what is read (issue 21): the newest texts, handed over oldest first."""
    from petitionkit.reports.source import report_source

    source = report_source(built.office.storage, built.office.pm)
    window = MARCH.window(built.office.zone)
    try:
        every = list(source.petition_texts(Scope((built.office.config.office_code,)), window))
        latest = list(source.petition_texts(Scope((built.office.config.office_code,)), window, latest=3))
    finally:
        source.close()
    assert len(every) > 3
    assert [t.petition_id for t in latest] == [t.petition_id for t in every[-3:]]
    report = signal_report(built.office, MARCH, cluster_settings=ClusterSettings(max_documents=3))
    assert report.cluster_method.documents == 3
    assert any(f"of {len(every)} petitions" in n or f"共 {len(every)} 件" in n for n in report.notes)
