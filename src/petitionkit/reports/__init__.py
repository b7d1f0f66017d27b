"""Reports (统计报告) and trend signals (苗头性、倾向性问题) of a petition office.

Typical use::

    from petitionkit.reports import Period, period_report, write_report

    report = period_report(office, Period.year(2026))          # every figure, with signals
    write_report(report, "report-2026.html")                    # or .json, .csv, .docx

Aggregation runs in the database (:class:`~petitionkit.reports.source.ReportSource`); see
docs/reports.md for what each figure means and how it is computed.
"""

from typing import TYPE_CHECKING

from petitionkit.lazy import lazy_exports
from petitionkit.reports.formats import FORMATS

if TYPE_CHECKING:
    from petitionkit.reports.build import (
        Labels,
        ReportContext,
        build_period_report,
        build_signal_report,
        office_context,
        period_report,
        signal_report,
    )
    from petitionkit.reports.model import PeriodReport, SignalReport
    from petitionkit.reports.output import render, write_report
    from petitionkit.reports.periods import Period, PeriodKind, Window
    from petitionkit.reports.signals import ClusterSettings, TrendSettings
    from petitionkit.reports.source import Dimension, ReportSource, ReportsUnsupported, Scope, report_source

__all__ = [
    "FORMATS",
    "ClusterSettings",
    "Dimension",
    "Labels",
    "Period",
    "PeriodKind",
    "PeriodReport",
    "ReportContext",
    "ReportSource",
    "ReportsUnsupported",
    "Scope",
    "SignalReport",
    "TrendSettings",
    "Window",
    "build_period_report",
    "build_signal_report",
    "office_context",
    "period_report",
    "render",
    "report_source",
    "signal_report",
    "write_report",
]

#: Where each public name lives: imported on first use, so ``import petitionkit.reports.formats`` (the
#: command line's start-up) does not load the report model, its queries and writers (issue 21).
_HOME = {
    "ClusterSettings": "signals",
    "Dimension": "source",
    "Labels": "build",
    "Period": "periods",
    "PeriodKind": "periods",
    "PeriodReport": "model",
    "ReportContext": "build",
    "ReportSource": "source",
    "ReportsUnsupported": "source",
    "Scope": "source",
    "SignalReport": "model",
    "TrendSettings": "signals",
    "Window": "periods",
    "build_period_report": "build",
    "build_signal_report": "build",
    "office_context": "build",
    "period_report": "build",
    "render": "output",
    "report_source": "source",
    "signal_report": "build",
    "write_report": "output",
}


__getattr__ = lazy_exports(__name__, _HOME)
