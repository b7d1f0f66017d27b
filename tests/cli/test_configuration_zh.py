"""A configuration problem a clerk meets is told in the locale, not in English prose (issue 20)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from petitionkit.cli import cli
from petitionkit.errors import ConfigurationError
from petitionkit.i18n import translate

LATIN_WORDS = re.compile(r"\b[a-z]{4,}\b")  # English prose; codes, options and paths are struck first
NOT_PROSE = re.compile(r"\S+\.toml|petitionkit(?: [\w-]+)*|--[\w-]+|\S*/\S*")


@pytest.fixture(autouse=True)
def _in_an_empty_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("PETITIONKIT_LOCALE", "LC_ALL", "LC_MESSAGES", "LANG", "PETITIONKIT_DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def prose(text: str) -> list[str]:
    return LATIN_WORDS.findall(NOT_PROSE.sub(" ", text))


def test_a_command_outside_an_office_folder_says_so_in_chinese(tmp_path: Path) -> None:
    shown = run("list")
    assert shown.exit_code == ConfigurationError.exit_code
    assert f"{tmp_path} 中没有 petitionkit.toml" in shown.stderr
    assert "petitionkit init 文件夹" in shown.stderr
    assert prose(shown.stderr) == [], shown.stderr
    english = run("--locale", "en", "list")
    assert "no petitionkit.toml in" in english.stderr


def test_a_broken_or_missing_configuration_file_is_told_in_the_locale(tmp_path: Path) -> None:
    missing = run("--config", str(tmp_path / "nowhere.toml"), "list")
    assert "不存在；请先运行 'petitionkit init'" in missing.stderr, missing.stderr
    (tmp_path / "petitionkit.toml").write_text("[office\n", encoding="utf-8")
    broken = run("list")
    assert "不是有效的 TOML 文件" in broken.stderr, broken.stderr
    (tmp_path / "petitionkit.toml").write_text('[office]\ncode = "QX"\n[offices]\n', encoding="utf-8")
    unknown = run("list")
    assert "未知的配置节" in unknown.stderr, unknown.stderr
    assert prose(unknown.stderr.split("：", 1)[1].split("；")[0]) == []


def test_the_json_error_carries_both_languages() -> None:
    shown = run("--json", "list")
    document = json.loads(shown.stdout)
    assert document["error"] == "configuration"
    assert "中没有" in document["message_zh"]
    assert document["message"].startswith("setting --config is wrong: no petitionkit.toml in")


def test_a_catalogued_problem_keeps_its_english_for_code_that_reads_it() -> None:
    error = ConfigurationError.of("--workers", "config.workers_need_postgresql")
    assert error.problem == translate("config.workers_need_postgresql", "en")
    assert translate("config.workers_need_postgresql", "zh-CN") in error.message("zh-CN")
