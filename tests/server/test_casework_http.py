"""Reception, investigation and knowledge over HTTP against a real server, on today's real date:
a visit received and settled with a cited provision, an unannounced investigation with a site visit,
two interviews and evidence, a reply with its findings, and an accused body that reads none of it."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from petitionkit.testing.files import png

from .conftest import BODY, Provider, Server, httpx, serve
from .test_http_api import change, key, register

ACCUSER = "欧阳检举人"
WITNESS = "诸葛证人"


@pytest.fixture
def server(db_url: str, provider: Provider, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Server]:
    monkeypatch.chdir(tmp_path)  # the office's folder store for the evidence photo: ./attachments
    found = serve(db_url, provider)
    yield found
    found.stop()
    found.office.close()


def add(client: httpx.Client, path: str, body: dict[str, Any]) -> dict[str, Any]:
    response = client.post(path, json=body, headers=key())
    assert response.status_code == 201, response.text
    return dict(response.json())


def test_reception_and_investigation_then_reply_with_findings(server: Server) -> None:
    clerk, handler = server.client("u-wang"), server.client("u-li")
    case = register(clerk, subject="工地拖欠工资", category="labour")["case"]
    base = f"/cases/{case['id']}"
    offered = handler.get(f"{base}/knowledge").json()
    assert "xfgztl-2022-art34" in [p["id"] for p in offered["provisions"]]
    assert clerk.get("/knowledge", params={"category": "labour"}).status_code == 200

    reception = add(clerk, f"{base}/receptions", {
        "channel": "visit", "asked": "何时发工资", "explained": "依法转办，60日内办结", "response": "满意",
        "settled": True, "citations": ["xfgztl-2022-art34"],
    })  # fmt: skip
    assert reception["settled"] and reception["citations"][0]["article"]["zh"] == "第三十四条"
    bad = clerk.post(f"{base}/receptions", json={"channel": "visit", "asked": "a", "explained": "b",
                                                 "citations": ["nope"]}, headers=key())  # fmt: skip
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "citations[0]"

    due = (datetime.now(UTC) + timedelta(days=7)).date().isoformat()
    inv = add(handler, f"{base}/investigations", {
        "mode": "unannounced", "investigators": ["li"], "places": ["某工地"], "due_on": due, "purpose": "核实",
    })  # fmt: skip
    path = f"{base}/investigations/{inv['id']}"
    visit = add(handler, f"{path}/inquiries", {"kind": "site_visit", "place": "某工地", "summary": "停工"})
    add(handler, f"{path}/inquiries", {"kind": "interview", "place": "宿舍", "persons": WITNESS, "summary": "欠薪"})
    add(handler, f"{path}/inquiries", {"kind": "interview", "place": "项目部", "summary": "承认拖欠"})
    photo = png(3, 3)
    made = clerk.post(f"{base}/attachments", content=photo, params={"filename": "现场.png", "kind": "photo"},
                      headers={"Content-Type": "image/png", **key()})  # fmt: skip
    assert made.status_code == 201, made.text
    wrong = handler.post(f"{path}/evidence", json={"attachment_id": made.json()["id"], "digest": "0" * 64,
                                                   "description": "现场照片"}, headers=key())  # fmt: skip
    assert wrong.status_code == 422 and wrong.json()["errors"][0]["field"] == "digest"
    add(
        handler,
        f"{path}/evidence",
        {
            "attachment_id": made.json()["id"],
            "description": "现场照片",
            "inquiry_id": visit["inquiries"][0]["id"],
        },
    )  # fmt: skip: the digest is taken from the attachment
    done = add(handler, f"{path}/findings", {"findings": "情况属实"})
    digest = hashlib.sha256(photo).hexdigest()
    assert done["mode"] == "unannounced" and len(done["inquiries"]) == 3 and done["evidence"][0]["digest"] == digest

    assert change(handler, case, "acceptance", {}).status_code == 200
    replied = change(handler, case, "replies", {
        "outcome": "support", "text": "支持", "findings_of": inv["id"], "citations": ["xfgztl-2022-art35"],
    })  # fmt: skip
    assert replied.status_code == 200, replied.text
    assert "情况属实" in replied.json()["reply"]["text"]
    bases = handler.get(f"{base}/legal-bases").json()
    assert bases[0]["findings_of"] == inv["id"] and bases[0]["citations"][0]["provision_id"] == "xfgztl-2022-art35"
    assert [c["status"] for c in handler.get(f"{base}/citations").json()] == ["current", "current"]
    assert server.as_admin().verify_audit_trail(case["id"]) is None
    assert handler.get("/schema/openapi.json").json()["paths"]["/cases/{case_ref}/receptions"]


def test_an_accused_body_reads_none_of_an_accusation_s_casework(server: Server) -> None:
    clerk, handler, body = server.client("u-wang"), server.client("u-li"), server.client("u-hrss")
    accusation = register(
        clerk,
        kind="accusation",
        subject="检举某局干部",
        petitioners=[{"name": ACCUSER, "phone": "13900139000"}],
        respondent={"person_name": "某科长", "unit_name": "区人力资源和社会保障局"},
    )["case"]
    base = f"/cases/{accusation['id']}"
    add(clerk, f"{base}/receptions", {"channel": "call", "asked": f"{ACCUSER}询问进展", "explained": "依法保密",
                                      "citations": ["xfgztl-2022-art30"]})  # fmt: skip
    due = (datetime.now(UTC) + timedelta(days=7)).date().isoformat()
    add(handler, f"{base}/investigations", {"mode": "open", "investigators": ["li"], "places": ["人社局"],
                                            "due_on": due, "purpose": "核实"})  # fmt: skip
    for path in ("receptions", "investigations", "legal-bases", "citations", "knowledge"):
        response = body.get(f"{base}/{path}")
        assert response.status_code == 403, (path, response.text)
        assert ACCUSER not in response.text
    posted = body.post(f"{base}/receptions", json={"channel": "call", "asked": "a", "explained": "b"}, headers=key())
    assert posted.status_code == 403

    # A body a case is referred to (not the accused) reads its receptions, redacted, never an investigation
    # of an accusation; of an ordinary case it reads the investigation too.
    ordinary = register(clerk, subject="工资问题")["case"]
    assert change(handler, ordinary, "referrals", {"mode": "assignment", "body": BODY}).status_code == 200
    plan = {"mode": "open", "investigators": ["li"], "places": ["工地"], "due_on": due, "purpose": "核实"}
    add(handler, f"/cases/{ordinary['id']}/investigations", plan)
    assert len(body.get(f"/cases/{ordinary['id']}/investigations").json()) == 1
