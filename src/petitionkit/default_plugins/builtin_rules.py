"""The built-in national 2022 rule set (calendar days, weekends only, no holiday data).

It also applies the office's own rule files (``config.rule_files``) on top.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from petitionkit.config import OfficeConfig
from petitionkit.hookspecs import hookimpl

if TYPE_CHECKING:  # the rules are built when an office opens, not when the command line starts (issue 21)
    from petitionkit.rules import BuiltinNationalRules


def _factory(config: OfficeConfig) -> BuiltinNationalRules:
    from petitionkit.rules import BuiltinNationalRules, load_packs  # noqa: PLC0415

    return BuiltinNationalRules(bodies=config.bodies, packs=load_packs(config.rule_files, config.base_dir))


@hookimpl
def petitionkit_register_rules(register: Callable[..., None]) -> None:
    register("builtin", _factory)
