"""The CSRF check of every state-changing request of the workspace (a router guard).

A POST (PUT, PATCH, DELETE) must carry the session's token, in the ``X-CSRF-Token`` header (htmx sends
it: the layout sets ``hx-headers``) or the ``csrf_token`` form field (plain forms).  Before sign-in the
token is the ``pk_guest`` cookie's (double submit), accepted only by handlers marked ``opt={"guest":
True}`` (sign-in, the language switch).  Without a live session any other write is sent to sign-in.
Session cookies are also ``SameSite=Strict``: the token is the second, independent line.
"""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.connection import ASGIConnection
from litestar.exceptions import PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler

from petitionkit.errors import PermissionDenied
from petitionkit.web.context import CSRF_FIELD, CSRF_HEADER, GUEST_COOKIE, NotSignedIn, live_session, workspace_of
from petitionkit.web.sessions import same_token

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


class CsrfRefused(PermissionDeniedException):
    """A write without the right token (403; the page says to reload and try again)."""


async def csrf_guard(connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler) -> None:
    if not isinstance(connection, Request) or connection.method in SAFE_METHODS:
        return
    workspace = workspace_of(connection.app.state)
    live = live_session(connection, workspace)
    if live is not None:
        expected = live.csrf_token
    elif handler.opt.get("guest"):
        expected = connection.cookies.get(GUEST_COOKIE) or ""
    else:
        raise NotSignedIn()
    needed = handler.opt.get("permission")  # a large body (an upload) is read only for who may send it
    if live is not None and needed is not None:
        entry = workspace.office.config.principal_entry(live.session.principal_id)
        if entry is None or not workspace.office.access.allowed(entry.principal(), needed):
            raise PermissionDenied(live.session.principal_id, str(needed))
    given = connection.headers.get(CSRF_HEADER)
    if given is None and connection.headers.get("content-type", "").startswith(FORM_TYPES):
        form = await connection.form()
        value = form.get(CSRF_FIELD)
        given = value if isinstance(value, str) else None
    if not expected or not same_token(given, expected):
        raise CsrfRefused("csrf")
