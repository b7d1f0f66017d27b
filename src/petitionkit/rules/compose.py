"""Composing rule packs (规则包组合) national → province → county into one rule set.

Composition, pack by pack in order:

* a clock, a category, a screening fact, a body (by code), ``[routing.default]``, ``[collective]``,
  ``[whistleblower]``, ``accept_kinds``/``accept_categories``/``not_accepted``: a later pack's entry
  replaces the earlier one whole;
* rule lists (``[[screening.declines]]``, ``[[routing.rules]]``): a later pack's rules are tried
  first, in file order, then the earlier rules; a rule with an earlier rule's ``id`` replaces it,
  and ``enabled = false`` removes it;
* calendar data: local days off and declared years accumulate (a later pack wins on the same date/year).

Cross-pack references (bodies, parents, categories, facts) are checked once every pack is in,
and every error names the file and key of the entry at fault.

Size: about 600 lines: composition and the composed rule set (clocks, screening, routing, bodies,
explanations) are one object's data and behaviour; splitting them would expose the composition's
internals to a second module.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from datetime import date
from typing import Any, TypeVar

import attrs

from petitionkit.domain.access import Role
from petitionkit.domain.clocks import Clock, Deadline, DeadlineBasis, ExtensionCounts
from petitionkit.domain.decisions import (
    Bilingual,
    BodyInfo,
    ClosedMatterRule,
    DayNote,
    DeadlineExplanation,
    PassedRule,
    RepeatPolicy,
    RouteQuery,
    RoutingDecision,
    ScreeningDecision,
    ScreeningQuery,
    SegmentExplanation,
)
from petitionkit.domain.knowledge import Knowledge, Provision, Snippet
from petitionkit.domain.model import Body, DeclineChannel, PetitionKind, ReferralMode, Respondent
from petitionkit.domain.retention import RecordKind, RetentionPeriod
from petitionkit.errors import FieldError, InvalidInput
from petitionkit.rules.calendar import BaseCalendar, NamedDay, OfficialChinaCalendar, RuleCalendar, YearData
from petitionkit.rules.deadlines import compute_deadline, trace_deadline
from petitionkit.rules.errors import NoRoute, RulePackError
from petitionkit.rules.knowledge import check_knowledge
from petitionkit.rules.schema import (
    ALL,
    REGION_CODE,
    BodyDecl,
    ClockRule,
    Collective,
    Label,
    NotAccepted,
    Origin,
    RouteDefault,
    RouteRule,
    RulePack,
    ScreeningRule,
    Whistleblower,
)

_ACCEPT = Bilingual("属于本机关受理范围", "within this office's remit")
_DEFAULT_NOT_ACCEPTED = Bilingual("该事项不属于本机关受理范围。", "The matter is outside this office's remit.")
_CONFIG = Origin("config", "petitionkit.toml", "bodies")


@attrs.define
class Composition:
    """The composed content of several packs, each entry keeping its :class:`Origin`."""

    packs: list[RulePack] = attrs.field(factory=list)
    clocks: dict[Clock, ClockRule] = attrs.field(factory=dict)
    categories: dict[str, Label] = attrs.field(factory=dict)
    facts: dict[str, Label] = attrs.field(factory=dict)
    screening_source: tuple[str, str] = ("", "")  # (source, pack)
    accept_kinds: tuple[frozenset[PetitionKind], Origin] | None = None
    accept_categories: tuple[frozenset[str], Origin] | None = None
    not_accepted: NotAccepted | None = None
    declines: list[ScreeningRule] = attrs.field(factory=list)
    bodies: dict[str, BodyDecl] = attrs.field(factory=dict)
    routes: list[RouteRule] = attrs.field(factory=list)
    default_route: RouteDefault | None = None
    collective: Collective | None = None
    whistleblower: Whistleblower | None = None
    local_days_off: dict[date, NamedDay] = attrs.field(factory=dict)
    extra_years: dict[int, YearData] = attrs.field(factory=dict)
    provisional: bool = True  # count years without an official schedule provisionally (else raise)
    roles: dict[str, Role] = attrs.field(factory=dict)
    retention: dict[RecordKind, RetentionPeriod] = attrs.field(factory=dict)
    provisions: dict[str, tuple[Provision, Origin]] = attrs.field(factory=dict)
    snippets: dict[str, tuple[Snippet, Origin]] = attrs.field(factory=dict)
    knowledge: Knowledge = attrs.field(factory=Knowledge)
    # [repeats]: each key composes on its own (a later pack may change the threshold only)
    repeat_threshold: tuple[float, str] = (0.4, "")  # (threshold, pack that set it)
    repeat_closed: dict[str, tuple[ClosedMatterRule, Origin]] = attrs.field(factory=dict)
    repeat_source: str = ""

    def add(self, pack: RulePack) -> None:
        """Apply ``pack`` on top of what is composed so far."""
        self.packs.append(pack)
        self.clocks.update(pack.clocks)
        self.categories.update({c.id: c for c in pack.categories})
        self.facts.update({f.id: f for f in pack.facts})
        if pack.screening_source:
            self.screening_source = (pack.screening_source, pack.name)
        self.accept_kinds = pack.accept_kinds or self.accept_kinds
        self.accept_categories = pack.accept_categories or self.accept_categories
        self.not_accepted = pack.not_accepted or self.not_accepted
        self.declines = _merge_rules(self.declines, pack.declines)
        self.bodies.update({b.info.code: b for b in pack.bodies})
        self.routes = _merge_rules(self.routes, pack.routes)
        self.default_route = pack.default_route or self.default_route
        self.collective = pack.collective or self.collective
        self.whistleblower = pack.whistleblower or self.whistleblower
        self.local_days_off.update({d.day: d for d in pack.local_days_off})
        self.extra_years.update({y.year: y for y in pack.extra_years})
        if pack.provisional is not None:
            self.provisional = pack.provisional
        self.roles.update({r.name: r for r in pack.roles})
        self.retention.update({p.kind: p for p in pack.retention})
        self.provisions.update({p.id: (p, o) for p, o in pack.provisions})
        self.snippets.update({n.id: (n, o) for n, o in pack.snippets})
        if pack.repeats is not None:
            if pack.repeats.threshold is not None:
                self.repeat_threshold = (pack.repeats.threshold, pack.name)
            for state, rule in pack.repeats.closed.items():
                origin = attrs.evolve(pack.repeats.origin, key=f"repeats.closed.{state}")
                self.repeat_closed[state] = (rule, origin)
            self.repeat_source = pack.repeats.source or self.repeat_source

    def add_bodies(self, bodies: Iterable[Body]) -> None:
        """Bodies from the office configuration (``[[bodies]]`` in petitionkit.toml)."""
        for i, b in enumerate(bodies):
            info = BodyInfo(
                b.code, Bilingual(b.name, b.name), b.kind, b.level, b.parent_code, set_by="config", aliases=b.aliases
            )
            self.bodies[b.code] = BodyDecl(info, attrs.evolve(_CONFIG, key=f"bodies[{i}]"))

    def check(self) -> None:
        """Cross-pack checks; each error names the file and key of the entry at fault."""
        last = self.packs[-1]
        for clock in Clock:
            if clock not in self.clocks:
                raise RulePackError(last.file, f"clocks.{clock.value}", "missing_clock")
        if self.collective is None:
            raise RulePackError(last.file, "collective", "missing_section")
        for kind in RecordKind:
            if kind not in self.retention:
                raise RulePackError(last.file, f"retention.{kind.value}", "missing_section")
        for decl in self.bodies.values():
            self._check_categories(decl.info.competences, decl.origin, "competences")
            if decl.info.parent is not None and decl.info.parent not in self.bodies:
                raise RulePackError(
                    decl.origin.file, f"{decl.origin.key}.parent", "unknown_body", {"code": decl.info.parent}
                )
        self._check_cycles()
        self._check_names()
        self.knowledge = check_knowledge(self.provisions, self.snippets, self.categories)
        if self.accept_categories is not None:
            names = sorted(self.accept_categories[0] - {ALL})
            self._check_categories(names, self.accept_categories[1], "")
        for rule in self.declines:
            self._check_categories(sorted(rule.categories or ()), rule.origin, "categories")
            self._check_facts(sorted(rule.facts or ()), rule.origin)
        for closed, origin in self.repeat_closed.values():
            self._check_facts(closed.facts, origin)
        for route in self.routes:
            self._check_categories(sorted(route.categories or ()), route.origin, "categories")
            self._check_facts(sorted(route.facts or ()), route.origin)
            if route.body is not None and route.body not in self.bodies:
                raise RulePackError(route.origin.file, f"{route.origin.key}.body", "unknown_body", {"code": route.body})
            for code in sorted(route.respondent_bodies or ()):
                if code not in self.bodies:
                    key = f"{route.origin.key}.respondent_bodies"
                    raise RulePackError(route.origin.file, key, "unknown_body", {"code": code})
        default = self.default_route
        if default is not None and default.body not in self.bodies:
            raise RulePackError(
                default.origin.file, f"{default.origin.key}.body", "unknown_body", {"code": default.body}
            )

    def _check_categories(self, names: Iterable[str], origin: Origin, field: str) -> None:
        for name in names:
            if name not in self.categories:
                key = f"{origin.key}.{field}" if field else origin.key
                raise RulePackError(origin.file, key, "unknown_category", {"value": name})

    def _check_facts(self, names: Iterable[str], origin: Origin) -> None:
        for name in names:
            if name not in self.facts:
                raise RulePackError(origin.file, f"{origin.key}.facts", "unknown_fact", {"value": name})

    def _check_names(self) -> None:
        """A respondent's unit is matched by code, name or alias: each must point at one body only."""
        from petitionkit.domain.protection import fold_code, fold_name  # noqa: PLC0415

        codes: dict[str, str] = {}
        names: dict[str, str] = {}
        for decl in self.bodies.values():
            info = decl.info
            other = codes.setdefault(fold_code(info.code), info.code)
            if other != info.code:
                key = f"{decl.origin.key}.code"
                raise RulePackError(decl.origin.file, key, "ambiguous_name", {"value": info.code, "code": other})
            for field, name in (("name", info.name.zh), *(("aliases", a) for a in info.aliases)):
                other = names.setdefault(fold_name(name), info.code)
                if other != info.code:
                    key = f"{decl.origin.key}.{field}"
                    raise RulePackError(decl.origin.file, key, "ambiguous_name", {"value": name, "code": other})

    def _check_cycles(self) -> None:
        for start in self.bodies.values():
            chain = [start.info.code]
            code = start.info.parent
            while code is not None:
                if code in chain:
                    cycle = " → ".join([*chain[chain.index(code) :], code])
                    raise RulePackError(
                        start.origin.file, f"{start.origin.key}.parent", "parent_cycle", {"cycle": cycle}
                    )
                chain.append(code)
                code = self.bodies[code].info.parent


R = TypeVar("R", ScreeningRule, RouteRule)


def _merge_rules(earlier: list[R], later: Sequence[R]) -> list[R]:
    known = {r.id for r in earlier}
    for rule in later:
        if not rule.enabled and rule.id not in known:
            raise RulePackError(rule.origin.file, f"{rule.origin.key}.enabled", "disable_unknown", {"value": rule.id})
    ids = {r.id for r in later}
    return [r for r in later if r.enabled] + [r for r in earlier if r.id not in ids]


def compose(
    packs: Sequence[RulePack],
    *,
    calendar: BaseCalendar | None = None,
    name: str | None = None,
    bodies: Sequence[Body] = (),
) -> ComposedRules:
    """Compose ``packs`` in order (national → province → county) into a checked rule set.

    :param calendar: base calendar data; default the official schedule (:class:`OfficialChinaCalendar`).
    :param name: the rule set's id recorded in deadline bases; default the pack names joined by ``+``.
    :param bodies: extra bodies (from the office configuration), declared before the packs' bodies.
    :raises RulePackError: a reference or required entry is missing, naming file and key.
    """
    if not packs:
        raise ValueError("compose() needs at least one pack")
    composition = Composition()
    composition.add_bodies(bodies)
    for pack in packs:
        composition.add(pack)
    composition.check()
    return ComposedRules(composition, calendar or OfficialChinaCalendar(), name or "+".join(p.name for p in packs))


class ComposedRules:
    """A composed rule set: implements :class:`petitionkit.domain.ports.Rules`.

    Build it with :func:`compose`; the registered rule sets ``national`` and ``zhejiang`` are
    instances (see :mod:`petitionkit.default_plugins.rule_packs`).
    """

    def __init__(self, composition: Composition, base: BaseCalendar, name: str) -> None:
        self._c = composition
        self._name = name
        self._calendar = RuleCalendar(
            base,
            extra_years=composition.extra_years.values(),
            local_days_off=composition.local_days_off.values(),
            provisional=composition.provisional,
        )
        self._bodies = tuple(d.info.body for d in composition.bodies.values())

    # --- identity ---------------------------------------------------------------------------------

    @property
    def name(self) -> str:
        return self._name

    @property
    def calendar(self) -> RuleCalendar:
        return self._calendar

    @property
    def packs(self) -> tuple[str, ...]:
        """Names of the composed packs, in order."""
        return tuple(p.name for p in self._c.packs)

    def repeat_policy(self) -> RepeatPolicy:
        """``[repeats]`` as composed: the candidate threshold and what a repeat of a closed matter does."""
        threshold, pack = self._c.repeat_threshold
        closed = {state: rule for state, (rule, _) in self._c.repeat_closed.items()}
        return RepeatPolicy(threshold, closed, self._c.repeat_source, pack)

    @property
    def guard_parent_body(self) -> bool:
        wb = self._c.whistleblower
        return True if wb is None else wb.guard_parent_body

    # --- clocks ---------------------------------------------------------------------------------

    def clock_rule(self, clock: Clock) -> ClockRule:
        """The composed rule for ``clock`` (length, convention, source, kinds, the pack that set it)."""
        return self._c.clocks[clock]

    def _basis(
        self, clock: Clock, start: date, kind: PetitionKind, extension_days: int, days: int | None, source: str | None
    ) -> DeadlineBasis | None:
        rule = self._c.clocks[clock]
        if kind not in rule.kinds:
            return None
        return DeadlineBasis(
            clock=clock,
            start=start,
            days=rule.days if days is None else days,
            convention=rule.convention,
            rule_set=self._name,
            source=rule.source if source is None else source,
            calendar=self._calendar.name,
            extension_days=extension_days,
        )

    def deadline(
        self,
        clock: Clock,
        start: date,
        kind: PetitionKind,
        *,
        extension_days: int = 0,
        days: int | None = None,
        source: str | None = None,
    ) -> Deadline | None:
        basis = self._basis(clock, start, kind, extension_days, days, source)
        return None if basis is None else compute_deadline(basis, self._calendar)

    def recompute(self, basis: DeadlineBasis) -> Deadline:
        """Same clock, start, length and convention, counted on the current calendar."""
        return compute_deadline(attrs.evolve(basis, calendar=self._calendar.name), self._calendar)

    def explain_deadline(
        self,
        clock: Clock,
        start: date,
        kind: PetitionKind,
        *,
        extension_days: int = 0,
        days: int | None = None,
        source: str | None = None,
    ) -> DeadlineExplanation | None:
        basis = self._basis(clock, start, kind, extension_days, days, source)
        return None if basis is None else self._explain(basis, kind)

    def explain_basis(self, basis: DeadlineBasis) -> DeadlineExplanation:
        return self._explain(attrs.evolve(basis, calendar=self._calendar.name), None)

    def _explain(self, basis: DeadlineBasis, kind: PetitionKind | None) -> DeadlineExplanation:
        rule = self._c.clocks.get(basis.clock)
        matches = rule is not None and (rule.days, rule.convention, rule.source) == (
            basis.days,
            basis.convention,
            basis.source,
        )
        set_by = rule.origin.pack if rule is not None and matches else ""

        def notes(days: Iterable[Any]) -> tuple[DayNote, ...]:
            return tuple(
                DayNote(d.day, d.reason, self._calendar.label(d.reason, "zh-CN"), self._calendar.label(d.reason, "en"))
                for d in days
            )

        traced = trace_deadline(basis, self._calendar)
        segments = tuple(
            SegmentExplanation(s.start, s.days, s.nominal_end, s.due, notes(s.skipped), notes(s.makeup)) for s in traced
        )
        return DeadlineExplanation(
            clock=basis.clock,
            kind=kind,
            start=basis.start,
            days=basis.days,
            extension_days=basis.extension_days,
            convention=basis.convention,
            source=basis.source,
            set_by=set_by,
            rule_set=basis.rule_set,
            calendar=basis.calendar,
            segments=segments,
            due=segments[-1].due,
            provisional_years=tuple(sorted({y for s in traced for y in s.provisional_years})),
        )

    def max_extension_days(self, kind: PetitionKind, period_days: int | None = None) -> int:
        """Most days an extension may add to a period of ``period_days`` (default: the handling clock's).

        ``counts = "added_days"``: the extension clock's length; ``"total_period"``: its length less the
        period's own (never below 0).
        """
        rule = self._c.clocks[Clock.EXTENSION]
        if kind not in rule.kinds:
            return 0
        if rule.counts is ExtensionCounts.TOTAL_PERIOD:
            base = self._c.clocks[Clock.HANDLING].days if period_days is None else period_days
            return max(rule.days - base, 0)
        return rule.days

    # --- collective petitions ---------------------------------------------------------------------

    def representative_limit(self, headcount: int) -> int:
        assert self._c.collective is not None
        for tier in self._c.collective.tiers:
            if tier.up_to is None or headcount <= tier.up_to:
                return tier.limit
        return self._c.collective.tiers[-1].limit  # pragma: no cover - the last tier is open-ended

    # --- bodies -------------------------------------------------------------------------------

    def bodies(self) -> Sequence[Body]:
        return self._bodies

    def body_info(self, code: str) -> BodyInfo | None:
        decl = self._c.bodies.get(code)
        return None if decl is None else decl.info

    def categories(self) -> dict[str, Bilingual]:
        """The declared category vocabulary (事项类别): id → words."""
        return {k: v.text for k, v in self._c.categories.items()}

    def roles(self) -> dict[str, Role]:
        """The declared roles (角色): name → its words and permissions (a later pack's replaces an earlier one)."""
        return dict(self._c.roles)

    def retention(self) -> dict[RecordKind, RetentionPeriod]:
        """The retention period (保存期限) of each kind of record, counted from the case's end."""
        return dict(self._c.retention)

    def knowledge(self) -> Knowledge:
        """The provisions and explanation snippets the packs declare (法规政策库, ``[knowledge]``)."""
        return self._c.knowledge

    def facts(self) -> dict[str, Bilingual]:
        """The screening facts a clerk can tick (e.g. ``pending_in_court``): id → question."""
        return {k: v.text for k, v in self._c.facts.items()}

    def competent_bodies(self, category: str, region_code: str) -> tuple[BodyInfo, ...]:
        """Bodies listing ``category`` among their competences and serving ``region_code``, closest first."""
        found = [
            d.info for d in self._c.bodies.values() if category in d.info.competences and d.info.serves(region_code)
        ]
        return tuple(sorted(found, key=lambda b: -b.serves(region_code)))

    def guarded_bodies(self, respondent: Respondent | None) -> frozenset[str]:
        if respondent is None or respondent.body_code is None:
            return frozenset()
        codes = {respondent.body_code}
        decl = self._c.bodies.get(respondent.body_code)
        if self.guard_parent_body and decl is not None and decl.info.parent:
            codes.add(decl.info.parent)
        return frozenset(codes)

    # --- screening ------------------------------------------------------------------------------

    def _check_category(self, category: str) -> Bilingual:
        label = self._c.categories.get(category)
        if label is None:
            choices = ", ".join(self._c.categories)
            raise InvalidInput([FieldError("category", "choice", {"choices": choices})])
        return label.text

    def screen(
        self,
        kind: PetitionKind,
        category: str,
        *,
        facts: Collection[str] = (),
        region_code: str | None = None,
        respondent: Respondent | None = None,
    ) -> ScreeningDecision:
        """First the kinds accepted, then the decline rules in order (first match wins), then the categories."""
        category_name = self._check_category(category)
        unknown = sorted(set(facts) - set(self._c.facts))
        if unknown:
            raise InvalidInput([FieldError("facts", "choice", {"choices": ", ".join(self._c.facts)})])
        query = ScreeningQuery(kind, category, frozenset(facts), region_code, respondent)
        source, source_pack = self._c.screening_source

        def outside(rule_id: str, origin: Origin | None) -> ScreeningDecision:
            na = self._c.not_accepted
            return ScreeningDecision(
                accepted=False,
                channel=na.channel if na else DeclineChannel.OTHER_ORGAN,
                reason=na.reason if na else _DEFAULT_NOT_ACCEPTED,
                rule_id=rule_id,
                rule=na.reason if na else _DEFAULT_NOT_ACCEPTED,
                source=(na.source if na and na.source else source),
                set_by=origin.pack if origin else source_pack,
                kind=kind,
                category=category,
                category_name=category_name,
            )

        if self._c.accept_kinds is not None and kind not in self._c.accept_kinds[0]:
            return outside("screening.accept_kinds", self._c.accept_kinds[1])
        for rule in self._c.declines:
            if rule.matches(query):
                return ScreeningDecision(
                    accepted=False,
                    channel=rule.channel,
                    reason=rule.reason,
                    rule_id=rule.id,
                    rule=rule.description,
                    source=rule.source,
                    set_by=rule.origin.pack,
                    kind=kind,
                    category=category,
                    category_name=category_name,
                )
        accepted = self._c.accept_categories
        if accepted is not None and ALL not in accepted[0] and category not in accepted[0]:
            return outside("screening.accept_categories", accepted[1])
        return ScreeningDecision(
            accepted=True,
            channel=None,
            reason=_ACCEPT,
            rule_id="screening.accept",
            rule=_ACCEPT,
            source=source,
            set_by=accepted[1].pack if accepted else source_pack,
            kind=kind,
            category=category,
            category_name=category_name,
        )

    # --- routing --------------------------------------------------------------------------------

    def _matches(self, rule: RouteRule, query: RouteQuery) -> bool:
        if rule.kinds is not None and query.kind not in rule.kinds:
            return False
        if rule.categories is not None and query.category not in rule.categories:
            return False
        if rule.regions is not None and not any(query.region_code.startswith(r) for r in rule.regions):
            return False
        respondent_code = query.respondent.body_code if query.respondent else None
        if rule.respondent_bodies is not None and respondent_code not in rule.respondent_bodies:
            return False
        if rule.respondent_kinds is not None:
            decl = self._c.bodies.get(respondent_code or "")
            if decl is None or decl.info.kind not in rule.respondent_kinds:
                return False
        if rule.facts is not None and not (rule.facts & query.facts):
            return False
        return rule.predicate is None or bool(rule.predicate(query))

    def _target(self, rule: RouteRule, query: RouteQuery) -> BodyInfo | None:
        if rule.body is not None:
            return self._c.bodies[rule.body].info
        candidates = [
            d.info
            for d in self._c.bodies.values()
            if d.info.kind is rule.body_kind and d.info.serves(query.region_code)
        ]
        if not candidates:
            return None
        return max(candidates, key=lambda b: (b.serves(query.region_code), query.category in b.competences))

    def route(
        self,
        category: str,
        region_code: str,
        kind: PetitionKind,
        respondent: Respondent | None = None,
        *,
        headcount: int = 1,
        facts: Collection[str] = (),
    ) -> RoutingDecision:
        """First matching rule wins, else ``[routing.default]``.

        For an accusation, a rule whose body is the accused unit (or its parent, when guarded) is
        passed over and recorded in ``passed``; :class:`NoRoute` when nothing permissible is left.
        """
        self._check_category(category)
        if not (REGION_CODE.match(region_code) and len(region_code) >= 6):
            raise InvalidInput([FieldError("region_code", "region_code")])
        query = RouteQuery(category, region_code, kind, respondent, headcount, frozenset(facts))
        guarded = self.guarded_bodies(respondent) if kind is PetitionKind.ACCUSATION else frozenset()
        passed: list[PassedRule] = []
        for rule in self._c.routes:
            if not self._matches(rule, query):
                continue
            body = self._target(rule, query)
            if body is None:
                continue
            if body.code in guarded:
                passed.append(PassedRule(rule.id, body.code, "guarded"))
                continue
            return RoutingDecision(
                body=body,
                mode=rule.mode,
                report_days=rule.report_days,
                rule_id=rule.id,
                rule=rule.description,
                source=rule.source,
                set_by=rule.origin.pack,
                default_used=False,
                passed=tuple(passed),
            )
        default = self._c.default_route
        if default is None:
            raise NoRoute("no_default")
        if default.body in guarded:
            raise NoRoute("guarded", guarded)
        return RoutingDecision(
            body=self._c.bodies[default.body].info,
            mode=default.mode,
            report_days=default.report_days,
            rule_id="routing.default",
            rule=default.description,
            source=default.source,
            set_by=default.origin.pack,
            default_used=True,
            passed=tuple(passed),
        )

    def referral_report_deadline(self, decision: RoutingDecision, start: date, kind: PetitionKind) -> Deadline | None:
        """``None`` for a transfer; the rule's own ``report_days`` if it has them, else clock ``referral_report``."""
        if decision.mode is not ReferralMode.ASSIGNMENT:
            return None
        if decision.report_days is None:
            return self.deadline(Clock.REFERRAL_REPORT, start, kind)
        source = f"routing rule {decision.rule_id} ({decision.set_by})"
        if decision.source:
            source += f"; {decision.source}"
        return self.deadline(Clock.REFERRAL_REPORT, start, kind, days=decision.report_days, source=source)

    # --- printing ---------------------------------------------------------------------------------

    def describe(self) -> dict[str, Any]:
        """The composed rules as a JSON-able dict; every entry says which pack set it (``set_by``)."""
        from petitionkit.rules.describe import describe  # noqa: PLC0415 - keeps this module about behaviour

        return describe(self, self._c)

    def describe_toml(self) -> str:
        """:meth:`describe` as TOML-like text, ``# set by`` comments included (for ``petitionkit rules show``)."""
        from petitionkit.rules.describe import to_toml  # noqa: PLC0415

        return to_toml(self.describe())
