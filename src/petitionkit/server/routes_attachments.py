"""Attachments (附件) and search (检索) over HTTP.

``POST /cases/{ref}/attachments`` takes the file as the raw request body (its ``Content-Type`` is the
declared media type, checked against the content), with ``filename``, ``kind``, ``petition`` and
``sha256`` in the query; ``GET /attachments/{id}`` gives the file back, checked against its digest,
on record.  ``GET /search?q=`` is full-text search (keyset-paged by ``before``); ``POST /search/person``
looks a petitioner up by phone, ID number or name: a POST so the values never appear in a URL (and
so in an access log).  Attaching needs an ``Idempotency-Key`` like every changing POST: a retried
upload gets the first answer and attaches nothing, the same key with another file or other query
values is refused (422).
"""

from __future__ import annotations

import hashlib
from typing import Annotated, Any

import attrs
from litestar import Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, HeaderParameter, JSONBody, RawBody

from petitionkit.domain.attachments import Attachment
from petitionkit.domain.model import Case
from petitionkit.server.idempotency import run_once
from petitionkit.server.routes_cases import CASE
from petitionkit.service import Office
from petitionkit.service.search import SearchPage


@attrs.frozen
class PersonQuery:
    """Who to look up: the phone, the ID number, or the name with the phone or the address."""

    name: str | None = None
    phone: str | None = None
    id_number: str | None = None
    address: str | None = None
    purpose: str = ""


@post(CASE + "/attachments", sync_to_thread=True, status_code=201, tags=["attachments"])
def attach(
    request: Request[Any, Any, Any],
    office: NamedDependency[Office],
    case_ref: FromPath[str],
    body: RawBody,
    content_type: Annotated[str | None, HeaderParameter(name="Content-Type")] = None,
    filename: FromQuery[str] = "attachment",
    kind: FromQuery[str] = "document",
    petition: FromQuery[str | None] = None,
    sha256: FromQuery[str | None] = None,
) -> Response[Attachment]:
    """Attach the request body to the case (needs ``register``); its SHA-256 goes into the audit trail.
    Needs ``Idempotency-Key``: a retry gets the first answer and attaches nothing more."""
    data = bytes(body)
    declared = None if content_type in (None, "application/octet-stream") else content_type
    # What the retry must repeat: the file (by its SHA-256: the key's record holds no file) and every query value.
    request_data = {
        "file_sha256": hashlib.sha256(data).hexdigest(),
        "size": len(data),
        "content_type": declared,
        "filename": filename,
        "kind": kind,
        "petition": petition,
        "sha256": sha256,
    }

    def change(o: Office) -> Attachment:
        return o.attach(
            case_ref,
            data,
            filename=filename,
            kind=kind,
            media_type=declared,
            petition_id=petition,
            expected_digest=sha256,
        )

    answer: Response[Any] = run_once(request, office, request_data, change, status=201, if_match=False)
    return answer


@get(CASE + "/attachments", sync_to_thread=True, tags=["attachments"])
def list_attachments(
    office: NamedDependency[Office], case_ref: FromPath[str], purpose: FromQuery[str] = ""
) -> list[Attachment]:
    """The case's attachments (a read of personal data, on record)."""
    return office.attachments(case_ref, purpose=purpose)


@get(
    "/attachments/{attachment_id:str}", sync_to_thread=True, tags=["attachments"], media_type="application/octet-stream"
)
def get_attachment(
    office: NamedDependency[Office], attachment_id: FromPath[str], purpose: FromQuery[str] = ""
) -> Response[bytes]:
    """The file, checked against the digest it was attached with (on record); never to the accused body."""
    attachment, data = office.read_attachment(attachment_id, purpose=purpose)
    headers = {
        "Content-Disposition": f'attachment; filename="{attachment.id}"',
        "X-Content-SHA256": attachment.digest,
        "X-Content-Type-Options": "nosniff",
    }
    return Response(data, media_type=attachment.media_type, headers=headers)


@get("/search", sync_to_thread=True, tags=["search"])
def search(
    office: NamedDependency[Office], q: FromQuery[str], before: FromQuery[int | None] = None, limit: FromQuery[int] = 20
) -> SearchPage:
    """Cases whose texts hold every word of ``q`` (Chinese segmented), newest first; ``before`` pages."""
    return office.search_text(q, before=before, limit=limit)


@post("/search/person", sync_to_thread=True, status_code=200, tags=["search"])
def find_person(office: NamedDependency[Office], data: JSONBody[PersonQuery]) -> list[Case]:
    """Cases of a petitioner found exactly through the blind indexes (office staff; on record)."""
    return office.find_person(
        name=data.name, phone=data.phone, id_number=data.id_number, address=data.address, purpose=data.purpose
    )


# The GET before the POST of the same path: Litestar registers a path's earlier handlers again when a later
# one joins it, wrapping a sync_to_thread handler twice, and a handler answering a Response (the POST's
# replayable answer) then gets a coroutine instead of it.
HANDLERS: list[Any] = [list_attachments, attach, get_attachment, search, find_person]
