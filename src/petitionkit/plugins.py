"""The plugin manager factory.  Nothing is loaded at import time."""

from __future__ import annotations

import importlib
from collections.abc import Iterable
from importlib.metadata import entry_points

import attrs
import pluggy

from petitionkit import hookspecs
from petitionkit.errors import ConfigurationError

# Built-in backends, registered through the same hooks third parties use.
DEFAULT_PLUGINS = (
    "petitionkit.default_plugins.memory_storage",
    "petitionkit.default_plugins.sql_storage",
    "petitionkit.default_plugins.builtin_rules",
    "petitionkit.default_plugins.rule_packs",
    "petitionkit.default_plugins.console_notifier",
)


@attrs.frozen
class LoadedPlugin:
    name: str
    origin: str  # "builtin" or the distribution that provides it
    module: str


def make_plugin_manager(
    *,
    load_entrypoints: bool = True,
    allow: Iterable[str] | None = None,
    block: Iterable[str] = (),
    extra: Iterable[object] = (),
) -> pluggy.PluginManager:
    """Build a plugin manager: built-ins, then ``petitionkit`` entry points, then ``extra`` objects.

    :param allow: if given, only plugins with these names load (built-ins included).
    :param block: plugins with these names never load.
    """
    pm = pluggy.PluginManager(hookspecs.PROJECT)
    pm.add_hookspecs(hookspecs)
    allowed = None if allow is None else set(allow)
    blocked = set(block)

    def wanted(name: str) -> bool:
        return name not in blocked and (allowed is None or name in allowed)

    for module_name in DEFAULT_PLUGINS:
        if wanted(module_name):
            pm.register(importlib.import_module(module_name), name=module_name)
    if load_entrypoints:
        for ep in entry_points(group=hookspecs.PROJECT):
            if not wanted(ep.name) or pm.get_plugin(ep.name) is not None:
                continue
            try:
                plugin = ep.load()
            except Exception as exc:
                raise ConfigurationError(f"plugins.{ep.name}", f"cannot load {ep.value}: {exc}") from exc
            pm.register(plugin, name=ep.name)
    for plugin in extra:
        pm.register(plugin)
    pm.check_pending()
    return pm


def loaded_plugins(pm: pluggy.PluginManager) -> list[LoadedPlugin]:
    """What is loaded and from where (for ``petitionkit plugins``)."""
    dists = {plugin: dist for plugin, dist in pm.list_plugin_distinfo()}
    result = []
    for name, plugin in pm.list_name_plugin():
        if name is None:
            continue
        dist = dists.get(plugin)
        origin = (
            f"{dist.project_name} {dist.version}"
            if dist is not None
            else ("builtin" if name in DEFAULT_PLUGINS else "registered in code")
        )
        module = getattr(plugin, "__name__", type(plugin).__name__)
        result.append(LoadedPlugin(name, origin, module))
    return result
