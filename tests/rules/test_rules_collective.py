"""Representative limits of collective petitions (集体访): national 5; Zhejiang 3 up to 10 people, 5 above."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from petitionkit.errors import InvalidInput
from petitionkit.rules import ComposedRules, load_rule_set
from petitionkit.testing import SAMPLE_ID_NUMBERS, FakeClock, office_settings, open_test_office, sample_petition


@pytest.mark.parametrize("headcount", [1, 5, 10, 11, 300])
def test_national_limit_is_5(national: ComposedRules, headcount: int) -> None:
    assert national.representative_limit(headcount) == 5


@pytest.mark.parametrize(("headcount", "limit"), [(1, 3), (5, 3), (10, 3), (11, 5), (12, 5), (300, 5)])
def test_zhejiang_limits(zhejiang: ComposedRules, headcount: int, limit: int) -> None:
    assert zhejiang.representative_limit(headcount) == limit


@given(st.integers(min_value=1, max_value=10_000))
def test_zhejiang_tiers_property(headcount: int) -> None:
    rules = _ZJ
    assert rules.representative_limit(headcount) == (3 if headcount <= 10 else 5)


_ZJ = load_rule_set(("national", "zhejiang"))


def test_a_county_can_add_tiers(write_pack: Callable[..., Path]) -> None:
    rules = load_rule_set(
        ("national", "zhejiang"),
        [write_pack("[collective]\ntiers = [{ up_to = 4, limit = 1 }, { up_to = 10, limit = 3 }, { limit = 5 }]\n")],
    )
    assert [rules.representative_limit(n) for n in (4, 5, 10, 11)] == [1, 3, 3, 5]


def _visit(headcount: int, representatives: int) -> dict[str, object]:
    people = [
        {"name": f"代表{i}", "role": "representative", "id_number": SAMPLE_ID_NUMBERS[i % 3]}
        for i in range(representatives)
    ]
    return sample_petition(channel="visit", headcount=headcount, petitioners=people)


def test_registration_uses_the_configured_rule_set() -> None:
    clock = FakeClock(datetime(2026, 3, 2, 1, 0, tzinfo=UTC))
    zj = open_test_office({**office_settings(), "rules": {"set": "zhejiang"}}, clock=clock)
    national = open_test_office({**office_settings(), "rules": {"set": "national"}}, clock=clock)
    with pytest.raises(InvalidInput) as err:
        zj.register(_visit(headcount=8, representatives=4))
    assert "petitioners" in err.value.fields
    assert national.register(_visit(headcount=8, representatives=4)).case.id
    registration = zj.register(_visit(headcount=8, representatives=3))
    notice = registration.case.open_obligations[0]
    # Zhejiang: notice within 5 working days of Mon 2 Mar 2026 -> Mon 9 Mar
    assert (notice.due.isoformat(), notice.basis.source, notice.basis.rule_set) == (
        "2026-03-09",
        "ZJ art. 20",
        "national+zhejiang",
    )
