"""The rule sets built from the packs shipped with petitionkit, on the official holiday calendar.

* ``national`` — packs/national.toml (信访工作条例 2022);
* ``zhejiang`` — national + packs/zhejiang.toml (浙江省信访条例 2016).

Each factory then applies the office's own rule files (``config.rule_files``, relative to
``config.base_dir``) in order, and the bodies of the configuration, before the packs' bodies.
"""

from __future__ import annotations

from collections.abc import Callable

from petitionkit.config import OfficeConfig
from petitionkit.hookspecs import hookimpl
from petitionkit.rules import ComposedRules, builtin_pack, compose, load_packs


def _factory(*names: str) -> Callable[[OfficeConfig], ComposedRules]:
    def build(config: OfficeConfig) -> ComposedRules:
        packs = [builtin_pack(name) for name in names] + load_packs(config.rule_files, config.base_dir)
        return compose(packs, bodies=config.bodies)

    return build


national = _factory("national")
zhejiang = _factory("national", "zhejiang")


@hookimpl
def petitionkit_register_rules(register: Callable[..., None]) -> None:
    register("national", national)
    register("zhejiang", zhejiang)
