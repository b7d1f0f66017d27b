"""The ``petitionkit-history`` format: one case a line (JSON Lines), with its petitions and its history.

A line is a JSON object (schema: ``docs/history-format.schema.json``; reference: docs/migration.md)::

    {"format": "petitionkit-history", "version": 1,
     "legacy": {"system": "old-xf", "case_id": "2021-0042"},
     "state": "replied",
     "petitions": [{...registration document..., "registered_at": "...", "tracking_number": "..."}],
     "steps": [{"action": "accept", "at": "2021-03-04T10:00:00+08:00", "note": ""},
               {"action": "reply", "at": "...", "outcome": "explain", "text": "...", "delivered_on": "2021-04-01"}]}

Each step is a lifecycle command (:data:`petitionkit.domain.lifecycle.TRANSITIONS`: its ``action`` and
the command's fields) and ``at``, when it really happened.  A date a command takes (``delivered_on``,
``requested_on``) defaults to the step's own date.  The first petition opens the case; each further
petition joins it (重复信访) at its ``registered_at``, after the steps up to that time.  ``state`` is
the state the history must end in: a line whose steps lead elsewhere is refused.

:func:`parse_line` checks a line as far as it can without an office (types, choices, the order of
dates) and reports every bad field with its path (``steps[2].outcome``).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from datetime import date, datetime
from typing import IO, Any

import attrs

from petitionkit.domain import lifecycle as lc
from petitionkit.domain.drafts import PetitionDraft
from petitionkit.domain.model import CaseState
from petitionkit.errors import FieldError, InvalidInput, PetitionkitError
from petitionkit.i18n import translate
from petitionkit.serialization import structure, structure_draft

FORMAT = "petitionkit-history"
VERSION = 1

#: The command class of each action a step may name, from the lifecycle's one table.
COMMANDS: Mapping[str, type] = {t.action: t.command for t in lc.TRANSITIONS}
_TOP = ("format", "version", "legacy", "state", "petitions", "steps")
_PETITION_EXTRA = ("registered_at", "tracking_number")


@attrs.frozen
class LegacyKey:
    """Where a case comes from: the system and its key there (the key of an idempotent import)."""

    system: str
    case_id: str

    @property
    def source_ref(self) -> str:
        """The key stored on the case's first petition (``source_ref``); re-importing it adds nothing."""
        return json.dumps(["history", self.system, self.case_id], ensure_ascii=False)

    def petition_ref(self, index: int) -> str:
        """The ``source_ref`` of the case's petition ``index`` (0: the first, :attr:`source_ref`)."""
        return self.source_ref if index == 0 else json.dumps(["history", self.system, self.case_id, index])


@attrs.frozen
class ImportedPetition:
    draft: PetitionDraft
    registered_at: datetime
    tracking_number: str | None = None


@attrs.frozen
class HistoryStep:
    action: str
    at: datetime
    command: Any  # one of the lifecycle commands (lc.Command)


@attrs.frozen
class CaseHistory:
    """One checked line: a case to rebuild through the lifecycle."""

    legacy: LegacyKey
    state: CaseState
    petitions: tuple[ImportedPetition, ...]
    steps: tuple[HistoryStep, ...]

    def timeline(self) -> Iterator[tuple[int, HistoryStep | ImportedPetition]]:
        """Joins of later petitions and the steps, in the order they happened (index into their list)."""
        joins = list(enumerate(self.petitions))[1:]
        for number, step in enumerate(self.steps):
            while joins and joins[0][1].registered_at < step.at:
                yield joins.pop(0)
            yield number, step
        yield from joins

    @property
    def last_date(self) -> datetime:
        return max([p.registered_at for p in self.petitions] + [s.at for s in self.steps])


@attrs.frozen
class StepRefused(FieldError):
    """A step the lifecycle refused (an illegal transition, a closed window, an unknown body …), with why."""

    error: PetitionkitError | None = attrs.field(default=None, eq=False)

    def message(self, locale: str = "zh-CN") -> str:
        reason = self.error.message(locale) if self.error is not None else ""
        return f"{self.field}: {translate('field.step_refused', locale, reason=reason)}"


def _datetime(value: Any, field: str, errors: list[FieldError]) -> datetime | None:
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            parsed = None
        if parsed is not None and parsed.tzinfo is not None:
            return parsed
    errors.append(FieldError(field, "datetime"))
    return None


def _text(value: Any, field: str, errors: list[FieldError]) -> str:
    if not isinstance(value, str):
        errors.append(FieldError(field, "required" if value is None else "wrong_type", {"expected": "string"}))
        return ""
    if not value.strip():
        errors.append(FieldError(field, "blank"))
    return value


def _prefixed(problem: InvalidInput, prefix: str) -> list[FieldError]:
    return [attrs.evolve(e, field=f"{prefix}.{e.field}") for e in problem.errors]


def _petition(doc: Any, index: int, errors: list[FieldError]) -> ImportedPetition | None:
    where = f"petitions[{index}]"
    if not isinstance(doc, Mapping):
        errors.append(FieldError(where, "wrong_type", {"expected": "object"}))
        return None
    body = {k: v for k, v in doc.items() if k not in _PETITION_EXTRA}
    for key in ("joins_case", "source_ref"):  # the import sets them: the case is the line
        if key in body:
            errors.append(FieldError(f"{where}.{key}", "unknown"))
            body.pop(key)
    try:
        draft = structure_draft(body)
    except InvalidInput as problem:
        errors.extend(_prefixed(problem, where))
        return None
    registered = draft.received_at
    if doc.get("registered_at") is not None:
        found = _datetime(doc["registered_at"], f"{where}.registered_at", errors)
        if found is None:
            return None
        if found < draft.received_at:
            errors.append(FieldError(f"{where}.registered_at", "before", {"other": f"{where}.received_at"}))
        registered = found
    number = doc.get("tracking_number")
    if number is not None and not (isinstance(number, str) and number.strip()):
        errors.append(FieldError(f"{where}.tracking_number", "wrong_type", {"expected": "string"}))
        number = None
    return ImportedPetition(draft, registered, number)


def _step(doc: Any, index: int, errors: list[FieldError]) -> HistoryStep | None:
    where = f"steps[{index}]"
    if not isinstance(doc, Mapping):
        errors.append(FieldError(where, "wrong_type", {"expected": "object"}))
        return None
    action = doc.get("action")
    command_type = COMMANDS.get(action) if isinstance(action, str) else None
    if command_type is None or not isinstance(action, str):
        errors.append(FieldError(f"{where}.action", "choice", {"choices": ", ".join(COMMANDS)}))
        return None
    at = _datetime(doc.get("at"), f"{where}.at", errors)
    try:
        command: Any = structure({k: v for k, v in doc.items() if k not in ("action", "at")}, command_type)
    except InvalidInput as problem:
        errors.extend(_prefixed(problem, where))
        return None
    return None if at is None else HistoryStep(action, at, command)


def parse_line(doc: Any) -> CaseHistory:
    """Check one decoded line; raise :class:`InvalidInput` naming every bad field."""
    if not isinstance(doc, Mapping):
        raise InvalidInput([FieldError("(line)", "wrong_type", {"expected": "a JSON object"})])
    errors: list[FieldError] = [FieldError(k, "unknown") for k in sorted(doc) if k not in _TOP]
    if doc.get("format") != FORMAT:
        errors.append(FieldError("format", "choice", {"choices": FORMAT}))
    if doc.get("version") != VERSION:
        errors.append(FieldError("version", "choice", {"choices": str(VERSION)}))
    legacy = doc.get("legacy")
    key = LegacyKey("", "")
    if isinstance(legacy, Mapping):
        errors.extend(FieldError(f"legacy.{k}", "unknown") for k in sorted(legacy) if k not in ("system", "case_id"))
        key = LegacyKey(
            _text(legacy.get("system"), "legacy.system", errors), _text(legacy.get("case_id"), "legacy.case_id", errors)
        )
    else:
        errors.append(FieldError("legacy", "required"))
    try:
        state = CaseState(str(doc.get("state")))
    except ValueError:
        errors.append(FieldError("state", "choice", {"choices": ", ".join(s.value for s in CaseState)}))
        state = CaseState.REGISTERED
    raw_petitions = doc.get("petitions")
    if not isinstance(raw_petitions, list) or not raw_petitions:
        errors.append(FieldError("petitions", "required"))
        raw_petitions = []
    raw_steps = doc.get("steps", [])
    if not isinstance(raw_steps, list):
        errors.append(FieldError("steps", "wrong_type", {"expected": "list"}))
        raw_steps = []
    petitions = [_petition(p, i, errors) for i, p in enumerate(raw_petitions)]
    steps = [_step(s, i, errors) for i, s in enumerate(raw_steps)]
    if errors:
        raise InvalidInput(errors)
    checked = CaseHistory(key, state, tuple(p for p in petitions if p), tuple(s for s in steps if s))
    _check_order(checked)
    return checked


def _check_order(history: CaseHistory) -> None:
    """Petitions in the order they were registered; steps in order, none before the case was registered."""
    errors: list[FieldError] = []
    first = history.petitions[0].registered_at
    for i, petition in enumerate(history.petitions[1:], start=1):
        previous = history.petitions[i - 1].registered_at
        if petition.registered_at < previous:
            errors.append(FieldError(f"petitions[{i}].registered_at", "before", {"other": f"petitions[{i - 1}]"}))
    previous_at, previous_field = first, "petitions[0].registered_at"
    for i, step in enumerate(history.steps):
        if step.at < previous_at:
            errors.append(FieldError(f"steps[{i}].at", "before", {"other": previous_field}))
        previous_at, previous_field = max(previous_at, step.at), f"steps[{i}].at"
        for name in ("delivered_on", "requested_on"):
            day = getattr(step.command, name, None)
            if isinstance(day, date) and day < first.date():
                errors.append(FieldError(f"steps[{i}].{name}", "before", {"other": "petitions[0].registered_at"}))
    if errors:
        raise InvalidInput(errors)


def read_history(stream: IO[str]) -> Iterator[tuple[int, CaseHistory | InvalidInput]]:
    """Each line's number and its checked case, or the :class:`InvalidInput` that refuses it.

    Blank lines are skipped (a file may end with one); a line that is not JSON is refused, not fatal.
    """
    for number, line in enumerate(stream, start=1):
        if not line.strip():
            continue
        try:
            doc = json.loads(line)
        except json.JSONDecodeError:
            yield number, InvalidInput([FieldError("(line)", "wrong_type", {"expected": "a JSON object"})])
            continue
        try:
            yield number, parse_line(doc)
        except InvalidInput as problem:
            yield number, problem


def history_line(doc: Mapping[str, Any]) -> str:
    """One line of the format: keys sorted, UTF-8 text as is, no spaces (so equal cases give equal bytes)."""
    return json.dumps(doc, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n"
