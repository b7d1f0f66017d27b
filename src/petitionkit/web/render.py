"""Pages as HTML: one Jinja2 environment, autoescaped everywhere, strings through :mod:`petitionkit.i18n`.

Every page response carries a strict Content-Security-Policy (scripts and styles only from
``/workspace/static/``: no inline script, no CDN), ``no-store`` caching and the usual hardening headers.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, pass_context
from jinja2.runtime import Context
from litestar import Response
from litestar.enums import MediaType

from petitionkit.i18n import translate

PREFIX = "/workspace"

SECURITY_HEADERS: Mapping[str, str] = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


@pass_context
def _short_date(context: Context, value: date | datetime | None) -> str:
    """A date as ``YYYY-MM-DD``; a moment as ``YYYY-MM-DD HH:MM`` in the office's time zone (``zone``)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        zone = context.get("zone")
        local = value.astimezone(zone) if zone is not None and value.tzinfo is not None else value
        return local.strftime("%Y-%m-%d %H:%M")
    return value.isoformat()


def make_environment() -> Environment:
    """The workspace's templates (``petitionkit/web/templates``); autoescape is on for every template."""
    env = Environment(
        loader=PackageLoader("petitionkit.web", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["day"] = _short_date
    env.globals["prefix"] = PREFIX
    return env


ENVIRONMENT = make_environment()


def html(
    template: str,
    context: Mapping[str, Any],
    locale: str,
    *,
    status: int = 200,
    headers: Mapping[str, str] | None = None,
) -> Response[str]:
    """``template`` rendered in ``locale`` (``t(key, **params)`` in the template translates)."""

    def t(key: str, /, **params: Any) -> str:
        return translate(key, locale, **params)

    body = ENVIRONMENT.get_template(template).render(**context, t=t, locale=locale)
    return Response(
        content=body,
        status_code=status,
        media_type=MediaType.HTML,
        headers={**SECURITY_HEADERS, "Content-Language": locale, **(headers or {})},
    )
