"""The ASGI application: :func:`create_app` over one office, and :func:`from_environment` for uvicorn.

Litestar generates the OpenAPI 3.1 document (``/schema/openapi.json``) from the library's own attrs
models (docs/design.md says why Litestar).  Each request is authenticated (:mod:`.auth`), bound to its
principal (``office.acting_as``) and run in a worker thread (the library is synchronous); every error
is an RFC 9457 problem (:mod:`.problems`).
"""

from __future__ import annotations

import logging
import os
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from litestar import Litestar, Request, Response
from litestar.datastructures import State
from litestar.di import Provide
from litestar.exceptions import HTTPException, ValidationException
from litestar.openapi import OpenAPIConfig
from litestar.openapi.spec import Components, SecurityScheme

from petitionkit.config import OfficeConfig
from petitionkit.errors import PetitionkitError
from petitionkit.server import metrics, open311, routes_attachments, routes_cases, routes_casework, routes_office
from petitionkit.server.auth import Authenticator, Unauthenticated
from petitionkit.server.context import Api, api_of, provide_api, provide_office
from petitionkit.server.idempotency import HttpProblem
from petitionkit.server.problems import (
    MEDIA_TYPE,
    Problem,
    field_problem,
    negotiate_locale,
    of_error,
    of_validation,
    simple,
)
from petitionkit.server.settings import ServerSettings, server_settings
from petitionkit.service import Office, open_office

log = logging.getLogger("petitionkit.server")

CONFIG_ENV = "PETITIONKIT_SERVE_CONFIG"
VERSION = "1"


# --- problems -------------------------------------------------------------------------------------


def problem_response(
    request: Request[Any, Any, Any], problem: Problem, headers: dict[str, str] | None = None
) -> Response[Any]:
    locale = negotiate_locale(request.headers.get("accept-language"))
    found = {"Content-Language": locale, "Vary": "Accept-Language"}
    if problem.status == 401:
        found["WWW-Authenticate"] = 'Bearer realm="petitionkit"'
    found.update(headers or {})
    return Response(
        content=problem.body(locale, request.url.path),
        status_code=problem.status,
        media_type=MEDIA_TYPE,
        headers=found,
    )


def _on_library_error(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    assert isinstance(exc, PetitionkitError)
    return problem_response(request, of_error(exc))


def _on_http_problem(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    assert isinstance(exc, HttpProblem)
    return problem_response(request, exc.problem, exc.headers)


def _on_unauthenticated(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    assert isinstance(exc, Unauthenticated)
    log.info("401 on %s %s: %s", request.method, request.url.path, exc.reason)  # the reason is for logs only
    return problem_response(request, simple(401, "unauthorized"))


def _on_framework_error(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    if isinstance(exc, ValidationException):
        if isinstance(exc.extra, list) and exc.extra:
            return problem_response(request, of_validation(exc.extra))
        return problem_response(request, field_problem(400, "body", "json"))
    assert isinstance(exc, HTTPException)
    status = exc.status_code
    if status == 404:
        return problem_response(request, simple(404, "no_such_endpoint", title="not_found", path=request.url.path))
    if status == 413:
        limit = api_of(request.app.state).settings.max_body_bytes
        return problem_response(request, simple(413, "too_large", limit=limit))
    if status == 400:  # a body the framework could not parse (it names no field)
        return problem_response(request, field_problem(400, "body", "json"))
    if status == 415:
        return problem_response(request, simple(415, "unsupported_media_type"))
    problem = Problem(status, f"http_{status}", "http.title.error", {"zh-CN": str(exc.detail), "en": str(exc.detail)})
    return problem_response(request, problem, dict(exc.headers or {}))


def _on_unexpected(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    ref = uuid.uuid4().hex[:12]
    # Only the type and where: a message or traceback might carry personal data (docs/http.md).
    tb = exc.__traceback__
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    where = f"{tb.tb_frame.f_code.co_filename}:{tb.tb_lineno}" if tb is not None else "?"
    log.error("500 %s on %s %s at %s (reference %s)", type(exc).__name__, request.method, request.url.path, where, ref)
    return problem_response(request, simple(500, "server_error", ref=ref))


EXCEPTION_HANDLERS: dict[type[Exception] | int, Callable[..., Response[Any]]] = {
    PetitionkitError: _on_library_error,
    HttpProblem: _on_http_problem,
    Unauthenticated: _on_unauthenticated,
    HTTPException: _on_framework_error,
    Exception: _on_unexpected,
}


# --- the application ------------------------------------------------------------------------------


def create_app(office: Office, settings: ServerSettings | None = None) -> Litestar:
    """The ASGI application over ``office`` (its storage, rules and configuration); the caller closes it."""
    settings = settings or server_settings(office.config)
    api = Api(office, settings, Authenticator(office.config, office.storage, settings))
    openapi = OpenAPIConfig(
        title=f"petitionkit — {office.config.office_name}",
        version=VERSION,
        description="The HTTP API of a petition office (docs/http.md). Errors are RFC 9457 problem details.",
        components=Components(
            security_schemes={
                "bearer": SecurityScheme(
                    type="http",
                    scheme="bearer",
                    description="A single sign-on (OpenID Connect) access token, or an API key pk_<id>.<secret>",
                )
            }
        ),
        security=[{"bearer": []}],
        use_handler_docstrings=True,
    )
    from petitionkit.web.app import static_router, workspace_router  # noqa: PLC0415 - the web imports this module
    from petitionkit.web.context import Workspace  # noqa: PLC0415

    return Litestar(
        route_handlers=[
            *routes_cases.HANDLERS,
            *routes_casework.HANDLERS,
            *routes_office.HANDLERS,
            *routes_attachments.HANDLERS,
            *open311.HANDLERS,
            metrics.metrics,
            workspace_router(),  # the clerk's web workspace (docs/web.md)
            static_router(),
        ],
        middleware=[metrics.REQUESTS.middleware],
        dependencies={
            "office": Provide(provide_office, sync_to_thread=True),
            "api": Provide(provide_api, sync_to_thread=False),
        },
        exception_handlers=EXCEPTION_HANDLERS,
        openapi_config=openapi,
        request_max_body_size=settings.max_body_bytes,
        state=State({"api": api, "workspace": Workspace(api)}),
        debug=False,
        logging_config=None,  # the process's logging is petitionkit serve's (petitionkit.server.logs), not Litestar's
    )


def from_environment() -> Litestar:
    """The application of the office whose petitionkit.toml ``PETITIONKIT_SERVE_CONFIG`` names (each
    uvicorn worker calls this once: ``uvicorn --factory petitionkit.server.app:from_environment``)."""
    path = os.environ.get(CONFIG_ENV)
    config = OfficeConfig.load(Path(path) if path else None)
    office = open_office(config)
    app = create_app(office)
    app.on_shutdown.append(office.close)
    return app
