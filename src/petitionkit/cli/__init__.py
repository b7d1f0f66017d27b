"""The ``petitionkit`` command line: one module per command group, plugins add their own."""

from __future__ import annotations

import sys

from petitionkit.cli import (
    account_cmds,
    attachment_cmds,
    audit_cmds,
    case_cmds,
    casework_cmds,
    exchange_cmds,
    keys_cmds,
    notify_cmds,
    purge_cmds,
    query_cmds,
    report_cmds,
    rules_cmds,
    serve_cmds,
    setup_cmds,
)
from petitionkit.cli.app import Env, cli, run_command
from petitionkit.cli.db import db
from petitionkit.cli.plugins_cmd import plugins_command

__all__ = ["Env", "cli", "main", "run_command"]

for _command in [
    *case_cmds.COMMANDS,
    *casework_cmds.COMMANDS,
    *query_cmds.COMMANDS,
    *rules_cmds.COMMANDS,
    *exchange_cmds.COMMANDS,
    *setup_cmds.COMMANDS,
    *notify_cmds.COMMANDS,
    *report_cmds.COMMANDS,
    *audit_cmds.COMMANDS,
    *purge_cmds.COMMANDS,
    *keys_cmds.COMMANDS,
    *serve_cmds.COMMANDS,
    *account_cmds.COMMANDS,
    *attachment_cmds.COMMANDS,
    plugins_command,
]:
    cli.add_command(_command)
cli.add_command(db)


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point."""
    from petitionkit.cli.app import load_plugin_commands  # noqa: PLC0415

    load_plugin_commands(cli, argv if argv is not None else sys.argv[1:])
    cli.main(args=argv, prog_name="petitionkit")
