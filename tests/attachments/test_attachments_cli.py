"""End to end through the command line on today's real date (no injected clock): an office made by
``petitionkit init`` (master key, SQLite), a photo attached to a case, its digest verified against the
audit trail, found by search, and the accused body's principal unable to read it."""

from __future__ import annotations

import hashlib
import stat
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from petitionkit.cli import cli
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


def _data_keys(run: Any) -> dict[str, Any]:
    return {k["key_id"]: k for k in run("--as", "admin", "keys", "status")["keys"] if k["purpose"] == "data"}


def _letter(run: Any) -> str:
    letter = ["register", "--channel", "letter", "--kind", "claim", "--subject", "工地欠薪", "--category", "labour"]
    letter += ["--content", "某建筑工地拖欠农民工工资三个月。", "--region", "330199", "--name", "张三"]
    return str(run("--as", "wang", *letter, "--phone", "13800138000")["tracking_number"])


def test_a_key_rotation_reseals_the_attached_files_and_destroys_the_old_key(run: Any, tmp_path: Path) -> None:
    ref = _letter(run)
    files = []
    for n in range(3):
        photo = tmp_path / f"现场{n}.png"
        photo.write_bytes(png(n + 2, 3))
        files.append((run("--as", "wang", "attachments", "add", ref, str(photo)), photo.read_bytes()))
    store = tmp_path / "office" / "attachments"
    before = {p.name for p in store.rglob("*") if p.is_file()}
    (old,) = _data_keys(run)
    assert _data_keys(run)[old]["blobs"] == 3 and _data_keys(run)[old]["values"] >= 3 + 3  # blobs and names

    rotated = run("--as", "admin", "keys", "rotate")
    assert rotated["destroyed"] == [old] and rotated["left"] == 0
    assert (rotated["blobs_resealed"], rotated["blobs_deleted"], rotated["blobs_damaged"]) == (3, 3, [])
    keys = _data_keys(run)
    (new,) = set(keys) - {old}
    assert keys[old]["state"] == "destroyed" and keys[new]["blobs"] == 3

    after = {p.name for p in store.rglob("*") if p.is_file()}
    assert len(after) == 3 and not after & before  # the old sealed files are gone from the store
    for added, data in files:
        copy = tmp_path / "copy.png"
        run("--as", "li", "attachments", "get", added["id"], "--out", str(copy))
        assert copy.read_bytes() == data and added["sha256"] == hashlib.sha256(data).hexdigest()
    assert run("--as", "sun", "attachments", "verify") == {"checked": 3, "intact": True, "broken": []}
    run("--as", "sun", "audit", "verify")
    assert run("--as", "admin", "keys", "rotate")["blobs_resealed"] == 3  # a second rotation does it again


def test_keys_status_counts_the_files_left_under_a_retiring_key_in_both_languages(run: Any, tmp_path: Path) -> None:
    ref = _letter(run)
    photo = tmp_path / "现场.png"
    photo.write_bytes(png(2, 2))
    run("--as", "wang", "attachments", "add", ref, str(photo))
    runner = CliRunner()
    shown = runner.invoke(cli, ["--as", "admin", "--locale", "zh-CN", "keys", "status"])
    assert shown.exit_code == 0 and "（其中附件 1 个）" in shown.stdout
    shown = runner.invoke(cli, ["--as", "admin", "--locale", "en", "keys", "status"])
    assert shown.exit_code == 0 and "(of which 1 attachment files)" in shown.stdout


def test_keys_rotate_finishes_a_blob_pass_cut_after_its_commit(run: Any, tmp_path: Path) -> None:
    """A pass stopped after a batch's commit and before its old blobs were deleted (a power cut): the
    next ``keys rotate`` says it resumes, deletes what was released, re-seals the rest."""
    from petitionkit.config import OfficeConfig
    from petitionkit.storage.sql import SqlStorage, blob_rotation, rotation
    from petitionkit.testing import open_test_office

    ref = _letter(run)
    for n in range(3):
        photo = tmp_path / f"{n}.png"
        photo.write_bytes(png(n + 2, 2))
        run("--as", "wang", "attachments", "add", ref, str(photo))
    store_folder = tmp_path / "office" / "attachments"
    (old,) = _data_keys(run)

    class PowerCut(Exception):
        pass

    def cut() -> None:
        raise PowerCut

    with open_test_office(OfficeConfig.load(tmp_path / "office" / "petitionkit.toml")) as office:
        store = office.storage
        assert isinstance(store, SqlStorage)
        rotation.start(store, "QX")
        rotation.reencrypt(store, "QX")
        with pytest.raises(PowerCut):
            blob_rotation.reseal_blobs(store, "QX", office.blob_store, batch_size=2, released=cut)
    assert len([p for p in store_folder.rglob("*") if p.is_file()]) == 5  # 3 old + 2 new, none deleted
    assert _data_keys(run)[old]["blobs"] == 1

    resumed = run("--as", "admin", "keys", "rotate")
    assert resumed["resumed"] is True and resumed["destroyed"] == [old]
    assert (resumed["blobs_resealed"], resumed["blobs_deleted"]) == (1, 3)  # 2 released by the cut pass + 1
    assert len([p for p in store_folder.rglob("*") if p.is_file()]) == 3
    assert run("--as", "sun", "attachments", "verify") == {"checked": 3, "intact": True, "broken": []}
