"""E-mail notifier for petitionkit (电子邮件通知): delivers messages over SMTP, encrypted and verified.

Registered as the notifier ``email``.  Settings (``[settings.email]`` of petitionkit.toml)::

    [settings.email]
    host = "smtp.example.cn"       # required
    security = "starttls"          # "starttls" (default, required), "tls" (implicit TLS, port 465),
                                   # or "none" (loopback hosts only, no login: tests and development)
    port = 587                     # default: 587 for starttls, 465 for tls, 25 for none
    ca_file = "/etc/petitionkit/office-ca.pem"  # optional: trust this CA too (an office CA, self-signed)
    username = "xinfang"           # optional; then the password comes from the environment
    password_env = "PETITIONKIT_SMTP_PASSWORD"  # name of the variable holding the password
    sender = "人大信访室 <xinfang@example.cn>"   # required: the From address
    timeout = 10                   # seconds, per connection
    check_on_start = true          # connect once when the office opens (fail fast)

The server's certificate is always verified (``ssl.create_default_context()``: chain and host name)
against the system's CAs plus ``ca_file``.  With ``starttls`` a server that does not offer STARTTLS is
a failure, never a fallback to plain text; a login is only ever sent over TLS.

The factory checks the settings and (unless ``check_on_start = false``) connects, so an unreachable
server, an untrusted certificate or a bad login is a :class:`~petitionkit.errors.ConfigurationError`
when the office opens, naming the host and port.  Each message gets a ``Message-ID`` derived from its
idempotency key and an ``X-Petitionkit-Idempotency-Key`` header, so a redelivered message can be
recognised.
"""

from __future__ import annotations

import hashlib
import os
import smtplib
import ssl
from collections.abc import Callable, Mapping
from email.message import EmailMessage
from email.utils import formatdate, parseaddr
from typing import Any

import attrs

from petitionkit import settings
from petitionkit.config import OfficeConfig
from petitionkit.errors import ConfigurationError
from petitionkit.hookspecs import hookimpl
from petitionkit.notify import DeliveryError, Message
from petitionkit.redaction import scrub
from petitionkit.transport import is_loopback, verified_context

__all__ = [
    "SECURITY_MODES",
    "SmtpNotifier",
    "SmtpSecurityError",
    "SmtpSettings",
    "SmtpTable",
    "petitionkit_declare_settings",
    "petitionkit_register_notifiers",
]

NAME = "email"
SECTION = f"settings.{NAME}"
START_TIMEOUT = 5.0  # seconds for the start-up check: a wrong host fails fast
STARTTLS, TLS, NONE = "starttls", "tls", "none"
SECURITY_MODES = (STARTTLS, TLS, NONE)
DEFAULT_PORTS = {STARTTLS: 587, TLS: 465, NONE: 25}


class SmtpSecurityError(smtplib.SMTPException):
    """The connection cannot be made as secure as configured (e.g. STARTTLS required but not offered)."""


def _address(_: Any, attribute: attrs.Attribute[Any], value: str) -> None:
    if "@" not in parseaddr(value)[1]:
        raise settings.SettingProblem(attribute.name, "email")


@attrs.frozen
class SmtpTable:
    """``[settings.email]`` as written, declared through ``petitionkit_declare_settings``."""

    host: str = attrs.field(converter=str.strip, validator=settings.nonblank)
    sender: str = attrs.field(validator=_address)
    security: str = attrs.field(default=STARTTLS, validator=settings.one_of(*SECURITY_MODES))
    port: int | None = attrs.field(default=None, validator=attrs.validators.optional(settings.between(1, 65535)))
    ca_file: str | None = attrs.field(default=None, validator=settings.nonblank)
    username: str | None = attrs.field(default=None, validator=settings.nonblank)
    password_env: str | None = attrs.field(default=None, validator=settings.nonblank)
    timeout: float = attrs.field(default=10.0, validator=settings.greater_than(0))
    check_on_start: bool = True
    starttls: bool | None = None  # removed in favour of ``security``; still read so its error says what to do

    def __attrs_post_init__(self) -> None:
        if self.username is not None and self.password_env is None:
            raise settings.SettingProblem("password_env", "required_with", other="username")


@attrs.frozen
class SmtpSettings:
    host: str
    sender: str
    security: str = STARTTLS
    port: int = 587
    ca_file: str | None = None
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
        if table.starttls is not None:
            raise ConfigurationError(
                f"{SECTION}.starttls",
                'starttls is no longer a setting: remove it and set security = "starttls" (the default: '
                'STARTTLS required, certificate verified) or security = "tls" (implicit TLS, port 465)',
            )
        if table.security == NONE:
            if not is_loopback(table.host):
                raise ConfigurationError(
                    f"{SECTION}.security",
                    f'security = "none" (plain text) is allowed only to a loopback host, not {table.host!r}; '
                    'use security = "starttls" or "tls"',
                )
            if table.username is not None:
                raise ConfigurationError(
                    f"{SECTION}.username",
                    'a login is never sent over plain text: with security = "none" remove username and '
                    'password_env, or use security = "starttls" or "tls"',
                )
        if table.ca_file is not None and not os.path.isfile(table.ca_file):
            raise ConfigurationError(
                f"{SECTION}.ca_file", f"{table.ca_file!r} is not a file; give the PEM file of the CA to trust"
            )
        password = None
        if table.username is not None and table.password_env is not None:
            password = env.get(table.password_env)
            if not password:
                raise settings.SettingError(f"{SECTION}.password_env", "env_unset", name=table.password_env)
        return cls(
            host=table.host,
            sender=table.sender,
            security=table.security,
            port=table.port if table.port is not None else DEFAULT_PORTS[table.security],
            ca_file=table.ca_file,
            username=table.username,
            password=password,
            timeout=table.timeout,
            check_on_start=table.check_on_start,
        )


def tls_context(ca_file: str | None = None) -> ssl.SSLContext:
    """A verifying client context: the system's CAs, plus ``ca_file`` when given."""
    return verified_context(ca_file)


class SmtpNotifier:
    """Sends each message as one e-mail; raises on any SMTP, TLS or network error (the dispatcher retries)."""

    def __init__(self, settings: SmtpSettings) -> None:
        self.settings = settings
        self.context = None if settings.security == NONE else tls_context(settings.ca_file)

    def _connect(self, timeout: float) -> smtplib.SMTP:
        s = self.settings
        smtp: smtplib.SMTP
        if s.security == TLS:
            smtp = smtplib.SMTP_SSL(s.host, s.port, timeout=timeout, context=self.context)
        else:
            smtp = smtplib.SMTP(s.host, s.port, timeout=timeout)
        try:
            smtp.ehlo()
            if s.security == STARTTLS:
                if not smtp.has_extn("starttls"):
                    raise SmtpSecurityError(
                        f"the SMTP server {s.host}:{s.port} does not offer STARTTLS; nothing was sent in plain text"
                    )
                smtp.starttls(context=self.context)
                smtp.ehlo()
            if s.username is not None and s.password is not None:
                if not isinstance(smtp.sock, ssl.SSLSocket):  # defence in depth: settings refuse this already
                    raise SmtpSecurityError("refusing to log in over a connection that is not encrypted")
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
        except ssl.SSLCertVerificationError as exc:
            raise ConfigurationError(
                f"{SECTION}.ca_file",
                f"the certificate of the SMTP server {where} is not trusted ({exc.verify_message}); if the office "
                "uses its own CA or a self-signed certificate, set ca_file to its PEM file; check that host is "
                "the name on the certificate",
            ) from None
        except SmtpSecurityError as exc:
            raise ConfigurationError(
                f"{SECTION}.security",
                f'{exc}; enable STARTTLS on the server, or use security = "tls" if it speaks implicit TLS (port 465)',
            ) from None
        except (OSError, smtplib.SMTPException) as exc:
            raise ConfigurationError(
                f"{SECTION}.host",
                f"cannot reach the SMTP server {where} ({type(exc).__name__}: {exc}); check host, port and "
                "security, that the server runs and the firewall lets this machine through "
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
        """Send one e-mail.  Every failure is a :class:`~petitionkit.notify.DeliveryError` whose text holds
        neither the address nor anything shaped like one (servers echo recipients in their replies):
        a refused recipient or another permanent (5xx) reply is final, anything else is retried."""
        if "@" not in message.recipient:
            raise DeliveryError("the recipient is not an e-mail address", retryable=False)
        try:
            smtp = self._connect(self.settings.timeout)
            try:
                smtp.send_message(self.compose(message))
            finally:
                try:
                    smtp.quit()
                except smtplib.SMTPException:
                    smtp.close()
        except smtplib.SMTPRecipientsRefused as exc:
            codes = sorted({code for code, _ in exc.recipients.values()})
            replies = "; ".join(_reply(reply, message.recipient) for _, reply in exc.recipients.values())
            raise DeliveryError(
                f"the SMTP server refused the recipient ({', '.join(map(str, codes))}: {replies})",
                retryable=any(400 <= c < 500 for c in codes),
            ) from None
        except smtplib.SMTPResponseException as exc:
            reply = _reply(exc.smtp_error, message.recipient)
            raise DeliveryError(
                f"the SMTP server answered {exc.smtp_code} ({type(exc).__name__}: {reply})",
                retryable=not 500 <= exc.smtp_code < 600,
            ) from None
        except (SmtpSecurityError, ssl.SSLError):
            raise  # about the server and its certificate, never the recipient: kept as they are
        except (OSError, smtplib.SMTPException) as exc:
            text = scrub(f"{type(exc).__name__}: {exc}", [message.recipient])
            raise DeliveryError(f"sending through {self.settings.host}:{self.settings.port} failed: {text}") from None


def _reply(reply: bytes | str, recipient: str) -> str:
    """An SMTP reply's text, one line, with the recipient and identity shapes struck."""
    text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)
    return scrub(" ".join(text.split()), [recipient])[:200]


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
