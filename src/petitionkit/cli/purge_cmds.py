"""Retention and backups: ``petitionkit purge``, ``petitionkit backup``, ``petitionkit restore``.

``purge --dry-run`` lists what has outlived its retention period and changes nothing; ``purge --apply``
erases it (the ``purge`` permission); one of the two must be given.  ``backup PATH`` writes an
encrypted copy of a SQLite office; ``restore BACKUP TARGET`` checks one and writes the database,
exiting 9 when it does not decrypt, match its digest or pass ``audit verify``.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from petitionkit.cli.app import Env, run_command
from petitionkit.i18n import translate
from petitionkit.labels import label_of

if TYPE_CHECKING:  # imported when the command runs, not at start-up (issue 21)
    from petitionkit.service.retention import PurgePlan


def _plan_lines(env: Env, plan: PurgePlan) -> None:
    loc, labels = env.locale, env.labels

    def kind(name: str) -> str:
        return label_of("record_kind", name, loc)

    for record_kind, period in plan.periods.items():
        length = (
            translate("period.years", loc, count=period.years)
            if period.years
            else translate("period.days", loc, count=period.days)
        )
        click.echo(translate("purge.period", loc, kind=kind(record_kind.value), period=length, source=period.source))
    click.echo(translate("purge.plan", loc, cases=len(plan.items), scanned=plan.scanned))
    for name, count in plan.cases_per_kind.items():
        click.echo(translate("purge.per_kind", loc, kind=kind(name), count=count))
    if plan.attachments:
        click.echo(translate("purge.plan_attachments", loc, count=plan.attachments))
    for item in plan.items:
        kinds = labels.joined(kind(k.value) for k in item.kinds)
        click.echo(f"  {item.tracking_number}  {item.case_id}  {labels.day(item.ended_at)}  {kinds}")


@click.command("purge")
@click.option("--dry-run", "dry_run", is_flag=True, help="List what has outlived its retention period; change nothing.")
@click.option("--apply", "apply", is_flag=True, help="Erase it (needs the purge permission).")
@click.option("--batch", type=click.IntRange(1, 10_000), default=100, show_default=True, help="Cases per transaction.")
@click.pass_obj
@run_command
def purge_command(env: Env, dry_run: bool, apply: bool, batch: int) -> None:
    """Erase personal data and content past their retention period (按保存期限删除), keeping the statistics."""
    if dry_run == apply:
        raise click.UsageError(translate("purge.choose", env.locale))
    from petitionkit.service.retention import plan_purge, purge  # noqa: PLC0415

    if dry_run:
        plan = plan_purge(env.office)
        env.emit({"dry_run": True, **plan.to_dict()}, lambda: _plan_lines(env, plan))
        return
    from petitionkit.cli.progress import callback, reporting  # noqa: PLC0415 - only when it runs

    with reporting(translate("progress.label.purge", env.locale), env.locale) as reporter:
        result = purge(env.office, batch_size=batch, progress=callback(reporter))

    def human() -> None:
        loc = env.locale
        click.echo(translate("purge.done", loc, cases=len(result.purged), run=result.run))
        for field, count in sorted(result.erased.items()):
            click.echo(f"  {label_of('record_kind', field, loc)}: {count}")
        if result.blobs_deleted:
            click.echo(translate("purge.blobs_deleted", loc, count=result.blobs_deleted))
        for case_id, why in sorted(result.skipped.items()):
            click.echo(translate("purge.skipped", loc, case=case_id, why=why))

    env.emit({"dry_run": False, **result.to_dict()}, human)


@click.command("backup")
@click.argument("path", type=click.Path(path_type=Path, dir_okay=False))
@click.pass_obj
@run_command
def backup_command(env: Env, path: Path) -> None:
    """Write an encrypted, consistent copy of the (SQLite) database to the new file PATH (备份)."""
    from petitionkit.service.backup import backup  # noqa: PLC0415

    manifest = backup(env.office, path)
    data: dict[str, Any] = {"path": str(path), "manifest": manifest.to_dict()}
    env.emit(data, lambda: click.echo(translate("backup.written", env.locale, path=str(path), sha256=manifest.sha256)))


@click.command("restore")
@click.argument("backup_path", metavar="BACKUP", type=click.Path(path_type=Path, dir_okay=False))
@click.argument("target", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--force", is_flag=True, help="Replace TARGET if it exists.")
@click.pass_obj
@run_command
def restore_command(env: Env, backup_path: Path, target: Path, force: bool) -> None:
    """Decrypt BACKUP into the database file TARGET after checking its digest and audit trail (恢复)."""
    from petitionkit.service.backup import restore  # noqa: PLC0415

    result = restore(
        env.config,
        backup_path,
        target,
        force=force,
        bind=lambda office: office.acting_as(env.principal(office)),
        clock=env.clock,
    )
    data = {"target": result.target, "manifest": result.manifest.to_dict(), "audit": result.audit.to_dict()}
    env.emit(data, lambda: click.echo(translate("backup.restored", env.locale, target=result.target)))


COMMANDS = [purge_command, backup_command, restore_command]
