"""Rules: print the composed packs, explain deadlines, screen and route cases, recompute clocks."""

from __future__ import annotations

from typing import Any

import click

from petitionkit.cli.app import Env, run_command
from petitionkit.cli.case_cmds import DAY, KINDS
from petitionkit.cli.casework_cmds import knowledge_data, print_knowledge
from petitionkit.cli.views import case_view, obligation_view, print_case, print_schedule_warning
from petitionkit.domain.clocks import Clock
from petitionkit.i18n import translate

CLOCKS = click.Choice([c.value for c in Clock])


@click.group("rules")
def rules() -> None:
    """The office's composed rule packs (规则包)."""


@rules.command("show")
@click.pass_obj
@run_command
def show(env: Env) -> None:
    """Print the composed rules, each value with the pack that set it."""
    office = env.unbound_office
    warning = office.schedule_warning()
    if env.as_json:
        env.emit(
            {"rules": office.rules.describe(), "calendar_warning": warning.to_dict() if warning else None}, lambda: None
        )
    else:
        describe_toml = getattr(office.rules, "describe_toml", None)
        click.echo(describe_toml() if describe_toml else office.rules.describe())
        print_schedule_warning(warning, env.locale)


@rules.command("deadline")
@click.option("--clock", "clock", type=CLOCKS, required=True)
@click.option("--start", type=DAY, required=True, help="Start date (YYYY-MM-DD); the start day is not counted.")
@click.option("--kind", type=KINDS, default="claim", show_default=True)
@click.option("--extension-days", type=click.IntRange(0), default=0)
@click.pass_obj
@run_command
def deadline(env: Env, /, clock: str, start: Any, kind: str, extension_days: int) -> None:
    """Explain when a clock started on a date falls due, and why (days skipped, make-up days)."""
    explanation = env.office.explain_deadline(clock, start.date(), kind, extension_days=extension_days)
    if explanation is None:
        data: dict[str, Any] = {"applies": False, "clock": clock, "kind": kind}
        labels = env.labels
        text = labels.word(
            "cli.clock_not_applicable", clock=labels.clock(clock), kind=labels.kind(kind), rules=env.office.rules.name
        )
        env.emit(data, lambda: click.echo(text))
        return
    env.emit(
        {"applies": True, **explanation.to_dict(), "text": explanation.text(env.locale)},
        lambda: click.echo(explanation.text(env.locale)),
    )


@click.command("explain")
@click.argument("ref")
@click.pass_obj
@run_command
def explain(env: Env, /, ref: str) -> None:
    """Explain every clock of a case from its recorded basis ("why is my deadline that day?")."""
    items = env.office.explain_obligations(ref)
    data = {
        "obligations": [
            {**obligation_view(o, env.labels), "explanation": e.to_dict(), "text": e.text(env.locale)} for o, e in items
        ]
    }

    def human() -> None:
        for item in data["obligations"]:
            click.echo(f"[{item['clock_label']}] {item['status_label']}")
            click.echo(item["text"])
            click.echo("")

    env.emit(data, human)


@click.command("screen")
@click.argument("ref")
@click.option("--fact", "facts", multiple=True, help="A screening fact the clerk established (repeatable).")
@click.option("--apply", "apply_", is_flag=True, help="Record the advice: accept, or decline with its channel.")
@click.pass_obj
@run_command
def screen(env: Env, /, ref: str, facts: tuple[str, ...], apply_: bool) -> None:
    """Screening advice (受理审查): accept, or decline with the channel the petitioner should use."""
    office = env.office
    advice = office.screen(ref, facts=facts)
    data: dict[str, Any] = {"screening": {**advice.to_dict(), "text": advice.explanation(env.locale)}}
    data["knowledge"] = knowledge_data(office.case_knowledge(ref), env.locale)
    if apply_:
        if advice.accepted:
            case = office.accept(ref, note=advice.rule_id)
        else:
            assert advice.channel is not None
            case = office.decline(ref, reason=advice.reason(env.locale), channel=advice.channel)
        data["case"] = case_view(case, env.labels)
    _emit_decision(env, data, "screening")


@click.command("route")
@click.argument("ref")
@click.option("--fact", "facts", multiple=True)
@click.option("--apply", "apply_", is_flag=True, help="Transfer or assign as the matching rule says.")
@click.pass_obj
@run_command
def route(env: Env, /, ref: str, facts: tuple[str, ...], apply_: bool) -> None:
    """The competent body by the routing rules, with the rule that matched and why."""
    office = env.office
    decision = office.route(ref, facts=facts)
    data: dict[str, Any] = {"routing": {**decision.to_dict(), "text": decision.explanation(env.locale)}}
    if apply_:
        data["case"] = case_view(office.refer(ref, facts=facts), env.labels)
    _emit_decision(env, data, "routing")


def _emit_decision(env: Env, data: dict[str, Any], key: str) -> None:
    """A decision's explanation, then the case if the decision was applied."""

    def human() -> None:
        click.echo(data[key]["text"])
        if "knowledge" in data:
            click.echo("")
            print_knowledge(data["knowledge"], env.locale)
        if "case" in data:
            click.echo("")
            print_case(data["case"], env.labels)

    env.emit(data, human)


@click.command("recompute")
@click.pass_obj
@run_command
def recompute(env: Env) -> None:
    """Recompute open clocks after calendar data changed; each change is recorded as an event."""
    from petitionkit.cli.progress import callback, reporting  # noqa: PLC0415 - only when it runs

    with reporting(translate("progress.label.recompute", env.locale), env.locale) as reporter:
        changed = env.office.recompute_deadlines(progress=callback(reporter))
    data = {"recomputed_cases": [c.first_tracking_number for c in changed], "count": len(changed)}
    env.emit(data, lambda: click.echo(env.labels.word("cli.recomputed", count=len(changed))))


COMMANDS: list[click.Command] = [rules, explain, screen, route, recompute]
