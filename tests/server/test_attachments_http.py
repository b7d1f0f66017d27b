"""Attachments and search over HTTP against a real server (uvicorn on loopback), on today's real date, on
SQLite and PostgreSQL: a photo attached, read back with its digest, never by the accused body; search."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from petitionkit.testing.files import TINY_PDF, png

from .conftest import BODY, Provider, Server, serve
from .test_http_api import change, key, register


@pytest.fixture
def server(db_url: str, provider: Provider, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Server]:
    monkeypatch.chdir(tmp_path)  # the office's folder store: ./attachments
    found = serve(db_url, provider)
    yield found
    found.stop()
    found.office.close()


def test_a_photo_over_http_is_verified_and_the_accused_body_never_gets_it(server: Server, tmp_path: Path) -> None:
    clerk, handler, body, auditor = (server.client(s) for s in ("u-wang", "u-li", "u-hrss", "u-sun"))
    case = register(clerk, subject="工地噪音扰民", content="附近工地夜间施工，噪音严重影响休息。")["case"]
    assert change(handler, case, "referrals", {"mode": "assignment", "body": BODY}).status_code == 200
    photo = png(3, 3)
    made = clerk.post(
        f"/cases/{case['id']}/attachments",
        content=photo,
        params={"filename": "现场.png", "kind": "photo"},
        headers={"Content-Type": "image/png", **key()},
    )
    assert made.status_code == 201, made.text
    attachment = made.json()
    assert attachment["digest"] == hashlib.sha256(photo).hexdigest() and attachment["media_type"] == "image/png"
    trail = handler.get(f"/cases/{case['id']}/events").json()
    assert [e["payload"]["digest"] for e in trail if e["name"] == "AttachmentAdded"] == [attachment["digest"]]
    got = body.get(f"/attachments/{attachment['id']}")  # an ordinary case referred to the body
    assert got.status_code == 200 and got.content == photo
    assert got.headers["X-Content-SHA256"] == attachment["digest"]
    assert got.headers["content-type"].startswith("image/png")

    mismatch = clerk.post(
        f"/cases/{case['id']}/attachments", content=TINY_PDF, headers={"Content-Type": "image/png", **key()}
    )
    assert mismatch.status_code == 422 and mismatch.json()["code"] == "attachment_refused"
    assert (
        auditor.post(
            f"/cases/{case['id']}/attachments", content=photo, headers={"Content-Type": "image/png", **key()}
        ).status_code
        == 403
    )

    found = handler.get("/search", params={"q": "施工"}).json()
    assert [r["case_id"] for r in found["results"]] == [case["id"]]
    assert [r["case_id"] for r in body.get("/search", params={"q": "施工"}).json()["results"]] == [case["id"]]

    register(
        clerk,
        kind="accusation",
        subject="检举人社局干部",
        content="检举某局科长收受贿赂，工地施工噪音无人管。",
        joins_case=case["first_tracking_number"],
        respondent={"unit_name": "区人力资源和社会保障局"},
    )
    refused = body.get(f"/attachments/{attachment['id']}")
    assert refused.status_code == 403 and photo not in refused.content
    assert body.get(f"/cases/{case['id']}/attachments").status_code == 403
    assert body.get("/search", params={"q": "施工"}).json()["results"] == []
    assert handler.get(f"/attachments/{attachment['id']}").content == photo

    person = handler.post("/search/person", json={"phone": "13800138000"})
    assert person.status_code == 200 and case["id"] in {c["id"] for c in person.json()}
    assert body.post("/search/person", json={"phone": "13800138000"}).status_code == 403


def test_a_retried_upload_attaches_once_and_a_key_reused_for_another_file_is_refused(server: Server) -> None:
    clerk, handler = server.client("u-wang"), server.client("u-li")
    case = register(clerk, subject="工地噪音扰民", content="附近工地夜间施工，噪音严重影响休息。")["case"]
    url, headers = f"/cases/{case['id']}/attachments", {"Content-Type": "image/png", **key()}
    photo, params = png(4, 4), {"filename": "现场.png", "kind": "photo"}

    first = clerk.post(url, content=photo, params=params, headers=headers)
    again = clerk.post(url, content=photo, params=params, headers=headers)  # the answer was lost: retried
    assert first.status_code == again.status_code == 201, first.text
    assert first.headers["Idempotent-Replayed"] == "false" and again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert [a["id"] for a in handler.get(url).json()] == [first.json()["id"]]  # attached once
    trail = handler.get(f"/cases/{case['id']}/events").json()
    assert [e["name"] for e in trail].count("AttachmentAdded") == 1

    other = clerk.post(url, content=png(5, 5), params=params, headers=headers)  # another file, the same key
    assert other.status_code == 422 and other.json()["code"] == "idempotency_key_reused"
    renamed = clerk.post(url, content=photo, params={**params, "filename": "别名.png"}, headers=headers)
    assert renamed.status_code == 422 and renamed.json()["code"] == "idempotency_key_reused"
    missing = clerk.post(url, content=photo, params=params, headers={"Content-Type": "image/png"})
    assert missing.status_code == 400 and missing.json()["code"] == "idempotency_key_required"

    refused = clerk.post(url, content=TINY_PDF, params=params, headers={"Content-Type": "image/png", **key()})
    assert refused.status_code == 422 and refused.json()["code"] == "attachment_refused"
    fixed = {**headers, "Idempotency-Key": refused.request.headers["Idempotency-Key"], "Content-Type": "image/png"}
    retried = clerk.post(url, content=png(6, 6), params=params, headers=fixed)  # a refusal releases its key
    assert retried.status_code == 201 and retried.headers["Idempotent-Replayed"] == "false"
    assert len(handler.get(url).json()) == 2
