"""The rule sets built from the packs shipped with petitionkit, on the official holiday calendar.

* ``national`` — packs/national.toml (信访工作条例 2022);
* ``zhejiang`` — national + packs/zhejiang.toml (浙江省信访条例 2016).

Each factory then applies the office's own rule files (``config.rule_files``, relative to
``config.base_dir``) in order, and the bodies of the configuration, before the packs' bodies.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from petitionkit.config import OfficeConfig
from petitionkit.hookspecs import hookimpl

if TYPE_CHECKING:  # the rules are composed when an office opens, not when the command line starts (issue 21)
    from petitionkit.rules import ComposedRules


def _factory(*names: str) -> Callable[[OfficeConfig], ComposedRules]:
    def build(config: OfficeConfig) -> ComposedRules:
        from petitionkit.rules import builtin_pack, compose, load_packs  # noqa: PLC0415

        packs = [builtin_pack(name) for name in names] + load_packs(config.rule_files, config.base_dir)
        return compose(packs, bodies=config.bodies)

    return build


national = _factory("national")
zhejiang = _factory("national", "zhejiang")


@hookimpl
def petitionkit_register_rules(register: Callable[..., None]) -> None:
    register("national", national)
    register("zhejiang", zhejiang)
