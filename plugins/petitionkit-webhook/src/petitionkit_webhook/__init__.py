"""Webhook notifier for petitionkit (网络推送): POSTs each message as JSON, signed the Standard Webhooks way.

Registered as the notifier ``webhook``.  Settings (``[settings.webhook]`` of petitionkit.toml)::

    [settings.webhook]
    secret_env = "PETITIONKIT_WEBHOOK_SECRET"  # the default secret: staff, and bodies not listed below
    url = "https://oa.example.cn/hooks/petition"  # optional: for recipients that are not URLs
    allowed_hosts = ["oa.example.cn"]           # optional: refuse any other host
    timeout = 10                                # seconds
    ca_file = "/etc/petitionkit/oa-ca.pem"      # optional: trust this CA (a self-signed OA server)
    allow_insecure_loopback = false             # tests only: http:// to 127.0.0.1 / ::1 / localhost

    [settings.webhook.body_secrets]             # one secret per handling body: code -> variable
    QX-HRSS = "PETITIONKIT_WEBHOOK_SECRET_QX_HRSS"

Each request follows the Standard Webhooks convention: ``webhook-id`` (the message's idempotency
key, the same on every retry), ``webhook-timestamp`` (Unix seconds) and ``webhook-signature``
(``v1,`` + base64 HMAC-SHA256 over ``"{id}.{timestamp}.{body}"``); ``Idempotency-Key`` repeats the
id.  Secrets are ``whsec_`` + base64 (any other value is used as UTF-8 bytes).  Only ``https://``
is used (certificates verified); redirects are not followed (a 3xx is a failed delivery); a
response other than 2xx, or none, raises and the dispatcher retries with backoff.  Receivers check
requests with :func:`verify_webhook`.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import os
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlsplit

import attrs

from petitionkit import settings
from petitionkit.config import OfficeConfig
from petitionkit.errors import ConfigurationError
from petitionkit.hookspecs import hookimpl
from petitionkit.notify import Message
from petitionkit.redaction import scrub
from petitionkit.transport import is_loopback, strict_opener

__all__ = [
    "WebhookDeliveryError",
    "WebhookNotifier",
    "WebhookSettings",
    "WebhookTable",
    "WebhookVerificationError",
    "petitionkit_declare_settings",
    "petitionkit_register_notifiers",
    "secret_bytes",
    "sign",
    "verify_webhook",
]

NAME = "webhook"
SECTION = f"settings.{NAME}"
SECRET_PREFIX = "whsec_"
DEFAULT_TOLERANCE = 300  # seconds a receiver accepts between the timestamp and its clock


class WebhookVerificationError(Exception):
    """A received webhook is not authentic or too old (raised by :func:`verify_webhook`)."""


class WebhookDeliveryError(OSError):
    """The receiver did not take the message (3xx, non-2xx, refused URL); the dispatcher retries."""


def secret_bytes(secret: str | bytes) -> bytes:
    """The key of a secret: ``whsec_<base64>`` decoded, anything else as UTF-8 bytes."""
    if isinstance(secret, bytes):
        return secret
    if secret.startswith(SECRET_PREFIX):
        try:
            return base64.b64decode(secret[len(SECRET_PREFIX) :], validate=True)
        except binascii.Error:
            raise ValueError("a whsec_ secret must be base64 after the prefix") from None
    return secret.encode("utf-8")


def sign(secret: str | bytes, msg_id: str, timestamp: int, body: bytes) -> str:
    """The ``webhook-signature`` value: ``v1,`` + base64 HMAC-SHA256 of ``{id}.{timestamp}.{body}``."""
    content = f"{msg_id}.{timestamp}.".encode() + body
    digest = hmac.new(secret_bytes(secret), content, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode("ascii")


def verify_webhook(
    secret: str | bytes,
    headers: Mapping[str, str],
    body: bytes,
    tolerance: int = DEFAULT_TOLERANCE,
    *,
    now: float | None = None,
) -> str:
    """Check a received webhook; return its ``webhook-id`` (apply each id once) or raise.

    Raises :class:`WebhookVerificationError` when a header is missing, the timestamp is more than
    ``tolerance`` seconds from ``now`` (a replay), or no ``v1`` signature matches (wrong secret,
    altered body).
    """
    lower = {k.lower(): v for k, v in headers.items()}
    msg_id, stamp, signatures = lower.get("webhook-id"), lower.get("webhook-timestamp"), lower.get("webhook-signature")
    if not msg_id or not stamp or not signatures:
        raise WebhookVerificationError("missing webhook-id, webhook-timestamp or webhook-signature")
    try:
        timestamp = int(stamp)
    except ValueError:
        raise WebhookVerificationError("webhook-timestamp is not an integer") from None
    current = time.time() if now is None else now
    if abs(current - timestamp) > tolerance:
        raise WebhookVerificationError(f"webhook-timestamp is more than {tolerance} s away: a replay or a bad clock")
    expected = sign(secret, msg_id, timestamp, body).encode("ascii")
    for candidate in signatures.split():
        if candidate.startswith("v1,") and hmac.compare_digest(candidate.encode("ascii"), expected):
            return msg_id
    raise WebhookVerificationError("no signature matches: wrong secret or altered body")


def check_url(url: Any, key: str, *, allow_insecure_loopback: bool = False) -> str:
    """``url`` if it is https (or http to a loopback address when explicitly allowed), else a ConfigurationError."""
    parts = urlsplit(url) if isinstance(url, str) else None
    if parts is None or not parts.hostname or parts.scheme not in ("http", "https"):
        raise ConfigurationError(key, f"{url!r} is not an https URL, e.g. https://oa.example.cn/hooks/petition")
    if parts.scheme == "http" and not (allow_insecure_loopback and is_loopback(parts.hostname)):
        raise ConfigurationError(
            key, f"{url!r} is plain http; use https (http is allowed only to loopback with allow_insecure_loopback)"
        )
    return str(url)


@attrs.frozen
class WebhookTable:
    """``[settings.webhook]`` as written, declared through ``petitionkit_declare_settings``."""

    secret_env: str = attrs.field(validator=settings.nonblank)
    url: str | None = attrs.field(default=None, validator=settings.http_url)
    allowed_hosts: tuple[str, ...] = attrs.field(default=(), validator=settings.nonblank)
    timeout: float = attrs.field(default=10.0, validator=settings.greater_than(0))
    body_secrets: Mapping[str, str] = attrs.field(factory=dict)
    ca_file: str | None = None
    allow_insecure_loopback: bool = False


@attrs.frozen
class WebhookSettings:
    secret: bytes = attrs.field(repr=False)
    url: str | None = None
    allowed_hosts: tuple[str, ...] = ()
    timeout: float = 10.0
    body_secrets: Mapping[str, bytes] = attrs.field(factory=dict, repr=False)
    ca_file: str | None = None
    allow_insecure_loopback: bool = False

    @classmethod
    def from_config(cls, config: OfficeConfig, env: Mapping[str, str] | None = None) -> WebhookSettings:
        """Read ``[settings.webhook]``; every problem is a ConfigurationError naming the key."""
        env = os.environ if env is None else env
        if NAME not in config.settings:
            raise settings.SettingError(SECTION, "missing", section=SECTION, keys="secret_env")
        table = settings.read_settings(config, NAME, WebhookTable)

        def read_secret(variable: str, key: str) -> bytes:
            value = env.get(variable)
            if not value:
                raise settings.SettingError(key, "env_unset", name=variable)
            try:
                return secret_bytes(value)
            except ValueError as exc:
                raise ConfigurationError(key, f"{variable}: {exc}") from None

        secret = read_secret(table.secret_env, f"{SECTION}.secret_env")
        bodies = {
            code: read_secret(variable, f"{SECTION}.body_secrets.{code}")
            for code, variable in table.body_secrets.items()
        }
        if table.url is not None:
            check_url(table.url, f"{SECTION}.url", allow_insecure_loopback=table.allow_insecure_loopback)
        if table.ca_file is not None and not os.path.isfile(table.ca_file):
            raise ConfigurationError(f"{SECTION}.ca_file", f"{table.ca_file!r} is not a file; give a PEM CA file")
        return cls(
            secret,
            table.url,
            table.allowed_hosts,
            table.timeout,
            bodies,
            table.ca_file,
            table.allow_insecure_loopback,
        )


class WebhookNotifier:
    """POSTs one JSON document per message; raises unless the receiver answers 2xx itself."""

    def __init__(self, settings: WebhookSettings, *, clock: Callable[[], float] = time.time) -> None:
        self.settings = settings
        self.clock = clock
        self.opener = strict_opener(settings.ca_file)  # verified TLS, no redirects

    def target(self, message: Message) -> str:
        if message.recipient.startswith(("http://", "https://")):
            url = message.recipient
        elif self.settings.url:
            url = self.settings.url
        else:
            raise ValueError("the recipient is not a URL and [settings.webhook] url is not set")
        url = check_url(url, "recipient", allow_insecure_loopback=self.settings.allow_insecure_loopback)
        host = urlsplit(url).hostname or ""
        if self.settings.allowed_hosts and host not in self.settings.allowed_hosts:
            raise ValueError(f"host {host!r} is not in [settings.webhook] allowed_hosts")
        return url

    def secret_for(self, message: Message) -> bytes:
        """The body's own secret for a message to a handling body, else the default secret."""
        if message.body_code is not None and message.body_code in self.settings.body_secrets:
            return self.settings.body_secrets[message.body_code]
        return self.settings.secret

    @staticmethod
    def document(message: Message) -> bytes:
        data = {
            "idempotency_key": message.idempotency_key,
            "channel": message.channel,
            "recipient": message.recipient,
            "subject": message.subject,
            "body": message.body,
            "case_id": message.case_id,
            "obligation_id": message.obligation_id,
        }
        return json.dumps(data, ensure_ascii=False, sort_keys=True).encode("utf-8")

    def send(self, message: Message) -> None:
        body = self.document(message)
        timestamp = int(self.clock())
        request = urllib.request.Request(
            self.target(message),
            data=body,
            method="POST",
            headers={
                "Content-Type": "application/json; charset=utf-8",
                "Idempotency-Key": message.idempotency_key,
                "webhook-id": message.idempotency_key,
                "webhook-timestamp": str(timestamp),
                "webhook-signature": sign(self.secret_for(message), message.idempotency_key, timestamp, body),
                "User-Agent": "petitionkit-webhook/0.2",
            },
        )
        try:
            with self.opener.open(request, timeout=self.settings.timeout) as response:
                status = response.status
        except urllib.error.HTTPError as exc:
            if 300 <= exc.code < 400:
                raise WebhookDeliveryError(f"HTTP {exc.code} redirect not followed; configure the final URL") from None
            raise WebhookDeliveryError(f"HTTP {exc.code} from the receiver") from None
        except (OSError, urllib.error.URLError) as exc:  # the receiver's body is never read into an error
            reason = getattr(exc, "reason", exc)
            text = scrub(f"{type(reason).__name__}: {reason}", [message.recipient])
            raise WebhookDeliveryError(f"the receiver did not answer ({text})") from None
        if not 200 <= status < 300:
            raise WebhookDeliveryError(f"unexpected HTTP status {status}")


def factory(config: OfficeConfig) -> WebhookNotifier:
    return WebhookNotifier(WebhookSettings.from_config(config))


@hookimpl
def petitionkit_declare_settings(register: Callable[..., Any]) -> None:
    register(NAME, WebhookTable)


@hookimpl
def petitionkit_register_notifiers(register: Callable[..., Any]) -> None:
    register("webhook", factory)
