"""Standard Webhooks signing, replay protection, one secret per body, HTTPS only, no redirects: all on loopback."""

from __future__ import annotations

import base64
import ssl
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import trustme
from petitionkit_webhook import (
    WebhookDeliveryError,
    WebhookNotifier,
    WebhookSettings,
    WebhookVerificationError,
    sign,
    verify_webhook,
)

from petitionkit.errors import ConfigurationError
from petitionkit.notify import Message

SECRET = "whsec_" + base64.b64encode(b"default-secret-for-tests-only-32b").decode()
HRSS_SECRET = "whsec_" + base64.b64encode(b"hrss-secret-for-tests-only-32byt").decode()


class Hits:
    def __init__(self) -> None:
        self.requests: list[tuple[str, str, dict[str, str], bytes]] = []
        self.status = 200
        self.location = ""


def _serve(hits: Hits, tls: ssl.SSLContext | None = None) -> tuple[ThreadingHTTPServer, str]:
    class Handler(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            hits.requests.append((self.command, self.path, dict(self.headers.items()), body))
            status = 200 if self.path.startswith("/elsewhere") else hits.status
            self.send_response(status)
            if 300 <= status < 400:
                self.send_header("Location", hits.location)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def do_POST(self) -> None:
            self._answer()

        def do_GET(self) -> None:
            self._answer()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    if tls is not None:
        server.socket = tls.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    scheme = "https" if tls else "http"
    return server, f"{scheme}://127.0.0.1:{server.server_address[1]}"


@pytest.fixture
def http_server() -> Iterator[tuple[Hits, str]]:
    hits = Hits()
    server, url = _serve(hits)
    yield hits, url
    server.shutdown()
    server.server_close()


def _message(url: str, *, body_code: str | None = None, key: str = "case-1:4:transfer_letter:x") -> Message:
    return Message(url, "webhook", "转送函", "正文", key, case_id="c1", body_code=body_code)


def _settings(**extra: Any) -> WebhookSettings:
    return WebhookSettings(base64.b64decode(SECRET.removeprefix("whsec_")), **extra)


def test_each_request_is_signed_per_the_standard_webhooks_spec(http_server: tuple[Hits, str]) -> None:
    hits, url = http_server
    WebhookNotifier(_settings(allow_insecure_loopback=True)).send(_message(f"{url}/hook"))
    ((_, _, headers, body),) = hits.requests
    lower = {k.lower(): v for k, v in headers.items()}
    assert lower["webhook-id"] == lower["idempotency-key"] == "case-1:4:transfer_letter:x"
    assert abs(int(lower["webhook-timestamp"]) - time.time()) < 60
    assert lower["webhook-signature"] == sign(SECRET, lower["webhook-id"], int(lower["webhook-timestamp"]), body)
    assert verify_webhook(SECRET, headers, body) == "case-1:4:transfer_letter:x"


def test_a_signature_matches_the_spec_test_vector() -> None:
    """The example of the Standard Webhooks specification (its published secret, id, timestamp and body)."""
    secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    body = b'{"test": 2432232314}'
    assert sign(secret, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body) == (
        "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
    )


def test_an_old_timestamp_is_refused_as_a_replay(http_server: tuple[Hits, str]) -> None:
    hits, url = http_server
    an_hour_ago = time.time() - 3600
    WebhookNotifier(_settings(allow_insecure_loopback=True), clock=lambda: an_hour_ago).send(_message(f"{url}/h"))
    ((_, _, headers, body),) = hits.requests
    with pytest.raises(WebhookVerificationError, match="replay"):
        verify_webhook(SECRET, headers, body, tolerance=300)
    assert verify_webhook(SECRET, headers, body, tolerance=300, now=an_hour_ago + 10)  # fresh at the time


def test_a_wrong_secret_or_an_altered_body_is_refused(http_server: tuple[Hits, str]) -> None:
    hits, url = http_server
    WebhookNotifier(_settings(allow_insecure_loopback=True)).send(_message(f"{url}/h"))
    ((_, _, headers, body),) = hits.requests
    with pytest.raises(WebhookVerificationError, match="wrong secret"):
        verify_webhook(HRSS_SECRET, headers, body)
    with pytest.raises(WebhookVerificationError):
        verify_webhook(SECRET, headers, body.replace("正文".encode(), "篡改".encode()))
    with pytest.raises(WebhookVerificationError, match="missing"):
        verify_webhook(SECRET, {}, body)


def test_each_body_has_its_own_secret(http_server: tuple[Hits, str]) -> None:
    hits, url = http_server
    hrss = base64.b64decode(HRSS_SECRET.removeprefix("whsec_"))
    notifier = WebhookNotifier(_settings(allow_insecure_loopback=True, body_secrets={"QX-HRSS": hrss}))
    notifier.send(_message(f"{url}/hrss", body_code="QX-HRSS", key="k-hrss"))
    notifier.send(_message(f"{url}/staff", key="k-staff"))
    (_, _, to_hrss, hrss_body), (_, _, to_staff, staff_body) = hits.requests
    assert verify_webhook(HRSS_SECRET, to_hrss, hrss_body) == "k-hrss"
    with pytest.raises(WebhookVerificationError):
        verify_webhook(SECRET, to_hrss, hrss_body)  # another body's (or the default) secret does not verify
    assert verify_webhook(SECRET, to_staff, staff_body) == "k-staff"


def test_plain_http_is_refused_unless_loopback_is_explicitly_allowed(http_server: tuple[Hits, str]) -> None:
    hits, url = http_server
    with pytest.raises(ConfigurationError, match="plain http"):
        WebhookNotifier(_settings()).send(_message(f"{url}/h"))
    assert hits.requests == []  # nothing left the office
    with pytest.raises(ConfigurationError, match="plain http"):
        WebhookNotifier(_settings(allow_insecure_loopback=True)).send(_message("http://oa.example.cn/h"))


def test_a_redirect_is_a_failure_and_is_not_followed(http_server: tuple[Hits, str]) -> None:
    hits, url = http_server
    hits.status, hits.location = 302, f"{url}/elsewhere"
    with pytest.raises(WebhookDeliveryError, match="302 redirect not followed"):
        WebhookNotifier(_settings(allow_insecure_loopback=True)).send(_message(f"{url}/h"))
    assert [path for _, path, _, _ in hits.requests] == ["/h"]  # /elsewhere was never asked, signature or not


@pytest.fixture
def tls_server(tmp_path: Path) -> Iterator[tuple[Hits, str, Path]]:
    """A loopback HTTPS receiver whose certificate comes from a CA made for this test."""
    ca = trustme.CA()
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(context)
    ca_file = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    hits = Hits()
    server, url = _serve(hits, context)
    yield hits, url, ca_file
    server.shutdown()
    server.server_close()


def test_https_is_verified_and_a_self_signed_server_needs_its_ca_configured(
    tls_server: tuple[Hits, str, Path],
) -> None:
    hits, url, ca_file = tls_server
    with pytest.raises(OSError, match="CERTIFICATE_VERIFY_FAILED"):
        WebhookNotifier(_settings()).send(_message(f"{url}/h"))
    assert hits.requests == []
    WebhookNotifier(_settings(ca_file=str(ca_file))).send(_message(f"{url}/h"))
    assert len(hits.requests) == 1
