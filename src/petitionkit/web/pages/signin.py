"""Sign-in and sign-out by a local account, and the language switch in the header (登录、退出).

The page never says whether a name exists: a wrong name, a wrong password, a wrong TOTP code, a
disabled or locked-out account all read "name, password or code wrong" (the reason is recorded).
"""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromQuery, URLEncodedBody
from litestar.response import Redirect

from petitionkit.i18n import LOCALES
from petitionkit.storage.web import SignInFailure
from petitionkit.web.accounts import check_sign_in, name_digest
from petitionkit.web.context import GUEST_COOKIE, LOCALE_COOKIE, Guest, Visit, client_of, live_session, secure_cookies
from petitionkit.web.render import PREFIX
from petitionkit.web.sessions import COOKIE

HOME = f"{PREFIX}/"
YEAR = 365 * 24 * 3600


def safe_next(target: str | None) -> str:
    """Where to go after sign-in: a workspace path only (never another site: no open redirect)."""
    if target and target.startswith(PREFIX + "/") and not target.startswith("//") and "\\" not in target:
        return target
    return HOME


def see_other(request: Request[Any, Any, Any], target: str) -> Response[Any]:
    """Go to ``target`` (for htmx, tell it to load the page)."""
    if request.headers.get("hx-request"):
        return Response(content="", status_code=204, headers={"HX-Redirect": target})
    return Redirect(path=target, status_code=303)


def session_cookie(response: Response[Any], request: Request[Any, Any, Any], session_id: str) -> None:
    response.set_cookie(
        COOKIE, session_id, path=PREFIX, httponly=True, samesite="strict", secure=secure_cookies(request)
    )


@get("/sign-in", sync_to_thread=True, name="web.sign_in")
def sign_in_page(guest: NamedDependency[Guest], next: FromQuery[str | None] = None) -> Response[str]:
    """The sign-in form (name, password, TOTP code when the account has one; single sign-on if configured)."""
    return guest.page("sign_in.html", next=safe_next(next), error=None, sso=guest.workspace.settings.sso_enabled)


@post("/sign-in", sync_to_thread=True, opt={"guest": True}, status_code=303)
def sign_in(
    request: Request[Any, Any, Any], guest: NamedDependency[Guest], data: URLEncodedBody[dict[str, str]]
) -> Response[Any]:
    """Check name, password and code; on success a new session (a new id: no fixation) and on to ``next``."""
    workspace = guest.workspace
    office = workspace.office
    username, target = data.get("username", ""), safe_next(data.get("next"))
    client = client_of(request)
    wait = workspace.sign_in_limit.allow(client)
    if wait:
        failure = SignInFailure(office.config.office_code, office.now(), name_digest(username), "limited", client[:64])
        with office.storage.transaction() as tx:
            tx.record_sign_in_failure(failure)
        error = guest.t("web.sign_in.wait", seconds=wait)
        return guest.page("sign_in.html", status=429, next=target, error=error, sso=workspace.settings.sso_enabled)
    found = check_sign_in(office, workspace.settings, username, data.get("password", ""), data.get("code", ""), client)
    if found is None:
        error = guest.t("web.sign_in.refused")
        return guest.page("sign_in.html", status=401, next=target, error=error, sso=workspace.settings.sso_enabled)
    workspace.sessions.sweep()
    session_id = workspace.sessions.start(
        found.principal,
        account_id=found.account.id,
        locale=found.account.locale,
        replacing=request.cookies.get(COOKIE),
    )
    response = Redirect(path=target, status_code=303)
    session_cookie(response, request, session_id)
    response.delete_cookie(GUEST_COOKIE, path=PREFIX)
    return response


@post("/sign-out", sync_to_thread=True, status_code=303)
def sign_out(request: Request[Any, Any, Any], visit: NamedDependency[Visit]) -> Response[Any]:
    """End the session here and now."""
    visit.workspace.sessions.end(request.cookies.get(COOKIE))
    response = see_other(request, f"{PREFIX}/sign-in")
    response.delete_cookie(COOKIE, path=PREFIX)
    return response


@post("/locale", sync_to_thread=True, opt={"guest": True}, status_code=303)
def choose_locale(
    request: Request[Any, Any, Any], guest: NamedDependency[Guest], data: URLEncodedBody[dict[str, str]]
) -> Response[Any]:
    """Show the workspace in another language (kept on the account for its next sign-in)."""
    locale = data.get("locale", "")
    response = see_other(request, safe_next(data.get("next")))
    if locale in LOCALES:
        live = live_session(request, guest.workspace)
        if live is not None:
            guest.workspace.sessions.set_locale(live, locale)
        response.set_cookie(
            LOCALE_COOKIE, locale, path=PREFIX, max_age=YEAR, httponly=True, samesite="strict",
            secure=secure_cookies(request),
        )  # fmt: skip
    return response


HANDLERS = [sign_in_page, sign_in, sign_out, choose_locale]
