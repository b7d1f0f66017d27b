"""``petitionkit --help`` starts without the heavy parts a clerk's command may never need (issue 21).

The SQL backend pulls in Alembic and the migrations, the repeat check the text tools, the service layer
the rules, notifications and audit; the reports their model, queries and writers.  Each command imports
what it needs when it runs, so start-up (``--help``, or parsing a command's options) pays for none of
it.  ``benchmarks/cli_start.py`` measures the time (target: at most twice ``import sqlalchemy``); this
test keeps the imports that made it slow from coming back.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

NOT_AT_START_UP = (
    "alembic",
    "sqlalchemy",
    "petitionkit.storage.sql",
    "petitionkit.server",
    "petitionkit.web",
    "argon2",
    "jieba",
    "sklearn",
    "docx",
    "docxtpl",
    "petitionkit.service",
    "petitionkit.reports.build",
    "petitionkit.reports.model",
    "petitionkit.reports.output",
    "petitionkit.documents",
    "petitionkit.audit.verify",
    "petitionkit.quickstart",
    "petitionkit.exchange",
    "petitionkit.migration",
    "petitionkit.notifications.planner",
    "petitionkit.rules.compose",
    "petitionkit.storage.memory",
    "uuid6",
)


def imported_by(args: list[str]) -> list[str]:
    """The listed modules that ``petitionkit ARGS`` imported (run by the console script's ``main``)."""
    code = (
        "import sys\n"
        "from petitionkit.cli import main\n"
        f"sys.argv = ['petitionkit', *{args!r}]\n"
        "try:\n"
        "    main()\n"
        "except SystemExit as exc:\n"
        "    assert exc.code in (0, None), exc.code\n"
        f"print('IMPORTED:' + ','.join(m for m in {NOT_AT_START_UP!r} if m in sys.modules))\n"
    )
    ran = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False, timeout=120)
    assert ran.returncode == 0, ran.stderr
    found = ran.stdout.rsplit("IMPORTED:", 1)[1].strip()
    return [m for m in found.split(",") if m]


@pytest.mark.parametrize(
    "args",
    [["--help"], ["report", "--help"], ["report", "period", "--help"], ["register", "--help"], ["audit", "--help"]],
    ids=" ".join,
)
def test_start_up_does_not_import_the_heavy_parts(args: list[str]) -> None:
    assert imported_by(args) == []


def test_the_help_catalogue_is_read_only_when_help_is_printed() -> None:
    code = (
        "import sys\n"
        "from click.testing import CliRunner\n"
        "from petitionkit.cli import cli\n"
        "before = 'petitionkit.cli.helptext' in sys.modules\n"
        "assert CliRunner().invoke(cli, ['--help']).exit_code == 0\n"
        "print(before, 'petitionkit.cli.helptext' in sys.modules)\n"
    )
    ran = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False, timeout=120)
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.split() == ["False", "True"]
