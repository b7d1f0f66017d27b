"""A real HTTP server for the API's tests: uvicorn on a loopback port in a thread, over an office on
SQLite or PostgreSQL, with an OpenID Connect provider's JWKS served by a loopback HTTP server of the
test's own (keys generated here; nothing reaches the internet)."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

pytest.importorskip("litestar", reason="the server extra: pip install 'petitionkit[server]'")
httpx = pytest.importorskip("httpx")
uvicorn = pytest.importorskip("uvicorn")

from joserfc import jwt  # noqa: E402
from joserfc.jwk import RSAKey  # noqa: E402

from petitionkit.server.app import create_app  # noqa: E402
from petitionkit.server.settings import ServerSettings  # noqa: E402
from petitionkit.service import Office, open_office  # noqa: E402
from petitionkit.testing import ADMIN, office_settings  # noqa: E402

ISSUER = "https://sso.example.gov.cn"
AUDIENCE = "petitionkit"
BODY = "GOV-HRSS"
#: single sign-on subject -> [[principals]] id
SUBJECTS = {"u-wang": "wang", "u-li": "li", "u-sun": "sun", "u-hrss": "body-hrss", "u-admin": "admin"}


class Provider:
    """A single sign-on provider: a signing key and its JWKS on a loopback HTTP server."""

    def __init__(self) -> None:
        self.key = RSAKey.generate_key(2048, parameters={"kid": "k1"}, private=True)
        jwks = json.dumps({"keys": [self.key.as_dict(private=False)]}).encode()

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(jwks)))
                self.end_headers()
                self.wfile.write(jwks)

            def log_message(self, *args: Any) -> None:
                pass

        self.http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.http.server_address[1]}/jwks.json"
        threading.Thread(target=self.http.serve_forever, daemon=True).start()

    def token(self, subject: str, *, key: RSAKey | None = None, audience: str = AUDIENCE, expires_in: int = 300) -> str:
        now = int(time.time())
        claims = {"iss": ISSUER, "aud": audience, "sub": subject, "iat": now, "exp": now + expires_in}
        return jwt.encode({"alg": "RS256", "kid": "k1"}, claims, key or self.key)

    def close(self) -> None:
        self.http.shutdown()
        self.http.server_close()


@pytest.fixture(scope="session")
def provider() -> Iterator[Provider]:
    found = Provider()
    yield found
    found.close()


def server_config(db_url: str) -> dict[str, Any]:
    config = dict(office_settings())
    config["database"] = {"url": db_url}
    config["principals"] = [
        *config["principals"],
        {"id": "body-hrss", "name": "人社局承办人", "roles": ["handling_body"], "bodies": [BODY]},
        {"id": "portal", "name": "网上信访门户", "roles": ["registrar"]},
    ]
    return config


class Server:
    """uvicorn serving the app on a loopback port, and an httpx client per caller."""

    def __init__(self, office: Office, settings: ServerSettings, provider: Provider) -> None:
        self.office, self.provider = office, provider
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.base = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        config = uvicorn.Config(create_app(office, settings), log_level="warning", lifespan="on")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the server did not start")
            time.sleep(0.02)
        self.clients: list[httpx.Client] = []

    def client(self, subject: str | None = None, *, token: str | None = None, **headers: str) -> httpx.Client:
        """A client acting as ``subject`` (a single sign-on user), or with ``token``, or with no credentials."""
        if subject is not None:
            token = self.provider.token(subject)
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        found = httpx.Client(base_url=self.base, headers=headers, timeout=30)
        self.clients.append(found)
        return found

    def as_admin(self) -> Office:
        return self.office.acting_as(ADMIN)

    def stop(self) -> None:
        for c in self.clients:
            c.close()
        self.server.should_exit = True
        self.thread.join(10)
        self.sock.close()


def serve(db_url: str, provider: Provider, **overrides: Any) -> Server:
    office = open_office(server_config(db_url))
    settings = ServerSettings(
        oidc_issuer=ISSUER,
        oidc_audience=AUDIENCE,
        oidc_jwks_url=provider.url,
        oidc_principals=SUBJECTS,
        public_principal="portal",
        **overrides,
    )
    return Server(office, settings, provider)


@pytest.fixture
def server(db_url: str, provider: Provider) -> Iterator[Server]:
    found = serve(db_url, provider, public_rate_per_minute=5, max_body_bytes=20_000)
    yield found
    found.stop()
    found.office.close()


@pytest.fixture
def sqlite_server(sqlite_url: str, provider: Provider) -> Iterator[Server]:
    found = serve(sqlite_url, provider, public_rate_per_minute=5, max_body_bytes=20_000)
    yield found
    found.stop()
    found.office.close()


def received_now() -> str:
    return (datetime.now(UTC) - timedelta(hours=1)).isoformat()
