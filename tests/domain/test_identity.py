"""Identifier checks: GB 11643 resident ID numbers, phone numbers, region codes."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from petitionkit.domain.identity import (
    id_check_digit,
    is_valid_id_number,
    is_valid_phone,
    is_valid_region_code,
)


def test_check_digit_matches_the_standard_example() -> None:
    # GB 11643-1999 appendix example: 11010519491231002X
    assert id_check_digit("11010519491231002") == "X"
    assert is_valid_id_number("11010519491231002x")  # lower-case x is accepted


@pytest.mark.parametrize(
    "value",
    [
        "110105194912310021",  # wrong check digit
        "11010519491331002X",  # month 13
        "99010519491231002X",  # no such province
        "11010518001231002X",  # born before 1900
        "1101051949123100",  # too short
        "",
    ],
)
def test_invalid_id_numbers_are_rejected(value: str) -> None:
    assert not is_valid_id_number(value)


@given(st.text(alphabet="0123456789", min_size=17, max_size=17))
def test_exactly_one_check_character_is_valid(first17: str) -> None:
    valid = [c for c in "0123456789X" if is_valid_id_number(first17 + c)]
    assert len(valid) <= 1
    if valid:
        assert valid == [id_check_digit(first17)]


@pytest.mark.parametrize("phone", ["13800138000", "+86 13800138000", "0571-87654321", "010-12345678", "400-123-4567"])
def test_valid_phones(phone: str) -> None:
    assert is_valid_phone(phone)


@pytest.mark.parametrize("phone", ["12345", "23800138000", "1380013800", "0571-123", "abc"])
def test_invalid_phones(phone: str) -> None:
    assert not is_valid_phone(phone)


def test_region_codes() -> None:
    assert is_valid_region_code("330109")
    assert not is_valid_region_code("33010")
    assert not is_valid_region_code("990109")
    assert not is_valid_region_code("33010a")
