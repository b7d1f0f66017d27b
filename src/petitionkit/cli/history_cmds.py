"""``petitionkit import --format history`` and ``petitionkit export --format history``: whole case histories.

Kept apart from the CSV / JSON Lines rows of :mod:`petitionkit.cli.exchange_cmds`, which only branches
here; the format is :mod:`petitionkit.migration.history` (docs/migration.md).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import click

from petitionkit.cli.app import Env
from petitionkit.errors import FieldError, InvalidInput
from petitionkit.files import open_private
from petitionkit.i18n import translate

if TYPE_CHECKING:  # imported when the command runs, not at start-up (issue 21)
    from petitionkit.service import ImportReport

HISTORY = "history"


def import_history(env: Env, path: Path, batch_size: int, progress: Callable[..., Iterator[Any]]) -> ImportReport:
    """Rebuild every case of a history file (UTF-8, with or without BOM) in the office."""
    with path.open(encoding="utf-8-sig", newline="") as stream:
        from petitionkit.migration.history import read_history  # noqa: PLC0415

        lines = progress(env, read_history(stream), "import")
        return env.office.import_history(lines, batch_size=batch_size)


def export_history(env: Env, path: Path, body: str | None, progress: Callable[..., Iterator[Any]]) -> int:
    """Write every case of the office with its history (personal data included: the file is 0600)."""
    if body is not None:
        raise InvalidInput([FieldError("--body", "history_for_body")])
    office = env.office
    from petitionkit.migration.history import history_line  # noqa: PLC0415

    def write(stream: IO[str]) -> int:
        count = 0
        for doc in progress(env, office.export_history(), "export"):
            stream.write(history_line(doc))
            count += 1
        return count

    if str(path) == "-":
        return write(sys.stdout)
    with open_private(path, encoding="utf-8", newline="") as stream:
        return write(stream)


def human_summary(data: dict[str, Any], locale: str, rows: bool = False) -> None:
    """What an import did, in ``locale``; each rejected row (``rows``: CSV rows, else history lines)."""
    click.echo(
        translate(
            "cli.imported", locale, imported=data["imported"], skipped=data["skipped"], rejected=len(data["rejected"])
        )
    )
    message = "message" if locale == "en" else "message_zh"
    for row in data["rejected"]:
        for problem in row["errors"]:
            if rows:
                text = (
                    problem[message].split(": ", 1)[-1]
                    if problem[message].startswith(problem["field"])
                    else problem[message]
                )
                click.echo(translate("cli.rejected_row", locale, row=row["row"], field=problem["field"], message=text))
            else:
                click.echo(translate("cli.rejected_line", locale, row=row["row"], message=problem[message]))
