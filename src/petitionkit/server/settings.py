"""``[settings.server]``: what ``petitionkit serve`` reads from petitionkit.toml (no framework import)."""

from __future__ import annotations

from collections.abc import Mapping

import attrs

from petitionkit import settings
from petitionkit.config import OfficeConfig

NAME = "server"


@attrs.frozen
class ServerSettings:
    """The HTTP API's settings (docs/http.md).

    Single sign-on: a bearer token is a JWT signed by a key of ``oidc_jwks_url`` (the provider's JWKS),
    issued by ``oidc_issuer`` for ``oidc_audience``; its ``oidc_claim`` claim is looked up in
    ``oidc_principals`` (claim value -> ``[[principals]]`` id).  A token whose claim is not listed is
    refused: nobody acts without being configured.
    """

    host: str = "127.0.0.1"
    port: int = attrs.field(default=8080, validator=settings.between(1, 65535))
    workers: int = attrs.field(default=1, validator=settings.between(1, 64))
    oidc_issuer: str | None = None
    oidc_audience: str | None = None
    oidc_jwks_url: str | None = None
    oidc_claim: str = "sub"
    oidc_algorithms: tuple[str, ...] = ("RS256", "ES256")
    oidc_principals: Mapping[str, str] = attrs.field(factory=dict)
    jwks_cache_seconds: int = attrs.field(default=300, validator=settings.between(0, 86400))
    #: The configured principal the public endpoints (progress by query code) act as: office staff.
    public_principal: str | None = None
    #: Progress lookups per client address and minute (each worker counts its own).
    public_rate_per_minute: int = attrs.field(default=10, validator=settings.between(1, 10000))
    #: Open311 intake (docs/http.md): submissions per portal principal and minute; the region of a
    #: request that names none.
    intake_rate_per_minute: int = attrs.field(default=60, validator=settings.between(1, 100000))
    intake_region_code: str | None = None
    max_body_bytes: int = attrs.field(default=1_000_000, validator=settings.between(1024, 100_000_000))
    max_page: int = attrs.field(default=200, validator=settings.between(1, 10000))
    #: ``text`` for a console, ``json`` (one object a line) for a log shipper (petitionkit.server.logs).
    log_format: str = attrs.field(default="text", validator=settings.one_of("text", "json"))

    @property
    def oidc_enabled(self) -> bool:
        return bool(self.oidc_jwks_url)


def server_settings(config: OfficeConfig) -> ServerSettings:
    """The typed ``[settings.server]`` (defaults when absent); a bad key is a ``SettingError`` naming it."""
    return settings.read_settings(config, NAME, ServerSettings)
