"""Region codes resolve to the full names of the national division list (issue 20), loaded lazily."""

from __future__ import annotations

import subprocess
import sys

import pytest

from petitionkit.labels import Labels
from petitionkit.regions import divisions, region_name


@pytest.mark.parametrize(
    ("code", "name"),
    [
        ("330106", "浙江省杭州市西湖区"),
        ("330100", "浙江省杭州市"),
        ("3301", "浙江省杭州市"),
        ("330000", "浙江省"),
        ("33", "浙江省"),
        ("110101", "北京市东城区"),  # a municipality: no 市辖区 in the name
        ("500101", "重庆市万州区"),
        ("429004", "湖北省仙桃市"),  # a county-level city under the province directly
        ("441900", "广东省东莞市"),  # a prefecture-level city without counties
    ],
)
def test_a_code_names_its_division_province_first(code: str, name: str) -> None:
    assert region_name(code, "zh-CN") == name


@pytest.mark.parametrize("code", ["330199", "990000", "33019", "3301061", "abcdef", "", "000000", "330006"])
def test_an_unknown_or_malformed_code_has_no_name(code: str) -> None:
    assert region_name(code, "zh-CN") is None


def test_english_has_the_chinese_name_as_the_list_has_no_romanised_one() -> None:
    assert region_name("330106", "en") == "浙江省杭州市西湖区"


def test_the_list_covers_every_province_and_the_county_level() -> None:
    names = divisions()
    assert sum(len(c) == 2 for c in names) == 31
    assert sum(len(c) == 6 for c in names) > 2800
    assert all(c.isdigit() and len(c) in (2, 4, 6) for c in names)


def test_labels_show_an_unlisted_county_with_its_city_and_code() -> None:
    """The sample county 330199 is fictional: its city is named and the code kept."""
    assert Labels("zh-CN").region("330199") == "浙江省杭州市（330199）"
    assert Labels("en").region("330199") == "浙江省杭州市 (330199)"
    assert Labels("zh-CN").region("990199") == "990199"


def test_the_list_is_read_only_when_a_name_is_asked_for() -> None:
    code = (
        "import sys\n"
        "import petitionkit.labels, petitionkit.regions as r\n"
        "assert r.divisions.cache_info().currsize == 0\n"
        "print(r.region_name('330106'))\n"
    )
    ran = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False, timeout=120)
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.strip() == "浙江省杭州市西湖区"
