"""Stable JSON views of domain objects (documented in docs/cli.md) and their table forms."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import click

from petitionkit.domain.events import Event
from petitionkit.domain.model import Case, Obligation, Petition
from petitionkit.i18n import translate
from petitionkit.serialization import unstructure

if TYPE_CHECKING:
    from petitionkit.rules.calendar import ScheduleWarning
    from petitionkit.service import Progress


def obligation_view(o: Obligation, locale: str) -> dict[str, Any]:
    return {
        "id": o.id,
        "case_id": o.case_id,
        "clock": o.clock.value,
        "clock_label": translate("clock." + o.clock.value, locale),
        "owed_by": o.owed_by.value,
        "owed_to": o.owed_to.value,
        "status": o.status.value,
        "due": o.due.isoformat(),
        "provisional": o.basis.provisional,
        "body_code": o.body_code,
        "basis": unstructure(o.basis),
    }


def due_label(view: dict[str, Any], locale: str) -> str:
    """A due date as a table shows it: marked when it is provisional (预计)."""
    if not view.get("provisional"):
        return str(view["due"])
    return f"{view['due']}（预计）" if locale == "zh-CN" else f"{view['due']} (provisional)"


def print_schedule_warning(warning: ScheduleWarning | None, locale: str) -> None:
    """Say on stderr (stdout stays a table or JSON) that next year's holiday schedule is missing."""
    if warning is not None:
        click.echo(warning.text(locale), err=True)


def case_view(case: Case, locale: str) -> dict[str, Any]:
    return {
        "id": case.id,
        "tracking_number": case.first_tracking_number,
        "state": case.state.value,
        "state_label": translate("state." + case.state.value, locale),
        "kind": case.kind.value,
        "category": case.category,
        "region_code": case.region_code,
        "subject": case.subject,
        "opened_at": case.opened_at.isoformat(),
        "updated_at": case.updated_at.isoformat() if case.updated_at else None,
        "version": case.version,
        "confidential": case.confidential,
        "anonymous": case.anonymous,
        "petition_count": len(case.petition_ids),
        "respondent": unstructure(case.respondent),
        "obligations": [obligation_view(o, locale) for o in case.obligations],
        "referrals": unstructure(list(case.referrals)),
        "decline": unstructure(case.decline),
        "extension": unstructure(case.extension),
        "reply": unstructure(case.reply),
        "evaluations": unstructure(list(case.evaluations)),
        "review": unstructure(case.review),
        "rereview": unstructure(case.rereview),
        "closed_reason": case.closed_reason,
        "allowed_actions": list(_allowed(case)),
    }


def _allowed(case: Case) -> tuple[str, ...]:
    from petitionkit.domain.lifecycle import allowed_actions  # noqa: PLC0415

    return allowed_actions(case)


def petition_view(p: Petition) -> dict[str, Any]:
    data: dict[str, Any] = unstructure(p)
    data.pop("query_code_digest", None)
    return data


def event_view(e: Event) -> dict[str, Any]:
    return {
        "sequence": e.sequence,
        "name": e.name,
        "actor": e.actor,
        "occurred_at": e.occurred_at.isoformat(),
        "payload": dict(e.payload),
        "digest": e.digest,
    }


def progress_view(p: Progress, locale: str) -> dict[str, Any]:
    return {
        "tracking_number": p.tracking_number,
        "state": p.state.value,
        "state_label": translate("state." + p.state.value, locale),
        "received_at": p.received_at.isoformat(),
        "next_due": p.next_due.isoformat() if p.next_due else None,
        "replied_on": p.replied_on.isoformat() if p.replied_on else None,
        "updated_at": p.updated_at.isoformat() if p.updated_at else None,
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


def print_case(view: dict[str, Any], locale: str) -> None:
    zh = locale == "zh-CN"
    labels = (
        ("受理编号", "Tracking number", "tracking_number"),
        ("状态", "State", "state_label"),
        ("类别", "Kind", "kind"),
        ("分类", "Category", "category"),
        ("发生地", "Region", "region_code"),
        ("事由", "Subject", "subject"),
        ("收到时间", "Received", "opened_at"),
        ("信访件数", "Petitions", "petition_count"),
    )
    for zh_label, en_label, key in labels:
        click.echo(f"{_pad(zh_label if zh else en_label, 16)}{view[key]}")
    if view["obligations"]:
        click.echo("")
        table(
            [
                "期限" if zh else "Clock",
                "责任方" if zh else "Owed by",
                "到期" if zh else "Due",
                "状态" if zh else "Status",
            ],
            [
                (o["clock_label"], o["body_code"] or o["owed_by"], due_label(o, locale), o["status"])
                for o in view["obligations"]
            ],
        )
    click.echo("")
    click.echo(("可执行：" if zh else "Allowed: ") + ", ".join(view["allowed_actions"]))


def print_cases(views: Sequence[dict[str, Any]], locale: str) -> None:
    zh = locale == "zh-CN"
    headers = (
        ["受理编号", "状态", "类别", "分类", "发生地", "事由"]
        if zh
        else ["Tracking number", "State", "Kind", "Category", "Region", "Subject"]
    )
    table(
        headers,
        [
            (v["tracking_number"], v["state_label"], v["kind"], v["category"], v["region_code"], v["subject"][:24])
            for v in views
        ],
    )


def print_obligations(views: Sequence[dict[str, Any]], locale: str, tracking: dict[str, str]) -> None:
    zh = locale == "zh-CN"
    headers = (
        ["到期", "受理编号", "期限", "责任方", "状态"]
        if zh
        else ["Due", "Tracking number", "Clock", "Owed by", "Status"]
    )
    table(
        headers,
        [
            (
                due_label(v, locale),
                tracking.get(v["case_id"], v["case_id"]),
                v["clock_label"],
                v["body_code"] or v["owed_by"],
                v["status"],
            )
            for v in views
        ],
    )
