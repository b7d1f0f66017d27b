"""Commands on cases: register, show, screen, refer, handle, review, close.

Size: just over 500 lines: the lifecycle's commands are one table (name, help, options, use case)
read by one generic command builder; splitting the table would scatter the lifecycle's vocabulary.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from petitionkit.cli.app import Env, run_command
from petitionkit.cli.intake import Form
from petitionkit.cli.views import case_view, event_view, fields, petition_view, print_case, progress_view, table
from petitionkit.domain.lifecycle import TRANSITIONS
from petitionkit.domain.model import (
    Case,
    Channel,
    DeclineChannel,
    EvaluationRating,
    PetitionerRole,
    PetitionKind,
    ReplyOutcome,
)
from petitionkit.errors import FieldError, InvalidInput
from petitionkit.i18n import translate

if TYPE_CHECKING:
    from petitionkit.service.repeats import RepeatSuspected
    from petitionkit.service.results import Registration

CHANNELS = click.Choice([c.value for c in Channel])
KINDS = click.Choice([k.value for k in PetitionKind])
OUTCOMES = click.Choice([o.value for o in ReplyOutcome])
RATINGS = click.Choice([r.value for r in EvaluationRating])
DECLINE_CHANNELS = click.Choice([c.value for c in DeclineChannel])
DAY = click.DateTime(formats=["%Y-%m-%d"])


def _emit_case(env: Env, case: Case) -> None:
    view = case_view(case, env.labels)
    env.emit({"case": view}, lambda: print_case(view, env.labels))


def _day(value: Any) -> date | None:
    return value.date() if value is not None else None


# --- register ------------------------------------------------------------------------------


def _from_options(opts: dict[str, Any], env: Env) -> dict[str, Any]:
    data: dict[str, Any] = {
        "channel": opts["channel"],
        "kind": opts["kind"],
        "subject": opts["subject"],
        "content": opts["content"],
        "category": opts["category"],
        "region_code": opts["region"],
        "received_at": opts["received_at"] or env.office.now().isoformat(),
        "anonymous": opts["anonymous"],
        "confidential": opts["confidential"],
        "headcount": opts["headcount"],
    }
    if opts["name"]:
        person = {"name": opts["name"], "role": opts["role"]}
        for key in ("id_number", "phone", "address", "email"):
            if opts[key]:
                person[key] = opts[key]
        data["petitioners"] = [person]
    respondent = {k: opts[f"respondent_{k}"] for k in ("person", "unit", "body") if opts[f"respondent_{k}"]}
    if respondent:
        data["respondent"] = {
            "person_name": respondent.get("person"),
            "unit_name": respondent.get("unit"),
            "body_code": respondent.get("body"),
        }
    if opts["joins"]:
        data["joins_case"] = opts["joins"]
    missing = [name for name in ("channel", "kind", "subject", "content", "category", "region") if not opts[name]]
    if missing:
        raise InvalidInput([FieldError(f"--{m}", "required") for m in missing])
    return data


@click.command("register")
@click.option(
    "--file",
    "file",
    type=click.Path(exists=True, dir_okay=False, allow_dash=True, path_type=Path),
    help="JSON document ('-': stdin).",
)
@click.option("--interactive", "-i", is_flag=True, help="Prompt for each field (a clerk taking a visit).")
@click.option("--channel", type=CHANNELS)
@click.option("--kind", type=KINDS)
@click.option("--subject")
@click.option("--content")
@click.option("--category")
@click.option("--region", help="6-digit administrative division code where the matter arose.")
@click.option("--received-at", help="ISO time with offset (default: now).")
@click.option("--name", help="Petitioner's name.")
@click.option("--role", type=click.Choice([r.value for r in PetitionerRole]), default="petitioner")
@click.option("--id-number")
@click.option("--phone")
@click.option("--address")
@click.option("--email")
@click.option("--anonymous", is_flag=True)
@click.option("--confidential", is_flag=True, help="The petitioner asks that identity stay confidential.")
@click.option("--headcount", type=int, default=1, help="People behind a collective petition.")
@click.option("--respondent-person")
@click.option("--respondent-unit")
@click.option("--respondent-body", help="Body code of the unit complained about.")
@click.option("--joins", help="Tracking number of the case this repeat petition joins.")
@click.option("--new", "new", is_flag=True, help="Register as a new matter although repeat candidates were shown.")
@click.option("--reason", help="With --new: why this is a new matter (recorded on the case).")
@click.pass_obj
@run_command
def register(env: Env, /, file: Path | None, interactive: bool, new: bool, reason: str | None, **opts: Any) -> None:
    """Register a petition (登记) from options, a JSON file, or prompts.

    The petition is first checked for repeats (重复信访): when earlier cases look like the same person's
    same matter they are listed with why, and nothing is saved (exit 11) until the clerk joins one
    (--joins CASE) or registers a new matter with a reason (--new --reason TEXT).
    """
    if new != (reason is not None):
        raise click.UsageError(translate("cli.new_with_reason", env.locale))
    form: Form | None = None
    if file is not None:
        # --- input safety (issue 16): the document's encoding is detected (UTF-8, BOM, GB18030/GBK)
        raw = sys.stdin.buffer.read() if str(file) == "-" else file.read_bytes()
        from petitionkit.exchange import decode_document  # noqa: PLC0415 - start-up (issue 21)

        text = decode_document(raw)
        # --- end input safety
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InvalidInput(
                [FieldError(f"--file (line {exc.lineno})", "wrong_type", {"expected": "JSON"})]
            ) from None
    elif interactive:  # a clerk taking a visit (走访登记): cli/intake.py
        form = Form(env.labels)
        form.fill()
        if not form.confirm():
            click.echo(translate("cli.abandoned", env.locale), err=True)
            sys.exit(1)
        data = form.petition(env.office.now().isoformat())
    else:
        data = _from_options(opts, env)
    if opts["joins"]:
        data["joins_case"] = opts["joins"]
    while True:
        try:
            reg = _register_checked(env, data, reason, interactive)
            break
        except InvalidInput as refused:  # interactive: only the fields named are asked again
            if form is None or not form.correct(refused) or not form.confirm():
                raise
            data = {**data, **form.petition(data["received_at"])}
    result: dict[str, Any] = {
        "tracking_number": reg.petition.tracking_number,
        "query_code": reg.query_code,
        "joined_existing_case": reg.joined_existing_case,
        "case": case_view(reg.case, env.labels),
    }

    def human() -> None:
        zh = env.locale == "zh-CN"  # the tracking number heads the case printed below
        click.echo(
            ("查询码（仅显示一次，请告知信访人）：" if zh else "Query code (shown once, give it to the petitioner): ")
            + reg.query_code
        )
        if reg.petition.repeat_of is not None:
            key = "repeats.closed_declined" if reg.case.decline else "repeats.closed_new"
            click.echo(translate(key, env.locale, case=reg.petition.repeat_of))
        print_case(result["case"], env.labels)

    env.emit(result, human)


# --- repeat detection at registration (重复信访; petitionkit.service.repeats) ---------------------------


def _register_checked(env: Env, data: dict[str, Any], reason: str | None, interactive: bool) -> Registration:
    """Register with repeat detection: candidates are shown and nothing is saved until the clerk decides."""
    from petitionkit.service.repeats import RepeatSuspected  # noqa: PLC0415 - start-up (issue 21)

    try:
        return env.office.register(data, refuse_repeats=True, new_reason=reason)
    except RepeatSuspected as exc:
        if env.as_json:
            raise  # the JSON error document lists the candidates
        _print_candidates(exc, env.locale)
        if not interactive:
            click.echo(translate("repeats.choose", env.locale), err=True)
            sys.exit(exc.exit_code)
    answer = click.prompt(translate("repeats.prompt", env.locale), err=True).strip()
    if answer.lower() == "new":
        reason = click.prompt(translate("repeats.prompt_reason", env.locale), err=True)
        return env.office.register(data, refuse_repeats=True, new_reason=reason)
    return env.office.register({**data, "joins_case": answer})


def _print_candidates(exc: RepeatSuspected, locale: str) -> None:
    click.echo(translate("repeats.header", locale), err=True)
    for candidate in exc.candidates:
        click.echo("  " + candidate.describe(locale), err=True)


# --- one command per use case --------------------------------------------------------------


def _case_action(name: str, doc: str, use_case: str, *options: Callable[[Any], Any]) -> click.Command:
    """A command ``NAME REF [options]`` that runs one use case (an :class:`Office` method's name) and prints
    the case.  By name, so the service layer is imported when a command runs, not at start-up (issue 21)."""

    @click.pass_obj
    @run_command
    def command(env: Env, /, ref: str, **kwargs: Any) -> None:
        kwargs = {k: (_day(v) if k in _DATE_OPTIONS else v) for k, v in kwargs.items()}
        call: Callable[..., Case] = getattr(env.office, use_case)
        _emit_case(env, call(ref, **kwargs))

    command.__doc__ = doc
    for option in reversed(options):
        command = option(command)
    return click.command(name)(click.argument("ref")(command))


#: Options that take a date (YYYY-MM-DD); the lifecycle refuses one after today or before the step it follows.
_DATE_OPTIONS = frozenset({"delivered_on", "requested_on", "received_on"})


_DELIVERED = (
    "Day the petitioner received it (YYYY-MM-DD, default today; not after today, nor before the step it follows)."
)
_REQUESTED = "Day the request was made (YYYY-MM-DD, default today; not before the delivery that opened the window)."


_CITE = click.option("--cite", "citations", multiple=True, help="A provision id cited (repeatable; see 'knowledge').")


def _reason(help_text: str = "Why (told to the petitioner or body).") -> Callable[[Any], Any]:
    return click.option("--reason", required=True, help=help_text)


# What the command line needs for each lifecycle action: its command path, help, use case and options.
# The list of case commands is generated from the lifecycle's TRANSITIONS, so an action without an
# entry here fails at import (and every CLI test with it).
_OPTIONS: dict[str, tuple[tuple[str, ...], str, str, tuple[Callable[[Any], Any], ...]]] = {
    "accept": (
        ("accept",),
        "Accept the case for handling (受理).",
        "accept",
        (click.option("--note", default=""),),
    ),
    "decline": (
        ("decline",),
        "Decline (不予受理) with the reason and the channel to use instead.",
        "decline",
        (_reason(), click.option("--channel", type=DECLINE_CHANNELS, required=True), _CITE),
    ),
    "transfer": (
        ("transfer",),
        "Transfer (转送) to a body; no report owed.",
        "transfer",
        (click.option("--body", required=True), click.option("--note", default="")),
    ),
    "assign": (
        ("assign",),
        "Assign (交办) to a body, which owes a result report.",
        "assign",
        (click.option("--body", required=True), click.option("--note", default="")),
    ),
    "object": (
        ("object",),
        "Record a body's objection that the referral is outside its competence.",
        "record_objection",
        (_reason(),),
    ),
    "extend": (
        ("extend",),
        "Extend the handling period once (延期), with approval.",
        "extend",
        (click.option("--days", type=int, required=True), _reason(), click.option("--approved-by", required=True)),
    ),
    "supervise": (
        ("supervise",),
        "Supervise (督办) a late or badly handled assignment.",
        "supervise",
        (_reason(),),
    ),
    "record_report": (
        ("record-report",),
        "Record an assigned body's result report (办结报告).",
        "record_report",
        (
            click.option("--outcome", type=OUTCOMES, required=True),
            click.option("--text", required=True),
            click.option("--delivered-on", type=DAY, help=_DELIVERED),
        ),
    ),
    "record_feedback": (
        ("feedback",),
        "Record a body's feedback on a transfer (every feedback is kept).",
        "record_feedback",
        (
            click.option("--text", required=True),
            click.option("--received-on", type=DAY, help="When the feedback arrived (default: today)."),
        ),
    ),
    "reply": (
        ("reply",),
        "Record the written reply (答复/处理意见书).",
        "reply",
        (
            click.option("--outcome", type=OUTCOMES, required=True),
            click.option("--text", required=True),
            click.option("--delivered-on", type=DAY, help=_DELIVERED),
            _CITE,
            click.option("--findings-of", default=None, help="An investigation whose findings the reply states."),
        ),
    ),
    "evaluate": (
        ("evaluate",),
        "Record the petitioner's rating (满意度评价).",
        "evaluate",
        (click.option("--rating", type=RATINGS, required=True), click.option("--comment", default="")),
    ),
    "request_review": (
        ("review", "request"),
        "The petitioner requests review within the window.",
        "request_review",
        (_reason(), click.option("--organ", required=True), click.option("--requested-on", type=DAY, help=_REQUESTED)),
    ),
    "decide_review": (
        ("review", "decide"),
        "Record the review opinion.",
        "decide_review",
        (
            click.option("--outcome", type=OUTCOMES, required=True),
            click.option("--opinion", required=True),
            click.option("--delivered-on", type=DAY, help=_DELIVERED),
        ),
    ),
    "request_rereview": (
        ("rereview", "request"),
        "The petitioner requests re-review within the window.",
        "request_rereview",
        (_reason(), click.option("--organ", required=True), click.option("--requested-on", type=DAY, help=_REQUESTED)),
    ),
    "decide_rereview": (
        ("rereview", "decide"),
        "Record the re-review opinion; the matter is terminated.",
        "decide_rereview",
        (click.option("--outcome", type=OUTCOMES, required=True), click.option("--opinion", required=True)),
    ),
    "terminate": (
        ("terminate",),
        "Terminate (终结) once the review window has lapsed.",
        "terminate",
        (_reason(),),
    ),
    "withdraw": (
        ("withdraw",),
        "The petitioner withdraws (撤回).",
        "withdraw",
        (click.option("--reason", default=""),),
    ),
}

_GROUPS = {
    "review": click.Group("review", help="Review (复查): request and decide."),
    "rereview": click.Group("rereview", help="Re-review (复核): request and decide."),
}


def _lifecycle_commands() -> list[click.Command]:
    """One command per lifecycle action, in the order of ``TRANSITIONS`` (grouped where the path says)."""
    top: list[click.Command] = []
    for transition in TRANSITIONS:
        path, doc, call, options = _OPTIONS[transition.action]
        command = _case_action(path[-1], doc, call, *options)
        if len(path) == 1:
            top.append(command)
        else:
            group = _GROUPS[path[0]]
            group.add_command(command)
            if group not in top:
                top.append(group)
    return top


#: Command path of each lifecycle action (for docs and tests).
CLI_PATHS: dict[str, tuple[str, ...]] = {action: spec[0] for action, spec in _OPTIONS.items()}

ACTIONS: list[click.Command] = [
    *_lifecycle_commands(),
    _case_action(
        "resolve-respondent",
        "Resolve an accusation's respondent unit (确认被检举单位) so the guard knows whom to keep it from.",
        "resolve_respondent",
        click.option("--body", default=None, help="Code of the body the accused unit is."),
        click.option("--unlisted", is_flag=True, help="The unit is none of the bodies the office knows."),
        click.option("--petition", default=None, help="Tracking number of one accusation petition (default: all)."),
    ),
]


# --- reading a case --------------------------------------------------------------------------


@click.command("show")
@click.argument("ref")
@click.option("--petitions", "with_petitions", is_flag=True, help="Include the petitions (personal data).")
@click.pass_obj
@run_command
def show(env: Env, ref: str, with_petitions: bool) -> None:
    """Show a case by tracking number or id."""
    case = env.office.case(ref)
    labels = env.labels
    view: dict[str, Any] = {"case": case_view(case, labels)}
    petitions = env.office.petitions(ref) if with_petitions else []
    if with_petitions:
        view["petitions"] = [petition_view(p, labels) for p in petitions]

    def human() -> None:
        print_case(view["case"], labels)
        if petitions:
            click.echo("")
            table(
                [labels.word(f"view.{k}") for k in ("tracking_number", "channel", "received_at", "petitioners")],
                [
                    (
                        p.tracking_number,
                        labels.channel(p.channel),
                        labels.time(p.received_at),
                        labels.joined(person.name for person in p.petitioners) or labels.word("view.anonymous"),
                    )
                    for p in petitions
                ],
            )

    env.emit(view, human)


@click.command("events")
@click.argument("ref")
@click.option("--verify", is_flag=True, help="Check the hash chain; exit 9 if it is broken.")
@click.pass_obj
@run_command
def events(env: Env, ref: str, verify: bool) -> None:
    """The audit trail of a case (who did what, when)."""
    trail = env.office.events(ref)
    broken = env.office.verify_audit_trail(ref) if verify else None
    labels = env.labels
    data: dict[str, Any] = {"events": [event_view(e, labels) for e in trail]}
    if verify:
        data["intact"] = broken is None
        data["break"] = None if broken is None else {"sequence": broken.sequence, "problem": broken.problem}

    def human() -> None:
        table(
            [labels.word(f"view.{k}") for k in ("sequence", "time", "actor", "event")],
            [(e.sequence, labels.time(e.occurred_at), e.actor, labels.event(e.name)) for e in trail],
        )
        if verify:
            click.echo(
                labels.word("view.intact")
                if broken is None
                else labels.word("view.broken", sequence=broken.sequence, problem=broken.problem)
            )

    env.emit(data, human)
    if broken is not None:
        sys.exit(9)


@click.command("lookup")
@click.argument("query_code")
@click.pass_obj
@run_command
def lookup(env: Env, query_code: str) -> None:
    """What a petitioner sees with the query code (查询码)."""
    labels = env.labels
    progress = env.office.lookup(query_code)
    view = progress_view(progress, labels)

    def human() -> None:
        fields(
            [
                ("tracking_number", progress.tracking_number),
                ("state", labels.state(progress.state)),
                ("received_at", labels.time(progress.received_at)),
                ("updated_at", labels.time(progress.updated_at)),
                ("next_due", labels.day(progress.next_due)),
                ("replied_on", labels.day(progress.replied_on)),
            ],
            labels,
        )

    env.emit({"progress": view}, human)


COMMANDS: list[click.Command] = [register, show, events, lookup, *ACTIONS]
