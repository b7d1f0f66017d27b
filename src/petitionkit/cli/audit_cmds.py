"""``petitionkit audit``: what auditors read (the access records of reads of personal data)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import click

from petitionkit.cli.app import Env, run_command
from petitionkit.serialization import unstructure


@click.group("audit")
def audit() -> None:
    """Audit the office: who read personal data (access records)."""


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
@click.pass_obj
@run_command
def access(env: Env, case_ref: str | None, principal_id: str | None, since: datetime | None, limit: int) -> None:
    """List access records: who read personal data, when, what, how many, and why (needs the audit permission)."""
    office = env.office
    start = since.replace(tzinfo=office.zone) if since is not None else None
    records = office.access_records(case_ref=case_ref, principal_id=principal_id, since=start, limit=limit)
    rows = [unstructure(r) for r in records]

    def human() -> None:
        zh = env.locale == "zh-CN"
        click.echo("个人信息访问记录" if zh else "Access records")
        for r in records:
            at = r.at.astimezone(office.zone).isoformat(timespec="seconds")
            what = r.case_id or r.query
            click.echo(f"{at}  {r.principal_id} ({r.roles})  {r.action}  {what}  {r.count}  {r.purpose}")
        click.echo(("共 " if zh else "total: ") + str(len(records)))

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
            click.echo("    " + ", ".join(e["permissions"]))

    env.emit({"principals": entries}, human)


COMMANDS: list[click.Command] = [audit, principals]
