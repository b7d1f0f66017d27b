"""``petitionkit plugins``: what is loaded and from where."""

from __future__ import annotations

import click

from petitionkit import hookspecs
from petitionkit.cli.app import Env, run_command
from petitionkit.plugins import loaded_plugins, make_plugin_manager


@click.command("plugins")
@click.pass_obj
@run_command
def plugins_command(env: Env) -> None:
    """List loaded plugins, where they come from, and what they register."""
    config = env.config
    pm = make_plugin_manager(allow=config.plugins_allow, block=config.plugins_block)
    provided = {
        "storage": sorted(hookspecs.collect(pm.hook.petitionkit_register_storage)),
        "rules": sorted(hookspecs.collect(pm.hook.petitionkit_register_rules)),
        "notifiers": sorted(hookspecs.collect(pm.hook.petitionkit_register_notifiers)),
    }
    plugins = [
        {
            "name": p.name,
            "origin": p.origin,
            "module": p.module,
            "hooks": sorted(h.name for h in pm.get_hookcallers(pm.get_plugin(p.name)) or []),
        }
        for p in loaded_plugins(pm)
    ]
    data = {"plugins": plugins, "provides": provided}

    def human() -> None:
        for p in plugins:
            click.echo(f"{p['name']:<50} {p['origin']:<22} {', '.join(p['hooks'])}")
        for kind, names in provided.items():
            click.echo(f"{kind}: {', '.join(names)}")

    env.emit(data, human)
