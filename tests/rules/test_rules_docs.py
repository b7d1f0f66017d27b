"""The annotated example pack in docs/rules.md loads and behaves as the document says."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from petitionkit.domain.clocks import Clock
from petitionkit.domain.model import DeclineChannel, PetitionKind
from petitionkit.rules import ComposedRules, load_rule_set

DOC = Path(__file__).resolve().parents[2] / "docs" / "rules.md"


@pytest.fixture(scope="module")
def doc_rules(tmp_path_factory: pytest.TempPathFactory) -> ComposedRules:
    blocks = re.findall(r"```toml\n(.*?)```", DOC.read_text(encoding="utf-8"), flags=re.S)
    example = next(b for b in blocks if 'name = "my-county"' in b)
    folder = tmp_path_factory.mktemp("office")
    (folder / "rules").mkdir()
    (folder / "rules" / "county.toml").write_text(example, encoding="utf-8")
    return load_rule_set(("national", "zhejiang"), ["rules/county.toml"], base_dir=folder)


def test_the_documented_pack_routes_and_counts(doc_rules: ComposedRules) -> None:
    decision = doc_rules.route("tea", "330199", PetitionKind.CLAIM)
    assert decision.body_code == "AGRI" and decision.report_days == 20
    deadline = doc_rules.deadline(Clock.HANDLING, date(2026, 3, 2), PetitionKind.CLAIM)
    # 45 working days, Qingming, the county day (20 Apr) and Labour Day skipped: the make-up Saturday 9 May
    assert deadline is not None and deadline.due == date(2026, 5, 9)
    declined = doc_rules.screen(PetitionKind.CLAIM, "rural_affairs", facts={"land_contract"})
    assert declined.channel is DeclineChannel.ARBITRATION and declined.rule_id == "land-contract"
    fallback = doc_rules.route("rural_affairs", "330199101", PetitionKind.CLAIM)
    assert (fallback.body_code, fallback.default_used) == ("GOV", True)


def test_the_documented_explanation_is_what_the_engine_says(zhejiang: ComposedRules) -> None:
    explanation = zhejiang.explain_deadline(Clock.NOTICE, date(2025, 9, 30), PetitionKind.CLAIM)
    assert explanation is not None
    assert explanation.text("zh-CN") in DOC.read_text(encoding="utf-8")
