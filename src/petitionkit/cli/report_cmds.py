"""``petitionkit report …`` (period reports, trend signals) and ``petitionkit document …`` (formal documents)."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from petitionkit.cli.app import Env, run_command, to_jsonable
from petitionkit.cli.views import table
from petitionkit.errors import FieldError, InvalidInput
from petitionkit.i18n import translate
from petitionkit.labels import label_of
from petitionkit.reports.extra import require_reports_extra
from petitionkit.reports.formats import FORMATS, SIGNAL_FORMATS

# The reports themselves are imported when a report command runs, not when any command starts (issue 21).
if TYPE_CHECKING:
    from petitionkit.reports.model import PeriodReport, SignalReport
    from petitionkit.reports.periods import Period

DAY = click.DateTime(formats=["%Y-%m-%d"])
# Steps a period report reports to its progress bar (see build_period_report).
_STEPS = 16


def _period(env: Env, period: str | None, start: datetime | None, end: datetime | None) -> Period:
    from petitionkit.reports.periods import Period  # noqa: PLC0415

    if period and (start or end):
        raise InvalidInput([FieldError("--period", "choice", {"choices": "--period, or --from with --to"})])
    if period:
        return Period.parse(period)
    if start or end:
        if not (start and end):
            raise InvalidInput([FieldError("--to" if start else "--from", "required")])
        return Period.between(start.date(), end.date())
    today = env.office.today()
    return Period.month(today.year, today.month).previous()


def period_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """``--period``, ``--from``/``--to`` and ``--office`` (repeatable), shared by the report commands."""
    for option in reversed(
        [
            click.option("--period", help="2026, 2026-03, 2026Q1 or 2026-01-01..2026-03-15 (default: last month)."),
            click.option("--from", "start", type=DAY, help="First day of a date range."),
            click.option("--to", "end", type=DAY, help="Last day of a date range (included)."),
            click.option(
                "--office",
                "offices",
                multiple=True,
                help="Office code to cover (repeat for a city with its counties; default: this office).",
            ),
        ]
    ):
        func = option(func)
    return func


@contextmanager
def _progress(env: Env) -> Iterator[Callable[[str], None] | None]:
    """The report's steps on the progress bar (``petitionkit.cli.progress``): quiet unless stderr is a terminal."""
    from petitionkit.cli.progress import reporting  # noqa: PLC0415 - only when it runs

    with reporting(translate("progress.label.report", env.locale), env.locale) as reporter:
        reporter.total = _STEPS

        def step(name: str) -> None:
            reporter.update(min(reporter.done + 1, _STEPS), _STEPS, label=name)

        yield step


def _write(
    env: Env,
    report: PeriodReport | SignalReport,
    fmt: str | None,
    output: Path | None,
    html_template: Path | None = None,
) -> None:
    """Write or print the report; with --json the document printed is the report or a receipt."""
    from petitionkit.reports.model import PeriodReport  # noqa: PLC0415
    from petitionkit.reports.output import format_of, render, to_json, write_report  # noqa: PLC0415

    chosen = format_of(output, fmt) if output is not None else (fmt or "json")
    if output is None:
        if env.as_json and chosen != "json":
            raise InvalidInput([FieldError("--output", "required")])
        if chosen == "json":
            click.echo(to_json(report))
            return
        if chosen == "csv":
            click.echo(render(report, "csv").decode("utf-8").lstrip("\ufeff"), nl=False)
            return
        raise InvalidInput([FieldError("--output", "required")])
    path = write_report(report, output, chosen, html_template=html_template)
    receipt = {"output": str(path), "format": chosen, "bytes": path.stat().st_size}
    if isinstance(report, PeriodReport):
        receipt |= {"title": report.title, "summary": report.summary}
    env.emit(receipt, lambda: click.echo(f"{'已写入' if env.locale == 'zh-CN' else 'written'}: {path}"))


def _print_period(report: PeriodReport) -> None:
    from petitionkit.reports.build import percent  # noqa: PLC0415

    zh = report.locale == "zh-CN"
    click.echo(report.title)
    click.echo("")
    click.echo(report.summary)
    click.echo("")
    columns = ["项目", "本期", "上期", "去年同期"] if zh else ["Item", "This period", "Previous", "Last year"]
    table(columns, [(f.label, f.current, f.previous, f.last_year) for f in report.totals])
    for dimension in ("category", "region"):
        breakdown = report.breakdown(dimension)
        if breakdown is not None:
            click.echo("")
            table(
                [breakdown.title, *columns[1:]], [(f.label, f.current, f.previous, f.last_year) for f in breakdown.rows]
            )
    click.echo("")
    t = report.timeliness.overall
    click.echo(f"{t.label}: {percent(t.on_time_rate)}")


def _print_signals(report: SignalReport, locale: str) -> None:
    zh = locale == "zh-CN"
    click.echo(report.trend_method.description)
    click.echo("")
    table(
        ["维度", "项目", "本期", "历史均值", "q 值", "事项数"]
        if zh
        else ["Dimension", "Item", "Now", "Mean", "q", "Cases"],
        [(s.dimension, s.label, s.current, s.baseline, f"{s.q_value:.2g}", s.case_count) for s in report.trends],
    )
    click.echo("")
    table(
        ["事由", "关键词", "信访人", "事项"] if zh else ["Subject", "Terms", "Petitioners", "Cases"],
        [(c.subject, "、".join(c.terms[:4]), c.petitioners, " ".join(r.tracking_number for r in c.cases[:6]))
         for c in report.clusters],
    )  # fmt: skip


# --- report ---------------------------------------------------------------------------------------


@click.group("report")
def report_group() -> None:
    """Period reports (统计报告) and trend signals (苗头性、倾向性问题)."""


@report_group.command("period")
@period_options
@click.option("--format", "fmt", type=click.Choice(FORMATS), help="Default: from --output's suffix, else json.")
@click.option(
    "--output", type=click.Path(dir_okay=False, path_type=Path), help="File to write (html and docx need one)."
)
@click.option("--as-of", type=DAY, help="Date that decides what is overdue (default: today).")
@click.option("--no-signals", is_flag=True, help="Leave out trend signals.")
@click.option("--no-clusters", is_flag=True, help="Trend signals without the same-matter clustering.")
@click.option(
    "--html-template",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="The office's own HTML report template (sandboxed; only the documented values).",
)
@click.pass_obj
@run_command
def report_period(
    env: Env,
    /,
    period: str | None,
    start: datetime | None,
    end: datetime | None,
    offices: tuple[str, ...],
    fmt: str | None,
    output: Path | None,
    as_of: datetime | None,
    no_signals: bool,
    no_clusters: bool,
    html_template: Path | None,
) -> None:
    """Every figure of a month, quarter, year or date range, against the previous period and last year."""
    require_reports_extra()
    from petitionkit.reports.build import period_report  # noqa: PLC0415
    from petitionkit.reports.signals import ClusterSettings  # noqa: PLC0415

    chosen = _period(env, period, start, end)
    with _progress(env) as step:
        report = period_report(
            env.office,
            chosen,
            offices=offices,
            locale=env.locale,
            as_of=as_of.date() if as_of else None,
            signals=not no_signals,
            cluster_settings=None if no_clusters else ClusterSettings(),
            progress=step,
        )
    if output is None and fmt is None and not env.as_json:
        _print_period(report)
        return
    _write(env, report, fmt, output, html_template)


@report_group.command("signals")
@period_options
@click.option("--format", "fmt", type=click.Choice(SIGNAL_FORMATS), help="Default: from --output's suffix, else json.")
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--history", type=click.IntRange(1, 60), default=6, show_default=True, help="Periods of history.")
@click.option(
    "--fdr", type=click.FloatRange(0.0001, 0.5), default=0.05, show_default=True, help="False discovery rate."
)
@click.option("--min-count", type=click.IntRange(1), default=5, show_default=True)
@click.option("--min-ratio", type=click.FloatRange(1.0), default=1.5, show_default=True)
@click.option(
    "--threshold", type=click.FloatRange(0.05, 1.0), default=0.5, show_default=True, help="Cosine similarity."
)
@click.option("--min-petitioners", type=click.IntRange(2), default=3, show_default=True)
@click.option("--no-clusters", is_flag=True, help="Rising series only.")
@click.pass_obj
@run_command
def report_signals(
    env: Env,
    /,
    period: str | None,
    start: datetime | None,
    end: datetime | None,
    offices: tuple[str, ...],
    fmt: str | None,
    output: Path | None,
    history: int,
    fdr: float,
    min_count: int,
    min_ratio: float,
    threshold: float,
    min_petitioners: int,
    no_clusters: bool,
) -> None:
    """Categories, regions and respondents rising against their history; one matter raised by many people."""
    require_reports_extra()
    from petitionkit.reports.build import signal_report  # noqa: PLC0415
    from petitionkit.reports.signals import ClusterSettings, TrendSettings  # noqa: PLC0415

    chosen = _period(env, period, start, end)
    with _progress(env) as step:
        report = signal_report(
            env.office,
            chosen,
            offices=offices,
            locale=env.locale,
            trend_settings=TrendSettings(history=history, fdr=fdr, min_count=min_count, min_ratio=min_ratio),
            cluster_settings=None
            if no_clusters
            else ClusterSettings(threshold=threshold, min_petitioners=min_petitioners),
            progress=step,
        )
    if output is None and fmt is None and not env.as_json:
        _print_signals(report, env.locale)
        return
    _write(env, report, fmt, output)


# --- document -------------------------------------------------------------------------------------


@click.group("document")
def document_group() -> None:
    """Formal documents (文书) from the office's Word templates."""


@document_group.command("make")
@click.argument("kind")
@click.argument("ref")
@click.option("--output", required=True, type=click.Path(dir_okay=False, path_type=Path), help="The .docx to write.")
@click.option(
    "--date", "issued", type=DAY,
    help="Date the document bears on its first issue (default: the act's date); a reprint keeps it.",
)  # fmt: skip
@click.pass_obj
@run_command
def document_make(env: Env, /, kind: str, ref: str, output: Path, issued: datetime | None) -> None:
    """Make document KIND (e.g. transfer-letter) for case REF (tracking number or id)."""
    require_reports_extra()
    from petitionkit.documents import make_document  # noqa: PLC0415 - docxtpl loads only here

    made = make_document(env.office, kind, ref, output, issue_date=issued.date() if issued else None)
    shown = label_of("document", made.document, env.locale)
    env.emit({"document": to_jsonable(made)}, lambda: click.echo(f"{shown}: {made.number} {made.dated} {made.path}"))


@document_group.command("check-templates")
@click.pass_obj
@run_command
def document_check(env: Env, /) -> None:
    """Check every template the office would use; exit 7 when one has wrong placeholders."""
    require_reports_extra()
    from petitionkit.documents import check_templates, office_template_folder  # noqa: PLC0415

    checks = check_templates(env.config)
    ok = all(c.ok for c in checks)
    data = {"ok": ok, "folder": str(office_template_folder(env.config)), "templates": to_jsonable(checks)}

    def human() -> None:
        zh = env.locale == "zh-CN"
        table(
            ["文书", "来源", "结果", "未知占位符", "缺少占位符"]
            if zh
            else ["Document", "Source", "OK", "Unknown", "Missing"],
            [(c.document, c.source, "✓" if c.ok else "✗", ", ".join(c.unknown) or c.error or "", ", ".join(c.missing))
             for c in checks],
        )  # fmt: skip

    env.emit(data, human)
    if not ok:
        sys.exit(7)


@document_group.command("export-templates")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path), required=False)
@click.option("--overwrite", is_flag=True, help="Replace templates already in the folder.")
@click.pass_obj
@run_command
def document_export(env: Env, /, folder: Path | None, overwrite: bool) -> None:
    """Copy the default templates into FOLDER (default: the office's template folder) to edit them."""
    require_reports_extra()
    from petitionkit.documents import export_templates, office_template_folder  # noqa: PLC0415

    target = folder or office_template_folder(env.config)
    written = export_templates(target, overwrite=overwrite)

    def human() -> None:
        for path in written:
            click.echo(str(path))

    env.emit({"folder": str(target), "written": [str(p) for p in written]}, human)


@document_group.command("placeholders")
@click.argument("kind", required=False)
@click.pass_obj
@run_command
def document_placeholders(env: Env, /, kind: str | None) -> None:
    """The placeholders each document type's template may use (required ones first)."""
    require_reports_extra()
    from petitionkit.documents import kind_of, placeholder_table  # noqa: PLC0415

    found = placeholder_table()
    if kind is not None:
        found = {kind_of(kind).name: found[kind]}

    def human() -> None:
        for name, sets in found.items():
            click.echo(f"{name}: {' '.join(sets['required'])} | {' '.join(sets['optional'])}")

    env.emit({"documents": found}, human)


#: The register's columns, in CSV and text order (headings: ``register.column.*`` in the catalogue).
REGISTER_COLUMNS = ("number", "kind", "tracking_number", "act_date", "issued_at", "actor", "case_id", "act")


@document_group.command("register")
@click.option("--year", type=int, help="Only numbers of this year.")
@click.option("--kind", help="Only this document type (e.g. transfer-letter).")
@click.option("--case", "case_ref", help="Only documents of this case (tracking number or id).")
@click.option(
    "--format", "fmt", type=click.Choice(["text", "csv"]), default="text", show_default=True,
    help="text: a table; csv: the register as CSV (cells a spreadsheet would run as formulas are escaped).",
)  # fmt: skip
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), help="Write the CSV here (default: stdout).")
@click.pass_obj
@run_command
def document_register(
    env: Env, /, year: int | None, kind: str | None, case_ref: str | None, fmt: str, output: Path | None
) -> None:
    """The document register (发文登记): every document issued, with its number, case, date and issuer."""
    from petitionkit.csvsafe import writer  # noqa: PLC0415
    from petitionkit.documents.kinds import KINDS  # noqa: PLC0415 - no docxtpl needed for the register
    from petitionkit.i18n import translate  # noqa: PLC0415

    if kind is not None and kind not in KINDS:
        raise InvalidInput([FieldError("--kind", "choice", {"choices": ", ".join(KINDS)})])
    entries = env.office.document_register(year=year, kind=kind, case_ref=case_ref)
    zone = env.office.zone
    headings = [translate(f"register.column.{c}", env.locale) for c in REGISTER_COLUMNS]

    def row(entry: Any) -> list[Any]:
        return [
            entry.number,
            translate(f"document.{entry.kind}", env.locale),
            entry.tracking_number,
            entry.act_date.isoformat(),
            entry.issued_at.astimezone(zone).isoformat(timespec="seconds"),
            entry.actor,
            entry.case_id,
            entry.act,
        ]

    if fmt == "csv" and not env.as_json:
        handle = output.open("w", encoding="utf-8-sig", newline="") if output else None
        try:
            out = writer(handle or sys.stdout)
            out.writerow(headings)
            out.writerows(row(e) for e in entries)
        finally:
            if handle:
                handle.close()
        return

    def human() -> None:
        table(headings[:6], [row(e)[:6] for e in entries])

    env.emit({"documents": to_jsonable(entries), "count": len(entries)}, human)


COMMANDS: list[click.Command] = [report_group, document_group]
