"""Reception, investigation and knowledge through the command line, on today's real date (no injected
clock), on an office made by ``petitionkit init`` (field encryption and the audit key on), SQLite and
PostgreSQL: a visit received, explained with a cited provision and settled in talk; a case investigated
with an unannounced site visit and two interviews, then replied to with the findings; the accused
body's principal sees none of it."""

from __future__ import annotations

import hashlib
import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from petitionkit.cli import cli
from petitionkit.testing.databases import raw_dump
from petitionkit.testing.files import png

BODIES = """
[[bodies]]
code = "GOV"
name = "区人民政府"
kind = "government"

[[bodies]]
code = "GOV-HRSS"
name = "区人力资源和社会保障局"
kind = "government_department"
parent_code = "GOV"

[[principals]]
id = "body-hrss"
name = "人社局承办人"
roles = ["handling_body"]
bodies = ["GOV-HRSS"]
"""
ACCUSER = "欧阳检举人"
WITNESS = "诸葛证人"
FINDING = "经暗访核实，工地确有拖欠工资情况"


@pytest.fixture
def run(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.delenv("PETITIONKIT_MASTER_KEY", raising=False)
    folder = tmp_path / "office"
    init = CliRunner().invoke(
        cli, ["init", str(folder), "--database-url", db_url, "--rules", "builtin", "--no-sample-county"]
    )
    assert init.exit_code == 0, init.output
    config = folder / "petitionkit.toml"
    config.write_text(config.read_text(encoding="utf-8") + BODIES, encoding="utf-8")
    monkeypatch.chdir(folder)
    runner = CliRunner()

    def invoke(*args: str, code: int = 0) -> Any:
        result: Result = runner.invoke(cli, ["--json", *args], catch_exceptions=False)
        assert result.exit_code == code, result.output + result.stderr
        return json.loads(result.output) if result.output.strip() else None

    return invoke


def _register(run: Any, *extra: str) -> str:
    found = run("--as", "wang", "register", "--channel", "visit", "--kind", "claim", "--subject", "工地拖欠工资",
                "--content", "某工地拖欠农民工工资三个月", "--category", "labour", "--region", "330102",
                "--name", "张三", "--id-number", "330102198704123617", "--phone", "13800138000", *extra)  # fmt: skip
    return str(found["tracking_number"])


def test_visit_explained_with_a_provision_and_settled_in_talk(run: Any, db_url: str) -> None:
    ref = _register(run)
    shown = run("--as", "wang", "knowledge", "--case", ref)["knowledge"]
    assert "xfgztl-2022-art34" in [p["id"] for p in shown["provisions"]]
    assert "xfcl-2005-art14" not in [p["id"] for p in shown["provisions"]]  # repealed: not offered
    screened = run("--as", "li", "screen", ref)
    assert "xfgztl-2022-art31" in [p["id"] for p in screened["knowledge"]["provisions"]]

    made = run("--as", "wang", "receive", ref, "--channel", "visit", "--asked", "工资何时能拿到",
               "--explained", "依法转交人社部门办理，60日内办结", "--response", "表示理解，不再上访",
               "--settled", "--cite", "xfgztl-2022-art34")["reception"]  # fmt: skip
    assert made["settled"] is True and made["citations"][0]["provision_id"] == "xfgztl-2022-art34"
    assert (
        made["received_at"][:10] == date.today().isoformat()
        or made["received_at"][:10] == (date.today() + timedelta(days=1)).isoformat()
    )  # the office's zone may be a day ahead of the machine's

    listed = run("--as", "li", "casework", ref, "--purpose", "核对")["casework"]
    assert [r["kind"] for r in listed] == ["reception"] and listed[0]["explained"].startswith("依法转交")
    cited = run("--as", "li", "citations", ref)["citations"]
    assert cited[0]["status"] == "current"
    events = run("--as", "li", "events", ref, "--verify")
    assert "ReceptionRecorded" in json.dumps(events)
    assert "表示理解，不再上访" not in raw_dump(db_url)  # the talk is encrypted at rest

    run("--as", "wang", "receive", ref, "--channel", "call", "--asked", "x", "--explained", "y",
        "--cite", "no-such-provision", code=2)  # fmt: skip
    run("--as", "wang", "receive", ref, "--channel", "call", "--asked", "x", "--explained", "y",
        "--cite", "xfcl-2005-art14", code=2)  # fmt: skip


def test_unannounced_investigation_then_reply_with_findings(run: Any, db_url: str, tmp_path: Path) -> None:
    ref = _register(run)
    due = (date.today() + timedelta(days=10)).isoformat()
    plan = run("--as", "li", "investigate", "plan", ref, "--mode", "unannounced", "--investigator", "li",
               "--investigator", "zhao", "--place", "某工地", "--due-on", due, "--purpose", "核实欠薪")  # fmt: skip
    inv = plan["investigation"]["id"]
    visit = run("--as", "li", "investigate", "site-visit", ref, inv, "--place", "某工地",
                "--summary", "工地停工，工人聚集讨薪")["investigation"]  # fmt: skip
    run("--as", "li", "investigate", "interview", ref, inv, "--place", "工地宿舍", "--persons", WITNESS,
        "--summary", "证人称三个月未发工资")  # fmt: skip
    run("--as", "li", "investigate", "interview", ref, inv, "--place", "项目部", "--persons", "项目经理",
        "--summary", "承认拖欠，称资金未到位")  # fmt: skip
    photo = tmp_path / "site.png"
    photo.write_bytes(png(3, 3))
    attached = run("--as", "wang", "attachments", "add", ref, str(photo), "--kind", "photo", "--type", "image/png")
    digest = hashlib.sha256(photo.read_bytes()).hexdigest()
    run("--as", "li", "investigate", "evidence", ref, inv, "--attachment-id", attached["id"], "--digest", digest,
        "--description", "工地现场照片", "--inquiry", visit["inquiries"][0]["id"])  # fmt: skip
    done = run("--as", "li", "investigate", "findings", ref, inv, "--findings", FINDING)["investigation"]
    assert done["mode"] == "unannounced" and len(done["inquiries"]) == 3 and done["concluded_at"]
    assert [q["kind"] for q in done["inquiries"]].count("interview") == 2
    run("--as", "li", "investigate", "interview", ref, inv, "--place", "p", "--summary", "s", code=2)  # concluded

    run("--as", "li", "accept", ref)
    case = run("--as", "li", "reply", ref, "--outcome", "support", "--text", "支持您的诉求，已督促支付",
               "--findings-of", inv, "--cite", "xfgztl-2022-art35")["case"]  # fmt: skip
    assert FINDING in case["reply"]["text"] and "第三十五条" in case["reply"]["text"]
    trail = json.dumps(run("--as", "li", "events", ref, "--verify"))
    for name in ("InvestigationPlanned", "InquiryRecorded", "EvidenceRecorded", "FindingsRecorded", "LegalBasisCited"):
        assert name in trail
    assert digest in trail  # the evidence's digest is bound into the audit trail
    dump = raw_dump(db_url)
    assert WITNESS not in dump and "证人称三个月未发工资" not in dump


def test_the_accused_body_sees_nothing_of_an_accusation_s_casework(run: Any) -> None:
    ref = _register(run, "--kind", "accusation", "--respondent-body", "GOV-HRSS", "--respondent-unit",
                    "区人力资源和社会保障局", "--name", ACCUSER)  # fmt: skip
    run("--as", "wang", "receive", ref, "--channel", "visit", "--asked", f"{ACCUSER}检举科长",
        "--explained", "依法保密", "--cite", "xfgztl-2022-art30")  # fmt: skip
    due = (date.today() + timedelta(days=5)).isoformat()
    run("--as", "li", "investigate", "plan", ref, "--mode", "open", "--investigator", "li", "--place", "人社局",
        "--due-on", due, "--purpose", "核实检举")  # fmt: skip
    for command in (("casework", ref), ("citations", ref), ("events", ref), ("show", ref)):
        error = run("--as", "body-hrss", *command, code=10)
        assert ACCUSER not in json.dumps(error, ensure_ascii=False)
    refused = run("--as", "li", "transfer", ref, "--body", "GOV-HRSS", code=6)
    assert "whistleblower_guard" in json.dumps(refused)


def test_a_data_key_rotation_reencrypts_the_casework_and_it_still_reads(run: Any, db_url: str) -> None:
    ref = _register(run)
    run("--as", "wang", "receive", ref, "--channel", "visit", "--asked", "轮换前的接谈", "--explained", "答")
    old = _casework_key_ids(db_url)
    rotated = CliRunner().invoke(cli, ["--as", "admin", "keys", "rotate"], catch_exceptions=False)
    assert rotated.exit_code == 0, rotated.output
    new = _casework_key_ids(db_url)
    assert len(old) == len(new) == 1 and old != new  # the sealed body now names the new key
    listed = run("--as", "li", "casework", ref)["casework"]
    assert listed[0]["asked"] == "轮换前的接谈"
    assert run("--as", "li", "casework", ref, "--verify")["broken"] == []
    assert "轮换前的接谈" not in raw_dump(db_url)


def _casework_key_ids(db_url: str) -> set[str]:
    from sqlalchemy import create_engine, select

    from petitionkit.storage.sql.crypto import parse_sealed
    from petitionkit.storage.sql.tables import casework

    engine = create_engine(db_url)
    try:
        with engine.connect() as c:
            bodies = c.execute(select(casework.c.body)).scalars().all()
    finally:
        engine.dispose()
    found = set()
    for body in bodies:
        parsed = parse_sealed(body if isinstance(body, str) else json.dumps(body))
        assert parsed is not None, "a casework body stored in the clear"
        found.add(parsed[1])
    return found
