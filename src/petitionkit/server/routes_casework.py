"""Reception (接谈), investigation (调查核实) and knowledge (法规政策库) over HTTP.

The POSTs add a record to a case (an ``Idempotency-Key`` is required, no ``If-Match``: they append and
change none of the case's own fields) and answer 201 with the record.  Reading a case's casework is a
read of personal data on record; a handling body's principal reads it through the redaction policy
(nothing of a case guarded against it, no investigation of an accusation).
"""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody

from petitionkit.domain.casework import Investigation, LegalBasis, Reception
from petitionkit.server import bodies
from petitionkit.server.idempotency import run_once
from petitionkit.service import Office
from petitionkit.service.casework import CitationView, KnowledgeView

CASE = "/cases/{case_ref:str}"
INVESTIGATION = CASE + "/investigations/{investigation_id:str}"


def _add(request: Request[Any, Any, Any], office: Office, data: Any, change: Any) -> Response[Any]:
    return run_once(request, office, data, change, status=201, if_match=False)


@get("/knowledge", sync_to_thread=True, tags=["knowledge"])
def get_knowledge(office: NamedDependency[Office], category: FromQuery[str | None] = None) -> KnowledgeView:
    """The provisions in force today (for ``category``, or all) and the explanation snippets."""
    return office.knowledge(category)


@get(CASE + "/knowledge", sync_to_thread=True, tags=["knowledge"])
def get_case_knowledge(office: NamedDependency[Office], case_ref: FromPath[str]) -> KnowledgeView:
    """The provisions and snippets for the case's category: what a clerk sees screening and replying."""
    return office.case_knowledge(case_ref)


@get(CASE + "/citations", sync_to_thread=True, tags=["knowledge"])
def get_citations(office: NamedDependency[Office], case_ref: FromPath[str]) -> list[CitationView]:
    """Every provision the case cites, as cited, with its status today (superseded ones marked)."""
    return office.citations(case_ref)


@get(CASE + "/receptions", sync_to_thread=True, tags=["casework"])
def get_receptions(
    office: NamedDependency[Office], case_ref: FromPath[str], purpose: FromQuery[str] = ""
) -> list[Reception]:
    """The case's reception talks (personal data: on record)."""
    return office.receptions(case_ref, purpose=purpose)


@get(CASE + "/investigations", sync_to_thread=True, tags=["casework"])
def get_investigations(
    office: NamedDependency[Office], case_ref: FromPath[str], purpose: FromQuery[str] = ""
) -> list[Investigation]:
    """The case's investigations (personal data: on record; never to a body for an accusation)."""
    return office.investigations(case_ref, purpose=purpose)


@get(CASE + "/legal-bases", sync_to_thread=True, tags=["casework"])
def get_legal_bases(office: NamedDependency[Office], case_ref: FromPath[str]) -> list[LegalBasis]:
    """What the case's declines and replies cited (snapshots)."""
    return [r for r in office.casework(case_ref, purpose="legal-bases") if isinstance(r, LegalBasis)]


@post(CASE + "/receptions", sync_to_thread=True, status_code=201, tags=["casework"])
def post_reception(
    request: Request[Any, Any, Any],
    office: NamedDependency[Office],
    case_ref: FromPath[str],
    data: JSONBody[bodies.ReceptionBody],
) -> Response[Reception]:
    """Record a reception talk (接谈): a visit or call, what was explained and on which provisions."""
    return _add(
        request,
        office,
        data,
        lambda o: o.receive(
            case_ref,
            channel=data.channel,
            asked=data.asked,
            explained=data.explained,
            response=data.response,
            settled=data.settled,
            citations=data.citations,
            petitioner_ref=data.petitioner_ref,
            received_at=data.received_at,
        ),
    )


@post(CASE + "/investigations", sync_to_thread=True, status_code=201, tags=["casework"])
def post_investigation(
    request: Request[Any, Any, Any],
    office: NamedDependency[Office],
    case_ref: FromPath[str],
    data: JSONBody[bodies.InvestigationPlan],
) -> Response[Investigation]:
    """Plan an investigation (调查核实方案): who goes where, openly or unannounced, by when."""
    return _add(
        request,
        office,
        data,
        lambda o: o.plan_investigation(
            case_ref,
            mode=data.mode,
            investigators=data.investigators,
            places=data.places,
            due_on=data.due_on,
            purpose=data.purpose,
        ),
    )


@post(INVESTIGATION + "/inquiries", sync_to_thread=True, status_code=201, tags=["casework"])
def post_inquiry(
    request: Request[Any, Any, Any],
    office: NamedDependency[Office],
    case_ref: FromPath[str],
    investigation_id: FromPath[str],
    data: JSONBody[bodies.InquiryBody],
) -> Response[Investigation]:
    """Record an interview or a site visit; answers with the investigation."""
    return _add(
        request,
        office,
        data,
        lambda o: o.record_inquiry(
            case_ref,
            investigation_id,
            kind=data.kind,
            place=data.place,
            persons=data.persons,
            summary=data.summary,
            at=data.at,
        ),
    )


@post(INVESTIGATION + "/evidence", sync_to_thread=True, status_code=201, tags=["casework"])
def post_evidence(
    request: Request[Any, Any, Any],
    office: NamedDependency[Office],
    case_ref: FromPath[str],
    investigation_id: FromPath[str],
    data: JSONBody[bodies.EvidenceBody],
) -> Response[Investigation]:
    """Add evidence: an attachment's id and SHA-256 digest (bound into the audit trail)."""
    return _add(
        request,
        office,
        data,
        lambda o: o.add_evidence(
            case_ref,
            investigation_id,
            attachment_id=data.attachment_id,
            digest=data.digest,
            description=data.description,
            inquiry_id=data.inquiry_id,
        ),
    )


@post(INVESTIGATION + "/findings", sync_to_thread=True, status_code=201, tags=["casework"])
def post_findings(
    request: Request[Any, Any, Any],
    office: NamedDependency[Office],
    case_ref: FromPath[str],
    investigation_id: FromPath[str],
    data: JSONBody[bodies.FindingsBody],
) -> Response[Investigation]:
    """Record the findings (调查结论); the investigation is concluded."""
    return _add(request, office, data, lambda o: o.record_findings(case_ref, investigation_id, findings=data.findings))


HANDLERS = [
    get_knowledge,
    get_case_knowledge,
    get_citations,
    get_receptions,
    get_investigations,
    get_legal_bases,
    post_reception,
    post_investigation,
    post_inquiry,
    post_evidence,
    post_findings,
]
