"""The built-in national 2022 rule set (calendar days, weekends only, no holiday data)."""

from __future__ import annotations

from collections.abc import Callable

from petitionkit.config import OfficeConfig
from petitionkit.hookspecs import hookimpl
from petitionkit.rules.builtin import BuiltinNationalRules


def _factory(config: OfficeConfig) -> BuiltinNationalRules:
    return BuiltinNationalRules(bodies=config.bodies)


@hookimpl
def petitionkit_register_rules(register: Callable[..., None]) -> None:
    register("builtin", _factory)
