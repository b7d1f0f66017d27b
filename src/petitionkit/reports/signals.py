"""Trend signals (苗头性、倾向性问题): rising series and clusters of the same matter.

**Rising series.**  For every category, region and respondent, the count ``c`` of petitions in the
period is tested against the counts ``h_1..h_N`` of the same series in the ``N`` periods before it
(same kind and length).  Under the null hypothesis the period's rate equals the history's, and
given the total ``c + H`` (``H = sum h_i``) the period's share is ``Binomial(c + H, 1 / (N + 1))``:
the exact conditional test of two Poisson rates, which accounts for the baseline being estimated.
Petition counts vary more than Poisson counts (seasons, campaigns), so the test is made on
quasi-Poisson counts: both are divided by the dispersion ``phi = max(1, s^2 / mean)`` of the
history (sample variance over mean), and the one-sided p-value ``P(X >= c)`` is the regularised
incomplete beta function ``I_{1/(N+1)}(c / phi, H / phi + 1)``, which equals the binomial tail when
``phi = 1``.  The p-values of all series of all dimensions are adjusted together by the
Benjamini-Hochberg procedure (false discovery rate ``q``), and a series is a signal when its
adjusted value is at most ``q``, its count is at least ``min_count`` and at least ``min_ratio``
times its historical mean.  History periods older than the office's first data are left out
(a new office would otherwise see everything rise); with fewer than ``min_history`` periods of
data no series is tested.

**Clusters.**  Petitions of the period are segmented into words with jieba (the ``rjieba`` binding
of jieba-rs), weighted by TF-IDF (scikit-learn, sublinear term frequency, terms in more than half
of the petitions dropped), and compared by cosine similarity; petitions at least ``threshold``
alike are linked and the connected components of that graph are the clusters (single linkage).
A cluster is a signal when it spans at least ``min_petitioners`` different petitioners (identity
digests; an anonymous petition counts as one petitioner) and at least two cases: one matter raised
by several people who were not already joined into one case.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any

import attrs

from petitionkit.reports.model import ClusterMethod, ClusterSignal, TrendMethod, TrendSignal
from petitionkit.reports.periods import Period, Window
from petitionkit.reports.source import CaseRef, Dimension, PetitionText, ReportSource, Scope
from petitionkit.reports.text import Tokenizer

TREND_DIMENSIONS = (Dimension.CATEGORY, Dimension.REGION, Dimension.RESPONDENT)


@attrs.frozen
class TrendSettings:
    """Parameters of the rising-series test (see the module docstring)."""

    history: int = 6  # periods of history the baseline is drawn from
    fdr: float = 0.05  # Benjamini-Hochberg false discovery rate
    min_count: int = 5  # a signal needs at least this many petitions in the period
    min_ratio: float = 1.5  # ... and at least this multiple of the historical mean
    min_history: int = 3  # fewer periods with data: nothing is tested
    dimensions: tuple[Dimension, ...] = TREND_DIMENSIONS
    case_limit: int = 50  # cases listed per signal


@attrs.frozen
class ClusterSettings:
    """Parameters of the same-matter clustering (see the module docstring)."""

    threshold: float = 0.5  # cosine similarity that links two petitions
    min_petitioners: int = 3
    max_documents: int = 50_000  # the most recent petitions of a larger period are clustered
    case_limit: int = 50
    terms: int = 6
    chunk: int = 256  # rows per similarity block (memory ~ chunk x petitions)


# --- the statistics --------------------------------------------------------------------------------


def rise_p_value(current: int, history: Sequence[int]) -> tuple[float, float]:
    """One-sided p-value that ``current`` exceeds the rate of ``history``, and the dispersion used."""
    from scipy.special import betainc  # type: ignore[import-untyped]  # noqa: PLC0415 - the reports extra

    n = len(history)
    if current <= 0 or n == 0:
        return 1.0, 1.0
    total = float(sum(history))
    mean = total / n
    dispersion = 1.0
    if n >= 2 and mean > 0:
        variance = sum((h - mean) ** 2 for h in history) / (n - 1)
        dispersion = max(1.0, variance / mean)
    p = float(betainc(current / dispersion, total / dispersion + 1.0, 1.0 / (n + 1)))
    return min(1.0, max(0.0, p)), dispersion


def benjamini_hochberg(p_values: Sequence[float]) -> list[float]:
    """Benjamini-Hochberg adjusted p-values (q-values), in the order given."""
    m = len(p_values)
    order = sorted(range(m), key=lambda i: p_values[i])
    adjusted = [1.0] * m
    running = 1.0
    for rank in range(m, 0, -1):
        i = order[rank - 1]
        running = min(running, p_values[i] * m / rank)
        adjusted[i] = min(1.0, running)
    return adjusted


@attrs.frozen
class _Series:
    dimension: Dimension
    key: str
    current: int
    history: tuple[int, ...]
    p_value: float
    dispersion: float


def trend_signals(
    source: ReportSource,
    scope: Scope,
    period: Period,
    window_of: Callable[[Period], Window],
    label_of: Callable[[Dimension, str], str],
    describe: Callable[[TrendSettings, int, int], str],
    settings: TrendSettings | None = None,
) -> tuple[list[TrendSignal], TrendMethod]:
    """Series of ``settings.dimensions`` whose count rose significantly in ``period``."""
    settings = settings or TrendSettings()
    periods = [period, *period.history(settings.history)]
    windows = [window_of(p) for p in periods]
    counts = {d: source.petition_counts(scope, windows, d) for d in settings.dimensions}
    totals = source.petition_counts(scope, windows[1:], None)
    with_data = [i + 1 for i in range(len(windows) - 1) if totals.get((i, None), 0) > 0]
    used = max(with_data, default=0)  # the oldest history period with any petition
    if used < settings.min_history:
        return [], TrendMethod(
            describe(settings, used, 0), settings.history, used, settings.fdr, settings.min_count, settings.min_ratio, 0
        )
    series: list[_Series] = []
    for dimension, found in counts.items():
        keys = sorted({k for (i, k) in found if k is not None and i <= used})
        for key in keys:
            current = found.get((0, key), 0)
            history = tuple(found.get((i, key), 0) for i in range(1, used + 1))
            p, dispersion = rise_p_value(current, history)
            series.append(_Series(dimension, key, current, history, p, dispersion))
    q_values = benjamini_hochberg([s.p_value for s in series])
    signals: list[TrendSignal] = []
    for s, q in zip(series, q_values, strict=True):
        baseline = sum(s.history) / len(s.history)
        if q > settings.fdr or s.current < settings.min_count or s.current < settings.min_ratio * baseline:
            continue
        case_count, refs = source.cases_behind(scope, windows[0], s.dimension, s.key, settings.case_limit)
        signals.append(
            TrendSignal(
                dimension=s.dimension.value,
                key=s.key,
                label=label_of(s.dimension, s.key),
                current=s.current,
                history=s.history,
                baseline=round(baseline, 3),
                ratio=None if baseline == 0 else round(s.current / baseline, 3),
                dispersion=round(s.dispersion, 3),
                p_value=_significant(s.p_value),
                q_value=_significant(q),
                case_count=case_count,
                cases=tuple(refs),
            )
        )
    signals.sort(key=lambda t: (t.q_value, -t.current, t.dimension, t.key))
    method = TrendMethod(
        describe(settings, used, len(series)),
        settings.history,
        used,
        settings.fdr,
        settings.min_count,
        settings.min_ratio,
        len(series),
    )
    return signals, method


def _significant(value: float) -> float:
    """Four significant digits (p-values span many orders of magnitude)."""
    if value == 0 or not math.isfinite(value):
        return value
    return float(f"{value:.4g}")


# --- clustering ------------------------------------------------------------------------------------


def cluster_signals(
    texts: Sequence[PetitionText],
    settings: ClusterSettings | None = None,
    describe: Callable[[ClusterSettings, int], str] = lambda s, n: "",
) -> tuple[list[ClusterSignal], ClusterMethod]:
    """Clusters of the same matter raised by several different petitioners (see the module docstring)."""
    settings = settings or ClusterSettings()
    # The reports extra (petitionkit[reports]); imported here so the core loads without it.
    import numpy as np  # noqa: PLC0415
    from scipy.sparse import coo_matrix  # type: ignore[import-untyped]  # noqa: PLC0415
    from scipy.sparse.csgraph import connected_components  # type: ignore[import-untyped]  # noqa: PLC0415
    from sklearn.feature_extraction.text import TfidfVectorizer  # type: ignore[import-untyped]  # noqa: PLC0415

    texts = list(texts)[-settings.max_documents :]
    method = ClusterMethod(describe(settings, len(texts)), settings.threshold, settings.min_petitioners, len(texts))
    if len(texts) < settings.min_petitioners:
        return [], method
    vectorizer = TfidfVectorizer(analyzer=Tokenizer(), sublinear_tf=True, max_df=0.5, norm="l2")
    try:
        matrix: Any = vectorizer.fit_transform([f"{t.subject}\n{t.content}" for t in texts]).tocsr()
    except ValueError:  # no term left (every word in more than half of very few petitions)
        return [], method
    n = matrix.shape[0]
    rows: list[Any] = []
    cols: list[Any] = []
    transposed = matrix.T.tocsc()
    for start in range(0, n, settings.chunk):
        block = (matrix[start : start + settings.chunk] @ transposed).tocoo()
        keep = (block.data >= settings.threshold) & (block.row + start < block.col)
        rows.append(block.row[keep] + start)
        cols.append(block.col[keep])
    i = np.concatenate(rows) if rows else np.empty(0, dtype=np.int64)
    j = np.concatenate(cols) if cols else np.empty(0, dtype=np.int64)
    graph = coo_matrix((np.ones(len(i), dtype=np.int8), (i, j)), shape=(n, n)).tocsr()
    _, component = connected_components(graph, directed=False)
    members: dict[int, list[int]] = {}
    for index, label in enumerate(component.tolist()):
        members.setdefault(label, []).append(index)
    terms = vectorizer.get_feature_names_out()
    signals: list[ClusterSignal] = []
    for indices in members.values():
        if len(indices) < settings.min_petitioners:
            continue
        group = [texts[k] for k in indices]
        people = {d for t in group for d in t.identities} | {
            f"anonymous:{t.petition_id}" for t in group if not t.identities
        }
        case_ids = {t.case_id for t in group}
        if len(people) < settings.min_petitioners or len(case_ids) < 2:
            continue
        block = matrix[indices]
        centre = np.asarray(block.mean(axis=0)).ravel()
        norm = float(np.linalg.norm(centre))
        cohesion = float(np.mean(block @ (centre / norm))) if norm else 0.0
        top = [str(terms[k]) for k in np.argsort(-centre)[: settings.terms] if centre[k] > 0]
        refs: dict[str, CaseRef] = {}
        for t in sorted(group, key=lambda t: t.case_tracking_number):
            refs.setdefault(t.case_id, CaseRef(t.case_id, t.case_tracking_number, t.subject))
        signals.append(
            ClusterSignal(
                terms=tuple(top),
                subject=Counter(t.subject for t in group).most_common(1)[0][0],
                petitions=len(group),
                petitioners=len(people),
                cohesion=round(cohesion, 3),
                categories=tuple(k for k, _ in Counter(t.category for t in group).most_common()),
                regions=tuple(k for k, _ in Counter(t.region_code for t in group).most_common()),
                first_received=min(t.received_at for t in group),
                last_received=max(t.received_at for t in group),
                case_count=len(refs),
                cases=tuple(list(refs.values())[: settings.case_limit]),
            )
        )
    signals.sort(key=lambda c: (-c.petitioners, -c.petitions, c.subject))
    return signals, method
