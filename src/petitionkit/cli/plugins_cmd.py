"""``petitionkit plugins``: what is loaded, from which distribution, and what it provides."""

from __future__ import annotations

from typing import Any

import click
import pluggy

from petitionkit import hookspecs
from petitionkit.cli.app import Env, run_command
from petitionkit.plugins import blocked_plugins, loaded_plugins, make_plugin_manager, storage_backends
from petitionkit.settings import declared_settings


@click.command("plugins")
@click.pass_obj
@run_command
def plugins_command(env: Env) -> None:
    """List loaded plugins, the distribution (and version) each comes from, and what they register."""
    config = env.config
    pm = make_plugin_manager(allow=config.plugins_allow, block=config.plugins_block)
    provided = {
        "storage": sorted(storage_backends(pm)),
        "rules": sorted(hookspecs.collect(pm.hook.petitionkit_register_rules)),
        "notifiers": sorted(hookspecs.collect(pm.hook.petitionkit_register_notifiers)),
        "predicates": sorted(hookspecs.collect(pm.hook.petitionkit_register_predicates)),
        "settings": sorted(declared_settings(pm)),
    }
    plugins: list[dict[str, Any]] = [
        {
            "name": p.name,
            "origin": p.origin,
            "distribution": p.distribution,
            "version": p.version,
            "module": p.module,
            "hooks": _hooks(pm, p.name),
        }
        for p in loaded_plugins(pm)
    ]
    blocked = blocked_plugins(pm)
    data = {"plugins": plugins, "provides": provided, "blocked": blocked}

    def human() -> None:
        for p in plugins:
            click.echo(f"{p['name']:<50} {p['origin']:<28} {', '.join(p['hooks'])}")
        for kind, names in provided.items():
            click.echo(f"{kind}: {', '.join(names)}")
        if blocked:
            click.echo(f"blocked: {', '.join(blocked)}")

    env.emit(data, human)


def _hooks(pm: pluggy.PluginManager, name: str) -> list[str]:
    return sorted(h.name for h in pm.get_hookcallers(pm.get_plugin(name)) or [])
