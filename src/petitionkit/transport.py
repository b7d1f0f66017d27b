"""What every notifier that reaches another machine needs: verified TLS, no redirects, loopback only
for tests.  Shared by the e-mail, webhook and SMS plugins so the rules cannot drift between them."""

from __future__ import annotations

import ipaddress
import ssl
import urllib.request
from typing import Any


def is_loopback(host: str) -> bool:
    """``localhost`` or a loopback IP address (127.0.0.0/8, ::1): the only hosts plain text may reach."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def verified_context(ca_file: str | None = None) -> ssl.SSLContext:
    """TLS that checks the chain and the host name; ``ca_file`` is trusted besides the system's CAs."""
    context = ssl.create_default_context()
    if ca_file is not None:
        context.load_verify_locations(cafile=ca_file)
    return context


class _RefuseRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any) -> None:  # a 3xx becomes an HTTPError: never followed
        return None


def strict_opener(ca_file: str | None = None) -> urllib.request.OpenerDirector:
    """An opener with verified TLS that never follows a redirect (a redirect would carry a signed or
    personal message to a host nobody configured)."""
    return urllib.request.build_opener(
        _RefuseRedirects(), urllib.request.HTTPSHandler(context=verified_context(ca_file))
    )
