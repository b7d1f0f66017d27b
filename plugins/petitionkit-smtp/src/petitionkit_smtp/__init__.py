"""E-mail notifier for petitionkit (电子邮件通知): delivers messages over SMTP.

Registered as the notifier ``email``.  Settings (``[settings.email]`` of petitionkit.toml)::

    [settings.email]
    host = "smtp.example.cn"       # required
    port = 587                     # default 25
    starttls = true                # default false
    username = "xinfang"           # optional; then the password comes from the environment
    password_env = "PETITIONKIT_SMTP_PASSWORD"  # name of the variable holding the password
    sender = "人大信访室 <xinfang@example.cn>"   # required: the From address
    timeout = 10                   # seconds, per connection
    check_on_start = true          # connect once when the office opens (fail fast)

The factory checks the settings and (unless ``check_on_start = false``) connects, so an unreachable
server or a bad login is a :class:`~petitionkit.errors.ConfigurationError` when the office opens,
naming the host and port.  Each message gets a ``Message-ID`` derived from its idempotency key and an
``X-Petitionkit-Idempotency-Key`` header, so a redelivered message can be recognised.
"""

from __future__ import annotations

import hashlib
import os
import smtplib
from collections.abc import Callable, Mapping
from email.message import EmailMessage
from email.utils import formatdate, parseaddr
from typing import Any

import attrs

from petitionkit import settings
from petitionkit.config import OfficeConfig
from petitionkit.errors import ConfigurationError
from petitionkit.hookspecs import hookimpl
from petitionkit.notify import Message

__all__ = [
    "SmtpNotifier",
    "SmtpSettings",
    "SmtpTable",
    "petitionkit_declare_settings",
    "petitionkit_register_notifiers",
]

NAME = "email"
SECTION = f"settings.{NAME}"
START_TIMEOUT = 5.0  # seconds for the start-up check: a wrong host fails fast


def _address(_: Any, attribute: attrs.Attribute[Any], value: str) -> None:
    if "@" not in parseaddr(value)[1]:
        raise settings.SettingProblem(attribute.name, "email")


@attrs.frozen
class SmtpTable:
    """``[settings.email]`` as written, declared through ``petitionkit_declare_settings``."""

    host: str = attrs.field(converter=str.strip, validator=settings.nonblank)
    sender: str = attrs.field(validator=_address)
    port: int = attrs.field(default=25, validator=settings.between(1, 65535))
    starttls: bool = False
    username: str | None = attrs.field(default=None, validator=settings.nonblank)
    password_env: str | None = attrs.field(default=None, validator=settings.nonblank)
    timeout: float = attrs.field(default=10.0, validator=settings.greater_than(0))
    check_on_start: bool = True

    def __attrs_post_init__(self) -> None:
        if self.username is not None and self.password_env is None:
            raise settings.SettingProblem("password_env", "required_with", other="username")


@attrs.frozen
class SmtpSettings:
    host: str
    sender: str
    port: int = 25
    starttls: bool = False
    username: str | None = None
    password: str | None = attrs.field(default=None, repr=False)
    timeout: float = 10.0
    check_on_start: bool = True

    @classmethod
    def from_config(cls, config: OfficeConfig, env: Mapping[str, str] | None = None) -> SmtpSettings:
        """Read ``[settings.email]``; every problem is a ConfigurationError naming the key."""
        env = os.environ if env is None else env
        if NAME not in config.settings:
            raise settings.SettingError(SECTION, "missing", section=SECTION, keys="host, sender")
        table = settings.read_settings(config, NAME, SmtpTable)
        password = None
        if table.username is not None and table.password_env is not None:
            password = env.get(table.password_env)
            if not password:
                raise settings.SettingError(f"{SECTION}.password_env", "env_unset", name=table.password_env)
        return cls(
            host=table.host,
            sender=table.sender,
            port=table.port,
            starttls=table.starttls,
            username=table.username,
            password=password,
            timeout=table.timeout,
            check_on_start=table.check_on_start,
        )


class SmtpNotifier:
    """Sends each message as one e-mail; raises on any SMTP or network error (the dispatcher retries)."""

    def __init__(self, settings: SmtpSettings) -> None:
        self.settings = settings

    def _connect(self, timeout: float) -> smtplib.SMTP:
        s = self.settings
        smtp = smtplib.SMTP(s.host, s.port, timeout=timeout)
        try:
            smtp.ehlo()
            if s.starttls:
                smtp.starttls()
                smtp.ehlo()
            if s.username is not None and s.password is not None:
                smtp.login(s.username, s.password)
        except BaseException:
            smtp.close()
            raise
        return smtp

    def check(self) -> None:
        """Connect (and log in) once; a ConfigurationError says what failed and what to do."""
        s = self.settings
        where = f"{s.host}:{s.port}"
        try:
            smtp = self._connect(min(s.timeout, START_TIMEOUT))
        except smtplib.SMTPAuthenticationError:
            raise ConfigurationError(
                f"{SECTION}.username", f"the SMTP server {where} refused the login; check username and password"
            ) from None
        except (OSError, smtplib.SMTPException) as exc:
            raise ConfigurationError(
                f"{SECTION}.host",
                f"cannot reach the SMTP server {where} ({type(exc).__name__}: {exc}); check host, port and "
                "starttls, that the server runs and the firewall lets this machine through "
                "(or set check_on_start = false)",
            ) from None
        smtp.quit()

    def compose(self, message: Message) -> EmailMessage:
        mail = EmailMessage()
        mail["From"] = self.settings.sender
        mail["To"] = message.recipient
        mail["Subject"] = message.subject
        mail["Date"] = formatdate(localtime=True)
        digest = hashlib.sha256(message.idempotency_key.encode()).hexdigest()[:40]
        domain = parseaddr(self.settings.sender)[1].rpartition("@")[2] or "petitionkit"
        mail["Message-ID"] = f"<{digest}@{domain}>"
        mail["X-Petitionkit-Idempotency-Key"] = message.idempotency_key
        mail.set_content(message.body)
        return mail

    def send(self, message: Message) -> None:
        if "@" not in message.recipient:
            raise ValueError(f"not an e-mail address: {message.recipient!r}")
        smtp = self._connect(self.settings.timeout)
        try:
            smtp.send_message(self.compose(message))
        finally:
            try:
                smtp.quit()
            except smtplib.SMTPException:
                smtp.close()


def factory(config: OfficeConfig) -> SmtpNotifier:
    notifier = SmtpNotifier(SmtpSettings.from_config(config))
    if notifier.settings.check_on_start:
        notifier.check()
    return notifier


@hookimpl
def petitionkit_declare_settings(register: Callable[..., Any]) -> None:
    register(NAME, SmtpTable)


@hookimpl
def petitionkit_register_notifiers(register: Callable[..., Any]) -> None:
    register("email", factory)
