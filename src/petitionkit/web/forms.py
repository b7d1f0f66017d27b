"""Form fields of the workspace's pages as the service's arguments, and field errors as messages.

A browser posts flat ``name=value`` pairs; :func:`intake_draft` turns the intake form into the same
mapping the HTTP API takes as JSON (``PetitionDraft``'s field names, petitioners as a list), so the
service's one normaliser and rules check it (``Office.register``): the page adds no rule of its own.
The only errors found here are those of shapes a form cannot hold (a date that is not a date, a
headcount that is not a number), named with the same field names and message keys.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import attrs

from petitionkit.domain.model import PetitionerRole
from petitionkit.errors import FieldError
from petitionkit.i18n import translate

#: How many petitioner rows the intake form shows (a collective visit lists its representatives;
#: everyone else of a large group is counted in the headcount).
PETITIONER_ROWS = 5
PERSON_FIELDS = ("name", "role", "id_number", "phone", "address")


def field_id(name: str) -> str:
    """The HTML id of a form field named as the service names it: ``petitioners[0].name`` → ``f-petitioners-0-name``."""
    return "f-" + name.replace("[", "-").replace("].", "-").replace("]", "").replace(".", "-")


@attrs.frozen
class FormErrors:
    """Field errors by form field id, and those no field on the form shows (listed at the top)."""

    by_field: Mapping[str, tuple[str, ...]] = attrs.field(factory=dict)
    general: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.by_field or self.general)

    def of(self, name: str) -> tuple[str, ...]:
        return tuple(self.by_field.get(field_id(name), ()))

    @property
    def count(self) -> int:
        return sum(len(v) for v in self.by_field.values()) + len(self.general)


def form_errors(errors: Iterable[FieldError], locale: str, shown: Iterable[str]) -> FormErrors:
    """``errors`` in ``locale``, each beside its field when the form shows it (``shown``: service field names)."""
    known = {field_id(s) for s in shown}
    by_field: dict[str, list[str]] = {}
    general: list[str] = []
    for error in errors:
        ident = field_id(error.field)
        text = translate("field." + error.problem, locale, **error.params) if ident in known else error.message(locale)
        shown_here = by_field.setdefault(ident, []) if ident in known else general
        if text not in shown_here:
            shown_here.append(text)
    return FormErrors({k: tuple(v) for k, v in by_field.items()}, tuple(general))


def _text(form: Mapping[str, str], name: str) -> str:
    return form.get(name, "")


def _optional(form: Mapping[str, str], name: str) -> str | None:
    value = form.get(name, "")
    return value if value.strip() else None


def local_datetime(value: str, zone: ZoneInfo, name: str, errors: list[FieldError]) -> datetime | None:
    """A ``datetime-local`` input's value (``2026-11-30T09:15``) in the office's time zone."""
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        errors.append(FieldError(name, "datetime"))
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=zone)


def optional_date(form: Mapping[str, str], name: str, errors: list[FieldError]) -> date | None:
    value = form.get(name, "").strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        errors.append(FieldError(name, "date"))
        return None


def integer(form: Mapping[str, str], name: str, errors: list[FieldError], default: int | None = None) -> int | None:
    value = form.get(name, "").strip()
    if not value:
        return default
    try:
        return int(value)
    except ValueError:
        errors.append(FieldError(name, "integer"))
        return default


def intake_fields() -> list[str]:
    """Every field the intake form shows, as the service names it (errors of others go to the top)."""
    people = [f"petitioners[{i}].{f}" for i in range(PETITIONER_ROWS) for f in (*PERSON_FIELDS, "mandate_ref")]
    return [
        "channel",
        "received_at",
        "kind",
        "category",
        "region_code",
        "subject",
        "content",
        "anonymous",
        "confidential",
        "headcount",
        "petitioners",
        *people,
        "respondent.person_name",
        "respondent.unit_name",
        "new_reason",
    ]


def intake_draft(form: Mapping[str, str], zone: ZoneInfo) -> tuple[dict[str, Any], list[FieldError]]:
    """The intake form as a registration draft mapping, and the errors of values a form cannot carry.

    Empty petitioner rows are left out; a row keeps its position in the field names the service
    reports (``petitioners[0]`` is the first row *filled*), so rows are compacted before they are sent
    and the form is shown again compacted.
    """
    errors = [FieldError(name, "required") for name in ("channel", "kind") if not form.get(name, "").strip()]
    people: list[dict[str, Any]] = []
    for i in range(PETITIONER_ROWS):
        row = {f: _text(form, f"p{i}_{f}").strip() if f == "role" else _text(form, f"p{i}_{f}") for f in PERSON_FIELDS}
        if not any(row[f].strip() for f in ("name", "id_number", "phone", "address")):
            continue
        person: dict[str, Any] = {"name": row["name"], "role": row["role"] or PetitionerRole.PETITIONER.value}
        for optional in ("id_number", "phone", "address"):
            if row[optional].strip():
                person[optional] = row[optional]
        mandate = _optional(form, f"p{i}_mandate_ref")
        if mandate is not None:
            person["mandate_ref"] = mandate
        people.append(person)
    received = local_datetime(_text(form, "received_at"), zone, "received_at", errors)
    headcount = integer(form, "headcount", errors, default=1)
    draft: dict[str, Any] = {
        "channel": _text(form, "channel"),
        "received_at": (received or datetime.now(zone)).isoformat(),
        "kind": _text(form, "kind"),
        "subject": _text(form, "subject"),
        "content": _text(form, "content"),
        "category": _text(form, "category"),
        "region_code": _text(form, "region_code").strip(),
        "petitioners": people,
        "anonymous": form.get("anonymous") == "on",
        "confidential": form.get("confidential") == "on",
        "headcount": headcount,
    }
    person_name, unit_name = _optional(form, "respondent_person"), _optional(form, "respondent_unit")
    if person_name or unit_name:
        draft["respondent"] = {"person_name": person_name, "unit_name": unit_name}
    return draft, errors


def compacted_form(form: Mapping[str, str]) -> dict[str, str]:
    """``form`` with its filled petitioner rows moved up (as :func:`intake_draft` numbers them)."""
    out = {k: v for k, v in form.items() if not (k.startswith("p") and "_" in k and k[1:].split("_", 1)[0].isdigit())}
    n = 0
    for i in range(PETITIONER_ROWS):
        fields = (*PERSON_FIELDS, "mandate_ref")
        if not any(form.get(f"p{i}_{f}", "").strip() for f in ("name", "id_number", "phone", "address")):
            continue
        for f in fields:
            out[f"p{n}_{f}"] = form.get(f"p{i}_{f}", "")
        n += 1
    return out
