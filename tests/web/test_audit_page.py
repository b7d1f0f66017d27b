"""The audit page: access records and ``audit verify`` for auditors, refused to everyone else."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from petitionkit.audit import verify_office
from petitionkit.testing import ADMIN, sample_petition

from .conftest import By, WebServer, browser_sign_in, check_accessibility, screenshot, sign_in, start, wait_for

KEY = "k1:" + "Q" * 43 + "="


@pytest.fixture
def audited(sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[WebServer]:
    """An office with an audit key, one registered case and one read of its petitioners on record."""
    monkeypatch.setenv("PETITIONKIT_AUDIT_KEY", KEY)
    found = start(sqlite_url)
    admin = found.office.acting_as(ADMIN)
    received = (datetime.now(UTC) - timedelta(hours=1)).isoformat()
    case = admin.register(sample_petition(received_at=received)).case
    admin.petitions(case.first_tracking_number, purpose="核实信访人身份")
    yield found
    found.stop()
    found.office.close()


def _token(html: str) -> str:
    return html.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]


def test_an_auditor_reads_the_access_records_and_runs_the_check(audited: WebServer) -> None:
    with audited.client() as client:
        sign_in(client, "sun")
        page = client.get("/workspace/audit")
        assert page.status_code == 200
        assert "核实信访人身份" in page.text and "admin" in page.text
        narrowed = client.get("/workspace/audit?principal=wang")
        assert "核实信访人身份" not in narrowed.text
        token = _token(page.text)
        fragment = client.post("/workspace/audit/verify", headers={"X-CSRF-Token": token, "HX-Request": "true"})
        assert fragment.status_code == 200
        assert "审计追踪完整" in fragment.text and "<html" not in fragment.text
        whole = client.post("/workspace/audit/verify", data={"csrf_token": token})
        assert "<html" in whole.text and "核验通过" in whole.text
        assert client.post("/workspace/audit/verify").status_code == 403  # no token


def test_every_sign_in_is_on_the_sealed_access_record(audited: WebServer) -> None:
    with audited.client() as client:
        sign_in(client, "wang")
    with audited.client() as client:
        sign_in(client, "sun")
        page = client.get("/workspace/audit?principal=wang")
    assert "登录工作台" in page.text and "workspace: password" in page.text
    signed = [r for r in audited.office.acting_as(ADMIN).access_records() if r.action == "sign_in"]
    assert [r.principal_id for r in signed] == ["wang", "sun"]
    assert verify_office(audited.office).report("access_records").breaks == ()  # sealed like every record


def test_the_check_is_refused_to_a_registrar_even_with_a_token(audited: WebServer) -> None:
    with audited.client() as client:
        sign_in(client, "wang")
        token = _token(client.get("/workspace/").text)
        answer = client.post("/workspace/audit/verify", headers={"X-CSRF-Token": token})
        assert answer.status_code == 403
        assert "审计追踪" not in answer.text


def test_without_an_audit_key_the_check_says_so(web: WebServer) -> None:
    with web.client() as client:
        sign_in(client, "sun")
        token = _token(client.get("/workspace/audit").text)
        answer = client.post("/workspace/audit/verify", headers={"X-CSRF-Token": token, "HX-Request": "true"})
    assert answer.status_code == 200 and 'class="message error"' in answer.text


def test_the_audit_page_in_the_browser(page: Any, audited: WebServer) -> None:
    browser_sign_in(page, audited, "sun")
    page.get(audited.url("/audit"))
    page.find_element(By.CSS_SELECTOR, "#verify-title ~ form button").click()
    wait_for(page, lambda d: "审计追踪完整" in d.find_element(By.ID, "verify-result").text)
    screenshot(page, "audit")
    check_accessibility(page)
