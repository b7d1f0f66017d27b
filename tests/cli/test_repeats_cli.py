"""Repeat detection through the command line on today's real date, in an office made by ``petitionkit init``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from petitionkit.cli import cli

LETTER = [
    *("register", "--channel", "letter", "--kind", "claim", "--subject", "拖欠工资"),
    *("--content", "本人在宏达建筑公司工地务工，被拖欠工资三个月，多次讨要未果，请求依法处理。"),
    *("--category", "labour", "--region", "330199", "--name", "张三", "--phone", "13800138000"),
    *("--respondent-unit", "宏达建筑公司"),
]
# The same person and matter again: +86 and full-width digits, reworded, another clerk's category.
AGAIN = [
    *("register", "--channel", "visit", "--kind", "claim", "--subject", "工钱被拖欠"),
    *("--content", "我在工地给宏达建筑公司干活，三个月的工钱一直没有发，老板推脱不给，请帮忙讨要工资。"),
    *("--category", "other", "--region", "330199", "--name", "张三", "--phone", "+86 １３８００１３８０００"),
    *("--id-number", "11010519491231002x", "--respondent-unit", "宏达建筑公司"),
]


@pytest.fixture
def run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    runner = CliRunner()
    monkeypatch.chdir(tmp_path)
    assert runner.invoke(cli, ["--json", "init", "office"], catch_exceptions=False).exit_code == 0
    monkeypatch.chdir(tmp_path / "office")

    def invoke(*args: str, code: int = 0, input: str | None = None) -> Result:
        result = runner.invoke(cli, list(args), catch_exceptions=False, input=input)
        assert result.exit_code == code, result.output + result.stderr
        return result

    return invoke


def test_the_same_persons_same_matter_is_refused_until_joined_or_registered_as_new(run: Any) -> None:
    first = json.loads(run("--json", *LETTER).stdout)["tracking_number"]
    refused = run(*AGAIN, code=11)
    assert first in refused.stderr and "电话相同" in refused.stderr and "--joins" in refused.stderr
    assert "内容相似度" in refused.stderr
    error = json.loads(run("--json", *AGAIN, code=11).stdout)
    assert error["error"] == "repeat_suspected" and error["candidates"][0]["tracking_number"] == first
    assert {r["code"] for r in error["candidates"][0]["reasons"]} >= {"name_phone", "phone", "respondent"}
    listed = json.loads(run("--json", "list").stdout)
    assert len(listed["cases"]) == 1  # nothing was saved, and no decision taken
    joined = json.loads(run("--json", *AGAIN, "--joins", first).stdout)
    assert joined["joined_existing_case"] and joined["case"]["tracking_number"] == first
    new = json.loads(run("--json", *AGAIN, "--new", "--reason", "另一工地的欠薪").stdout)
    assert not new["joined_existing_case"] and new["case"]["state"] == "registered"
    events = json.loads(run("--json", "events", new["tracking_number"]).stdout)["events"]
    assert any(e["name"] == "RepeatCandidatesDismissed" for e in events)
    assert run(*AGAIN, "--new", code=2).exit_code == 2  # --new needs --reason


def test_joining_a_terminated_case_is_declined_by_the_pack(run: Any) -> None:
    ref = json.loads(run("--json", *LETTER).stdout)["tracking_number"]
    run("accept", ref)
    run("reply", ref, "--outcome", "explain", "--text", "已解释")
    run("review", "request", ref, "--reason", "不服", "--organ", "县政府")
    run("review", "decide", ref, "--outcome", "support", "--opinion", "维持")
    run("rereview", "request", ref, "--reason", "不服", "--organ", "市政府")
    run("rereview", "decide", ref, "--outcome", "explain", "--opinion", "维持")
    human = run(*AGAIN, "--joins", ref)
    assert "不再受理" in human.stdout
    reg = json.loads(run("--json", *AGAIN, "--joins", ref).stdout)
    assert reg["case"]["state"] == "declined" and reg["case"]["tracking_number"] != ref
    assert "不再受理" in reg["case"]["decline"]["reason"] and reg["case"]["decline"]["channel"] == "none"


def test_interactive_registration_shows_candidates_and_joins(run: Any) -> None:
    first = json.loads(run("--json", *LETTER).stdout)["tracking_number"]
    answers = "\n".join(
        [
            *("letter", "张三", "11010519491231002X", "13800138000", "", "1", "claim", "labour", "330199"),
            *("拖欠工资", "本人被宏达建筑公司拖欠工资三个月，多次讨要未果，请求依法处理。", "n", "", first),
        ]
    )
    result = run("register", "--interactive", input=answers + "\n")
    assert "电话相同" in result.stderr and first in result.stdout
