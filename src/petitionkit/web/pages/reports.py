"""Reports (统计报表): the period report and its trend signals (苗头性、倾向性问题) in the page with their
charts, and the same report to download as Word (DOCX) or CSV.

The figures are the reports package's (``reports.build.period_report`` as the signed-in principal: it
needs ``report`` and gives no petitioner's identity); the page shows its tables and draws its Plotly
charts in the browser from each figure's JSON with plotly.js served from this application (no CDN,
no inline script: the page's CSP forbids both). The DOCX and CSV are ``reports.output.render``'s.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from litestar import Response, get
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery

from petitionkit.domain.access import Permission
from petitionkit.errors import FieldError, InvalidInput
from petitionkit.web import render
from petitionkit.web.context import Visit
from petitionkit.web.pages import NavItem

MEDIA = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "csv": "text/csv; charset=utf-8",
}
YEARS = (1990, 2100)


def _staff(visit: Visit) -> bool:
    return visit.principal is not None and not visit.principal.is_body


def _period(visit: Visit, text: str) -> Any:
    from petitionkit.reports.periods import Period  # noqa: PLC0415 - the reports extra

    if not text.strip():
        today = visit.office.today()
        return Period.month(today.year, today.month)
    try:
        period = Period.parse(text)
    except InvalidInput:
        raise InvalidInput([FieldError("period", "period_format")]) from None
    if not (YEARS[0] <= period.start.year and period.end.year <= YEARS[1]):
        raise InvalidInput([FieldError("period", "between", {"min": YEARS[0], "max": YEARS[1]})])
    return period


def _report(visit: Visit, period: Any, *, signals: bool) -> Any:
    from petitionkit.reports.build import period_report  # noqa: PLC0415
    from petitionkit.reports.extra import require_reports_extra  # noqa: PLC0415

    require_reports_extra()
    visit.office.access.require_office_staff("report")
    return period_report(visit.office, period, locale=visit.locale, signals=signals)


def _words(prefix: str, locale: str) -> dict[str, str]:
    from petitionkit.reports.labels import keys, label  # noqa: PLC0415

    return {k[len(prefix) + 1 :]: label(k, locale) for k in keys(prefix)}


def _charts(report: Any) -> list[tuple[str, str]]:
    """``(title, figure JSON)`` per chart of the report, drawn in the page by ``pages.js``."""
    from petitionkit.reports.charts import charts  # noqa: PLC0415

    return [(str(figure.layout.title.text or name), str(figure.to_json())) for name, figure in charts(report)]


@get("/reports", sync_to_thread=True, name="web.reports")
def reports_page(visit: NamedDependency[Visit], period: FromQuery[str] = "") -> Response[str]:
    """The period report of ``period`` (``2026-11``, ``2026Q3``, ``2026``; the current month by default)."""
    try:
        chosen = _period(visit, period)
    except InvalidInput as error:
        return visit.page(
            "reports.html", status=422, report=None, period=period, error=error.errors[0].message(visit.locale)
        )
    report = _report(visit, chosen, signals=True)
    return visit.page(
        "reports.html",
        report=report,
        period=period or chosen.start.strftime("%Y-%m"),
        error="",
        charts=_charts(report),
        words={name: _words("report." + name, visit.locale) for name in ("column", "section", "figure", "dimension")},
    )


@get("/reports/download/{fmt:str}", sync_to_thread=True, name="web.pages.reports.download")
def report_download(visit: NamedDependency[Visit], fmt: FromPath[str], period: FromQuery[str] = "") -> Response[bytes]:
    """The same report as a Word file or as CSV."""
    from petitionkit.reports.output import render as render_report  # noqa: PLC0415

    if fmt not in MEDIA:
        raise InvalidInput([FieldError("format", "choice", {"choices": ", ".join(MEDIA)})])
    chosen = _period(visit, period)
    report = _report(visit, chosen, signals=fmt == "csv")
    name = f"report-{chosen.start.isoformat()}-{chosen.end.isoformat()}.{fmt}"
    headers = {**render.SECURITY_HEADERS, "Content-Disposition": f'attachment; filename="{name}"'}
    return Response(render_report(report, fmt), media_type=MEDIA[fmt], headers=headers)


@cache
def _plotly() -> bytes:
    from petitionkit.reports.charts import plotly_js  # noqa: PLC0415

    return plotly_js().encode("utf-8")


@get("/reports/plotly.js", sync_to_thread=True, name="web.pages.reports.plotly")
def plotly_script(visit: NamedDependency[Visit]) -> Response[bytes]:
    """plotly.js from the plotly package this server has (signed-in visitors only; cached a day)."""
    return Response(
        _plotly(), media_type="text/javascript; charset=utf-8", headers={"Cache-Control": "private, max-age=86400"}
    )


HANDLERS = [plotly_script, report_download, reports_page]
NAV = (NavItem("/reports", "web.pages.nav.reports", order=50, permission=Permission.REPORT, shown=_staff),)
