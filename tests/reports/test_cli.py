"""``petitionkit report …`` and ``petitionkit document …`` through click's CliRunner (JSON documents parsed)."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner, Result
from docx import Document

from petitionkit.cli import cli as main_cli
from petitionkit.cli.report_cmds import COMMANDS
from petitionkit.testing import SHANGHAI, FakeClock, office_settings, open_test_office, principals_toml, sample_petition

# The top-level group with these commands registered, as cli/__init__.py registers them (a copy, so the
# test does not depend on the order the lead adds them in, nor change the group other tests use).
cli = click.Group(
    name=main_cli.name,
    callback=main_cli.callback,
    params=main_cli.params,
    commands={**main_cli.commands, **{c.name: c for c in COMMANDS if c.name}},
    context_settings=main_cli.context_settings,
)

CONFIG = """
[office]
office_code = "XS"
office_name = "萧山区人大常委会信访室"

[database]
url = "sqlite:///{db}"

[[bodies]]
code = "GOV-HRSS"
name = "区人力资源和社会保障局"
kind = "government_department"

[settings.documents]
templates = "my-templates"
"""


@pytest.fixture
def run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    (tmp_path / "petitionkit.toml").write_text(
        CONFIG.format(db=tmp_path / "office.db") + principals_toml(), encoding="utf-8"
    )
    monkeypatch.chdir(tmp_path)
    clock = FakeClock(datetime(2026, 3, 12, 9, 0, tzinfo=SHANGHAI))
    settings = {
        **office_settings(office_code="XS"),
        "database": {"url": f"sqlite:///{tmp_path / 'office.db'}"},
        "settings": {"sql": {"sqlite_synchronous": "off"}},
    }
    office = open_test_office(settings, clock=clock)
    for day in range(2, 12):
        office.register(sample_petition(received_at=f"2026-03-{day:02d}T09:00:00+08:00"))
    office.transfer("XS-2026-000001", body="GOV-HRSS")
    office.close()
    clock.current = datetime(2026, 4, 2, 9, 0, tzinfo=SHANGHAI)
    runner = CliRunner()

    def invoke(*args: str, code: int = 0) -> Result:
        result = runner.invoke(cli, list(args), catch_exceptions=False, obj={"clock": clock})
        assert result.exit_code == code, result.output + result.stderr
        return result

    return invoke


def test_report_period_json_prints_the_report(run: Any) -> None:
    data = json.loads(run("--json", "report", "period", "--period", "2026-03").stdout)
    assert data["period"]["label"] == "2026年3月"
    assert data["totals"][0]["current"] == 10
    assert data["referrals"]["transfers"] == 1


def test_report_period_from_to_writes_each_format(run: Any, tmp_path: Path) -> None:
    for fmt in ("html", "csv", "docx", "json"):
        target = tmp_path / f"report.{fmt}"
        receipt = json.loads(
            run(
                "--json", "report", "period", "--from", "2026-03-01", "--to", "2026-03-31", "--output", str(target)
            ).stdout
        )
        assert receipt["format"] == fmt and receipt["output"] == str(target) and target.stat().st_size > 1000
        assert "2026年3月" in receipt["title"]
    assert "萧山区人大常委会信访室" in "\n".join(p.text for p in Document(str(tmp_path / "report.docx")).paragraphs)


def test_report_period_needs_an_output_for_html(run: Any) -> None:
    result = run("--json", "report", "period", "--period", "2026-03", "--format", "html", code=2)
    assert json.loads(result.stdout)["fields"][0]["field"] == "--output"


def test_report_period_rejects_a_bad_period(run: Any) -> None:
    result = run("--json", "report", "period", "--period", "March", code=2)
    assert json.loads(result.stdout)["error"] == "invalid_input"


def test_report_period_human_output(run: Any) -> None:
    out = run("report", "period", "--period", "2026-03", "--no-signals").stdout
    assert "萧山区人大常委会信访室2026年3月信访工作情况报告" in out and "信访件次" in out


def test_report_signals_json(run: Any) -> None:
    data = json.loads(run("--json", "report", "signals", "--period", "2026-03", "--history", "3").stdout)
    assert data["trends"] == [] and data["trend_method"]["history_used"] == 0
    assert "Benjamini-Hochberg" in data["trend_method"]["description"]


def test_document_make_and_placeholders(run: Any, tmp_path: Path) -> None:
    target = tmp_path / "转送函.docx"
    data = json.loads(
        run("--json", "document", "make", "transfer-letter", "XS-2026-000001", "--output", str(target)).stdout
    )
    assert data["document"]["document"] == "transfer-letter" and target.exists()
    assert "区人力资源和社会保障局" in "\n".join(p.text for p in Document(str(target)).paragraphs)
    listed = json.loads(run("--json", "document", "placeholders", "supervision-notice").stdout)
    assert "supervision_reply_due" in listed["documents"]["supervision-notice"]["required"]
    refused = run("--json", "document", "make", "handling-opinion", "XS-2026-000002", "--output", "x.docx", code=3)
    assert json.loads(refused.stdout)["error"] == "document_not_applicable"
    unknown = run("--json", "document", "make", "memo", "XS-2026-000002", "--output", "x.docx", code=2)
    assert json.loads(unknown.stdout)["error"] == "invalid_input"


def test_document_check_templates_and_export(run: Any, tmp_path: Path) -> None:
    ok = json.loads(run("--json", "document", "check-templates").stdout)
    assert ok["ok"] and ok["folder"] == str(tmp_path / "my-templates")
    exported = json.loads(run("--json", "document", "export-templates").stdout)
    assert len(exported["written"]) == 7 and (tmp_path / "my-templates" / "transfer-letter.docx").exists()
    broken = tmp_path / "my-templates" / "extension-notice.docx"
    broken.write_text("not a template", encoding="utf-8")
    result = run("--json", "document", "check-templates", code=7)
    data = json.loads(result.stdout)
    bad = [t for t in data["templates"] if not t["ok"]]
    assert not data["ok"] and [t["document"] for t in bad] == ["extension-notice"] and bad[0]["source"] == "office"


def test_an_overdue_provisional_due_date_is_marked_in_the_report(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "office.db"
    (tmp_path / "petitionkit.toml").write_text(
        CONFIG.format(db=db) + principals_toml() + '\n[rules]\nset = "national"\n', encoding="utf-8"
    )
    monkeypatch.chdir(tmp_path)
    clock = FakeClock(datetime(2026, 12, 20, 9, 0, tzinfo=SHANGHAI))
    settings = {**office_settings(office_code="XS"), "rules": {"set": "national"}}
    office = open_test_office({**settings, "database": {"url": f"sqlite:///{db}"}}, clock=clock)
    office.register(sample_petition(received_at="2026-12-20T09:00:00+08:00"))  # notice due Mon 4 Jan 2027
    office.close()
    clock.current = datetime(2027, 1, 20, 9, 0, tzinfo=SHANGHAI)
    runner = CliRunner()
    args = ["report", "period", "--period", "2026-12", "--no-signals"]
    data = json.loads(runner.invoke(cli, ["--json", *args], obj={"clock": clock}).stdout)
    (oldest,) = data["overdue"]["oldest"]
    assert (oldest["due"], oldest["provisional"]) == ("2027-01-04", True)
    target = tmp_path / "report.html"
    runner.invoke(cli, ["--json", *args, "--output", str(target)], obj={"clock": clock}, catch_exceptions=False)
    assert "2027-01-04（预计）" in target.read_text(encoding="utf-8")
