"""Attachments (附件) and search (检索) over HTTP.

``POST /cases/{ref}/attachments`` takes the file as the raw request body (its ``Content-Type`` is the
declared media type, checked against the content), with ``filename``, ``kind``, ``petition`` and
``sha256`` in the query; ``GET /attachments/{id}`` gives the file back, checked against its digest,
on record.  ``GET /search?q=`` is full-text search (keyset-paged by ``before``); ``POST /search/person``
looks a petitioner up by phone, ID number or name: a POST so the values never appear in a URL (and
so in an access log).  Attaching is not idempotent: a retried upload attaches the file again (the
digest shows it is the same file).
"""

from __future__ import annotations

from typing import Annotated, Any

import attrs
from litestar import Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, HeaderParameter, JSONBody, RawBody

from petitionkit.domain.attachments import Attachment
from petitionkit.domain.model import Case
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
    office: NamedDependency[Office],
    case_ref: FromPath[str],
    body: RawBody,
    content_type: Annotated[str | None, HeaderParameter(name="Content-Type")] = None,
    filename: FromQuery[str] = "attachment",
    kind: FromQuery[str] = "document",
    petition: FromQuery[str | None] = None,
    sha256: FromQuery[str | None] = None,
) -> Attachment:
    """Attach the request body to the case (needs ``register``); its SHA-256 goes into the audit trail."""
    return office.attach(
        case_ref,
        bytes(body),
        filename=filename,
        kind=kind,
        media_type=None if content_type in (None, "application/octet-stream") else content_type,
        petition_id=petition,
        expected_digest=sha256,
    )


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


HANDLERS: list[Any] = [attach, list_attachments, get_attachment, search, find_person]
