"""``petitionkit --help`` starts without the heavy parts a clerk's command may never need (issue 21).

The SQL backend pulls in Alembic and the migrations, the repeat check the text tools: each command
imports them when it runs.  (The report commands still import ``petitionkit.reports`` at start-up;
issue 21 tracks it.)
"""

from __future__ import annotations

import subprocess
import sys

NOT_FOR_HELP = (
    "alembic",
    "petitionkit.storage.sql",
    "petitionkit.server",
    "petitionkit.web",
    "argon2",
    "jieba",
    "sklearn",
    "docx",
)


def test_help_does_not_import_the_sql_backend_alembic_or_the_text_tools() -> None:
    code = (
        "import sys\n"
        "from click.testing import CliRunner\n"
        "from petitionkit.cli import cli\n"
        "assert CliRunner().invoke(cli, ['--help']).exit_code == 0\n"
        f"print(','.join(m for m in {NOT_FOR_HELP!r} if m in sys.modules))\n"
    )
    ran = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False, timeout=120)
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.strip() == ""


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
