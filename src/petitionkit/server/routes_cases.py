"""Cases (信访事项): reading them, and every command of the case lifecycle as a POST to the case.

A change to a case needs ``If-Match`` (the case's ``ETag``, its version) and an ``Idempotency-Key``;
it answers with the case as changed and its new ``ETag``.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Any, TypeVar

from litestar import Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter

from petitionkit.domain.decisions import RoutingDecision, ScreeningDecision
from petitionkit.domain.events import Event
from petitionkit.domain.model import Case, CaseState, Petition, PetitionKind, ReferralMode
from petitionkit.errors import InvalidInput
from petitionkit.server import bodies
from petitionkit.server.idempotency import HttpProblem, etag, run_once
from petitionkit.server.problems import field_problem
from petitionkit.service import Office
from petitionkit.service.paging import Page

T = TypeVar("T")

CASE = "/cases/{case_ref:str}"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


# --- paging -----------------------------------------------------------------------------------------


@contextmanager
def cursor_checked() -> Iterator[None]:
    """A cursor the service refuses becomes a 400 naming the field ``cursor`` (never echoing it)."""
    try:
        yield
    except InvalidInput as exc:
        if exc.fields == ("cursor",):
            raise HttpProblem(field_problem(400, "cursor", "cursor")) from None
        raise


def as_body(page: Page[T]) -> bodies.Page[T]:
    return bodies.Page(page.items, page.next_cursor, page.total)


def page_limit(request: Request[Any, Any, Any], limit: int) -> int:
    high = request.app.state["api"].settings.max_page
    if not 1 <= limit <= high:
        raise HttpProblem(field_problem(400, "limit", "between", min=1, max=high))
    return limit


# --- reading cases ----------------------------------------------------------------------------------


@get("/cases", sync_to_thread=True, tags=["cases"])
def list_cases(
    request: Request[Any, Any, Any],
    office: NamedDependency[Office],
    states: Annotated[list[CaseState] | None, QueryParameter(name="state")] = None,
    kind: FromQuery[PetitionKind | None] = None,
    category: FromQuery[str | None] = None,
    region_prefix: FromQuery[str | None] = None,
    respondent_body: FromQuery[str | None] = None,
    text: FromQuery[str | None] = None,
    opened_from: FromQuery[datetime | None] = None,
    opened_before: FromQuery[datetime | None] = None,
    purpose: FromQuery[str] = "",
    limit: FromQuery[int] = 50,
    cursor: FromQuery[str | None] = None,
) -> bodies.Page[Case]:
    """Cases of the office, oldest first, every filter narrowing (a search: on record as one access record)."""
    limit = page_limit(request, limit)
    with cursor_checked():
        page = office.cases_page(
            limit=limit,
            cursor=cursor,
            states=states or (),
            kind=kind,
            category=category,
            region_prefix=region_prefix,
            respondent_body=respondent_body,
            text=text,
            opened_from=opened_from,
            opened_before=opened_before,
            purpose=purpose,
        )
    return as_body(page)


@get(CASE, sync_to_thread=True, tags=["cases"])
def get_case(office: NamedDependency[Office], case_ref: FromPath[str]) -> Response[Case]:
    """One case by id or tracking number (no petitioner in it); its ``ETag`` is its version."""
    case = office.case(case_ref)
    return Response(case, headers={"ETag": etag(case.version)})


@get(CASE + "/petitions", sync_to_thread=True, tags=["cases"])
def get_petitions(
    office: NamedDependency[Office], case_ref: FromPath[str], purpose: FromQuery[str] = ""
) -> list[Petition]:
    """The case's petitions with their petitioners: a read of personal data, on record."""
    return office.petitions(case_ref, purpose=purpose)


@get(CASE + "/events", sync_to_thread=True, tags=["cases"])
def get_events(office: NamedDependency[Office], case_ref: FromPath[str]) -> list[Event]:
    """The case's audit trail (office staff)."""
    return office.events(case_ref)


@get(CASE + "/obligations", sync_to_thread=True, tags=["cases", "obligations"])
def get_obligations(office: NamedDependency[Office], case_ref: FromPath[str]) -> list[bodies.ExplainedObligation]:
    """Every obligation (reply clock) of the case with why it falls due when it does."""
    return [bodies.ExplainedObligation(o, e) for o, e in office.explain_obligations(case_ref)]


@get(CASE + "/screening", sync_to_thread=True, tags=["cases"])
def get_screening(
    office: NamedDependency[Office], case_ref: FromPath[str], facts: FromQuery[list[str] | None] = None
) -> ScreeningDecision:
    """What the rules advise: accept, or decline with the channel to use (advice only)."""
    return office.screen(case_ref, facts=facts or ())


@get(CASE + "/routing", sync_to_thread=True, tags=["cases"])
def get_routing(
    office: NamedDependency[Office], case_ref: FromPath[str], facts: FromQuery[list[str] | None] = None
) -> RoutingDecision:
    """The competent body and referral mode by the routing rules (advice only)."""
    return office.route(case_ref, facts=facts or ())


@get(CASE + "/documents/{kind:str}", sync_to_thread=True, tags=["documents"], media_type=DOCX)
def get_document(
    office: NamedDependency[Office],
    case_ref: FromPath[str],
    kind: FromPath[str],
    issued: Annotated[date | None, QueryParameter(name="date")] = None,
    purpose: FromQuery[str] = "",
) -> Response[bytes]:
    """A formal document (e.g. ``transfer-letter``) of the case as a Word file (needs the reports extra)."""
    from petitionkit.documents import make_document  # noqa: PLC0415 - docxtpl loads only here
    from petitionkit.reports.extra import require_reports_extra  # noqa: PLC0415

    require_reports_extra()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "document.docx"
        made = make_document(office, kind, case_ref, path, issue_date=issued, purpose=purpose)
        content = path.read_bytes()
    name = f"{made.document}.docx".replace('"', "")
    return Response(content, media_type=DOCX, headers={"Content-Disposition": f'attachment; filename="{name}"'})


# --- changing a case ----------------------------------------------------------------------------------


def _change(request: Request[Any, Any, Any], office: Office, data: Any, change: Any) -> Response[Case]:
    return run_once(request, office, data, change)  # type: ignore[return-value]


@post(CASE + "/acceptance", sync_to_thread=True, status_code=200, tags=["commands"])
def accept(
    request: Request[Any, Any, Any],
    office: NamedDependency[Office],
    case_ref: FromPath[str],
    data: JSONBody[bodies.Note],
) -> Response[Case]:
    """Accept the case (受理)."""
    return _change(request, office, data, lambda o: o.accept(case_ref, note=data.note))


@post(CASE + "/declination", sync_to_thread=True, status_code=200, tags=["commands"])
def decline(
    request: Request[Any, Any, Any],
    office: NamedDependency[Office],
    case_ref: FromPath[str],
    data: JSONBody[bodies.Decline],
) -> Response[Case]:
    """Decline (不予受理), naming the channel the petitioner should use instead."""
    return _change(
        request,
        office,
        data,
        lambda o: o.decline(case_ref, reason=data.reason, channel=data.channel, citations=data.citations),
    )


@post(CASE + "/referrals", sync_to_thread=True, status_code=200, tags=["commands"])
def refer(
    request: Request[Any, Any, Any],
    office: NamedDependency[Office],
    case_ref: FromPath[str],
    data: JSONBody[bodies.Referral],
) -> Response[Case]:
    """Transfer (转送) or assign (交办) to ``body``; with neither ``mode`` nor ``body``, by the routing rules."""
    if (data.mode is None) != (data.body is None):
        missing = "body" if data.body is None else "mode"
        raise HttpProblem(field_problem(422, missing, "required"))

    def change(o: Office) -> Case:
        if data.body is None:
            return o.refer(case_ref, facts=data.facts, note=data.note)
        if data.mode is ReferralMode.ASSIGNMENT:
            return o.assign(case_ref, body=data.body, note=data.note, report_days=data.report_days)
        return o.transfer(case_ref, body=data.body, note=data.note)

    return _change(request, office, data, change)


@post(CASE + "/objections", sync_to_thread=True, status_code=200, tags=["commands"])
def objection(
    request: Request[Any, Any, Any],
    office: NamedDependency[Office],
    case_ref: FromPath[str],
    data: JSONBody[bodies.Reason],
) -> Response[Case]:
    """The receiving body objects that the matter is outside its competence."""
    return _change(request, office, data, lambda o: o.record_objection(case_ref, reason=data.reason))


@post(CASE + "/feedback", sync_to_thread=True, status_code=200, tags=["commands"])
def feedback(
    request: Request[Any, Any, Any],
    office: NamedDependency[Office],
    case_ref: FromPath[str],
    data: JSONBody[bodies.Text],
) -> Response[Case]:
    """Feedback a body sends on a transfer."""
    return _change(request, office, data, lambda o: o.record_feedback(case_ref, text=data.text))


@post(CASE + "/reports", sync_to_thread=True, status_code=200, tags=["commands"])
def report(
    request: Request[Any, Any, Any],
    office: NamedDependency[Office],
    case_ref: FromPath[str],
    data: JSONBody[bodies.Report],
) -> Response[Case]:
    """An assigned body's result report (办结报告)."""
    return _change(
        request,
        office,
        data,
        lambda o: o.record_report(case_ref, outcome=data.outcome, text=data.text, delivered_on=data.delivered_on),
    )


@post(CASE + "/supervisions", sync_to_thread=True, status_code=200, tags=["commands"])
def supervise(
    request: Request[Any, Any, Any],
    office: NamedDependency[Office],
    case_ref: FromPath[str],
    data: JSONBody[bodies.Reason],
) -> Response[Case]:
    """Supervise (督办) a late or badly handled assignment."""
    return _change(request, office, data, lambda o: o.supervise(case_ref, reason=data.reason))


@post(CASE + "/extensions", sync_to_thread=True, status_code=200, tags=["commands"])
def extend(
    request: Request[Any, Any, Any],
    office: NamedDependency[Office],
    case_ref: FromPath[str],
    data: JSONBody[bodies.Extension],
) -> Response[Case]:
    """Extend the handling period once, approved by another principal."""
    return _change(
        request,
        office,
        data,
        lambda o: o.extend(case_ref, days=data.days, reason=data.reason, approved_by=data.approved_by),
    )


@post(CASE + "/replies", sync_to_thread=True, status_code=200, tags=["commands"])
def reply(
    request: Request[Any, Any, Any],
    office: NamedDependency[Office],
    case_ref: FromPath[str],
    data: JSONBody[bodies.Reply],
) -> Response[Case]:
    """The written reply (处理意见书); its delivery starts the review window.  ``citations`` and
    ``findings_of`` append the cited provisions and an investigation's findings to it."""
    return _change(
        request,
        office,
        data,
        lambda o: o.reply(
            case_ref,
            outcome=data.outcome,
            text=data.text,
            delivered_on=data.delivered_on,
            citations=data.citations,
            findings_of=data.findings_of,
        ),
    )


@post(CASE + "/evaluations", sync_to_thread=True, status_code=200, tags=["commands"])
def evaluate(
    request: Request[Any, Any, Any],
    office: NamedDependency[Office],
    case_ref: FromPath[str],
    data: JSONBody[bodies.Evaluation],
) -> Response[Case]:
    """The petitioner's satisfaction rating (满意度评价)."""
    return _change(request, office, data, lambda o: o.evaluate(case_ref, rating=data.rating, comment=data.comment))


@post(CASE + "/reviews", sync_to_thread=True, status_code=200, tags=["commands", "reviews"])
def request_review(
    request: Request[Any, Any, Any],
    office: NamedDependency[Office],
    case_ref: FromPath[str],
    data: JSONBody[bodies.ReviewRequest],
) -> Response[Case]:
    """The petitioner requests review (复查)."""
    return _change(
        request,
        office,
        data,
        lambda o: o.request_review(case_ref, reason=data.reason, organ=data.organ, requested_on=data.requested_on),
    )


@post(CASE + "/reviews/decision", sync_to_thread=True, status_code=200, tags=["commands", "reviews"])
def decide_review(
    request: Request[Any, Any, Any],
    office: NamedDependency[Office],
    case_ref: FromPath[str],
    data: JSONBody[bodies.ReviewDecision],
) -> Response[Case]:
    """The review opinion; its delivery starts the re-review window."""
    return _change(
        request,
        office,
        data,
        lambda o: o.decide_review(case_ref, outcome=data.outcome, opinion=data.opinion, delivered_on=data.delivered_on),
    )


@post(CASE + "/rereviews", sync_to_thread=True, status_code=200, tags=["commands", "reviews"])
def request_rereview(
    request: Request[Any, Any, Any],
    office: NamedDependency[Office],
    case_ref: FromPath[str],
    data: JSONBody[bodies.ReviewRequest],
) -> Response[Case]:
    """The petitioner requests re-review (复核)."""
    return _change(
        request,
        office,
        data,
        lambda o: o.request_rereview(case_ref, reason=data.reason, organ=data.organ, requested_on=data.requested_on),
    )


@post(CASE + "/rereviews/decision", sync_to_thread=True, status_code=200, tags=["commands", "reviews"])
def decide_rereview(
    request: Request[Any, Any, Any],
    office: NamedDependency[Office],
    case_ref: FromPath[str],
    data: JSONBody[bodies.ReviewDecision],
) -> Response[Case]:
    """The re-review opinion; the matter is then terminated."""
    return _change(
        request, office, data, lambda o: o.decide_rereview(case_ref, outcome=data.outcome, opinion=data.opinion)
    )


@post(CASE + "/termination", sync_to_thread=True, status_code=200, tags=["commands"])
def terminate(
    request: Request[Any, Any, Any],
    office: NamedDependency[Office],
    case_ref: FromPath[str],
    data: JSONBody[bodies.Reason],
) -> Response[Case]:
    """Terminate (终结) once the review windows have lapsed."""
    return _change(request, office, data, lambda o: o.terminate(case_ref, reason=data.reason))


@post(CASE + "/withdrawal", sync_to_thread=True, status_code=200, tags=["commands"])
def withdraw(
    request: Request[Any, Any, Any],
    office: NamedDependency[Office],
    case_ref: FromPath[str],
    data: JSONBody[bodies.OptionalReason],
) -> Response[Case]:
    """The petitioner withdraws (撤回)."""
    return _change(request, office, data, lambda o: o.withdraw(case_ref, reason=data.reason))


@post(CASE + "/respondent", sync_to_thread=True, status_code=200, tags=["commands"])
def resolve_respondent(
    request: Request[Any, Any, Any],
    office: NamedDependency[Office],
    case_ref: FromPath[str],
    data: JSONBody[bodies.RespondentResolution],
) -> Response[Case]:
    """Resolve an accusation's respondent unit (确认被检举单位): a known body, or ``unlisted``."""
    return _change(
        request,
        office,
        data,
        lambda o: o.resolve_respondent(case_ref, body=data.body, unlisted=data.unlisted, petition=data.petition),
    )


HANDLERS = [
    list_cases,
    get_case,
    get_petitions,
    get_events,
    get_obligations,
    get_screening,
    get_routing,
    get_document,
    accept,
    decline,
    refer,
    objection,
    feedback,
    report,
    supervise,
    extend,
    reply,
    evaluate,
    request_review,
    decide_review,
    request_rereview,
    decide_rereview,
    terminate,
    withdraw,
    resolve_respondent,
]
