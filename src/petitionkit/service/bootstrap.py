"""The composition root: a configuration becomes a working :class:`~petitionkit.service.office.Office`."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import pluggy

from petitionkit import hookspecs
from petitionkit.config import OfficeConfig
from petitionkit.domain.ports import Rules
from petitionkit.errors import ConfigurationError, PetitionkitError
from petitionkit.network import OfficeNetwork
from petitionkit.notifications.routing import build_router
from petitionkit.notify import Notifier
from petitionkit.plugins import make_plugin_manager, registered_predicates, storage_backends, url_scheme
from petitionkit.privacy.keys import unlock_storage
from petitionkit.rules.predicates import using_predicates
from petitionkit.service.base import Clock, utc_now
from petitionkit.service.office import Office
from petitionkit.settings import check_settings
from petitionkit.storage.base import Storage


def open_office(
    config: OfficeConfig | Mapping[str, Any] | None = None,
    *,
    plugin_manager: pluggy.PluginManager | None = None,
    storage: Storage | None = None,
    rules: Rules | None = None,
    notifier: Notifier | None = None,
    clock: Clock = utc_now,
) -> Office:
    """Assemble an office from its configuration (the composition root).

    ``storage``, ``rules`` and ``notifier`` override what the configuration names, for embedding
    and tests.  Raises :class:`ConfigurationError` or :class:`StorageError` for bad settings.
    """
    if config is None:
        config = OfficeConfig()
    elif not isinstance(config, OfficeConfig):
        config = OfficeConfig.from_mapping(config)
    pm = plugin_manager or make_plugin_manager(allow=config.plugins_allow, block=config.plugins_block)
    check_settings(pm, config)  # every declared [settings.<name>] table, before anything opens
    if storage is None:
        backends = storage_backends(pm)
        scheme = url_scheme(config.database_url)
        if scheme not in backends:
            raise ConfigurationError(
                "database_url",
                f"no storage plugin serves '{scheme}:'; installed: {', '.join(sorted(backends)) or 'none'}",
            )
        storage = backends[scheme].factory(config.database_url, config)
    try:
        unlock_storage(storage, config, pm)  # field encryption: fails closed without the master key
        if rules is None:
            with using_predicates(registered_predicates(pm)):  # packs name predicates plugins registered
                rules = _pick(pm.hook.petitionkit_register_rules, config.rules, "rules")(config)
        if notifier is None:
            notifier = build_router(pm, config)  # every channel's notifier, so bad settings fail now
    except PetitionkitError:
        storage.close()
        raise
    office = Office(config, storage=storage, rules=rules, notifier=notifier, plugin_manager=pm, clock=clock)
    try:
        office.planner.renderer.check()  # the office's own templates, before any change can queue a message
    except PetitionkitError:
        storage.close()
        raise
    shared = storage

    def open_peer(peer_config: OfficeConfig) -> Office:
        # Offices of a network share the home office's storage, plugins and clock.
        return open_office(peer_config, storage=shared, plugin_manager=pm, clock=clock)

    office.network = OfficeNetwork(office, open_peer)
    return office


def _pick(hook: Callable[..., Any], name: str, setting: str) -> Any:
    found = hookspecs.collect(hook)
    if name not in found:
        raise ConfigurationError(
            setting, f"'{name}' is not registered; installed: {', '.join(sorted(found)) or 'none'}"
        )
    return found[name]
