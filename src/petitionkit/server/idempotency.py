"""``Idempotency-Key`` and ``If-Match`` for the POSTs that change something.

Every changing POST carries an ``Idempotency-Key``.  Before the use case runs, the key is claimed in
the database (``idempotency_keys``, status 0); the response is then stored with its digest.  A retry
with the same key and the same request gets the stored response again (``Idempotent-Replayed: true``)
and changes nothing; the same key with another request is refused (422); a retry while the first is
still running gets 409.  A request that fails with an answer (a problem) releases its key, so it may be
retried as it was.  A claim is never taken over: if the server died between the change and storing its
response, the key answers 409 for good and the caller checks the outcome (GET) before using a new key,
rather than risking a petition registered twice.

A change to a case also carries ``If-Match`` with the case's ``ETag`` (its version): missing, 428;
stale, 412 (checked in the change's own transaction, :attr:`UnitOfWork.expected_version`).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from typing import Any

from litestar import Request, Response
from litestar.serialization import encode_json

from petitionkit.errors import ConcurrencyConflict
from petitionkit.server.problems import Problem, field_problem, precondition_failed, simple
from petitionkit.service import Office
from petitionkit.storage.base import StoredResponse

JSON = "application/json"
MAX_KEY_LENGTH = 200
_ETAG = re.compile(r'^(?:W/)?"(\d{1,9})"$')


class HttpProblem(Exception):
    """A problem the HTTP layer itself found (turned into a problem response by the app)."""

    def __init__(self, problem: Problem, headers: dict[str, str] | None = None) -> None:
        super().__init__(problem.code)
        self.problem, self.headers = problem, headers or {}


def etag(version: int) -> str:
    return f'"{version}"'


def etag_of(body: Any) -> str | None:
    """The ETag of a response body holding a case (a case, or a registration)."""
    if isinstance(body, dict):
        case = body.get("case", body)
        if isinstance(case, dict) and isinstance(case.get("version"), int) and "first_tracking_number" in case:
            return etag(case["version"])
    return None


def expected_version(request: Request[Any, Any, Any]) -> int:
    """The version ``If-Match`` names; 428 when it is missing, 400 when it is no ETag of ours."""
    value = request.headers.get("if-match")
    if value is None:
        raise HttpProblem(simple(428, "precondition_required"))
    match = _ETAG.match(value.strip())
    if match is None:
        raise HttpProblem(field_problem(400, "If-Match", "etag"))
    return int(match[1])


def _key(request: Request[Any, Any, Any]) -> str:
    key = request.headers.get("idempotency-key")
    if key is None:
        raise HttpProblem(simple(400, "idempotency_key_required"))
    key = key.strip()
    if not key or len(key) > MAX_KEY_LENGTH or not key.isprintable():
        raise HttpProblem(field_problem(400, "Idempotency-Key", "between", min=1, max=MAX_KEY_LENGTH))
    return key


def _request_digest(request: Request[Any, Any, Any], data: Any) -> str:
    digest = hashlib.sha256()
    digest.update(f"{request.method} {request.url.path}\n".encode())
    digest.update(encode_json(data))
    return digest.hexdigest()


def _response(stored: StoredResponse, *, replayed: bool) -> Response[bytes]:
    headers = {"Idempotent-Replayed": "true" if replayed else "false"}
    body = stored.body.encode()
    tag = etag_of(json.loads(body)) if body else None
    if tag is not None:
        headers["ETag"] = tag
    if stored.location:
        headers["Location"] = stored.location
    return Response(content=body, status_code=stored.status, media_type=JSON, headers=headers)


def run_once(
    request: Request[Any, Any, Any],
    office: Office,
    data: Any,
    change: Callable[[Office], Any],
    *,
    status: int = 200,
    location: Callable[[Any], str] | None = None,
    if_match: bool = True,
) -> Response[bytes]:
    """Run ``change`` on ``office`` once per ``Idempotency-Key`` (and, with ``if_match``, at the version
    ``If-Match`` names); the response is stored, and replayed to a retry."""
    key = _key(request)
    if if_match:
        office.uow.expected_version = expected_version(request)
    principal = office.access.principal("http")
    now = office.now()
    claim = StoredResponse(
        office_code=office.config.office_code,
        principal_id=principal.id,
        key=key,
        request_digest=_request_digest(request, data),
        status=0,
        body="",
        body_digest="",
        started_at=now,
    )
    with office.storage.transaction() as tx:
        held = tx.claim_idempotency_key(claim)
    if held is not None:
        if held.request_digest != claim.request_digest:
            raise HttpProblem(simple(422, "idempotency_key_reused"))
        if held.status == 0:
            raise HttpProblem(simple(409, "idempotency_key_in_use"), {"Retry-After": "1"})
        return _response(held, replayed=True)
    try:
        result = change(office)
    except ConcurrencyConflict as conflict:
        _release(office, claim)
        raise HttpProblem(precondition_failed(conflict)) from None
    except BaseException:
        _release(office, claim)
        raise
    body = encode_json(result).decode()
    done = StoredResponse(
        office_code=claim.office_code,
        principal_id=claim.principal_id,
        key=key,
        request_digest=claim.request_digest,
        status=status,
        body=body,
        body_digest=hashlib.sha256(body.encode()).hexdigest(),
        started_at=now,
        location=location(result) if location else None,
    )
    with office.storage.transaction() as tx:
        tx.finish_idempotency_key(done)
    return _response(done, replayed=False)


def _release(office: Office, claim: StoredResponse) -> None:
    with office.storage.transaction() as tx:
        tx.finish_idempotency_key(claim)  # status 0: forget the claim, the change did not happen
