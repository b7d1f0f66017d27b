"""SMS providers behind one interface: ``send(phone, template_code, params) -> provider message id``.

* :class:`HttpGateway` — a generic HTTP SMS gateway (many government SMS platforms, 政务短信平台, are
  one): a JSON POST built from a configurable body template, a bearer-style token header.
* :class:`AliyunSms` — Alibaba Cloud SMS (阿里云短信服务, ``Dysmsapi`` ``SendSms``, API version
  2017-05-25) over its public RPC HTTP API, signed with signature version 1.0 (HMAC-SHA1 over the
  canonicalized query, :func:`aliyun_signature`).

Errors are typed: :class:`ProviderError` (``retryable`` says whether trying again can help) and
:class:`RateLimited` (the provider's flow control; ``retry_after`` seconds when the provider says).
Standard library only (``urllib.request``, ``hmac``); redirects are never followed.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Callable, Mapping
from typing import Any, Protocol

from petitionkit.notify import DeliveryError
from petitionkit.transport import strict_opener

__all__ = [
    "ALIYUN_RATE_LIMIT_CODES",
    "ALIYUN_RETRYABLE_CODES",
    "AliyunSms",
    "HttpGateway",
    "ProviderError",
    "RateLimited",
    "SmsProvider",
    "aliyun_signature",
    "aliyun_string_to_sign",
    "percent_encode",
]


class ProviderError(DeliveryError):
    """The provider did not accept the message.  ``retryable``: whether a later attempt can succeed
    (a network error, a 5xx) or not (an invalid number, an unapproved template, a bad signature);
    the dispatcher gives up at once on a message that cannot succeed (:class:`petitionkit.notify.DeliveryError`)."""

    def __init__(
        self, message: str, *, retryable: bool, code: str | None = None, retry_after: float | None = None
    ) -> None:
        super().__init__(message, retryable=retryable, retry_after=retry_after)
        self.code = code


class RateLimited(ProviderError):
    """The provider's flow control refused the message for now (HTTP 429, Aliyun ``isv.BUSINESS_LIMIT_CONTROL``)."""

    def __init__(self, message: str, *, retry_after: float | None = None, code: str | None = None) -> None:
        super().__init__(message, retryable=True, code=code, retry_after=retry_after)


class SmsProvider(Protocol):
    def send(self, phone: str, template_code: str, params: Mapping[str, str], *, request_id: str | None = None) -> str:
        """Send one templated SMS; return the provider's message id, or raise :class:`ProviderError`."""
        ...


def _retry_after(value: str | None) -> float | None:
    try:
        return max(0.0, float(value)) if value else None
    except ValueError:
        return None  # an HTTP date: not worth parsing, the dispatcher's backoff applies


def _post(
    opener: urllib.request.OpenerDirector, url: str, body: bytes, headers: Mapping[str, str], timeout: float
) -> tuple[int, bytes, Mapping[str, str]]:
    """POST; ``(status, body, headers)`` for any HTTP answer; a network failure is a retryable ProviderError."""
    request = urllib.request.Request(url, data=body, method="POST", headers=dict(headers))
    try:
        with opener.open(request, timeout=timeout) as response:
            return int(response.status), response.read(), dict(response.headers)
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read(), dict(exc.headers or {})
    except (OSError, urllib.error.URLError) as exc:
        raise ProviderError(f"SMS provider unreachable: {type(exc).__name__}: {exc}", retryable=True) from None


def _status_error(status: int, headers: Mapping[str, str], text: str) -> ProviderError:
    lower = {k.lower(): v for k, v in headers.items()}
    if status == 429:
        return RateLimited(
            f"HTTP 429 from the SMS provider: {text}", retry_after=_retry_after(lower.get("retry-after"))
        )
    if 300 <= status < 400:
        return ProviderError(f"HTTP {status} redirect not followed; configure the final endpoint", retryable=False)
    return ProviderError(f"HTTP {status} from the SMS provider: {text}", retryable=status >= 500 or status == 408)


# --- a generic HTTP gateway ------------------------------------------------------------------------

DEFAULT_BODY: Mapping[str, Any] = {
    "phone": "{phone}",
    "sign_name": "{sign_name}",
    "template_code": "{template_code}",
    "params": "{params}",
    "request_id": "{request_id}",
}


def fill_body(template: Any, values: Mapping[str, Any]) -> Any:
    """The JSON body: every string of ``template`` that is exactly ``{name}`` becomes ``values[name]``
    (``{params}`` is the parameters object); other strings have ``{name}`` placeholders replaced."""
    if isinstance(template, Mapping):
        return {k: fill_body(v, values) for k, v in template.items()}
    if isinstance(template, list | tuple):
        return [fill_body(v, values) for v in template]
    if isinstance(template, str):
        if template.startswith("{") and template.endswith("}") and template[1:-1] in values:
            return values[template[1:-1]]
        out = template
        for name, value in values.items():
            if isinstance(value, str):
                out = out.replace("{" + name + "}", value)
        return out
    return template


class HttpGateway:
    """A JSON-over-HTTPS SMS gateway.  2xx with the id at ``id_field`` is success; 429 is
    :class:`RateLimited` (``Retry-After`` honoured in the error); 5xx, 408 and network errors are
    retryable; other answers are not."""

    def __init__(
        self,
        endpoint: str,
        *,
        sign_name: str = "",
        token: str | None = None,
        auth_header: str = "Authorization",
        auth_scheme: str = "Bearer",
        body: Mapping[str, Any] | None = None,
        id_field: str = "message_id",
        timeout: float = 10.0,
        ca_file: str | None = None,
    ) -> None:
        self.endpoint, self.sign_name, self.timeout = endpoint, sign_name, timeout
        self._token, self.auth_header, self.auth_scheme = token, auth_header, auth_scheme
        self.body = DEFAULT_BODY if body is None else body
        self.id_field = id_field
        self.opener = strict_opener(ca_file)

    def __repr__(self) -> str:
        return f"HttpGateway({self.endpoint!r})"  # never the token

    def send(self, phone: str, template_code: str, params: Mapping[str, str], *, request_id: str | None = None) -> str:
        values = {
            "phone": phone,
            "sign_name": self.sign_name,
            "template_code": template_code,
            "params": dict(params),
            "params_json": json.dumps(dict(params), ensure_ascii=False),
            "request_id": request_id or uuid.uuid4().hex,
        }
        body = json.dumps(fill_body(self.body, values), ensure_ascii=False).encode("utf-8")
        headers = {"Content-Type": "application/json; charset=utf-8", "User-Agent": "petitionkit-sms/0.1"}
        if request_id:
            headers["Idempotency-Key"] = request_id
        if self._token:
            headers[self.auth_header] = f"{self.auth_scheme} {self._token}".strip()
        status, raw, answer_headers = _post(self.opener, self.endpoint, body, headers, self.timeout)
        text = raw.decode("utf-8", "replace")[:200]
        if not 200 <= status < 300:
            raise _status_error(status, answer_headers, text)
        try:
            answer = json.loads(raw)
            message_id = answer[self.id_field]
        except (ValueError, KeyError, TypeError):
            raise ProviderError(
                f"the SMS gateway answered {status} without {self.id_field!r}: {text}", retryable=False
            ) from None
        return str(message_id)


# --- Alibaba Cloud SMS (Dysmsapi SendSms, RPC signature 1.0) ---------------------------------------

ALIYUN_ENDPOINT = "https://dysmsapi.aliyuncs.com/"
ALIYUN_VERSION = "2017-05-25"
# Flow control (业务限流): try later.
ALIYUN_RATE_LIMIT_CODES = frozenset({"isv.BUSINESS_LIMIT_CONTROL", "Throttling.User", "Throttling", "Throttling.Api"})
# Errors on the provider's side or the account's that can clear without changing the message.
ALIYUN_RETRYABLE_CODES = frozenset({"isp.SYSTEM_ERROR", "isp.RAM_PERMISSION_DENY", "isv.AMOUNT_NOT_ENOUGH"})


def percent_encode(value: str) -> str:
    """RFC 3986 encoding as Alibaba Cloud's RPC signature needs it (UTF-8; only ``A-Za-z0-9-_.~`` kept)."""
    return urllib.parse.quote(value, safe="~")


def aliyun_string_to_sign(method: str, params: Mapping[str, str]) -> str:
    """``METHOD&%2F&percent(canonicalized query)``: the query sorted by name, each name and value encoded."""
    canonical = "&".join(f"{percent_encode(k)}={percent_encode(v)}" for k, v in sorted(params.items()))
    return f"{method}&{percent_encode('/')}&{percent_encode(canonical)}"


def aliyun_signature(secret: str, method: str, params: Mapping[str, str]) -> str:
    """Base64 HMAC-SHA1 of the string to sign, keyed with ``AccessKeySecret + "&"`` (signature version 1.0)."""
    key = (secret + "&").encode("utf-8")
    digest = hmac.new(key, aliyun_string_to_sign(method, params).encode("utf-8"), hashlib.sha1).digest()
    return base64.b64encode(digest).decode("ascii")


class AliyunSms:
    """Alibaba Cloud ``SendSms`` by a form POST to ``endpoint``; ``Code == "OK"`` is success (``BizId``)."""

    def __init__(
        self,
        access_key_id: str,
        access_key_secret: str,
        *,
        sign_name: str,
        endpoint: str = ALIYUN_ENDPOINT,
        region: str = "cn-hangzhou",
        timeout: float = 10.0,
        ca_file: str | None = None,
        clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
        nonce: Callable[[], str] = lambda: uuid.uuid4().hex,
    ) -> None:
        self.access_key_id, self._secret = access_key_id, access_key_secret
        self.sign_name, self.endpoint, self.region, self.timeout = sign_name, endpoint, region, timeout
        self.clock, self.nonce = clock, nonce
        self.opener = strict_opener(ca_file)

    def __repr__(self) -> str:
        return f"AliyunSms({self.endpoint!r}, access_key_id={self.access_key_id!r})"  # never the secret

    def signed_params(
        self, phone: str, template_code: str, params: Mapping[str, str], request_id: str | None
    ) -> dict[str, str]:
        query = {
            "AccessKeyId": self.access_key_id,
            "Action": "SendSms",
            "Format": "JSON",
            "RegionId": self.region,
            "SignatureMethod": "HMAC-SHA1",
            "SignatureNonce": self.nonce(),
            "SignatureVersion": "1.0",
            "Timestamp": self.clock().astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "Version": ALIYUN_VERSION,
            "PhoneNumbers": phone,
            "SignName": self.sign_name,
            "TemplateCode": template_code,
            "TemplateParam": json.dumps(dict(params), ensure_ascii=False, separators=(",", ":")),
        }
        if request_id:
            query["OutId"] = request_id[:256]
        query["Signature"] = aliyun_signature(self._secret, "POST", query)
        return query

    def send(self, phone: str, template_code: str, params: Mapping[str, str], *, request_id: str | None = None) -> str:
        form = urllib.parse.urlencode(self.signed_params(phone, template_code, params, request_id)).encode("ascii")
        headers = {"Content-Type": "application/x-www-form-urlencoded", "User-Agent": "petitionkit-sms/0.1"}
        status, raw, answer_headers = _post(self.opener, self.endpoint, form, headers, self.timeout)
        text = raw.decode("utf-8", "replace")[:300]
        try:
            answer = json.loads(raw)
        except ValueError:
            answer = None
        if not isinstance(answer, Mapping) or "Code" not in answer:
            raise (
                _status_error(status, answer_headers, text)
                if status >= 300
                else ProviderError(f"unexpected answer from Alibaba Cloud SMS (HTTP {status}): {text}", retryable=True)
            )
        code, message = str(answer["Code"]), str(answer.get("Message", ""))
        if code == "OK":
            return str(answer.get("BizId", ""))
        described = f"Alibaba Cloud SMS refused the message: {code}: {message}"
        if code in ALIYUN_RATE_LIMIT_CODES:
            raise RateLimited(described, code=code)
        raise ProviderError(described, retryable=code in ALIYUN_RETRYABLE_CODES or status >= 500, code=code)
