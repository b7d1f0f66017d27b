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

from petitionkit.config import OfficeConfig
from petitionkit.errors import ConfigurationError
from petitionkit.hookspecs import hookimpl
from petitionkit.notify import Message

__all__ = ["SmtpNotifier", "SmtpSettings", "petitionkit_register_notifiers"]

SECTION = "settings.email"
START_TIMEOUT = 5.0  # seconds for the start-up check: a wrong host fails fast


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
        raw = config.settings.get("email")
        if not isinstance(raw, Mapping):
            raise ConfigurationError(SECTION, "is missing: add [settings.email] with at least host and sender")
        known = {"host", "port", "starttls", "username", "password_env", "sender", "timeout", "check_on_start"}
        unknown = sorted(set(raw) - known)
        if unknown:
            raise ConfigurationError(f"{SECTION}.{unknown[0]}", f"unknown key; expected one of {sorted(known)}")
        host = raw.get("host")
        if not isinstance(host, str) or not host.strip():
            raise ConfigurationError(f"{SECTION}.host", "is required: the SMTP server's host name")
        sender = raw.get("sender")
        if not isinstance(sender, str) or "@" not in parseaddr(sender)[1]:
            raise ConfigurationError(f"{SECTION}.sender", "is required: a From address, e.g. xinfang@example.cn")
        port = raw.get("port", 25)
        if isinstance(port, bool) or not isinstance(port, int) or not 0 < port < 65536:
            raise ConfigurationError(f"{SECTION}.port", "must be a port number (25, 465, 587 ...)")
        timeout = raw.get("timeout", 10)
        if isinstance(timeout, bool) or not isinstance(timeout, int | float) or timeout <= 0:
            raise ConfigurationError(f"{SECTION}.timeout", "must be a positive number of seconds")
        username = raw.get("username")
        password = None
        if username is not None:
            name = raw.get("password_env")
            if not isinstance(name, str) or not name:
                raise ConfigurationError(
                    f"{SECTION}.password_env", "is required with username: the environment variable with the password"
                )
            password = env.get(name)
            if not password:
                raise ConfigurationError(f"{SECTION}.password_env", f"the environment variable {name} is not set")
        return cls(
            host=host.strip(),
            sender=sender,
            port=port,
            starttls=bool(raw.get("starttls", False)),
            username=username,
            password=password,
            timeout=float(timeout),
            check_on_start=bool(raw.get("check_on_start", True)),
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
def petitionkit_register_notifiers(register: Callable[..., Any]) -> None:
    register("email", factory)
