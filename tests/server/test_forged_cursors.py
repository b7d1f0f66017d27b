"""Security review: a forged or altered keyset cursor is a clean 400 naming ``cursor`` on every list,
whatever its key holds (a moment without its UTC offset, a date, the wrong shape), never a 500."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from petitionkit.errors import InvalidInput
from petitionkit.service import Office
from petitionkit.service.paging import encode_cursor
from petitionkit.testing import sample_petition

from .conftest import Server
from .test_http_api import register

FORGED_CASES = [
    encode_cursor("cases", ["2026-01-01T00:00:00", "x", "y"]),  # a moment with no offset
    encode_cursor("cases", ["2026-01-01", "x", "y"]),  # a day, read as a naive midnight
    encode_cursor("cases", ["2026-01-01T00:00:00+00:00", "x"]),  # a key too short
    base64.urlsafe_b64encode(json.dumps({"k": "cases", "v": [1, 2, 3]}).encode()).decode(),
]
FORGED_DUE = [
    encode_cursor("due", ["2026-01-01T00:00:00", "x", "handling", "y"]),  # a moment where a day belongs
    encode_cursor("due", ["x", "x", "handling", "y"]),
]


@pytest.mark.parametrize("cursor", FORGED_CASES)
def test_a_forged_case_cursor_is_bad_input_in_the_service(office: Office, cursor: str) -> None:
    office.register(sample_petition())
    with pytest.raises(InvalidInput) as refused:
        office.cases_page(cursor=cursor)
    assert refused.value.fields == ("cursor",)


def _get(client: Any, path: str, cursor: str) -> Any:
    return client.get(path, params={"cursor": cursor})


def test_forged_cursors_are_a_400_over_http_for_staff_and_bodies(server: Server) -> None:
    clerk = server.client("u-wang")
    for _ in range(2):
        register(clerk)
    body = server.client("u-hrss")
    for cursor in FORGED_CASES:
        for client in (clerk, body):
            answer = _get(client, "/cases", cursor)
            assert answer.status_code == 400, (cursor, answer.status_code, answer.text[:300])
            assert answer.json()["errors"][0]["field"] == "cursor"
            assert cursor not in answer.text  # never echoed
    for cursor in FORGED_DUE:
        for path in ("/obligations/due", "/obligations/overdue"):
            answer = _get(clerk, path, cursor)
            assert answer.status_code == 400, (path, cursor, answer.status_code, answer.text[:300])
            assert answer.json()["errors"][0]["field"] == "cursor"
