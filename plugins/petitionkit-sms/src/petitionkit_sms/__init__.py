"""SMS notifier for petitionkit (短信通知): petitioners' notices as the provider's approved templates.

Registered as the notifier ``sms``.  Chinese SMS providers send only templates approved in advance
(短信模板审核) under an approved signature (短信签名): a message type (``accepted``, ``referred``,
``reply`` …) is sent as its template code with parameters taken from the message's values
(tracking number, due date …), never as free text.  A message type without a template code is a
failed delivery naming the type and the setting (retried, then dead with a staff alert), never
dropped.  Settings (``[settings.sms]`` of petitionkit.toml)::

    [settings.sms]
    provider = "aliyun"                  # "aliyun" (Alibaba Cloud SMS) or "http" (a generic gateway)
    sign_name = "某县人大信访"             # the approved signature
    access_key_id_env = "PETITIONKIT_SMS_ACCESS_KEY_ID"          # aliyun: variable names, never values
    access_key_secret_env = "PETITIONKIT_SMS_ACCESS_KEY_SECRET"

    [settings.sms.templates.accepted]    # one table per message type: the approved code and its params
    code = "SMS_276450001"
    params = { no = "tracking_number", due = "handling_due" }   # template variable -> message value

Secrets come from environment variables named in the settings.  HTTPS only (certificates verified,
``ca_file`` for an office CA; ``http://`` only to loopback with ``allow_insecure_loopback``, for tests).
"""

from __future__ import annotations

import logging
import os
import re
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
from petitionkit.transport import is_loopback
from petitionkit_sms.providers import (
    ALIYUN_ENDPOINT,
    AliyunSms,
    HttpGateway,
    ProviderError,
    RateLimited,
    SmsProvider,
)

__all__ = [
    "AliyunSms",
    "HttpGateway",
    "ProviderError",
    "RateLimited",
    "SmsNotifier",
    "SmsProvider",
    "SmsSettings",
    "SmsTable",
    "SmsTemplate",
    "TemplateMissing",
    "build_provider",
    "petitionkit_declare_settings",
    "petitionkit_register_notifiers",
]

NAME = "sms"
SECTION = f"settings.{NAME}"
PROVIDERS = ("aliyun", "http")
PHONE = re.compile(r"^\+?[0-9]{5,20}$")

log = logging.getLogger("petitionkit.sms")


class TemplateMissing(ProviderError):
    """No approved template is configured for a message's type (or a parameter it names is absent)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, retryable=False)


@attrs.frozen
class SmsTemplate:
    """``[settings.sms.templates.<type>]``: the provider's approved template code and its parameters."""

    code: str = attrs.field(validator=settings.nonblank)
    params: Mapping[str, str] = attrs.field(factory=dict)  # template variable -> message value name


@attrs.frozen
class SmsTable:
    """``[settings.sms]`` as written, declared through ``petitionkit_declare_settings``."""

    provider: str = attrs.field(validator=settings.one_of(*PROVIDERS))
    sign_name: str = attrs.field(validator=settings.nonblank)
    templates: Mapping[str, SmsTemplate] = attrs.field(factory=dict)
    endpoint: str | None = attrs.field(default=None, validator=settings.http_url)
    # aliyun
    access_key_id_env: str | None = attrs.field(default=None, validator=settings.nonblank)
    access_key_secret_env: str | None = attrs.field(default=None, validator=settings.nonblank)
    region: str = attrs.field(default="cn-hangzhou", validator=settings.nonblank)
    # http gateway
    token_env: str | None = attrs.field(default=None, validator=settings.nonblank)
    auth_header: str = attrs.field(default="Authorization", validator=settings.nonblank)
    auth_scheme: str = "Bearer"
    body: Mapping[str, Any] | None = None
    id_field: str = attrs.field(default="message_id", validator=settings.nonblank)
    # both
    timeout: float = attrs.field(default=10.0, validator=settings.greater_than(0))
    ca_file: str | None = attrs.field(default=None, validator=settings.nonblank)
    allow_insecure_loopback: bool = False


@attrs.frozen
class SmsSettings:
    table: SmsTable
    secrets: Mapping[str, str] = attrs.field(repr=False, factory=dict)

    @classmethod
    def from_config(cls, config: OfficeConfig, env: Mapping[str, str] | None = None) -> SmsSettings:
        """Read ``[settings.sms]``; every problem is a ConfigurationError naming the key and what to do."""
        env = os.environ if env is None else env
        if NAME not in config.settings:
            raise settings.SettingError(SECTION, "missing", section=SECTION, keys="provider, sign_name")
        table = settings.read_settings(config, NAME, SmsTable)
        endpoint = table.endpoint or (ALIYUN_ENDPOINT if table.provider == "aliyun" else None)
        if endpoint is None:
            raise ConfigurationError(
                f"{SECTION}.endpoint", 'provider = "http" needs endpoint, the gateway\'s https URL'
            )
        parts = urlsplit(endpoint)
        if parts.scheme != "https" and not (table.allow_insecure_loopback and is_loopback(parts.hostname or "")):
            raise ConfigurationError(
                f"{SECTION}.endpoint",
                f"{endpoint!r} is plain http; use https (http only to loopback, with allow_insecure_loopback)",
            )
        if table.ca_file is not None and not os.path.isfile(table.ca_file):
            raise ConfigurationError(f"{SECTION}.ca_file", f"{table.ca_file!r} is not a file; give a PEM CA file")

        def secret(key: str, variable: str | None, needed: bool) -> dict[str, str]:
            if variable is None:
                if needed:
                    raise ConfigurationError(
                        f"{SECTION}.{key}",
                        f"provider = {table.provider!r} needs {key}: the name of the "
                        "environment variable holding it (never the value itself)",
                    )
                return {}
            value = env.get(variable)
            if not value:
                raise settings.SettingError(f"{SECTION}.{key}", "env_unset", name=variable)
            return {key: value}

        secrets: dict[str, str] = {}
        if table.provider == "aliyun":
            secrets |= secret("access_key_id_env", table.access_key_id_env, True)
            secrets |= secret("access_key_secret_env", table.access_key_secret_env, True)
        else:
            secrets |= secret("token_env", table.token_env, False)
        return cls(attrs.evolve(table, endpoint=endpoint), secrets)


def build_provider(s: SmsSettings) -> SmsProvider:
    t = s.table
    assert t.endpoint is not None  # filled by from_config
    if t.provider == "aliyun":
        return AliyunSms(
            s.secrets["access_key_id_env"],
            s.secrets["access_key_secret_env"],
            sign_name=t.sign_name,
            endpoint=t.endpoint,
            region=t.region,
            timeout=t.timeout,
            ca_file=t.ca_file,
        )
    return HttpGateway(
        t.endpoint,
        sign_name=t.sign_name,
        token=s.secrets.get("token_env"),
        auth_header=t.auth_header,
        auth_scheme=t.auth_scheme,
        body=t.body,
        id_field=t.id_field,
        timeout=t.timeout,
        ca_file=t.ca_file,
    )


def _text(value: Any) -> str:
    return "" if value is None else str(value)


class SmsNotifier:
    """Sends each message as its type's approved template; raises on every failure (the dispatcher retries)."""

    def __init__(self, provider: SmsProvider, templates: Mapping[str, SmsTemplate]) -> None:
        self.provider = provider
        self.templates = templates

    def template_params(self, message: Message) -> tuple[str, dict[str, str]]:
        """``(template code, params)`` for ``message``, or :class:`TemplateMissing` naming what to configure."""
        kind = message.message_type
        template = self.templates.get(kind) if kind is not None else None
        if template is None:
            raise TemplateMissing(
                f"no SMS template for message type {kind!r}: add [{SECTION}.templates.{kind}] with the "
                "provider's approved template code"
            )
        params: dict[str, str] = {}
        for variable, source in template.params.items():
            if source not in message.params:
                raise TemplateMissing(
                    f"{SECTION}.templates.{kind}.params.{variable}: message type {kind!r} has no value "
                    f"{source!r}; use one of: {', '.join(sorted(message.params))}"
                )
            params[variable] = _text(message.params[source])
        return template.code, params

    def send(self, message: Message) -> None:
        phone = message.recipient.replace(" ", "").replace("-", "")
        if not PHONE.match(phone):  # the number itself is never put in an error: errors are logged and kept
            raise ProviderError("the recipient is not a mainland mobile number", retryable=False)
        code, params = self.template_params(message)
        try:
            provider_id = self.provider.send(phone, code, params, request_id=message.idempotency_key)
        except ProviderError as exc:
            # A provider's answer may echo the number or the values sent: strike them (and identity shapes).
            exc.args = (scrub(str(exc.args[0]) if exc.args else "", [phone, *params.values()]),)
            raise
        log.info("SMS %s sent as %s (provider id %s)", message.idempotency_key, code, provider_id)


def factory(config: OfficeConfig) -> SmsNotifier:
    s = SmsSettings.from_config(config)
    return SmsNotifier(build_provider(s), s.table.templates)


@hookimpl
def petitionkit_declare_settings(register: Callable[..., Any]) -> None:
    register(NAME, SmsTable)


@hookimpl
def petitionkit_register_notifiers(register: Callable[..., Any]) -> None:
    register("sms", factory)
