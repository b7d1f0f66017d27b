"""Casework, attachments and search joined, through the command line on today's real date (no injected
clock), on an office made by ``petitionkit init``: an accusation received in a visit, a photo attached,
an unannounced investigation with two interviews and a site visit, the photo added as evidence by its
attachment id alone, findings, a reply citing them; everything verifies, the office finds the talk and
the investigation by a word said in them, and the accused body's principal reaches none of it."""

from __future__ import annotations

import hashlib
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from petitionkit.testing.files import png

ACCUSER = "欧阳检举人"
FINDING = "经暗访核实，该科长确有收受好处的情况"


@pytest.fixture
def run(cli_office: Any) -> Any:
    return cli_office


def test_an_accusation_investigated_with_a_photo_as_evidence_end_to_end(run: Any, tmp_path: Path) -> None:
    letter = ["register", "--channel", "visit", "--kind", "accusation", "--subject", "检举人社局干部"]
    letter += ["--content", "检举人社局某科长收受好处。", "--category", "labour", "--region", "330199"]
    letter += ["--name", ACCUSER, "--id-number", "330102198704123617", "--phone", "13900139000"]
    letter += ["--respondent-body", "QX-HRSS"]
    ref = run("--as", "wang", *letter)["tracking_number"]
    run("--as", "wang", "receive", ref, "--channel", "visit", "--asked", f"{ACCUSER}询问办理进展",
        "--explained", "已向来访人说明检举件依法保密，并介绍了宅基地审批的办理程序")  # fmt: skip

    photo = tmp_path / "现场照片.png"
    photo.write_bytes(png(4, 3))
    added = run("--as", "wang", "attachments", "add", ref, str(photo), "--kind", "photo", "--type", "image/png")
    digest = hashlib.sha256(photo.read_bytes()).hexdigest()

    due = (date.today() + timedelta(days=10)).isoformat()
    plan = run("--as", "li", "investigate", "plan", ref, "--mode", "unannounced", "--investigator", "li",
               "--place", "人社局", "--due-on", due, "--purpose", "核实检举内容")["investigation"]  # fmt: skip
    inv = plan["id"]
    visit = run("--as", "li", "investigate", "site-visit", ref, inv, "--place", "某工地",
                "--summary", "工地堆放大量钢筋")["investigation"]  # fmt: skip
    run("--as", "li", "investigate", "interview", ref, inv, "--place", "项目部", "--persons", "项目经理",
        "--summary", "项目经理称曾向科长送礼")  # fmt: skip
    run("--as", "li", "investigate", "interview", ref, inv, "--place", "办公室", "--persons", "某科长",
        "--summary", "科长否认")  # fmt: skip
    run("--as", "li", "investigate", "evidence", ref, inv, "--attachment-id", added["id"], "--digest", "0" * 64,
        "--description", "工地照片", code=2)  # a digest that is not the photo's: refused, nothing written # fmt: skip
    run("--as", "li", "investigate", "evidence", ref, inv, "--attachment-id", "no-such-file",
        "--description", "工地照片", code=2)  # fmt: skip
    grown = run("--as", "li", "investigate", "evidence", ref, inv, "--attachment-id", added["id"],
                "--description", "工地现场照片", "--inquiry", visit["inquiries"][0]["id"])["investigation"]  # fmt: skip
    assert [e["digest"] for e in grown["evidence"]] == [digest]
    done = run("--as", "li", "investigate", "findings", ref, inv, "--findings", FINDING)["investigation"]
    assert len(done["inquiries"]) == 3 and done["concluded_at"] and len(done["evidence"]) == 1

    run("--as", "li", "accept", ref)
    case = run("--as", "li", "reply", ref, "--outcome", "support", "--text", "经调查，检举属实，已依法处理",
               "--findings-of", inv)["case"]  # fmt: skip
    assert FINDING in case["reply"]["text"]
    assert run("--as", "sun", "attachments", "verify") == {"checked": 1, "intact": True, "broken": []}
    run("--as", "li", "casework", ref, "--verify")
    trail = run("events", ref, "--verify")["events"]
    assert [e["payload"]["attachment_digest"] for e in trail if e["name"] == "EvidenceRecorded"] == [digest]

    for word, kind in (("宅基地", "reception"), ("钢筋", "investigation"), ("送礼", "investigation")):
        found = run("--as", "li", "search", word)["results"]
        assert [(r["tracking_number"], r["source"]) for r in found] == [(ref, kind)], word
    assert run("--as", "li", "search", "欧阳")["results"] == []  # the accuser's name is not in the index

    refused = run("--as", "body-hrss", "casework", ref, code=10)
    assert refused["error"] == "permission_denied"
    out = tmp_path / "x.png"
    assert run("--as", "body-hrss", "attachments", "get", added["id"], "--out", str(out), code=10)
    assert not out.exists()
    for word in ("宅基地", "钢筋", "送礼", "检举"):
        assert run("--as", "body-hrss", "search", word)["results"] == []
