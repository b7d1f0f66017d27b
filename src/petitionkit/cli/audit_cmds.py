"""Audit commands: ``petitionkit audit verify``, ``audit checkpoint``, ``audit rotate-key``, ``audit access``;
and ``petitionkit principals``.

``verify`` exits 9 when anything is broken, naming each broken case and its first broken item;
progress goes to standard error, so ``--json`` output stays one document.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from petitionkit.audit.keys import add_key_to_file
from petitionkit.audit.settings import audit_settings, office_path
from petitionkit.cli.app import Env, run_command
from petitionkit.errors import ConfigurationError
from petitionkit.i18n import CATALOG, translate
from petitionkit.serialization import unstructure

if TYPE_CHECKING:  # the verifier is imported when a command runs, not at start-up (issue 21)
    from petitionkit.audit.findings import AuditBreak
    from petitionkit.audit.verify import AuditReport, Progress

EXIT_AUDIT_BROKEN = 9


@contextmanager
def _progress(env: Env) -> Iterator[Progress]:
    """Records verified, verifier by verifier, on the progress bar (``petitionkit.cli.progress``)."""
    from petitionkit.cli.progress import reporting, step_callback  # noqa: PLC0415 - only when it runs

    with reporting(translate("progress.label.audit", env.locale), env.locale) as reporter:
        yield step_callback(reporter)


def _print_report(env: Env, report: AuditReport) -> None:
    def say(key: str, name: str, **params: Any) -> str:  # a verifier may have its own words
        own = f"{key}.{name}"
        return translate(own if own in CATALOG else key, env.locale, **params)

    for r in report.reports:
        if r.breaks:
            click.echo(say("audit.verify.broken", r.name, count=len(r.breaks)))
            for b in r.breaks:
                click.echo(_break_line(b, env.locale))
        else:
            click.echo(say("audit.verify.intact", r.name, records=r.records, items=r.items))
        if r.unkeyed_records:
            click.echo(say("audit.verify.unkeyed", r.name, records=r.unkeyed_records, items=r.unkeyed_items))


def _break_line(b: AuditBreak, locale: str) -> str:
    name = f"{b.label} ({b.subject})" if b.label else b.subject
    return f"  {b.record} {name}  {b.item}: {b.message(locale)}"


@click.group("audit")
def audit() -> None:
    """Verify the audit trail, write signed checkpoints, rotate the audit key, read access records (审计)."""


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
    from petitionkit.audit.verify import verify_office  # noqa: PLC0415

    with _progress(env) as progress:
        report = verify_office(env.office, against=against, progress=progress)
    env.emit(report.to_dict(), lambda: _print_report(env, report))
    if not report.intact:
        sys.exit(EXIT_AUDIT_BROKEN)


@audit.command("checkpoint")
@click.pass_obj
@run_command
def checkpoint(env: Env) -> None:
    """Verify, then write a signed checkpoint through the configured sink; exit 9 if the trail is broken."""
    from petitionkit.audit.verify import write_checkpoint  # noqa: PLC0415

    with _progress(env) as progress:
        report, where = write_checkpoint(env.office, progress=progress)
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
    from petitionkit.audit.verify import write_checkpoint  # noqa: PLC0415

    with _progress(env) as progress:
        report, where = write_checkpoint(env.office, progress=progress)
    return {"written": where, **report.to_dict()}


@audit.command("access")
@click.option("--case", "case_ref", default=None, help="Only reads of this case (id or tracking number).")
@click.option("--principal", "principal_id", default=None, help="Only reads by this principal id.")
@click.option(
    "--since",
    type=click.DateTime(["%Y-%m-%d", "%Y-%m-%dT%H:%M:%S"]),
    default=None,
    help="Only reads at or after this date or time (office time zone).",
)
@click.option("--limit", type=click.IntRange(1, 100_000), default=1000, show_default=True)
@click.option("--offset", type=click.IntRange(0), default=0, help="Skip this many records (the next page).")
@click.option("--newest", is_flag=True, help="The latest reads first (by default the oldest come first).")
@click.pass_obj
@run_command
def access(
    env: Env,
    case_ref: str | None,
    principal_id: str | None,
    since: datetime | None,
    limit: int,
    offset: int,
    newest: bool,
) -> None:
    """List access records: who read personal data, when, what, how many, and why (needs the audit permission)."""
    office = env.office
    start = since.replace(tzinfo=office.zone) if since is not None else None
    records = office.access_records(
        case_ref=case_ref, principal_id=principal_id, since=start, limit=limit, offset=offset, newest_first=newest
    )
    rows = [unstructure(r) for r in records]

    labels = env.labels
    roles = office.rules.roles()

    def human() -> None:
        zh = env.locale == "zh-CN"
        click.echo("个人信息访问记录" if zh else "Access records")
        for r in records:
            titles = "+".join(roles[x].title(env.locale) if x in roles else x for x in r.roles.split("+") if x)
            what = r.case_id or r.query
            line = f"{labels.time(r.at)}  {r.principal_id} ({titles})  {labels.access_action(r.action)}  {what}"
            click.echo(f"{line}  {r.count}  {r.purpose}".rstrip())
        click.echo(labels.word("view.total", count=len(records)))

    env.emit({"access_records": rows, "count": len(rows)}, human)


@click.command("principals")
@click.pass_obj
@run_command
def principals(env: Env) -> None:
    """Who may act on the office ([[principals]] of petitionkit.toml) and what each may do."""
    office = env.unbound_office
    roles = office.rules.roles()
    entries: list[dict[str, Any]] = []
    for entry in office.config.principals:
        granted = sorted({p.value for r in entry.roles if r in roles for p in roles[r].permissions})
        entries.append(
            {
                "id": entry.id,
                "name": entry.name,
                "roles": list(entry.roles),
                "bodies": list(entry.bodies),
                "os_user": entry.os_user,
                "permissions": granted,
                "unknown_roles": [r for r in entry.roles if r not in roles],
            }
        )

    def human() -> None:
        zh = env.locale == "zh-CN"
        click.echo("用户与权限" if zh else "Principals and permissions")
        for e in entries:
            titles = ", ".join(roles[r].title(env.locale) if r in roles else f"{r}?" for r in e["roles"])
            bodies = f" [{', '.join(e['bodies'])}]" if e["bodies"] else ""
            user = f" (os_user {e['os_user']})" if e["os_user"] else ""
            click.echo(f"{e['id']}  {e['name']}  {titles}{bodies}{user}")
            click.echo("    " + env.labels.joined(env.labels.permission(p) for p in e["permissions"]))

    env.emit({"principals": entries}, human)


COMMANDS: list[click.Command] = [audit, principals]
