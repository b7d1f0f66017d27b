"""What the rules engine decides, with the words a clerk reads to a petitioner (zh-CN and en).

* :class:`DeadlineExplanation` — why a due date (届满日) falls on that day.
* :class:`ScreeningDecision` — accept (受理) or decline (不予受理) with the channel (诉访分离).
* :class:`RoutingDecision` — which body gets the case and how: transfer (转送) or assignment (交办).

Every decision names the rule that produced it (its id, its description, the pack that set it).
These are domain values: the rules port (:class:`petitionkit.domain.ports.Rules`) returns them, and
the rules engine (:mod:`petitionkit.rules`) produces them.
"""

from __future__ import annotations

import enum
from collections.abc import Collection, Mapping, Sequence
from datetime import date
from typing import Any

import attrs

from petitionkit import i18n
from petitionkit.domain.clocks import Clock, Convention
from petitionkit.domain.model import Body, BodyKind, DeclineChannel, PetitionKind, ReferralMode, Respondent
from petitionkit.i18n import translate

_WEEKDAYS_ZH = "一二三四五六日"
_WEEKDAYS_EN = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def _loc(locale: str) -> str:
    return "en" if locale == "en" else "zh-CN"


def format_day(day: date, locale: str) -> str:
    """``2025年10月9日（星期四）`` / ``2025-10-09 (Thursday)``."""
    if _loc(locale) == "en":
        return f"{day.isoformat()} ({_WEEKDAYS_EN[day.weekday()]})"
    return f"{day.year}年{day.month}月{day.day}日（星期{_WEEKDAYS_ZH[day.weekday()]}）"


def _short_day(day: date, locale: str) -> str:
    return day.isoformat() if _loc(locale) == "en" else f"{day.year}年{day.month}月{day.day}日"


@attrs.frozen
class Bilingual:
    """A text in zh-CN and en, e.g. a decline reason a clerk reads to a petitioner."""

    zh: str
    en: str

    def __call__(self, locale: str = "zh-CN") -> str:
        return self.en if _loc(locale) == "en" else self.zh

    def to_dict(self) -> dict[str, str]:
        return {"zh-CN": self.zh, "en": self.en}


@attrs.frozen
class BodyInfo:
    """A handling body as a rule pack declares it (承办单位): the domain :class:`Body` plus details."""

    code: str
    name: Bilingual
    kind: BodyKind
    level: str = "county"
    parent: str | None = None
    regions: tuple[str, ...] = ()  # administrative division codes or prefixes served
    competences: tuple[str, ...] = ()  # categories it is competent for
    email: str | None = None  # notification contacts
    webhook: str | None = None
    set_by: str = ""
    aliases: tuple[str, ...] = ()  # other names a respondent unit may be given by (简称, 旧称)

    @property
    def body(self) -> Body:
        return Body(self.code, self.name.zh, self.kind, self.level, self.parent, self.aliases)

    def serves(self, region_code: str) -> int:
        """Length of the longest of ``regions`` that prefixes ``region_code`` (0: does not serve it)."""
        return max((len(r) for r in self.regions if region_code.startswith(r)), default=0)

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "name": self.name.to_dict(),
            "kind": self.kind.value,
            "level": self.level,
            "parent": self.parent,
            "regions": list(self.regions),
            "competences": list(self.competences),
            "aliases": list(self.aliases),
            "contacts": {k: v for k, v in (("email", self.email), ("webhook", self.webhook)) if v},
            "set_by": self.set_by,
        }


@attrs.frozen
class DayNote:
    """A day the count passed over or counted specially, with its reason in words."""

    day: date
    reason: str  # "weekend", "holiday:春节", "local:县庆日", "makeup:春节"
    label_zh: str
    label_en: str

    def label(self, locale: str) -> str:
        return self.label_en if _loc(locale) == "en" else self.label_zh


@attrs.frozen
class SegmentExplanation:
    """One counted stretch (the base period or its extension)."""

    start: date
    days: int
    nominal_end: date
    due: date
    skipped: tuple[DayNote, ...]
    makeup: tuple[DayNote, ...]


def runs(notes: Sequence[DayNote], locale: str) -> str:
    """Consecutive days grouped: ``2025年10月1日至2025年10月8日（法定节假日（国庆节）、…）``."""
    groups: list[list[DayNote]] = []
    for note in notes:
        if groups and (note.day - groups[-1][-1].day).days == 1:
            groups[-1].append(note)
        else:
            groups.append([note])
    sep, joiner, to = ("; ", ", ", " to ") if _loc(locale) == "en" else ("；", "、", "至")
    parts = []
    for group in groups:
        labels = list(dict.fromkeys(n.label(locale) for n in group))
        span = (
            format_day(group[0].day, locale)
            if len(group) == 1
            else _short_day(group[0].day, locale) + to + _short_day(group[-1].day, locale)
        )
        parts.append(f"{span} ({joiner.join(labels)})" if _loc(locale) == "en" else f"{span}（{joiner.join(labels)}）")
    return sep.join(parts)


@attrs.frozen
class DeadlineExplanation:
    """Why a clock's due date is that day: start, rule, days skipped and why, make-up days, due date."""

    clock: Clock
    kind: PetitionKind | None
    start: date
    days: int
    extension_days: int
    convention: Convention
    source: str
    set_by: str  # the pack that set the rule ("" when the recorded basis no longer matches a pack rule)
    rule_set: str
    calendar: str
    segments: tuple[SegmentExplanation, ...]
    due: date
    provisional_years: tuple[int, ...] = ()  # years counted on the provisional calendar (预计)

    @property
    def provisional(self) -> bool:
        return bool(self.provisional_years)

    @property
    def skipped(self) -> tuple[DayNote, ...]:
        return tuple(n for s in self.segments for n in s.skipped)

    @property
    def makeup_days(self) -> tuple[DayNote, ...]:
        return tuple(n for s in self.segments for n in s.makeup)

    def text(self, locale: str = "zh-CN") -> str:
        """The explanation a clerk reads out, in ``locale`` (``"zh-CN"`` or ``"en"``)."""
        loc = _loc(locale)
        lines = [
            translate(
                "rules.explain.head",
                loc,
                clock=translate("clock." + self.clock.value, loc),
                start=format_day(self.start, loc),
            ),
            translate(
                "rules.explain.rule",
                loc,
                days=self.days,
                convention=translate("rules.convention." + self.convention.value, loc),
                source=self.source,
                set_by=self.set_by or self.rule_set,
            ),
        ]
        for index, seg in enumerate(self.segments):
            if index == 1:
                lines.append(
                    translate(
                        "rules.explain.extension",
                        loc,
                        days=seg.days,
                        first_due=format_day(self.segments[0].nominal_end, loc),
                    )
                )
            lines.extend(self._segment_lines(seg, loc))
        lines.append(
            translate(
                "rules.explain.due", loc, due=format_day(self.due, loc), calendar=self.calendar, rule_set=self.rule_set
            )
        )
        if self.provisional:
            years = ("、" if loc == "zh-CN" else ", ").join(str(y) for y in self.provisional_years)
            lines.append(translate("rules.explain.provisional", loc, years=years))
        return "\n".join(lines)

    def _segment_lines(self, seg: SegmentExplanation, loc: str) -> list[str]:
        lines = []
        if self.convention is Convention.CALENDAR_DAYS:
            lines.append(
                translate("rules.explain.calendar_end", loc, days=seg.days, nominal=format_day(seg.nominal_end, loc))
            )
            if seg.skipped:
                lines.append(translate("rules.explain.moved", loc, runs=runs(seg.skipped, loc)))
        else:
            key = "rules.explain.skipped" if seg.skipped else "rules.explain.no_skipped"
            lines.append(translate(key, loc, runs=runs(seg.skipped, loc)))
        if seg.makeup:
            lines.append(translate("rules.explain.makeup", loc, runs=runs(seg.makeup, loc)))
        return lines

    @property
    def texts(self) -> dict[str, str]:
        return {loc: self.text(loc) for loc in i18n.LOCALES}

    def to_dict(self) -> dict[str, Any]:
        def notes(items: Sequence[DayNote]) -> list[dict[str, str]]:
            return [
                {"date": n.day.isoformat(), "reason": n.reason, "zh-CN": n.label_zh, "en": n.label_en} for n in items
            ]

        return {
            "clock": self.clock.value,
            "kind": self.kind.value if self.kind else None,
            "start": self.start.isoformat(),
            "days": self.days,
            "extension_days": self.extension_days,
            "convention": self.convention.value,
            "source": self.source,
            "set_by": self.set_by,
            "rule_set": self.rule_set,
            "calendar": self.calendar,
            "segments": [
                {
                    "start": s.start.isoformat(),
                    "days": s.days,
                    "nominal_end": s.nominal_end.isoformat(),
                    "due": s.due.isoformat(),
                    "skipped": notes(s.skipped),
                    "makeup": notes(s.makeup),
                }
                for s in self.segments
            ],
            "due": self.due.isoformat(),
            "provisional": self.provisional,
            "provisional_years": list(self.provisional_years),
            "text": self.texts,
        }


@attrs.frozen
class ScreeningQuery:
    """What a screening predicate (``predicate = "name"``, see :mod:`petitionkit.rules.predicates`) receives."""

    kind: PetitionKind
    category: str
    facts: frozenset[str] = frozenset()
    region_code: str | None = None
    respondent: Respondent | None = None


@attrs.frozen
class ScreeningDecision:
    """Accept (受理) or decline (不予受理) with where the petitioner should go, and the rule applied."""

    accepted: bool
    channel: DeclineChannel | None  # None when accepted
    reason: Bilingual  # what the petitioner is told
    rule_id: str
    rule: Bilingual  # the rule's description
    source: str
    set_by: str
    kind: PetitionKind
    category: str
    category_name: Bilingual

    def explanation(self, locale: str = "zh-CN") -> str:
        """Words an office worker can read to the petitioner."""
        loc = _loc(locale)
        common = {"source": self.source, "rule": self.rule(loc), "id": self.rule_id, "set_by": self.set_by}
        if self.accepted:
            return translate(
                "rules.screen.accept",
                loc,
                kind=translate("rules.kind." + self.kind.value, loc),
                category=self.category_name(loc),
                **common,
            )
        if self.channel in (None, DeclineChannel.NONE):
            return translate("rules.screen.decline_final", loc, reason=_sentence(self.reason(loc), loc), **common)
        return translate(
            "rules.screen.decline",
            loc,
            reason=_sentence(self.reason(loc), loc),
            channel=translate("rules.channel." + self.channel.value, loc),
            **common,
        )

    @property
    def texts(self) -> dict[str, str]:
        return {loc: self.explanation(loc) for loc in i18n.LOCALES}

    def to_dict(self) -> dict[str, Any]:
        return {
            "accepted": self.accepted,
            "channel": self.channel.value if self.channel else None,
            "reason": self.reason.to_dict(),
            "rule_id": self.rule_id,
            "rule": self.rule.to_dict(),
            "source": self.source,
            "set_by": self.set_by,
            "kind": self.kind.value,
            "category": self.category,
            "explanation": self.texts,
        }


def _sentence(text: str, loc: str) -> str:
    text = text.strip()
    end = "." if loc == "en" else "。"
    return text if text.endswith((".", "。", "！", "!", "？", "?")) else text + end


@attrs.frozen
class RouteQuery:
    """What a routing predicate (``predicate = "name"``, see :mod:`petitionkit.rules.predicates`) receives."""

    category: str
    region_code: str
    kind: PetitionKind
    respondent: Respondent | None = None
    headcount: int = 1
    facts: frozenset[str] = frozenset()


@attrs.frozen
class PassedRule:
    """A routing rule that matched but was not used, and why."""

    rule_id: str
    body_code: str
    reason: str  # "guarded": the accused unit or its parent (2022 art. 30)


@attrs.frozen
class RoutingDecision:
    """The body a case goes to, how (transfer/assignment), and which rule said so."""

    body: BodyInfo
    mode: ReferralMode
    report_days: int | None  # the rule's own report deadline (assignment); None: use clock referral_report
    rule_id: str
    rule: Bilingual  # the rule's description
    source: str
    set_by: str
    default_used: bool
    passed: tuple[PassedRule, ...] = ()

    @property
    def body_code(self) -> str:
        return self.body.code

    def explanation(self, locale: str = "zh-CN") -> str:
        """Words an office worker can read to the petitioner."""
        loc = _loc(locale)
        source = translate("rules.source", loc, source=self.source) if self.source else ""
        head = translate(
            "rules.route.default" if self.default_used else "rules.route.rule",
            loc,
            rule=self.rule(loc),
            id=self.rule_id,
            set_by=self.set_by,
            source=source,
        )
        body = self.body.name(loc)
        if self.mode is ReferralMode.TRANSFER:
            tail = translate("rules.route.transfer", loc, body=body)
        elif self.report_days is not None:
            tail = translate("rules.route.assign_days", loc, body=body, days=self.report_days)
        else:
            tail = translate("rules.route.assign_clock", loc, body=body)
        text = head + tail
        if self.passed:
            skipped = ", ".join(f"{p.rule_id} → {p.body_code}" for p in self.passed)
            text += (" " if loc == "en" else "") + translate("rules.route.guarded", loc, skipped=skipped)
        return text

    @property
    def texts(self) -> dict[str, str]:
        return {loc: self.explanation(loc) for loc in i18n.LOCALES}

    def to_dict(self) -> dict[str, Any]:
        return {
            "body": self.body.to_dict(),
            "mode": self.mode.value,
            "report_days": self.report_days,
            "rule_id": self.rule_id,
            "rule": self.rule.to_dict(),
            "source": self.source,
            "set_by": self.set_by,
            "default_used": self.default_used,
            "passed": [attrs.asdict(p) for p in self.passed],
            "explanation": self.texts,
        }


def as_facts(facts: Collection[str]) -> frozenset[str]:
    return frozenset(facts)


def labels(mapping: Mapping[str, Bilingual]) -> dict[str, dict[str, str]]:
    return {k: v.to_dict() for k, v in mapping.items()}


class ClosedMatterAction(enum.StrEnum):
    """What a repeat of a closed (terminated or withdrawn) matter does (重复信访 of a closed matter)."""

    DECLINE = "decline"  # a case of its own, declined (不再受理) by the screening rules the facts select
    NEW_CASE = "new_case"  # a case of its own, screened as any other
    JOIN = "join"  # joins the closed case (it stays closed)


@attrs.frozen
class ClosedMatterRule:
    """A rule pack's ``[repeats.closed.<state>]``: the action, and the screening facts a decline uses."""

    action: ClosedMatterAction
    facts: tuple[str, ...] = ()
    source: str = ""
    set_by: str = ""


@attrs.frozen
class RepeatPolicy:
    """A rule pack's ``[repeats]``: when a registered case is shown as a likely repeat, and closed matters."""

    threshold: float = 0.4  # score (0..1) from which a case is a candidate
    closed: Mapping[str, ClosedMatterRule] = attrs.field(factory=dict)  # by case state value
    source: str = ""
    set_by: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "threshold": self.threshold,
            "closed": {
                state: {"action": r.action.value, "facts": list(r.facts), "source": r.source, "set_by": r.set_by}
                for state, r in self.closed.items()
            },
            "source": self.source,
            "set_by": self.set_by,
        }
