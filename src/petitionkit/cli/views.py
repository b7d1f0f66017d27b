"""Stable JSON views of domain objects (documented in docs/cli.md) and their table forms."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

import click

from petitionkit.domain.events import Event
from petitionkit.domain.model import Case, Obligation, Petition
from petitionkit.labels import Labels
from petitionkit.serialization import unstructure

if TYPE_CHECKING:
    from petitionkit.rules.calendar import ScheduleWarning
    from petitionkit.service import Progress


def as_labels(labels: Labels | str) -> Labels:
    """The labels to use: a locale alone gives labels without the office's rule packs or time zone."""
    return Labels(labels) if isinstance(labels, str) else labels


def obligation_view(o: Obligation, labels: Labels | str) -> dict[str, Any]:
    labels = as_labels(labels)
    return {
        "id": o.id,
        "case_id": o.case_id,
        "clock": o.clock.value,
        "clock_label": labels.clock(o.clock),
        "owed_by": o.owed_by.value,
        "owed_by_label": labels.owed_by(o.owed_by, o.body_code),
        "owed_to": o.owed_to.value,
        "status": o.status.value,
        "status_label": labels.obligation_status(o.status),
        "due": o.due.isoformat(),
        "provisional": o.basis.provisional,
        "body_code": o.body_code,
        "basis": unstructure(o.basis),
    }


def due_label(view: dict[str, Any], labels: Labels) -> str:
    """A due date as a table shows it: marked when it is provisional (预计)."""
    if not view.get("provisional"):
        return str(view["due"])
    return labels.word("view.provisional", due=view["due"])


def print_schedule_warning(warning: ScheduleWarning | None, locale: str) -> None:
    """Say on stderr (stdout stays a table or JSON) that next year's holiday schedule is missing."""
    if warning is not None:
        click.echo(warning.text(locale), err=True)


def case_view(case: Case, labels: Labels | str) -> dict[str, Any]:
    """A case as ``--json`` prints it: codes with their labels beside them, times in the office's zone."""
    labels = as_labels(labels)
    allowed = _allowed(case)
    return {
        "id": case.id,
        "tracking_number": case.first_tracking_number,
        "state": case.state.value,
        "state_label": labels.state(case.state),
        "kind": case.kind.value,
        "kind_label": labels.kind(case.kind),
        "category": case.category,
        "category_label": labels.category(case.category),
        "region_code": case.region_code,
        "region_name": labels.region(case.region_code),
        "subject": case.subject,
        "opened_at": labels.iso(case.opened_at),
        "updated_at": labels.iso(case.updated_at),
        "version": case.version,
        "confidential": case.confidential,
        "anonymous": case.anonymous,
        "petition_count": len(case.petition_ids),
        "respondent": unstructure(case.respondent),
        "obligations": [obligation_view(o, labels) for o in case.obligations],
        "referrals": [
            unstructure(r)
            | {
                "body_label": labels.body(r.body_code),
                "mode_label": labels.referral_mode(r.mode),
                "status_label": labels.referral_status(r.status),
            }
            for r in case.referrals
        ],
        "decline": unstructure(case.decline),
        "extension": unstructure(case.extension),
        "reply": unstructure(case.reply),
        "evaluations": unstructure(list(case.evaluations)),
        "review": unstructure(case.review),
        "rereview": unstructure(case.rereview),
        "closed_reason": case.closed_reason,
        "allowed_actions": list(allowed),
        "allowed_commands": [" ".join(command_of(a)) for a in allowed],
        "allowed_labels": [labels.action(a) for a in allowed],
    }


def _allowed(case: Case) -> tuple[str, ...]:
    from petitionkit.domain.lifecycle import allowed_actions  # noqa: PLC0415

    return allowed_actions(case)


def command_of(action: str) -> tuple[str, ...]:
    """The command path that runs lifecycle ``action`` (``record_feedback`` → ``feedback``)."""
    from petitionkit.cli.case_cmds import CLI_PATHS  # noqa: PLC0415 - case_cmds imports this module

    return CLI_PATHS.get(action, (action,))


def petition_view(p: Petition, labels: Labels | str) -> dict[str, Any]:
    labels = as_labels(labels)
    data: dict[str, Any] = unstructure(p)
    data.pop("query_code_digest", None)
    data["received_at"] = labels.iso(p.received_at)
    return data


def event_view(e: Event, labels: Labels | str) -> dict[str, Any]:
    labels = as_labels(labels)
    return {
        "sequence": e.sequence,
        "name": e.name,
        "label": labels.event(e.name),
        "actor": e.actor,
        "occurred_at": labels.iso(e.occurred_at),
        "payload": dict(e.payload),
        "digest": e.digest,
    }


def progress_view(p: Progress, labels: Labels | str) -> dict[str, Any]:
    labels = as_labels(labels)
    return {
        "tracking_number": p.tracking_number,
        "state": p.state.value,
        "state_label": labels.state(p.state),
        "received_at": labels.iso(p.received_at),
        "next_due": p.next_due.isoformat() if p.next_due else None,
        "replied_on": p.replied_on.isoformat() if p.replied_on else None,
        "updated_at": labels.iso(p.updated_at),
    }


# --- tables ------------------------------------------------------------------------------------


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """Print aligned columns (Chinese characters count as two cells)."""
    cells = [[str(h) for h in headers]] + [["" if v is None else str(v) for v in row] for row in rows]
    widths = [max(_width(row[i]) for row in cells) for i in range(len(headers))]
    for n, row in enumerate(cells):
        click.echo("  ".join(_pad(v, w) for v, w in zip(row, widths, strict=True)).rstrip())
        if n == 0:
            click.echo("  ".join("-" * w for w in widths))


def fields(rows: Sequence[tuple[str, Any]], labels: Labels) -> None:
    """Labelled lines (``受理编号      QX-2026-000001``); empty values are left out."""
    shown = [(labels.word("view." + key), value) for key, value in rows if value not in (None, "", [], ())]
    width = max((_width(name) for name, _ in shown), default=0) + 2
    for name, value in shown:
        click.echo(f"{_pad(name, width)}{value}")


def print_case(view: dict[str, Any], labels: Labels) -> None:
    fields(
        [
            ("tracking_number", view["tracking_number"]),
            ("state", view["state_label"]),
            ("kind", view["kind_label"]),
            ("category", view["category_label"]),
            ("region", view["region_name"]),
            ("subject", view["subject"]),
            ("received_at", labels.time(_parsed(view["opened_at"]))),
            ("updated_at", labels.time(_parsed(view["updated_at"]))),
            ("petitions", view["petition_count"]),
            ("confidential", labels.word("view.yes") if view["confidential"] else None),
        ],
        labels,
    )
    if view["obligations"]:
        click.echo("")
        table(
            [labels.word("view." + k) for k in ("clock", "owed_by", "due", "status")],
            [
                (o["clock_label"], o["owed_by_label"], due_label(o, labels), o["status_label"])
                for o in view["obligations"]
            ],
        )
    if view["referrals"]:
        click.echo("")
        table(
            [labels.word("view." + k) for k in ("referred_to", "mode", "status", "referred_at")],
            [
                (r["body_label"], r["mode_label"], r["status_label"], labels.time(_parsed(r["referred_at"])))
                for r in view["referrals"]
            ],
        )
    click.echo("")
    click.echo(labels.word("view.allowed") + ("：" if labels.locale == "zh-CN" else ":"))
    if not view["allowed_actions"]:
        click.echo("  " + labels.word("view.none_allowed"))
    commands = [f"petitionkit {c} {view['tracking_number']}" for c in view["allowed_commands"]]
    width = max((_width(t) for t in view["allowed_labels"]), default=0) + 2
    for text, command in zip(view["allowed_labels"], commands, strict=True):
        click.echo(f"  {_pad(text, width)}{command}")


def _parsed(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def print_cases(views: Sequence[dict[str, Any]], labels: Labels) -> None:
    keys = ("tracking_number", "state", "kind", "category", "region", "subject")
    table(
        [labels.word("view." + k) for k in keys],
        [
            (
                v["tracking_number"],
                v["state_label"],
                v["kind_label"],
                v["category_label"],
                v["region_name"],
                v["subject"][:24],
            )
            for v in views
        ],
    )


def print_obligations(views: Sequence[dict[str, Any]], labels: Labels, tracking: dict[str, str]) -> None:
    keys = ("due", "tracking_number", "clock", "owed_by", "status")
    table(
        [labels.word("view." + k) for k in keys],
        [
            (
                due_label(v, labels),
                tracking.get(v["case_id"], v.get("tracking_number") or v["case_id"]),
                v["clock_label"],
                v["owed_by_label"],
                v["status_label"],
            )
            for v in views
        ],
    )
