"""Audit (审计): the access records to personal data and the audit-trail check, for auditors only.

Both go through what ``petitionkit audit access`` and ``petitionkit audit verify`` use: the service's
``access_records`` (which refuses anyone without ``audit``) and :func:`petitionkit.audit.verify.verify_office`,
run only after the same permission check.  The check reads every case: on a large office it takes as
long as the command does (the button says so while it runs).
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

import attrs
from litestar import Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromQuery

from petitionkit.audit.verify import AuditReport, verify_office
from petitionkit.domain.access import Permission
from petitionkit.errors import PetitionkitError
from petitionkit.i18n import CATALOG, translate
from petitionkit.labels import Labels
from petitionkit.web.context import Visit
from petitionkit.web.pages import NavItem

MAX_RECORDS = 500


@attrs.frozen
class Line:
    text: str
    broken: bool = False
    detail: tuple[str, ...] = ()


def report_lines(report: AuditReport, locale: str) -> list[Line]:
    """The verify report as ``petitionkit audit verify`` prints it, one line per verifier."""

    def say(key: str, name: str, **params: object) -> str:  # a verifier may have its own words
        own = f"{key}.{name}"
        return translate(own if own in CATALOG else key, locale, **params)

    lines = []
    for r in report.reports:
        if r.breaks:
            detail = tuple(
                f"{b.label or b.subject} · {b.item}: {b.message(locale)}" for b in r.breaks[:50]
            )  # the first 50: the command line lists every one
            lines.append(Line(say("audit.verify.broken", r.name, count=len(r.breaks)), True, detail))
        else:
            lines.append(Line(say("audit.verify.intact", r.name, records=r.records, items=r.items)))
        if r.unkeyed_records:
            lines.append(Line(say("audit.verify.unkeyed", r.name, records=r.unkeyed_records, items=r.unkeyed_items)))
    return lines


@get("/audit", sync_to_thread=True, name="web.audit")
def audit_page(
    visit: NamedDependency[Visit],
    principal: FromQuery[str | None] = None,
    case: FromQuery[str | None] = None,
    days: FromQuery[int] = 30,
) -> Response[str]:
    """Who read personal data (newest first) in the last ``days`` days, by principal or case."""
    days = min(max(days, 1), 3660)
    since = datetime.combine(visit.office.today() - timedelta(days=days), time.min, tzinfo=visit.office.now().tzinfo)
    principal = (principal or "").strip() or None
    case = (case or "").strip() or None
    error = None
    try:
        records = visit.office.access_records(
            case_ref=case, principal_id=principal, since=since, limit=MAX_RECORDS, newest_first=True
        )
    except PetitionkitError as exc:
        if not visit.may(Permission.AUDIT):
            raise
        records, error = [], exc.message(visit.locale)  # e.g. an unknown case reference
    return visit.page(
        "audit.html",
        records=records,
        action=Labels(visit.locale).access_action,
        limit=MAX_RECORDS,
        error=error,
        filters={"principal": principal or "", "case": case or "", "days": days},
        principals=[p.id for p in visit.office.config.principals],
    )


@post("/audit/verify", sync_to_thread=True, status_code=200)
def run_verify(visit: NamedDependency[Visit]) -> Response[str]:
    """Run ``audit verify`` now and show its result (an htmx fragment; a full page without JavaScript)."""
    visit.office.access.require(Permission.AUDIT)
    try:
        report = verify_office(visit.office)
        lines, intact, error = report_lines(report, visit.locale), report.intact, None
    except PetitionkitError as exc:  # no audit key, an unreadable key file ...
        lines, intact, error = [], False, exc.message(visit.locale)
    context: dict[str, Any] = {"lines": lines, "intact": intact, "error": error, "checked_at": visit.office.now()}
    if visit.request.headers.get("hx-request"):
        return visit.page("audit_verify.html", **context)
    return visit.page("audit_verify_page.html", **context)


HANDLERS = [audit_page, run_verify]
NAV = (NavItem("/audit", "web.nav.audit", order=90, permission=Permission.AUDIT),)
