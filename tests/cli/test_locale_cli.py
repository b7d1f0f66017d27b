"""The command line's locale, usage errors with --json, and the interactive form (issue 20)."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from petitionkit.cli import cli
from petitionkit.cli.usage import resolve_locale
from petitionkit.errors import UnknownLocale
from petitionkit.testing import SHANGHAI, FakeClock, principals_toml

COUNTY = Path(__file__).resolve().parents[2] / "examples" / "sample-county" / "rules" / "county.toml"
CONFIG = """
[office]
office_code = "QX"
{locale}

[database]
url = "sqlite:///{db}"

[rules]
set = "national"
files = ["{county}"]
"""
LOCALE_VARIABLES = ("PETITIONKIT_LOCALE", "LC_ALL", "LC_MESSAGES", "LANG")


@pytest.fixture(autouse=True)
def _no_locale_from_outside(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in LOCALE_VARIABLES:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def office(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    """Write petitionkit.toml (with ``locale`` as given) and return a runner of commands."""
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    clock = FakeClock(datetime(2026, 10, 20, 9, 0, tzinfo=SHANGHAI))

    def setup(locale: str = "") -> Any:
        line = f'locale = "{locale}"' if locale else ""
        text = CONFIG.format(locale=line, db=tmp_path / "office.db", county=COUNTY) + principals_toml()
        (tmp_path / "petitionkit.toml").write_text(text, encoding="utf-8")

        def invoke(*args: str, input: str | None = None, env: dict[str, str] | None = None) -> Result:
            return runner.invoke(cli, list(args), input=input, env=env, catch_exceptions=False, obj={"clock": clock})

        return invoke

    return setup


# --- locale resolution ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({}, "zh-CN"),
        ({"LANG": "en_US.UTF-8"}, "en"),
        ({"LANG": "zh_CN.UTF-8"}, "zh-CN"),
        ({"LANG": "C"}, "zh-CN"),
        ({"LANG": "POSIX"}, "zh-CN"),
        ({"LANG": "C.UTF-8"}, "zh-CN"),
        ({"LANG": "fr_FR.UTF-8"}, "zh-CN"),  # the system's language, not a choice: the default
        ({"LANG": "zh_CN.UTF-8", "LC_MESSAGES": "en_GB.UTF-8"}, "en"),
        ({"LC_MESSAGES": "en_GB.UTF-8", "LC_ALL": "zh_CN.UTF-8"}, "zh-CN"),
        ({"LANG": "zh_CN.UTF-8", "PETITIONKIT_LOCALE": "en"}, "en"),
    ],
)
def test_the_environment_decides_when_nothing_else_does(
    environ: dict[str, str], expected: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # no petitionkit.toml here
    assert resolve_locale(None, None, environ) == expected


def test_the_option_then_the_office_then_the_variable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    environ = {"PETITIONKIT_LOCALE": "zh-CN", "LANG": "zh_CN.UTF-8"}
    config = tmp_path / "petitionkit.toml"
    config.write_text('[office]\nlocale = "en"\n', encoding="utf-8")
    assert resolve_locale(None, None, environ) == "en"  # the office's file before PETITIONKIT_LOCALE
    assert resolve_locale("zh_CN.UTF-8", None, environ) == "zh-CN"  # --locale before everything
    config.write_text("[office]\n", encoding="utf-8")
    assert resolve_locale(None, None, environ | {"PETITIONKIT_LOCALE": "en"}) == "en"


@pytest.mark.parametrize(("option", "environ"), [("fr", {}), (None, {"PETITIONKIT_LOCALE": "fr"})])
def test_a_locale_asked_for_on_purpose_must_be_supported(
    option: str | None, environ: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(UnknownLocale) as refused:
        resolve_locale(option, None, environ)
    assert "zh-CN" in refused.value.message("en") and "en" in refused.value.message("en")


def test_an_unknown_locale_is_refused_with_exit_2_naming_the_supported_ones(office: Any) -> None:
    run = office()
    text = run("--locale", "fr", "list")
    assert text.exit_code == 2 and text.stdout == ""
    assert "fr" in text.stderr and "zh-CN" in text.stderr and "en" in text.stderr and "不受支持" in text.stderr
    as_json = run("--json", "--locale", "fr", "list")
    assert as_json.exit_code == 2
    doc = json.loads(as_json.stdout)
    assert doc["error"] == "unknown_locale" and "zh-CN, en" in doc["message"]


def test_the_office_locale_and_lang_reach_the_output(office: Any) -> None:
    run = office("en")
    assert "Tracking number" in run("list", env={"LANG": "zh_CN.UTF-8"}).stdout
    run = office()
    assert "Tracking number" in run("list", env={"LANG": "en_US.UTF-8"}).stdout
    assert "受理编号" in run("list", env={"LANG": "C"}).stdout
    assert "受理编号" in run("--locale", "zh-CN", "list", env={"LANG": "en_US.UTF-8"}).stdout


# --- usage errors --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "parameter"),
    [
        (["show", "--bogus"], None),  # unknown option
        (["show"], "'REF'"),  # missing argument
        (["list", "--state", "nope"], "'--state'"),  # a value not among the choices
        (["review", "request", "X", "--organ", "县政府"], "'--reason'"),  # a missing option, in a subgroup
        (["nosuch"], None),  # no such command
        (["--bogus", "list"], None),  # an unknown option of the group itself
    ],
)
def test_usage_errors_are_one_json_document_with_exit_2(office: Any, args: list[str], parameter: str | None) -> None:
    run = office()
    result = run("--json", *args)
    assert result.exit_code == 2
    doc = json.loads(result.stdout)  # one document, and nothing else on standard output
    assert doc["error"] == "usage" and doc["message"] and doc["message_zh"]
    assert doc.get("parameter") == parameter


def test_usage_errors_in_text_are_in_the_locale(office: Any) -> None:
    run = office()
    result = run("show", "--bogus")
    assert result.exit_code == 2 and "没有 --bogus 这个选项" in result.stderr and result.stdout == ""
    result = run("--locale", "en", "show")
    assert result.exit_code == 2 and "missing argument 'REF'" in result.stderr


# --- the interactive form ------------------------------------------------------------------------


def test_the_form_takes_numbers_and_names_reasks_a_wrong_answer_and_confirms_a_summary(office: Any) -> None:
    """A category typed wrong is asked again alone; the summary lets the clerk change one field."""
    run = office()
    answers = [
        "2",  # channel: the second in the list, 来访
        "王五",
        "440524198001010013",
        "13900139000",
        "",  # address: none
        "1",
        "申诉求决类",  # kind: by its Chinese name
        "住房",  # category: not a name of the list -> asked again, nothing lost
        "住房和城乡建设",  # category: by its Chinese name
        "330106",
        "房屋漏水",
        "房屋漏水多次反映未解决",
        "n",
        "n",  # the summary: not yet
        "8",  # change line 8 of the summary: the region
        "西湖区",  # several divisions are called 西湖区 -> asked again
        "杭州市西湖区",
        "",  # the summary again: save it
    ]
    result = run("--json", "register", "--interactive", input="\n".join(answers) + "\n")
    assert result.exit_code == 0, result.output
    case = json.loads(result.stdout)["case"]
    assert (case["kind"], case["category"], case["region_code"]) == ("claim", "housing", "330106")
    assert case["region_name"] == "浙江省杭州市西湖区" and case["category_label"] == "住房和城乡建设"
    prompts = result.stderr
    assert "“住房”不在可选项中" in prompts and "有多个匹配" in prompts
    assert "错误: " in prompts and "Error:" not in prompts  # refusals in the locale, not click's English
    assert prompts.count("请核对登记内容") == 2 and "来访" in prompts and "浙江省杭州市西湖区" in prompts
    assert " 1. 来信" in prompts and "labour" not in prompts  # the list shows names, not codes


def test_the_form_in_english_accepts_codes_and_giving_up_saves_nothing(office: Any) -> None:
    run = office()
    answers = ["visit", "王五", "440524198001010013", "13900139000", "", "1", "claim", "labour", "330106"]
    answers += ["欠薪", "欠薪三个月", "n", "n", ""]  # the summary: not saved, nothing to change
    result = run("--locale", "en", "register", "--interactive", input="\n".join(answers) + "\n")
    assert result.exit_code == 1 and "Nothing was saved." in result.stderr
    assert "Please check what will be registered" in result.stderr and "labour and social security" in result.stderr
    assert json.loads(run("--json", "list").stdout)["count"] == 0
