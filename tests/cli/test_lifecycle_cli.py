"""Issue 16's lifecycle fixes through the command line, on today's REAL date, in an office made by `init`.

The clock is not frozen: the office works on the machine's today (in its time zone, Asia/Shanghai).
Only the overdue check of the re-routing duty moves a clock past its due date, in a second step.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from petitionkit.cli import cli
from petitionkit.testing import SAMPLE_ID_NUMBERS, SHANGHAI, FakeClock

LETTER = [
    "register", "--channel", "letter", "--kind", "claim", "--subject", "拖欠工资", "--content", "被拖欠三个月工资",
    "--category", "labour", "--region", "330199", "--name", "张三", "--phone", "13800138000",
]  # fmt: skip


@pytest.fixture
def run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    runner = CliRunner()
    monkeypatch.chdir(tmp_path)

    def invoke(*args: str, code: int = 0, clock: FakeClock | None = None) -> Any:
        obj = {"clock": clock} if clock is not None else None
        result = runner.invoke(cli, ["--json", *args], obj=obj)
        assert result.exit_code == code, result.output + result.stderr
        assert "Traceback" not in result.output
        return json.loads(result.stdout) if result.stdout.strip() else None

    invoke("init", "office")
    monkeypatch.chdir(tmp_path / "office")
    return invoke


def today() -> datetime:
    return datetime.now(SHANGHAI)


def test_a_reply_delivered_before_registration_is_refused_and_the_window_stays_open(run: Any) -> None:
    ref = run(*LETTER)["tracking_number"]
    run("--as", "li", "accept", ref)
    error = run("--as", "li", "reply", ref, "--outcome", "explain", "--text", "答复", "--delivered-on", "2020-01-01",
                code=2)  # fmt: skip
    assert error["error"] == "invalid_input"
    assert [(f["field"], f["problem"]) for f in error["fields"]] == [("delivered_on", "before_registration")]
    assert "delivered_on" in error["message_zh"] and "登记" in error["message_zh"]
    tomorrow = (today() + timedelta(days=2)).date().isoformat()
    error = run("--as", "li", "reply", ref, "--outcome", "explain", "--text", "答复", "--delivered-on", tomorrow,
                code=2)  # fmt: skip
    assert [(f["field"], f["problem"]) for f in error["fields"]] == [("delivered_on", "after_today")]
    error = run("--as", "li", "reply", ref, "--outcome", "explain", "--text", "\u200b \u3000", code=2)
    # the normaliser refuses invisible-only text before the domain's own blank check sees it
    assert [(f["field"], f["problem"]) for f in error["fields"]] == [("text", "invisible")]
    error = run("--as", "li", "reply", ref, "--outcome", "explain", "--text", "  ", code=2)
    assert [(f["field"], f["problem"]) for f in error["fields"]] in ([("text", "blank")], [("text", "invisible")])
    assert run("show", ref)["case"]["state"] == "accepted"  # nothing was recorded
    case = run("--as", "li", "reply", ref, "--outcome", "explain", "--text", "答复", "--delivered-on",
               today().date().isoformat())["case"]  # fmt: skip
    window = next(o for o in case["obligations"] if o["clock"] == "review_request")
    assert window["status"] == "open" and window["basis"]["start"] == today().date().isoformat()
    error = run("--as", "zhao", "terminate", ref, "--reason", "未申请复查", code=3)  # the window is still open
    assert error["error"] == "window"


def test_a_misroute_objection_leaves_a_duty_in_due_and_overdue(run: Any) -> None:
    ref = run(*LETTER)["tracking_number"]
    run("--as", "li", "transfer", ref, "--body", "QX-HRSS")
    case = run("--as", "li", "object", ref, "--reason", "不属于本单位职责")["case"]
    assert case["state"] == "registered"
    duty = next(o for o in case["obligations"] if o["clock"] == "routing" and o["status"] == "open")
    assert (duty["owed_by"], duty["basis"]["start"]) == ("office", today().date().isoformat())
    due = run("due", "--days", "40")
    assert [o["tracking_number"] for o in due["obligations"] if o["clock"] == "routing"] == [ref]
    assert not [o for o in run("overdue")["obligations"] if o["clock"] == "routing"]
    later = FakeClock(datetime.fromisoformat(duty["due"]).replace(hour=10, tzinfo=SHANGHAI) + timedelta(days=1))
    overdue = run("overdue", clock=later)
    assert [(o["tracking_number"], o["clock"]) for o in overdue["obligations"]] == [(ref, "routing")]
    case = run("--as", "li", "assign", ref, "--body", "QX-HOUSING", clock=later)["case"]
    assert next(o for o in case["obligations"] if o["id"] == duty["id"])["status"] == "late"
    assert not run("overdue", clock=later)["obligations"]


def test_feedback_history_and_collective_visits(run: Any) -> None:
    ref = run(*LETTER)["tracking_number"]
    run("--as", "li", "transfer", ref, "--body", "QX-HRSS")
    run("--as", "li", "feedback", ref, "--text", "已约谈")
    run("--as", "li", "feedback", ref, "--text", "已解决", "--received-on", today().date().isoformat())
    (referral,) = run("show", ref)["case"]["referrals"]
    assert [f["text"] for f in referral["feedbacks"]] == ["已约谈", "已解决"]
    assert {f["recorded_by"] for f in referral["feedbacks"]} == {"li#handler"}
    trail = [e["payload"]["number"] for e in run("events", ref)["events"] if e["name"] == "FeedbackRecorded"]
    assert trail == [1, 2]
    visit = ["register", "--channel", "visit", "--kind", "claim", "--subject", "征地补偿", "--content", "补偿未到位",
             "--category", "land", "--region", "330199", "--name", "李四", "--id-number", SAMPLE_ID_NUMBERS[0],
             "--headcount", "12"]  # fmt: skip
    error = run(*visit, code=2)
    assert [(f["field"], f["problem"]) for f in error["fields"]] == [("petitioners", "needs_representatives")]
    assert run(*visit, "--role", "representative")["case"]["state"] == "registered"
