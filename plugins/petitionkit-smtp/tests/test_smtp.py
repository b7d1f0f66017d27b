"""The e-mail notifier against a plain SMTP server on loopback (aiosmtpd, ``security = "none"``), and its bad settings.

TLS (implicit and STARTTLS, certificate verification, no plain-text login) is in ``test_smtp_tls.py``.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from email import message_from_bytes, policy
from email.message import EmailMessage as Mail
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from petitionkit_smtp import SmtpSettings, factory

from petitionkit.config import OfficeConfig
from petitionkit.errors import ConfigurationError
from petitionkit.notify import Message
from petitionkit.plugins import make_plugin_manager
from petitionkit.testing import office_settings, open_test_office, sample_petition


class Inbox:
    def __init__(self) -> None:
        self.mails: list[tuple[str, list[str], Mail]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd API
        self.mails.append(
            (envelope.mail_from, list(envelope.rcpt_tos), message_from_bytes(envelope.content, policy=policy.default))
        )
        return "250 OK"


@pytest.fixture
def smtp_server() -> Iterator[tuple[Inbox, int]]:
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    try:
        yield inbox, controller.port
    finally:
        controller.stop()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _config(**email: Any) -> OfficeConfig:
    data = dict(office_settings())
    data["settings"] = {"email": {"sender": "人大信访室 <xinfang@rd.example.cn>", **email}}
    return OfficeConfig.from_mapping(data)


def test_sends_one_mail_with_the_idempotency_key(smtp_server: tuple[Inbox, int]) -> None:
    inbox, port = smtp_server
    notifier = factory(_config(host="127.0.0.1", port=port, security="none"))
    notifier.send(
        Message("zs@example.com", "email", "信访事项受理告知", "您反映的事项已受理。\n", "case:4:accepted:zs")
    )
    ((sender, rcpts, mail),) = inbox.mails
    assert sender == "xinfang@rd.example.cn" and rcpts == ["zs@example.com"]
    assert mail["Subject"] == "信访事项受理告知"
    assert mail["X-Petitionkit-Idempotency-Key"] == "case:4:accepted:zs"
    assert mail.get_content().strip() == "您反映的事项已受理。"  # type: ignore[attr-defined]


def test_an_office_delivers_email_through_the_plugin(smtp_server: tuple[Inbox, int]) -> None:
    inbox, port = smtp_server
    data = dict(office_settings(notifier="console"))
    data["settings"] = {
        "email": {"host": "127.0.0.1", "port": port, "security": "none", "sender": "xinfang@rd.example.cn"},
        "notifications": {"channels": {"email": "email"}, "petitioner_channels": ["email"]},
    }
    pm = make_plugin_manager(load_entrypoints=False, extra=[__import__("petitionkit_smtp")])
    office = open_test_office(data, plugin_manager=pm)
    person = {"name": "张三", "email": "zs@example.com"}
    case = office.register(sample_petition(petitioners=[person], received_at=office.now().isoformat())).case
    office.accept(case.id)
    assert office.dispatch().sent == 1
    ((_, rcpts, mail),) = inbox.mails
    assert rcpts == ["zs@example.com"] and case.first_tracking_number in mail["Subject"]


def test_an_unreachable_server_is_a_clear_configuration_error() -> None:
    port = _free_port()  # nothing listens there
    with pytest.raises(ConfigurationError) as error:
        factory(_config(host="127.0.0.1", port=port, security="none"))
    text = error.value.message("en")
    assert f"127.0.0.1:{port}" in text and "settings.email.host" in text and "check host, port" in text


@pytest.mark.parametrize(
    ("email", "key"),
    [
        ({"port": 25}, "settings.email.host"),
        ({"host": "h", "sender": "nobody"}, "settings.email.sender"),
        ({"host": "h", "port": "25"}, "settings.email.port"),
        ({"host": "h", "username": "u"}, "settings.email.password_env"),
        ({"host": "h", "username": "u", "password_env": "PK_TEST_UNSET_PASSWORD"}, "PK_TEST_UNSET_PASSWORD"),
        ({"host": "h", "bogus": 1}, "settings.email.bogus"),
        ({"host": "h", "security": "ssl"}, "settings.email.security"),
        ({"host": "h", "starttls": True}, "settings.email.starttls"),
        ({"host": "h", "ca_file": "/nonexistent/ca.pem"}, "settings.email.ca_file"),
    ],
)
def test_bad_settings_name_the_key(email: dict[str, Any], key: str) -> None:
    with pytest.raises(ConfigurationError) as error:
        SmtpSettings.from_config(_config(**email), env={})
    assert key in error.value.message("en")


def test_missing_section_is_a_configuration_error_at_open_office() -> None:
    pm = make_plugin_manager(load_entrypoints=False, extra=[__import__("petitionkit_smtp")])
    with pytest.raises(ConfigurationError) as error:
        open_test_office(office_settings(notifier="email"), plugin_manager=pm)
    assert "settings.email" in error.value.message("en")


def test_password_comes_from_the_environment_and_is_not_shown() -> None:
    settings = SmtpSettings.from_config(
        _config(host="h", username="u", password_env="PK_PW", check_on_start=False), env={"PK_PW": "s3cret"}
    )
    assert settings.password == "s3cret" and "s3cret" not in repr(settings)


def test_the_channel_router_builds_the_email_notifier_and_reports_a_dead_host() -> None:
    """With ``channels = {email = "email"}`` the e-mail factory runs when the router is built."""
    from petitionkit.notifications import build_router  # noqa: PLC0415

    data = dict(office_settings())
    data["settings"] = {
        "email": {"host": "127.0.0.1", "port": _free_port(), "sender": "xinfang@rd.example.cn"},
        "notifications": {"channels": {"email": "email"}},
    }
    pm = make_plugin_manager(load_entrypoints=False, extra=[__import__("petitionkit_smtp")])
    with pytest.raises(ConfigurationError) as error:
        build_router(pm, OfficeConfig.from_mapping(data))
    assert "cannot reach the SMTP server 127.0.0.1:" in error.value.message("en")


class RefusingInbox(Inbox):
    """Refuses one mailbox permanently and another for now, echoing the address as real servers do."""

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:  # noqa: N802
        if address.startswith("gone"):
            return f"550 5.1.1 <{address}>: Recipient address rejected: User unknown"
        if address.startswith("full"):
            return f"452 4.2.2 <{address}>: mailbox full, try later"
        envelope.rcpt_tos.append(address)
        return "250 OK"


def test_a_refused_recipient_fails_without_the_address_in_the_error() -> None:
    from petitionkit.notify import DeliveryError  # noqa: PLC0415

    inbox = RefusingInbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    try:
        notifier = factory(_config(host="127.0.0.1", port=controller.port, security="none"))
        for address, retryable in (("gone.zhangsan@example.com", False), ("full.lisi@example.com", True)):
            with pytest.raises(DeliveryError) as error:
                notifier.send(Message(address, "email", "告知", "正文\n", "case:4:accepted:p-email-1"))
            text = str(error.value)
            assert address not in text and "<***>" in text and error.value.retryable is retryable
            assert ("550" in text) is not retryable and error.value.__cause__ is None
        with pytest.raises(DeliveryError, match="not an e-mail address") as error:
            notifier.send(Message("13800138000", "email", "告知", "正文\n", "k"))
        assert "13800138000" not in str(error.value) and error.value.retryable is False
    finally:
        controller.stop()
    assert inbox.mails == []
