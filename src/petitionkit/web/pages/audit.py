"""Audit (审计): access records to personal data and the audit-trail check, for auditors only."""

from __future__ import annotations

from litestar import Response, get
from litestar.di import NamedDependency

from petitionkit.domain.access import Permission
from petitionkit.web.context import Visit
from petitionkit.web.pages import NavItem


@get("/audit", sync_to_thread=True, name="web.audit")
def audit_page(visit: NamedDependency[Visit]) -> Response[str]:
    """Who read personal data, newest last (the service refuses anyone without ``audit``)."""
    records = visit.office.access_records(limit=200)
    return visit.page("audit.html", records=records, report=None)


HANDLERS = [audit_page]
NAV = (NavItem("/audit", "web.nav.audit", order=90, permission=Permission.AUDIT),)
