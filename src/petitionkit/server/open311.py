"""Intake of online petitions from a portal in the Open311 GeoReport v2 request format (网上信访).

``GET /open311/v2/services.json`` lists the office's categories as services; ``POST
/open311/v2/requests.json`` (form-encoded, as GeoReport v2 specifies) registers one online petition.
The portal authenticates as its own principal (an API key with ``register``) and sends an
``Idempotency-Key``, as every changing POST does; each portal principal gets
``intake_rate_per_minute`` submissions a minute (abuse limit; the portal limits its own users).

Where Open311 does not fit a petition, petitionkit adds fields: ``region_code`` (else
``[settings.server] intake_region_code``), ``kind`` (default ``claim``), ``subject`` (default: the
description's first 30 characters), ``id_number``.  The answer is GeoReport's list with one entry:
``service_request_id`` is the tracking number, ``service_notice`` tells the petitioner the query code
(shown once), ``query_code`` carries it for the portal.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import attrs
from litestar import Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import URLEncodedBody

from petitionkit.domain.model import Channel, PetitionKind
from petitionkit.errors import FieldError, InvalidInput
from petitionkit.i18n import translate
from petitionkit.server.context import Api
from petitionkit.server.idempotency import HttpProblem, run_once
from petitionkit.server.problems import negotiate_locale, simple
from petitionkit.service import Office
from petitionkit.service.results import Registration

PREFIX = "/open311/v2"
SUBJECT_FROM_DESCRIPTION = 30


@attrs.frozen
class Service:
    """One GeoReport service: a category of the office's rules."""

    service_code: str
    service_name: str
    description: str
    metadata: bool = False
    type: str = "realtime"
    keywords: str = ""
    group: str = ""


@attrs.frozen
class ServiceRequest:
    """A GeoReport v2 ``POST requests`` body, with petitionkit's additions (see the module docstring)."""

    service_code: str
    description: str
    first_name: str | None = None
    last_name: str | None = None
    phone: str | None = None
    email: str | None = None
    address_string: str | None = None
    lat: float | None = None
    long: float | None = None
    media_url: str | None = None
    device_id: str | None = None
    account_id: str | None = None
    region_code: str | None = None
    kind: PetitionKind = PetitionKind.CLAIM
    subject: str | None = None
    id_number: str | None = None


@attrs.frozen
class ServiceRequestCreated:
    service_request_id: str
    service_notice: str
    query_code: str
    account_id: str | None = None


@get(PREFIX + "/services.json", sync_to_thread=True, tags=["open311"])
def services(request: Request[Any, Any, Any], office: NamedDependency[Office]) -> list[Service]:
    """The office's categories (事项类别) as GeoReport services, named in the caller's language."""
    office.access.principal("services")
    locale = negotiate_locale(request.headers.get("accept-language"))
    return [Service(code, words(locale), words("en")) for code, words in office.rules.categories().items()]


def draft_of(data: ServiceRequest, region_default: str | None, now: datetime) -> dict[str, Any]:
    """The petition draft a service request is (a mapping: the library checks and names its fields)."""
    parts = [p.strip() for p in (data.last_name, data.first_name) if p and p.strip()]
    cjk = all(any("\u4e00" <= ch <= "\u9fff" for ch in p) for p in parts)
    name = ("" if cjk else " ").join(parts)  # 姓名 without a space: 王 + 五 = 王五
    region = data.region_code or region_default
    if region is None:
        raise InvalidInput([FieldError("region_code", "required")])
    petitioner = {"name": name, "phone": data.phone, "email": data.email, "address": data.address_string}
    if data.id_number:
        petitioner["id_number"] = data.id_number
    attachments = [{"name": "media", "uri": data.media_url}] if data.media_url else []
    return {
        "channel": Channel.ONLINE.value,
        "received_at": now.isoformat(),
        "kind": data.kind.value,
        "subject": (data.subject or data.description[:SUBJECT_FROM_DESCRIPTION]).strip(),
        "content": data.description,
        "category": data.service_code,
        "region_code": region,
        "petitioners": [{k: v for k, v in petitioner.items() if v}] if name else [],
        "anonymous": not name,
        "attachments": attachments,
        "source_ref": None,
    }


@post(PREFIX + "/requests.json", sync_to_thread=True, status_code=201, tags=["open311"])
def create_request(
    request: Request[Any, Any, Any],
    office: NamedDependency[Office],
    api: NamedDependency[Api],
    data: URLEncodedBody[ServiceRequest],
) -> Response[list[ServiceRequestCreated]]:
    """Register an online petition from a portal (GeoReport v2 ``POST requests``).  Needs ``Idempotency-Key``."""
    principal = office.access.principal("open311")
    wait = api.intake_limit.allow(principal.id)
    if wait:
        raise HttpProblem(simple(429, "rate_limited", seconds=wait), {"Retry-After": str(wait)})
    locale = negotiate_locale(request.headers.get("accept-language"))
    draft = draft_of(data, api.settings.intake_region_code, office.now())

    def register(o: Office) -> list[ServiceRequestCreated]:
        made: Registration = o.register(draft)
        number, code = made.petition.tracking_number, made.query_code
        notice = translate("http.open311.notice", locale, tracking_number=number, query_code=code)
        return [ServiceRequestCreated(number, notice, code, data.account_id)]

    return run_once(request, office, data, register, status=201, if_match=False)  # type: ignore[return-value]


HANDLERS = [services, create_request]
