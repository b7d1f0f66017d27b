"""The workspace mounted in the HTTP API's application: :func:`workspace_router` under ``/workspace``.

One router holds every page area's handlers (:mod:`petitionkit.web.pages`), the ``visit`` and ``guest``
dependencies (:mod:`.context`), the CSRF guard (:mod:`.csrf`) and HTML error pages; the vendored static
files are served beside it.  Same process, same office, same principals as the API.
"""

from __future__ import annotations

import logging
import uuid
from importlib.resources import files
from pathlib import Path
from typing import Any

from litestar import Request, Response, Router
from litestar.di import Provide
from litestar.exceptions import HTTPException, NotFoundException
from litestar.response import Redirect
from litestar.static_files import create_static_files_router

from petitionkit.errors import PermissionDenied, PetitionkitError
from petitionkit.i18n import LOCALES
from petitionkit.server.problems import negotiate_locale
from petitionkit.web import pages, render
from petitionkit.web.context import LOCALE_COOKIE, NotSignedIn, provide_guest, provide_visit
from petitionkit.web.csrf import CsrfRefused, csrf_guard

log = logging.getLogger("petitionkit.web")

STATIC = Path(str(files("petitionkit.web") / "static"))


def _locale(request: Request[Any, Any, Any]) -> str:
    chosen = request.cookies.get(LOCALE_COOKIE)
    return chosen if chosen in LOCALES else negotiate_locale(request.headers.get("accept-language"))


def error_page(request: Request[Any, Any, Any], status: int, message_key: str, **params: Any) -> Response[str]:
    locale = _locale(request)
    context: dict[str, Any] = {
        "csrf_token": "",
        "office_name": "",
        "principal": None,
        "nav": [],
        "path": request.url.path,
        "locales": LOCALES,
        "status": status,
        "message_key": message_key,
        "params": params,
    }
    # an htmx request gets the message alone, swapped where the answer was going (4xx and 5xx are swapped:
    # see the htmx-config in base.html), a plain request the whole page
    template = "error_fragment.html" if request.headers.get("hx-request") else "error.html"
    return render.html(template, context, locale, status=status)


def _on_not_signed_in(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    target = f"{render.PREFIX}/sign-in"
    if request.method == "GET" and request.url.path != target:
        target += "?next=" + request.url.path
    if request.headers.get("hx-request"):
        return Response(content="", status_code=204, headers={"HX-Redirect": target})
    return Redirect(path=target, status_code=303)


def _on_library_error(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    assert isinstance(exc, PetitionkitError)
    if isinstance(exc, PermissionDenied):
        return error_page(request, 403, "web.error.forbidden")
    return error_page(request, 400, "web.error.library", message=exc.message(_locale(request)))


def _on_http_error(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    assert isinstance(exc, HTTPException)
    if isinstance(exc, CsrfRefused):
        return error_page(request, 403, "web.error.csrf")
    if isinstance(exc, NotFoundException) or exc.status_code == 404:
        return error_page(request, 404, "web.error.not_found")
    return error_page(request, exc.status_code, "web.error.http", code=exc.status_code)


def _on_unexpected(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    ref = uuid.uuid4().hex[:12]
    log.error("500 %s on %s %s (reference %s)", type(exc).__name__, request.method, request.url.path, ref)
    return error_page(request, 500, "web.error.server", ref=ref)


def workspace_router() -> Router:
    """Every page of the workspace under ``/workspace`` (the application's state holds a ``Workspace``)."""
    return Router(
        path=render.PREFIX,
        route_handlers=pages.handlers(),
        dependencies={
            "visit": Provide(provide_visit, sync_to_thread=True),
            "guest": Provide(provide_guest, sync_to_thread=True),
        },
        guards=[csrf_guard],
        exception_handlers={
            NotSignedIn: _on_not_signed_in,
            PetitionkitError: _on_library_error,
            HTTPException: _on_http_error,
            Exception: _on_unexpected,
        },
        include_in_schema=False,
    )


def static_router() -> Router:
    """htmx, the stylesheet and the workspace's script, from the package (no CDN)."""
    return create_static_files_router(
        path=f"{render.PREFIX}/static",
        directories=[STATIC],
        include_in_schema=False,
        cache_control=None,
        name="web.static",
    )
