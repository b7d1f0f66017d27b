"""Attachments on the memory store and on SQLite and PostgreSQL with field encryption: kept encrypted,
checked by content, bound to the audit trail, read on record and never by the accused body."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from petitionkit.domain.attachments import ScanVerdict
from petitionkit.errors import AttachmentDamaged, AttachmentRefused, PermissionDenied
from petitionkit.hookspecs import hookimpl
from petitionkit.plugins import make_plugin_manager
from petitionkit.privacy import MASTER_KEY_ENV
from petitionkit.service import Office
from petitionkit.testing import FakeClock, body_principal, office_settings, open_test_office, sample_petition
from petitionkit.testing.files import EICAR, TINY_PDF, TINY_PNG, png

MASTER = {"m-test": bytes(range(32))}  # made up for tests
BODY = "GOV-HRSS"


def _open(url: str, folder: Path, monkeypatch: pytest.MonkeyPatch, **settings: object) -> Office:
    monkeypatch.setenv(MASTER_KEY_ENV, ",".join(f"{k}:{base64.b64encode(v).decode()}" for k, v in MASTER.items()))
    config = {
        **office_settings(),
        "database": {"url": url},
        "settings": {"attachments": {"folder": str(folder), **settings}},
    }
    return open_test_office(config, clock=FakeClock())


@pytest.fixture
def office(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Office]:
    office = _open(db_url, tmp_path / "blobs", monkeypatch)
    yield office
    office.close()


def _blobs(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file()]


def test_a_photo_is_kept_encrypted_and_its_digest_is_in_the_audit_trail(office: Office, tmp_path: Path) -> None:
    reg = office.register(sample_petition())
    photo = png(4, 3)
    attachment = office.attach(reg.case.id, photo, filename="现场照片.png", kind="photo", media_type="image/png")
    assert attachment.media_type == "image/png" and attachment.size == len(photo)
    assert attachment.digest == hashlib.sha256(photo).hexdigest()
    (added,) = [e for e in office.events(reg.case.id) if e.name == "AttachmentAdded"]
    assert added.payload["digest"] == attachment.digest and "现场照片" not in str(added.payload)
    (blob,) = _blobs(tmp_path / "blobs")
    stored = blob.read_bytes()
    assert blob.stat().st_mode & 0o777 == 0o600 and blob.parent.stat().st_mode & 0o777 == 0o700
    assert stored.startswith(b"pkb1:") and photo not in stored and b"IHDR" not in stored
    assert blob.name == hashlib.sha256(stored).hexdigest()  # content-addressed
    read, data = office.read_attachment(attachment.id, purpose="核查")
    assert data == photo and read.filename == "现场照片.png"
    assert [(r.action, r.query) for r in office.access_records()][-1] == ("attachment", attachment.id)
    assert [c.problem for c in office.verify_attachments()] == [None]


def test_a_file_that_is_not_what_it_says_or_too_large_or_not_allowed_is_refused(office: Office, tmp_path: Path) -> None:
    ref = office.register(sample_petition()).case.id
    cases = [
        (TINY_PDF, "image/png", "type_mismatch"),
        (b"just some text, not a document", None, "type_unknown"),
        (b"", None, "empty"),
        (b"GIF89a" + b"\x00" * 20, None, "type_not_allowed"),
    ]
    for data, declared, reason in cases:
        with pytest.raises(AttachmentRefused) as refused:
            office.attach(ref, data, filename="x", media_type=declared)
        assert refused.value.reason == reason
        assert refused.value.message("zh-CN") and refused.value.message("en")
    with pytest.raises(AttachmentRefused) as refused:
        office.attach(ref, TINY_PNG, filename="x.png", expected_digest="0" * 64)
    assert refused.value.reason == "digest"
    assert not (tmp_path / "blobs").exists() or _blobs(tmp_path / "blobs") == []
    assert [e.name for e in office.events(ref) if e.name == "AttachmentAdded"] == []


def test_the_size_limit_comes_from_the_settings(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with _open(db_url, tmp_path / "blobs", monkeypatch, max_bytes=50) as office:
        ref = office.register(sample_petition()).case.id
        with pytest.raises(AttachmentRefused) as refused:
            office.attach(ref, png(20, 20), filename="big.png")
        assert refused.value.reason == "too_large" and "50" in refused.value.message("en")


def test_the_accused_body_never_reads_an_accusations_attachments(office: Office) -> None:
    claim = office.register(sample_petition())
    office.transfer(claim.case.id, body=BODY)
    attachment = office.attach(claim.case.id, TINY_PNG, filename="photo.png", kind="photo")
    body = office.acting_as(body_principal(BODY))
    assert body.read_attachment(attachment.id)[1] == TINY_PNG  # an ordinary claim referred to it
    accusation = sample_petition(
        kind="accusation",
        joins_case=claim.petition.tracking_number,
        respondent={"unit_name": "区人社局", "body_code": BODY},
    )
    office.register(accusation)
    with pytest.raises(PermissionDenied):
        body.read_attachment(attachment.id)
    with pytest.raises(PermissionDenied):
        body.attachments(claim.case.id)
    with pytest.raises(PermissionDenied):  # nor may a body attach
        body.attach(claim.case.id, TINY_PNG, filename="x.png")


def test_verify_finds_a_blob_altered_behind_petitionkits_back(office: Office, tmp_path: Path) -> None:
    ref = office.register(sample_petition()).case.id
    attachment = office.attach(ref, TINY_PNG, filename="a.png")
    (blob,) = _blobs(tmp_path / "blobs")
    blob.write_bytes(blob.read_bytes()[:-1] + b"\x00")
    assert [c.problem for c in office.verify_attachments()] == ["missing"]  # no longer its content address
    with pytest.raises(AttachmentDamaged):
        office.read_attachment(attachment.id)


class RefuseEverything:
    @hookimpl
    def petitionkit_scan_attachment(self, data: bytes, media_type: str) -> ScanVerdict | None:
        return ScanVerdict("test-scanner", "Test.Signature") if EICAR in data or media_type == "image/png" else None


def test_a_scanner_refuses_a_file_and_nothing_is_kept(tmp_path: Path) -> None:
    pm = make_plugin_manager(load_entrypoints=False, extra=[RefuseEverything()])
    config = {**office_settings(), "settings": {"attachments": {"folder": str(tmp_path / "blobs")}}}
    office = open_test_office(config, plugin_manager=pm, clock=FakeClock())
    ref = office.register(sample_petition()).case.id
    with pytest.raises(AttachmentRefused) as refused:
        office.attach(ref, TINY_PNG, filename="a.png")
    assert refused.value.reason == "scanner" and "Test.Signature" in refused.value.message("zh-CN")
    assert office.attach(ref, TINY_PDF, filename="a.pdf").media_type == "application/pdf"


def test_scanners_required_refuses_when_none_is_installed(tmp_path: Path) -> None:
    config = {
        **office_settings(),
        "settings": {"attachments": {"folder": str(tmp_path / "b"), "scanners_required": True}},
    }
    office = open_test_office(config, plugin_manager=make_plugin_manager(load_entrypoints=False))
    ref = office.register(sample_petition()).case.id
    with pytest.raises(AttachmentRefused):
        office.attach(ref, TINY_PNG, filename="a.png")
