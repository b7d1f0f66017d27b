"""The case page's casework forms (issue 22): a reception talk (接谈记录), an attachment upload (附件) and
its download, and an investigation's plan, inquiries, evidence and findings (调查核实).

Each form posts to a handler here that calls the same service use case, with the same arguments, as
``petitionkit receive`` / ``attach`` / ``investigate`` and the HTTP API do, as the signed-in principal:
the service checks the permission on the case, the sizes, types and texts, and writes the record with
its audit event.  A bad form is shown again on the case page with each error beside its field; a
done one redirects back to the page (post/redirect/get).  A case the principal may not see answers
404, as every case page does.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import quote

from litestar import Response, get, post
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.exceptions import NotFoundException
from litestar.params import Body, FromPath, URLEncodedBody
from litestar.response import Redirect

from petitionkit.domain.access import Permission
from petitionkit.domain.model import Case
from petitionkit.errors import AttachmentRefused, FieldError, InvalidInput, NotFound, PermissionDenied, PetitionkitError
from petitionkit.service import Office
from petitionkit.web import forms, render
from petitionkit.web.case_actions import cited
from petitionkit.web.casework_view import PURPOSE
from petitionkit.web.context import Visit
from petitionkit.web.pages.cases import CASE, case_page_again, visible_case

#: The framework's ceiling on an upload's request (the office's own limit, ``[settings.attachments]
#: max_bytes``, 25 MiB by default, is the service's check and its error is shown beside the field).
UPLOAD_CEILING = 100_000_000
INVESTIGATOR = "investigator:"  # the prefix of an investigator's checkbox: ``investigator:li``
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")


def _run(
    visit: Visit, case: Case, name: str, form: Mapping[str, str], call: Callable[[Office, str], object]
) -> Response[Any]:
    """Call the service as the principal; the page again with the errors, or a redirect to it when done."""
    ref = case.first_tracking_number
    try:
        call(visit.office, ref)
    except InvalidInput as error:
        return case_page_again(visit, case, name, form, errors=list(error.errors))
    except AttachmentRefused as refused:  # beside the file input, in the clerk's language
        return case_page_again(visit, case, name, form, beside={"file": refused.params(visit.locale)["reason"]})
    except PermissionDenied:
        raise
    except PetitionkitError as refused:
        return case_page_again(visit, case, name, form, refusal=refused.message(visit.locale))
    return Redirect(path=f"{render.PREFIX}/cases/{ref}?done={name}", status_code=303)


def _moment(form: Mapping[str, str], name: str, visit: Visit, errors: list[FieldError]) -> Any:
    """A ``datetime-local`` input in the office's time zone; empty: ``None`` (the service takes now)."""
    value = form.get(name, "")
    return forms.local_datetime(value, visit.office.zone, name, errors) if value.strip() else None


def _investigation(data: Mapping[str, str], errors: list[FieldError]) -> str:
    chosen = data.get("investigation", "")
    if not chosen:
        errors.append(FieldError("investigation", "required"))
    return chosen


def _on_investigation(
    visit: Visit,
    case_ref: str,
    name: str,
    form: Mapping[str, str],
    call: Callable[[Office, str, str], object],
) -> Response[Any]:
    """``name`` on the investigation the form chose (``call(office, ref, investigation_id)``)."""
    case = visible_case(visit, case_ref)
    errors: list[FieldError] = []
    chosen = _investigation(form, errors)
    if errors:
        return _refuse_shape(visit, case, name, form, errors)
    return _run(visit, case, name, form, lambda office, ref: call(office, ref, chosen))


def _refuse_shape(
    visit: Visit, case: Case, name: str, form: Mapping[str, str], errors: list[FieldError]
) -> Response[Any]:
    return case_page_again(visit, case, name, form, errors=errors)


@post(CASE + "/receptions", sync_to_thread=True, status_code=200, name="web.pages.case.receive")
def receive(
    visit: NamedDependency[Visit], case_ref: FromPath[str], data: URLEncodedBody[dict[str, str]]
) -> Response[Any]:
    """Record a reception talk (接谈) as the principal: what was asked and explained, on which provisions."""
    case = visible_case(visit, case_ref)
    errors: list[FieldError] = []
    at = _moment(data, "received_at", visit, errors)
    if errors:
        return _refuse_shape(visit, case, "receive", data, errors)
    return _run(
        visit,
        case,
        "receive",
        data,
        lambda office, ref: office.receive(
            ref,
            channel=data.get("channel", ""),
            asked=data.get("asked", ""),
            explained=data.get("explained", ""),
            response=data.get("response", ""),
            settled=data.get("settled") == "on",
            citations=cited(data),
            petitioner_ref=data.get("petitioner_ref") or None,
            received_at=at,
        ),
    )


@dataclass
class Upload:
    """The upload form: the file, what it is to the case, and the CSRF token (checked by the guard)."""

    file: UploadFile | None = None
    kind: str = "document"
    csrf_token: str = ""


@post(
    CASE + "/attachments",
    sync_to_thread=True,
    status_code=200,
    name="web.pages.case.attach",
    request_max_body_size=UPLOAD_CEILING,
    opt={"permission": Permission.REGISTER},  # checked by the CSRF guard before the body is read
)
def attach(
    visit: NamedDependency[Visit],
    case_ref: FromPath[str],
    data: Annotated[Upload, Body(media_type=RequestEncodingType.MULTI_PART)],
) -> Response[Any]:
    """Attach an uploaded file to the case (``Office.attach``: size, type and scanners are the service's)."""
    case = visible_case(visit, case_ref)
    form = {"kind": data.kind}
    upload = data.file
    if upload is None or not upload.filename:
        return _refuse_shape(visit, case, "attach", form, [FieldError("file", "required")])
    content = upload.file.read()
    declared = upload.content_type
    return _run(
        visit,
        case,
        "attach",
        form,
        lambda office, ref: office.attach(
            ref,
            content,
            filename=upload.filename,
            kind=data.kind,
            media_type=None if declared in ("", "application/octet-stream") else declared,
        ),
    )


def download_name(filename: str) -> str:
    """A ``Content-Disposition`` value for ``filename``: an ASCII fallback and the UTF-8 name (RFC 6266)."""
    fallback = _UNSAFE.sub("_", filename).strip("._") or "attachment"
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


@get("/attachments/{attachment_id:str}", sync_to_thread=True, name="web.pages.attachment")
def attachment_file(visit: NamedDependency[Visit], attachment_id: FromPath[str]) -> Response[bytes]:
    """The file, checked against its digest and read on record (``read_attachment``); 404 for one the
    principal may not read, as for one that does not exist."""
    try:
        attachment, content = visit.office.read_attachment(attachment_id, purpose=PURPOSE)
    except (NotFound, PermissionDenied):
        raise NotFoundException() from None
    headers = {**render.SECURITY_HEADERS, "Content-Disposition": download_name(attachment.filename)}
    return Response(content, media_type=attachment.media_type, headers=headers)


@post(CASE + "/investigations", sync_to_thread=True, status_code=200, name="web.pages.case.plan_investigation")
def plan_investigation(
    visit: NamedDependency[Visit], case_ref: FromPath[str], data: URLEncodedBody[dict[str, str]]
) -> Response[Any]:
    """Plan an investigation (调查核实方案): who goes where, openly or unannounced, by when."""
    case = visible_case(visit, case_ref)
    errors: list[FieldError] = []
    due = forms.optional_date(data, "due_on", errors)
    if due is None and not errors:
        errors.append(FieldError("due_on", "required"))
    if errors:
        return _refuse_shape(visit, case, "plan_investigation", data, errors)
    goers = [k.removeprefix(INVESTIGATOR) for k, v in data.items() if k.startswith(INVESTIGATOR) and v]
    places = [line.strip() for line in data.get("places", "").splitlines() if line.strip()]
    assert due is not None
    return _run(
        visit,
        case,
        "plan_investigation",
        data,
        lambda office, ref: office.plan_investigation(
            ref,
            mode=data.get("mode", ""),
            investigators=goers,
            places=places,
            due_on=due,
            purpose=data.get("purpose", ""),
        ),
    )


@post(CASE + "/investigations/inquiry", sync_to_thread=True, status_code=200, name="web.pages.case.record_inquiry")
def record_inquiry(
    visit: NamedDependency[Visit], case_ref: FromPath[str], data: URLEncodedBody[dict[str, str]]
) -> Response[Any]:
    """Record an interview or a site visit of an open investigation."""
    case = visible_case(visit, case_ref)
    errors: list[FieldError] = []
    at = _moment(data, "at", visit, errors)
    chosen = _investigation(data, errors)
    if errors:
        return _refuse_shape(visit, case, "record_inquiry", data, errors)
    return _run(
        visit,
        case,
        "record_inquiry",
        data,
        lambda office, ref: office.record_inquiry(
            ref,
            chosen,
            kind=data.get("kind", ""),
            place=data.get("place", ""),
            persons=data.get("persons", ""),
            summary=data.get("summary", ""),
            at=at,
        ),
    )


@post(CASE + "/investigations/evidence", sync_to_thread=True, status_code=200, name="web.pages.case.add_evidence")
def add_evidence(
    visit: NamedDependency[Visit], case_ref: FromPath[str], data: URLEncodedBody[dict[str, str]]
) -> Response[Any]:
    """Add one of the case's attachments as evidence of an open investigation (its digest is bound)."""
    return _on_investigation(
        visit,
        case_ref,
        "add_evidence",
        data,
        lambda office, ref, chosen: office.add_evidence(
            ref, chosen, attachment_id=data.get("attachment_id", ""), description=data.get("description", "")
        ),
    )


@post(CASE + "/investigations/findings", sync_to_thread=True, status_code=200, name="web.pages.case.record_findings")
def record_findings(
    visit: NamedDependency[Visit], case_ref: FromPath[str], data: URLEncodedBody[dict[str, str]]
) -> Response[Any]:
    """Record the findings (调查结论); the investigation is concluded."""
    return _on_investigation(
        visit,
        case_ref,
        "record_findings",
        data,
        lambda office, ref, chosen: office.record_findings(ref, chosen, findings=data.get("findings", "")),
    )


HANDLERS = [receive, attach, attachment_file, plan_investigation, record_inquiry, add_evidence, record_findings]
