"""A single sign-on provider for tests: OpenID Connect authorization endpoint, token endpoint (PKCE S256
checked) and JWKS on a loopback HTTP server, signing ID tokens with a key generated here."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from joserfc import jwt
from joserfc.jwk import RSAKey

ISSUER = "https://sso.example.gov.cn"
CLIENT_ID = "petitionkit-workspace"


class Provider:
    """Signs in whoever :attr:`subject` names (the test decides), as a provider would after its own login."""

    def __init__(self) -> None:
        self.key = RSAKey.generate_key(2048, parameters={"kid": "k1"}, private=True)
        self.subject = "u-wang"
        self.signing_key: RSAKey | None = None  # another key to sign with (a forged token)
        self.codes: dict[str, dict[str, str]] = {}
        self.token_requests: list[dict[str, str]] = []
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def _send(self, status: int, body: bytes = b"", headers: dict[str, str] | None = None) -> None:
                self.send_response(status)
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self) -> None:
                url = urllib.parse.urlsplit(self.path)
                if url.path == "/jwks.json":
                    body = json.dumps({"keys": [provider.key.as_dict(private=False)]}).encode()
                    self._send(200, body, {"Content-Type": "application/json"})
                    return
                if url.path != "/authorize":
                    self._send(404)
                    return
                query = dict(urllib.parse.parse_qsl(url.query))
                code = secrets.token_urlsafe(16)
                provider.codes[code] = {**query, "subject": provider.subject}
                back = query["redirect_uri"] + "?" + urllib.parse.urlencode({"code": code, "state": query["state"]})
                self._send(302, b"", {"Location": back})

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                form = dict(urllib.parse.parse_qsl(self.rfile.read(length).decode()))
                provider.token_requests.append(form)
                issued = provider.codes.pop(form.get("code", ""), None)
                challenge = base64.urlsafe_b64encode(hashlib.sha256(form.get("code_verifier", "").encode()).digest())
                if (
                    issued is None
                    or form.get("grant_type") != "authorization_code"
                    or form.get("client_id") != issued["client_id"]
                    or form.get("redirect_uri") != issued["redirect_uri"]
                    or issued.get("code_challenge_method") != "S256"
                    or challenge.rstrip(b"=").decode() != issued["code_challenge"]
                ):
                    self._send(400, b'{"error": "invalid_grant"}', {"Content-Type": "application/json"})
                    return
                token = provider.id_token(issued["subject"], nonce=issued["nonce"], audience=issued["client_id"])
                body = json.dumps({"id_token": token, "access_token": "x", "token_type": "Bearer"}).encode()
                self._send(200, body, {"Content-Type": "application/json"})

            def log_message(self, *args: Any) -> None:
                pass

        self.http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.http.server_address[1]}"
        threading.Thread(target=self.http.serve_forever, daemon=True).start()

    def id_token(self, subject: str, *, nonce: str, audience: str = CLIENT_ID) -> str:
        now = int(time.time())
        claims = {"iss": ISSUER, "aud": audience, "sub": subject, "nonce": nonce, "iat": now, "exp": now + 300}
        return jwt.encode({"alg": "RS256", "kid": "k1"}, claims, self.signing_key or self.key)

    def web_settings(self) -> dict[str, str]:
        """``[settings.web]`` of an office using this provider."""
        return {
            "oidc_client_id": CLIENT_ID,
            "oidc_authorization_endpoint": f"{self.base}/authorize",
            "oidc_token_endpoint": f"{self.base}/token",
        }

    def close(self) -> None:
        self.http.shutdown()
        self.http.server_close()
