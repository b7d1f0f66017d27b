"""The clerk's web workspace (工作台): server-rendered pages over the same office and principals as the
HTTP API, mounted in the same application under ``/workspace/`` (docs/web.md).

Jinja2 templates (autoescaped), htmx vendored in ``static/`` (no build step, no CDN), zh-CN first with
English through :mod:`petitionkit.i18n`.  Sign-in by a local account (Argon2, optional TOTP) or the
office's single sign-on (OpenID Connect with PKCE); server-side sessions with a CSRF token.  Each page
acts as the signed-in ``[[principals]]`` entry through the service layer, never around it.
"""

from __future__ import annotations
