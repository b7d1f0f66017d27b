"""The extension's legal meaning is stated in the pack and counted accordingly (issue 16)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

from petitionkit.domain.clocks import Clock, ExtensionCounts
from petitionkit.domain.model import PetitionKind
from petitionkit.rules import load_rule_set

CLAIM = PetitionKind.CLAIM
TOTAL_90 = """
[clocks.handling]
days = 30
convention = "calendar_days"
source = "HN art. 26"
kinds = ["claim"]

[clocks.extension]
days = 90
convention = "calendar_days"
source = "HN art. 26"
kinds = ["claim"]
counts = "total_period"
"""


def test_the_packs_state_what_their_extension_means() -> None:
    national = load_rule_set(("national",))
    zhejiang = load_rule_set(("national", "zhejiang"))
    assert national.clock_rule(Clock.EXTENSION).counts is ExtensionCounts.ADDED_DAYS
    assert zhejiang.clock_rule(Clock.EXTENSION).counts is ExtensionCounts.TOTAL_PERIOD
    assert national.describe()["clocks"]["extension"]["counts"] == "added_days"
    assert "counts" not in national.describe()["clocks"]["handling"]
    assert national.max_extension_days(CLAIM) == 30  # 2022 art. 34: at most 30 days added
    assert national.max_extension_days(CLAIM, 90) == 30  # whatever the period's own length
    assert zhejiang.max_extension_days(CLAIM) == 30  # 60 in all, less the 30-day handling period
    assert zhejiang.max_extension_days(CLAIM, 45) == 15  # e.g. a routing rule's 45-day report period
    assert zhejiang.max_extension_days(CLAIM, 75) == 0  # nothing left to add
    assert zhejiang.max_extension_days(PetitionKind.SUGGESTION) == 0


def test_a_total_period_counts_the_same_days_from_the_start(write_pack: Callable[..., Path]) -> None:
    rules = load_rule_set(("national",), [write_pack(TOTAL_90, "henan-like")])
    assert rules.max_extension_days(CLAIM) == 60
    # 30 days from 2 Mar 2026 = 1 Apr; 60 more from 1 Apr = 31 May (Sunday) -> 1 Jun = 90 days from the start
    extended = rules.deadline(Clock.HANDLING, date(2026, 3, 2), CLAIM, extension_days=60)
    whole = rules.deadline(Clock.HANDLING, date(2026, 3, 2), CLAIM, days=90)
    assert extended is not None and whole is not None
    assert extended.due == whole.due == date(2026, 6, 1)
