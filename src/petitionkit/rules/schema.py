"""Rule packs (规则包): TOML files read with :mod:`tomllib` and checked when they are loaded.

A pack is data: clocks, screening, categories, bodies, routing, collective-petition limits, the
whistleblower guard option and calendar data.  Python appears only where data cannot say it: a
screening or routing rule may name ``predicate = "name"``, a predicate a plugin registered
(``petitionkit_register_predicates``, see :mod:`petitionkit.rules.predicates`) that must also hold.

Every problem is a :class:`~petitionkit.rules.errors.RulePackError` naming the file, the dotted key
(``routing.rules[2].body``) and what is expected.  Checks that need other packs (a route to a body
declared in an earlier pack, a cycle of parents across packs) run when packs are composed
(:func:`petitionkit.rules.compose`), still before any case is handled.  docs/rules.md documents
every key.

Size: over 500 lines: one small reader per section of a pack, each naming its keys and the
problem of each; they share one reader (``_Reader``) and are read top to bottom with docs/rules.md.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Callable, Iterable, Mapping
from datetime import date
from pathlib import Path
from typing import Any, NoReturn

import attrs

from petitionkit.domain.access import Permission, Role
from petitionkit.domain.clocks import Clock, Convention, ExtensionCounts
from petitionkit.domain.decisions import (
    Bilingual,
    BodyInfo,
    ClosedMatterAction,
    ClosedMatterRule,
    RouteQuery,
    ScreeningQuery,
)
from petitionkit.domain.knowledge import Provision, Snippet
from petitionkit.domain.model import BodyKind, DeclineChannel, PetitionKind, ReferralMode
from petitionkit.domain.retention import RetentionPeriod
from petitionkit.rules import provisional
from petitionkit.rules.calendar import NamedDay, YearData
from petitionkit.rules.errors import RulePackError, TypeName
from petitionkit.rules.knowledge import read_knowledge
from petitionkit.rules.predicates import Predicate, active_predicates
from petitionkit.rules.retention import read_retention

PACK_NAME = re.compile(r"^[a-z0-9][a-z0-9-]*$")
IDENTIFIER = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]*$")
REGION_CODE = re.compile(r"^(\d{2}|\d{4}|\d{6}|\d{9}|\d{12})$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
URL = re.compile(r"^https?://[^\s/]+\S*$")
ALL = "*"  # accept_categories = ["*"]: every declared category

ScreeningHook = Callable[[ScreeningQuery], bool]
RouteHook = Callable[[RouteQuery], bool]


@attrs.frozen
class Origin:
    """Where a value was set: the pack, its file and the dotted key."""

    pack: str
    file: str
    key: str


@attrs.frozen
class ClockRule:
    """A clock (期限) as a pack declares it."""

    clock: Clock
    days: int
    convention: Convention
    source: str
    kinds: frozenset[PetitionKind]
    note: str
    origin: Origin
    # [clocks.extension] only: what its length means (required there, see ExtensionCounts).
    counts: ExtensionCounts | None = None


@attrs.frozen
class Label:
    """A declared vocabulary entry (category or screening fact) with its words."""

    id: str
    text: Bilingual
    origin: Origin


@attrs.frozen
class NotAccepted:
    """What a petitioner is told when the kind or category is outside the office's remit."""

    channel: DeclineChannel
    reason: Bilingual
    source: str
    origin: Origin


@attrs.frozen
class ScreeningRule:
    """A decline rule (不予受理): conditions, the channel the petitioner is told, and the reason."""

    id: str
    description: Bilingual
    kinds: frozenset[PetitionKind] | None
    categories: frozenset[str] | None
    facts: frozenset[str] | None
    channel: DeclineChannel
    reason: Bilingual
    source: str
    predicate: ScreeningHook | None
    predicate_name: str
    enabled: bool
    origin: Origin

    def matches(self, query: ScreeningQuery) -> bool:
        if self.kinds is not None and query.kind not in self.kinds:
            return False
        if self.categories is not None and query.category not in self.categories:
            return False
        if self.facts is not None and not (self.facts & query.facts):
            return False
        return self.predicate is None or bool(self.predicate(query))


@attrs.frozen
class BodyDecl:
    info: BodyInfo
    origin: Origin


@attrs.frozen
class RouteRule:
    """A routing rule (分流规则): conditions → a body and a referral mode."""

    id: str
    description: Bilingual
    kinds: frozenset[PetitionKind] | None
    categories: frozenset[str] | None
    regions: tuple[str, ...] | None
    respondent_bodies: frozenset[str] | None
    respondent_kinds: frozenset[BodyKind] | None
    facts: frozenset[str] | None
    predicate: RouteHook | None
    predicate_name: str
    body: str | None
    body_kind: BodyKind | None
    mode: ReferralMode
    report_days: int | None
    source: str
    enabled: bool
    origin: Origin


@attrs.frozen
class RouteDefault:
    body: str
    mode: ReferralMode
    report_days: int | None
    description: Bilingual
    source: str
    origin: Origin


@attrs.frozen
class Tier:
    up_to: int | None  # headcount up to and including; None: any headcount above the previous tier
    limit: int


@attrs.frozen
class Collective:
    """Representative limits of a collective petition (集体访代表人数)."""

    tiers: tuple[Tier, ...]
    source: str
    origin: Origin


@attrs.frozen
class Whistleblower:
    guard_parent_body: bool
    source: str
    origin: Origin


@attrs.frozen
class Repeats:
    """``[repeats]``: repeat detection's threshold and what a repeat of a closed matter does (重复信访)."""

    threshold: float | None
    closed: Mapping[str, ClosedMatterRule]
    source: str
    origin: Origin


@attrs.frozen
class RulePack:
    """One loaded, checked rule file.  ``None`` / empty means "this pack says nothing about it"."""

    name: str
    file: str
    title: Bilingual | None = None
    version: str = ""
    sources: tuple[str, ...] = ()
    clocks: Mapping[Clock, ClockRule] = attrs.field(factory=dict)
    categories: tuple[Label, ...] = ()
    facts: tuple[Label, ...] = ()
    screening_source: str = ""
    accept_kinds: tuple[frozenset[PetitionKind], Origin] | None = None
    accept_categories: tuple[frozenset[str], Origin] | None = None
    not_accepted: NotAccepted | None = None
    declines: tuple[ScreeningRule, ...] = ()
    bodies: tuple[BodyDecl, ...] = ()
    routes: tuple[RouteRule, ...] = ()
    default_route: RouteDefault | None = None
    collective: Collective | None = None
    whistleblower: Whistleblower | None = None
    repeats: Repeats | None = None
    local_days_off: tuple[NamedDay, ...] = ()
    extra_years: tuple[YearData, ...] = ()
    provisional: bool | None = None  # [calendar] provisional; None: not set by this pack
    roles: tuple[Role, ...] = ()  # [roles.<name>]: a later pack's role replaces an earlier one of that name
    retention: tuple[RetentionPeriod, ...] = ()  # [retention]: a later pack's period replaces one of its kind
    # [knowledge]: a later pack's provision or snippet replaces one of the same id
    provisions: tuple[tuple[Provision, Origin], ...] = ()
    snippets: tuple[tuple[Snippet, Origin], ...] = ()


# --- reading ---------------------------------------------------------------------------------------


def _join(prefix: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{prefix}[{key}]"
    return f"{prefix}.{key}" if prefix else key


class _Reader:
    """Typed access to a TOML table that fails with the file and dotted key."""

    def __init__(self, file: str, pack: str = "", predicates: Mapping[str, Predicate] | None = None) -> None:
        self.file = file
        self.pack = pack
        self.predicates = active_predicates() if predicates is None else predicates

    def fail(self, key: str, problem: str, **params: Any) -> NoReturn:
        raise RulePackError(self.file, key, problem, params)

    def origin(self, key: str) -> Origin:
        return Origin(self.pack, self.file, key)

    def only(self, table: Mapping[str, Any], prefix: str, allowed: Iterable[str]) -> None:
        allowed = list(allowed)
        for key in table:
            if key not in allowed:
                self.fail(_join(prefix, key), "unknown_key", allowed=", ".join(allowed))

    def table(self, value: Any, key: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            self.fail(key, "wrong_type", expected=TypeName("table"))
        return value

    def sub(self, table: Mapping[str, Any], prefix: str, name: str) -> dict[str, Any]:
        return self.table(table.get(name, {}), _join(prefix, name))

    def tables(self, table: Mapping[str, Any], prefix: str, name: str) -> list[tuple[str, dict[str, Any]]]:
        key = _join(prefix, name)
        value = table.get(name, [])
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            self.fail(key, "wrong_type", expected=TypeName("table_array"))
        return [(_join(key, i), v) for i, v in enumerate(value)]

    def string(self, table: Mapping[str, Any], prefix: str, name: str, *, required: bool = False) -> str | None:
        key = _join(prefix, name)
        if name not in table:
            if required:
                self.fail(key, "required", expected=TypeName("string"))
            return None
        value = table[name]
        if not isinstance(value, str):
            self.fail(key, "wrong_type", expected=TypeName("string"))
        return value

    def req_string(self, table: Mapping[str, Any], prefix: str, name: str) -> str:
        value = self.string(table, prefix, name, required=True)
        assert value is not None
        return value

    def integer(self, table: Mapping[str, Any], prefix: str, name: str, *, required: bool = False) -> int | None:
        key = _join(prefix, name)
        if name not in table:
            if required:
                self.fail(key, "required", expected=TypeName("integer"))
            return None
        value = table[name]
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail(key, "wrong_type", expected=TypeName("integer"))
        if value < 1:
            self.fail(key, "positive")
        return value

    def boolean(self, table: Mapping[str, Any], prefix: str, name: str, default: bool) -> bool:
        if name not in table:
            return default
        value = table[name]
        if not isinstance(value, bool):
            self.fail(_join(prefix, name), "wrong_type", expected=TypeName("boolean"))
        return value

    def strings(self, table: Mapping[str, Any], prefix: str, name: str) -> list[str] | None:
        if name not in table:
            return None
        value = table[name]
        key = _join(prefix, name)
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.fail(key, "wrong_type", expected=TypeName("string_array"))
        return value

    def choices(self, table: Mapping[str, Any], prefix: str, name: str, enum: type[Any]) -> frozenset[Any] | None:
        values = self.strings(table, prefix, name)
        if values is None:
            return None
        return frozenset(self._choice(v, _join(_join(prefix, name), i), enum) for i, v in enumerate(values))

    def choice(self, table: Mapping[str, Any], prefix: str, name: str, enum: type[Any], *, required: bool) -> Any:
        if required and name not in table:
            self.fail(_join(prefix, name), "required_choice", choices=", ".join(e.value for e in enum))
        value = self.string(table, prefix, name)
        return None if value is None else self._choice(value, _join(prefix, name), enum)

    def _choice(self, value: str, key: str, enum: type[Any]) -> Any:
        try:
            return enum(value)
        except ValueError:
            self.fail(key, "choice", choices=", ".join(e.value for e in enum))

    def text(self, table: Mapping[str, Any], prefix: str, name: str, *, required: bool = False) -> Bilingual | None:
        """A bilingual text: ``{ "zh-CN" = "...", en = "..." }`` (both required)."""
        key = _join(prefix, name)
        if name not in table:
            if required:
                self.fail(key, "required", expected=TypeName("text"))
            return None
        value = table[name]
        if not isinstance(value, dict):
            self.fail(key, "wrong_type", expected=TypeName("text"))
        self.only(value, key, ("zh-CN", "en"))
        zh = self.req_string(value, key, "zh-CN")
        en = self.req_string(value, key, "en")
        return Bilingual(zh, en)

    def req_text(self, table: Mapping[str, Any], prefix: str, name: str) -> Bilingual:
        value = self.text(table, prefix, name, required=True)
        assert value is not None
        return value

    def day(self, table: Mapping[str, Any], prefix: str, name: str) -> date:
        key = _join(prefix, name)
        if name not in table:
            self.fail(key, "required", expected=TypeName("date"))
        value = table[name]
        if isinstance(value, date) and type(value) is date:
            return value
        if isinstance(value, str):
            try:
                return date.fromisoformat(value)
            except ValueError:
                pass
        self.fail(key, "wrong_type", expected=TypeName("date"))

    def identifier(self, value: str, key: str) -> str:
        if not IDENTIFIER.match(value):
            self.fail(key, "identifier")
        return value

    def region(self, value: str, key: str) -> str:
        if not REGION_CODE.match(value):
            self.fail(key, "region_code", code=value)
        return value

    def predicate(self, table: Mapping[str, Any], prefix: str) -> tuple[Callable[[Any], bool] | None, str]:
        """``predicate = "name"``: a predicate a plugin registered (``python = ...`` is refused with a hint)."""
        if "python" in table:
            self.fail(_join(prefix, "python"), "python_removed", value=str(table["python"]))
        name = self.string(table, prefix, "predicate")
        if name is None:
            return None, ""
        found = self.predicates.get(name)
        if found is None:
            self.fail(
                _join(prefix, "predicate"),
                "unknown_predicate",
                value=name,
                known=", ".join(sorted(self.predicates)) or "-",
            )
        return found, name


# --- sections --------------------------------------------------------------------------------------

TOP_KEYS = (
    "pack", "calendar", "clocks", "categories", "screening", "bodies", "routing", "collective", "whistleblower",
    "roles", "retention", "repeats", "knowledge",
)  # fmt: skip


def load_pack(path: str | os.PathLike[str], *, predicates: Mapping[str, Predicate] | None = None) -> RulePack:
    """Read and check one rule file; raises :class:`RulePackError` naming file, key and expectation.

    :param predicates: the predicates ``predicate = "name"`` may name (default: the active ones,
        see :func:`petitionkit.rules.predicates.using_predicates`).
    """
    file = str(path)
    reader = _Reader(file)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        reader.fail("-", "missing_file")
    except IsADirectoryError:
        reader.fail("-", "missing_file")
    return parse_pack(text, file, predicates=predicates)


def parse_pack(text: str, file: str, *, predicates: Mapping[str, Predicate] | None = None) -> RulePack:
    """Check a pack given as TOML text; ``file`` names it in errors (``predicates`` as :func:`load_pack`)."""
    reader = _Reader(file, predicates=predicates)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        reader.fail("-", "not_toml", detail=str(exc))
    reader.only(data, "", TOP_KEYS)
    pack = reader.sub(data, "", "pack")
    if "pack" not in data:
        reader.fail("pack", "required", expected=TypeName("table"))
    reader.only(pack, "pack", ("name", "title", "version", "sources", "note"))
    name = reader.req_string(pack, "pack", "name")
    if not PACK_NAME.match(name):
        reader.fail("pack.name", "name")
    reader.pack = name
    reader.string(pack, "pack", "note")
    fields: dict[str, Any] = {
        "name": name,
        "file": file,
        "title": reader.text(pack, "pack", "title"),
        "version": reader.string(pack, "pack", "version") or "",
        "sources": tuple(reader.strings(pack, "pack", "sources") or ()),
    }
    fields.update(_calendar(reader, reader.sub(data, "", "calendar")))
    fields["clocks"] = _clocks(reader, reader.sub(data, "", "clocks"))
    fields["categories"] = _labels(reader, reader.sub(data, "", "categories"), "categories")
    fields.update(_screening(reader, reader.sub(data, "", "screening")))
    fields["bodies"] = _bodies(reader, data)
    fields.update(_routing(reader, reader.sub(data, "", "routing")))
    if "collective" in data:
        fields["collective"] = _collective(reader, reader.sub(data, "", "collective"))
    fields["roles"] = _roles(reader, reader.sub(data, "", "roles"))
    fields["retention"] = read_retention(reader, reader.sub(data, "", "retention"))
    fields["provisions"], fields["snippets"] = read_knowledge(reader, reader.sub(data, "", "knowledge"))
    if "whistleblower" in data:
        table = reader.sub(data, "", "whistleblower")
        reader.only(table, "whistleblower", ("guard_parent_body", "source"))
        if "guard_parent_body" not in table:
            reader.fail("whistleblower.guard_parent_body", "required", expected=TypeName("boolean"))
        fields["whistleblower"] = Whistleblower(
            reader.boolean(table, "whistleblower", "guard_parent_body", True),
            reader.string(table, "whistleblower", "source") or "",
            reader.origin("whistleblower"),
        )
    if "repeats" in data:
        fields["repeats"] = _repeats(reader, reader.sub(data, "", "repeats"))
    return RulePack(**fields)


# States a closed matter can be in when a repeat of it arrives (``[repeats.closed.<state>]``).
CLOSED_MATTER_STATES = ("terminated", "withdrawn")


def _repeats(reader: _Reader, table: dict[str, Any]) -> Repeats:
    reader.only(table, "repeats", ("threshold", "closed", "source"))
    threshold: float | None = None
    if "threshold" in table:
        value = table["threshold"]
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value <= 1:
            reader.fail("repeats.threshold", "wrong_type", expected=TypeName("fraction"))
        threshold = float(value)
    closed_table = reader.sub(table, "repeats", "closed")
    reader.only(closed_table, "repeats.closed", CLOSED_MATTER_STATES)
    closed: dict[str, ClosedMatterRule] = {}
    for state in CLOSED_MATTER_STATES:
        if state not in closed_table:
            continue
        key = f"repeats.closed.{state}"
        rule = reader.table(closed_table[state], key)
        reader.only(rule, key, ("action", "facts", "source"))
        action = reader.choice(rule, key, "action", ClosedMatterAction, required=True)
        facts = tuple(reader.strings(rule, key, "facts") or ())
        if action is ClosedMatterAction.DECLINE and not facts:
            reader.fail(_join(key, "facts"), "required", expected=TypeName("string_array"))
        closed[state] = ClosedMatterRule(action, facts, reader.string(rule, key, "source") or "", reader.pack)
    return Repeats(threshold, closed, reader.string(table, "repeats", "source") or "", reader.origin("repeats"))


def _named_day(reader: _Reader, table: dict[str, Any], key: str, year: int | None = None) -> NamedDay:
    reader.only(table, key, ("date", "name", "name_en"))
    day = reader.day(table, key, "date")
    if year is not None and day.year != year:
        reader.fail(_join(key, "date"), "year_mismatch", value=day.isoformat(), year=year)
    return NamedDay(
        day, reader.req_string(table, key, "name"), reader.string(table, key, "name_en") or "", set_by=reader.pack
    )


def _calendar(reader: _Reader, table: dict[str, Any]) -> dict[str, Any]:
    reader.only(table, "calendar", ("local_days_off", "extra_years", "provisional"))
    local = tuple(_named_day(reader, t, k) for k, t in reader.tables(table, "calendar", "local_days_off"))
    years: list[YearData] = []
    seen: set[int] = set()
    for key, entry in reader.tables(table, "calendar", "extra_years"):
        reader.only(entry, key, ("year", "source", "holidays", "workdays"))
        year = reader.integer(entry, key, "year", required=True)
        assert year is not None
        if year in seen:
            reader.fail(_join(key, "year"), "duplicate", value=year)
        if not provisional.FIRST_YEAR <= year <= provisional.LAST_YEAR:
            reader.fail(_join(key, "year"), "year_range", first=provisional.FIRST_YEAR, last=provisional.LAST_YEAR)
        seen.add(year)
        declared = YearData(
            year,
            tuple(_named_day(reader, t, k, year) for k, t in reader.tables(entry, key, "holidays")),
            tuple(_named_day(reader, t, k, year) for k, t in reader.tables(entry, key, "workdays")),
            source=reader.string(entry, key, "source") or "",
            set_by=reader.pack,
        )
        _check_declared_year(reader, key, declared)
        years.append(declared)
    fields: dict[str, Any] = {"local_days_off": local, "extra_years": tuple(years)}
    if "provisional" in table:
        fields["provisional"] = reader.boolean(table, "calendar", "provisional", True)
    return fields


#: How far from a holiday a make-up working day (调休上班日) may lie; every official schedule from
#: 2004 to 2026 keeps them within 11 days (the furthest: Sunday 20 Sep 2026 for National Day).
MAKEUP_REACH_DAYS = 14


def _check_declared_year(reader: _Reader, key: str, declared: YearData) -> None:
    """Refuse a declared year that a typo would turn into wrong legal deadlines.

    Every statutory day off of 全国年节及纪念日放假办法 must be a day off of the declared year (a
    declared holiday, or a weekend day not declared a working day), so each holiday has at least its
    statutory number of days; every make-up working day must be a Saturday or Sunday near a holiday.
    """
    holidays = {d.day for d in declared.holidays}
    workdays = {d.day: i for i, d in enumerate(declared.workdays)}
    for holiday, dates in provisional.statutory_periods(declared.year):
        for day in dates:
            off = day in holidays or (day.weekday() >= 5 and day not in workdays)
            if day.year == declared.year and not off:
                reader.fail(
                    _join(key, "holidays"),
                    "statutory_missing",
                    holiday=holiday.name,
                    holiday_en=holiday.name_en,
                    days=holiday.days,
                    dates=", ".join(d.isoformat() for d in dates),
                    missing=day.isoformat(),
                )
    for index, entry in enumerate(declared.workdays):
        where = f"{key}.workdays[{index}].date"
        if entry.day.weekday() < 5:
            reader.fail(where, "makeup_weekday", value=entry.day.isoformat())
        if not any(abs((entry.day - h).days) <= MAKEUP_REACH_DAYS for h in holidays):
            reader.fail(where, "makeup_far", value=entry.day.isoformat(), reach=MAKEUP_REACH_DAYS)


def _clocks(reader: _Reader, table: dict[str, Any]) -> dict[Clock, ClockRule]:
    reader.only(table, "clocks", [c.value for c in Clock])
    result: dict[Clock, ClockRule] = {}
    for name, value in table.items():
        key = _join("clocks", name)
        entry = reader.table(value, key)
        extension = name == Clock.EXTENSION.value
        allowed = ("days", "convention", "source", "kinds", "note")
        reader.only(entry, key, (*allowed, "counts") if extension else allowed)
        days = reader.integer(entry, key, "days", required=True)
        assert days is not None
        convention = reader.choice(entry, key, "convention", Convention, required=True)
        kinds = reader.choices(entry, key, "kinds", PetitionKind)
        # The extension's legal meaning must be stated: added days, or the total extended period.
        counts = reader.choice(entry, key, "counts", ExtensionCounts, required=True) if extension else None
        result[Clock(name)] = ClockRule(
            Clock(name),
            days,
            convention,
            reader.req_string(entry, key, "source"),
            frozenset(PetitionKind) if kinds is None else kinds,
            reader.string(entry, key, "note") or "",
            reader.origin(key),
            counts,
        )
    return result


def _roles(reader: _Reader, table: dict[str, Any]) -> tuple[Role, ...]:
    """``[roles.<name>]``: ``title`` (zh-CN and en) and ``permissions`` (names of :class:`Permission`)."""
    roles = []
    for name, value in table.items():
        key = _join("roles", name)
        reader.identifier(name, key)
        entry = reader.table(value, key)
        reader.only(entry, key, ("title", "permissions", "note"))
        reader.string(entry, key, "note")
        if "permissions" not in entry:
            reader.fail(_join(key, "permissions"), "required", expected=TypeName("string_array"))
        permissions = reader.choices(entry, key, "permissions", Permission)
        assert permissions is not None
        roles.append(Role(name, reader.req_text(entry, key, "title"), permissions, set_by=reader.pack))
    return tuple(roles)


def _labels(reader: _Reader, table: dict[str, Any], prefix: str) -> tuple[Label, ...]:
    labels = []
    for name in table:
        key = _join(prefix, name)
        reader.identifier(name, key)
        labels.append(Label(name, reader.req_text(table, prefix, name), reader.origin(key)))
    return tuple(labels)


def _screening(reader: _Reader, table: dict[str, Any]) -> dict[str, Any]:
    prefix = "screening"
    reader.only(table, prefix, ("source", "accept_kinds", "accept_categories", "not_accepted", "facts", "declines"))
    fields: dict[str, Any] = {"screening_source": reader.string(table, prefix, "source") or ""}
    kinds = reader.choices(table, prefix, "accept_kinds", PetitionKind)
    if kinds is not None:
        fields["accept_kinds"] = (kinds, reader.origin("screening.accept_kinds"))
    categories = reader.strings(table, prefix, "accept_categories")
    if categories is not None:
        for i, c in enumerate(categories):
            if c != ALL:
                reader.identifier(c, f"screening.accept_categories[{i}]")
        fields["accept_categories"] = (frozenset(categories), reader.origin("screening.accept_categories"))
    if "not_accepted" in table:
        key = "screening.not_accepted"
        entry = reader.sub(table, prefix, "not_accepted")
        reader.only(entry, key, ("channel", "reason", "source"))
        fields["not_accepted"] = NotAccepted(
            reader.choice(entry, key, "channel", DeclineChannel, required=True),
            reader.req_text(entry, key, "reason"),
            reader.string(entry, key, "source") or "",
            reader.origin(key),
        )
    fields["facts"] = _labels(reader, reader.sub(table, prefix, "facts"), "screening.facts")
    rules: list[ScreeningRule] = []
    ids: set[str] = set()
    allowed = (
        "id",
        "description",
        "kinds",
        "categories",
        "facts",
        "channel",
        "reason",
        "source",
        "predicate",
        "python",
        "enabled",
    )
    for key, entry in reader.tables(table, prefix, "declines"):
        reader.only(entry, key, allowed)
        rule_id = reader.identifier(reader.req_string(entry, key, "id"), _join(key, "id"))
        if rule_id in ids:
            reader.fail(_join(key, "id"), "duplicate", value=rule_id)
        ids.add(rule_id)
        enabled = reader.boolean(entry, key, "enabled", True)
        predicate, name = reader.predicate(entry, key)
        reason = reader.text(entry, key, "reason", required=enabled) or Bilingual("", "")
        categories = reader.strings(entry, key, "categories")
        facts = reader.strings(entry, key, "facts")
        for name, values in (("categories", categories), ("facts", facts)):
            for i, v in enumerate(values or ()):
                reader.identifier(v, f"{key}.{name}[{i}]")
        rules.append(
            ScreeningRule(
                id=rule_id,
                description=reader.text(entry, key, "description") or reason,
                kinds=reader.choices(entry, key, "kinds", PetitionKind),
                categories=None if categories is None else frozenset(categories),
                facts=None if facts is None else frozenset(facts),
                channel=reader.choice(entry, key, "channel", DeclineChannel, required=enabled) or DeclineChannel.NONE,
                reason=reason,
                source=reader.string(entry, key, "source") or "",
                predicate=predicate,
                predicate_name=name,
                enabled=enabled,
                origin=reader.origin(key),
            )
        )
    fields["declines"] = tuple(rules)
    return fields


def _bodies(reader: _Reader, data: Mapping[str, Any]) -> tuple[BodyDecl, ...]:
    result: list[BodyDecl] = []
    codes: set[str] = set()
    allowed = ("code", "name", "name_en", "aliases", "kind", "level", "parent", "regions", "competences", "contacts")
    for key, entry in reader.tables(data, "", "bodies"):
        reader.only(entry, key, allowed)
        code = reader.identifier(reader.req_string(entry, key, "code"), _join(key, "code"))
        if code in codes:
            reader.fail(_join(key, "code"), "duplicate", value=code)
        codes.add(code)
        name = reader.req_string(entry, key, "name")
        parent = reader.string(entry, key, "parent")
        regions = reader.strings(entry, key, "regions") or []
        for i, region in enumerate(regions):
            reader.region(region, f"{key}.regions[{i}]")
        competences = reader.strings(entry, key, "competences") or []
        for i, c in enumerate(competences):
            reader.identifier(c, f"{key}.competences[{i}]")
        aliases = reader.strings(entry, key, "aliases") or []
        seen_aliases: set[str] = set()
        for i, alias in enumerate(aliases):
            if not alias.strip():
                reader.fail(f"{key}.aliases[{i}]", "blank")
            if alias.strip() in seen_aliases:
                reader.fail(f"{key}.aliases[{i}]", "duplicate", value=alias.strip())
            seen_aliases.add(alias.strip())
        contacts = reader.sub(entry, key, "contacts")
        ckey = _join(key, "contacts")
        reader.only(contacts, ckey, ("email", "webhook"))
        email = reader.string(contacts, ckey, "email")
        if email is not None and not EMAIL.match(email):
            reader.fail(_join(ckey, "email"), "email")
        webhook = reader.string(contacts, ckey, "webhook")
        if webhook is not None and not URL.match(webhook):
            reader.fail(_join(ckey, "webhook"), "url")
        info = BodyInfo(
            code=code,
            name=Bilingual(name, reader.string(entry, key, "name_en") or name),
            kind=reader.choice(entry, key, "kind", BodyKind, required=True),
            level=reader.string(entry, key, "level") or "county",
            parent=parent,
            regions=tuple(regions),
            competences=tuple(competences),
            email=email,
            webhook=webhook,
            set_by=reader.pack,
            aliases=tuple(a.strip() for a in aliases),
        )
        result.append(BodyDecl(info, reader.origin(key)))
    return tuple(result)


def _report_days(reader: _Reader, entry: Mapping[str, Any], key: str, mode: ReferralMode | None) -> int | None:
    days = reader.integer(entry, key, "report_days")
    if days is not None and mode is not ReferralMode.ASSIGNMENT:
        reader.fail(_join(key, "report_days"), "report_days_mode")
    return days


def _routing(reader: _Reader, table: dict[str, Any]) -> dict[str, Any]:
    prefix = "routing"
    reader.only(table, prefix, ("rules", "default"))
    rules: list[RouteRule] = []
    ids: set[str] = set()
    allowed = (
        "id",
        "description",
        "kinds",
        "categories",
        "regions",
        "respondent_bodies",
        "respondent_kinds",
        "facts",
        "predicate",
        "python",
        "body",
        "body_kind",
        "mode",
        "report_days",
        "source",
        "enabled",
    )
    for key, entry in reader.tables(table, prefix, "rules"):
        reader.only(entry, key, allowed)
        rule_id = reader.identifier(reader.req_string(entry, key, "id"), _join(key, "id"))
        if rule_id in ids:
            reader.fail(_join(key, "id"), "duplicate", value=rule_id)
        ids.add(rule_id)
        enabled = reader.boolean(entry, key, "enabled", True)
        body = reader.string(entry, key, "body")
        body_kind = reader.choice(entry, key, "body_kind", BodyKind, required=False)
        if enabled and (body is None) == (body_kind is None):
            reader.fail(_join(key, "body"), "one_target")
        mode = reader.choice(entry, key, "mode", ReferralMode, required=enabled)
        regions = reader.strings(entry, key, "regions")
        for i, region in enumerate(regions or ()):
            reader.region(region, f"{key}.regions[{i}]")
        categories = reader.strings(entry, key, "categories")
        facts = reader.strings(entry, key, "facts")
        bodies = reader.strings(entry, key, "respondent_bodies")
        predicate, name = reader.predicate(entry, key)
        rules.append(
            RouteRule(
                id=rule_id,
                description=reader.text(entry, key, "description", required=enabled) or Bilingual(rule_id, rule_id),
                kinds=reader.choices(entry, key, "kinds", PetitionKind),
                categories=None if categories is None else frozenset(categories),
                regions=None if regions is None else tuple(regions),
                respondent_bodies=None if bodies is None else frozenset(bodies),
                respondent_kinds=reader.choices(entry, key, "respondent_kinds", BodyKind),
                facts=None if facts is None else frozenset(facts),
                predicate=predicate,
                predicate_name=name,
                body=body,
                body_kind=body_kind,
                mode=mode or ReferralMode.TRANSFER,
                report_days=_report_days(reader, entry, key, mode),
                source=reader.string(entry, key, "source") or "",
                enabled=enabled,
                origin=reader.origin(key),
            )
        )
    fields: dict[str, Any] = {"routes": tuple(rules)}
    if "default" in table:
        key = "routing.default"
        entry = reader.sub(table, prefix, "default")
        reader.only(entry, key, ("body", "mode", "report_days", "description", "source"))
        mode = reader.choice(entry, key, "mode", ReferralMode, required=True)
        fields["default_route"] = RouteDefault(
            body=reader.req_string(entry, key, "body"),
            mode=mode,
            report_days=_report_days(reader, entry, key, mode),
            description=reader.req_text(entry, key, "description"),
            source=reader.string(entry, key, "source") or "",
            origin=reader.origin(key),
        )
    return fields


def _collective(reader: _Reader, table: dict[str, Any]) -> Collective:
    reader.only(table, "collective", ("tiers", "source"))
    if "tiers" not in table:
        reader.fail("collective.tiers", "required", expected=TypeName("table_array"))
    tiers: list[Tier] = []
    entries = reader.tables(table, "collective", "tiers")
    if not entries:
        reader.fail("collective.tiers", "tiers")
    for index, (key, entry) in enumerate(entries):
        reader.only(entry, key, ("up_to", "limit"))
        up_to = reader.integer(entry, key, "up_to")
        limit = reader.integer(entry, key, "limit", required=True)
        assert limit is not None
        last = index == len(entries) - 1
        if (up_to is None) != last or (up_to is not None and tiers and (tiers[-1].up_to or 0) >= up_to):
            reader.fail(_join(key, "up_to"), "tiers")
        tiers.append(Tier(up_to, limit))
    return Collective(tuple(tiers), reader.string(table, "collective", "source") or "", reader.origin("collective"))
