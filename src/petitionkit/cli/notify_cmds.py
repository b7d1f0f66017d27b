"""Delivery commands: ``petitionkit dispatch`` (投递通知) and ``petitionkit remind`` (到期提醒), for cron."""

from __future__ import annotations

import signal
import sys
import threading
from types import FrameType
from typing import Any

import click

from petitionkit.cli.app import Env, run_command
from petitionkit.cli.audit_cmds import EXIT_AUDIT_BROKEN, daily_checkpoint
from petitionkit.cli.views import print_schedule_warning
from petitionkit.i18n import translate


@click.command("dispatch")
@click.option("--worker", default=None, help="Worker name recorded on claimed messages (default: dispatcher-<pid>).")
@click.option("--limit", type=click.IntRange(min=1), default=100, show_default=True, help="Messages per batch.")
@click.option("--loop", is_flag=True, help="Keep running: one batch every --interval seconds until stopped.")
@click.option("--interval", type=click.FloatRange(min=0), default=30.0, show_default=True, help="Seconds between runs.")
@click.option("--max-runs", type=click.IntRange(min=1), default=None, help="With --loop: stop after this many runs.")
@click.pass_obj
@run_command
def dispatch(env: Env, worker: str | None, limit: int, loop: bool, interval: float, max_runs: int | None) -> None:
    """Deliver queued notifications (once, or with --loop until SIGTERM / Ctrl-C)."""
    import os  # noqa: PLC0415

    name = worker or f"dispatcher-{os.getpid()}"
    office = env.office
    for missing in office.router.unserved:  # these messages will fail and reach the staff as dead letters
        click.echo(f"{translate('cli.warning', env.locale)}: {missing.setting}: {missing.problem}", err=True)
    stop = threading.Event()
    totals = {"sent": 0, "failed": 0, "dead": 0, "runs": 0}

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous: Any = None
    in_main = threading.current_thread() is threading.main_thread()
    if loop and in_main:
        previous = signal.signal(signal.SIGTERM, on_signal)
    try:
        while True:
            result = office.dispatch(worker=name, limit=limit)
            totals["sent"] += result.sent
            totals["failed"] += result.failed
            totals["dead"] += result.dead
            totals["runs"] += 1
            if not env.as_json and (result.sent or result.failed or result.dead):
                click.echo(_line(env, result.sent, result.failed, result.dead))
            if not loop or (max_runs is not None and totals["runs"] >= max_runs) or stop.wait(interval):
                break
    except KeyboardInterrupt:  # Ctrl-C: finish quietly; a message being sent stays leased and is retried
        pass
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
    env.emit(totals, lambda: click.echo(_line(env, totals["sent"], totals["failed"], totals["dead"], totals["runs"])))


def _line(env: Env, sent: int, failed: int, dead: int, runs: int | None = None) -> str:
    if env.locale == "zh-CN":
        text = f"已送达 {sent}，待重试 {failed}，无法送达 {dead}"
        return text + (f"（共 {runs} 轮）" if runs is not None else "")
    text = f"sent {sent}, to retry {failed}, dead {dead}"
    return text + (f" ({runs} run(s))" if runs is not None else "")


@click.command("remind")
@click.pass_obj
@run_command
def remind(env: Env) -> None:
    """Queue reminders of duties falling due, overdue supervision notices and escalations (once each)."""
    from petitionkit.notifications.reminders import remind as queue_reminders  # noqa: PLC0415 - start-up

    report = queue_reminders(env.office)
    warning = env.office.warn_staff_of_missing_schedule()
    checkpoint = daily_checkpoint(env)  # [settings.audit] checkpoint_daily
    data = {
        "checkpoint": checkpoint,
        "calendar_warning": warning.to_dict() if warning else None,
        "queued": [
            {
                "event": q.event,
                "case_id": q.case_id,
                "tracking_number": q.tracking_number,
                "obligation_id": q.obligation_id,
                "clock": q.clock,
                "due": q.due.isoformat(),
                "threshold": q.threshold,
                "body_code": q.body_code,
                "parent_code": q.parent_code,
            }
            for q in report.queued
        ],
        "reminders": report.reminders,
        "escalations": report.escalations,
        "conflicts": report.conflicts,
    }

    def human() -> None:
        labels = env.labels
        for q in report.queued:
            click.echo(
                f"{q.tracking_number}  {labels.clock(q.clock)}  {q.due.isoformat()}  {labels.threshold(q.threshold)}"
                f"  {labels.body(q.body_code)}".rstrip()
            )
        if env.locale == "zh-CN":
            click.echo(f"提醒 {report.reminders} 条，提请上级督促 {report.escalations} 条")
        else:
            click.echo(f"{report.reminders} reminder(s), {report.escalations} escalation(s)")
        print_schedule_warning(warning, env.locale)
        if checkpoint is not None:
            key = "audit.checkpoint.written" if checkpoint["written"] else "audit.checkpoint.refused"
            click.echo(translate(key, env.locale, where=checkpoint["written"]))

    env.emit(data, human)
    if checkpoint is not None and not checkpoint["intact"]:
        sys.exit(EXIT_AUDIT_BROKEN)


@click.command("receipts")
@click.argument("ref")
@click.pass_obj
@run_command
def receipts(env: Env, /, ref: str) -> None:
    """What the office sent about a case (送达回执): one line per message, without address or text."""
    found = env.office.receipts(ref)
    labels = env.labels
    data = {"receipts": [r.to_dict() | {"finished_at": labels.iso(r.finished_at)} for r in found]}

    def human() -> None:
        for r in found:
            status = translate(f"notifications.status.{r.status}", env.locale)
            finished = labels.time(r.finished_at) or "-"
            audience = translate(f"notifications.audience.{r.audience or 'unknown'}", env.locale)
            kind = labels.message_type(r.type)
            click.echo(f"{kind}  {audience}  {r.channel or '-'}  {status}  {r.attempts}  {finished}")
            if r.last_error:
                click.echo(f"    {r.last_error}")
        click.echo(translate("notifications.receipts.count", env.locale, count=len(found)))

    env.emit(data, human)


COMMANDS: list[click.Command] = [dispatch, remind, receipts]
