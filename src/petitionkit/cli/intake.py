"""The interactive form's field checks: each answer is normalised at once, or asked again.

The same normaliser as every other way in (:mod:`petitionkit.domain.normalise`, docs/input.md), so
a clerk taking a visit hears about a wrong ID number at that prompt, not after the last one.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

from petitionkit.domain import normalise
from petitionkit.errors import FieldError, InvalidInput


def _headcount(value: Any, field: str) -> int:
    text = normalise.ascii_form(str(value)).strip()
    if not text.lstrip("+-").isascii() or not text.lstrip("+-").isdigit():
        raise InvalidInput([FieldError(field, "wrong_type", {"expected": "integer"})])
    return normalise.headcount(int(text), field)


CHECKS: dict[str, Callable[[Any, str], Any]] = {
    "petitioners[0].name": lambda v, f: normalise.text(v, f, limit=normalise.LIMITS["name"]),
    "petitioners[0].id_number": normalise.id_number,
    "petitioners[0].phone": normalise.phone,
    "headcount": _headcount,
    "category": normalise.code,
    "region_code": normalise.region_code,
    "subject": lambda v, f: normalise.text(v, f, limit=normalise.LIMITS["subject"]),
    "content": lambda v, f: normalise.text(v, f, limit=normalise.LIMITS["content"], multiline=True),
}


def checked(field: str, locale: str) -> Callable[[Any], Any]:
    """A ``click.prompt`` value_proc: the answer normalised, or the field's problem shown and asked again."""
    check = CHECKS[field]

    def proc(value: Any) -> Any:
        try:
            result = check(value, field)
        except InvalidInput as refused:
            raise click.UsageError("; ".join(e.message(locale) for e in refused.errors)) from None
        if isinstance(result, str) and not result:
            raise click.UsageError(FieldError(field, "blank").message(locale))
        return result

    return proc
