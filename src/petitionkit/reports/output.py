"""Report outputs: a self-contained HTML page with charts, JSON, CSV and a Word document.

* **html** — one file: the tables, the Plotly charts and plotly.js itself; it loads nothing at view time.
* **json** — the report object as JSON (``petitionkit.serialization.unstructure``).
* **csv** — long format, one value per row (``section, key, label, metric, value``), UTF-8 with a
  byte-order mark so spreadsheet programs read the Chinese correctly.
* **docx** — the report as offices hand it to the Standing Committee (see :mod:`.docx_report`).

A signal report alone (:class:`SignalReport`) renders as json or csv.
"""

from __future__ import annotations

import io
import json
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from petitionkit import csvsafe
from petitionkit.errors import ConfigurationError
from petitionkit.files import PRIVATE_MODE
from petitionkit.reports.formats import FORMATS, SIGNAL_FORMATS
from petitionkit.reports.labels import keys, label
from petitionkit.reports.model import PeriodReport, SignalReport
from petitionkit.serialization import unstructure


def to_json(report: PeriodReport | SignalReport) -> str:
    return json.dumps(unstructure(report), ensure_ascii=False, indent=2, sort_keys=False)


def _words(prefix: str, locale: str) -> dict[str, str]:
    return {k[len(prefix) + 1 :]: label(k, locale) for k in keys(prefix)}


def to_html(report: PeriodReport, template: str | os.PathLike[str] | None = None) -> str:
    """The report as one self-contained HTML page, from ``template`` (an office's own) or the packaged one.

    The template renders in Jinja's sandbox with autoescaping (:mod:`.html_template`); a template that
    reaches beyond its values raises :class:`~petitionkit.errors.ConfigurationError` before it runs.
    """
    import jinja2  # noqa: PLC0415 - the reports extra loads only when used

    from petitionkit.reports import html_template  # noqa: PLC0415
    from petitionkit.reports.charts import FONT, chart_divs, plotly_js  # noqa: PLC0415

    compiled = html_template.load(template)
    loc = report.locale
    try:
        return _render_html(compiled, report, loc, chart_divs, plotly_js, FONT)
    except jinja2.TemplateError as exc:  # the sandbox refused something: nothing ran
        name = str(template) if template is not None else "report.html.j2"
        raise ConfigurationError(f"html template {name}", f"cannot be rendered: {exc}") from None


def _render_html(template: Any, report: PeriodReport, loc: str, chart_divs: Any, plotly_js: Any, font: str) -> str:
    return str(
        template.render(
            r=report,
            t=_words("report.column", loc),
            s=_words("report.section", loc),
            f=_words("report.figure", loc),
            dims=_words("report.dimension", loc),
            charts=chart_divs(report),
            plotly_js=plotly_js(),
            font=font,
        )
    )


# --- CSV ---------------------------------------------------------------------------------------------


def _signal_rows(signals: SignalReport) -> Iterator[tuple[str, str, str, str, Any]]:
    for s in signals.trends:
        key = f"{s.dimension}:{s.key}"
        for metric in ("current", "baseline", "ratio", "dispersion", "p_value", "q_value", "case_count"):
            yield "trend_signal", key, s.label, metric, getattr(s, metric)
        yield "trend_signal", key, s.label, "history", " ".join(map(str, s.history))
        yield "trend_signal", key, s.label, "cases", " ".join(c.tracking_number for c in s.cases)
        yield "trend_signal", key, s.label, "sentence", s.sentence
    for n, c in enumerate(signals.clusters, start=1):
        key = f"cluster:{n}"
        for metric in ("petitions", "petitioners", "cohesion", "case_count"):
            yield "cluster", key, c.subject, metric, getattr(c, metric)
        yield "cluster", key, c.subject, "terms", " ".join(c.terms)
        yield "cluster", key, c.subject, "cases", " ".join(r.tracking_number for r in c.cases)
    yield "method", "trend", "", "description", signals.trend_method.description
    yield "method", "cluster", "", "description", signals.cluster_method.description


def _report_rows(r: PeriodReport) -> Iterator[tuple[str, str, str, str, Any]]:
    compared = ("current", "previous", "last_year", "change_previous", "change_last_year")
    for f in r.totals:
        for metric in compared:
            yield "totals", f.key, f.label, metric, getattr(f, metric)
    for b in r.breakdowns:
        for f in b.rows:
            for metric in compared:
                yield b.dimension, f.key, f.label, metric, getattr(f, metric)
    for i, month in enumerate(r.trend.months):
        yield "trend", month, month, "current", r.trend.totals[i]
        yield "trend", month, month, "last_year", r.trend.last_year[i]
    for x in r.respondents:
        for metric in ("petitions", "cases", "previous", "last_year", "referrals"):
            yield "respondents", x.key, x.label, metric, getattr(x, metric)
    for y in r.referrals.by_body:
        for metric in ("transfers", "assignments", "open", "reported", "objected", "withdrawn"):
            yield "referrals", y.body_code, y.label, metric, getattr(y, metric)
    for z in r.supervision.by_body:
        for metric in ("notices", "met", "late", "open", "superseded"):
            yield "supervision", z.body_code, z.label, metric, getattr(z, metric)
    for section, rows in (
        ("timeliness_clock", r.timeliness.by_clock),
        ("timeliness_body", r.timeliness.by_body),
        ("timeliness", (r.timeliness.overall,)),
    ):
        for t in rows:
            for metric in ("met", "late", "overdue", "pending", "on_time_rate"):
                yield section, t.key, t.label, metric, getattr(t, metric)
    yield "overdue", "cases", label("report.figure.overdue_cases", r.locale), "count", r.overdue.cases
    for c in r.overdue.by_clock:
        yield "overdue_clock", c.key, c.label, "count", c.count
    for c in r.evaluations.by_rating:
        yield "evaluations", c.key, c.label, "count", c.count
    yield (
        "evaluations",
        "all",
        label("report.figure.satisfaction_rate", r.locale),
        "rate",
        r.evaluations.satisfaction_rate,
    )
    for metric in ("replies", "review_requests", "reviews_decided", "rereview_requests", "rereviews_decided",
                   "review_rate", "rereview_rate"):  # fmt: skip
        yield "reviews", metric, label(f"report.figure.{metric}", r.locale), "value", getattr(r.reviews, metric)
    yield "collective", "share_of_petitions", "", "rate", r.collective.share_of_petitions
    yield "collective", "share_of_people", "", "rate", r.collective.share_of_people
    yield "repeats", "share", "", "rate", r.repeats.share
    yield "repeats", "petitioners", label("report.figure.repeat_petitioners", r.locale), "count", r.repeats.petitioners
    done = r.conclusions
    for row in done.by_outcome:
        yield "replies", row.key, row.label, "count", row.count
    for row in done.declined_by_channel:
        yield "declines", row.key, row.label, "count", row.count
    for metric in ("replies", "declined", "extensions", "opened", "closed", "in_progress", "closure_rate"):
        yield "conclusions", metric, "", "value", getattr(done, metric)
    if r.signals is not None:
        yield from _signal_rows(r.signals)


def to_csv(report: PeriodReport | SignalReport) -> str:
    out = io.StringIO()
    writer = csvsafe.writer(out, lineterminator="\n")  # formula-safe: no cell runs in a spreadsheet
    writer.writerow(("section", "key", "label", "metric", "value"))
    rows = _report_rows(report) if isinstance(report, PeriodReport) else _signal_rows(report)
    for section, key, text, metric, value in rows:
        writer.writerow((section, key, text, metric, "" if value is None else value))
    return "\ufeff" + out.getvalue()


# --- any format ------------------------------------------------------------------------------------


def render(
    report: PeriodReport | SignalReport, fmt: str, *, html_template: str | os.PathLike[str] | None = None
) -> bytes:
    """The report in ``fmt`` (one of :data:`FORMATS`) as bytes; ``html_template`` is an office's own HTML template."""
    if fmt == "json":
        return to_json(report).encode("utf-8")
    if fmt == "csv":
        return to_csv(report).encode("utf-8")
    if not isinstance(report, PeriodReport):
        raise ValueError(f"a signal report renders as {', '.join(SIGNAL_FORMATS)}, not {fmt}")
    if fmt == "html":
        return to_html(report, html_template).encode("utf-8")
    if fmt == "docx":
        from petitionkit.reports.docx_report import to_docx  # noqa: PLC0415

        return to_docx(report)
    raise ValueError(f"unknown report format {fmt!r}; expected one of {', '.join(FORMATS)}")


def format_of(path: str | os.PathLike[str], given: str | None = None) -> str:
    """``given``, else the file's suffix when it is a known format, else json."""
    if given:
        return given
    suffix = Path(path).suffix.lower().lstrip(".")
    return suffix if suffix in FORMATS else "json"


def write_report(
    report: PeriodReport | SignalReport,
    path: str | os.PathLike[str],
    fmt: str | None = None,
    *,
    html_template: str | os.PathLike[str] | None = None,
) -> Path:
    """Write the report to ``path`` (format from ``fmt`` or the suffix); the file appears whole or not at all."""
    target = Path(path)
    data = render(report, format_of(target, fmt), html_template=html_template)
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    try:
        with os.fdopen(handle, "wb") as stream:  # mkstemp made it 0600: a report names cases and people
            stream.write(data)
        os.chmod(temporary, PRIVATE_MODE)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return target
