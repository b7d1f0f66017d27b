"""The e-mail notifier against TLS SMTP servers on loopback with a certificate made in the test (trustme).

Implicit TLS and STARTTLS are each refused until the test's CA is configured as ``ca_file``; a server
that does not offer STARTTLS is a failure, not a fallback; a login is never sent over plain text.
"""

from __future__ import annotations

import smtplib
import socket
import ssl
from collections.abc import Iterator
from email import message_from_bytes, policy
from email.message import EmailMessage as Mail
from pathlib import Path
from typing import Any

import pytest
import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from petitionkit_smtp import SmtpNotifier, SmtpSecurityError, SmtpSettings, factory

from petitionkit.config import OfficeConfig
from petitionkit.errors import ConfigurationError
from petitionkit.notify import Message
from petitionkit.plugins import make_plugin_manager
from petitionkit.testing import FakeClock, office_settings, open_test_office, sample_petition

SENDER = "人大信访室 <xinfang@rd.example.cn>"
MESSAGE = Message("zs@example.com", "email", "信访事项受理告知", "您反映的事项已受理。\n", "case:4:accepted:zs")


class Inbox:
    def __init__(self) -> None:
        self.mails: list[tuple[list[str], Mail]] = []
        self.logins: list[tuple[str, bool]] = []  # (user, over TLS)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd API
        self.mails.append((list(envelope.rcpt_tos), message_from_bytes(envelope.content, policy=policy.default)))
        return "250 OK"

    def authenticate(self, server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
        if not isinstance(data, LoginPassword):
            return AuthResult(success=False, handled=False)
        over_tls = session.ssl is not None or server.transport.get_extra_info("ssl_object") is not None
        self.logins.append((data.login.decode(), over_tls))
        return AuthResult(success=data.login == b"xinfang" and data.password == b"s3cret", handled=False)


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture
def ca_file(ca: trustme.CA, tmp_path: Path) -> str:
    path = tmp_path / "office-ca.pem"
    ca.cert_pem.write_to_path(str(path))
    return str(path)


def _server_context(ca: trustme.CA) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1", "localhost").configure_cert(context)
    return context


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _serve(inbox: Inbox, **kwargs: Any) -> Iterator[int]:
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port(), authenticator=inbox.authenticate, **kwargs)
    controller.start()
    try:
        yield controller.port
    finally:
        controller.stop()


@pytest.fixture
def implicit_tls(ca: trustme.CA) -> Iterator[tuple[Inbox, int]]:
    """Implicit TLS (SMTPS, as on port 465)."""
    inbox = Inbox()
    # aiosmtpd does not count a TLS transport as TLS for AUTH; the whole connection is TLS here
    for port in _serve(inbox, ssl_context=_server_context(ca), auth_require_tls=False):
        yield inbox, port


@pytest.fixture
def starttls(ca: trustme.CA) -> Iterator[tuple[Inbox, int]]:
    """A server that offers STARTTLS and requires it before MAIL."""
    inbox = Inbox()
    for port in _serve(inbox, tls_context=_server_context(ca), require_starttls=True):
        yield inbox, port


@pytest.fixture
def plain(ca: trustme.CA) -> Iterator[tuple[Inbox, int]]:
    """A server that does not offer STARTTLS (and would take a login in plain text)."""
    inbox = Inbox()
    for port in _serve(inbox, auth_require_tls=False):
        yield inbox, port


def _settings(port: int, **kwargs: Any) -> SmtpSettings:
    return SmtpSettings(host="127.0.0.1", sender=SENDER, port=port, **kwargs)


def _config(**email: Any) -> OfficeConfig:
    data = dict(office_settings())
    data["settings"] = {"email": {"sender": SENDER, "host": "127.0.0.1", **email}}
    return OfficeConfig.from_mapping(data)


@pytest.mark.parametrize("fixture", ["implicit_tls", "starttls"])
def test_a_self_signed_server_is_refused_until_its_ca_is_trusted(
    fixture: str, ca_file: str, request: pytest.FixtureRequest
) -> None:
    inbox, port = request.getfixturevalue(fixture)
    security = "tls" if fixture == "implicit_tls" else "starttls"
    with pytest.raises(ssl.SSLCertVerificationError):
        SmtpNotifier(_settings(port, security=security)).send(MESSAGE)
    assert inbox.mails == []

    SmtpNotifier(_settings(port, security=security, ca_file=ca_file)).send(MESSAGE)
    ((rcpts, mail),) = inbox.mails
    assert rcpts == ["zs@example.com"] and mail["X-Petitionkit-Idempotency-Key"] == "case:4:accepted:zs"


@pytest.mark.parametrize("fixture", ["implicit_tls", "starttls"])
def test_the_start_up_check_names_ca_file_for_an_untrusted_certificate(
    fixture: str, request: pytest.FixtureRequest
) -> None:
    _, port = request.getfixturevalue(fixture)
    security = "tls" if fixture == "implicit_tls" else "starttls"
    with pytest.raises(ConfigurationError) as error:
        factory(_config(port=port, security=security))
    text = error.value.message("en")
    assert "settings.email.ca_file" in text and f"127.0.0.1:{port}" in text and "not trusted" in text


def test_a_certificate_for_another_host_is_refused(ca: trustme.CA, tmp_path: Path) -> None:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("smtp.other.example.cn").configure_cert(context)
    ca_path = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_path))
    inbox = Inbox()
    for port in _serve(inbox, ssl_context=context):
        with pytest.raises(ssl.SSLCertVerificationError):
            SmtpNotifier(_settings(port, security="tls", ca_file=str(ca_path))).send(MESSAGE)
    assert inbox.mails == []


def test_starttls_required_but_not_offered_is_a_failure(plain: tuple[Inbox, int], ca_file: str) -> None:
    inbox, port = plain
    notifier = SmtpNotifier(_settings(port, ca_file=ca_file, username="xinfang", password="s3cret"))
    with pytest.raises(SmtpSecurityError, match="does not offer STARTTLS"):
        notifier.send(MESSAGE)
    assert inbox.mails == [] and inbox.logins == []  # no mail, and no password in plain text
    with pytest.raises(ConfigurationError) as error:
        factory(_config(port=port, ca_file=ca_file, check_on_start=True))
    assert "settings.email.security" in error.value.message("en")


def test_starttls_is_the_default(plain: tuple[Inbox, int]) -> None:
    settings = SmtpSettings.from_config(_config(check_on_start=False))
    assert settings.security == "starttls" and settings.port == 587
    assert SmtpSettings.from_config(_config(security="tls")).port == 465


def test_a_login_goes_only_over_tls(starttls: tuple[Inbox, int], implicit_tls: tuple[Inbox, int], ca_file: str) -> None:
    for (inbox, port), security in ((starttls, "starttls"), (implicit_tls, "tls")):
        notifier = SmtpNotifier(
            _settings(port, security=security, ca_file=ca_file, username="xinfang", password="s3cret")
        )
        notifier.send(MESSAGE)
        assert inbox.logins == [("xinfang", True)] and len(inbox.mails) == 1


def test_a_wrong_password_over_tls_names_the_username(starttls: tuple[Inbox, int], ca_file: str) -> None:
    _, port = starttls
    with pytest.raises(ConfigurationError) as error:
        SmtpNotifier(_settings(port, ca_file=ca_file, username="xinfang", password="wrong")).check()
    assert "settings.email.username" in error.value.message("en")


@pytest.mark.parametrize(
    ("email", "key"),
    [
        ({"security": "none", "username": "xinfang", "password_env": "PK_PW"}, "settings.email.username"),
        ({"security": "none", "host": "smtp.example.cn"}, "settings.email.security"),
        ({"security": "none", "host": "10.0.0.5"}, "settings.email.security"),
    ],
)
def test_plain_text_is_only_for_loopback_and_never_with_a_login(email: dict[str, Any], key: str) -> None:
    with pytest.raises(ConfigurationError) as error:
        SmtpSettings.from_config(_config(check_on_start=False, **email), env={"PK_PW": "s3cret"})
    assert key in error.value.message("en")


def test_plain_text_login_is_refused_even_if_settings_are_built_by_hand(plain: tuple[Inbox, int]) -> None:
    inbox, port = plain
    notifier = SmtpNotifier(_settings(port, security="none", username="xinfang", password="s3cret"))
    with pytest.raises(SmtpSecurityError, match="not encrypted"):
        notifier.send(MESSAGE)
    assert inbox.logins == [] and inbox.mails == []


def test_an_office_retries_while_the_ca_is_not_trusted_and_delivers_once_it_is(
    starttls: tuple[Inbox, int], ca_file: str
) -> None:
    inbox, port = starttls
    pm = make_plugin_manager(load_entrypoints=False, extra=[__import__("petitionkit_smtp")])
    clock = FakeClock()

    def office(storage: Any = None, **email: Any) -> Any:
        data = dict(office_settings(notifier="console"))
        data["settings"] = {
            "email": {"host": "127.0.0.1", "port": port, "sender": "xinfang@rd.example.cn", **email},
            "notifications": {"channels": {"email": "email"}, "petitioner_channels": ["email"]},
        }
        return open_test_office(data, plugin_manager=pm, storage=storage, clock=clock)

    untrusting = office(check_on_start=False)
    person = {"name": "张三", "email": "zs@example.com"}
    case = untrusting.register(sample_petition(petitioners=[person], received_at=untrusting.now().isoformat())).case
    untrusting.accept(case.id)
    result = untrusting.dispatch()
    assert (result.sent, result.failed) == (0, 1) and inbox.mails == []  # kept pending, not "sent"

    trusting = office(untrusting.storage, ca_file=ca_file)
    clock.advance(hours=1)  # past the retry delay
    assert trusting.dispatch().sent == 1
    ((rcpts, mail),) = inbox.mails
    assert rcpts == ["zs@example.com"] and case.first_tracking_number in mail["Subject"]


def test_smtplib_would_have_logged_in_without_tls(plain: tuple[Inbox, int]) -> None:
    """The control: the plain server does take a login in plain text, so the refusals above are ours."""
    inbox, port = plain
    with smtplib.SMTP("127.0.0.1", port, timeout=5) as smtp:
        smtp.login("xinfang", "s3cret")
    assert inbox.logins == [("xinfang", False)]
