"""``petitionkit import`` and ``petitionkit export``: CSV and JSON Lines."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import click

from petitionkit.cli import history_cmds
from petitionkit.cli.app import Env, run_command
from petitionkit.domain.protection import BodyDirectory
from petitionkit.errors import UnknownBody
from petitionkit.files import open_private
from petitionkit.i18n import translate

if TYPE_CHECKING:  # imported when the command runs, not at start-up (issue 21)
    from petitionkit.service import ImportReport

FORMATS = click.Choice(["csv", "jsonl", "history"])  # history: petitionkit.cli.history_cmds


def _format_of(path: Path, given: str | None) -> str:
    if given:
        return given
    return "csv" if path.suffix.lower() == ".csv" else "jsonl"


def _progress(env: Env, items: Iterator[Any], label: str, total: int | None = None) -> Iterator[Any]:
    """``items`` counted on the progress bar (``petitionkit.cli.progress``: quiet unless stderr is a terminal)."""
    from petitionkit.cli.progress import track  # noqa: PLC0415 - only when it runs

    return track(items, translate("progress.label." + label, env.locale), env.locale, total)


def _rows_in(path: Path, fmt: str) -> int:
    """About how many records the file holds (its lines; less the header of a CSV), for the ETA.

    A CSV field with a line break in it makes this an overestimate: the bar then ends short of 100%.
    """
    with path.open("rb") as stream:
        lines = sum(1 for line in stream if line.strip())
    return max(lines - 1, 0) if fmt == "csv" else lines


@click.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=FORMATS,
    help="Default: from the file name (.csv, else JSON Lines); history: whole cases with their history.",
)
@click.option("--batch-size", type=click.IntRange(1, 100_000), default=1000, show_default=True)
@click.pass_obj
@run_command
def import_command(env: Env, /, path: Path, fmt: str | None, batch_size: int) -> None:
    """Import petitions; bad rows are reported, never half-written; re-running adds nothing twice."""
    office = env.office
    fmt = _format_of(path, fmt)
    if fmt == history_cmds.HISTORY:  # whole case histories: their own module
        data = _report(history_cmds.import_history(env, path, batch_size, _progress))
        env.emit(data, lambda: history_cmds.human_summary(data, env.locale))
        if data["rejected"]:
            sys.exit(2)
        return
    from petitionkit.exchange import open_import, read_csv, read_jsonl  # noqa: PLC0415

    with open_import(path) as stream:  # UTF-8 (with or without BOM) or GB18030/GBK, detected
        reader = read_csv(stream) if fmt == "csv" else read_jsonl(stream)
        rows = _progress(env, reader, "import", _rows_in(path, fmt))
        report = office.import_petitions(rows, batch_size=batch_size)
    data = _report(report)

    env.emit(data, lambda: history_cmds.human_summary(data, env.locale, rows=True))
    if data["rejected"]:
        sys.exit(2)


def _report(report: ImportReport) -> dict[str, Any]:
    return {
        "imported": report.imported,
        "skipped": report.skipped,
        "rejected": [
            {
                "row": r.row,
                "errors": [
                    {
                        "field": e.field,
                        "problem": e.problem,
                        "message": e.message("en"),
                        "message_zh": e.message("zh-CN"),
                    }
                    for e in r.errors
                ],
            }
            for r in report.rejected
        ],
    }


@click.command("export")
@click.argument("path", type=click.Path(dir_okay=False, allow_dash=True, path_type=Path))
@click.option("--format", "fmt", type=FORMATS, help="Default: from the file name (.csv, else JSON Lines).")
@click.option(
    "--body",
    default=None,
    help="Only the cases referred to this body, as the redaction policy lets it read them (export for a body).",
)
@click.pass_obj
@run_command
def export_command(env: Env, /, path: Path, fmt: str | None, body: str | None) -> None:
    """Export every petition of the office (personal data included: handle the file accordingly).

    With --body, export what that body may read: cases guarded against it or with an unresolved
    accusation respondent are left out (each refusal recorded), protected identities withheld.
    """
    office = env.office
    fmt = _format_of(path, fmt)
    if fmt == history_cmds.HISTORY:  # whole case histories: their own module
        count = history_cmds.export_history(env, path, body, _progress)
        if str(path) != "-":
            env.emit({"exported": count, "path": str(path), "format": fmt}, lambda: _exported(env, count))
        return
    from petitionkit.exchange import petition_document, write_csv, write_jsonl  # noqa: PLC0415

    if body is not None and BodyDirectory.of(office.rules.bodies()).code(body) is None:
        raise UnknownBody(body)  # before the file is opened: nothing half-written

    def documents() -> Iterator[dict[str, Any]]:
        if body is not None:
            yield from _progress(env, office.export_for_body(body), "export")
            return
        every_case = _progress(env, office.iter_cases_with_petitions(), "export", office.case_total())
        for case, petitions in every_case:  # counted by case: the total is known, so is the ETA
            for petition in petitions:
                yield petition_document(petition, case.state.value)

    def write(stream: IO[str]) -> int:
        docs = documents()
        return write_csv(docs, stream) if fmt == "csv" else write_jsonl(docs, stream)

    if str(path) == "-":
        count = write(sys.stdout)
    else:
        with open_private(path, encoding="utf-8", newline="") as stream:  # personal data: 0600
            count = write(stream)
    if str(path) != "-":
        env.emit({"exported": count, "path": str(path), "format": fmt}, lambda: _exported(env, count))


def _exported(env: Env, count: int) -> None:
    click.echo(translate("cli.exported", env.locale, count=count))


COMMANDS: list[click.Command] = [import_command, export_command]
