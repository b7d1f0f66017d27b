"""``[settings.web]``: the workspace's sessions, sign-in limits and single sign-on client (docs/web.md)."""

from __future__ import annotations

import attrs

from petitionkit import settings
from petitionkit.config import OfficeConfig

NAME = "web"


@attrs.frozen
class WebSettings:
    """How long a session lives, how many failed sign-ins are let through, the OpenID Connect client.

    Single sign-on reuses ``[settings.server]``'s provider (issuer, JWKS, claim and ``oidc_principals``);
    the workspace adds the client: ``oidc_client_id``, the provider's ``oidc_authorization_endpoint`` and
    ``oidc_token_endpoint``, and, for a confidential client, the environment variable that holds its
    secret (``oidc_client_secret_env``; a secret is never written in petitionkit.toml).
    """

    #: Minutes without a request after which a session ends.
    idle_minutes: int = attrs.field(default=30, validator=settings.between(1, 24 * 60))
    #: Hours after sign-in after which a session ends however busy.
    absolute_hours: int = attrs.field(default=10, validator=settings.between(1, 7 * 24))
    #: Failed sign-ins with one name within ``lockout_minutes`` before further tries are refused.
    max_failures: int = attrs.field(default=5, validator=settings.between(1, 1000))
    lockout_minutes: int = attrs.field(default=15, validator=settings.between(1, 24 * 60))
    #: Sign-in attempts per client address and minute (each worker counts its own).
    sign_in_rate_per_minute: int = attrs.field(default=20, validator=settings.between(1, 10000))
    oidc_client_id: str | None = None
    oidc_client_secret_env: str | None = None
    oidc_authorization_endpoint: str | None = None
    oidc_token_endpoint: str | None = None
    oidc_scope: str = "openid"
    #: Where the provider sends the browser back (``…/workspace/sso/callback``, registered with the provider);
    #: by default the URL the request came to (set it behind a proxy that rewrites the host).
    oidc_redirect_uri: str | None = None
    #: Rows a list page shows at a time.
    page_size: int = attrs.field(default=25, validator=settings.between(5, 500))

    @property
    def sso_enabled(self) -> bool:
        return bool(self.oidc_client_id and self.oidc_authorization_endpoint and self.oidc_token_endpoint)


def web_settings(config: OfficeConfig) -> WebSettings:
    """The typed ``[settings.web]`` (defaults when absent); a bad key is a ``SettingError`` naming it."""
    return settings.read_settings(config, NAME, WebSettings)
