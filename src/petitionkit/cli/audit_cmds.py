"""Audit commands: ``petitionkit audit verify``, ``audit checkpoint`` and ``audit rotate-key``.

``verify`` exits 9 when anything is broken, naming each broken case and its first broken item;
progress goes to standard error, so ``--json`` output stays one document.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

import click

from petitionkit.audit.findings import AuditBreak
from petitionkit.audit.keys import add_key_to_file
from petitionkit.audit.settings import audit_settings, office_path
from petitionkit.audit.verify import AuditReport, Progress, verify_office, write_checkpoint
from petitionkit.cli.app import Env, run_command
from petitionkit.errors import ConfigurationError
from petitionkit.i18n import translate

EXIT_AUDIT_BROKEN = 9


def _progress(env: Env, every: float = 2.0) -> Progress:
    """Progress on standard error at most every ``every`` seconds."""
    last = [time.monotonic()]

    def show(name: str, done: int) -> None:
        now = time.monotonic()
        if now - last[0] >= every:
            last[0] = now
            click.echo(translate("audit.verify.progress", env.locale, name=name, done=done), err=True)

    return show


def _print_report(env: Env, report: AuditReport) -> None:
    for r in report.reports:
        if r.breaks:
            click.echo(translate("audit.verify.broken", env.locale, count=len(r.breaks)))
            for b in r.breaks:
                click.echo(_break_line(b, env.locale))
        else:
            click.echo(translate("audit.verify.intact", env.locale, records=r.records, items=r.items))
        if r.unkeyed_records:
            click.echo(translate("audit.verify.unkeyed", env.locale, records=r.unkeyed_records, items=r.unkeyed_items))


def _break_line(b: AuditBreak, locale: str) -> str:
    name = f"{b.label} ({b.subject})" if b.label else b.subject
    return f"  {b.record} {name}  {b.item}: {b.message(locale)}"


@click.group("audit")
def audit() -> None:
    """Verify the audit trail, write signed checkpoints, rotate the audit key (审计)."""


@audit.command("verify")
@click.option(
    "--against",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="A checkpoint file: also detect truncation and an older backup restored since it was written.",
)
@click.pass_obj
@run_command
def verify(env: Env, against: Path | None) -> None:
    """Check every case (and every other registered record kind); exit 9 if anything is broken."""
    report = verify_office(env.office, against=against, progress=_progress(env))
    env.emit(report.to_dict(), lambda: _print_report(env, report))
    if not report.intact:
        sys.exit(EXIT_AUDIT_BROKEN)


@audit.command("checkpoint")
@click.pass_obj
@run_command
def checkpoint(env: Env) -> None:
    """Verify, then write a signed checkpoint through the configured sink; exit 9 if the trail is broken."""
    report, where = write_checkpoint(env.office, progress=_progress(env))
    data: dict[str, Any] = {"written": where, **report.to_dict()}

    def human() -> None:
        _print_report(env, report)
        if where is None:
            click.echo(translate("audit.checkpoint.refused", env.locale))
        else:
            click.echo(translate("audit.checkpoint.written", env.locale, where=where))

    env.emit(data, human)
    if where is None:
        sys.exit(EXIT_AUDIT_BROKEN)


@audit.command("rotate-key")
@click.pass_obj
@run_command
def rotate_key(env: Env) -> None:
    """Add a new audit key to the key file; new events are sealed with it, older keys still verify."""
    key_file = audit_settings(env.config).key_file
    if key_file is None:
        raise ConfigurationError(
            "settings.audit.key_file", "rotate-key adds to a key file; with a key provider or variable, rotate there"
        )
    key = add_key_to_file(office_path(env.config, key_file))
    env.emit({"key_id": key.key_id}, lambda: click.echo(translate("audit.key.added", env.locale, key_id=key.key_id)))


def daily_checkpoint(env: Env) -> dict[str, Any] | None:
    """For ``petitionkit remind``: verify and write a checkpoint when ``checkpoint_daily`` is set."""
    if not audit_settings(env.config).checkpoint_daily:
        return None
    report, where = write_checkpoint(env.office, progress=_progress(env))
    return {"written": where, **report.to_dict()}


COMMANDS: list[click.Command] = [audit]
