"""The casework of issue 22 on the case page, over a real server without a browser: the knowledge for the
case's category, a reception talk citing a provision, an upload and its download, an investigation's
plan, inquiry, evidence and findings, a reply and a decline citing provisions.  Each form: done, a field
error beside its field, refused without the CSRF token; and an accused body never sees any of it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from petitionkit.i18n import translate
from petitionkit.rules.builtin import BuiltinNationalRules
from petitionkit.rules.schema import parse_pack
from petitionkit.testing import AUDITOR, DIRECTOR, REGISTRAR, SAMPLE_BODIES
from petitionkit.testing.files import png
from petitionkit.web.casework_view import PURPOSE

from .conftest import BODY, WebServer
from .pages_helpers import ESCAPED, XSS, act, now_local, page_token, seed_visit, signed_in, slip_tracking, start_pages
from .pages_helpers import visit_form as intake_form

CITED = "xfgztl-2022-art31"  # in force, for the category "labour"
SUPERSEDING = """
[pack]
name = "county"

[[knowledge.provisions]]
id = "{cited}"
level = "regulation"
title = {{ "zh-CN" = "《信访工作条例》", en = "Regulations" }}
article = {{ "zh-CN" = "第三十一条", en = "article 31" }}
text = {{ "zh-CN" = "旧文本", en = "old text" }}
source = "test"
effective_from = 2022-05-01
effective_to = {ended}
superseded_by = "county-1"

[[knowledge.provisions]]
id = "county-1"
level = "local"
title = {{ "zh-CN" = "《某县办法》", en = "County measures" }}
article = {{ "zh-CN" = "第一条", en = "article 1" }}
text = {{ "zh-CN" = "新规定", en = "new rule" }}
source = "test"
effective_from = 2022-05-01
"""
REPEALED = "xfcl-2005-art14"  # superseded in 2022


@pytest.fixture
def pages(db_url: str, tmp_path: Path) -> Iterator[WebServer]:
    server = start_pages(db_url, tmp_path / "blobs")
    yield server
    server.stop()
    server.office.close()


def post(client: httpx.Client, case: str, path: str, **fields: str) -> httpx.Response:
    csrf = page_token(client, f"/workspace/cases/{case}")
    return client.post(f"/workspace/cases/{case}{path}", data={"csrf_token": csrf, **fields})


def upload(client: httpx.Client, case: str, content: bytes, name: str, media: str, **fields: str) -> httpx.Response:
    csrf = page_token(client, f"/workspace/cases/{case}")
    return client.post(
        f"/workspace/cases/{case}/attachments",
        data={"csrf_token": csrf, **fields},
        files={"file": (name, content, media)},
    )


def error_beside(page: str, ident: str) -> bool:
    return f'id="{ident}-error" role="alert"' in page and bool(
        re.search(rf'id="{ident}"[^>]*aria-describedby="[^"]*{ident}-error', page)
    )


def test_the_knowledge_of_the_category_is_on_the_page_and_a_reception_cites_it(pages: WebServer) -> None:
    case = seed_visit(pages.office)
    clerk = signed_in(pages, "wang")
    page = clerk.get(f"/workspace/cases/{case}").text
    assert 'id="knowledge-title"' in page and f'id="provision-{CITED}"' in page
    assert "信访工作条例" in page and "2022-05-01" in page  # title, effective date
    assert f"provision-{REPEALED}" not in page  # no longer in force: not offered
    assert f'name="cite:{CITED}"' in page  # the reception form cites by ticking

    missing = post(clerk, case, "/receptions", channel="visit", asked="", explained=f"依法解释 {XSS}")
    assert missing.status_code == 422
    assert error_beside(missing.text, "f-receive-asked")
    assert ESCAPED in missing.text and XSS not in missing.text  # what was typed is kept, escaped

    done = post(
        clerk,
        case,
        "/receptions",
        channel="visit",
        asked="要求公司支付拖欠工资",
        explained="属于劳动仲裁途径，已告知申请劳动仲裁",
        response="表示理解",
        settled="on",
        **{f"cite:{CITED}": "on"},
    )
    assert done.status_code == 303 and done.headers["location"].endswith("?done=receive")
    page = clerk.get(done.headers["location"]).text
    assert "属于劳动仲裁途径" in page and "息诉" in page and 'id="citations-title"' in page
    receptions = pages.office.acting_as(REGISTRAR).receptions(case)
    assert len(receptions) == 1 and receptions[0].settled and receptions[0].citations[0].provision_id == CITED
    assert receptions[0].received_by == "wang"

    superseded = translate("casework.status.superseded")
    assert superseded not in page
    county = parse_pack(SUPERSEDING.format(cited=CITED, ended=pages.office.today() - timedelta(days=1)), "county.toml")
    pages.office.rules = BuiltinNationalRules(SAMPLE_BODIES, packs=[county])  # the provision ended yesterday
    page = clerk.get(f"/workspace/cases/{case}").text
    assert superseded in page and "属于劳动仲裁途径" in page  # the citation as cited, marked
    assert f'name="cite:{CITED}"' not in page  # and no longer offered

    later = "2999-01-01T09:00"
    bad_time = post(clerk, case, "/receptions", channel="visit", asked="a", explained="b", received_at=later)
    assert bad_time.status_code == 422 and error_beside(bad_time.text, "f-receive-received_at")
    without_token = {"channel": "visit", "asked": "a", "explained": "b"}
    refused = clerk.post(f"/workspace/cases/{case}/receptions", data=without_token)
    assert refused.status_code == 403
    assert len(pages.office.acting_as(REGISTRAR).receptions(case)) == 1


def test_an_upload_is_listed_and_downloads_and_a_bad_file_is_named_beside_the_field(pages: WebServer) -> None:
    case = seed_visit(pages.office)
    clerk = signed_in(pages, "wang")
    image = png()
    done = upload(clerk, case, image, "现场照片 1.png", "image/png", kind="photo")
    assert done.status_code == 303, done.text[:2000]
    page = clerk.get(f"/workspace/cases/{case}").text
    assert "现场照片 1.png" in page and "照片" in page
    link = re.search(r'href="(/workspace/attachments/[^"]+)"', page)
    assert link is not None
    got = clerk.get(link[1])
    assert got.status_code == 200 and got.content == image
    assert got.headers["content-type"].startswith("image/png")
    assert got.headers["x-content-type-options"] == "nosniff"
    disposition = got.headers["content-disposition"]
    assert disposition.startswith("attachment;") and "filename*=UTF-8''%E7%8E%B0" in disposition

    lying = upload(clerk, case, b"MZ\x90\x00 not an image", "a.png", "image/png")
    assert lying.status_code == 422 and error_beside(lying.text, "f-attach-file")
    empty = upload(clerk, case, b"", "empty.png", "image/png")
    assert empty.status_code == 422 and error_beside(empty.text, "f-attach-file")
    no_token = clerk.post(
        f"/workspace/cases/{case}/attachments", files={"file": ("b.png", image, "image/png")}, data={"kind": "photo"}
    )
    assert no_token.status_code == 403
    assert len(pages.office.acting_as(REGISTRAR).attachments(case)) == 1

    auditor = signed_in(pages, "sun")  # no read of personal data: neither the page nor the file
    assert auditor.get(link[1]).status_code == 404
    reads = pages.office.acting_as(AUDITOR).access_records(case_ref=case, principal_id="wang")
    actions = {(r.action, r.purpose) for r in reads}
    assert {("casework", PURPOSE), ("attachments", PURPOSE), ("attachment", PURPOSE)} <= actions  # on record


def test_an_investigation_then_a_reply_citing_a_provision_and_its_findings(pages: WebServer) -> None:
    case = seed_visit(pages.office)
    director = signed_in(pages, "zhao")
    assert act(director, case, "accept", note="符合受理条件").status_code == 303
    due = pages.office.today().isoformat()
    no_goers = post(director, case, "/investigations", mode="open", places="某公司", due_on=due, purpose="核实欠薪")
    assert no_goers.status_code == 422 and "f-plan_investigation-investigators-error" in no_goers.text
    planned = post(
        director,
        case,
        "/investigations",
        mode="open",
        places="某公司\n区劳动监察大队",
        due_on=due,
        purpose="核实欠薪情况",
        **{"investigator:li": "on"},
    )
    assert planned.status_code == 303, planned.text[:3000]
    [investigation] = pages.office.acting_as(DIRECTOR).investigations(case)
    assert investigation.places == ("某公司", "区劳动监察大队") and investigation.investigators == ("li",)
    inquiry = post(
        director, case, "/investigations/inquiry", investigation=investigation.id, kind="site_visit", place="某公司",
        summary="查看工资台账",
    )  # fmt: skip
    assert inquiry.status_code == 303
    nowhere = post(director, case, "/investigations/inquiry", investigation=investigation.id, kind="interview",
                   place="", summary="约谈公司负责人")  # fmt: skip
    assert nowhere.status_code == 422 and error_beside(nowhere.text, "f-record_inquiry-place")
    clerk = signed_in(pages, "wang")
    assert upload(clerk, case, png(), "工资台账.png", "image/png", kind="evidence").status_code == 303
    [ledger] = pages.office.acting_as(REGISTRAR).attachments(case)
    unsaid = post(director, case, "/investigations/evidence", investigation=investigation.id,
                  attachment_id=ledger.id, description="")  # fmt: skip
    assert unsaid.status_code == 422 and error_beside(unsaid.text, "f-add_evidence-description")
    evidence = post(director, case, "/investigations/evidence", investigation=investigation.id,
                    attachment_id=ledger.id, description="工资台账显示三个月未发放")  # fmt: skip
    assert evidence.status_code == 303
    for path in ("/investigations", "/investigations/inquiry", "/investigations/evidence", "/investigations/findings"):
        no_token = director.post(f"/workspace/cases/{case}{path}", data={"investigation": investigation.id})
        assert no_token.status_code == 403, path
    blank = post(director, case, "/investigations/findings", investigation=investigation.id, findings=" ")
    assert blank.status_code == 422 and error_beside(blank.text, "f-record_findings-findings")
    found = post(director, case, "/investigations/findings", investigation=investigation.id, findings="确有欠薪三个月")
    assert found.status_code == 303
    page = director.get(f"/workspace/cases/{case}").text
    assert "查看工资台账" in page and "确有欠薪三个月" in page and "工资台账显示三个月未发放" in page
    assert ledger.digest[:12] in page
    assert f'<option value="{investigation.id}"' in page  # the reply may state these findings

    unknown = act(director, case, "reply", outcome="support", text="已协调支付", **{"cite:no-such-article": "on"})
    assert unknown.status_code == 422 and error_beside(unknown.text, "f-reply-citations")
    replied = act(
        director, case, "reply", outcome="support", text="已协调公司支付工资", findings_of=investigation.id,
        **{f"cite:{CITED}": "on"},
    )  # fmt: skip
    assert replied.status_code == 303
    case_now = pages.office.acting_as(DIRECTOR).case(case)
    assert case_now.reply is not None and "确有欠薪三个月" in case_now.reply.text
    citations = pages.office.acting_as(DIRECTOR).citations(case)
    assert [c.citation.provision_id for c in citations] == [CITED] and citations[0].record_kind == "basis"
    assert "处理依据" in director.get(f"/workspace/cases/{case}").text


def test_a_decline_cites_provisions_as_the_reply_does(pages: WebServer) -> None:
    case = seed_visit(pages.office)
    clerk = signed_in(pages, "wang")
    assert f'name="cite:{CITED}"' in clerk.get(f"/workspace/cases/{case}").text.split("/actions/decline", 1)[1]
    declined = act(clerk, case, "decline", reason="属于劳动仲裁范围", channel="arbitration", **{f"cite:{CITED}": "on"})
    assert declined.status_code == 303, declined.text[:3000]
    [cited] = pages.office.acting_as(REGISTRAR).citations(case)
    assert cited.citation.provision_id == CITED


def test_an_accused_body_gets_none_of_an_accusations_casework(pages: WebServer) -> None:
    clerk = signed_in(pages, "wang")
    csrf = page_token(clerk, "/workspace/intake")
    form = intake_form(csrf, now_local(pages.office), kind="accusation", respondent_unit="区人力资源和社会保障局")
    case = slip_tracking(clerk.post("/workspace/intake", data=form).text)
    assert post(clerk, case, "/receptions", channel="visit", asked="检举某局", explained="依法保密").status_code == 303
    assert upload(clerk, case, png(), "证据.png", "image/png").status_code == 303
    [attachment] = pages.office.acting_as(REGISTRAR).attachments(case)

    body = signed_in(pages, "hrss")
    token = page_token(body, "/workspace/body")
    assert body.get(f"/workspace/cases/{case}").status_code == 404
    assert body.get(f"/workspace/attachments/{attachment.id}").status_code == 404
    for path, fields in (
        ("/receptions", {"channel": "visit", "asked": "x", "explained": "y"}),
        ("/investigations", {"mode": "open", "investigator:li": "on", "places": "x", "purpose": "y"}),
        ("/investigations/inquiry", {"investigation": "x", "kind": "interview", "place": "x", "summary": "y"}),
        ("/investigations/evidence", {"investigation": "x", "attachment_id": attachment.id, "description": "y"}),
        ("/investigations/findings", {"investigation": "x", "findings": "y"}),
        ("/actions/reply", {"outcome": "support", "text": "y", f"cite:{CITED}": "on"}),
    ):
        assert body.post(f"/workspace/cases/{case}{path}", data={"csrf_token": token, **fields}).status_code == 404
    answer = body.post(
        f"/workspace/cases/{case}/attachments",
        data={"csrf_token": token},
        files={"file": ("x.png", png(), "image/png")},
    )
    assert answer.status_code == 403  # refused before its body is read: a body may upload to no case
    assert len(pages.office.acting_as(REGISTRAR).receptions(case)) == 1
    assert len(pages.office.acting_as(REGISTRAR).attachments(case)) == 1


def test_a_body_sees_no_knowledge_and_no_casework_forms_on_its_referral(pages: WebServer) -> None:
    case = seed_visit(pages.office)
    handler = signed_in(pages, "li")
    assert act(handler, case, "refer", mode="assignment", body=BODY).status_code == 303
    body_page = signed_in(pages, "hrss").get(f"/workspace/cases/{case}").text
    assert 'id="knowledge-title"' not in body_page  # office guidance is the office's
    for form in ("receive-form", "attach-form", "plan-form"):
        assert f'id="{form}"' not in body_page


def test_the_casework_speaks_english(pages: WebServer) -> None:
    case = seed_visit(pages.office)
    client = signed_in(pages, "wang")
    client.headers["Accept-Language"] = "en"
    page = client.get(f"/workspace/cases/{case}").text
    assert "Relevant provisions" in page and "Record a reception talk" in page and "Upload an attachment" in page
    assert "Regulations on Petition Work" in page


def test_a_download_name_cannot_break_out_of_its_header() -> None:
    from petitionkit.web.pages.casework import download_name

    value = download_name('照片"; filename=evil.html\r\nX-Injected: 1.png')
    assert "\r" not in value and "\n" not in value
    fallback = value.split('filename="', 1)[1].split('"', 1)[0]
    assert re.fullmatch(r"[A-Za-z0-9._-]+", fallback)
    assert value.endswith("%0D%0AX-Injected%3A%201.png")  # the UTF-8 name percent-encoded whole
    assert download_name("...") == "attachment; filename=\"attachment\"; filename*=UTF-8''..."
