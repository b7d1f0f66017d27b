"""The HTTP API (``petitionkit serve``, the optional extra ``petitionkit[server]``): docs/http.md.

An ASGI application (Litestar, served by uvicorn) over one office: every use case of
:class:`~petitionkit.service.Office` as a resource, authenticated by single sign-on bearer tokens
(OpenID Connect, verified against the provider's JWKS) or API keys, each request acting as one
configured principal (``office.acting_as``).  Nothing in the library imports this package: the
library works without the extra.
"""

from __future__ import annotations

__all__ = ["create_app"]


def create_app(*args: object, **kwargs: object) -> object:
    """The ASGI application; see :func:`petitionkit.server.app.create_app`."""
    from petitionkit.server.app import create_app as create  # noqa: PLC0415 - Litestar loads only here

    return create(*args, **kwargs)  # type: ignore[arg-type]
