"""Typed errors of the rules engine, with their zh-CN and en texts.

* :class:`RulePackError` — a rule file (规则包) is broken: names the file, the dotted key and what
  is expected.  Raised when a pack is loaded or composed, never later while a case is handled.
* :class:`CalendarDataMissing` — a date falls in a year for which no official holiday schedule
  (节假日安排) is known: names the year and how to add the data.
* :class:`NoRoute` — no routing rule (分流规则) gives a permissible body.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from petitionkit.errors import PetitionkitError
from petitionkit.i18n import translate


class RulePackError(PetitionkitError):
    """A rule file is broken: ``file``, the dotted ``key`` and what is expected (``problem``).

    ``problem`` is a key under ``rules.problem.`` in the catalog and ``params`` fill it, so the
    message exists in zh-CN and en.
    """

    code = "rule_pack"
    exit_code = 7
    key = "error.rule_pack"

    def __init__(self, file: str, key: str, problem: str, params: Mapping[str, Any] | None = None) -> None:
        super().__init__()
        self.file, self.key_path, self.problem = file, key, problem
        self.problem_params = dict(params or {})

    def params(self, locale: str) -> dict[str, Any]:
        values = {
            k: (translate(v.key, locale) if isinstance(v, TypeName) else v) for k, v in self.problem_params.items()
        }
        return {
            "file": self.file,
            "key": self.key_path,
            "problem": translate("rules.problem." + self.problem, locale, **values),
        }

    def to_dict(self) -> dict[str, Any]:
        data = super().to_dict()
        data.update({"file": self.file, "key": self.key_path, "problem": self.problem})
        return data


class TypeName:
    """A type name in an error message, translated when the message is rendered."""

    def __init__(self, name: str) -> None:
        self.key = "rules.type." + name

    def __repr__(self) -> str:
        return f"TypeName({self.key!r})"


class CalendarDataMissing(PetitionkitError):
    """No official holiday data for ``year``: fail loudly, never guess (see docs/rules.md)."""

    code = "calendar_data_missing"
    exit_code = 7
    key = "error.calendar_data_missing"

    def __init__(self, year: int, calendar: str, covered: str) -> None:
        super().__init__()
        self.year, self.calendar, self.covered = year, calendar, covered

    def params(self, locale: str) -> dict[str, Any]:
        return {"year": self.year, "calendar": self.calendar, "covered": self.covered}


class NoRoute(PetitionkitError):
    """Routing found no permissible body; ``reason`` is ``"no_default"`` or ``"guarded"``."""

    code = "no_route"
    exit_code = 4
    key = "error.no_route"

    def __init__(self, reason: str, guarded: frozenset[str] = frozenset()) -> None:
        super().__init__()
        self.reason, self.guarded = reason, guarded

    def params(self, locale: str) -> dict[str, Any]:
        why = translate("rules.no_route." + self.reason, locale, bodies=", ".join(sorted(self.guarded)))
        return {"why": why}
