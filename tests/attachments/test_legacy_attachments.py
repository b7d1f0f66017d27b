"""Legacy attachments: the files an imported history refers to (path and SHA-256) are stored through the
blob store, verified against their listed digest, and a rerun adds nothing; CLI on today's date."""

from __future__ import annotations

import hashlib
import io
import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from petitionkit.cli import cli
from petitionkit.migration.history import read_history
from petitionkit.testing import FakeClock, office_settings, open_test_office, sample_petition
from petitionkit.testing.files import TINY_PDF, png


def _history(attachments: list[dict[str, Any]]) -> str:
    petition = sample_petition(received_at="2026-01-05T09:00:00+08:00", attachments=attachments)
    doc = {
        "format": "petitionkit-history",
        "version": 1,
        "legacy": {"system": "old", "case_id": "A-1"},
        "state": "accepted",
        "petitions": [petition],
        "steps": [{"action": "accept", "at": "2026-01-08T10:00:00+08:00"}],
    }
    return json.dumps(doc, ensure_ascii=False) + "\n"


def test_referenced_files_are_stored_verified_and_a_rerun_adds_nothing(tmp_path: Path) -> None:
    files = tmp_path / "old-system"
    (files / "2026").mkdir(parents=True)
    photo, letter = png(7, 2), TINY_PDF
    (files / "2026" / "photo.png").write_bytes(photo)
    (files / "2026" / "letter.pdf").write_bytes(letter)
    (files / "2026" / "bad.png").write_bytes(png(1, 1))
    refs = [
        {"name": "现场照片.png", "uri": "2026/photo.png", "sha256": hashlib.sha256(photo).hexdigest()},
        {"name": "来信.pdf", "uri": f"file://{files / '2026' / 'letter.pdf'}", "sha256": None},
        {"name": "错.png", "uri": "2026/bad.png", "sha256": "0" * 64},
        {"name": "丢失.png", "uri": "2026/missing.png", "sha256": "1" * 64},
        {"name": "外部", "uri": "https://oa.example.gov.cn/doc/1"},
        {"name": "越界", "uri": "../outside.png"},
    ]
    config = {**office_settings(), "settings": {"attachments": {"folder": str(tmp_path / "blobs")}}}
    office = open_test_office(config, clock=FakeClock())
    assert office.import_history(read_history(io.StringIO(_history(refs)))).imported == 1
    report = office.import_legacy_attachments(files)
    assert report.stored == 2 and report.skipped == 0
    assert [(p.index, p.reason) for p in report.problems] == [(2, "digest"), (3, "unreadable")]
    (case,) = office.search()
    stored = {a.filename: a for a in office.attachments(case.id)}
    assert set(stored) == {"现场照片.png", "来信.pdf"}
    assert stored["现场照片.png"].digest == refs[0]["sha256"] and stored["来信.pdf"].kind.value == "document"
    assert office.read_attachment(stored["现场照片.png"].id)[1] == photo
    assert [c.problem for c in office.verify_attachments()] == [None, None]
    again = office.import_legacy_attachments(files)
    assert (again.stored, again.skipped) == (0, 2)
    strict = office.import_legacy_attachments(files, require_digest=True)
    assert (1, "digest") in [(p.index, p.reason) for p in strict.problems]


def test_cli_import_legacy_on_todays_date(tmp_path: Path, monkeypatch: Any) -> None:
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()

    def run(*args: str, code: int = 0) -> Any:
        result = runner.invoke(cli, ["--json", *args])
        assert result.exit_code == code, result.output + result.stderr
        return json.loads(result.stdout)

    run("init", "office", "--rules", "builtin", "--no-sample-county")
    monkeypatch.chdir(tmp_path / "office")
    photo = png(3, 8)
    (tmp_path / "files").mkdir()
    (tmp_path / "files" / "p.png").write_bytes(photo)
    refs = [{"name": "p.png", "uri": "p.png", "sha256": hashlib.sha256(photo).hexdigest()}]
    (tmp_path / "history.jsonl").write_text(_history(refs), encoding="utf-8")
    run("import", str(tmp_path / "history.jsonl"), "--format", "history")
    assert run("attachments", "import-legacy", str(tmp_path / "files")) == {"stored": 1, "skipped": 0, "problems": []}
    assert run("attachments", "verify")["checked"] == 1
