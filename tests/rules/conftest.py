"""Fixtures for the rules engine: the shipped rule sets and a helper to write rule files."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from petitionkit.rules import ComposedRules, load_rule_set

REPO = Path(__file__).resolve().parents[2]
COUNTY_FILE = REPO / "examples" / "sample-county" / "rules" / "county.toml"


@pytest.fixture(scope="session")
def national() -> ComposedRules:
    return load_rule_set(("national",))


@pytest.fixture(scope="session")
def zhejiang() -> ComposedRules:
    return load_rule_set(("national", "zhejiang"))


@pytest.fixture(scope="session")
def county() -> ComposedRules:
    return load_rule_set(("national", "zhejiang"), [COUNTY_FILE])


@pytest.fixture
def write_pack(tmp_path: Path) -> Callable[..., Path]:
    """Write a rule file ``<name>.toml`` in a temporary folder; a ``[pack]`` header is added."""

    def write(body: str, name: str = "office", *, header: bool = True) -> Path:
        path = tmp_path / f"{name}.toml"
        text = f'[pack]\nname = "{name}"\n\n{body}' if header else body
        path.write_text(text, encoding="utf-8")
        return path

    return write
