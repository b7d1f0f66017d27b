"""My work over a real server on today's date: duties with their clocks and explanations, overdue ones
marked, filters, paging, and a subject that holds ``<script>`` shown as text."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from petitionkit.testing import ADMIN, sample_petition

from .conftest import By, WebServer, browser_sign_in, check_accessibility, screenshot, sign_in, start, wait_for

XSS = '<script>document.title="owned"</script><img src=x onerror=alert(1)>'


def _register(web: WebServer, *, days_ago: int, kind: str = "claim", subject: str = "拖欠工资问题", n: int = 0) -> str:
    received = datetime.now(UTC) - timedelta(days=days_ago, hours=1)
    draft = sample_petition(
        received_at=received.isoformat(),
        kind=kind,
        subject=subject,
        petitioners=[{"name": f"测试人{n}", "phone": f"1380013{n:04d}"}],
    )
    return web.office.acting_as(ADMIN).register(draft).case.first_tracking_number


@pytest.fixture
def busy(sqlite_url: str) -> Iterator[WebServer]:
    """An office with seven fresh claims, one overdue suggestion and one accusation whose subject is a script."""
    found = start(sqlite_url, page_size=5)
    for n in range(7):
        _register(found, days_ago=0, n=n)
    _register(found, days_ago=40, kind="suggestion", subject="关于增设公交站点的建议", n=90)
    _register(found, days_ago=0, kind="accusation", subject=XSS, n=91)
    yield found
    found.stop()
    found.office.close()


def _rows(html: str) -> int:
    return html.count("<tr") - 1  # the header row


def test_my_work_lists_filters_and_pages_the_duties(busy: WebServer) -> None:
    with busy.client() as client:
        sign_in(client, "wang")
        first = client.get("/workspace/?window=30")
        assert first.status_code == 200
        assert "共 9 项" in first.text and _rows(first.text) == 5
        assert "第 1 页，共 2 页" in first.text
        second = client.get("/workspace/?window=30&page=2")
        assert _rows(second.text) == 4
        overdue = client.get("/workspace/?window=overdue")
        assert _rows(overdue.text) == 1 and "关于增设公交站点的建议" in overdue.text and "已逾期" in overdue.text
        suggestions = client.get("/workspace/?window=30&kind=suggestion")
        assert _rows(suggestions.text) == 1
        english = client.get("/workspace/?window=30&kind=claim", headers={"Accept-Language": "en"})
        assert "7 duties" in english.text or "共 7 项" in english.text
        fragment = client.get("/workspace/?window=30&kind=claim", headers={"HX-Request": "true"})
        assert fragment.text.lstrip().startswith('<section id="duties"') and "<html" not in fragment.text
        assert "为什么是这一天？" in first.text  # each due date explained
        bogus = client.get("/workspace/?window=9999&kind=<b>&page=-3")
        assert bogus.status_code == 200 and "<b>" not in bogus.text


def test_a_subject_with_a_script_is_shown_as_text(busy: WebServer) -> None:
    with busy.client() as client:
        sign_in(client, "wang")
        page = client.get("/workspace/?window=30&kind=accusation")
    assert "<script>document.title" not in page.text
    assert "&lt;script&gt;document.title=&#34;owned&#34;&lt;/script&gt;" in page.text


def test_my_work_in_the_browser(page: Any, busy: WebServer) -> None:
    browser_sign_in(page, busy, "wang")
    page.get(busy.url("/?window=30"))
    assert page.title != "owned"
    cells = page.find_elements(By.CSS_SELECTOR, "table.duties .subject")
    assert any(XSS in c.text for c in cells) or len(cells) == 5
    select = page.find_element(By.ID, "f-window")
    select.send_keys("仅")  # keyboard: choose "overdue only"; htmx reloads the table in place
    page.find_element(By.CSS_SELECTOR, "form.filters button").click()
    wait_for(page, lambda d: "关于增设公交站点的建议" in d.find_element(By.ID, "duties").text)
    assert "window=overdue" in page.current_url  # htmx pushed the filtered address
    page.get(busy.url("/?window=30&kind=accusation"))
    assert XSS in page.find_element(By.CSS_SELECTOR, "table.duties .subject").text
    assert page.title != "owned"
    page.get(busy.url("/?window=30"))
    screenshot(page, "my-work-busy")
    check_accessibility(page)
