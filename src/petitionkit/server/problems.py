"""Errors as RFC 9457 problem details, in the caller's language (``Accept-Language``; zh-CN by default).

Every problem names its ``code`` (the library's error code), a ``title`` and ``detail`` in the chosen
language, and, for bad input, ``errors``: one entry per bad field with its message in both languages,
so an integrating system can show the clerk's language and log the other.  No problem echoes a value
the caller sent (it might be personal data): fields are named, not quoted.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import attrs

from petitionkit.errors import (
    AttachmentDamaged,
    AttachmentRefused,
    ConcurrencyConflict,
    ConfigurationError,
    EncryptionKeyError,
    ExtensionRefused,
    FieldError,
    IllegalTransition,
    InvalidInput,
    NotFound,
    NotNotifiable,
    PermissionDenied,
    PetitionkitError,
    PrincipalRequired,
    ProtectionRefusal,
    SeparationOfDuties,
    StorageError,
    UnknownBody,
    UnknownPrincipal,
    WindowError,
)
from petitionkit.i18n import LOCALES, translate

MEDIA_TYPE = "application/problem+json"
TYPE_PREFIX = "urn:petitionkit:problem:"


def negotiate_locale(accept_language: str | None) -> str:
    """The first of the caller's languages petitionkit speaks (``Accept-Language`` q-values honoured)."""
    if not accept_language:
        return "zh-CN"
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate(accept_language.split(",")):
        tag, _, params = part.strip().partition(";")
        q = 1.0
        match = re.search(r"q=([0-9.]+)", params)
        if match:
            try:
                q = float(match[1])
            except ValueError:
                q = 0.0
        ranked.append((-q, position, tag.strip().lower()))
    for q, _, tag in sorted(ranked):
        if q == 0:
            continue
        if tag.startswith("zh"):
            return "zh-CN"
        if tag.startswith("en"):
            return "en"
    return "zh-CN"


@attrs.frozen
class Problem:
    """One problem response: status, the catalog keys of its title and detail, and its bad fields."""

    status: int
    code: str
    title_key: str
    detail: dict[str, str]  # locale -> text
    errors: tuple[FieldError, ...] = ()
    extra: dict[str, Any] = attrs.field(factory=dict)

    def body(self, locale: str, instance: str) -> dict[str, Any]:
        found: dict[str, Any] = {
            "type": TYPE_PREFIX + self.code,
            "title": translate(self.title_key, locale),
            "status": self.status,
            "detail": self.detail[locale],
            "instance": instance,
            "code": self.code,
        }
        if self.errors:
            found["errors"] = [
                {
                    "field": e.field,
                    "problem": e.problem,
                    "message": {loc: e.message(loc) for loc in LOCALES},
                }
                for e in self.errors
            ]
        found.update(self.extra)
        return found


def texts(key: str, **params: Any) -> dict[str, str]:
    return {loc: translate(key, loc, **params) for loc in LOCALES}


def of_error(error: PetitionkitError) -> Problem:
    """The problem a library error is over HTTP."""
    detail = {loc: error.message(loc) for loc in LOCALES}
    status, title = _status(error)
    errors: Sequence[FieldError] = ()
    if isinstance(error, InvalidInput):
        errors = error.errors
    elif isinstance(error, UnknownPrincipal):
        errors = (FieldError(error.field, "unknown_principal"),)
    elif isinstance(error, UnknownBody):
        errors = (FieldError("body", "unknown_body_code"),)
    return Problem(status, error.code, title, detail, tuple(errors))


def _status(error: PetitionkitError) -> tuple[int, str]:
    if isinstance(error, InvalidInput | UnknownPrincipal | UnknownBody | AttachmentRefused):
        return 422, "http.title.invalid_input"
    if isinstance(error, PrincipalRequired):
        return 401, "http.title.unauthorized"
    if isinstance(error, ProtectionRefusal):
        return 403, "http.title.protection"
    if isinstance(error, PermissionDenied | SeparationOfDuties):
        return 403, "http.title.forbidden"
    if isinstance(error, NotFound):
        return 404, "http.title.not_found"
    if isinstance(error, ConcurrencyConflict):
        return 412, "http.title.precondition_failed"
    if isinstance(error, IllegalTransition | WindowError | ExtensionRefused | NotNotifiable):
        return 409, "http.title.illegal_transition"
    if isinstance(error, ConfigurationError | StorageError | EncryptionKeyError | AttachmentDamaged):
        return 503, "http.title.unavailable"
    return 400, "http.title.error"


def precondition_failed(error: ConcurrencyConflict) -> Problem:
    actual = "-" if error.actual is None else error.actual
    detail = texts("http.detail.precondition_failed", case=error.case_id, expected=error.expected, actual=actual)
    return Problem(412, "precondition_failed", "http.title.precondition_failed", detail)


def simple(status: int, code: str, *, title: str | None = None, **params: Any) -> Problem:
    """A problem of the HTTP layer itself (``http.title.<title or code>``, ``http.detail.<code>``)."""
    return Problem(status, code, f"http.title.{title or code}", texts(f"http.detail.{code}", **params))


def field_problem(status: int, field: str, kind: str, **params: Any) -> Problem:
    """Bad input in one field (a header, a query parameter, the body): ``field.<kind>`` of the catalog."""
    error = InvalidInput([FieldError(field, kind, params)])
    detail = {loc: error.message(loc) for loc in LOCALES}
    return Problem(status, error.code, "http.title.invalid_input", detail, error.errors)


_MISSING = re.compile(r"Object missing required field `([^`]+)`")
_EXPECTED = re.compile(r"Expected `([^`]+)`")


def of_validation(extra: Any) -> Problem:
    """The problem of a body the framework could not even read into the request's model.

    The framework names the path of the first bad value (``petitioners[0]``) and how it is wrong; the
    field is named, the value is never echoed.
    """
    errors: list[FieldError] = []
    for item in extra if isinstance(extra, list) else []:
        if not isinstance(item, dict):
            continue
        key = str(item.get("key") or "body")
        message = str(item.get("message") or "")
        missing = _MISSING.search(message)
        if missing:
            errors.append(FieldError(f"{key}.{missing[1]}" if key != "data" else missing[1], "required"))
        elif message.startswith("Invalid enum value"):
            errors.append(FieldError(key, "invalid_choice"))
        else:
            expected = _EXPECTED.search(message)
            errors.append(FieldError(key, "wrong_type", {"expected": expected[1] if expected else "?"}))
    error = InvalidInput(errors or [FieldError("body", "object")])
    detail = {loc: error.message(loc) for loc in LOCALES}
    return Problem(422, error.code, "http.title.invalid_input", detail, error.errors)
