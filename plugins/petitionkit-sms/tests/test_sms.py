"""The SMS notifier against loopback servers that speak each provider's protocol (signatures verified).

The Alibaba Cloud fake checks every request's HMAC-SHA1 signature with its own implementation of the
documented algorithm; the gateway fake checks the token.  Both answer as scripted: success, a
provider error, a rate limit.  Nothing leaves 127.0.0.1.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import urllib.parse
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from petitionkit_sms import (
    AliyunSms,
    HttpGateway,
    ProviderError,
    RateLimited,
    SmsNotifier,
    SmsSettings,
    SmsTemplate,
    TemplateMissing,
    factory,
)
from petitionkit_sms.providers import aliyun_signature, aliyun_string_to_sign

from petitionkit.config import OfficeConfig
from petitionkit.errors import ConfigurationError
from petitionkit.notify import Message
from petitionkit.plugins import make_plugin_manager
from petitionkit.storage.base import OutboxStatus
from petitionkit.testing import FakeClock, office_settings, open_test_office, sample_petition

KEY_ID, KEY_SECRET, TOKEN = "LTAI-test-id", "test-secret-made-in-the-test", "gateway-token-made-in-the-test"
ENV = {"PK_SMS_KEY_ID": KEY_ID, "PK_SMS_KEY_SECRET": KEY_SECRET, "PK_SMS_TOKEN": TOKEN}
ACCEPTED = {"code": "SMS_276450001", "params": {"no": "tracking_number", "due": "handling_due"}}


class FakeProvider:
    """A loopback HTTP server answering from a script; records every request it verified."""

    def __init__(self) -> None:
        self.script: list[tuple[int, dict[str, Any], dict[str, str]]] = []  # (status, JSON body, headers)
        self.requests: list[dict[str, Any]] = []
        self.refused: list[str] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers["Content-Length"]))
                status, body, headers = fake.handle(self.path, dict(self.headers), raw)
                data = json.dumps(body).encode()
                self.send_response(status)
                for name, value in {"Content-Type": "application/json", **headers}.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/"

    def answer(self, status: int, body: dict[str, Any], **headers: str) -> None:
        self.script.append((status, body, headers))

    def handle(self, path: str, headers: dict[str, str], raw: bytes) -> tuple[int, dict[str, Any], dict[str, str]]:
        raise NotImplementedError

    def next_answer(
        self, default: tuple[int, dict[str, Any], dict[str, str]]
    ) -> tuple[int, dict[str, Any], dict[str, str]]:
        return self.script.pop(0) if self.script else default


class FakeAliyun(FakeProvider):
    """Speaks Dysmsapi SendSms: form POST, RPC signature 1.0 checked independently of the plugin."""

    @staticmethod
    def expected_signature(form: dict[str, str]) -> str:
        unsigned = {k: v for k, v in form.items() if k != "Signature"}
        enc = lambda s: urllib.parse.quote(s, safe="~")  # noqa: E731 - RFC 3986, as the docs say
        canonical = "&".join(f"{enc(k)}={enc(unsigned[k])}" for k in sorted(unsigned))
        to_sign = "POST&%2F&" + enc(canonical)
        digest = hmac.new(f"{KEY_SECRET}&".encode(), to_sign.encode(), hashlib.sha1).digest()
        return base64.b64encode(digest).decode()

    def handle(self, path: str, headers: dict[str, str], raw: bytes) -> tuple[int, dict[str, Any], dict[str, str]]:
        form = dict(urllib.parse.parse_qsl(raw.decode("ascii"), keep_blank_values=True, strict_parsing=True))
        if form.get("AccessKeyId") != KEY_ID or not hmac.compare_digest(
            form.get("Signature", ""), self.expected_signature(form)
        ):
            self.refused.append(form.get("Signature", ""))
            return 400, {"Code": "SignatureDoesNotMatch", "Message": "Specified signature is not matched"}, {}
        assert form["Action"] == "SendSms" and form["Version"] == "2017-05-25" and form["SignatureVersion"] == "1.0"
        self.requests.append(form)
        return self.next_answer((200, {"Code": "OK", "Message": "OK", "BizId": f"biz-{len(self.requests)}"}, {}))


class FakeGateway(FakeProvider):
    """A generic JSON gateway with a bearer token."""

    def handle(self, path: str, headers: dict[str, str], raw: bytes) -> tuple[int, dict[str, Any], dict[str, str]]:
        if headers.get("Authorization") != f"Bearer {TOKEN}":
            self.refused.append(headers.get("Authorization", ""))
            return 401, {"error": "unauthorized"}, {}
        self.requests.append({"headers": headers, "body": json.loads(raw)})
        return self.next_answer((200, {"message_id": f"gw-{len(self.requests)}"}, {}))


def _serve(fake: FakeProvider) -> Iterator[Any]:
    thread = threading.Thread(target=fake.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        fake.server.shutdown()
        fake.server.server_close()
        thread.join()


@pytest.fixture
def aliyun() -> Iterator[FakeAliyun]:
    yield from _serve(FakeAliyun())


@pytest.fixture
def gateway() -> Iterator[FakeGateway]:
    yield from _serve(FakeGateway())


@pytest.fixture(autouse=True)
def _env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in ENV.items():
        monkeypatch.setenv(name, value)


def _sms_table(provider: str, endpoint: str, **extra: Any) -> dict[str, Any]:
    table: dict[str, Any] = {
        "provider": provider,
        "endpoint": endpoint,
        "sign_name": "清溪县人大信访",
        "allow_insecure_loopback": True,
        "templates": {"accepted": ACCEPTED},
    }
    if provider == "aliyun":
        table |= {"access_key_id_env": "PK_SMS_KEY_ID", "access_key_secret_env": "PK_SMS_KEY_SECRET"}
    else:
        table |= {"token_env": "PK_SMS_TOKEN"}
    return table | extra


def _config(sms: dict[str, Any]) -> OfficeConfig:
    data = dict(office_settings())
    data["settings"] = {"sms": sms}
    return OfficeConfig.from_mapping(data)


def _message(kind: str | None = "accepted", **params: Any) -> Message:
    values = {"tracking_number": "XS-2026-000001", "handling_due": "2026-05-29", **params}
    return Message("13800138000", "sms", "受理告知", "…", "case:4:accepted:p-1", message_type=kind, params=values)


# --- the Alibaba Cloud signature ----------------------------------------------------------------


def test_the_signature_matches_alibaba_clouds_documented_example() -> None:
    """The example of Alibaba Cloud's RPC signature documentation (secret ``testsecret``)."""
    params = {
        "AccessKeyId": "testid",
        "Action": "DescribeRegions",
        "Format": "XML",
        "SignatureMethod": "HMAC-SHA1",
        "SignatureNonce": "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf",
        "SignatureVersion": "1.0",
        "Timestamp": "2016-02-23T12:46:24Z",
        "Version": "2014-05-26",
    }
    assert aliyun_string_to_sign("GET", params) == (
        "GET&%2F&AccessKeyId%3Dtestid%26Action%3DDescribeRegions%26Format%3DXML%26SignatureMethod%3DHMAC-SHA1"
        "%26SignatureNonce%3D3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf%26SignatureVersion%3D1.0"
        "%26Timestamp%3D2016-02-23T12%253A46%253A24Z%26Version%3D2014-05-26"
    )
    assert aliyun_signature("testsecret", "GET", params) == "OLeaidS1JvxuMvnyHOwuJ+uX5qY="


def test_aliyun_sends_the_approved_template_signed(aliyun: FakeAliyun) -> None:
    notifier = factory(_config(_sms_table("aliyun", aliyun.url)))  # secrets from os.environ (the _env fixture)
    notifier.send(_message())
    (form,) = aliyun.requests
    assert form["PhoneNumbers"] == "13800138000" and form["TemplateCode"] == "SMS_276450001"
    assert form["SignName"] == "清溪县人大信访" and form["OutId"] == "case:4:accepted:p-1"
    assert json.loads(form["TemplateParam"]) == {"no": "XS-2026-000001", "due": "2026-05-29"}


def test_a_wrong_secret_is_refused_by_the_provider_and_not_retryable(aliyun: FakeAliyun) -> None:
    provider = AliyunSms(KEY_ID, "not-the-secret", sign_name="清溪县人大信访", endpoint=aliyun.url)
    with pytest.raises(ProviderError) as error:
        provider.send("13800138000", "SMS_1", {})
    assert error.value.code == "SignatureDoesNotMatch" and not error.value.retryable
    assert aliyun.requests == [] and len(aliyun.refused) == 1


@pytest.mark.parametrize(
    ("answer", "kind", "retryable"),
    [
        ({"Code": "isv.MOBILE_NUMBER_ILLEGAL", "Message": "非法手机号"}, ProviderError, False),
        ({"Code": "isv.SMS_TEMPLATE_ILLEGAL", "Message": "模板不合法"}, ProviderError, False),
        ({"Code": "isp.SYSTEM_ERROR", "Message": "系统错误"}, ProviderError, True),
        ({"Code": "isv.BUSINESS_LIMIT_CONTROL", "Message": "触发分钟级流控"}, RateLimited, True),
    ],
)
def test_aliyun_errors_are_typed(aliyun: FakeAliyun, answer: dict[str, str], kind: type, retryable: bool) -> None:
    aliyun.answer(200, answer)
    provider = AliyunSms(KEY_ID, KEY_SECRET, sign_name="清溪县人大信访", endpoint=aliyun.url)
    with pytest.raises(ProviderError) as error:
        provider.send("13800138000", "SMS_1", {"no": "1"})
    assert type(error.value) is kind and error.value.retryable is retryable and answer["Code"] in str(error.value)


# --- the generic gateway ------------------------------------------------------------------------


def test_the_gateway_posts_the_configured_body_with_the_token(gateway: FakeGateway) -> None:
    body = {"mobile": "{phone}", "tpl": "{template_code}", "vars": "{params}", "sign": "【{sign_name}】", "ext": 1}
    notifier = factory(_config(_sms_table("http", gateway.url, body=body)))
    notifier.send(_message())
    (request,) = gateway.requests
    assert request["body"] == {
        "mobile": "13800138000",
        "tpl": "SMS_276450001",
        "vars": {"no": "XS-2026-000001", "due": "2026-05-29"},
        "sign": "【清溪县人大信访】",
        "ext": 1,
    }
    assert request["headers"]["Idempotency-Key"] == "case:4:accepted:p-1"


@pytest.mark.parametrize(
    ("status", "headers", "kind", "retryable", "retry_after"),
    [
        (429, {"Retry-After": "120"}, RateLimited, True, 120.0),
        (503, {}, ProviderError, True, None),
        (400, {}, ProviderError, False, None),
        (302, {"Location": "http://127.0.0.1:9/elsewhere"}, ProviderError, False, None),
    ],
)
def test_gateway_answers_are_typed(
    gateway: FakeGateway, status: int, headers: dict[str, str], kind: type, retryable: bool, retry_after: float | None
) -> None:
    gateway.answer(status, {"error": "no"}, **headers)
    provider = HttpGateway(gateway.url, token=TOKEN)
    with pytest.raises(ProviderError) as error:
        provider.send("13800138000", "T1", {})
    assert type(error.value) is kind and error.value.retryable is retryable
    assert getattr(error.value, "retry_after", None) == retry_after
    assert len(gateway.requests) == 1  # a redirect is not followed


def test_a_wrong_token_is_a_failure(gateway: FakeGateway) -> None:
    with pytest.raises(ProviderError, match="HTTP 401"):
        HttpGateway(gateway.url, token="wrong").send("13800138000", "T1", {})
    assert gateway.requests == []


def test_an_unreachable_provider_is_retryable() -> None:
    with pytest.raises(ProviderError) as error:
        HttpGateway("http://127.0.0.1:9/", timeout=2).send("13800138000", "T1", {})
    assert error.value.retryable


# --- templates ----------------------------------------------------------------------------------


def test_a_message_type_without_a_template_is_a_failure_naming_the_type() -> None:
    class Never:
        def send(self, *args: Any, **kwargs: Any) -> str:
            raise AssertionError("nothing may be sent")

    notifier = SmsNotifier(Never(), {"accepted": SmsTemplate(**ACCEPTED)})
    with pytest.raises(TemplateMissing, match=r"message type 'reply'.*settings\.sms\.templates\.reply"):
        notifier.send(_message("reply"))
    with pytest.raises(TemplateMissing, match="message type None"):
        notifier.send(_message(None))
    bad = SmsNotifier(Never(), {"accepted": SmsTemplate("SMS_1", {"x": "no_such_value"})})
    with pytest.raises(TemplateMissing, match=r"templates\.accepted\.params\.x.*'no_such_value'"):
        bad.send(_message())


# --- settings -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "key"),
    [
        ({"provider": "carrier-pigeon"}, "settings.sms.provider"),
        ({"sign_name": " "}, "settings.sms.sign_name"),
        ({"access_key_secret_env": "PK_SMS_UNSET"}, "PK_SMS_UNSET"),
        ({"access_key_id_env": None}, "settings.sms.access_key_id_env"),
        ({"endpoint": "http://sms.example.cn/"}, "settings.sms.endpoint"),
        ({"allow_insecure_loopback": False}, "settings.sms.endpoint"),
        ({"templates": {"accepted": {"params": {}}}}, "settings.sms.templates.accepted.code"),
        ({"templates": {"accepted": {"code": "SMS_1", "parms": {}}}}, "settings.sms.templates.accepted.parms"),
        ({"ca_file": "/nonexistent/ca.pem"}, "settings.sms.ca_file"),
        ({"access_key_secret": "inline-secret"}, "settings.sms.access_key_secret"),
    ],
)
def test_bad_settings_name_the_key(change: dict[str, Any], key: str) -> None:
    table = {k: v for k, v in (_sms_table("aliyun", "http://127.0.0.1:9/") | change).items() if v is not None}
    with pytest.raises(ConfigurationError) as error:
        SmsSettings.from_config(_config(table), env=ENV)
    assert key in error.value.message("en")


def test_secrets_are_not_shown() -> None:
    config = _config(_sms_table("aliyun", "http://127.0.0.1:9/"))
    assert KEY_SECRET not in repr(SmsSettings.from_config(config, env=ENV))
    assert KEY_SECRET not in repr(factory(config).provider)


# --- through the dispatcher ---------------------------------------------------------------------


def _office(
    fake: FakeProvider, provider: str, clock: FakeClock, sms: dict[str, Any] | None = None, **notifications: Any
) -> Any:
    data = dict(office_settings())
    data["settings"] = {
        "sms": _sms_table(provider, fake.url, **(sms or {})),
        "notifications": {
            "channels": {"sms": "sms"},
            "petitioner_channels": ["sms"],
            "body_channels": ["sms"],
            "staff": {"console": ["office"]},
            "backoff_seconds": 30,
            **notifications,
        },
    }
    pm = make_plugin_manager(load_entrypoints=False, extra=[__import__("petitionkit_sms")])
    return open_test_office(data, plugin_manager=pm, clock=clock)


def _outbox(office: Any) -> list[Any]:
    return list(office.storage.outbox.values())


def test_a_rate_limit_is_retried_with_backoff_by_the_dispatcher(aliyun: FakeAliyun) -> None:
    clock = FakeClock()
    office = _office(aliyun, "aliyun", clock)
    case = office.register(sample_petition(received_at=office.now().isoformat())).case
    office.accept(case.id)
    aliyun.answer(200, {"Code": "isv.BUSINESS_LIMIT_CONTROL", "Message": "触发分钟级流控Permits:1"})

    first = office.dispatch()
    assert (first.sent, first.failed) == (0, 1)
    (sms,) = [m for m in _outbox(office) if m.payload["channel"] == "sms"]
    row = office.storage.outbox[sms.id]
    assert row.status is OutboxStatus.PENDING and "RateLimited" in str(row.last_error)

    clock.advance(seconds=10)  # before the backoff (30 s): not tried again
    assert office.dispatch().sent == 0 and len(aliyun.requests) == 1
    clock.advance(seconds=30)
    assert office.dispatch().sent == 1
    assert office.storage.outbox[sms.id].status is OutboxStatus.SENT

    first_try, second_try = aliyun.requests  # both signed correctly (the fake checked), same OutId
    assert first_try["OutId"] == second_try["OutId"] == sms.idempotency_key
    assert first_try["SignatureNonce"] != second_try["SignatureNonce"]
    params = json.loads(second_try["TemplateParam"])
    assert params["no"] == case.first_tracking_number and params["due"]
    assert second_try["PhoneNumbers"] == "13800138000"


def test_a_provider_error_that_cannot_succeed_ends_dead_at_once_with_a_staff_alert(gateway: FakeGateway) -> None:
    """An invalid number is not retried (DeliveryError with retryable=False): dead at once, staff told."""
    clock = FakeClock()
    office = _office(gateway, "http", clock, max_attempts=5)
    office.accept(office.register(sample_petition(received_at=office.now().isoformat())).case.id)
    gateway.answer(400, {"error": "invalid number"})
    assert office.dispatch().dead == 1 and len(gateway.requests) == 1
    (alert,) = [m for m in _outbox(office) if m.topic == "staff_dead_letter"]
    assert alert.payload["context"]["channel"] == "sms" and "HTTP 400" in alert.payload["context"]["error"]


def test_a_retry_after_longer_than_the_backoff_is_waited_for(gateway: FakeGateway) -> None:
    clock = FakeClock()
    office = _office(gateway, "http", clock)
    office.accept(office.register(sample_petition(received_at=office.now().isoformat())).case.id)
    gateway.answer(429, {"error": "slow down"}, **{"Retry-After": "120"})
    assert office.dispatch().failed == 1
    clock.advance(seconds=40)  # past the backoff (30 s), before Retry-After (120 s): not tried again
    assert office.dispatch().sent == 0 and len(gateway.requests) == 1
    clock.advance(seconds=90)
    assert office.dispatch().sent == 1 and len(gateway.requests) == 2


def test_an_unmapped_message_type_is_not_delivered_and_alerts_the_staff(gateway: FakeGateway) -> None:
    """Only ``reply`` has a template: the ``accepted`` notice fails naming its type, dies, and nothing is sent."""
    clock = FakeClock()
    office = _office(gateway, "http", clock, sms={"templates": {"reply": ACCEPTED}}, max_attempts=2)
    office.accept(office.register(sample_petition(received_at=office.now().isoformat())).case.id)
    (sms,) = [m for m in _outbox(office) if m.payload["channel"] == "sms"]
    assert office.dispatch().dead == 1 and gateway.requests == []  # no template will appear by retrying
    error = str(office.storage.outbox[sms.id].last_error)
    assert "no SMS template for message type 'accepted'" in error and "settings.sms.templates.accepted" in error
    (alert,) = [m for m in _outbox(office) if m.topic == "staff_dead_letter"]
    assert alert.payload["context"]["channel"] == "sms"


def test_a_provider_answer_that_echoes_the_number_is_kept_without_it(gateway: FakeGateway) -> None:
    clock = FakeClock()
    office = _office(gateway, "http", clock, max_attempts=5)
    office.accept(office.register(sample_petition(received_at=office.now().isoformat())).case.id)
    gateway.answer(400, {"error": "invalid number 13800138000 for 张三"})
    assert office.dispatch().dead == 1
    (sms,) = [m for m in _outbox(office) if m.payload.get("channel") == "sms" and m.topic == "accepted"]
    error = str(office.storage.outbox[sms.id].last_error)
    assert "HTTP 400" in error and "13800138000" not in error and "张三" not in error
