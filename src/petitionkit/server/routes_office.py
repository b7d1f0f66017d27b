"""Petitions (registration), what is due, the changes feed, access records, reports, the public
progress lookup, and the operations endpoints (health, readiness)."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from litestar import Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody

from petitionkit.domain.access import AccessRecord
from petitionkit.domain.drafts import PetitionDraft
from petitionkit.domain.model import Case, Obligation
from petitionkit.errors import NotFound
from petitionkit.server import bodies
from petitionkit.server.context import Api
from petitionkit.server.idempotency import HttpProblem, run_once
from petitionkit.server.problems import field_problem, simple
from petitionkit.server.routes_cases import as_body, cursor_checked, page_limit
from petitionkit.service import Office
from petitionkit.service.integration import FEED_LIMIT, FeedEvent
from petitionkit.service.results import Progress, Registration

# --- petitions ---------------------------------------------------------------------------------------


@post("/petitions", sync_to_thread=True, status_code=201, tags=["petitions"])
def register(
    request: Request[Any, Any, Any], office: NamedDependency[Office], data: JSONBody[PetitionDraft]
) -> Response[Registration]:
    """Register a petition (登记); the query code in the answer is shown once.  Needs ``Idempotency-Key``."""
    return run_once(  # type: ignore[return-value]
        request,
        office,
        data,
        lambda o: o.register(data),
        status=201,
        location=lambda r: f"/cases/{r.case.id}",
        if_match=False,
    )


@post("/petitions/repeats", sync_to_thread=True, status_code=200, tags=["petitions"])
def find_repeats(
    office: NamedDependency[Office], data: JSONBody[PetitionDraft], purpose: FromQuery[str] = ""
) -> list[Case]:
    """Cases by the same petitioner in the same category (a search by identity: on record; changes nothing)."""
    return office.find_repeats(data, purpose=purpose)


@post("/petitions/{tracking_number:str}/query-code", sync_to_thread=True, status_code=200, tags=["petitions"])
def reissue_query_code(
    request: Request[Any, Any, Any], office: NamedDependency[Office], tracking_number: FromPath[str]
) -> Response[bodies.IssuedQueryCode]:
    """Issue a new query code (the old one stops working); shown once.  Needs ``Idempotency-Key``."""
    return run_once(  # type: ignore[return-value]
        request,
        office,
        {"tracking_number": tracking_number},
        lambda o: bodies.IssuedQueryCode(tracking_number, o.reissue_query_code(tracking_number)),
        if_match=False,
    )


# --- what is due -------------------------------------------------------------------------------------


def _page(
    request: Request[Any, Any, Any], office: Office, days: int, overdue: bool, limit: int, cursor: str | None
) -> bodies.Page[Obligation]:
    """One page read in the database (keyset on the due date, case, clock and id): never the whole list."""
    limit = page_limit(request, limit)
    with cursor_checked():
        return as_body(office.duties_page(days, overdue=overdue, limit=limit, cursor=cursor))


@get("/obligations/due", sync_to_thread=True, tags=["obligations"])
def due(
    request: Request[Any, Any, Any],
    office: NamedDependency[Office],
    days: FromQuery[int] = 7,
    limit: FromQuery[int] = 50,
    cursor: FromQuery[str | None] = None,
) -> bodies.Page[Obligation]:
    """Open duties due within ``days`` days, overdue ones included, earliest first (office staff)."""
    if not -3660 <= days <= 3660:
        raise HttpProblem(field_problem(400, "days", "between", min=-3660, max=3660))
    return _page(request, office, days, False, limit, cursor)


@get("/obligations/overdue", sync_to_thread=True, tags=["obligations"])
def overdue(
    request: Request[Any, Any, Any],
    office: NamedDependency[Office],
    limit: FromQuery[int] = 50,
    cursor: FromQuery[str | None] = None,
) -> bodies.Page[Obligation]:
    """Open duties whose due date has passed (office staff)."""
    return _page(request, office, 0, True, limit, cursor)


# --- the changes feed and access records ------------------------------------------------------------


@get("/events", sync_to_thread=True, tags=["events"])
def changes(
    office: NamedDependency[Office], after: FromQuery[int] = 0, limit: FromQuery[int] = 100
) -> bodies.Page[FeedEvent]:
    """Events after feed position ``after``, in append order; ``next`` is the position to pass next time.

    A handling body's principal sees only the cases referred to its bodies, redacted."""
    if after < 0:
        raise HttpProblem(field_problem(400, "after", "between", min=0, max=2**62))
    if not 1 <= limit <= FEED_LIMIT:
        raise HttpProblem(field_problem(400, "limit", "between", min=1, max=FEED_LIMIT))
    found = office.changes(after=after, limit=limit)
    return bodies.Page(found, str(found[-1].position) if found else None)


@get("/access-records", sync_to_thread=True, tags=["audit"])
def access_records(
    office: NamedDependency[Office],
    case: FromQuery[str | None] = None,
    principal: FromQuery[str | None] = None,
    since: FromQuery[datetime | None] = None,
    limit: FromQuery[int] = 1000,
    offset: FromQuery[int] = 0,
    newest_first: FromQuery[bool] = False,
) -> list[AccessRecord]:
    """Who read personal data, when and why (auditors); oldest first, or the latest first with
    ``newest_first=true``; ``offset`` skips that many (the next page)."""
    if not 1 <= limit <= 10000:
        raise HttpProblem(field_problem(400, "limit", "between", min=1, max=10000))
    if offset < 0:
        raise HttpProblem(field_problem(400, "offset", "between", min=0, max=2**62))
    return office.access_records(
        case_ref=case, principal_id=principal, since=since, limit=limit, offset=offset, newest_first=newest_first
    )


REPORT_YEARS = (1990, 2100)

# --- reports -------------------------------------------------------------------------------------------


@get("/reports/period", sync_to_thread=True, tags=["reports"])
def period_report(
    office: NamedDependency[Office], start: FromQuery[date], end: FromQuery[date]
) -> Response[dict[str, Any]]:
    """Every figure of a period (first and last day included), as ``petitionkit report period --json``
    writes it (needs the reports extra)."""
    from petitionkit.reports.build import period_report as build  # noqa: PLC0415 - the reports extra
    from petitionkit.reports.extra import require_reports_extra  # noqa: PLC0415
    from petitionkit.reports.output import to_json  # noqa: PLC0415
    from petitionkit.reports.periods import Period, PeriodKind  # noqa: PLC0415

    require_reports_extra()
    for name, day in (("start", start), ("end", end)):  # the report compares with earlier periods: keep them real
        if not REPORT_YEARS[0] <= day.year <= REPORT_YEARS[1]:
            raise HttpProblem(field_problem(422, name, "between", min=REPORT_YEARS[0], max=REPORT_YEARS[1]))
    if end < start:
        raise HttpProblem(field_problem(422, "end", "not_before_start"))
    office.access.require_office_staff("report")
    report = build(office, Period(PeriodKind.RANGE, start, end), signals=False, cluster_settings=None)
    return Response(json.loads(to_json(report)))


# --- the public: progress by query code -------------------------------------------------------------


@post("/public/progress", sync_to_thread=True, status_code=200, tags=["public"], security=[{}])
def progress(request: Request[Any, Any, Any], api: NamedDependency[Api], data: JSONBody[bodies.QueryCode]) -> Progress:
    """What a petitioner may see with the query code (查询码): state and dates, nothing personal.

    No credentials; limited per client address; every miss is the same 404.  The code travels in the
    body, so it is in no URL or log."""
    client = request.client.host if request.client else "?"
    wait = api.public_limit.allow(client)
    if wait:
        raise HttpProblem(simple(429, "rate_limited", seconds=wait), {"Retry-After": str(wait)})
    code = data.query_code.strip()
    if not code or len(code) > 64:
        raise HttpProblem(field_problem(422, "query_code", "between", min=1, max=64))
    try:
        return api.public().lookup(code, purpose="public progress lookup")
    except NotFound:
        raise NotFound("query_code", "****") from None


# --- operations ---------------------------------------------------------------------------------------


@get("/health", sync_to_thread=False, tags=["operations"], security=[{}])
def health() -> bodies.Health:
    """The process answers (liveness)."""
    return bodies.Health("ok")


@get("/ready", sync_to_thread=True, tags=["operations"], security=[{}])
def ready(api: NamedDependency[Api]) -> Response[bodies.Health]:
    """The database answers (readiness): 503 when it does not."""
    try:
        with api.office.storage.transaction() as tx:
            tx.get_case("-")
    except Exception:
        return Response(bodies.Health("unavailable"), status_code=503)
    return Response(bodies.Health("ok"))


HANDLERS = [
    register,
    find_repeats,
    reissue_query_code,
    due,
    overdue,
    changes,
    access_records,
    period_report,
    progress,
    health,
    ready,
]
