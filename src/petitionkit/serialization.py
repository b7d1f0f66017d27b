"""Converting between domain objects and JSON-ready data, at the edges (cattrs).

``structure_draft`` turns untrusted input (a dict from JSON, a CSV row, a web form) into a
``PetitionDraft`` and reports *every* bad field at once as ``InvalidInput``; it never echoes the
bad values, which may be personal data.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any, TypeVar

import attrs
import cattrs
from cattrs.errors import ClassValidationError, ForbiddenExtraKeysError, IterableValidationError
from cattrs.gen import make_dict_structure_fn

from petitionkit.domain.drafts import PetitionDraft
from petitionkit.domain.identity import FULL_WIDTH
from petitionkit.domain.model import Referral, legacy_feedbacks
from petitionkit.errors import FieldError, InvalidInput

T = TypeVar("T")


def _iso_text(value: Any) -> str:
    """An ISO 8601 text with full-width digits made ASCII; anything unprintable is refused
    (``datetime.fromisoformat`` would take a trailing NUL)."""
    if not isinstance(value, str):
        raise ValueError("not a string")
    text = value.translate(FULL_WIDTH).strip()
    if not (text.isascii() and text.isprintable()):
        raise ValueError("not ISO 8601")
    return text


def _structure_datetime(value: Any, _: type) -> datetime:
    if isinstance(value, datetime):
        return value
    parsed = datetime.fromisoformat(_iso_text(value))
    if parsed.tzinfo is None:
        raise ValueError("no UTC offset")
    return parsed


def _structure_date(value: Any, _: type) -> date:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    return date.fromisoformat(_iso_text(value))


def _structure_str(value: Any, _: type) -> str:
    if not isinstance(value, str):
        raise TypeError("not a string")
    return value


def _structure_int(value: Any, _: type) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError("not an integer")
    return value


def _structure_bool(value: Any, _: type) -> bool:
    if not isinstance(value, bool):
        raise TypeError("not a boolean")
    return value


class _BadChoice(ValueError):
    def __init__(self, enum_type: type[enum.Enum]) -> None:
        super().__init__("not a choice")
        self.type = enum_type


def _structure_enum(value: Any, enum_type: type[enum.Enum]) -> enum.Enum:
    try:
        return enum_type(value)
    except ValueError:
        raise _BadChoice(enum_type) from None


def _domain_enums() -> list[type[enum.Enum]]:
    from petitionkit.domain import clocks, model  # noqa: PLC0415 - keeps the list next to its use

    found: list[type[enum.Enum]] = []
    for module in (model, clocks):
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, enum.Enum) and value.__module__ == module.__name__:
                found.append(value)
    return found


def make_converter() -> cattrs.Converter:
    """A converter that is strict on input (no extra keys, no type coercion) and emits JSON types."""
    converter = cattrs.Converter(forbid_extra_keys=True)
    converter.register_structure_hook(datetime, _structure_datetime)
    converter.register_structure_hook(date, _structure_date)
    converter.register_structure_hook(str, _structure_str)
    converter.register_structure_hook(int, _structure_int)
    converter.register_structure_hook(bool, _structure_bool)
    # Each StrEnum is also a str: register them one by one so the str hook does not catch them.
    for enum_type in _domain_enums():
        converter.register_structure_hook(enum_type, _structure_enum)
    converter.register_unstructure_hook(datetime, lambda d: d.isoformat())
    converter.register_unstructure_hook(date, lambda d: d.isoformat())
    converter.register_structure_hook(
        PetitionDraft, make_dict_structure_fn(PetitionDraft, converter, _cattrs_forbid_extra_keys=True)
    )
    referral = make_dict_structure_fn(Referral, converter, _cattrs_forbid_extra_keys=True)

    def structure_referral(data: Any, cls: type[Referral]) -> Referral:
        # A referral written before the feedback history was kept carries one `feedback` and no
        # `feedbacks`: that text is its history (see petitionkit.domain.model.legacy_feedbacks).
        structured: Referral = referral(data, cls)
        if isinstance(data, Mapping) and "feedbacks" not in data:
            old = legacy_feedbacks(structured.mode, structured.status, structured.feedback, structured.closed_at)
            structured = attrs.evolve(structured, feedbacks=old)
        return structured

    converter.register_structure_hook(Referral, structure_referral)
    return converter


CONVERTER = make_converter()


def _path(parts: list[str]) -> str:
    return "".join(parts).lstrip(".")


def _field_errors(exc: BaseException, path: list[str], out: list[FieldError]) -> None:
    """Flatten a cattrs exception group into FieldErrors with dotted paths."""
    if isinstance(exc, ForbiddenExtraKeysError):
        for key in sorted(exc.extra_fields):
            out.append(FieldError(_path([*path, f".{key}"]), "unknown"))
        return
    if isinstance(exc, ClassValidationError | IterableValidationError):
        with_notes, _without = exc.group_exceptions()
        for inner, note in with_notes:
            if isinstance(note.index, int):
                step = f"[{note.index}]"
            else:
                step = f".{note.name}" if hasattr(note, "name") else f".{note.index}"
            _field_errors(inner, [*path, step], out)
        for inner in _without:
            _field_errors(inner, path, out)
        return
    field = _path(path) or "(document)"
    if isinstance(exc, KeyError):
        out.append(FieldError(field, "required"))
        return
    expected = getattr(exc, "type", None) or getattr(exc, "cl", None)
    if isinstance(expected, type) and issubclass(expected, enum.Enum):
        out.append(FieldError(field, "choice", {"choices": ", ".join(m.value for m in expected)}))
    elif field.endswith(("_at", "received_at")):
        out.append(FieldError(field, "datetime"))
    else:
        out.append(FieldError(field, "wrong_type", {"expected": _type_name(expected, exc)}))


def _type_name(expected: Any, exc: BaseException) -> str:
    if isinstance(expected, type):
        return expected.__name__
    text = str(exc)
    for name in ("string", "integer", "boolean"):
        if name in text:
            return name
    return "the documented type"


def structure(data: Any, cls: type[T]) -> T:
    """Structure ``data`` as ``cls`` or raise ``InvalidInput`` naming every bad field."""
    if not isinstance(data, Mapping):
        raise InvalidInput([FieldError("(document)", "wrong_type", {"expected": "object"})])
    try:
        return CONVERTER.structure(data, cls)
    except Exception as exc:  # cattrs raises exception groups of many kinds
        errors: list[FieldError] = []
        _field_errors(exc, [], errors)
        raise InvalidInput(errors or [FieldError("(document)", "wrong_type", {"expected": cls.__name__})]) from None


def structure_draft(data: Any) -> PetitionDraft:
    if isinstance(data, Mapping):  # cattrs would read a text as the list of its characters
        lists = ("petitioners", "attachments")
        bad = [
            FieldError(k, "wrong_type", {"expected": "a list"}) for k in lists if isinstance(data.get(k), str | Mapping)
        ]
        if bad:
            raise InvalidInput(bad)
    return structure(data, PetitionDraft)


def unstructure(obj: Any) -> Any:
    """JSON-ready data (dicts, lists, strings, numbers) for a domain object."""
    return CONVERTER.unstructure(obj)
