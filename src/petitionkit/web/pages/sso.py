"""Sign-in through the office's single sign-on (统一身份认证): the two ends of the OpenID Connect flow.

See :mod:`petitionkit.web.sso`.  After the callback the page itself moves on to the workspace (a
same-site navigation), so the new ``SameSite=Strict`` session cookie is sent with the next request.
"""

from __future__ import annotations

import logging
from typing import Any

from litestar import Request, Response, get
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import FromQuery
from litestar.response import Redirect

from petitionkit.server.auth import Unauthenticated
from petitionkit.storage.web import SignInFailure
from petitionkit.web import sso
from petitionkit.web.context import GUEST_COOKIE, Guest, client_of, secure_cookies
from petitionkit.web.pages.signin import safe_next, session_cookie
from petitionkit.web.render import PREFIX
from petitionkit.web.sessions import COOKIE, same_token

log = logging.getLogger("petitionkit.web")

CALLBACK = "/sso/callback"


def _client(guest: Guest) -> sso.SingleSignOn:
    if guest.workspace.sso is None:
        raise NotFoundException()
    return guest.workspace.sso


def _redirect_uri(request: Request[Any, Any, Any], client: sso.SingleSignOn) -> str:
    return client.redirect_uri or str(request.url.with_replacements(path=PREFIX + CALLBACK, query=""))


@get("/sso/start", sync_to_thread=True)
def sso_start(
    request: Request[Any, Any, Any], guest: NamedDependency[Guest], next: FromQuery[str | None] = None
) -> Response[Any]:
    """Off to the provider with a fresh state, nonce and PKCE challenge."""
    client = _client(guest)
    pending = sso.Pending.fresh(safe_next(next))
    response = Redirect(path=client.authorization_url(pending, _redirect_uri(request, client)), status_code=303)
    response.set_cookie(
        sso.COOKIE, pending.cookie(), path=PREFIX + "/sso", max_age=sso.COOKIE_SECONDS, httponly=True,
        samesite="lax", secure=secure_cookies(request),
    )  # fmt: skip
    return response


@get("/sso/callback", sync_to_thread=True)
def sso_callback(
    request: Request[Any, Any, Any],
    guest: NamedDependency[Guest],
    code: FromQuery[str | None] = None,
) -> Response[Any]:
    """Back from the provider: check the state, redeem the code, verify the ID token, start a session."""
    client = _client(guest)
    workspace = guest.workspace
    pending = sso.Pending.from_cookie(request.cookies.get(sso.COOKIE))
    state = request.query_params.get("state")  # ``state`` is a name Litestar keeps for itself
    try:
        if pending is None or not code or not same_token(state, pending.state):
            raise Unauthenticated("state missing or not this browser's")
        principal_id, claims = client.redeem(code, pending, _redirect_uri(request, client))
    except Unauthenticated as exc:
        office = workspace.office
        failure = SignInFailure(office.config.office_code, office.now(), "-", "sso", client_of(request)[:64])
        with office.storage.transaction() as tx:
            tx.record_sign_in_failure(failure)
        log.info("single sign-on refused: %s", exc.reason)  # the reason is for the log only, as for bearer tokens
        error = guest.t("web.sign_in.sso_failed")
        page = guest.page("sign_in.html", status=401, next=safe_next(None), error=error, sso=True)
        page.delete_cookie(sso.COOKIE, path=PREFIX + "/sso")
        return page
    entry = workspace.office.config.principal_entry(principal_id)
    assert entry is not None  # principal_of_claims found it
    subject = claims.get(workspace.api.settings.oidc_claim)
    session_id = workspace.sessions.start(
        entry.principal(), subject=str(subject)[:200], replacing=request.cookies.get(COOKIE)
    )
    guest.set_cookies.clear()
    response = guest.page("continue.html", next=safe_next(pending.next))
    session_cookie(response, request, session_id)
    response.delete_cookie(sso.COOKIE, path=PREFIX + "/sso")
    response.delete_cookie(GUEST_COOKIE, path=PREFIX)
    return response


HANDLERS = [sso_start, sso_callback]
