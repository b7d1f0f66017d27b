"""End to end through the command line on today's real date (no injected clock): an office made by
``petitionkit init`` (master key, SQLite), a photo attached to a case, its digest verified against the
audit trail, found by search, and the accused body's principal unable to read it."""

from __future__ import annotations

import hashlib
import stat
from pathlib import Path
from typing import Any

import pytest

from petitionkit.testing.files import png


@pytest.fixture
def run(cli_office: Any) -> Any:
    return cli_office


def test_a_photo_attached_verified_searched_and_kept_from_the_accused_body(run: Any, tmp_path: Path) -> None:
    letter = ["register", "--channel", "letter", "--kind", "claim", "--subject", "工地欠薪", "--category", "labour"]
    letter += ["--content", "某建筑工地拖欠农民工工资三个月，多次讨要未果。", "--region", "330199"]
    letter += ["--name", "张三", "--phone", "13800138000"]
    ref = run("--as", "wang", *letter)["tracking_number"]
    run("--as", "li", "transfer", ref, "--body", "QX-HRSS")
    photo = tmp_path / "工地照片.png"
    photo.write_bytes(png(5, 4))
    added = run("--as", "wang", "attachments", "add", ref, str(photo), "--kind", "photo", "--type", "image/png")
    digest = hashlib.sha256(photo.read_bytes()).hexdigest()
    assert added["sha256"] == digest and added["filename"] == "工地照片.png"

    trail = run("events", ref)["events"]
    assert [e["payload"]["digest"] for e in trail if e["name"] == "AttachmentAdded"] == [digest]
    assert run("--as", "sun", "attachments", "verify") == {"checked": 1, "intact": True, "broken": []}
    stored = [p for p in (tmp_path / "office" / "attachments").rglob("*") if p.is_file()]
    assert len(stored) == 1 and photo.read_bytes() not in stored[0].read_bytes()
    assert stat.S_IMODE(stored[0].stat().st_mode) == 0o600

    found = run("--as", "li", "search", "欠薪")["results"]
    assert [r["tracking_number"] for r in found] == [ref]
    assert [r["tracking_number"] for r in run("--as", "li", "search", "农民工")["results"]] == [ref]
    assert [r["tracking_number"] for r in run("--as", "li", "search", "--phone", "13800138000")["results"]] == [ref]
    assert run("--as", "sun", "search", "--phone", "13800138000", code=10)["error"] == "permission_denied"

    copy = tmp_path / "copy.png"
    run("--as", "body-hrss", "attachments", "get", added["id"], "--out", str(copy))
    assert copy.read_bytes() == photo.read_bytes()  # an ordinary claim referred to the body

    accusation = ["register", "--channel", "letter", "--kind", "accusation", "--subject", "检举人社局干部"]
    accusation += ["--content", "检举人社局某科长包庇欠薪企业。", "--category", "labour", "--region", "330199"]
    accusation += ["--name", "李四", "--phone", "13900139000", "--joins", ref, "--respondent-body", "QX-HRSS"]
    run("--as", "wang", *accusation)
    refused = run("--as", "body-hrss", "attachments", "get", added["id"], "--out", str(tmp_path / "x.png"), code=10)
    assert refused["error"] == "permission_denied" and not (tmp_path / "x.png").exists()
    assert run("--as", "body-hrss", "search", "欠薪")["results"] == []

    stored[0].write_bytes(stored[0].read_bytes()[:-2])  # altered behind petitionkit's back
    broken = run("--as", "sun", "attachments", "verify", code=9)
    assert broken["intact"] is False and broken["broken"][0]["id"] == added["id"]
