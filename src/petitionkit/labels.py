"""The words a clerk or petitioner reads for the codes the library stores (标签), and times in the office's zone.

One place for every label of the command line (and anything else that prints for people): states,
kinds, channels, clocks, parties, statuses, outcomes, ratings, roles, decline channels, event names
and actions from the message catalogs (``petitionkit/locale/labels.toml`` and ``core.toml``);
categories and handling bodies from the office's rule packs (their bilingual names); regions from the
national division list (:mod:`petitionkit.regions`).  A code nobody named prints as itself, so a
plugin's new value is still shown, just not translated.

Times are shown in the office's time zone (``[office] timezone``), never in UTC.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime, tzinfo
from enum import Enum
from typing import TYPE_CHECKING

from petitionkit.i18n import CATALOG, DEFAULT_LOCALE, translate

if TYPE_CHECKING:
    from petitionkit.domain.ports import Rules

__all__ = ["Labels", "label_of"]


def label_of(prefix: str, value: str | Enum | None, locale: str = DEFAULT_LOCALE) -> str:
    """The catalog's label of ``prefix.value`` (``"state"``, ``"accepted"`` → 已受理), or the value itself."""
    if value is None:
        return ""
    code = value.value if isinstance(value, Enum) else str(value)
    key = f"{prefix}.{code}"
    return translate(key, locale) if key in CATALOG else code


class Labels:
    """Labels in one locale, with the office's rule packs (categories, bodies) and time zone.

    :param locale: ``zh-CN`` or ``en``.
    :param rules: the office's composed rules, for category and body names (none: codes print as is).
    :param zone: the office's time zone (none: times print in the zone they carry).
    """

    def __init__(self, locale: str = DEFAULT_LOCALE, rules: Rules | None = None, zone: tzinfo | None = None) -> None:
        self.locale = locale
        self.rules = rules
        self.zone = zone

    # --- catalog words ---------------------------------------------------------------------------

    def word(self, key: str, /, **params: object) -> str:
        """A catalog text (``view.state``, ``cli.recomputed`` …) in this locale."""
        return translate(key, self.locale, **params)

    def state(self, value: str | Enum) -> str:
        return label_of("state", value, self.locale)

    def kind(self, value: str | Enum) -> str:
        return label_of("kind", value, self.locale)

    def channel(self, value: str | Enum) -> str:
        return label_of("channel", value, self.locale)

    def clock(self, value: str | Enum) -> str:
        return label_of("clock", value, self.locale)

    def party(self, value: str | Enum) -> str:
        return label_of("party", value, self.locale)

    def obligation_status(self, value: str | Enum) -> str:
        return label_of("obligation_status", value, self.locale)

    def role(self, value: str | Enum) -> str:
        return label_of("role", value, self.locale)

    def outcome(self, value: str | Enum) -> str:
        return label_of("outcome", value, self.locale)

    def rating(self, value: str | Enum) -> str:
        return label_of("rating", value, self.locale)

    def decline_channel(self, value: str | Enum) -> str:
        return label_of("decline_channel", value, self.locale)

    def referral_mode(self, value: str | Enum) -> str:
        return label_of("referral_mode", value, self.locale)

    def referral_status(self, value: str | Enum) -> str:
        return label_of("referral_status", value, self.locale)

    def event(self, name: str) -> str:
        """An audit event's name (``CaseAccepted`` → 受理)."""
        return label_of("event", name, self.locale)

    def message_type(self, value: str) -> str:
        """A notification's type (``review_decided`` → 复查意见)."""
        return label_of("message_type", value, self.locale)

    def access_action(self, value: str) -> str:
        """What an access record says was done (``export`` → 导出)."""
        return label_of("access_action", value, self.locale)

    def permission(self, value: str | Enum) -> str:
        return label_of("permission", value, self.locale)

    def threshold(self, value: str) -> str:
        """A reminder's threshold: days before the due date, ``overdue`` or ``escalation``."""
        if value.isdigit():
            return self.word("threshold.days", days=int(value))
        return label_of("threshold", value, self.locale)

    def action(self, action: str) -> str:
        """A lifecycle action (``record_feedback`` → 登记反馈)."""
        return label_of("action", action, self.locale)

    # --- the office's own names ------------------------------------------------------------------

    def category(self, code: str | None) -> str:
        """A category's name as the rule packs give it (``labour`` → 劳动和社会保障)."""
        if not code:
            return ""
        words = self.rules.categories().get(code) if self.rules is not None else None
        return words(self.locale) if words is not None else code

    def body(self, code: str | None) -> str:
        """A handling body's name as the rule packs give it, or its code."""
        if not code:
            return ""
        if self.rules is not None:
            info = self.rules.body_info(code)
            if info is not None:
                return info.name(self.locale)
            for body in self.rules.bodies():
                if body.code == code:
                    return body.name
        return code

    def region(self, code: str | None) -> str:
        """A region code's full name from the national division list, or the code when it is none."""
        if not code:
            return ""
        from petitionkit.regions import region_name  # noqa: PLC0415 - the list loads when first needed

        name = region_name(code, self.locale)
        if name is not None:
            return name
        # A county the list does not know (newer than the list, or a sample county): its city, and the code.
        city = region_name(code[:4], self.locale) if len(code) == 6 else None
        return f"{city}（{code}）" if city and self.locale == "zh-CN" else f"{city} ({code})" if city else code

    def owed_by(self, party: str | Enum, body_code: str | None) -> str:
        """Who owes a duty: the body by name when one does, else the party."""
        return self.body(body_code) if body_code else self.party(party)

    def categories(self) -> Mapping[str, str]:
        """Every category of the rule packs, code → name, in pack order."""
        if self.rules is None:
            return {}
        return {code: words(self.locale) for code, words in self.rules.categories().items()}

    def joined(self, words: Iterable[str]) -> str:
        """Words joined as the locale lists them (、 in Chinese)."""
        return ("、" if self.locale == "zh-CN" else ", ").join(words)

    # --- times -----------------------------------------------------------------------------------

    def in_zone(self, moment: datetime) -> datetime:
        """``moment`` in the office's time zone (a naive time is taken as already there)."""
        if self.zone is None or moment.tzinfo is None:
            return moment
        return moment.astimezone(self.zone)

    def iso(self, moment: datetime | None) -> str | None:
        """ISO 8601 with the office's offset (``2026-11-30T13:05:00+08:00``), for JSON."""
        return None if moment is None else self.in_zone(moment).isoformat()

    def time(self, moment: datetime | None) -> str:
        """A time as a table shows it, in the office's zone: ``2026-11-30 13:05``."""
        return "" if moment is None else self.in_zone(moment).strftime("%Y-%m-%d %H:%M")

    def day(self, value: date | datetime | None) -> str:
        if value is None:
            return ""
        if isinstance(value, datetime):
            value = self.in_zone(value).date()
        return value.isoformat()
