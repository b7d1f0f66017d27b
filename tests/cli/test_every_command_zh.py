"""Every command of the command line, run with ``--locale zh-CN`` on today's real date, speaks Chinese (issue 20).

The commands are enumerated from click's command tree (plugins' commands included), so a new command
is run too: with its recipe below when it has one, else with its required parameters filled in from
their names and types.  The text output (standard output and error) of each must name no English
enum identifier (every value of the domain's enums, every lifecycle action, event name and rule-pack
category code) and print no UTC time (``+00:00``, ``Z``): the office's time zone is Asia/Shanghai.

What may look like an identifier but is not one is struck before the check: command lines a clerk is
told to type (``petitionkit accept QX-…``), options (``--body``), file paths, a rule's id cited as its
provenance (``编号 labour``: where to find the rule in its pack), and the console notifier's envelope
(it stands in for an SMS or e-mail gateway and prints the address and idempotency key as one would).
``rules show``, ``plugins`` and ``document placeholders`` print names in their files' own syntax (see
DUMPS): only their times are checked.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import click
import pytest
from click.testing import CliRunner, Result

from petitionkit.cli import cli
from petitionkit.cli.app import load_plugin_commands
from petitionkit.domain import clocks, model
from petitionkit.domain.access import Permission
from petitionkit.domain.event_types import EVENT_TYPES
from petitionkit.domain.lifecycle import TRANSITIONS
from petitionkit.domain.retention import RecordKind
from petitionkit.rules import load_rule_set
from petitionkit.testing.files import TINY_PNG

ZONE = ZoneInfo("Asia/Shanghai")
ENUMS = (
    model.Channel,
    model.PetitionKind,
    model.PetitionerRole,
    model.CaseState,
    model.DeclineChannel,
    model.ReferralMode,
    model.ReferralStatus,
    model.ObligationStatus,
    model.Party,
    model.ReplyOutcome,
    model.EvaluationRating,
    model.BodyKind,
    clocks.Clock,
    Permission,
    RecordKind,
)
#: Technical inventories whose words are names in a file's own syntax: only their times are checked.
#: ``rules show`` prints the composed rule packs as TOML (keys are the codes); ``plugins`` lists plugin,
#: hook and ``[settings.*]`` table names; ``document placeholders`` the names a Word template writes.
DUMPS = {("rules", "show"), ("plugins",), ("document", "placeholders")}
UTC_TIME = re.compile(r"\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|\+00:00)\b")
NOT_WORDS = (
    re.compile(r"petitionkit(?: [a-z][\w-]*)+"),  # a command line the clerk is told to type
    re.compile(r"--[\w-]+"),  # an option
    re.compile(r"\S*/\S*"),  # a path or URL
    re.compile(r"\S+\.(?:toml|db|docx|jsonl|csv|key|bak)\b"),  # a file name
    re.compile(r"(?:编号|routing rule) [\w.-]+"),  # a rule's id, cited as provenance (as a file and line)
    re.compile(r"^to \S+ via \S+: .*\[[^\]]*\]$", re.MULTILINE),  # the console notifier's envelope (a gateway)
)


def identifiers() -> set[str]:
    """Every English identifier of an enum value, action, event and category code."""
    found = {member.value for enum in ENUMS for member in enum}
    found |= {t.action for t in TRANSITIONS}
    found |= set(EVENT_TYPES)
    found |= set(load_rule_set(("national",)).categories())
    return found


def leaks(text: str, words: set[str]) -> list[str]:
    """The identifiers (and UTC times) in ``text``, commands, options and paths struck out first."""
    found = UTC_TIME.findall(text)
    for pattern in NOT_WORDS:
        text = pattern.sub(" ", text)
    tokens = set(re.findall(r"(?<![\w-])[A-Za-z][\w]*(?![\w-])", text))
    return found + sorted(tokens & words)


def leaves(group: click.Group, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], click.Command]]:
    for name, command in sorted(group.commands.items()):
        if isinstance(command, click.Group):
            yield from leaves(command, (*path, name))
        else:
            yield (*path, name), command


class Office:
    """An office made by ``petitionkit init``, cases registered today, and the runner of every command."""

    def __init__(self, tmp_path: Path) -> None:
        self.tmp = tmp_path
        self.folder = tmp_path / "office"
        self.runner = CliRunner()
        self.values: dict[str, str] = {}
        self.ran: dict[tuple[str, ...], Result] = {}

    def invoke(self, *args: str, input: str | None = None) -> Result:
        return self.runner.invoke(cli, list(args), input=input, catch_exceptions=False)

    def data(self, *args: str) -> Any:
        result = self.invoke("--json", *args)
        assert result.exit_code == 0, result.output + result.stderr
        return json.loads(result.stdout)

    def register(self, kind: str, category: str, subject: str, *extra: str) -> dict[str, Any]:
        received = (datetime.now(ZONE) - timedelta(hours=2)).isoformat(timespec="seconds")
        return dict(
            self.data(
                "register", "--channel", "letter", "--kind", kind, "--category", category, "--region", "330106",
                "--subject", subject, "--content", subject + "，请求处理", "--name", "张三", "--phone", "13800138000",
                "--received-at", received, "--new", "--reason", "测试用的新事项", *extra,
            )
        )  # fmt: skip

    def text(self, path: tuple[str, ...], *args: str, input: str | None = None) -> Result:
        """Run command ``path`` in text mode with --locale zh-CN and keep what it printed."""
        result = self.invoke("--locale", "zh-CN", *path, *args, input=input)
        self.ran[path] = result
        return result


INVESTIGATION = "__investigation__"
ATTACHMENT = "__attachment__"


def recipes(o: Office) -> list[tuple[tuple[str, ...], list[str]]]:
    """Each command with arguments that make it do its work on the office's cases (in this order)."""
    v = o.values
    a, b, c, d, e = (v[k] for k in "abcde")
    today = datetime.now(ZONE).date().isoformat()
    rows = o.tmp / "rows.jsonl"
    photo = o.tmp / "photo.png"
    photo.write_bytes(TINY_PNG)
    row = {
        "source_ref": "R1",
        "channel": "letter",
        "received_at": datetime.now(ZONE).isoformat(timespec="seconds"),
        "kind": "claim",
        "category": "labour",
        "region_code": "330106",
        "subject": "拖欠工资",
        "content": "拖欠工资三个月",
        "petitioners": [{"name": "李四"}],
    }
    rows.write_text(json.dumps(row, ensure_ascii=False) + "\n", encoding="utf-8")
    return [
        (
            ("register",),
            [
                "--channel",
                "visit",
                "--kind",
                "suggestion",
                "--category",
                "transport",
                "--region",
                "330106",
                "--subject",
                "增设公交线路",
                "--content",
                "建议增设公交线路",
                "--name",
                "王五",
                "--id-number",
                "440524198001010013",
            ],
        ),
        (("show",), [a, "--petitions"]),
        (("lookup",), [v["query_code"]]),
        (("list",), []),
        (("screen",), [a]),
        (("route",), [a]),
        (("explain",), [a]),
        (("rules", "show"), []),
        (("rules", "deadline"), ["--clock", "handling", "--start", today]),
        (("accept",), [a]),
        (("document", "make"), ["acceptance-notice", a, "--output", str(o.tmp / "notice.docx")]),
        (("extend",), [a, "--days", "10", "--reason", "情况复杂", "--approved-by", "zhao"]),
        (("reply",), [a, "--outcome", "support", "--text", "支持您的请求"]),
        (("evaluate",), [a, "--rating", "satisfied"]),
        (("review", "request"), [a, "--reason", "不服", "--organ", "县人民政府"]),
        (("review", "decide"), [a, "--outcome", "support", "--opinion", "维持原处理意见"]),
        (("rereview", "request"), [a, "--reason", "仍不服", "--organ", "市人民政府"]),
        (("rereview", "decide"), [a, "--outcome", "support", "--opinion", "维持"]),
        (("terminate",), [a, "--reason", "复查期限届满"]),
        (("assign",), [b, "--body", "QX-HRSS"]),
        (("supervise",), [b, "--reason", "请加快办理"]),
        (("record-report",), [b, "--outcome", "support", "--text", "已办结"]),
        (("transfer",), [c, "--body", "QX-GOV"]),
        (("object",), [c, "--reason", "不属本单位职责"]),
        (("feedback",), [c, "--text", "已收到，正在办理"]),
        (("resolve-respondent",), [d, "--unlisted"]),
        (("decline",), [d, "--reason", "不属本机关职责", "--channel", "other_organ"]),
        (("withdraw",), [e, "--reason", "已解决"]),
        (("receive",), [a, "--channel", "visit", "--asked", "询问工资", "--explained", "依法解释", "--settled"]),
        (("knowledge",), ["--case", a]),
        (("citations",), [a]),
        (("attachments", "add"), [c, str(photo), "--kind", "photo"]),
        (("attachments", "list"), [c]),
        (("attachments", "get"), [ATTACHMENT, "--out", str(o.tmp / "got.png")]),
        (
            ("investigate", "plan"),
            [
                c,
                "--mode",
                "unannounced",
                "--investigator",
                "clerk",
                "--place",
                "某工地",
                "--due-on",
                today,
                "--purpose",
                "核实情况",
            ],
        ),
        (("investigate", "interview"), [c, INVESTIGATION, "--place", "村委会", "--summary", "询问村干部"]),
        (("investigate", "site-visit"), [c, INVESTIGATION, "--place", "工地", "--summary", "查看现场"]),
        (
            ("investigate", "evidence"),
            [c, INVESTIGATION, "--attachment-id", ATTACHMENT, "--description", "现场照片"],
        ),
        (("investigate", "findings"), [c, INVESTIGATION, "--findings", "情况属实"]),
        (("casework",), [c, "--verify"]),
        (("document", "register"), []),
        (("attachments", "verify"), []),
        (("attachments", "import-legacy"), [str(o.tmp)]),
        (("search",), ["工资"]),
        (("reindex",), []),
        (("changes",), []),
        (("events",), [a, "--verify"]),
        (("due",), ["--days", "90"]),
        (("overdue",), []),
        (("recompute",), []),
        (("import",), [str(rows)]),
        (("export",), [str(o.tmp / "out.jsonl")]),
        (("dispatch",), []),
        (("remind",), []),
        (("receipts",), [a]),
        (("report", "period"), ["--period", today[:7]]),
        (("report", "signals"), ["--period", today[:7]]),
        (("document", "check-templates"), []),
        (("document", "export-templates"), [str(o.tmp / "templates")]),
        (("document", "placeholders"), []),
        (("audit", "verify"), []),
        (("audit", "checkpoint"), []),
        (("audit", "rotate-key"), []),
        (("audit", "access"), []),
        (("principals",), []),
        (("purge",), ["--dry-run"]),
        (("backup",), [str(o.tmp / "office.bak")]),
        (("restore",), [str(o.tmp / "office.bak"), str(o.tmp / "restored.db")]),
        (("keys", "status"), []),
        (("keys", "add-master"), []),
        (("keys", "rotate"), ["--master"]),
        (("serve",), ["--workers", "2"]),  # refused at once on SQLite: its error, in Chinese
        (("api-key", "create"), ["admin", "--name", "县OA系统"]),
        (("api-key", "list"), []),
        (("api-key", "revoke"), ["__api_key__"]),
        (("plugins",), []),
        (("db", "current"), []),
        (("db", "upgrade"), []),
        (("quickstart",), [str(o.tmp / "demo"), "--petitions", "5"]),
    ]


def filled(command: click.Command, o: Office) -> list[str]:
    """Arguments for a command without a recipe: every required parameter, from its name and type."""
    args: list[str] = []
    for param in command.params:
        if not param.required:
            continue
        if isinstance(param.type, click.Choice):
            value = str(param.type.choices[0])
        elif isinstance(param.type, click.types.IntParamType | click.types.FloatParamType):
            value = "1"
        elif param.name in ("ref", "case"):
            value = o.values["a"]
        elif isinstance(param.type, click.Path):
            value = str(o.tmp / f"{param.name}.out")
        else:
            value = "测试"
        if isinstance(param, click.Option):
            args.append(param.opts[0])
        args.append(value)
    return args


@pytest.fixture
def office(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Office:
    for name in ("PETITIONKIT_LOCALE", "PETITIONKIT_DATABASE_URL", "LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "en_US.UTF-8")  # --locale wins over the system language
    load_plugin_commands(cli, [])
    o = Office(tmp_path)
    o.ran[("init",)] = o.invoke("--locale", "zh-CN", "init", str(o.folder))
    assert o.ran[("init",)].exit_code == 0, o.ran[("init",)].output
    monkeypatch.chdir(o.folder)
    first = o.register("claim", "labour", "拖欠工资")
    o.values |= {"a": first["tracking_number"], "query_code": first["query_code"]}
    o.values["b"] = o.register("claim", "housing", "房屋漏水")["tracking_number"]
    o.values["c"] = o.register("suggestion", "transport", "公交线路")["tracking_number"]
    o.values["d"] = o.register("accusation", "officials", "干部作风", "--respondent-unit", "某单位")["tracking_number"]
    o.values["e"] = o.register("claim", "education", "入学")["tracking_number"]
    return o


def test_every_command_speaks_chinese_with_office_times(office: Office) -> None:
    """Every command (enumerated from the tree) prints no English enum identifier and no UTC time."""
    words = identifiers()
    commands = dict(leaves(cli))
    planned = recipes(office)
    assert {path for path, _ in planned} <= set(commands), "a recipe names a command that no longer exists"
    planned += [(path, filled(command, office)) for path, command in commands.items() if path not in dict(planned)]
    planned = [p for p in planned if p[0] != ("init",)]  # init ran in the fixture, in Chinese too
    problems: dict[str, list[str]] = {}
    for path, planned_args in planned:
        args = planned_args
        if path == ("api-key", "revoke"):  # the key made by the recipe before it
            args = [office.data("api-key", "list")["api_keys"][0]["id"]]
        if ATTACHMENT in args:  # the photo attached by the recipe before it
            attached = office.data("attachments", "list", office.values["c"])["attachments"][0]["id"]
            args = [attached if arg == ATTACHMENT else arg for arg in args]
        if INVESTIGATION in args:  # the investigation planned by the recipe before it
            planned_id = office.data("casework", office.values["c"])["casework"][-1]["id"]
            args = [planned_id if arg == INVESTIGATION else arg for arg in args]
        result = office.text(path, *args)
        text = result.stdout + result.stderr
        assert result.exit_code != 70, f"{' '.join(path)} failed unexpectedly: {text}"
        assert not (result.exit_code == 2 and "Usage:" in text), f"{' '.join(path)}: usage error: {text}"
        found = UTC_TIME.findall(text) if path in DUMPS else leaks(text, words)
        if found:
            problems[" ".join(path)] = found
    assert set(office.ran) == set(commands), "every command ran"
    assert not problems, f"English identifiers or UTC times in zh-CN output: {problems}"
    # The run was real: cases moved through their lifecycle and the labels came from the rule packs.
    shown = office.ran[("show",)].stdout
    assert "劳动和社会保障" in shown and "浙江省杭州市西湖区" in shown and "申诉求决类" in shown
    assert "已终结" in office.text(("show",), office.values["a"]).stdout


def test_json_gives_every_time_with_the_office_offset(office: Office) -> None:
    """``--json`` documents carry the office's offset on every time, nested ones (referrals, petitions) too."""
    a = office.values["a"]
    office.invoke("assign", a, "--body", "QX-HRSS")
    for args in (
        ("show", a, "--petitions"),
        ("events", a),
        ("list",),
        ("due", "--days", "90"),
        ("lookup", office.values["query_code"]),
        ("receipts", a),
        ("audit", "access"),
    ):
        text = json.dumps(office.data(*args), ensure_ascii=False)
        assert not UTC_TIME.findall(text), args
        assert "+08:00" in text or args[0] == "due", args  # due dates are days, without a time


def test_the_identifier_check_catches_what_it_must(tmp_path: Path) -> None:
    """The checker itself: an identifier or a UTC time is caught; commands, options and paths are not."""
    words = identifiers()
    assert leaks("状态：registered", words) == ["registered"]
    assert leaks("类别 labour", words) == ["labour"]
    assert leaks("时间 2026-11-30T05:00:00+00:00", words) == ["05:00:00+00:00"]
    assert leaks("时间 2026-11-30T05:00:00Z", words) == ["05:00:00Z"]
    assert leaks("事件 CaseAccepted", words) == ["CaseAccepted"]
    assert leaks("受理  petitionkit accept QX-2026-000001 --note x /tmp/office/claim.db", words) == []
    assert leaks("时间 2026-11-30 13:00 北京", words) == []


@pytest.fixture(autouse=True)
def _no_leftovers(tmp_path: Path) -> Iterator[None]:
    yield
    shutil.rmtree(tmp_path, ignore_errors=True)
