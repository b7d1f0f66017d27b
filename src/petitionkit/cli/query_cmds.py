"""Listing and searching cases; what is due and overdue."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from petitionkit.cli.app import Env, run_command
from petitionkit.cli.views import case_view, obligation_view, print_cases, print_obligations, print_schedule_warning
from petitionkit.domain.model import CaseState, PetitionKind

if TYPE_CHECKING:
    from petitionkit.rules.calendar import ScheduleWarning


@click.command("list")
@click.option("--state", "states", multiple=True, type=click.Choice([s.value for s in CaseState]))
@click.option("--kind", type=click.Choice([k.value for k in PetitionKind]))
@click.option("--category")
@click.option("--region", "region_prefix", help="Region code or prefix (e.g. 3301).")
@click.option("--respondent-body")
@click.option("--text", help="Words in the subject.")
@click.option("--limit", type=click.IntRange(1, 10_000), default=50, show_default=True)
@click.option("--offset", type=click.IntRange(0), default=0)
@click.pass_obj
@run_command
def list_cases(env: Env, /, states: tuple[str, ...], **filters: Any) -> None:
    """List and search cases, oldest first."""
    cases = env.office.search(states=states, **filters)
    views = [case_view(c, env.locale) for c in cases]
    env.emit({"cases": views, "count": len(views)}, lambda: print_cases(views, env.locale))


def _obligations(env: Env, overdue_only: bool, days: int) -> None:
    office = env.office
    found = office.overdue() if overdue_only else office.due_within(days)
    views = [obligation_view(o, env.locale) for o in found]
    tracking = {o.case_id: office.case(o.case_id).first_tracking_number for o in found} if not env.as_json else {}
    for view in views:
        view["tracking_number"] = (
            tracking.get(view["case_id"]) if tracking else office.case(view["case_id"]).first_tracking_number
        )
    warning = office.schedule_warning()
    env.emit(
        {
            "obligations": views,
            "count": len(views),
            "today": office.today().isoformat(),
            "calendar_warning": warning.to_dict() if warning else None,
        },
        lambda: _print_obligations(views, env.locale, tracking, warning),
    )


def _print_obligations(
    views: list[dict[str, Any]], locale: str, tracking: dict[str, str], warning: ScheduleWarning | None
) -> None:
    print_obligations(views, locale, tracking)
    print_schedule_warning(warning, locale)


@click.command("due")
@click.option("--days", type=int, default=7, show_default=True, help="Due within this many days (overdue included).")
@click.pass_obj
@run_command
def due(env: Env, days: int) -> None:
    """Open duties due soon, overdue ones first."""
    _obligations(env, False, days)


@click.command("overdue")
@click.pass_obj
@run_command
def overdue(env: Env) -> None:
    """Open duties past their due date."""
    _obligations(env, True, 0)


COMMANDS: list[click.Command] = [list_cases, due, overdue]
