"""Reception (接谈), investigation (调查核实) and knowledge (法规政策库) on the command line."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

import click

from petitionkit.cli.app import Env, run_command
from petitionkit.domain.casework import (
    CaseworkRecord,
    InquiryKind,
    Investigation,
    InvestigationMode,
    Reception,
    ReceptionChannel,
    kind_of,
    record_json,
)
from petitionkit.domain.knowledge import citation_json
from petitionkit.errors import FieldError, InvalidInput
from petitionkit.i18n import translate

if TYPE_CHECKING:
    from petitionkit.service.casework import KnowledgeView

DAY = click.DateTime(formats=["%Y-%m-%d"])


def _when(value: str | None, field: str) -> datetime | None:
    if value is None:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        raise InvalidInput([FieldError(field, "datetime")]) from None


def knowledge_data(view: KnowledgeView, locale: str) -> dict[str, Any]:
    """What a clerk reads: each provision's label and text, each snippet with what it cites."""
    return {
        "category": view.category,
        "on": view.on.isoformat(),
        "provisions": [
            {
                "id": p.id,
                "level": p.level.value,
                "label": f"{p.title(locale)}{p.article(locale)}"
                if locale != "en"
                else f"{p.title(locale)}, {p.article(locale)}",
                "text": p.text(locale),
                "source": p.source,
                "version": p.version_label,
            }
            for p in view.provisions
        ],
        "snippets": [{"id": s.id, "text": s.text(locale), "cites": list(s.cites)} for s in view.snippets],
    }


def print_knowledge(data: dict[str, Any], locale: str) -> None:
    click.echo(translate("casework.provisions", locale) + ":")
    for p in data["provisions"] or []:
        click.echo(f"  [{p['id']}] {p['label']}: {p['text']}")
    if not data["provisions"]:
        click.echo("  " + translate("casework.nothing", locale))
    click.echo(translate("casework.snippets", locale) + ":")
    for s in data["snippets"]:
        click.echo(f"  [{s['id']}] {s['text']} ({', '.join(s['cites'])})")
    if not data["snippets"]:
        click.echo("  " + translate("casework.nothing", locale))


def record_line(record: CaseworkRecord, locale: str) -> str:
    match record:
        case Reception():
            settled = translate("casework.settled" if record.settled else "casework.not_settled", locale)
            channel = translate(f"casework.channel.{record.channel.value}", locale)
            return translate("casework.reception_recorded", locale, id=record.id, channel=channel, settled=settled)
        case Investigation():
            return translate(
                "casework.investigation_recorded",
                locale,
                id=record.id,
                mode=translate(f"casework.mode.{record.mode.value}", locale),
                inquiries=len(record.inquiries),
                evidence=len(record.evidence),
                state=translate("casework.concluded" if record.findings else "casework.open", locale),
            )
        case _:
            return f"{kind_of(record)} {record.id}"


def _emit_record(env: Env, record: CaseworkRecord) -> None:
    env.emit({kind_of(record): record_json(record)}, lambda: click.echo(record_line(record, env.locale)))


@click.command("knowledge")
@click.option("--category", default=None, help="Only provisions and snippets for this category.")
@click.option("--case", "case_ref", default=None, help="The provisions for this case's category.")
@click.pass_obj
@run_command
def knowledge(env: Env, /, category: str | None, case_ref: str | None) -> None:
    """Laws, regulations and local policies (法规政策库) in force today, and explanation snippets."""
    office = env.office
    view = office.case_knowledge(case_ref) if case_ref else office.knowledge(category)
    data = knowledge_data(view, env.locale)
    env.emit({"knowledge": data}, lambda: print_knowledge(data, env.locale))


@click.command("receive")
@click.argument("ref")
@click.option("--channel", type=click.Choice([c.value for c in ReceptionChannel]), required=True)
@click.option("--asked", required=True, help="What the petitioner asked (诉求).")
@click.option("--explained", required=True, help="What was explained (解释说明).")
@click.option("--response", default="", help="The petitioner's response.")
@click.option("--settled", is_flag=True, help="The matter was settled in the talk (息诉).")
@click.option("--cite", "citations", multiple=True, help="A provision id explained (repeatable; see 'knowledge').")
@click.option("--petition", "petitioner_ref", default=None, help="Tracking number of the petitioner's petition.")
@click.option("--received-at", default=None, help="ISO time with offset (default: now).")
@click.pass_obj
@run_command
def receive(env: Env, /, ref: str, received_at: str | None, **options: Any) -> None:
    """Record a reception talk (接谈) of a visit or call on a case."""
    record = env.office.receive(ref, received_at=_when(received_at, "received_at"), **options)
    _emit_record(env, record)


@click.command("casework")
@click.argument("ref")
@click.option("--purpose", default="", help="Why you read it (kept with the access record).")
@click.option("--verify", is_flag=True, help="Check every record against the audit trail; exit 9 if one differs.")
@click.pass_obj
@run_command
def casework(env: Env, /, ref: str, purpose: str, verify: bool) -> None:
    """The case's receptions, investigations and legal bases (personal data: on record)."""
    if verify:
        broken = env.office.verify_casework(ref)
        env.emit({"broken": broken}, lambda: click.echo("\n".join(broken) or "ok"))
        if broken:
            raise SystemExit(9)
        return
    records = env.office.casework(ref, purpose=purpose)
    data = {"casework": [{"kind": kind_of(r), **record_json(r)} for r in records]}

    def human() -> None:
        for r in records:
            click.echo(record_line(r, env.locale))

    env.emit(data, human)


@click.command("citations")
@click.argument("ref")
@click.pass_obj
@run_command
def citations(env: Env, /, ref: str) -> None:
    """Every provision the case cites, as cited, marked when superseded or amended since."""
    found = env.office.citations(ref)
    data = {
        "citations": [
            {
                "record": v.record_id,
                "kind": v.record_kind,
                "status": v.status.value,
                "status_text": translate(f"casework.status.{v.status.value}", env.locale),
                **citation_json(v.citation),
            }
            for v in found
        ]
    }

    def human() -> None:
        for v in found:
            status = translate(f"casework.status.{v.status.value}", env.locale)
            click.echo(f"{v.citation.label(env.locale)} [{v.citation.version}] {status}")

    env.emit(data, human)


@click.group("investigate")
def investigate() -> None:
    """Investigation (调查核实): plan, interviews, site visits, evidence, findings."""


@investigate.command("plan")
@click.argument("ref")
@click.option("--mode", type=click.Choice([m.value for m in InvestigationMode]), required=True)
@click.option("--investigator", "investigators", multiple=True, required=True, help="Principal id (repeatable).")
@click.option("--place", "places", multiple=True, required=True, help="Where to go (repeatable).")
@click.option("--due-on", type=DAY, required=True, help="YYYY-MM-DD")
@click.option("--purpose", required=True)
@click.pass_obj
@run_command
def plan(env: Env, /, ref: str, due_on: datetime, **options: Any) -> None:
    """Plan an investigation: who goes where, openly (明察) or unannounced (暗访), by when."""
    _emit_record(env, env.office.plan_investigation(ref, due_on=due_on.date(), **options))


def _inquiry(kind: InquiryKind, doc: str) -> click.Command:
    @click.argument("ref")
    @click.argument("investigation")
    @click.option("--place", required=True)
    @click.option("--persons", default="", help="Who was heard or present.")
    @click.option("--summary", required=True)
    @click.option("--at", default=None, help="ISO time with offset (default: now).")
    @click.pass_obj
    @run_command
    def command(env: Env, /, ref: str, investigation: str, at: str | None, **options: Any) -> None:
        record = env.office.record_inquiry(ref, investigation, kind=kind, at=_when(at, "at"), **options)
        _emit_record(env, record)

    command.__doc__ = doc
    return click.command(kind.value.replace("_", "-"))(command)


investigate.add_command(_inquiry(InquiryKind.INTERVIEW, "Record an interview (约谈询问)."))
investigate.add_command(_inquiry(InquiryKind.SITE_VISIT, "Record a site visit (实地查看)."))


@investigate.command("evidence")
@click.argument("ref")
@click.argument("investigation")
@click.option("--attachment-id", required=True, help="The attachment's id in the attachment store.")
@click.option(
    "--digest",
    default=None,
    help="The attachment's SHA-256, to be checked (default: the digest recorded when it was attached).",
)
@click.option("--description", required=True)
@click.option("--inquiry", "inquiry_id", default=None, help="The interview or site visit it comes from.")
@click.pass_obj
@run_command
def evidence(env: Env, /, ref: str, investigation: str, **options: Any) -> None:
    """Add evidence (an attachment reference) to an investigation."""
    _emit_record(env, env.office.add_evidence(ref, investigation, **options))


@investigate.command("findings")
@click.argument("ref")
@click.argument("investigation")
@click.option("--findings", required=True)
@click.pass_obj
@run_command
def findings(env: Env, /, ref: str, investigation: str, findings: str) -> None:
    """Record the findings (调查结论); the investigation is then concluded."""
    _emit_record(env, env.office.record_findings(ref, investigation, findings=findings))


COMMANDS: list[click.Command] = [knowledge, receive, casework, citations, investigate]
