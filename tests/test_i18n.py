"""Everything a clerk reads exists in zh-CN and en, with the same placeholders."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest

import petitionkit
from petitionkit import i18n
from petitionkit.domain.clocks import Clock
from petitionkit.domain.lifecycle import ALLOWED
from petitionkit.domain.model import CaseState


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@pytest.mark.parametrize("key", sorted(i18n.CATALOG))
def test_both_locales_with_the_same_placeholders(key: str) -> None:
    entry = i18n.CATALOG[key]
    assert set(entry) == set(i18n.LOCALES)
    assert _fields(entry["zh-CN"]) == _fields(entry["en"])


def test_every_state_action_and_clock_has_a_label() -> None:
    actions = {a for allowed in ALLOWED.values() for a in allowed}
    for key in (
        [f"state.{s.value}" for s in CaseState] + [f"action.{a}" for a in actions] + [f"clock.{c.value}" for c in Clock]
    ):
        assert key in i18n.CATALOG, key


def test_locale_names_are_normalized() -> None:
    assert i18n.normalize_locale("en_US.UTF-8") == "en"
    assert i18n.normalize_locale("zh_CN") == "zh-CN"
    assert i18n.normalize_locale(None) == "zh-CN"


def test_extending_the_catalog_needs_both_locales() -> None:
    with pytest.raises(ValueError, match="lacks"):
        i18n.extend({"test.only_zh": {"zh-CN": "仅中文"}})


def test_every_not_found_names_a_thing_the_catalog_knows() -> None:
    """``NotFound("x", …)`` is shown as ``what.x``: a missing label would turn the error into a crash."""
    source = Path(petitionkit.__file__).parent
    named = {
        what
        for path in source.rglob("*.py")
        for what in re.findall(r"NotFound\(\s*\"([a-z_]+)\"", path.read_text(encoding="utf-8"))
    }
    assert named, "the scan found no NotFound at all: the pattern is wrong"
    assert {w for w in named if f"what.{w}" not in i18n.CATALOG} == set()
