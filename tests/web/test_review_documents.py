"""Security review: making a formal document numbers it in the register (a state change, a
``DocumentIssued`` event), so it is a POST carrying the session's CSRF token, never a GET a link,
an image or a sibling site of the same site could trigger."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from petitionkit.testing import ADMIN

from .conftest import WebServer
from .pages_helpers import act, page_token, seed_visit, signed_in, start_pages


@pytest.fixture
def pages(sqlite_url: str) -> Iterator[WebServer]:
    found = start_pages(sqlite_url)
    yield found
    found.stop()
    found.office.close()


def _register(pages: WebServer) -> list[str]:
    return [d.number for d in pages.office.acting_as(ADMIN).document_register()]


def test_a_document_is_made_by_a_post_with_the_token_and_never_by_a_get(pages: WebServer) -> None:
    case = seed_visit(pages.office)
    director = signed_in(pages, "zhao")
    assert act(director, case, "accept", note="符合受理条件").status_code == 303
    path = f"/workspace/cases/{case}/documents/acceptance-notice"
    assert director.get(path).status_code == 405
    assert _register(pages) == []  # a GET numbered nothing
    assert director.post(path).status_code == 403  # no token
    assert director.post(path, data={"csrf_token": "x" * 64}).status_code == 403
    assert _register(pages) == []
    csrf = page_token(director, f"/workspace/cases/{case}")
    page = director.get(f"/workspace/cases/{case}").text
    assert f'action="{path}"' in page and 'method="post"' in page
    letter = director.post(path, data={"csrf_token": csrf})
    assert letter.status_code == 200 and letter.content[:2] == b"PK"
    assert "attachment" in letter.headers["content-disposition"]
    (number,) = _register(pages)
    again = director.post(path, headers={"X-CSRF-Token": csrf})
    assert again.status_code == 200 and _register(pages) == [number]  # a reprint keeps its number
