"""Typed errors.  Each says what was wrong, where, and what to do, in zh-CN and en.

Errors never echo personal data: field errors name the field, not the value.
``str(error)`` is the English text (for developers' logs); ``error.message(locale)`` is what a
clerk reads.  ``exit_code`` is the documented CLI exit status.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from typing import Any, ClassVar

import attrs

from petitionkit.i18n import translate


class PetitionkitError(Exception):
    """Base of every error petitionkit raises on purpose."""

    code: ClassVar[str] = "error"
    exit_code: ClassVar[int] = 1
    key: ClassVar[str] = "error.configuration"

    def params(self, locale: str) -> dict[str, Any]:
        return {}

    def message(self, locale: str = "zh-CN") -> str:
        return translate(self.key, locale, **self.params(locale))

    def __str__(self) -> str:
        return self.message("en")

    def to_dict(self) -> dict[str, Any]:
        return {"error": self.code, "message": self.message("en"), "message_zh": self.message("zh-CN")}


@attrs.frozen
class FieldError:
    """One problem with one input field.  ``field`` is a dotted path, e.g. ``petitioners[0].phone``."""

    field: str
    problem: str  # a key under "field." in the catalog
    params: dict[str, Any] = attrs.field(factory=dict)

    def message(self, locale: str = "zh-CN") -> str:
        return f"{self.field}: {translate('field.' + self.problem, locale, **self.params)}"


class InvalidInput(PetitionkitError):
    """Input that cannot be accepted; ``errors`` lists every bad field."""

    code = "invalid_input"
    exit_code = 2
    key = "error.invalid_input"

    def __init__(self, errors: Sequence[FieldError]) -> None:
        super().__init__()
        self.errors = tuple(errors)

    @property
    def fields(self) -> tuple[str, ...]:
        return tuple(e.field for e in self.errors)

    def params(self, locale: str) -> dict[str, Any]:
        return {"count": len(self.errors), "details": "; ".join(e.message(locale) for e in self.errors)}

    def to_dict(self) -> dict[str, Any]:
        data = super().to_dict()
        data["fields"] = [{"field": e.field, "problem": e.problem, "message": e.message("en")} for e in self.errors]
        return data


class IllegalTransition(PetitionkitError):
    """The action is not allowed in the case's current state."""

    code = "illegal_transition"
    exit_code = 3
    key = "error.illegal_transition"

    def __init__(self, case_id: str, state: str, action: str, allowed: Sequence[str]) -> None:
        super().__init__()
        self.case_id, self.state, self.action, self.allowed = case_id, state, action, tuple(allowed)

    def params(self, locale: str) -> dict[str, Any]:
        return {
            "case": self.case_id,
            "state": translate("state." + self.state, locale),
            "action": translate("action." + self.action, locale),
            "allowed": ("、" if locale == "zh-CN" else ", ").join(
                translate("action." + a, locale) for a in self.allowed
            )
            or "-",
        }


class NotFound(PetitionkitError):
    code = "not_found"
    exit_code = 4
    key = "error.not_found"

    def __init__(self, what: str, key: str) -> None:
        super().__init__()
        self.what, self.lookup_key = what, key

    def params(self, locale: str) -> dict[str, Any]:
        return {"what": translate("what." + self.what, locale), "key": shown_key(self.lookup_key)}


_ID_LIKE = re.compile(r"[A-Za-z0-9_.:\-]{1,80}")
_HEX_ID = re.compile(r"[0-9a-f]{32}")
_LONG_NUMBER = re.compile(r"\d{11,}")


def shown_key(key: str) -> str:
    """``key`` as an error may repeat it: an id or a tracking number as typed; anything else (a name, an
    e-mail, a phone or ID number typed where a tracking number belongs) as ``***``."""
    if _HEX_ID.fullmatch(key):
        return key
    if _ID_LIKE.fullmatch(key) and not _LONG_NUMBER.search(key.replace("-", "")):
        return key
    return "***"


class ConcurrencyConflict(PetitionkitError):
    """Someone else changed the case since it was read (optimistic locking)."""

    code = "conflict"
    exit_code = 5
    key = "error.conflict"

    def __init__(self, case_id: str, expected: int, actual: int | None) -> None:
        super().__init__()
        self.case_id, self.expected, self.actual = case_id, expected, actual

    def params(self, locale: str) -> dict[str, Any]:
        return {"case": self.case_id, "expected": self.expected, "actual": self.actual}


class WindowError(PetitionkitError):
    """A request outside its window, or a termination before the window closed."""

    code = "window"
    exit_code = 3

    def __init__(self, case_id: str, clock: str, due: date, *, closed: bool) -> None:
        super().__init__()
        self.case_id, self.clock, self.due, self.closed = case_id, clock, due, closed

    @property
    def key(self) -> str:  # type: ignore[override]
        return "error.window_closed" if self.closed else "error.window_open"

    def params(self, locale: str) -> dict[str, Any]:
        return {
            "case": self.case_id,
            "clock": translate("clock." + self.clock, locale),
            "due": self.due.isoformat(),
        }


class ExtensionRefused(PetitionkitError):
    code = "extension_refused"
    exit_code = 3
    key = "error.extension_refused"

    def __init__(self, case_id: str, reason: str) -> None:
        super().__init__()
        self.case_id, self.reason = case_id, reason

    def params(self, locale: str) -> dict[str, Any]:
        return {"case": self.case_id, "reason": self.reason}


class NotNotifiable(PetitionkitError):
    code = "not_notifiable"
    exit_code = 3
    key = "error.not_notifiable"

    def __init__(self, action: str) -> None:
        super().__init__()
        self.action = action

    def params(self, locale: str) -> dict[str, Any]:
        return {"action": translate("action." + self.action, locale)}


class ProtectionRefusal(PetitionkitError):
    """Something of a case was kept from a body to protect an accuser or a confidential petitioner.

    ``action`` is what was refused (``transfer``, ``assign``, ``supervise``, ``export``, ``document``),
    ``body_code`` the body it would have reached (``None``: any body), ``rule`` the rule that refused.
    The service records every refusal on the case as an event before raising it.
    """

    exit_code = 6
    rule: ClassVar[str] = "2022 art. 30 para. 3"

    def __init__(self, case_id: str, action: str, body_code: str | None) -> None:
        super().__init__()
        self.case_id, self.action, self.body_code = case_id, action, body_code


class WhistleblowerGuard(ProtectionRefusal):
    """An accusation would reach the accused or the accused's unit (2022 art. 30 para. 3)."""

    code = "whistleblower_guard"
    key = "error.whistleblower_guard"
    rule = "2022 art. 30 para. 3"

    def params(self, locale: str) -> dict[str, Any]:
        return {
            "case": self.case_id,
            "action": translate("action." + self.action, locale),
            "body": self.body_code,
        }


class RespondentUnresolved(ProtectionRefusal):
    """An accusation's respondent (``respondent.body_code``) is no known body, so nothing may leave.

    The guard cannot tell whom to keep the accusation from; a clerk resolves the respondent with
    ``petitionkit resolve-respondent CASE --body CODE`` (or ``--unlisted``) first.
    """

    code = "respondent_unresolved"
    key = "error.respondent_unresolved"
    rule = "respondent_unresolved (2022 art. 30 para. 3)"

    def __init__(self, case_id: str, action: str, body_code: str | None, petitions: Sequence[str]) -> None:
        super().__init__(case_id, action, body_code)
        self.petitions = tuple(petitions)

    def params(self, locale: str) -> dict[str, Any]:
        return {
            "case": self.case_id,
            "action": translate("action." + self.action, locale),
            "petitions": ", ".join(self.petitions),
        }


class UnknownBody(PetitionkitError):
    code = "unknown_body"
    exit_code = 4
    key = "error.unknown_body"

    def __init__(self, body_code: str) -> None:
        super().__init__()
        self.body_code = body_code

    def params(self, locale: str) -> dict[str, Any]:
        return {"body": self.body_code}


class ConfigurationError(PetitionkitError):
    """A setting (config file, environment, plugin) is wrong."""

    code = "configuration"
    exit_code = 7
    key = "error.configuration"

    def __init__(self, setting: str, problem: str) -> None:
        super().__init__()
        self.setting, self.problem = setting, problem
        self.catalogue_key: str | None = None
        self.catalogue_params: dict[str, Any] = {}

    @staticmethod
    def of(setting: str, problem_key: str, /, **params: Any) -> ConfigurationError:
        """A problem a clerk can meet, in the catalogue's words (``problem_key``, both locales).

        ``problem`` holds its English (for code and logs that read it); the message is in the locale.
        """
        error = ConfigurationError(setting, translate(problem_key, "en", **params))
        error.catalogue_key, error.catalogue_params = problem_key, dict(params)
        return error

    def params(self, locale: str) -> dict[str, Any]:
        problem = self.problem
        if self.catalogue_key is not None:
            problem = translate(self.catalogue_key, locale, **self.catalogue_params)
        return {"setting": self.setting, "problem": problem}


class StorageError(PetitionkitError):
    """The database cannot be used; ``url`` never shows a password."""

    code = "storage"
    exit_code = 8
    key = "error.storage"

    def __init__(self, url: str, problem: str) -> None:
        super().__init__()
        self.url, self.problem = url, problem

    def params(self, locale: str) -> dict[str, Any]:
        return {"url": self.url, "problem": self.problem}


class EncryptionKeyError(PetitionkitError):
    """Personal data cannot be encrypted or decrypted (个人信息加密): the master key is missing or wrong,
    a data key is unknown, or a stored value was moved to another row or altered.

    ``problem`` names the case (``privacy.problem.<problem>`` in ``locale/privacy.toml``); ``detail``
    holds its placeholders (key ids, table and column names, never personal data).
    """

    code = "encryption"
    exit_code = 7
    key = "error.encryption"

    def __init__(self, problem: str, **detail: str) -> None:
        super().__init__()
        self.problem, self.detail = problem, detail

    def params(self, locale: str) -> dict[str, Any]:
        return {"problem": translate(f"privacy.problem.{self.problem}", locale, **self.detail)}


class PrincipalRequired(PetitionkitError):
    """A use case was called on an office not bound to a principal (``office.acting_as(principal)``)."""

    code = "principal_required"
    exit_code = 10
    key = "error.principal_required"

    def __init__(self, use_case: str) -> None:
        super().__init__()
        self.use_case = use_case

    def params(self, locale: str) -> dict[str, Any]:
        return {"use_case": self.use_case}


class PermissionDenied(PetitionkitError):
    """The acting principal may not do this (its roles, its bodies, or the decision hook said no)."""

    code = "permission_denied"
    exit_code = 10
    key = "error.permission_denied"

    def __init__(self, principal: str, permission: str, case_id: str | None = None) -> None:
        super().__init__()
        self.principal, self.permission, self.case_id = principal, permission, case_id

    def params(self, locale: str) -> dict[str, Any]:
        return {
            "principal": self.principal,
            "permission": translate("permission." + self.permission, locale),
            "case": self.case_id or "-",
        }


class UnknownPrincipal(PetitionkitError):
    """A name (``--as``, ``approved_by``, the operating-system user) that is no configured principal."""

    code = "unknown_principal"
    exit_code = 10
    key = "error.unknown_principal"

    def __init__(self, field: str, name: str, known: Sequence[str]) -> None:
        super().__init__()
        self.field, self.name, self.known = field, name, tuple(known)

    def params(self, locale: str) -> dict[str, Any]:
        return {"field": self.field, "name": self.name, "known": ", ".join(self.known) or "-"}


class SeparationOfDuties(PetitionkitError):
    """The same principal may not both request and approve (an extension): name another approver."""

    code = "separation_of_duties"
    exit_code = 10
    key = "error.separation_of_duties"

    def __init__(self, field: str, principal: str, reason: str) -> None:
        super().__init__()
        self.field, self.principal, self.reason = field, principal, reason

    def params(self, locale: str) -> dict[str, Any]:
        return {
            "field": self.field,
            "principal": self.principal,
            "reason": translate("access.sod." + self.reason, locale),
        }


class UnknownLocale(PetitionkitError):
    """A locale other than the supported ones was asked for (``--locale fr``)."""

    code = "unknown_locale"
    exit_code = 2
    key = "error.unknown_locale"

    def __init__(self, source: str, locale: str, supported: Sequence[str]) -> None:
        super().__init__()
        self.source, self.locale, self.supported = source, locale, tuple(supported)

    def params(self, locale: str) -> dict[str, Any]:
        # The value is a language tag the user typed, never personal data.
        return {"source": self.source, "locale": self.locale[:40], "supported": ", ".join(self.supported)}


class AttachmentRefused(PetitionkitError):
    """A file that cannot be attached (附件不予接收): too large, of a type not allowed, not what it says it
    is, or refused by a scanner.  ``reason`` is a key under ``attachments.refused.`` (``locale/attachments.toml``);
    ``detail`` holds its placeholders (sizes, media types, a scanner's finding: never the file's content)."""

    code = "attachment_refused"
    exit_code = 2
    key = "error.attachment_refused"

    def __init__(self, field: str, reason: str, **detail: str) -> None:
        super().__init__()
        self.field, self.reason, self.detail = field, reason, detail

    def params(self, locale: str) -> dict[str, Any]:
        return {"field": self.field, "reason": translate(f"attachments.refused.{self.reason}", locale, **self.detail)}


class AttachmentDamaged(PetitionkitError):
    """An attachment's stored bytes are missing, cannot be decrypted, or no longer hash to the digest its
    ``AttachmentAdded`` event recorded (附件损坏或被篡改)."""

    code = "attachment_damaged"
    exit_code = 9
    key = "error.attachment_damaged"

    def __init__(self, attachment_id: str, problem: str) -> None:
        super().__init__()
        self.attachment_id, self.problem = attachment_id, problem

    def params(self, locale: str) -> dict[str, Any]:
        return {"attachment": self.attachment_id, "problem": translate(f"attachments.damage.{self.problem}", locale)}
