"""The transitions table is the one source: docs, allowed actions and CLI commands follow it."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from petitionkit.cli import cli
from petitionkit.cli.case_cmds import CLI_PATHS
from petitionkit.domain.lifecycle import ALLOWED, TRANSITIONS
from petitionkit.domain.model import CaseState

ROOT = Path(__file__).resolve().parents[2]


def _docs_script():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("docs_lifecycle", ROOT / "scripts" / "docs_lifecycle.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_concepts_page_shows_the_transitions_table_as_it_is() -> None:
    script = _docs_script()
    page = script.PAGE.read_text(encoding="utf-8")
    assert script.render(page) == page, "docs/concepts.md is stale: run scripts/docs_lifecycle.py"


def test_every_transition_has_a_row_in_the_clock_table_and_arrows_in_the_diagram() -> None:
    page = (ROOT / "docs" / "concepts.md").read_text(encoding="utf-8")
    for t in TRANSITIONS:
        assert f"| {t.action} |" in page, f"{t.action} has no docs entry"
        assert f": {t.action}" in page or t.action == "withdraw", f"{t.action} is not in the state diagram"


def test_allowed_actions_are_derived_from_the_table() -> None:
    for state in CaseState:
        assert ALLOWED[state] == tuple(t.action for t in TRANSITIONS if state in t.sources)
    assert not ALLOWED[CaseState.DECLINED] and not ALLOWED[CaseState.WITHDRAWN]


def test_every_transition_is_a_command_of_the_command_line() -> None:
    assert set(CLI_PATHS) == {t.action for t in TRANSITIONS}
    for action, path in CLI_PATHS.items():
        command = cli
        for name in path:
            assert hasattr(command, "commands") and name in command.commands, f"{action}: no command {path}"
            command = command.commands[name]
