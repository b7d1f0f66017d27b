"""Charts of a period report, drawn with Plotly (plotly.js is embedded once per HTML file).

Each function returns a ``plotly.graph_objects.Figure``; :func:`chart_divs` renders them as HTML
fragments.  Labels are the report's own words; the font list puts CJK fonts first so Chinese renders
wherever one is installed (Noto Sans CJK on Linux, YaHei on Windows, PingFang on macOS).
"""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go  # type: ignore[import-untyped]
import plotly.offline  # type: ignore[import-untyped]

from petitionkit.reports.labels import label
from petitionkit.reports.model import Breakdown, PeriodReport

FONT = "'Noto Sans CJK SC', 'Source Han Sans SC', 'Microsoft YaHei', 'PingFang SC', 'WenQuanYi Micro Hei', sans-serif"
COLOURS = ("#c0392b", "#2e86c1", "#7f8c8d", "#27ae60", "#8e44ad", "#d68910")


def _layout(title: str, **extra: Any) -> dict[str, Any]:
    return {
        "title": {"text": title, "x": 0.02},
        "font": {"family": FONT, "size": 13},
        "template": "simple_white",
        "margin": {"l": 60, "r": 20, "t": 60, "b": 60},
        "height": 380,
        "legend": {"orientation": "h", "y": -0.18},
        **extra,
    }


def trend_chart(report: PeriodReport) -> Any:
    """Monthly petitions: the twelve months ending with the period, and the same months a year before."""
    t, loc = report.trend, report.locale
    figure = go.Figure()
    figure.add_trace(
        go.Scatter(x=list(t.months), y=list(t.totals), name=label("report.column.current", loc), mode="lines+markers",
                   line={"color": COLOURS[0], "width": 3})
    )  # fmt: skip
    figure.add_trace(
        go.Scatter(x=list(t.months), y=list(t.last_year), name=label("report.column.last_year", loc),
                   mode="lines+markers", line={"color": COLOURS[2], "dash": "dot"})
    )  # fmt: skip
    figure.update_layout(**_layout(label("report.section.trend", loc), xaxis={"type": "category"}))
    return figure


def category_trend_chart(report: PeriodReport) -> Any:
    """The largest categories of the period, month by month."""
    t, loc = report.trend, report.locale
    figure = go.Figure()
    for i, line in enumerate(t.categories):
        figure.add_trace(
            go.Scatter(x=list(t.months), y=list(line.values), name=line.label, mode="lines+markers",
                       line={"color": COLOURS[i % len(COLOURS)]})
        )  # fmt: skip
    title = f"{label('report.section.trend', loc)} · {label('report.dimension.category', loc)}"
    figure.update_layout(**_layout(title, xaxis={"type": "category"}))
    return figure


def breakdown_chart(report: PeriodReport, breakdown: Breakdown, limit: int = 15) -> Any:
    """This period against the previous period and the same period last year, largest first."""
    loc = report.locale
    rows = [r for r in breakdown.rows if r.current or r.previous or r.last_year][:limit]
    names = [r.label for r in rows]
    figure = go.Figure()
    for attr, key, colour in (
        ("current", "report.column.current", COLOURS[0]),
        ("previous", "report.column.previous", COLOURS[1]),
        ("last_year", "report.column.last_year", COLOURS[2]),
    ):
        figure.add_trace(go.Bar(x=names, y=[getattr(r, attr) for r in rows], name=label(key, loc), marker_color=colour))
    figure.update_layout(**_layout(breakdown.title, barmode="group", xaxis={"type": "category"}))
    return figure


def share_chart(report: PeriodReport, breakdown: Breakdown) -> Any:
    """The period's shares of one dimension as a donut."""
    rows = [r for r in breakdown.rows if r.current]
    figure = go.Figure(
        go.Pie(labels=[r.label for r in rows], values=[r.current for r in rows], hole=0.45, sort=False,
               marker={"colors": list(COLOURS) * 3})
    )  # fmt: skip
    figure.update_layout(**_layout(breakdown.title, height=340))
    return figure


def respondent_chart(report: PeriodReport) -> Any:
    loc = report.locale
    rows = list(reversed(report.respondents))
    figure = go.Figure(
        go.Bar(y=[r.label for r in rows], x=[r.petitions for r in rows], orientation="h", marker_color=COLOURS[0],
               name=label("report.column.petitions", loc))
    )  # fmt: skip
    figure.update_layout(
        **_layout(label("report.section.respondents", loc), margin={"l": 220, "r": 20, "t": 60, "b": 40})
    )
    return figure


def timeliness_chart(report: PeriodReport) -> Any:
    loc = report.locale
    rows = report.timeliness.by_clock
    figure = go.Figure()
    for attr, key, colour in (
        ("met", "report.column.met", COLOURS[3]),
        ("late", "report.column.late", COLOURS[5]),
        ("overdue", "report.column.overdue", COLOURS[0]),
        ("pending", "report.column.pending", COLOURS[2]),
    ):
        figure.add_trace(
            go.Bar(
                x=[r.label for r in rows], y=[getattr(r, attr) for r in rows], name=label(key, loc), marker_color=colour
            )
        )
    figure.update_layout(
        **_layout(label("report.section.timeliness", loc), barmode="stack", xaxis={"type": "category"})
    )
    return figure


def charts(report: PeriodReport) -> list[tuple[str, Any]]:
    """Every chart of the report, each with a stable id."""
    found: list[tuple[str, Any]] = [("trend", trend_chart(report))]
    if report.trend.categories:
        found.append(("category-trend", category_trend_chart(report)))
    for dimension in ("category", "region", "office"):
        breakdown = report.breakdown(dimension)
        if breakdown is not None and breakdown.rows:
            found.append((f"{dimension}-bars", breakdown_chart(report, breakdown)))
    for dimension in ("channel", "kind"):
        breakdown = report.breakdown(dimension)
        if breakdown is not None and any(r.current for r in breakdown.rows):
            found.append((f"{dimension}-share", share_chart(report, breakdown)))
    if report.respondents:
        found.append(("respondents", respondent_chart(report)))
    if report.timeliness.by_clock:
        found.append(("timeliness", timeliness_chart(report)))
    return found


def chart_divs(report: PeriodReport) -> list[tuple[str, str]]:
    """``(id, HTML fragment)`` per chart; the fragments need plotly.js on the page (:func:`plotly_js`)."""
    # No toolbar (zoom, pan, download): a report is read and printed, not explored; hovering still shows values.
    config = {"displayModeBar": False, "displaylogo": False, "responsive": True}
    return [
        (name, str(figure.to_html(full_html=False, include_plotlyjs=False, div_id=f"chart-{name}", config=config)))
        for name, figure in charts(report)
    ]


def plotly_js() -> str:
    """The plotly.js bundle shipped inside the plotly package (no network at view time)."""
    return str(plotly.offline.get_plotlyjs())
