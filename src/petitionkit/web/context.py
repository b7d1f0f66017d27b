"""What a page handler is given: :class:`Visit` (signed in) or :class:`Guest` (anyone), as dependencies.

A handler names ``visit: NamedDependency[Visit]`` and gets the signed-in principal, the office bound
to it (``visit.office``: every use case goes through the service layer and its authorisation), the
language and the CSRF token; ``visit.page(template, **context)`` renders.  Without a live session the
request is sent to the sign-in page (:class:`NotSignedIn`).
"""

from __future__ import annotations

import secrets
from typing import Any

import attrs
from litestar import Request, Response
from litestar.datastructures import State

from petitionkit.domain.access import Permission, Principal
from petitionkit.i18n import LOCALES, normalize_locale, translate
from petitionkit.server.context import Api
from petitionkit.server.problems import negotiate_locale
from petitionkit.server.ratelimit import RateLimiter
from petitionkit.service import Office
from petitionkit.transport import is_loopback
from petitionkit.web import render
from petitionkit.web.sessions import COOKIE, Live, Sessions
from petitionkit.web.settings import WebSettings, web_settings
from petitionkit.web.sso import SingleSignOn

LOCALE_COOKIE = "pk_locale"
GUEST_COOKIE = "pk_guest"  # the CSRF token of forms sent before sign-in (double-submit)
CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf_token"


class NotSignedIn(Exception):
    """No live session: the browser is sent to the sign-in page (htmx: told to go there)."""


class Workspace:
    """What every page request of one application shares."""

    def __init__(self, api: Api, settings: WebSettings | None = None) -> None:
        self.api, self.office = api, api.office
        self.settings = settings or web_settings(api.office.config)
        self.sessions = Sessions(api.office, self.settings)
        self.sign_in_limit = RateLimiter(self.settings.sign_in_rate_per_minute)
        self.sso = SingleSignOn(self.settings, api.authenticator) if self.settings.sso_enabled else None


def workspace_of(state: State) -> Workspace:
    found = state["workspace"]
    assert isinstance(found, Workspace)
    return found


def secure_cookies(request: Request[Any, Any, Any]) -> bool:
    """Cookies are ``Secure`` except over plain HTTP to a loopback address (a clerk's own machine, tests)."""
    return not (request.url.scheme == "http" and is_loopback(request.url.hostname or ""))


def client_of(request: Request[Any, Any, Any]) -> str:
    return request.client.host if request.client else "?"


def live_session(request: Request[Any, Any, Any], workspace: Workspace) -> Live | None:
    """The request's live session, looked up once per request."""
    if "web_live" not in request.state:
        request.state.web_live = workspace.sessions.find(request.cookies.get(COOKIE))
    live = request.state.web_live
    assert live is None or isinstance(live, Live)
    return live


@attrs.define
class Guest:
    """A page request of anyone, signed in or not (the sign-in page)."""

    workspace: Workspace
    request: Request[Any, Any, Any]
    locale: str
    csrf_token: str
    set_cookies: dict[str, str] = attrs.field(factory=dict)

    def t(self, key: str, /, **params: Any) -> str:
        return translate(key, self.locale, **params)

    def context(self) -> dict[str, Any]:
        return {
            "csrf_token": self.csrf_token,
            "office_name": self.workspace.office.config.office_name,
            "zone": self.workspace.office.config.zone,
            "principal": None,
            "nav": [],
            "path": self.request.url.path,
            "locales": LOCALES,
        }

    def page(
        self, template: str, /, *, status: int = 200, headers: dict[str, str] | None = None, **context: Any
    ) -> Response[str]:
        """``template`` rendered with the layout's context and ``context``."""
        response = render.html(template, {**self.context(), **context}, self.locale, status=status, headers=headers)
        for name, value in self.set_cookies.items():
            response.set_cookie(
                name, value, path=render.PREFIX, httponly=True, samesite="strict", secure=secure_cookies(self.request)
            )
        return response


@attrs.define
class Visit(Guest):
    """A page request of a signed-in principal."""

    live: Live | None = None
    principal: Principal | None = None
    office: Office = attrs.field(default=None)  # the office acting as ``principal``

    def may(self, permission: Permission) -> bool:
        assert self.principal is not None
        return self.office.access.allowed(self.principal, permission)

    def context(self) -> dict[str, Any]:
        from petitionkit.web.pages import navigation  # noqa: PLC0415 - the pages import this module

        return {**super().context(), "principal": self.principal, "nav": navigation(self)}


def _locale(request: Request[Any, Any, Any], live: Live | None) -> str:
    chosen = (live.session.locale if live else None) or request.cookies.get(LOCALE_COOKIE)
    if chosen in LOCALES:
        return normalize_locale(chosen)
    return negotiate_locale(request.headers.get("accept-language"))


def provide_guest(request: Request[Any, Any, Any], state: State) -> Guest:
    workspace = workspace_of(state)
    live = live_session(request, workspace)
    if live is not None:
        return Guest(workspace, request, _locale(request, live), live.csrf_token)
    token = request.cookies.get(GUEST_COOKIE) or ""
    fresh = {} if len(token) == 43 else {GUEST_COOKIE: secrets.token_urlsafe(32)}
    return Guest(workspace, request, _locale(request, None), fresh.get(GUEST_COOKIE, token), fresh)


def provide_visit(request: Request[Any, Any, Any], state: State) -> Visit:
    workspace = workspace_of(state)
    live = live_session(request, workspace)
    entry = workspace.office.config.principal_entry(live.session.principal_id) if live else None
    if live is None or entry is None:
        raise NotSignedIn()
    principal = entry.principal()
    return Visit(
        workspace,
        request,
        _locale(request, live),
        live.csrf_token,
        live=live,
        principal=principal,
        office=workspace.office.acting_as(principal),
    )
