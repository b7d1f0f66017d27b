"""Sign-in, sessions and CSRF over HTTP against a real server: what a browser does, checked byte by byte."""

from __future__ import annotations

from datetime import timedelta

import pytest

from petitionkit.web.sessions import COOKIE

from .conftest import PASSWORD, WebServer, httpx, sign_in


def _token(html: str) -> str:
    return html.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]


def test_a_page_without_a_session_sends_to_sign_in(web: WebServer) -> None:
    with web.client() as client:
        answer = client.get("/workspace/audit")
    assert answer.status_code == 303
    assert answer.headers["location"] == "/workspace/sign-in?next=/workspace/audit"


def test_signing_in_makes_a_new_session_id_and_a_strict_httponly_cookie(web_db: WebServer) -> None:
    with web_db.client() as client:
        planted = "planted-by-an-attacker-0123456789abcdefghijklmn"
        client.cookies.set(COOKIE, planted, domain="127.0.0.1", path="/workspace")
        answer = sign_in(client, "wang")
        assert answer.status_code == 303
        cookie = next(h for h in answer.headers.get_list("set-cookie") if h.startswith(COOKIE + "="))
        assert "HttpOnly" in cookie and "samesite=strict" in cookie.lower() and "Path=/workspace" in cookie
        assert "Secure" not in cookie  # plain HTTP to loopback only; anywhere else the cookie is Secure
        first = client.cookies.get(COOKIE)
        assert first and first != planted
        client.post("/workspace/sign-out", data={"csrf_token": _token(client.get("/workspace/").text)})
        assert client.get("/workspace/").status_code == 303  # signed out: the old id is dead
        sign_in(client, "wang")
        assert client.cookies.get(COOKIE) not in (first, planted)


def test_a_wrong_password_and_an_unknown_name_read_the_same(web: WebServer) -> None:
    with web.client() as one, web.client() as two:
        wrong = sign_in(one, "wang", "not the password at all")
        unknown = sign_in(two, "nobody-here", PASSWORD)
    assert wrong.status_code == unknown.status_code == 401
    assert "用户名、密码或动态验证码不正确" in wrong.text
    message = wrong.text.split('role="alert">', 1)[1].split("<", 1)[0]
    assert message == unknown.text.split('role="alert">', 1)[1].split("<", 1)[0]
    assert COOKIE not in one.cookies and COOKIE not in two.cookies


def test_repeated_failures_lock_the_name_and_are_recorded(web_db: WebServer) -> None:
    with web_db.client() as client:
        for _ in range(5):
            assert sign_in(client, "wang", "wrong password!").status_code == 401
        assert sign_in(client, "wang").status_code == 401  # the right password, but locked out for now
    with web_db.office.storage.transaction() as tx:
        rows = tx.sign_in_failures(
            web_db.office.config.office_code, _digest("wang"), web_db.office.now() - timedelta(hours=1)
        )
    assert rows == 6


def _digest(name: str) -> str:
    from petitionkit.web.accounts import name_digest

    return name_digest(name)


@pytest.mark.parametrize("how", ["no token", "wrong token", "another session's token"])
def test_a_write_without_the_sessions_csrf_token_is_refused(web: WebServer, how: str) -> None:
    with web.client() as client, web.client() as other:
        sign_in(client, "wang")
        sign_in(other, "sun")
        tokens = {
            "no token": None,
            "wrong token": "0" * 64,
            "another session's token": _token(other.get("/workspace/").text),
        }
        data = {"locale": "en", "next": "/workspace/"}
        if tokens[how] is not None:
            data["csrf_token"] = tokens[how]
        answer = client.post("/workspace/locale", data=data)
        assert answer.status_code == 403
        header = client.post("/workspace/sign-out", headers={"X-CSRF-Token": tokens[how] or ""})
        assert header.status_code == 403
        assert client.get("/workspace/").status_code == 200  # still signed in, nothing changed
        right = client.post("/workspace/sign-out", headers={"X-CSRF-Token": _token(client.get("/workspace/").text)})
        assert right.status_code == 303


def test_the_sign_in_form_needs_its_guest_token(web: WebServer) -> None:
    with web.client() as client:
        client.get("/workspace/sign-in")
        form = {"username": "wang", "password": PASSWORD, "next": "/workspace/"}
        assert client.post("/workspace/sign-in", data=form).status_code == 403


def test_an_idle_session_ends(web_db: WebServer) -> None:
    with web_db.client() as client:
        sign_in(client, "wang")
        assert client.get("/workspace/").status_code == 200
        idle = web_db.office.now() - timedelta(minutes=31)  # [settings.web] idle_minutes: 30 by default
        (session,) = _sessions(web_db)
        with web_db.office.storage.transaction() as tx:
            tx.touch_web_session(session, idle)
        assert client.get("/workspace/").status_code == 303
        assert not _sessions(web_db)  # ended, not just refused


def _sessions(web: WebServer) -> list[str]:
    from sqlalchemy import select

    from petitionkit.storage.sql.tables import web_sessions

    engine = web.office.storage.engine  # type: ignore[attr-defined]
    with engine.connect() as connection:
        return [r[0] for r in connection.execute(select(web_sessions.c.digest))]


def test_the_audit_page_is_refused_to_a_registrar_and_absent_from_the_navigation(web: WebServer) -> None:
    with web.client() as client:
        sign_in(client, "wang")
        assert "/workspace/audit" not in client.get("/workspace/").text
        answer = client.get("/workspace/audit")
    assert answer.status_code == 403
    assert "无权" in answer.text


def test_the_language_switch_is_kept(web: WebServer) -> None:
    with web.client() as client:
        sign_in(client, "wang")
        token = _token(client.get("/workspace/").text)
        assert client.post("/workspace/locale", data={"csrf_token": token, "locale": "en"}).status_code == 303
        page = client.get("/workspace/")
        assert '<html lang="en">' in page.text and "My work" in page.text


def test_static_files_are_served_from_the_package(web: WebServer) -> None:
    answer = httpx.get(web.base + "/workspace/static/htmx.min.js")
    assert answer.status_code == 200 and b"htmx" in answer.content[:2000]


def test_a_busy_session_still_ends_at_its_absolute_lifetime(web: WebServer) -> None:
    from sqlalchemy import update

    from petitionkit.storage.sql.tables import web_sessions

    with web.client() as client:
        sign_in(client, "wang")
        assert client.get("/workspace/").status_code == 200
        signed_in = web.office.now() - timedelta(hours=10, minutes=1)  # [settings.web] absolute_hours: 10
        engine = web.office.storage.engine  # type: ignore[attr-defined]
        with engine.begin() as connection:
            connection.execute(update(web_sessions).values(created_at=signed_in))
        assert client.get("/workspace/").status_code == 303


def test_a_disabled_account_loses_its_open_session(web: WebServer) -> None:
    from petitionkit.testing import ADMIN
    from petitionkit.web.accounts import AccountAdmin

    with web.client() as client:
        sign_in(client, "wang")
        assert client.get("/workspace/").status_code == 200
        AccountAdmin(web.office.acting_as(ADMIN)).disable("wang")
        assert client.get("/workspace/").status_code == 303


def test_an_htmx_request_refused_gets_the_message_alone(web: WebServer) -> None:
    with web.client() as client:
        sign_in(client, "wang")
        answer = client.post("/workspace/audit/verify", headers={"HX-Request": "true", "X-CSRF-Token": "0" * 64})
        assert answer.status_code == 403
        assert answer.text.startswith('<p class="message error" role="alert">') and "<html" not in answer.text
        token = _token(client.get("/workspace/").text)
        refused = client.post("/workspace/audit/verify", headers={"HX-Request": "true", "X-CSRF-Token": token})
        assert refused.status_code == 403 and "无权" in refused.text and "<html" not in refused.text
