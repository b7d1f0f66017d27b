"""``petitionkit init`` and ``petitionkit quickstart``."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import click

from petitionkit.cli.app import Env, run_command
from petitionkit.cli.views import case_view, obligation_view, print_cases, print_obligations, print_schedule_warning
from petitionkit.domain.clocks import Clock
from petitionkit.labels import Labels


@click.command("init")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path), default=".")
@click.option("--office-code", default="QX", show_default=True, help="Prefix of tracking numbers.")
@click.option("--office-name", default="清溪县人大常委会信访室", show_default=True)
@click.option("--database-url", default="sqlite:///office.db", show_default=True)
@click.option(
    "--rules",
    "rules_set",
    type=click.Choice(["national", "zhejiang", "builtin"]),
    default="national",
    show_default=True,
)
@click.option(
    "--sample-county/--no-sample-county",
    default=True,
    show_default=True,
    help="Start from the sample county's bodies and routing rules (rules/county.toml).",
)
@click.pass_obj
@run_command
def init(
    env: Env,
    /,
    folder: Path,
    office_code: str,
    office_name: str,
    database_url: str,
    rules_set: str,
    sample_county: bool,
) -> None:
    """Set up an office: petitionkit.toml, its rule pack, and the database at the newest schema."""
    from petitionkit.quickstart import init_office  # noqa: PLC0415 - start-up (issue 21)

    config = init_office(
        folder,
        office_code=office_code,
        office_name=office_name,
        database_url=database_url,
        rules=rules_set,
        sample_county=sample_county,
    )
    from petitionkit.service import open_office  # noqa: PLC0415 - start-up (issue 21)

    with open_office(config) as office:
        warning = office.schedule_warning()
    data: dict[str, Any] = {
        "folder": str(folder.resolve()),
        "config": str(folder.resolve() / "petitionkit.toml"),
        "database_url": _safe(config.database_url),
        "rules": config.rules,
        "rule_files": list(config.rule_files),
        "calendar_warning": warning.to_dict() if warning else None,
    }

    def human() -> None:
        zh = env.locale == "zh-CN"
        click.echo(("已创建信访室：" if zh else "Office created in ") + data["folder"])
        click.echo(("下一步：cd " if zh else "Next: cd ") + str(folder) + " && petitionkit register --interactive")
        print_schedule_warning(warning, env.locale)

    env.emit(data, human)


def _safe(url: str) -> str:
    from petitionkit.storage.sql.engine import hide_password  # noqa: PLC0415 - SQL backend only when asked

    return hide_password(url) if "://" in url else url


@click.command("quickstart")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path), default="demo-office")
@click.option("--petitions", type=click.IntRange(5, 500), default=30, show_default=True)
@click.pass_obj
@run_command
def quickstart(env: Env, /, folder: Path, petitions: int) -> None:
    """Set up the sample county office and run a small realistic caseload through it.

    The caseload is the last four months of a county office, ending today: it is replayed day by
    day up to today's date, so what is due, overdue and provisional (预计: counted before next
    year's holiday schedule is out) is what an office sees today. Then it shows what a clerk looks
    at next: the case list, what is due, and why one deadline falls where it does.
    """
    from petitionkit.quickstart import WORKLOAD_DAYS, SimulatedClock, init_office, run_workload  # noqa: PLC0415

    config = init_office(folder)
    today = datetime.now(ZoneInfo(config.timezone)).date()
    start = today - timedelta(days=WORKLOAD_DAYS)
    clock = SimulatedClock(datetime(start.year, start.month, start.day, 9, tzinfo=ZoneInfo(config.timezone)))
    from petitionkit.service import open_office  # noqa: PLC0415 - start-up (issue 21)

    with open_office(config, clock=clock) as unbound:
        summary = run_workload(unbound, clock, petitions=petitions, start=start, end=today)
        office = unbound.acting_as(env.principal(unbound))  # the clerk who ran it (--as, or the OS user)
        warning = office.schedule_warning()
        cases = office.search(limit=500)
        due = office.due_within(14)
        overdue = [o for o in due if o.due < office.today()]
        focus = next((o for o in due if o.clock in (Clock.REFERRAL_REPORT, Clock.HANDLING)), due[0] if due else None)
        explanation = office.rules.explain_basis(focus.basis) if focus else None
        tracking = {c.id: c.first_tracking_number for c in cases}
        labels = Labels(env.locale, office.rules, office.zone)
        data: dict[str, Any] = {
            "folder": str(folder.resolve()),
            "today": office.today().isoformat(),
            "calendar_warning": warning.to_dict() if warning else None,
            "registered": summary.registered,
            "actions": summary.actions,
            "cases": [case_view(c, labels) for c in cases],
            "due_within_14_days": [obligation_view(o, labels) | {"tracking_number": tracking[o.case_id]} for o in due],
            "overdue": len(overdue),
            "explained": None
            if explanation is None or focus is None
            else {
                "tracking_number": tracking[focus.case_id],
                "clock": focus.clock.value,
                "text": explanation.text(env.locale),
                "explanation": explanation.to_dict(),
            },
        }

    def human() -> None:
        zh = env.locale == "zh-CN"
        click.echo(("示例信访室：" if zh else "Sample office: ") + data["folder"])
        click.echo(
            ("今天：" if zh else "Today: ")
            + data["today"]
            + (f"（登记 {summary.registered} 件；" if zh else f" ({summary.registered} petitions; ")
            + labels.joined(f"{labels.action(k)} {v}" for k, v in sorted(summary.actions.items()))
            + ("）" if zh else ")")
        )
        click.echo("")
        click.echo("== " + ("信访事项" if zh else "Cases") + " ==")
        print_cases(data["cases"], labels)
        click.echo("")
        click.echo("== " + ("14 日内到期及已逾期" if zh else "Due within 14 days, overdue first") + " ==")
        print_obligations(data["due_within_14_days"], labels, tracking)
        if data["explained"]:
            click.echo("")
            click.echo(
                "== " + ("期限说明 " if zh else "Why this deadline: ") + data["explained"]["tracking_number"] + " =="
            )
            click.echo(data["explained"]["text"])
        click.echo("")
        click.echo(("接着试试：" if zh else "Try next: ") + f"cd {folder} && petitionkit list && petitionkit due")
        print_schedule_warning(warning, env.locale)

    env.emit(data, human)


COMMANDS: list[click.Command] = [init, quickstart]
