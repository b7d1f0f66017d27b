"""Sign-in through single sign-on (OpenID Connect, authorization code with PKCE) against a loopback
provider started here, in the browser and over HTTP: state, nonce, PKCE and the key are all checked."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from joserfc.jwk import RSAKey

from petitionkit.server.settings import ServerSettings
from petitionkit.web.sessions import COOKIE

from .conftest import By, WebServer, check_accessibility, screenshot, start, wait_for
from .oidc_provider import ISSUER, Provider

SUBJECTS = {"u-wang": "wang", "u-sun": "sun"}


@pytest.fixture
def provider() -> Iterator[Provider]:
    found = Provider()
    yield found
    found.close()


@pytest.fixture
def sso_web(sqlite_url: str, provider: Provider) -> Iterator[WebServer]:
    settings = ServerSettings(
        oidc_issuer=ISSUER,
        oidc_audience="petitionkit-api",
        oidc_jwks_url=f"{provider.base}/jwks.json",
        oidc_principals=SUBJECTS,
    )
    found = start(sqlite_url, settings, **provider.web_settings())
    yield found
    found.stop()
    found.office.close()


def test_single_sign_on_in_the_browser(page: Any, sso_web: WebServer, provider: Provider) -> None:
    page.get(sso_web.url("/sign-in"))
    link = page.find_element(By.CSS_SELECTOR, ".sso a")
    check_accessibility(page)
    link.click()  # to the provider, back to the callback, on (meta refresh) to my work
    wait_for(page, lambda d: d.find_element(By.TAG_NAME, "h1").text == "我的待办")
    assert "王登记" in page.find_element(By.CSS_SELECTOR, ".who").text
    (request,) = provider.token_requests
    assert len(request["code_verifier"]) >= 43 and request["client_id"] == "petitionkit-workspace"
    screenshot(page, "sso-signed-in")


def _follow_to_provider(web: WebServer, client: Any) -> Any:
    start_answer = client.get("/workspace/sso/start?next=/workspace/audit")
    assert start_answer.status_code == 303
    authorize = start_answer.headers["location"]
    assert "code_challenge_method=S256" in authorize and "nonce=" in authorize
    back = client.get(authorize)  # the provider signs the user in and sends the browser back
    assert back.status_code == 302
    return back.headers["location"]


def test_the_callback_starts_a_session_and_goes_on_to_next(sso_web: WebServer, provider: Provider) -> None:
    provider.subject = "u-sun"
    with sso_web.client() as client:
        callback = _follow_to_provider(sso_web, client)
        answer = client.get(callback)
        assert answer.status_code == 200
        assert 'content="0; url=/workspace/audit"' in answer.text
        assert client.cookies.get(COOKIE)
        assert client.get("/workspace/audit").status_code == 200  # the auditor's page


@pytest.mark.parametrize("attack", ["state", "replay", "forged key", "unknown subject", "no cookie"])
def test_a_callback_that_proves_nothing_signs_nobody_in(sso_web: WebServer, provider: Provider, attack: str) -> None:
    if attack == "forged key":
        provider.signing_key = RSAKey.generate_key(2048, parameters={"kid": "k1"}, private=True)
    if attack == "unknown subject":
        provider.subject = "u-stranger"
    with sso_web.client() as client:
        callback = _follow_to_provider(sso_web, client)
        if attack == "state":
            callback = callback.split("&state=")[0] + "&state=forged"
        if attack == "replay":
            assert client.get(callback).status_code == 200
            client.cookies.delete(COOKIE)
        if attack == "no cookie":
            client.cookies.clear()
        answer = client.get(callback)
        assert answer.status_code == 401
        assert "统一身份认证登录未成功" in answer.text
        assert COOKIE not in client.cookies
        assert client.get("/workspace/").status_code == 303


def test_a_half_configured_sign_on_is_refused_when_the_application_is_made(sqlite_url: str) -> None:
    from petitionkit.errors import ConfigurationError
    from petitionkit.server.app import create_app
    from petitionkit.service import open_office

    from .conftest import web_config

    endpoints = {"oidc_authorization_endpoint": "https://sso.example.gov.cn/auth", "oidc_token_endpoint": ""}
    with open_office(web_config(sqlite_url, oidc_client_id="c", **endpoints)) as office:
        create_app(office)  # no token endpoint: single sign-on is simply off
    plain = {"oidc_authorization_endpoint": "http://sso.example.gov.cn/auth", "oidc_token_endpoint": "https://x/t"}
    with open_office(web_config(sqlite_url, oidc_client_id="c", **plain)) as office:
        with pytest.raises(ConfigurationError, match="oidc_jwks_url"):
            create_app(office)  # no JWKS to check ID tokens with
        settings = ServerSettings(oidc_issuer=ISSUER, oidc_audience="a", oidc_jwks_url="https://sso.example.gov.cn/j")
        with pytest.raises(ConfigurationError, match="oidc_authorization_endpoint"):
            create_app(office, settings)  # plain HTTP to a host that is not loopback
