"""Field encryption at rest and keyed blind indexes in the SQL store (docs/security.md, "Personal data at rest")."""

from __future__ import annotations

import base64
import hashlib
import itertools
import os
import sqlite3
import stat
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import attrs
import pytest
from sqlalchemy import select, update

from petitionkit.domain.identity import id_check_digit
from petitionkit.domain.tracking import identity_digest
from petitionkit.errors import ConfigurationError, EncryptionKeyError
from petitionkit.plugins import make_plugin_manager
from petitionkit.privacy import MASTER_KEY_ENV, load_master_keys, write_new_master_key_file
from petitionkit.service import Office
from petitionkit.storage.sql import SqlStorage
from petitionkit.storage.sql.tables import cases, data_keys, outbox, petitioner_identities, petitions
from petitionkit.testing import FakeClock, office_settings, open_test_office, sample_petition

MASTER = {"m-test": bytes(range(32))}  # made up for tests
OTHER_MASTER = {"m-test": bytes(range(1, 33))}


def _key_env(master: dict[str, bytes]) -> str:
    return ",".join(f"{k}:{base64.b64encode(v).decode()}" for k, v in master.items())


def _office(url: str, monkeypatch: pytest.MonkeyPatch, master: dict[str, bytes] | None = MASTER) -> Office:
    if master is None:
        monkeypatch.delenv(MASTER_KEY_ENV, raising=False)
    else:
        monkeypatch.setenv(MASTER_KEY_ENV, _key_env(master))
    return open_test_office({**office_settings(), "database": {"url": url}}, clock=FakeClock())


@pytest.fixture
def office(db_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Office]:
    office = _office(db_url, monkeypatch)
    yield office
    office.close()


def _engine(office: Office) -> Any:
    return office.storage.engine  # type: ignore[attr-defined]


def test_personal_columns_are_stored_as_versioned_ciphertexts(office: Office) -> None:
    reg = office.register(sample_petition())
    with _engine(office).connect() as c:
        subject, content = c.execute(select(petitions.c.subject, petitions.c.content)).one()
        (case_subject,) = c.execute(select(cases.c.subject)).one()
        (people,) = c.execute(select(petitions.c.petitioners)).one()
        payloads = [p for (p,) in c.execute(select(outbox.c.payload))]
    for value in (subject, content, case_subject, people):
        assert isinstance(value, str) and value.startswith("pk1:d")  # version, then the data key id
    assert all(isinstance(p["context"], str) and p["context"].startswith("pk1:") for p in payloads)
    # The office still sees the plain values.
    (petition,) = office.petitions(reg.case.id)
    assert petition.content == sample_petition()["content"]
    assert petition.petitioners[0].name == "张三"


def test_a_ciphertext_copied_to_another_row_does_not_decrypt(office: Office) -> None:
    first = office.register(sample_petition())
    second = office.register(sample_petition(content="另一件事情的内容。"))
    with _engine(office).begin() as c:
        (stolen,) = c.execute(select(petitions.c.content).where(petitions.c.id == first.petition.id)).one()
        c.execute(update(petitions).where(petitions.c.id == second.petition.id).values(content=stolen))
    with pytest.raises(EncryptionKeyError) as caught:
        office.petitions(second.case.id)
    assert caught.value.problem == "tampered"
    assert "petitions.content" in str(caught.value)
    assert "张三" not in str(caught.value)


def test_a_ciphertext_moved_to_another_column_does_not_decrypt(office: Office) -> None:
    reg = office.register(sample_petition())
    with _engine(office).begin() as c:
        (content,) = c.execute(select(petitions.c.content)).one()
        c.execute(update(petitions).values(subject=content))
    with pytest.raises(EncryptionKeyError, match=r"petitions\.subject"):
        office.petitions(reg.case.id)


def test_plain_text_written_behind_the_store_is_refused(office: Office) -> None:
    reg = office.register(sample_petition())
    with _engine(office).begin() as c:
        c.execute(update(petitions).values(content="伪造的明文"))
    with pytest.raises(EncryptionKeyError) as caught:
        office.petitions(reg.case.id)
    assert caught.value.problem == "plaintext"


def test_an_encrypted_database_without_the_master_key_refuses_to_open(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    _office(db_url, monkeypatch).close()
    with pytest.raises(EncryptionKeyError) as caught:
        _office(db_url, monkeypatch, master=None)
    assert caught.value.problem == "locked"
    assert MASTER_KEY_ENV in str(caught.value) and MASTER_KEY_ENV in caught.value.message("zh-CN")
    # Opened directly, the store refuses every transaction rather than show ciphertext as data.
    store = SqlStorage(db_url)
    try:
        with pytest.raises(EncryptionKeyError), store.transaction():
            pass
    finally:
        store.close()


def test_a_wrong_master_key_is_refused(db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    _office(db_url, monkeypatch).close()
    with pytest.raises(EncryptionKeyError) as caught:
        _office(db_url, monkeypatch, master=OTHER_MASTER)
    assert caught.value.problem == "wrong_master"
    with pytest.raises(EncryptionKeyError) as caught:
        _office(db_url, monkeypatch, master={"m-other": bytes(32)})
    assert caught.value.problem == "unknown_master"


def test_data_keys_are_stored_only_wrapped(office: Office) -> None:
    office.register(sample_petition())
    with _engine(office).connect() as c:
        stored = c.execute(select(data_keys.c.office_code, data_keys.c.purpose, data_keys.c.wrapped)).all()
    assert sorted((o, p) for o, p, _ in stored) == [("XS", "data"), ("XS", "index")]
    assert all(len(base64.b64decode(w)) == 12 + 32 + 16 for _, _, w in stored)  # nonce, key, tag


def test_require_key_refuses_a_new_office_without_a_master_key(db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(MASTER_KEY_ENV, raising=False)
    config = {**office_settings(), "database": {"url": db_url}, "settings": {"privacy": {"require_key": True}}}
    with pytest.raises(EncryptionKeyError) as caught:
        open_test_office(config)
    assert caught.value.problem == "required"


def test_a_plain_database_is_encrypted_when_first_opened_with_a_master_key(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Rows written without a key (before 0008) are sealed and their digests re-keyed; repeats still found."""
    plain = _office(db_url, monkeypatch, master=None)
    first = plain.register(sample_petition())
    with _engine(plain).connect() as c:
        (old_digest,) = c.execute(
            select(petitioner_identities.c.digest).where(petitioner_identities.c.kind == "person")
        ).one()
        assert c.execute(select(petitions.c.content)).scalar_one() == sample_petition()["content"]
    plain.close()
    assert old_digest == identity_digest(sample_petition()["petitioners"][0]["id_number"], "张三", None)

    office = _office(db_url, monkeypatch)
    with _engine(office).connect() as c:
        (new_digest,) = c.execute(
            select(petitioner_identities.c.digest).where(petitioner_identities.c.kind == "person")
        ).one()
        (content,) = c.execute(select(petitions.c.content)).one()
        payloads = [p for (p,) in c.execute(select(outbox.c.payload))]
    assert new_digest != old_digest and content.startswith("pk1:")
    assert all(isinstance(p["context"], str) for p in payloads if "context" in p)
    assert office.petitions(first.case.id)[0].content == sample_petition()["content"]
    assert [c.id for c in office.find_repeats(sample_petition(content="同一人再次反映。"))] == [first.case.id]
    office.close()


def test_master_key_file_is_created_0600_and_a_readable_one_refused(tmp_path: Path) -> None:
    path = tmp_path / "keys" / "master.key"
    key_id = write_new_master_key_file(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    config = open_test_office(office_settings()).config
    ring = load_master_keys(_with_key_file(config, path), make_plugin_manager(), env={})
    assert ring.active is not None and ring.active.key_id == key_id and len(ring.active.secret) == 32
    with pytest.raises(ConfigurationError, match="never overwritten"):
        write_new_master_key_file(path)
    os.chmod(path, 0o644)
    with pytest.raises(ConfigurationError, match="chmod 600"):
        load_master_keys(_with_key_file(config, path), make_plugin_manager(), env={})


def _with_key_file(config: Any, path: Path) -> Any:
    return attrs.evolve(config, settings={**config.settings, "privacy": {"key_file": str(path)}})


# --- blind indexes ---------------------------------------------------------------------------------


def _ids_of(county: str, decade: int) -> Iterator[str]:
    """Every valid ID number of a county born in a decade, in order (the attacker's enumeration)."""
    day = date(decade, 1, 1)
    while day.year < decade + 10:
        for seq in range(1000):
            body = f"{county}{day:%Y%m%d}{seq:03d}"
            yield body + id_check_digit(body)
        day += timedelta(days=1)


def test_the_digest_reversal_attack_recovers_nothing_without_the_index_key(
    office: Office,
) -> None:
    """A database copy's identity index cannot be reversed by enumerating a county and birth decade."""
    id_number = "330102199001011234"
    office.register(sample_petition(petitioners=[{"name": "李四", "id_number": id_number, "phone": "13900139000"}]))
    with _engine(office).connect() as c:
        stored = {d for (d,) in c.execute(select(petitioner_identities.c.digest))}
    # The attack that recovered numbers from the old unsalted digests: hash candidates, look them up.
    candidates = itertools.islice(_ids_of("330102", 1990), 200_000)  # covers the true number (1990-01-01)
    found = [n for n in candidates if identity_digest(n, "", None) in stored]
    assert found == []
    # Control: the same enumeration against a bare SHA-256 index finds the number at once.
    bare = {identity_digest(id_number, "李四", None)}
    assert any(identity_digest(n, "", None) in bare for n in itertools.islice(_ids_of("330102", 1990), 2_000))


def test_repeat_detection_matches_normalised_identities(office: Office) -> None:
    first = office.register(
        sample_petition(petitioners=[{"name": "王五", "id_number": "11010519491231002X", "phone": "13800138000"}])
    )
    full_width = "１１０１０５１９４９１２３１００２ｘ"
    second = office.register(
        sample_petition(petitioners=[{"name": "王五", "id_number": full_width, "phone": "+86 138 0013 8000"}])
    )
    with office.storage.transaction() as tx:
        digest = identity_digest("11010519491231002x", "王五", None)
        assert digest is not None
        assert set(tx.case_ids_by_identity("XS", [digest])) == {first.case.id, second.case.id}


def test_phone_lookup_ignores_the_country_prefix() -> None:
    assert identity_digest(None, "赵六", "+86 139-0013-9000") == identity_digest(None, "赵六", "008613900139000")
    assert identity_digest(None, "赵六", "１３９００１３９０００") == identity_digest(None, "赵六", "13900139000")


def test_sqlite_raw_text_never_holds_a_bare_digest(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    url = f"sqlite:///{tmp_path / 'office.db'}"
    office = _office(url, monkeypatch)
    office.register(sample_petition())
    office.close()
    bare = identity_digest(sample_petition()["petitioners"][0]["id_number"], "张三", None)
    assert bare is not None
    dump = "\n".join(sqlite3.connect(tmp_path / "office.db").iterdump())
    assert bare not in dump and hashlib.sha256(b"x").hexdigest() not in dump
    raw = sqlite3.connect(tmp_path / "office.db")
    assert raw.execute("SELECT count(*) FROM data_keys").fetchone() == (2,)
    raw.close()
