"""Every command through click's CliRunner on an SQLite office: JSON documents and error paths."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from petitionkit.cli import cli
from petitionkit.testing import SHANGHAI, FakeClock, principals_toml

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

LETTER = [
    "register",
    "--channel",
    "letter",
    "--kind",
    "claim",
    "--subject",
    "拖欠工资",
    "--content",
    "被拖欠工资三个月",
    "--category",
    "labour",
    "--region",
    "330199",
    "--name",
    "张三",
    "--id-number",
    "11010519491231002X",
    "--phone",
    "13800138000",
    "--received-at",
    "2026-09-20T09:00:00+08:00",
]
# The same petition again, registered as a new matter on purpose (repeat detection would refuse it).
AGAIN = [*LETTER, "--new", "--reason", "另一事项"]


@pytest.fixture
def run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    config = tmp_path / "petitionkit.toml"
    config.write_text(CONFIG.format(db=tmp_path / "office.db", county=COUNTY) + principals_toml(), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    clock = FakeClock(datetime(2026, 10, 20, 9, 0, tzinfo=SHANGHAI))

    def invoke(*args: str, input: str | None = None, ok: bool = True) -> Result:
        result = runner.invoke(cli, list(args), input=input, catch_exceptions=False, obj={"clock": clock})
        if ok:
            assert result.exit_code == 0, result.output + result.stderr
        return result

    return invoke


def doc(result: Result) -> Any:
    return json.loads(result.stdout)


def test_register_from_options_prints_tracking_number_and_query_code(run: Any) -> None:
    data = doc(run("--json", *LETTER))
    assert data["tracking_number"] == "QX-2026-000001"
    assert len(data["query_code"]) == 14 and data["case"]["state"] == "registered"
    assert data["case"]["obligations"][0]["clock"] == "notice"
    human = run(*AGAIN)
    assert "QX-2026-000002" in human.stdout and "查询码" in human.stdout


def test_register_from_a_json_file_and_from_stdin(run: Any, tmp_path: Path) -> None:
    petition = {
        "channel": "online",
        "received_at": "2026-09-21T10:00:00+08:00",
        "kind": "suggestion",
        "subject": "关于增设公交线路的建议",
        "content": "建议增设公交线路",
        "category": "transport",
        "region_code": "330199",
        "petitioners": [{"name": "李四", "email": "li@example.cn"}],
    }
    path = tmp_path / "p.json"
    path.write_text(json.dumps(petition, ensure_ascii=False), encoding="utf-8")
    assert doc(run("--json", "register", "--file", str(path)))["case"]["kind"] == "suggestion"
    assert doc(run("--json", "register", "--file", "-", input=json.dumps(petition)))["tracking_number"].endswith("2")


def test_register_interactively_for_a_visit(run: Any) -> None:
    answers = (
        "\n".join(
            [
                "visit",
                "王五",
                "440524198001010013",
                "13900139000",
                "",
                "1",
                "claim",
                "housing",
                "330199",
                "房屋漏水",
                "房屋漏水多次反映未解决",
                "n",
                "",  # the summary: save it
            ]
        )
        + "\n"
    )
    data = doc(run("--json", "register", "--interactive", input=answers))
    assert data["case"]["category"] == "housing"


def test_an_interactive_collective_visit_registers_its_representative(run: Any) -> None:
    """Issue 16: twelve people came, so the person registered is asked for a role (representative by default)."""
    answers = ["visit", "王五", "440524198001010013", "13900139000", "", "12", "", "claim", "housing", "330199"]
    answers += ["房屋漏水", "房屋漏水多次反映未解决", "n", ""]
    data = doc(run("--json", "register", "--interactive", input="\n".join(answers) + "\n"))
    assert data["case"]["state"] == "registered"
    ref = data["tracking_number"]
    (petition,) = doc(run("--json", "show", ref, "--petitions"))["petitions"]
    assert petition["headcount"] == 12 and petition["petitioners"][0]["role"] == "representative"
    # Twelve people and nobody speaks for them: refused, and only the headcount and role are asked again.
    answers[6] = "petitioner"
    corrected = run(
        "--json", "register", "--interactive", "--new", "--reason", "另一事项",
        input="\n".join([*answers, "12", "representative", ""]) + "\n",
    )  # fmt: skip
    assert "代表" in corrected.stderr and doc(corrected)["case"]["state"] == "registered"
    # The input ends before the correction: nothing is saved (exit 1), no case document printed.
    refused = run("--json", "register", "--interactive", input="\n".join(answers) + "\n", ok=False)
    assert refused.exit_code == 1 and "needs_representatives" not in refused.stdout


def test_the_whole_case_lifecycle_from_the_command_line(run: Any) -> None:
    run(*LETTER)
    ref = "QX-2026-000001"
    assert doc(run("--json", "screen", ref))["screening"]["accepted"] is True
    routed = doc(run("--json", "route", ref))["routing"]
    assert routed["rule_id"] == "labour" and routed["text"]
    case = doc(run("--json", "route", ref, "--apply"))["case"]
    assert case["state"] == "assigned" and case["referrals"][0]["body_code"] == "QX-HRSS"
    assert doc(run("--json", "supervise", ref, "--reason", "请加快办理"))["case"]["version"] == 3
    assert doc(run("--json", "extend", ref, "--days", "30", "--reason", "案情复杂", "--approved-by", "zhao"))
    case = doc(run("--json", "record-report", ref, "--outcome", "support", "--text", "已支付"))["case"]
    assert case["state"] == "replied"
    assert (
        doc(run("--json", "evaluate", ref, "--rating", "satisfied"))["case"]["evaluations"][0]["rating"] == "satisfied"
    )
    assert doc(run("--json", "review", "request", ref, "--reason", "不服", "--organ", "县政府"))["case"]["state"] == (
        "under_review"
    )
    run("--json", "review", "decide", ref, "--outcome", "support", "--opinion", "维持")
    run("--json", "rereview", "request", ref, "--reason", "不服", "--organ", "市政府")
    case = doc(run("--json", "rereview", "decide", ref, "--outcome", "explain", "--opinion", "维持"))["case"]
    assert case["state"] == "terminated" and not [o for o in case["obligations"] if o["status"] == "open"]
    trail = doc(run("--json", "events", ref, "--verify"))
    assert trail["intact"] is True and trail["events"][0]["name"] == "PetitionRegistered"
    assert {e["actor"] for e in trail["events"]} == {"admin#administrator"}


def test_screening_decline_transfer_objection_feedback_withdraw(run: Any) -> None:
    for _ in range(3):
        run(*AGAIN)
    decline = doc(run("--json", "screen", "QX-2026-000001", "--fact", "in_litigation", "--apply"))
    assert decline["case"]["state"] == "declined" and decline["case"]["decline"]["channel"] == "litigation"
    run("transfer", "QX-2026-000002", "--body", "QX-HOUSING")
    case = doc(run("--json", "--as", "li", "object", "QX-2026-000002", "--reason", "不属本局职责"))["case"]
    assert case["state"] == "registered"
    run("transfer", "QX-2026-000002", "--body", "QX-HRSS")
    assert doc(run("--json", "feedback", "QX-2026-000002", "--text", "已收悉"))["case"]["referrals"][-1]["feedback"]
    run("accept", "QX-2026-000003")
    assert doc(run("--json", "withdraw", "QX-2026-000003"))["case"]["state"] == "withdrawn"
    actors = {e["actor"] for e in doc(run("--json", "events", "QX-2026-000002"))["events"]}
    assert "li#handler" in actors


def test_accept_reply_terminate_and_decline_commands(run: Any) -> None:
    run(*LETTER)
    run(*AGAIN)
    run("accept", "QX-2026-000001")
    case = doc(run("--json", "reply", "QX-2026-000001", "--outcome", "explain", "--text", "解释说明"))["case"]
    assert case["reply"]["outcome"] == "explain"
    result = run("--json", "terminate", "QX-2026-000001", "--reason", "期限届满", ok=False)
    assert result.exit_code == 3 and doc(result)["error"] == "window"
    declined = doc(run("--json", "decline", "QX-2026-000002", "--reason", "属仲裁范围", "--channel", "arbitration"))
    assert declined["case"]["state"] == "declined"
    run("--json", "assign", "QX-2026-000002", "--body", "QX-HRSS", ok=False)


def test_show_list_due_overdue_lookup_explain(run: Any) -> None:
    registered = doc(run("--json", *LETTER))
    run(*AGAIN)
    run("accept", "QX-2026-000002")
    shown = doc(run("--json", "show", "QX-2026-000001", "--petitions"))
    assert shown["petitions"][0]["petitioners"][0]["name"] == "张三"
    assert "query_code_digest" not in shown["petitions"][0]
    listed = doc(run("--json", "list", "--state", "accepted"))
    assert [c["tracking_number"] for c in listed["cases"]] == ["QX-2026-000002"]
    assert doc(run("--json", "list", "--category", "labour", "--region", "3301"))["count"] == 2
    overdue = doc(run("--json", "overdue"))
    assert [o["clock"] for o in overdue["obligations"]] == ["notice"]  # 15 days from 20 Sept passed
    assert doc(run("--json", "due", "--days", "90"))["count"] == 2
    progress = doc(run("--json", "lookup", registered["query_code"]))["progress"]
    assert progress["tracking_number"] == "QX-2026-000001" and "张三" not in json.dumps(progress, ensure_ascii=False)
    explained = doc(run("--json", "explain", "QX-2026-000001"))["obligations"][0]
    assert explained["explanation"]["due"] == "2026-10-08" and "国庆节" in explained["text"]
    for command in (["show", "QX-2026-000001"], ["list"], ["due"], ["overdue"], ["explain", "QX-2026-000001"]):
        assert run(*command).stdout.strip()


def test_rules_deadline_explains_a_clock_in_json_and_words(run: Any) -> None:
    data = doc(run("--json", "rules", "deadline", "--clock", "handling", "--start", "2026-09-25"))
    assert data["due"] == "2026-11-24" and data["calendar"].startswith("chinese_calendar")
    text = run("--locale", "en", "rules", "deadline", "--clock", "misroute_objection", "--start", "2026-09-29").stdout
    assert "National Day" in text and "make-up" in text.lower()
    assert (
        doc(run("--json", "rules", "deadline", "--clock", "misroute_objection", "--start", "2026-09-29"))["due"]
        == "2026-10-12"
    )  # the Saturday 10 October make-up working day counts
    assert (
        doc(run("--json", "rules", "deadline", "--clock", "handling", "--start", "2026-09-25", "--kind", "suggestion"))[
            "applies"
        ]
        is False
    )
    shown = doc(run("--json", "rules", "show"))["rules"]
    assert shown["clocks"]
    assert "sample-county" in run("rules", "show").stdout


def test_recompute_reports_nothing_to_do_on_fresh_clocks(run: Any) -> None:
    run(*LETTER)
    assert doc(run("--json", "recompute")) == {"count": 0, "recomputed_cases": []}


def test_plugins_lists_the_builtins(run: Any) -> None:
    data = doc(run("--json", "plugins"))
    assert {"memory", "sqlite", "postgresql"} <= set(data["provides"]["storage"])
    assert {"builtin", "national", "zhejiang"} <= set(data["provides"]["rules"])


@pytest.mark.parametrize(
    ("args", "code", "error"),
    [
        (["accept", "QX-2026-999999"], 4, "not_found"),
        (["register", "--channel", "letter"], 2, "invalid_input"),
        (["reply", "QX-2026-000001", "--outcome", "support", "--text", "x"], 3, "illegal_transition"),
        (["transfer", "QX-2026-000001", "--body", "NOWHERE"], 4, "unknown_body"),
        (
            ["extend", "QX-2026-000001", "--days", "10", "--reason", "x", "--approved-by", "zhao"],
            3,
            "illegal_transition",
        ),
        (["lookup", "AAAA-BBBB-CCCC"], 4, "not_found"),
    ],
)
def test_errors_are_one_json_document_and_a_documented_exit_code(
    run: Any, args: list[str], code: int, error: str
) -> None:
    run(*LETTER)
    result = run("--json", *args, ok=False)
    assert result.exit_code == code
    assert doc(result)["error"] == error
    human = run(*args, ok=False)
    assert human.exit_code == code and "Traceback" not in human.output
    assert len(human.stderr.strip().splitlines()) == 1 and human.stderr.startswith("错误")


def test_english_messages_by_locale_and_debug_shows_the_traceback(run: Any) -> None:
    result = run("--locale", "en", "accept", "QX-2026-999999", ok=False)
    assert result.stderr.startswith("error: no case 'QX-2026-999999'")
    from petitionkit.errors import NotFound

    with pytest.raises(NotFound):
        CliRunner().invoke(cli, ["--debug", "accept", "QX-2026-999999"], catch_exceptions=False, obj={})


def test_a_missing_config_file_is_a_configuration_error(run: Any) -> None:
    result = run("--config", "nowhere.toml", "list", ok=False)
    assert result.exit_code == 7 and "nowhere.toml" in result.stderr


def test_environment_overrides_the_database_url(run: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    run(*LETTER)
    monkeypatch.setenv("PETITIONKIT_DATABASE_URL", f"sqlite:///{tmp_path / 'other.db'}")
    assert doc(run("--json", "list"))["count"] == 0


def test_every_command_module_contributes_distinct_names() -> None:
    """A later module must never silently replace an earlier module's command of the same name."""
    from petitionkit.cli import (
        case_cmds,
        exchange_cmds,
        notify_cmds,
        query_cmds,
        report_cmds,
        rules_cmds,
        setup_cmds,
    )

    names = [
        c.name
        for m in (case_cmds, query_cmds, rules_cmds, exchange_cmds, setup_cmds, notify_cmds, report_cmds)
        for c in m.COMMANDS
    ]
    assert len(names) == len(set(names)), sorted(n for n in names if names.count(n) > 1)
