"""The page areas over a real server without a browser: intake (every bad field at once, the repeat
choice, collective visits), the case page's actions as the principal's role allows them, a body's
view (404 for what it may not see), documents and reports to download, escaping and CSRF."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from petitionkit.i18n import translate

from .conftest import BODY, WebServer
from .pages_helpers import (
    ESCAPED,
    XSS,
    act,
    now_local,
    page_token,
    seed_visit,
    signed_in,
    slip_tracking,
    start_pages,
    visit_form,
)


@pytest.fixture
def pages(db_url: str) -> Iterator[WebServer]:
    """The workspace over each backend (PostgreSQL when ``PETITIONKIT_TEST_POSTGRESQL_URL`` is set)."""
    server = start_pages(db_url)
    yield server
    server.stop()
    server.office.close()


def _intake(pages: WebServer, username: str = "wang", **changes: str) -> tuple[object, object]:
    client = signed_in(pages, username)
    csrf = page_token(client, "/workspace/intake")
    return client, client.post("/workspace/intake", data=visit_form(csrf, now_local(pages.office), **changes))


def test_intake_names_every_bad_field_beside_it_and_stores_nothing(pages: WebServer) -> None:
    _, answer = _intake(pages, subject="  ", region_code="12", p0_phone="12", p0_id_number="123")
    assert answer.status_code == 422
    page = answer.text
    for ident in ("f-subject", "f-region_code", "f-petitioners-0-phone", "f-petitioners-0-id_number"):
        assert f'id="{ident}-error" role="alert"' in page, ident
        assert re.search(rf'id="{ident}"[^>]*aria-describedby="[^"]*{ident}-error', page), ident
    assert 'value="12"' in page and "本人在某公司工作" in page  # the form keeps what was typed
    assert pages.office.acting_as(pages.office.config.principal_entry("admin").principal()).search() == []


def test_a_repeat_is_shown_before_saving_then_linked_or_registered_as_new_with_a_reason(pages: WebServer) -> None:
    earlier = seed_visit(pages.office)
    client, answer = _intake(pages)
    assert answer.status_code == 409
    assert f'value="join:{earlier}"' in answer.text  # the candidate, with the choice to link to it
    csrf = page_token(client, "/workspace/intake")
    form = visit_form(csrf, now_local(pages.office))
    blank = client.post("/workspace/intake", data={**form, "decision": "new", "new_reason": " "})
    assert blank.status_code == 422 and 'id="f-new_reason-error"' in blank.text
    joined = client.post("/workspace/intake", data={**form, "decision": f"join:{earlier}"})
    assert joined.status_code == 200 and earlier in joined.text
    assert 'id="slip-query-code"' in joined.text
    new = client.post("/workspace/intake", data={**form, "decision": "new", "new_reason": "另一家公司的欠薪"})
    assert slip_tracking(new.text) != earlier
    office = pages.office.acting_as(pages.office.config.principal_entry("admin").principal())
    assert len(office.search()) == 2  # the seeded case (with the linked petition) and the new one


def test_a_collective_visit_needs_its_representatives(pages: WebServer) -> None:
    _, answer = _intake(pages, headcount="8", p1_name="李四", p1_id_number="440524198001010013")
    assert answer.status_code == 422
    assert 'id="f-petitioners-error" role="alert"' in answer.text
    _, saved = _intake(
        pages, headcount="8", p0_role="representative", p1_name="李四", p1_role="representative", p1_phone="13900139000"
    )
    assert saved.status_code == 200, saved.text[:3000]
    assert 'id="slip-tracking"' in saved.text


def test_actions_follow_the_state_and_the_role_and_the_body_sees_only_its_referrals(pages: WebServer) -> None:
    case = seed_visit(pages.office, subject=f"欠薪 {XSS}")
    registrar = signed_in(pages, "wang")
    page = registrar.get(f"/workspace/cases/{case}").text
    assert "/actions/refer" not in page and "/actions/accept" in page  # a registrar screens, does not refer
    refused = act(registrar, case, "refer", mode="assignment", body=BODY)
    assert refused.status_code == 403
    handler = signed_in(pages, "li")
    assert "/actions/refer" in handler.get(f"/workspace/cases/{case}").text
    missing = act(handler, case, "refer", mode="assignment")
    assert missing.status_code == 422 and 'id="f-refer-body-error"' in missing.text
    done = act(handler, case, "refer", mode="assignment", body=BODY, note="请依法处理")
    assert done.status_code == 303
    page = handler.get(done.headers["location"]).text
    assert "交办" in page and ESCAPED in page and XSS not in page

    body = signed_in(pages, "hrss")
    listing = body.get("/workspace/body").text
    assert case in listing and ESCAPED in listing and XSS not in listing
    body_page = body.get(f"/workspace/cases/{case}").text
    assert "/actions/record_report" in body_page and "/actions/refer" not in body_page
    assert "身份证" in body_page or "ID number" in body_page
    reported = act(body, case, "record_report", outcome="support", text="已责令公司支付工资")
    assert reported.status_code == 303
    assert f'class="tag state">{translate("state.replied")}<' in body.get(f"/workspace/cases/{case}").text

    other = signed_in(pages, "housing")
    unknown = other.get("/workspace/cases/XS-1999-999999")
    hidden = other.get(f"/workspace/cases/{case}")
    assert hidden.status_code == unknown.status_code == 404
    assert case not in hidden.text and "欠薪" not in hidden.text
    assert (
        other.post(
            f"/workspace/cases/{case}/actions/object",
            data={"csrf_token": page_token(other, "/workspace/body"), "reason": "x"},
        ).status_code
        == 404
    )


def test_an_accusation_against_a_body_never_opens_for_that_body(pages: WebServer) -> None:
    client = signed_in(pages, "wang")
    csrf = page_token(client, "/workspace/intake")
    form = visit_form(csrf, now_local(pages.office), kind="accusation", respondent_unit="区人力资源和社会保障局")
    case = slip_tracking(client.post("/workspace/intake", data=form).text)
    handler = signed_in(pages, "li")
    refused = act(handler, case, "refer", mode="transfer", body=BODY)
    assert refused.status_code == 422  # the protection rule's refusal, shown on the case page
    assert 'id="form-errors"' in refused.text and "GOV-HRSS" in refused.text
    body = signed_in(pages, "hrss")
    assert body.get(f"/workspace/cases/{case}").status_code == 404
    assert case not in body.get("/workspace/body").text


def test_accept_then_reply_and_the_documents_download(pages: WebServer) -> None:
    case = seed_visit(pages.office)
    director = signed_in(pages, "zhao")
    assert act(director, case, "accept", note="符合受理条件").status_code == 303
    page = director.get(f"/workspace/cases/{case}").text
    assert "/actions/reply" in page and "期限说明" in page  # the handling clock with its explanation
    assert act(director, case, "reply", outcome="support", text="已协调公司支付工资").status_code == 303
    csrf = page_token(director, f"/workspace/cases/{case}")
    letter = director.post(f"/workspace/cases/{case}/documents/acceptance-notice", data={"csrf_token": csrf})
    assert letter.status_code == 200 and letter.content[:2] == b"PK"
    assert "attachment" in letter.headers["content-disposition"]
    assert (
        director.post(f"/workspace/cases/{case}/documents/no-such-kind", data={"csrf_token": csrf}).status_code == 404
    )


def test_reports_render_and_download_for_report_readers_only(pages: WebServer) -> None:
    seed_visit(pages.office)
    director = signed_in(pages, "zhao")
    page = director.get("/workspace/reports")
    assert page.status_code == 200 and "data-figure=" in page.text and "<script>" not in page.text.split("</head>")[1]
    plotly = director.get("/workspace/reports/plotly.js")
    assert plotly.status_code == 200 and "javascript" in plotly.headers["content-type"]
    docx = director.get("/workspace/reports/download/docx")
    assert docx.status_code == 200 and docx.content[:2] == b"PK"
    csv = director.get("/workspace/reports/download/csv")
    assert csv.status_code == 200 and csv.text.lstrip("\ufeff").startswith("section,key,label")
    assert director.get("/workspace/reports?period=garbage").status_code == 422
    assert signed_in(pages, "hrss").get("/workspace/reports").status_code == 403
    assert signed_in(pages, "wang").get("/workspace/reports").status_code == 403


def test_a_write_without_the_token_changes_nothing(pages: WebServer) -> None:
    case = seed_visit(pages.office)
    director = signed_in(pages, "zhao")
    answer = director.post(f"/workspace/cases/{case}/actions/accept", data={"note": "x"})
    assert answer.status_code == 403
    assert "/actions/accept" in director.get(f"/workspace/cases/{case}").text  # still registered


def test_the_pages_speak_english_when_asked(pages: WebServer) -> None:
    case = seed_visit(pages.office)
    client = signed_in(pages, "admin")
    client.headers["Accept-Language"] = "en"
    intake = client.get("/workspace/intake").text
    assert "Register a petition" in intake and 'lang="en"' in intake
    page = client.get(f"/workspace/cases/{case}").text
    assert f"Case {case}" in page and "Why this day" in page and "Petition registered" in page
    assert "Download Word" in client.get("/workspace/reports").text
