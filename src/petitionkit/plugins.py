"""The plugin manager factory and what the rest of petitionkit asks of it.  Nothing is loaded at import time.

The manager is built the way pluggy intends: built-ins are registered by module name, blocked names
are marked with :meth:`pluggy.PluginManager.set_blocked` (a blocked plugin is never imported), and
third-party distributions are loaded by :meth:`pluggy.PluginManager.load_setuptools_entrypoints`,
which remembers each plugin's distribution (``petitionkit plugins`` shows its name and version).
"""

from __future__ import annotations

import importlib
import logging
import traceback
from collections.abc import Callable, Iterable, Mapping
from importlib.metadata import entry_points
from typing import TYPE_CHECKING, Any

import attrs
import pluggy

from petitionkit import hookspecs
from petitionkit.errors import ConfigurationError

if TYPE_CHECKING:
    from petitionkit.domain.events import Event
    from petitionkit.reports.source import ReportSource
    from petitionkit.service import Office
    from petitionkit.storage.base import Storage

log = logging.getLogger(__name__)

# Built-in backends, registered through the same hooks third parties use.
DEFAULT_PLUGINS = (
    "petitionkit.default_plugins.memory_storage",
    "petitionkit.default_plugins.sql_storage",
    "petitionkit.default_plugins.builtin_rules",
    "petitionkit.default_plugins.rule_packs",
    "petitionkit.default_plugins.console_notifier",
    "petitionkit.default_plugins.core_settings",
    "petitionkit.default_plugins.role_policy",
    "petitionkit.default_plugins.audit_backends",
    "petitionkit.default_plugins.blob_stores",
)


@attrs.frozen
class LoadedPlugin:
    name: str
    origin: str  # "builtin", "<distribution> <version>" or "registered in code"
    module: str
    distribution: str | None = None  # the installed distribution that provides it (entry points only)
    version: str | None = None


def make_plugin_manager(
    *,
    load_entrypoints: bool = True,
    allow: Iterable[str] | None = None,
    block: Iterable[str] = (),
    extra: Iterable[object] = (),
) -> pluggy.PluginManager:
    """Build a plugin manager: built-ins, then ``petitionkit`` entry points, then ``extra`` objects.

    :param allow: if given, only the third-party plugins (entry-point names) listed load; built-ins
        always load unless blocked.  ``[plugins] allow`` in petitionkit.toml.
    :param block: plugins with these names (entry-point names, or a built-in's module name) never load,
        and are never imported.  ``[plugins] block`` in petitionkit.toml.
    :param extra: plugin objects registered in code (embedding, tests); ``allow`` does not apply to them.
    :raises ConfigurationError: an entry point cannot be imported (naming it, so it can be blocked).
    """
    pm = pluggy.PluginManager(hookspecs.PROJECT)
    pm.add_hookspecs(hookspecs)
    for name in block:
        pm.set_blocked(name)
    for module_name in DEFAULT_PLUGINS:
        if not pm.is_blocked(module_name):
            pm.register(importlib.import_module(module_name), name=module_name)
    if load_entrypoints:
        if allow is not None:
            allowed = set(allow)
            for ep in entry_points(group=hookspecs.PROJECT):
                if ep.name not in allowed:
                    pm.set_blocked(ep.name)
        try:
            pm.load_setuptools_entrypoints(hookspecs.PROJECT)
        except Exception as exc:
            raise _entrypoint_error(pm, exc) from exc
    for plugin in extra:
        pm.register(plugin)
    pm.check_pending()
    return pm


def _entrypoint_error(pm: pluggy.PluginManager, exc: Exception) -> ConfigurationError:
    """Name the entry point that failed to load (pluggy stops at it without saying which)."""
    for ep in entry_points(group=hookspecs.PROJECT):
        if pm.has_plugin(ep.name) or pm.is_blocked(ep.name):
            continue
        try:
            ep.load()
        except Exception as inner:
            return ConfigurationError(
                f"plugins.{ep.name}",
                f"cannot load {ep.value}: {inner}; fix or uninstall it, or add it to plugins.block",
            )
    return ConfigurationError("plugins", f"cannot load a petitionkit entry point: {exc}")


def loaded_plugins(pm: pluggy.PluginManager) -> list[LoadedPlugin]:
    """What is loaded and from where (for ``petitionkit plugins``)."""
    dists = {id(plugin): dist for plugin, dist in pm.list_plugin_distinfo()}
    result = []
    for name, plugin in pm.list_name_plugin():
        if name is None or plugin is None:  # a blocked name is listed with no plugin
            continue
        module = getattr(plugin, "__name__", type(plugin).__name__)
        dist = dists.get(id(plugin))
        if dist is not None:
            result.append(
                LoadedPlugin(name, f"{dist.project_name} {dist.version}", module, dist.project_name, dist.version)
            )
        else:
            result.append(LoadedPlugin(name, "builtin" if name in DEFAULT_PLUGINS else "registered in code", module))
    return result


def blocked_plugins(pm: pluggy.PluginManager) -> list[str]:
    """Names of installed or built-in plugins that ``pm`` does not load (blocked, or not in ``allow``)."""
    names = {*DEFAULT_PLUGINS, *(ep.name for ep in entry_points(group=hookspecs.PROJECT))}
    return sorted(name for name in names if pm.is_blocked(name))


# --- observers ----------------------------------------------------------------------------------


def notify_observers(pm: pluggy.PluginManager, event: Event, office: Office) -> None:
    """Call every ``petitionkit_event_recorded`` observer, each on its own.

    pluggy stops a hook call at the first exception, so one broken observer would silence every
    observer after it.  Each implementation is called through its own subset of the hook (so pluggy
    still passes only the arguments it asks for, and wrappers still wrap it); a failure is logged
    with the plugin's name and the next observer runs.
    """
    caller = pm.hook.petitionkit_event_recorded
    observers = [impl for impl in caller.get_hookimpls() if not (impl.wrapper or impl.hookwrapper)]
    for impl in reversed(observers):  # pluggy's order: last registered first, tryfirst/trylast kept
        others = [o.plugin for o in observers if o is not impl]
        hook = pm.subset_hook_caller(caller.name, others) if others else caller
        try:
            hook(event=event, office=office)
        except Exception as exc:  # an observer must not undo a committed change, nor silence the others
            # The exception's text is not logged (an observer may put the data it was handed in it): its
            # type and where it was raised are, which is what finding the bug needs.
            where = "".join(traceback.format_tb(exc.__traceback__)[-3:])
            log.error(
                "event observer %s failed on %s #%s: %s\n%s",
                impl.plugin_name,
                event.name,
                event.sequence,
                type(exc).__name__,
                where.rstrip(),
            )


# --- backends -----------------------------------------------------------------------------------

ReportSourceFactory = Callable[["Storage"], "ReportSource"]


@attrs.frozen
class StorageBackend:
    """What ``petitionkit_register_storage`` registered for one URL scheme."""

    factory: hookspecs.StorageFactory
    report_source: ReportSourceFactory | None = None  # builds the report queries for a storage it made


def storage_backends(pm: pluggy.PluginManager) -> dict[str, StorageBackend]:
    """``{scheme: StorageBackend}`` from ``register(scheme, factory, *, report_source=None)``."""
    found: dict[str, StorageBackend] = {}

    def register(
        scheme: str, factory: hookspecs.StorageFactory, *, report_source: ReportSourceFactory | None = None
    ) -> None:
        backend = StorageBackend(factory, report_source)
        if scheme in found and found[scheme] != backend:
            raise ConfigurationError(scheme, "two plugins register the same name; disable one with 'plugins.block'")
        found[scheme] = backend

    pm.hook.petitionkit_register_storage(register=register)
    return found


def url_scheme(url: str) -> str:
    """The scheme a storage plugin serves: ``postgresql+psycopg://...`` -> ``postgresql``."""
    return url.split(":", 1)[0].split("+", 1)[0]


def registered_predicates(pm: pluggy.PluginManager) -> Mapping[str, Callable[[Any], bool]]:
    """``{name: predicate}`` registered through ``petitionkit_register_predicates``."""
    return hookspecs.collect(pm.hook.petitionkit_register_predicates)
