"""Trend signals in plain words: one sentence a Standing Committee member reads without statistics.

"本季度“劳动和社会保障”类信访比上季度明显增多（从 12 件增至 30 件）。" when the count rose against the
previous period; otherwise (the previous period was itself high) the sentence compares with the
average of the periods the test used.  The test itself (quasi-Poisson, Benjamini–Hochberg q-values)
stays in the report's statistical note.
"""

from __future__ import annotations

from petitionkit.i18n import translate
from petitionkit.reports.model import TrendSignal
from petitionkit.reports.periods import PeriodKind

_SUBJECTS = {"category", "region", "respondent"}


def trend_sentence(signal: TrendSignal, kind: PeriodKind | str, locale: str = "zh-CN") -> str:
    """The signal as one sentence in ``locale`` (zh-CN or en) for a report of periods of ``kind``."""
    unit = PeriodKind(kind).value
    dimension = signal.dimension if signal.dimension in _SUBJECTS else "other"
    words = {
        "this": translate(f"report.signal.this.{unit}", locale),
        "last": translate(f"report.signal.last.{unit}", locale),
        "unit": translate(f"report.signal.unit.{unit}", locale),
        "subject": translate(f"report.signal.subject.{dimension}", locale, label=signal.label),
        "current": signal.current,
    }
    previous = signal.history[0] if signal.history else None
    if previous is not None and previous < signal.current:
        return translate("report.signal.rose", locale, previous=previous, **words)
    baseline = f"{signal.baseline:.1f}".removesuffix(".0")
    return translate("report.signal.above_average", locale, periods=len(signal.history), baseline=baseline, **words)
