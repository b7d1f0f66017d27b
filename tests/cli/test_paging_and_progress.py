"""Lists a page at a time and progress of long work, through the command line on today's real date.

An office made by ``petitionkit init`` imports petitions received in January 2026, so on any later
day their acceptance decisions are overdue; no clock is injected anywhere here.
"""

from __future__ import annotations

import json
import os
import pty
import re
import select
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from petitionkit.cli import cli

COUNT = 12
PETITIONKIT = shutil.which("petitionkit", path=str(Path(sys.executable).parent)) or "petitionkit"


def _rows() -> str:
    rows = [
        {
            "source_ref": f"P{n}",
            "channel": "letter",
            "received_at": f"2026-01-{n % 5 + 5:02d}T09:00:00+08:00",  # ties on the due date, on purpose
            "kind": "claim",
            "subject": f"拖欠工资问题{n}",
            "content": f"被拖欠工资三个月，第{n}件。",
            "category": "labour",
            "region_code": "330109",
            "petitioners": [{"name": f"王{n}", "phone": f"137{n:08d}"}],
        }
        for n in range(COUNT)
    ]
    return "\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n"


@pytest.fixture
def office(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in [k for k in os.environ if k.startswith("PETITIONKIT_")]:
        monkeypatch.delenv(name)
    folder = tmp_path / "office"
    made = CliRunner().invoke(cli, ["init", str(folder)])
    assert made.exit_code == 0, made.output
    (folder / "in.jsonl").write_text(_rows(), encoding="utf-8")
    monkeypatch.chdir(folder)
    return folder


def run(*args: str, code: int = 0, env: dict[str, str] | None = None) -> Result:
    result = CliRunner().invoke(cli, list(args), env=env)
    assert result.exit_code == code, result.output + result.stderr
    return result


def _imported() -> None:
    assert json.loads(run("--json", "import", "in.jsonl").stdout)["imported"] == COUNT


# --- lists ---------------------------------------------------------------------------------------------


def test_overdue_pages_with_cursors_totals_and_json_lines(office: Path) -> None:
    _imported()
    first = json.loads(run("--json", "overdue", "--limit", "5").stdout)
    assert first["count"] == 5 and first["total"] >= COUNT and first["next_cursor"]
    walked, cursor = list(first["obligations"]), first["next_cursor"]
    while cursor:
        page = json.loads(run("--json", "overdue", "--limit", "5", "--cursor", cursor).stdout)
        assert page["total"] == first["total"] and page["count"] <= 5
        walked.extend(page["obligations"])
        cursor = page["next_cursor"]
    assert len(walked) == first["total"] == len({o["id"] for o in walked})
    assert [o["due"] for o in walked] == sorted(o["due"] for o in walked)
    assert all(o["tracking_number"] and o["due"] < first["today"] for o in walked)

    lines = run("overdue", "--jsonl", "--limit", "4").stdout.splitlines()  # pages of 4, every row
    assert [json.loads(line)["id"] for line in lines] == [o["id"] for o in walked]

    table = run("--locale", "zh-CN", "overdue", "--limit", "5").stdout
    assert f"已显示 5 条，共 {first['total']} 条。" in table
    assert f"下一页：petitionkit overdue --cursor {first['next_cursor']}" in table
    every = run("--locale", "en", "overdue", "--all", "--limit", "5").stdout
    assert f"Showing {first['total']} of {first['total']}." in every and "Next page" not in every
    assert sum(o["tracking_number"] in every for o in walked) == len(walked)

    due = json.loads(run("--json", "due", "--days", "400", "--limit", "3").stdout)
    assert due["total"] >= first["total"] and due["count"] == 3


def test_cases_list_pages_and_refusals(office: Path) -> None:
    _imported()
    page = json.loads(run("--json", "list", "--limit", "5").stdout)
    assert page["total"] == COUNT and page["count"] == 5 and page["next_cursor"]
    rest = json.loads(run("--json", "list", "--limit", "50", "--cursor", page["next_cursor"]).stdout)
    assert rest["count"] == COUNT - 5 and rest["next_cursor"] is None
    assert {c["id"] for c in page["cases"]}.isdisjoint(c["id"] for c in rest["cases"])
    assert len(run("list", "--jsonl").stdout.splitlines()) == COUNT

    bad = run("--json", "overdue", "--cursor", "not-ours", code=2)
    assert json.loads(bad.stdout)["fields"][0]["field"] == "cursor"
    other = run("--json", "list", "--cursor", page["next_cursor"], code=0)  # a cases cursor: fine for list
    assert json.loads(other.stdout)["count"] == COUNT - 5
    assert run("--json", "overdue", "--cursor", page["next_cursor"], code=2)  # not a cursor of this list
    assert "--jsonl" in run("--json", "overdue", "--all", code=2).output
    assert "--jsonl" in run("--json", "list", "--jsonl", code=2).output


def test_the_changes_feed_pages_by_position(office: Path) -> None:
    _imported()
    first = json.loads(run("--json", "changes", "--limit", "5").stdout)
    assert first["count"] == 5 and first["next_cursor"]
    following = json.loads(run("--json", "changes", "--limit", "5", "--cursor", first["next_cursor"]).stdout)
    positions = [e["position"] for e in first["events"] + following["events"]]
    assert positions == sorted(positions) and len(set(positions)) == 10
    streamed = [json.loads(line) for line in run("changes", "--jsonl", "--limit", "7").stdout.splitlines()]
    assert [e["position"] for e in streamed][:10] == positions and len(streamed) >= 2 * COUNT
    assert {e["name"] for e in streamed} >= {"PetitionRegistered"}
    table = run("--locale", "zh-CN", "changes", "--all", "--limit", "7").stdout
    assert f"已显示 {len(streamed)} 条。" in table and "+00:00" not in table  # times in the office zone
    assert run("--json", "changes", "--cursor", first["next_cursor"].swapcase(), code=2)


# --- progress ------------------------------------------------------------------------------------------

LINE = re.compile(r"^(\w+): (\d+)/(\d+|\?) ")


def _progress(stderr: str, label: str) -> list[tuple[int, str]]:
    found = [LINE.match(line) for line in stderr.splitlines()]
    return [(int(m[2]), m[3]) for m in found if m and m[1] == label]


def test_progress_is_quiet_when_stderr_is_no_terminal(office: Path) -> None:
    result = run("--locale", "en", "import", "in.jsonl")
    assert _progress(result.stderr, "import") == [] and "ETA" not in result.stderr
    assert "ETA" not in run("--locale", "en", "export", "out.jsonl").stderr


def test_forced_progress_counts_add_up(office: Path) -> None:
    forced = {"PETITIONKIT_PROGRESS": "1"}
    imported = run("--locale", "en", "import", "in.jsonl", env=forced)
    steps = _progress(imported.stderr, "import")
    assert steps and steps[-1] == (COUNT, str(COUNT))  # the file's lines are the total
    assert [done for done, _ in steps] == sorted(done for done, _ in steps)
    assert "ETA" in imported.stderr and "/s" in imported.stderr

    exported = run("--locale", "en", "export", "out.jsonl", env=forced)
    assert _progress(exported.stderr, "export")[-1] == (COUNT, str(COUNT))  # cases, counted by the office
    assert len((office / "out.jsonl").read_text(encoding="utf-8").splitlines()) == COUNT

    recomputed = run("--locale", "en", "recompute", env=forced)
    steps = _progress(recomputed.stderr, "recompute")
    assert steps and steps[-1][0] == int(steps[-1][1]) and len(steps) == int(steps[-1][1])

    verified = run("--locale", "en", "audit", "verify", env=forced)
    assert any(label.startswith("audit") for label in re.findall(r"^(\w+)", verified.stderr, re.M))
    reported = run("--locale", "en", "report", "period", "--period", "2026-01", "--output", "r.json", env=forced)
    steps = [int(done) for done in re.findall(r"^[\w ]+: (\d+)/16 ", reported.stderr, re.M)]
    assert steps == list(range(1, len(steps) + 1)) and len(steps) >= 3  # one line per build step
    silenced = run("--locale", "en", "import", "in.jsonl", env={"PETITIONKIT_PROGRESS": "0"})
    assert _progress(silenced.stderr, "import") == []


def test_a_terminal_gets_a_bar_with_rate_and_eta(office: Path) -> None:
    _imported()
    leader, follower = pty.openpty()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PETITIONKIT_")}
    child = subprocess.Popen(
        [PETITIONKIT, "--locale", "en", "export", "out.jsonl"],
        cwd=office,
        stderr=follower,
        stdout=subprocess.PIPE,
        env=env,
    )
    os.close(follower)
    drawn = b""
    while True:
        ready, _, _ = select.select([leader], [], [], 60)
        if not ready:
            break
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # the child closed its end
            break
        if not chunk:
            break
        drawn += chunk
    assert child.wait(timeout=60) == 0
    os.close(leader)
    text = drawn.decode(errors="replace")
    assert "export" in text and "100%" in text and "/s" in text, text


def test_help_does_not_import_the_progress_helper() -> None:
    code = (
        "import sys\n"
        "from click.testing import CliRunner\n"
        "from petitionkit.cli import cli\n"
        "assert CliRunner().invoke(cli, ['--help']).exit_code == 0\n"
        "print('petitionkit.cli.progress' in sys.modules, 'petitionkit.service.paging' in sys.modules)\n"
    )
    ran = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False, timeout=120)
    assert ran.stdout.split()[0] == "False", ran.stderr
