"""``--help`` speaks the clerk's locale: every command and option has zh-CN and en help (issue 20).

The command tree is walked (plugins' commands included), so a command added later fails the first
test until its Chinese is in ``petitionkit/locale/help/commands.toml``; the failure lists exactly the
missing entries, written as the catalogue's table headers.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner, Result

from petitionkit.cli import cli, helptext
from petitionkit.cli.app import load_plugin_commands
from petitionkit.i18n import translate

LOCALE_VARIABLES = ("PETITIONKIT_LOCALE", "LC_ALL", "LC_MESSAGES", "LANG")
HAN = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(autouse=True)
def _outside_an_office(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No locale from the environment, no petitionkit.toml in the working folder."""
    for name in LOCALE_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False, prog_name="petitionkit")


def zh(key: str) -> dict[str, object]:
    return helptext.catalogue()["zh-CN"][key]


def test_every_command_and_option_has_help_in_zh_cn_and_en() -> None:
    load_plugin_commands(cli, [])
    gaps = helptext.missing(cli)
    assert not gaps, (
        "help missing (add these to src/petitionkit/locale/help/commands.toml; en may instead be the"
        " command's docstring or the option's help=):\n" + "\n".join(gaps)
    )


def test_the_catalogue_names_no_command_or_option_that_does_not_exist() -> None:
    load_plugin_commands(cli, [])
    tree = {helptext.ROOT: cli, **{" ".join(path): command for path, command in helptext.walk(cli)}}
    arguments = {p.name for command in tree.values() for p in command.params if isinstance(p, click.Argument)}
    stale = []
    for locale, entries in helptext.catalogue().items():
        for key, entry in entries.items():
            if key == helptext.SHARED:
                stale += [f'[{locale}."*".params] {n}' for n in entry.get("params", {}) if n not in arguments]
                continue
            command = tree.get(key)
            if command is None:
                stale.append(f'[{locale}."{key}"]')
                continue
            names = {p.name for p in command.params}
            stale += [f'[{locale}."{key}".params] {n}' for n in entry.get("params", {}) if n not in names]
    assert not stale, "\n".join(stale)


def test_a_missing_entry_is_reported_as_the_catalogue_line_to_add() -> None:
    @click.group()
    def top() -> None:
        """Top."""

    @top.command("attachments-add")
    @click.argument("attachment_file")
    @click.option("--label", help="A label.")
    @click.option("--quiet", is_flag=True)
    def add(attachment_file: str, label: str, quiet: bool) -> None:
        """Add an attachment."""

    gaps = helptext.missing(top)
    assert '[zh-CN."attachments-add"] help' in gaps
    assert '[zh-CN."attachments-add".params] label  # --label' in gaps
    assert '[en."attachments-add".params] quiet  # --quiet' in gaps
    assert '[en."attachments-add"] help' not in gaps  # the docstring is the English
    assert '[en."attachments-add".params] attachment_file  # ATTACHMENT_FILE' in gaps  # click has no argument help


def test_help_under_zh_cn_has_chinese_headings_and_the_catalogues_texts() -> None:
    top = run("--help")
    assert top.exit_code == 0, top.output
    assert top.output.startswith("用法：")
    assert "\n选项：\n" in top.output and "\n命令：\n" in top.output
    assert str(zh("petitionkit")["help"]) in top.output
    assert "显示本帮助并退出。" in top.output
    assert "Usage:" not in top.output and "Options:" not in top.output and "Commands:" not in top.output

    for name, option in (("decline", "reason"), ("register", "headcount"), ("report period", "as_of")):
        shown = run(*name.split(), "--help")
        assert shown.exit_code == 0, shown.output
        entry = zh(name)
        assert shown.output.startswith(f"用法：petitionkit {name} [选项]")
        assert str(entry["help"]).split("\n")[0] in shown.output
        params = entry["params"]
        assert isinstance(params, dict)
        assert str(params[option]) in " ".join(shown.output.split())  # the formatter may wrap it
    decline = run("decline", "--help").output
    assert "\n参数：\n" in decline
    shared = helptext.catalogue()["zh-CN"][helptext.SHARED]["params"]["ref"]
    assert re.search(rf"^\s+REF\s+{re.escape(shared)}$", decline, re.MULTILINE), decline


def test_a_group_lists_its_commands_with_their_chinese_short_help() -> None:
    shown = run("investigate", "--help")
    assert shown.exit_code == 0, shown.output
    assert "命令 [参数]..." in shown.output
    for sub in ("plan", "interview", "findings"):
        first = re.split(r"[。；]", str(zh(f"investigate {sub}")["help"]))[0]
        assert re.search(rf"^\s+{sub}\s+{re.escape(first)}$", shown.output, re.MULTILINE), shown.output


def test_help_under_en_is_the_english_of_the_decorators() -> None:
    for args in (("--locale", "en", "--help"), ("--help", "--locale", "en")):
        top = run(*args)
        assert top.output.startswith("Usage: ")
        assert "\nOptions:\n" in top.output and "\nCommands:\n" in top.output
        assert "Show this message and exit." in top.output
    shown = run("--locale", "en", "decline", "--help")
    assert shown.exit_code == 0, shown.output
    assert shown.output.startswith("Usage: petitionkit decline [OPTIONS] REF")
    assert str(cli.commands["decline"].help).split("\n")[0] in shown.output
    assert "[required]" in shown.output
    assert "\nArguments:\n" in shown.output
    assert helptext.catalogue()["en"][helptext.SHARED]["params"]["ref"] in shown.output
    assert not HAN.search(shown.output.replace("不予受理", ""))  # the docstring's own term, nothing else
    # An option whose decorator has no help gets the catalogue's English.
    entry = helptext.catalogue()["en"]["decline"]["params"]
    assert entry["channel"] in " ".join(shown.output.split())


def test_the_help_locale_is_resolved_as_the_output_locale(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    assert run("decline", "--help").output.startswith("Usage:")
    monkeypatch.setenv("PETITIONKIT_LOCALE", "zh-CN")  # the office's variable before the system's
    assert run("decline", "--help").output.startswith("用法：")
    config = tmp_path / "petitionkit.toml"
    config.write_text('[office]\nlocale = "en"\n', encoding="utf-8")  # the office's file before both
    assert run("--help").output.startswith("Usage:")
    assert run("decline", "--help").output.startswith("Usage:")
    assert run("--locale", "zh-CN", "decline", "--help").output.startswith("用法：")  # --locale before all


def test_a_usage_error_shows_the_usage_line_in_the_locale() -> None:
    shown = CliRunner().invoke(cli, ["decline"], prog_name="petitionkit")
    assert shown.exit_code == 2
    assert "用法：petitionkit decline [选项] REF" in shown.stderr
    shown = CliRunner().invoke(cli, ["--locale", "en", "decline"], prog_name="petitionkit")
    assert "Usage: petitionkit decline [OPTIONS] REF" in shown.stderr


def test_printing_help_leaves_the_command_tree_as_it_was() -> None:
    before = (cli.commands["decline"].help, [p.help for p in cli.commands["decline"].params])
    run("decline", "--help")
    run("--help")
    assert (cli.commands["decline"].help, [p.help for p in cli.commands["decline"].params]) == before


def test_the_installed_command_prints_chinese_help_end_to_end(tmp_path: Path) -> None:
    """The console script as a clerk runs it, in a fresh process, with no locale set anywhere."""
    code = "import sys; from petitionkit.cli import main; sys.argv[0] = 'petitionkit'; main(sys.argv[1:])"
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    ran = subprocess.run(
        [sys.executable, "-c", code, "register", "--help"],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
        cwd=tmp_path,
        env=env,
    )
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.startswith("用法：petitionkit register [选项]")
    assert str(zh("register")["params"]["name"]) in ran.stdout  # type: ignore[index]


def test_an_option_of_coded_choices_lists_each_code_with_its_label_under_zh_cn() -> None:
    shown = " ".join(run("evaluate", "--help").output.split())
    for code in ("satisfied", "basically_satisfied", "dissatisfied"):
        assert f"{code}＝{translate(f'rating.{code}', 'zh-CN')}" in shown
    assert "＝" not in run("--locale", "en", "evaluate", "--help").output
