"""Sign-in through the office's single sign-on: OpenID Connect authorization code flow with PKCE.

``/workspace/sso/start`` sends the browser to the provider with a fresh ``state``, ``nonce`` and PKCE
challenge (S256); the verifier, state and nonce wait in a short-lived ``pk_sso`` cookie (HttpOnly,
``SameSite=Lax``: the provider's redirect back is a cross-site navigation, which a Strict cookie would not
survive).  ``/workspace/sso/callback`` checks the state, redeems the code at the token endpoint (verified
TLS, no redirects; plain HTTP only to loopback), verifies the ID token with the HTTP API's JWKS check
(:meth:`~petitionkit.server.auth.Authenticator.verified_claims`: signature, issuer, audience = client id,
expiry, nonce) and maps its claim to a principal exactly as a bearer token is (``oidc_principals``).
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import secrets
import urllib.parse
import urllib.request
from typing import Any

import attrs

from petitionkit.errors import ConfigurationError
from petitionkit.server.auth import Authenticator, Unauthenticated
from petitionkit.transport import is_loopback, strict_opener
from petitionkit.web.settings import WebSettings

COOKIE = "pk_sso"
COOKIE_SECONDS = 600
TOKEN_TIMEOUT = 10.0


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _checked_url(name: str, url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    if parts.scheme != "https" and not (parts.scheme == "http" and is_loopback(parts.hostname or "")):
        raise ConfigurationError(f"settings.web.{name}", "must be https:// (http:// only to loopback)")
    return url


@attrs.frozen
class Pending:
    """What the browser carries to the provider and back (in the ``pk_sso`` cookie)."""

    state: str
    nonce: str
    verifier: str
    next: str

    @classmethod
    def fresh(cls, next_path: str) -> Pending:
        return cls(secrets.token_urlsafe(32), secrets.token_urlsafe(32), secrets.token_urlsafe(64), next_path)

    def cookie(self) -> str:
        return _b64(json.dumps(attrs.asdict(self), separators=(",", ":")).encode())

    @classmethod
    def from_cookie(cls, value: str | None) -> Pending | None:
        if not value or len(value) > 2000:
            return None
        try:
            data = json.loads(base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)))
            return cls(**{k: str(data[k]) for k in ("state", "nonce", "verifier", "next")})
        except (ValueError, KeyError, TypeError):
            return None

    @property
    def challenge(self) -> str:
        return _b64(hashlib.sha256(self.verifier.encode("ascii")).digest())


class SingleSignOn:
    """The workspace's OpenID Connect client (a relying party) over the API's provider settings."""

    def __init__(self, settings: WebSettings, authenticator: Authenticator) -> None:
        if not settings.sso_enabled:
            raise ConfigurationError("settings.web.oidc_client_id", "single sign-on needs a client id and endpoints")
        if authenticator.jwks is None:
            raise ConfigurationError("settings.server.oidc_jwks_url", "the workspace's sign-on needs the JWKS")
        assert settings.oidc_client_id and settings.oidc_authorization_endpoint and settings.oidc_token_endpoint
        self.client_id = settings.oidc_client_id
        self.authorize_url = _checked_url("oidc_authorization_endpoint", settings.oidc_authorization_endpoint)
        self.token_url = _checked_url("oidc_token_endpoint", settings.oidc_token_endpoint)
        self.scope = settings.oidc_scope
        self.redirect_uri = settings.oidc_redirect_uri
        self.secret_env = settings.oidc_client_secret_env
        self.authenticator = authenticator

    def authorization_url(self, pending: Pending, redirect_uri: str) -> str:
        query = {
            "response_type": "code",
            "client_id": self.client_id,
            "redirect_uri": redirect_uri,
            "scope": self.scope,
            "state": pending.state,
            "nonce": pending.nonce,
            "code_challenge": pending.challenge,
            "code_challenge_method": "S256",
        }
        joiner = "&" if "?" in self.authorize_url else "?"
        return f"{self.authorize_url}{joiner}{urllib.parse.urlencode(query)}"

    def redeem(self, code: str, pending: Pending, redirect_uri: str) -> tuple[str, dict[str, Any]]:
        """The principal id and claims of the ID token the code is exchanged for; Unauthenticated else."""
        form = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": redirect_uri,
            "client_id": self.client_id,
            "code_verifier": pending.verifier,
        }
        secret = os.environ.get(self.secret_env) if self.secret_env else None
        if secret:
            form["client_secret"] = secret
        request = urllib.request.Request(
            self.token_url,
            data=urllib.parse.urlencode(form).encode(),
            headers={"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"},
            method="POST",
        )
        try:
            with strict_opener().open(request, timeout=TOKEN_TIMEOUT) as response:
                answer = json.loads(response.read(1_000_000))
        except (OSError, ValueError) as exc:
            raise Unauthenticated(f"token endpoint: {type(exc).__name__}") from None
        id_token = answer.get("id_token") if isinstance(answer, dict) else None
        if not isinstance(id_token, str):
            raise Unauthenticated("no id_token in the token response")
        claims = self.authenticator.verified_claims(id_token, self.client_id, nonce=pending.nonce)
        return self.authenticator.principal_of_claims(claims).id, claims
