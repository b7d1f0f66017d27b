"""Regression tests of issue 11 through the command line (CliRunner, SQLite, the sample county's pack
with its body aliases): no path lets an accuser's or a confidential petitioner's identity reach a body."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from petitionkit.cli import cli
from petitionkit.testing import SAMPLE_ID_NUMBERS, SHANGHAI, FakeClock, principals_toml

COUNTY = Path(__file__).resolve().parents[2] / "examples" / "sample-county" / "rules" / "county.toml"
CONFIG = """
[office]
office_code = "QX"
actor = "clerk-config"

[database]
url = "sqlite:///{db}"

[rules]
set = "national"
files = ["{county}"]
"""
SECRETS = ("王举报", SAMPLE_ID_NUMBERS[1], "13912345678")
CLAIM = [
    "register", "--channel", "letter", "--kind", "claim", "--subject", "房屋质量问题", "--content", "新房漏水",
    "--category", "housing", "--region", "330199", "--name", "张三", "--phone", "13800138000",
    "--received-at", "2026-09-20T09:00:00+08:00",
]  # fmt: skip


def accusation(*extra: str) -> list[str]:
    return [
        "register", "--channel", "letter", "--kind", "accusation", "--subject", "举报某科长",
        "--content", f"举报人王举报，身份证{SAMPLE_ID_NUMBERS[1]}，电话13912345678：某科长收受好处",
        "--category", "housing", "--region", "330199", "--name", "王举报", "--id-number", SAMPLE_ID_NUMBERS[1],
        "--phone", "13912345678", "--received-at", "2026-09-21T09:00:00+08:00", *extra,
    ]  # fmt: skip


@pytest.fixture
def run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    config = tmp_path / "petitionkit.toml"
    config.write_text(CONFIG.format(db=tmp_path / "office.db", county=COUNTY) + principals_toml(), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    clock = FakeClock(datetime(2026, 10, 20, 9, 0, tzinfo=SHANGHAI))

    def invoke(*args: str, code: int = 0) -> Result:
        result = runner.invoke(cli, list(args), catch_exceptions=False, obj={"clock": clock})
        assert result.exit_code == code, result.output + result.stderr
        return result

    return invoke


def doc(result: Result) -> Any:
    return json.loads(result.stdout)


def events(run: Any, ref: str) -> list[dict[str, Any]]:
    return list(doc(run("--json", "events", ref))["events"])


def exported(run: Any, body: str, tmp_path: Path) -> str:
    target = tmp_path / f"{body}.jsonl"
    run("--json", "--as", "li", "export", str(target), "--body", body)
    return target.read_text(encoding="utf-8")


def test_a_joined_accusation_named_by_alias_guards_the_case_and_is_recorded(run: Any, tmp_path: Path) -> None:
    claim = doc(run("--json", *CLAIM))["tracking_number"]
    joined = doc(run("--json", *accusation("--respondent-unit", "县 住建局", "--joins", claim)))
    assert joined["joined_existing_case"] is True
    for command, body in (("transfer", "QX-HOUSING"), ("assign", "QX-GOV")):
        error = doc(run("--json", "--as", "li", command, claim, "--body", body, code=6))
        assert error["error"] == "whistleblower_guard"
        last = events(run, claim)[-1]
        assert last["name"] == "ReferralRefused" and last["actor"] == "li#handler"
        assert last["payload"]["body_code"] == body
    run("--json", "transfer", claim, "--body", "QX-SUP")
    text = exported(run, "QX-SUP", tmp_path)
    assert text and not [s for s in SECRETS if s in text]
    assert exported(run, "QX-HOUSING", tmp_path) == ""  # never referred there


def test_a_code_typed_with_spaces_and_lower_case_is_normalised_and_guarded(run: Any) -> None:
    reg = doc(run("--json", *accusation("--respondent-body", " qx-housing ")))
    assert reg["case"]["respondent"]["body_code"] == "QX-HOUSING"
    error = doc(run("--json", "assign", reg["tracking_number"], "--body", "QX-HOUSING", code=6))
    assert error["error"] == "whistleblower_guard"
    bad = doc(run("--json", *accusation("--respondent-body", "QX-HOUSNIG"), code=2))
    assert [f["field"] for f in bad["fields"]] == ["respondent.body_code"]


def test_an_unresolved_unit_blocks_every_body_until_resolve_respondent(run: Any, tmp_path: Path) -> None:
    ref = doc(run("--json", *accusation("--respondent-unit", "某街道城管中队")))["tracking_number"]
    error = doc(run("--json", "--as", "zhao", "transfer", ref, "--body", "QX-SUP", code=6))
    assert error["error"] == "respondent_unresolved" and "resolve-respondent" in error["message_zh"]
    assert events(run, ref)[-1]["payload"]["refusal"] == "respondent_unresolved"
    run("--json", "resolve-respondent", ref, code=2)  # neither --body nor --unlisted
    run("--json", "resolve-respondent", ref, "--body", "NOWHERE", code=4)
    case = doc(run("--json", "--as", "zhao", "resolve-respondent", ref, "--body", "qx-land"))["case"]
    assert case["respondent"]["body_code"] == "QX-LAND"
    assert events(run, ref)[-1]["name"] == "RespondentResolved"
    run("--json", "transfer", ref, "--body", "QX-LAND", code=6)
    run("--json", "transfer", ref, "--body", "QX-SUP")
    text = exported(run, "QX-SUP", tmp_path)
    assert text and not [s for s in SECRETS if s in text] and "***" in text


def test_a_confidential_joined_petitioner_is_withheld_from_the_body(run: Any, tmp_path: Path) -> None:
    claim = doc(run("--json", *CLAIM))["tracking_number"]
    confidential = [
        "register", "--channel", "letter", "--kind", "claim", "--subject", "房屋质量问题",
        "--content", "我是王举报，电话13912345678，也遇到漏水", "--category", "housing", "--region", "330199",
        "--name", "王举报", "--phone", "13912345678", "--confidential", "--joins", claim,
        "--received-at", "2026-09-22T09:00:00+08:00",
    ]  # fmt: skip
    run("--json", *confidential)
    run("--json", "transfer", claim, "--body", "QX-HRSS")
    text = exported(run, "QX-HRSS", tmp_path)
    assert len(text.splitlines()) == 2 and not [s for s in SECRETS if s in text]
    pytest.importorskip("docxtpl")
    from docx import Document  # type: ignore[import-untyped]

    out = tmp_path / "letter.docx"
    run("--json", "document", "make", "transfer-letter", claim, "--output", str(out))
    letter = "\n".join(p.text for p in Document(str(out)).paragraphs)
    assert not [s for s in SECRETS if s in letter]


def test_a_document_to_a_guarded_body_is_refused_and_nothing_is_written(run: Any, tmp_path: Path) -> None:
    pytest.importorskip("docxtpl")
    claim = doc(run("--json", *CLAIM))["tracking_number"]
    run("--json", "transfer", claim, "--body", "QX-HOUSING")
    run("--json", *accusation("--respondent-body", "QX-HOUSING", "--joins", claim))
    out = tmp_path / "letter.docx"
    error = doc(run("--json", "--as", "li", "document", "make", "transfer-letter", claim, "--output", str(out), code=6))
    assert error["error"] == "whistleblower_guard" and not out.exists()
    last = events(run, claim)[-1]
    assert last["name"] == "DocumentRefused" and last["actor"] == "li#handler"
    assert exported(run, "QX-HOUSING", tmp_path) == ""
    assert events(run, claim)[-1]["name"] == "ExportRefused"


def test_on_todays_real_date_a_joined_accusation_never_reaches_the_accused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No injected clock: an office made by `petitionkit init`, an accusation naming the accused unit by an
    alias joins a claim; the accused unit is refused, another body gets the case without the accuser."""
    runner = CliRunner()

    def run(*args: str, code: int = 0) -> Result:
        result = runner.invoke(cli, ["--json", *args])
        assert result.exit_code == code, result.output + result.stderr
        return result

    monkeypatch.chdir(tmp_path)
    run("init", "office")
    monkeypatch.chdir(tmp_path / "office")

    def today(args: list[str]) -> list[str]:  # received now, as a clerk registers it at the counter
        at = args.index("--received-at")
        return args[:at] + args[at + 2 :]

    claim = doc(run(*today(CLAIM)))["tracking_number"]
    run(*today(accusation("--respondent-unit", "县住建局", "--joins", claim)))
    refused = doc(run("transfer", claim, "--body", "QX-HOUSING", code=6))
    assert refused["error"] == "whistleblower_guard"
    run("transfer", claim, "--body", "QX-GOV", code=6)  # the accused unit's parent is guarded too
    assert doc(run("transfer", claim, "--body", "QX-SUP"))["case"]["state"] == "transferred"
    exported_text = exported(run, "QX-SUP", tmp_path)
    assert exported_text and not any(secret in exported_text for secret in SECRETS)
