"""A real clamd (Debian's /usr/sbin/clamd) started on a Unix socket in a temporary folder, with a local
signature database this test writes: the EICAR test file and a test pattern are refused, a clean file
passes, and an unreachable clamd refuses every file (fail closed)."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from petitionkit_clamav import ClamavSettings, ClamdError, command, scan_bytes

from petitionkit.errors import AttachmentRefused, ConfigurationError
from petitionkit.service import Office
from petitionkit.testing import FakeClock, office_settings, open_test_office, sample_petition
from petitionkit.testing.files import EICAR, TINY_PDF, png

CLAMD = shutil.which("clamd") or ("/usr/sbin/clamd" if Path("/usr/sbin/clamd").exists() else None)
PATTERN = b"PETITIONKIT-CLAMAV-TEST-PATTERN-7f3a"


def _missing(reason: str) -> None:
    if os.environ.get("PETITIONKIT_REQUIRE_CLAMD") == "1":
        pytest.fail(f"clamd is required (PETITIONKIT_REQUIRE_CLAMD=1): {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def clamd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    if CLAMD is None:
        _missing("clamd is not installed (apt-get install clamav-daemon)")
    folder = tmp_path_factory.mktemp("clamd")
    database = folder / "db"
    database.mkdir()
    # MD5 signature of the whole EICAR file (.hdb: md5:size:name), body signature of a pattern (.ndb).
    (database / "test.hdb").write_text(f"{hashlib.md5(EICAR).hexdigest()}:{len(EICAR)}:Eicar-Test.PetitionKit\n")
    (database / "test.ndb").write_text(f"PetitionKit.TestPattern:0:*:{PATTERN.hex()}\n")
    sock = folder / "clamd.sock"
    config = folder / "clamd.conf"
    config.write_text(
        "\n".join(
            [
                f"LocalSocket {sock}",
                f"DatabaseDirectory {database}",
                f"LogFile {folder / 'clamd.log'}",
                f"PidFile {folder / 'clamd.pid'}",
                "Foreground yes",
                "StreamMaxLength 10M",
                "",
            ]
        )
    )
    process = subprocess.Popen(
        [str(CLAMD), "--config-file", str(config)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    settings = ClamavSettings(socket=str(sock), timeout=10)
    deadline = time.monotonic() + 120
    try:
        while True:
            if process.poll() is not None:
                log = (folder / "clamd.log").read_text() if (folder / "clamd.log").exists() else ""
                out = process.stdout.read().decode() if process.stdout else ""
                _missing(f"clamd exited: {out[-500:]} {log[-500:]}")
            if sock.exists():
                try:
                    if command(settings, "PING") == "PONG":
                        break
                except ClamdError:
                    pass
            if time.monotonic() > deadline:
                pytest.fail("clamd did not answer PING within 120 s")
            time.sleep(0.2)
        yield sock
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


def _office(tmp_path: Path, sock: Path | str) -> Office:
    config = {
        **office_settings(),
        "settings": {
            "attachments": {"folder": str(tmp_path / "blobs"), "scanners_required": True},
            "clamav": {"socket": str(sock), "timeout": 10},
        },
    }
    return open_test_office(config, clock=FakeClock())


def test_clamd_finds_the_local_signatures_and_passes_a_clean_file(clamd: Path) -> None:
    settings = ClamavSettings(socket=str(clamd))
    # clamd names a signature of a local database NAME.UNOFFICIAL
    assert scan_bytes(settings, EICAR) == "Eicar-Test.PetitionKit.UNOFFICIAL"
    assert scan_bytes(settings, TINY_PDF + PATTERN + b"\n%%EOF\n") == "PetitionKit.TestPattern.UNOFFICIAL"
    assert scan_bytes(settings, png(3, 3)) is None
    assert scan_bytes(settings, os.urandom(200_000)) is None  # more than one chunk


def test_an_office_refuses_a_signed_file_and_keeps_a_clean_one(clamd: Path, tmp_path: Path) -> None:
    office = _office(tmp_path, clamd)
    ref = office.register(sample_petition()).case.id
    with pytest.raises(AttachmentRefused) as refused:
        office.attach(ref, TINY_PDF + PATTERN + b"\n%%EOF\n", filename="信.pdf")
    assert refused.value.reason == "scanner"
    assert "PetitionKit.TestPattern" in refused.value.message("zh-CN") and "ClamAV" in refused.value.message("en")
    assert not (tmp_path / "blobs").exists()
    assert [e.name for e in office.events(ref)].count("AttachmentAdded") == 0
    photo = png(2, 5)
    assert office.read_attachment(office.attach(ref, photo, filename="照片.png").id)[1] == photo


def test_an_unreachable_clamd_refuses_every_file(tmp_path: Path) -> None:
    office = _office(tmp_path, tmp_path / "no-such.sock")
    ref = office.register(sample_petition()).case.id
    with pytest.raises(ConfigurationError, match="clamd could not scan"):
        office.attach(ref, png(), filename="a.png")
    assert not (tmp_path / "blobs").exists()
