"""Who a request acts as: an OpenID Connect bearer token or an API key, mapped to a configured principal.

Bearer tokens are JWTs verified with joserfc against the provider's JWKS (fetched over verified TLS,
never following a redirect; plain HTTP only to a loopback address, for tests), checking signature,
algorithm, issuer, audience, expiry and not-before.  API keys (``pk_<id>.<secret>``) are checked by
:func:`petitionkit.service.integration.authenticate_api_key`.  Either way the request acts as one
``[[principals]]`` entry, or is refused with 401.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from petitionkit.config import OfficeConfig
from petitionkit.domain.access import Principal
from petitionkit.errors import ConfigurationError
from petitionkit.server.settings import ServerSettings
from petitionkit.service.integration import KEY_PREFIX, authenticate_api_key
from petitionkit.storage.base import Storage
from petitionkit.transport import is_loopback, strict_opener

log = logging.getLogger("petitionkit.server")

JWKS_TIMEOUT = 5.0
REFRESH_AT_MOST_EVERY = 30.0  # seconds: an unknown key id refetches the JWKS, but not on every request


class Unauthenticated(Exception):
    """No credentials, or credentials that prove nothing (the response is 401; the reason is only logged)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class Jwks:
    """The provider's key set, fetched when first needed and again after ``cache_seconds``."""

    def __init__(self, url: str, cache_seconds: int) -> None:
        parts = urlsplit(url)
        if parts.scheme != "https" and not (parts.scheme == "http" and is_loopback(parts.hostname or "")):
            raise ConfigurationError("settings.server.oidc_jwks_url", "must be https:// (http:// only to loopback)")
        self.url, self.cache_seconds = url, cache_seconds
        self._keys: KeySet | None = None
        self._fetched = 0.0
        self._lock = threading.Lock()

    def _fetch(self) -> KeySet:
        with strict_opener().open(self.url, timeout=JWKS_TIMEOUT) as response:
            data = json.loads(response.read(1_000_000))
        return KeySet.import_key_set(data)

    def keys(self, *, refresh: bool = False) -> KeySet:
        with self._lock:
            age = time.monotonic() - self._fetched
            stale = self._keys is None or age > self.cache_seconds
            if stale or (refresh and age > REFRESH_AT_MOST_EVERY):
                try:
                    self._keys, self._fetched = self._fetch(), time.monotonic()
                except (OSError, ValueError, JoseError) as exc:
                    log.warning("the JWKS at %s cannot be read: %s", self.url, type(exc).__name__)
                    if self._keys is None:
                        raise Unauthenticated("jwks unavailable") from None
            assert self._keys is not None
            return self._keys


class Authenticator:
    """Turns an ``Authorization`` header into a principal of the office's configuration."""

    def __init__(self, config: OfficeConfig, storage: Storage, settings: ServerSettings) -> None:
        self.config, self.storage, self.settings = config, storage, settings
        self.jwks = Jwks(settings.oidc_jwks_url, settings.jwks_cache_seconds) if settings.oidc_jwks_url else None
        if self.jwks is not None and not (settings.oidc_issuer and settings.oidc_audience):
            raise ConfigurationError("settings.server.oidc_issuer", "oidc_issuer and oidc_audience go with the JWKS")
        for claim, principal_id in settings.oidc_principals.items():
            if config.principal_entry(principal_id) is None:
                raise ConfigurationError(f"settings.server.oidc_principals.{claim}", f"no principal '{principal_id}'")

    def principal(self, authorization: str | None, now: datetime) -> Principal:
        if not authorization:
            raise Unauthenticated("no credentials")
        scheme, _, token = authorization.partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            raise Unauthenticated("not a bearer credential")
        if token.startswith(KEY_PREFIX):
            principal = authenticate_api_key(self.storage, self.config, token, now)
            if principal is None:
                raise Unauthenticated("unknown, wrong, expired or revoked API key")
            return principal
        return self._from_token(token)

    def _from_token(self, token: str) -> Principal:
        audience = self.settings.oidc_audience
        if self.jwks is None or audience is None:
            raise Unauthenticated("single sign-on is not configured")
        return self.principal_of_claims(self.verified_claims(token, audience))

    def verified_claims(self, token: str, audience: str, **expected: str) -> dict[str, Any]:
        """The claims of a JWT signed by a key of the provider's JWKS, issued by ``oidc_issuer`` for
        ``audience``, not expired (and each claim of ``expected`` equal to its value: an ID token's
        ``nonce``); :class:`Unauthenticated` otherwise.  The web workspace checks ID tokens with it."""
        if self.jwks is None:
            raise Unauthenticated("single sign-on is not configured")
        s = self.settings
        algorithms = list(s.oidc_algorithms)
        assert s.oidc_issuer is not None  # checked when built
        try:
            try:
                decoded = jwt.decode(token, self.jwks.keys(), algorithms=algorithms)
            except JoseError:  # perhaps a key the provider added since: fetch once more
                decoded = jwt.decode(token, self.jwks.keys(refresh=True), algorithms=algorithms)
            options: dict[str, Any] = {name: {"essential": True, "value": value} for name, value in expected.items()}
            registry = jwt.JWTClaimsRegistry(
                iss={"essential": True, "value": s.oidc_issuer},
                aud={"essential": True, "value": audience},
                exp={"essential": True},
                leeway=30,
                **options,
            )
            registry.validate(decoded.claims)
        except (JoseError, ValueError) as exc:
            raise Unauthenticated(f"token refused: {type(exc).__name__}") from None
        return dict(decoded.claims)

    def principal_of_claims(self, claims: dict[str, Any]) -> Principal:
        """The ``[[principals]]`` entry the ``oidc_claim`` claim maps to (``oidc_principals``)."""
        s = self.settings
        claim: Any = claims.get(s.oidc_claim)
        principal_id = s.oidc_principals.get(claim) if isinstance(claim, str) else None
        entry = self.config.principal_entry(principal_id) if principal_id else None
        if entry is None:
            raise Unauthenticated("the token's subject is no configured principal")
        return entry.principal()
