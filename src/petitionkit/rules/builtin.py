"""The built-in rule set: the national pack counted without holiday data.

It exists so the core works alone: the national 2022 clocks (``packs/national.toml``), a calendar
that knows weekends but not China's public holidays or adjusted working days (调休), representative
limit 5, and the bodies of the office configuration.  Real deployments use the ``national`` or
``zhejiang`` rule set, which count on the official calendar.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from importlib import resources

from petitionkit.domain.model import Body
from petitionkit.domain.ports import Rules
from petitionkit.rules.calendar import BaseCalendar, WeekendsOnly
from petitionkit.rules.compose import ComposedRules, Composition
from petitionkit.rules.schema import RulePack, parse_pack

BUILTIN_PACKS = ("national", "zhejiang")

# The old name of the weekends-only calendar.
WeekendCalendar = WeekendsOnly


@cache
def builtin_pack(name: str) -> RulePack:
    """A pack shipped inside the package (``petitionkit/rules/packs/<name>.toml``)."""
    if name not in BUILTIN_PACKS:
        raise ValueError(f"no built-in pack {name!r}; expected one of {BUILTIN_PACKS}")
    resource = resources.files("petitionkit.rules").joinpath("packs", f"{name}.toml")
    return parse_pack(resource.read_text(encoding="utf-8"), str(resource))


class BuiltinNationalRules(ComposedRules):
    """National 2022 clocks on a weekends-only calendar, representative limit 5, configured bodies.

    :param bodies: the office's bodies (``[[bodies]]`` of petitionkit.toml).
    :param calendar: base calendar data (default: weekends only).
    :param packs: further rule packs applied on top (the office's rule files).
    """

    def __init__(
        self, bodies: Sequence[Body] = (), calendar: BaseCalendar | None = None, packs: Sequence[RulePack] = ()
    ) -> None:
        composition = Composition()
        composition.add_bodies(bodies)
        for pack in (builtin_pack("national"), *packs):
            composition.add(pack)
        composition.check()
        name = "+".join(["builtin-national-2022", *(p.name for p in packs)])
        super().__init__(composition, calendar or WeekendsOnly(), name)


def _satisfies_protocol(rules: ComposedRules) -> Rules:
    """Static check (mypy): composed rule sets, the built-in one included, implement ``Rules``."""
    return rules
