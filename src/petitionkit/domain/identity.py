"""Checks of Chinese identifiers: resident ID numbers, phone numbers, region codes."""

from __future__ import annotations

import re
from datetime import date

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_ID_SHAPE = re.compile(r"^\d{17}[\dX]$", re.ASCII)

# Province-level prefixes of GB/T 2260 codes (the first two digits of a region code).
PROVINCE_PREFIXES = frozenset(
    {
        "11",
        "12",
        "13",
        "14",
        "15",
        "21",
        "22",
        "23",
        "31",
        "32",
        "33",
        "34",
        "35",
        "36",
        "37",
        "41",
        "42",
        "43",
        "44",
        "45",
        "46",
        "50",
        "51",
        "52",
        "53",
        "54",
        "61",
        "62",
        "63",
        "64",
        "65",
        "71",
        "81",
        "82",
    }
)

_MOBILE = re.compile(r"^(?:(?:\+|00)?86[- ]?)?1[3-9]\d{9}$", re.ASCII)

# Full-width digits, letters and signs (０-９, ｘ, ＋) as Chinese input methods type them -> ASCII.
FULL_WIDTH = str.maketrans({chr(0xFF01 + i): chr(0x21 + i) for i in range(94)} | {"\u3000": " "})
_LANDLINE = re.compile(r"^0\d{2,3}-?\d{7,8}(?:-\d{1,6})?$", re.ASCII)
_SERVICE = re.compile(r"^(?:400|800)-?\d{3}-?\d{4}$", re.ASCII)


def id_check_digit(first17: str) -> str:
    """GB 11643-1999 ISO 7064 MOD 11-2 check character for the first 17 digits."""
    total = sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11]


def normalize_id_number(value: str) -> str:
    """A resident ID number as compared: :func:`petitionkit.domain.normalise.id_number_key` (one normaliser)."""
    from petitionkit.domain.normalise import id_number_key  # noqa: PLC0415 - normalise builds on this module

    return id_number_key(value)


def normalize_phone(value: str) -> str:
    """A phone number as compared: :func:`petitionkit.domain.normalise.phone_key` (one normaliser)."""
    from petitionkit.domain.normalise import phone_key  # noqa: PLC0415 - normalise builds on this module

    return phone_key(value)


def is_valid_id_number(value: str) -> bool:
    """An 18-character resident ID: region prefix, a real birth date, and the right check digit."""
    value = "".join(value.translate(FULL_WIDTH).split()).upper()
    if not _ID_SHAPE.match(value) or value[:2] not in PROVINCE_PREFIXES:
        return False
    try:
        born = date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return False
    if born.year < 1900:
        return False
    return id_check_digit(value[:17]) == value[17]


def is_valid_phone(value: str) -> bool:
    """A mainland mobile number (optionally +86), a landline with area code, or a 400/800 number."""
    compact = "".join(value.translate(FULL_WIDTH).split())
    return bool(_MOBILE.match(compact) or _LANDLINE.match(compact) or _SERVICE.match(compact))


def is_valid_region_code(value: str) -> bool:
    """A 6-digit administrative division code (GB/T 2260 shape) with a real province prefix.

    ASCII digits only: ``str.isdigit`` also takes superscripts (``33¹⁹⁹⁹``), which no rule can route.
    """
    return len(value) == 6 and value.isascii() and value.isdigit() and value[:2] in PROVINCE_PREFIXES


_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def is_valid_email(value: str) -> bool:
    """A plausible e-mail address (one @, a dot in the domain, no spaces)."""
    return bool(_EMAIL.match(value.strip()))
