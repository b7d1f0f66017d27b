"""Audit keys: rotation, a wrong key, unkeyed release-0.1 events, key files, the Merkle root."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from petitionkit.audit import KeyRing, verify_office
from petitionkit.audit.keys import add_key_to_file, read_key_file, write_new_key_file
from petitionkit.audit.merkle import leaf_hash, merkle_root
from petitionkit.errors import ConfigurationError
from petitionkit.service import Office
from petitionkit.storage.memory import MemoryStorage
from petitionkit.testing import FakeClock, office_settings, open_test_office, sample_petition


def keyed(storage: MemoryStorage, key_file: Path | None, clock: FakeClock) -> Office:
    settings = dict(office_settings())
    if key_file is not None:
        settings["settings"] = {"audit": {"key_file": str(key_file)}}
    return open_test_office(settings, storage=storage, clock=clock)


def test_events_before_and_after_a_rotation_verify_and_a_wrong_key_fails(tmp_path: Path) -> None:
    storage, clock, key_file = MemoryStorage(), FakeClock(), tmp_path / "audit.key"
    first = write_new_key_file(key_file)
    case = keyed(storage, key_file, clock).register(sample_petition()).case
    second = add_key_to_file(key_file)
    keyed(storage, key_file, clock).accept(case.id)
    office = keyed(storage, key_file, clock)
    assert office.events(case.id)[0].key_id == first.key_id
    assert office.events(case.id)[-1].key_id == second.key_id
    assert verify_office(office).intact
    # A key file holding other secrets under the same ids: every seal fails.
    os.chmod(key_file, 0o600)
    key_file.unlink()
    write_new_key_file(key_file)
    text = key_file.read_text(encoding="utf-8").splitlines()
    secret = text[-1].split(":", 1)[1]
    key_file.write_text(f"{first.key_id}:{secret}\n{second.key_id}:{secret}\n", encoding="utf-8")
    report = verify_office(keyed(storage, key_file, clock))
    assert [(b.subject, b.problem, b.item) for b in report.report("cases").breaks] == [(case.id, "seal", "event 1")]


def test_unkeyed_events_verify_as_a_first_segment_and_are_reported(tmp_path: Path) -> None:
    storage, clock, key_file = MemoryStorage(), FakeClock(), tmp_path / "audit.key"
    case = keyed(storage, None, clock).register(sample_petition()).case  # as release 0.1 wrote them
    write_new_key_file(key_file)
    office = keyed(storage, key_file, clock)
    report = verify_office(office).report("cases")
    assert (not report.breaks, report.unkeyed_records, report.unkeyed_items) == (True, 1, 2)
    office.accept(case.id)  # the keyed segment starts here, linked through the public chain
    assert verify_office(office).intact


def test_an_unsealed_event_after_sealed_ones_is_a_break(tmp_path: Path) -> None:
    storage, clock, key_file = MemoryStorage(), FakeClock(), tmp_path / "audit.key"
    write_new_key_file(key_file)
    case = keyed(storage, key_file, clock).register(sample_petition()).case
    keyed(storage, None, clock).accept(case.id)  # an office that lost its key setting
    report = verify_office(keyed(storage, key_file, clock))
    assert [(b.problem, b.item) for b in report.report("cases").breaks] == [("unsealed_after_sealed", "event 3")]


def test_verification_fails_closed_without_a_key_and_require_key_refuses_writes() -> None:
    office = open_test_office(office_settings())
    with pytest.raises(ConfigurationError, match="no audit key"):
        verify_office(office)
    strict = open_test_office({**office_settings(), "settings": {"audit": {"require_key": True}}})
    with pytest.raises(ConfigurationError, match="no audit key"):
        strict.register(sample_petition())


def test_a_key_file_others_can_read_is_refused(tmp_path: Path) -> None:
    key_file = tmp_path / "audit.key"
    write_new_key_file(key_file)
    assert oct(key_file.stat().st_mode & 0o777) == "0o600"
    os.chmod(key_file, 0o640)
    with pytest.raises(ConfigurationError, match="chmod 600"):
        read_key_file(key_file)


def test_the_environment_variable_overrides_the_key_file(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PETITIONKIT_AUDIT_KEY", "old:" + "A" * 44 + ",new:" + "B" * 44)
    office = open_test_office(office_settings())
    ring = office.uow.keyring
    assert isinstance(ring, KeyRing) and [k.key_id for k in ring.keys] == ["old", "new"]
    case = office.register(sample_petition()).case
    assert office.events(case.id)[0].key_id == "new"
    assert verify_office(office).intact


def _reference_root(leaves: list[bytes]) -> bytes:
    """RFC 6962 §2.1 as written: split at the largest power of two below n."""
    if len(leaves) == 1:
        return leaf_hash(leaves[0])
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    return hashlib.sha256(b"\x01" + _reference_root(leaves[:k]) + _reference_root(leaves[k:])).digest()


@pytest.mark.parametrize("n", [1, 2, 3, 5, 7, 8, 13, 64, 100])
def test_the_merkle_root_is_rfc_6962(n: int) -> None:
    leaves = [f"leaf {i}".encode() for i in range(n)]
    assert merkle_root(leaves) == _reference_root(leaves).hex()
