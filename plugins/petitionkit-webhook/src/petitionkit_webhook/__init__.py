"""Webhook notifier for petitionkit (网络推送): POSTs each message as signed JSON.

Registered as the notifier ``webhook``.  Settings (``[settings.webhook]`` of petitionkit.toml)::

    [settings.webhook]
    secret_env = "PETITIONKIT_WEBHOOK_SECRET"  # required: variable holding the HMAC key
    url = "https://oa.example.cn/hooks/petition"  # optional: for recipients that are not URLs
    allowed_hosts = ["oa.example.cn"]           # optional: refuse any other host
    timeout = 10                                # seconds

Each request carries ``Idempotency-Key`` (the message's key: a receiver applies each key once) and
``X-Petitionkit-Signature: sha256=<hex HMAC-SHA256 of the raw body with the secret>``.  A response
other than 2xx, or no response, raises, and the dispatcher retries with backoff.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
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

__all__ = [
    "WebhookNotifier",
    "WebhookSettings",
    "WebhookTable",
    "petitionkit_declare_settings",
    "petitionkit_register_notifiers",
    "sign",
    "verify",
]

NAME = "webhook"
SECTION = f"settings.{NAME}"
SIGNATURE_HEADER = "X-Petitionkit-Signature"


def sign(secret: bytes, body: bytes) -> str:
    """The signature header value of ``body``."""
    return "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest()


def verify(secret: bytes, body: bytes, header: str | None) -> bool:
    """What a receiver checks: the header matches the body (constant-time comparison)."""
    return header is not None and hmac.compare_digest(sign(secret, body), header)


def _check_url(url: Any, key: str) -> str:
    parts = urlsplit(url) if isinstance(url, str) else None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigurationError(key, f"{url!r} is not an http(s) URL, e.g. https://oa.example.cn/hooks/petition")
    return str(url)


@attrs.frozen
class WebhookTable:
    """``[settings.webhook]`` as written, declared through ``petitionkit_declare_settings``."""

    secret_env: str = attrs.field(validator=settings.nonblank)
    url: str | None = attrs.field(default=None, validator=settings.http_url)
    allowed_hosts: tuple[str, ...] = attrs.field(default=(), validator=settings.nonblank)
    timeout: float = attrs.field(default=10.0, validator=settings.greater_than(0))


@attrs.frozen
class WebhookSettings:
    secret: bytes = attrs.field(repr=False)
    url: str | None = None
    allowed_hosts: tuple[str, ...] = ()
    timeout: float = 10.0

    @classmethod
    def from_config(cls, config: OfficeConfig, env: Mapping[str, str] | None = None) -> WebhookSettings:
        """Read ``[settings.webhook]``; every problem is a ConfigurationError naming the key."""
        env = os.environ if env is None else env
        if NAME not in config.settings:
            raise settings.SettingError(SECTION, "missing", section=SECTION, keys="secret_env")
        table = settings.read_settings(config, NAME, WebhookTable)
        secret = env.get(table.secret_env)
        if not secret:
            raise settings.SettingError(f"{SECTION}.secret_env", "env_unset", name=table.secret_env)
        return cls(secret.encode("utf-8"), table.url, table.allowed_hosts, table.timeout)


class WebhookNotifier:
    """POSTs one JSON document per message; raises unless the receiver answers 2xx."""

    def __init__(self, settings: WebhookSettings) -> None:
        self.settings = settings

    def target(self, message: Message) -> str:
        if message.recipient.startswith(("http://", "https://")):
            url = message.recipient
        elif self.settings.url:
            url = self.settings.url
        else:
            raise ValueError(f"{message.recipient!r} is not a URL and [settings.webhook] url is not set")
        host = urlsplit(url).hostname or ""
        if self.settings.allowed_hosts and host not in self.settings.allowed_hosts:
            raise ValueError(f"host {host!r} is not in [settings.webhook] allowed_hosts")
        return url

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
        request = urllib.request.Request(
            _check_url(self.target(message), "recipient"),
            data=body,
            method="POST",
            headers={
                "Content-Type": "application/json; charset=utf-8",
                "Idempotency-Key": message.idempotency_key,
                SIGNATURE_HEADER: sign(self.settings.secret, body),
                "User-Agent": "petitionkit-webhook/0.1",
            },
        )
        with urllib.request.urlopen(request, timeout=self.settings.timeout) as response:
            status = response.status
        if not 200 <= status < 300:  # urllib raises HTTPError for 4xx/5xx; 1xx/3xx end up here
            raise urllib.error.URLError(f"unexpected HTTP status {status}")


def factory(config: OfficeConfig) -> WebhookNotifier:
    return WebhookNotifier(WebhookSettings.from_config(config))


@hookimpl
def petitionkit_declare_settings(register: Callable[..., Any]) -> None:
    register(NAME, WebhookTable)


@hookimpl
def petitionkit_register_notifiers(register: Callable[..., Any]) -> None:
    register("webhook", factory)
