"""The Word report's charts as PNG images, drawn with matplotlib (Agg: no browser, no display).

The HTML report draws its charts with plotly.js in the reader's browser; a Word document needs
pictures.  matplotlib renders them in-process with its Agg backend.  Chinese labels need a CJK font:
the one fontconfig names for ``Noto Sans CJK SC`` (``fc-match``; Debian's ``fonts-noto-cjk``, which
``scripts/install-system-deps.sh`` installs), else any Noto/Source Han/WenQuanYi font matplotlib
finds; without one the charts are still drawn, with missing-glyph boxes, and a warning is logged.
"""

from __future__ import annotations

import io
import logging
import shutil
import subprocess
from collections.abc import Sequence
from functools import cache
from typing import Any

from petitionkit.reports.labels import label
from petitionkit.reports.model import Breakdown, PeriodReport

log = logging.getLogger("petitionkit")

COLOURS = ("#c0392b", "#2e86c1", "#7f8c8d", "#27ae60", "#8e44ad", "#d68910")
WIDTH_INCHES, HEIGHT_INCHES, DPI = 6.2, 3.0, 150
_FALLBACK_NAMES = ("NotoSansCJK", "NotoSerifCJK", "SourceHanSans", "wqy-microhei", "wqy-zenhei")


@cache
def cjk_font_file() -> str | None:
    """The file of a Simplified Chinese font: fontconfig's match for Noto Sans CJK SC, else one matplotlib finds."""
    fc_match = shutil.which("fc-match")
    if fc_match:
        try:
            found = subprocess.run(
                [fc_match, "-f", "%{file}", "Noto Sans CJK SC:lang=zh-cn"],
                capture_output=True,
                text=True,
                timeout=10,
                check=False,
            ).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            found = ""
        if found and any(name.lower() in found.lower() for name in _FALLBACK_NAMES):
            return found
    from matplotlib import font_manager  # noqa: PLC0415 - matplotlib loads only for the Word report

    for path in sorted(font_manager.findSystemFonts()):
        if any(name.lower() in path.lower() for name in _FALLBACK_NAMES):
            return str(path)
    log.warning("no CJK font found for the Word report's charts; install fonts-noto-cjk")
    return None


@cache
def _family() -> str | None:
    from matplotlib import font_manager  # noqa: PLC0415

    path = cjk_font_file()
    if path is None:
        return None
    font_manager.fontManager.addfont(path)
    return str(font_manager.FontProperties(fname=path).get_name())


def _figure(title: str) -> tuple[Any, Any]:
    from matplotlib.figure import Figure  # noqa: PLC0415 - no pyplot: no global state, no display

    figure = Figure(figsize=(WIDTH_INCHES, HEIGHT_INCHES), dpi=DPI, layout="constrained")
    axes = figure.add_subplot()
    axes.set_title(title, fontsize=11, loc="left")
    axes.spines[["top", "right"]].set_visible(False)
    axes.tick_params(labelsize=8)
    return figure, axes


def _png(figure: Any) -> bytes:
    out = io.BytesIO()
    figure.savefig(out, format="png", dpi=DPI)
    return out.getvalue()


def trend_image(report: PeriodReport) -> bytes:
    """Monthly petitions over twelve months, against the same months a year before."""
    t, loc = report.trend, report.locale
    figure, axes = _figure(label("report.section.trend", loc))
    x = range(len(t.months))
    axes.plot(x, t.totals, marker="o", color=COLOURS[0], linewidth=2, label=label("report.column.current", loc))
    axes.plot(x, t.last_year, marker="o", color=COLOURS[2], linestyle=":", label=label("report.column.last_year", loc))
    axes.set_xticks(list(x), list(t.months), rotation=45, ha="right")
    axes.legend(fontsize=8, frameon=False)
    return _png(figure)


def breakdown_image(report: PeriodReport, breakdown: Breakdown, limit: int = 12) -> bytes:
    """This period, the previous period and the same period last year, largest first."""
    loc = report.locale
    rows = [r for r in breakdown.rows if r.current or r.previous or r.last_year][:limit]
    figure, axes = _figure(breakdown.title)
    width = 0.27
    for i, (attr, key) in enumerate(
        (
            ("current", "report.column.current"),
            ("previous", "report.column.previous"),
            ("last_year", "report.column.last_year"),
        )
    ):
        axes.bar(
            [n + (i - 1) * width for n in range(len(rows))],
            [getattr(r, attr) for r in rows],
            width,
            color=COLOURS[i],
            label=label(key, loc),
        )
    axes.set_xticks(range(len(rows)), [r.label for r in rows], rotation=30, ha="right")
    axes.legend(fontsize=8, frameon=False)
    return _png(figure)


def respondent_image(report: PeriodReport) -> bytes:
    """The organs most complained about, as horizontal bars."""
    loc = report.locale
    rows = list(reversed(report.respondents))
    figure, axes = _figure(label("report.section.respondents", loc))
    axes.barh([r.label for r in rows], [r.petitions + r.referrals for r in rows], color=COLOURS[0])
    return _png(figure)


def timeliness_image(report: PeriodReport) -> bytes:
    """Obligations by clock: met, late, overdue, pending (stacked)."""
    loc = report.locale
    rows = report.timeliness.by_clock
    figure, axes = _figure(label("report.section.timeliness", loc))
    bottom = [0] * len(rows)
    for attr, key, colour in (
        ("met", "report.column.met", COLOURS[3]),
        ("late", "report.column.late", COLOURS[5]),
        ("overdue", "report.column.overdue", COLOURS[0]),
        ("pending", "report.column.pending", COLOURS[2]),
    ):
        values = [getattr(r, attr) for r in rows]
        axes.bar([r.label for r in rows], values, bottom=bottom, color=colour, label=label(key, loc))
        bottom = [b + v for b, v in zip(bottom, values, strict=True)]
    axes.tick_params(axis="x", rotation=20)
    axes.legend(fontsize=8, frameon=False)
    return _png(figure)


def images(report: PeriodReport, dimensions: Sequence[str] = ("category", "region")) -> dict[str, bytes]:
    """The Word report's charts by section: ``trend``, ``category``, ``region``, ``respondents``, ``timeliness``."""
    import matplotlib  # noqa: PLC0415

    family = _family()
    with matplotlib.rc_context({"font.family": [family, "sans-serif"]} if family else None):
        # the font for these figures only, not the embedding program's
        return _images(report, dimensions)


def _images(report: PeriodReport, dimensions: Sequence[str]) -> dict[str, bytes]:
    found = {"trend": trend_image(report)}
    for dimension in dimensions:
        breakdown = report.breakdown(dimension)
        if breakdown is not None and any(r.current or r.previous or r.last_year for r in breakdown.rows):
            found[dimension] = breakdown_image(report, breakdown)
    if report.respondents:
        found["respondents"] = respondent_image(report)
    if report.timeliness.by_clock:
        found["timeliness"] = timeliness_image(report)
    return found
