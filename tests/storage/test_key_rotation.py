"""Key rotation in the SQL store (docs/security.md, "Rotating keys"): data keys re-encrypted in resumable
batches while the office keeps writing, master keys re-wrapped, and SM4-GCM data keys.

The store-level tests run on SQLite and PostgreSQL (``db_url``); the command-line test with a SIGKILL
in the middle is ``tests/cli/test_keys_cli.py``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy import select, update

from petitionkit.domain.tracking import identity_digest
from petitionkit.errors import ConfigurationError, EncryptionKeyError
from petitionkit.privacy import MASTER_KEY_ENV
from petitionkit.service import Office
from petitionkit.storage.sql import SqlStorage, rotation
from petitionkit.storage.sql import crypto as crypto_module
from petitionkit.storage.sql.crypto import AES_GCM, SM4_GCM, FieldCipher, StoredKey, parse_sealed, stored_prefix
from petitionkit.storage.sql.engine import parse_url
from petitionkit.storage.sql.tables import cases, data_keys, outbox, petitioner_identities, petitions
from petitionkit.testing import SAMPLE_ID_NUMBERS, FakeClock, office_settings, open_test_office, sample_petition
from petitionkit.testing.databases import raw_dump

OLD_MASTER = ("m-old", bytes(range(32)))  # made up for tests
NEW_MASTER = ("m-new", bytes(range(100, 132)))
CANARIES = ("欧阳金丝雀", "13712345678", "金丝雀湾拆迁补偿款被截留")


def _key_env(*master: tuple[str, bytes]) -> str:
    return ",".join(f"{k}:{base64.b64encode(v).decode()}" for k, v in master)


def _office(
    url: str,
    monkeypatch: pytest.MonkeyPatch,
    *master: tuple[str, bytes],
    algorithm: str | None = None,
) -> Office:
    monkeypatch.setenv(MASTER_KEY_ENV, _key_env(*(master or (OLD_MASTER,))))
    config: dict[str, Any] = {**office_settings(), "database": {"url": url}}
    if algorithm is not None:
        config["settings"] = {"privacy": {"algorithm": algorithm}}
    return open_test_office(config, clock=FakeClock())


def _store(office: Office) -> SqlStorage:
    store = office.storage
    assert isinstance(store, SqlStorage)
    return store


def _fill(office: Office, count: int) -> list[str]:
    """``count`` cases; every third accepted (a case update and another outbox notice)."""
    ids = []
    for n in range(count):
        reg = office.register(
            sample_petition(
                content=f"{CANARIES[2]}，第{n}件。",
                petitioners=[{"name": CANARIES[0], "phone": CANARIES[1], "address": f"金丝雀路{n}号"}],
            )
        )
        if n % 3 == 0:
            office.accept(reg.case.id)
        ids.append(reg.case.id)
    return ids


def _live_data_key(office: Office) -> tuple[str, bytes]:
    cipher = _store(office).codec.cipher
    assert cipher is not None
    key_id = cipher.active_key("XS")
    assert key_id is not None
    return key_id, _secret(office, key_id)


def _secret(office: Office, key_id: str) -> bytes:
    """The unwrapped secret of a data key (what an attacker holding the old key material would have)."""
    store = _store(office)
    k = data_keys.c
    with store.engine.connect() as c:
        row = c.execute(select(k.office_code, k.master_key_id, k.wrapped, k.algorithm).where(k.key_id == key_id)).one()
    return crypto_module.unwrap(store.master, key_id, row[0], "data", row[1], row[2], row[3])


def _rotate(office: Office, algorithm: str = AES_GCM, **options: Any) -> tuple[rotation.Started, rotation.Tally]:
    store = _store(office)
    started = rotation.start(store, "XS", algorithm)
    tally = rotation.reencrypt(store, "XS", **options)
    with store.transaction() as tx:
        destroyed, left = rotation.finish(tx, "XS")
    assert destroyed == list(started.retiring) and left == 0
    return started, tally


def _everything_reads(office: Office, case_ids: list[str]) -> None:
    for case_id in case_ids:
        (petition,) = office.petitions(case_id)
        assert petition.petitioners[0].name == CANARIES[0]
        assert CANARIES[2] in petition.content
    assert len(office.search(text="拖欠工资", limit=1000)) == len(case_ids)
    with _store(office).transaction() as tx:
        for message in _outbox(tx):
            assert isinstance(message.payload.get("context"), dict)


def _outbox(tx: Any) -> list[Any]:
    from petitionkit.storage.sql import rows
    from petitionkit.storage.sql.statements import raw_columns

    result = tx.connection.execute(select(*raw_columns(rows.OUTBOX)))
    at = rows.positions(result.keys())
    return [rows.outbox_from_row(r, at, tx.codec) for r in result.all()]


@pytest.fixture
def office(db_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Office]:
    office = _office(db_url, monkeypatch)
    yield office
    office.close()


def test_every_sealed_column_of_rows_py_is_a_rotation_location() -> None:
    """A column sealed in rows.py but missing from LOCATIONS would keep its old key for ever."""
    folder = Path(rotation.__file__).parent
    source = "\n".join((folder / name).read_text(encoding="utf-8") for name in ("rows.py", "attachment_state.py"))
    sealed = set(re.findall(r'k\.seal(?:_doc)?\([^,]+, "(\w+)", [^,]+, "(\w+)"', source))
    if "k.seal_payload(" in source:
        sealed.add(("outbox", "payload"))
    assert sealed, "the pattern no longer matches rows.py: update this test"
    assert sealed == {(loc.table.name, loc.column) for loc in rotation.LOCATIONS}


def test_a_rotation_reencrypts_every_value_and_destroys_the_old_key(office: Office, db_url: str) -> None:
    case_ids = _fill(office, 12)
    old_id, old_secret = _live_data_key(office)
    before = {k.key_id: k.values for k in rotation.status(_store(office))}
    assert before[old_id] > 12 * 4  # subject, content, petitioners, case subject, outbox payloads

    started, tally = _rotate(office, batch_size=5)

    assert started.retiring == (old_id,) and not started.resumed and started.live != old_id
    assert tally.done == before[old_id] and tally.batches >= before[old_id] // 5
    _everything_reads(office, case_ids)
    dump = raw_dump(db_url)
    assert stored_prefix(old_id, AES_GCM) not in dump  # no ciphertext names the old key (its data_keys row does)
    assert not any(canary in dump for canary in CANARIES)
    with _store(office).engine.connect() as c:
        wrapped, destroyed = c.execute(
            select(data_keys.c.wrapped, data_keys.c.destroyed_at).where(data_keys.c.key_id == old_id)
        ).one()
        (content,) = c.execute(select(petitions.c.content).where(petitions.c.case_id == case_ids[0])).one()
        (pid,) = c.execute(select(petitions.c.id).where(petitions.c.case_id == case_ids[0])).one()
    assert wrapped == "" and destroyed is not None
    assert parse_sealed(content)[1] == started.live  # type: ignore[index]
    # The old key material, even kept by someone, opens nothing that is stored now.
    old_only = FieldCipher([StoredKey(old_id, "XS", "data", old_secret)])
    with pytest.raises(EncryptionKeyError) as caught:
        old_only.open("petitions", pid, "content", content)
    assert caught.value.problem == "unknown_key"
    forged = content.replace(started.live, old_id, 1)  # relabelled as if under the old key
    with pytest.raises(EncryptionKeyError) as caught:
        old_only.open("petitions", pid, "content", forged)
    assert caught.value.problem == "tampered"
    statuses = {k.key_id: k for k in rotation.status(_store(office))}
    assert statuses[old_id].destroyed_at is not None and statuses[started.live].values == before[old_id]


def test_a_rotation_stopped_half_way_resumes_from_the_data(db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    office = _office(db_url, monkeypatch)
    case_ids = _fill(office, 10)
    old_id, _ = _live_data_key(office)
    store = _store(office)
    started = rotation.start(store, "XS")

    class Crash(Exception):
        pass

    crashed_at: list[int] = []

    def crash_after_a_dozen(where: str, done: int, total: int) -> None:
        if done >= 12:
            crashed_at.append(done)
            raise Crash

    with pytest.raises(Crash):
        rotation.reencrypt(store, "XS", batch_size=4, progress=crash_after_a_dozen)
    office.close()

    # A new process: it reads both keys, and the data says how far the rotation got.
    office = _office(db_url, monkeypatch)
    try:
        counts = {k.key_id: k.values for k in rotation.status(_store(office))}
        assert counts[old_id] > 0 and counts[started.live] == crashed_at[0]
        _everything_reads(office, case_ids)  # half-rotated data reads fine
        again = rotation.start(_store(office), "XS")
        assert again.resumed and again.retiring == (old_id,) and again.live == started.live
        tally = rotation.reencrypt(_store(office), "XS", batch_size=4)
        assert tally.done == counts[old_id]
        with _store(office).transaction() as tx:
            assert rotation.finish(tx, "XS") == ([old_id], 0)
        _everything_reads(office, case_ids)
        assert stored_prefix(old_id, AES_GCM) not in raw_dump(db_url)
    finally:
        office.close()


def test_writes_from_another_process_during_a_rotation_are_kept_under_the_new_key(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    office = _office(db_url, monkeypatch)
    other = _office(db_url, monkeypatch)  # unlocked before the rotation: it holds the old key as live
    try:
        case_ids = _fill(office, 9)
        old_id, _ = _live_data_key(office)
        added: list[str] = []

        def write_between_batches(where: str, done: int, total: int) -> None:
            if len(added) < 4:
                reg = other.register(
                    sample_petition(
                        content=f"{CANARIES[2]}，并发{len(added)}。",
                        petitioners=[{"name": CANARIES[0], "phone": CANARIES[1]}],
                    )
                )
                added.append(reg.case.id)
                other.accept(case_ids[(1, 2, 4, 5)[len(added) - 1]])  # a case the rotation is walking

        started, _ = _rotate(office, batch_size=3, progress=write_between_batches)
        assert len(added) == 4
        _everything_reads(office, case_ids + added)
        _everything_reads(other, case_ids + added)
        assert [office.case(case_ids[n]).state.value for n in (1, 2, 4, 5)] == ["accepted"] * 4
        with _store(office).engine.connect() as c:
            contents = c.execute(select(petitions.c.content).where(petitions.c.case_id.in_(added))).scalars().all()
        assert all(parse_sealed(v)[1] == started.live for v in contents)  # type: ignore[index]
        assert stored_prefix(old_id, AES_GCM) not in raw_dump(db_url)
    finally:
        other.close()
        office.close()


def test_a_reader_opened_before_the_rotation_finds_the_new_key(db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    office = _office(db_url, monkeypatch)
    reader = _office(db_url, monkeypatch)  # knows only the old data key, and only reads afterwards
    try:
        case_ids = _fill(office, 3)
        _rotate(office, batch_size=2)
        _everything_reads(reader, case_ids)  # the new key is loaded inside the read's own transaction
    finally:
        reader.close()
        office.close()


def test_a_row_changed_between_read_and_write_is_not_overwritten(office: Office) -> None:
    """The compare-and-set: a batch never writes back a ciphertext older than the row's current one."""
    (case_id,) = _fill(office, 1)
    store = _store(office)
    rotation.start(store, "XS")
    with store.engine.begin() as c:  # another writer: the subject changes under the rotation's feet
        (stale,) = c.execute(select(cases.c.subject).where(cases.c.id == case_id)).one()
    fresh = store.codec.seal("XS", "cases", case_id, "subject", "新的主题")
    with store.engine.begin() as c:
        c.execute(update(cases).where(cases.c.id == case_id).values(subject=fresh))
        changed = c.execute(
            update(cases).where(cases.c.id == case_id, cases.c.subject == stale).values(subject="x")
        ).rowcount
    assert changed == 0
    rotation.reencrypt(store, "XS", batch_size=1)
    assert office.case(case_id).subject == "新的主题"


def test_master_rotation_lets_the_old_master_key_go(db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    office = _office(db_url, monkeypatch, OLD_MASTER)
    case_ids = _fill(office, 3)
    office.close()
    office = _office(db_url, monkeypatch, OLD_MASTER, NEW_MASTER)  # the new key appended, newest last
    try:
        assert rotation.masters_in_use(_store(office)) == ["m-old"]
        assert rotation.rewrap(_store(office)) == (2, "m-new")  # the data key and the index key
        assert rotation.masters_in_use(_store(office)) == ["m-new"]
        assert rotation.rewrap(_store(office)) == (0, "m-new")  # nothing left to do
    finally:
        office.close()
    office = _office(db_url, monkeypatch, NEW_MASTER)  # the old master key removed from the ring
    try:
        _everything_reads(office, case_ids)
        assert office.search(text="拖欠", limit=10)
    finally:
        office.close()
    with pytest.raises(EncryptionKeyError) as caught:
        _office(db_url, monkeypatch, OLD_MASTER)
    assert caught.value.problem == "unknown_master"


def test_an_sm4_office_round_trips_and_binds_each_value_to_its_row(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    office = _office(db_url, monkeypatch, algorithm=SM4_GCM)
    try:
        first, second = _fill(office, 2)
        _everything_reads(office, [first, second])
        store = _store(office)
        with store.engine.connect() as c:
            (algorithm,) = c.execute(select(data_keys.c.algorithm).where(data_keys.c.purpose == "data")).one()
            stored = dict(c.execute(select(petitions.c.case_id, petitions.c.content)).all())
            payloads = c.execute(select(outbox.c.payload)).scalars().all()
        assert algorithm == SM4_GCM
        assert all(v.startswith("pk2:sm4:d") for v in stored.values())
        assert all(p["context"].startswith("pk2:sm4:") for p in payloads)
        key_id = parse_sealed(stored[first])[1]  # type: ignore[index]
        assert len(_secret(office, key_id)) == 16  # SM4 has a 128-bit key
        with store.engine.begin() as c:
            c.execute(update(petitions).where(petitions.c.case_id == second).values(content=stored[first]))
        with pytest.raises(EncryptionKeyError) as caught:
            office.petitions(second)
        assert caught.value.problem == "tampered"
        relabelled = stored[first].replace("pk2:sm4:", "pk1:", 1)  # claiming AES for an SM4 ciphertext
        with store.engine.begin() as c:
            c.execute(update(petitions).where(petitions.c.case_id == first).values(content=relabelled))
        with pytest.raises(EncryptionKeyError):
            office.petitions(first)
        dump = raw_dump(db_url)
        assert not any(canary in dump for canary in CANARIES)
    finally:
        office.close()


def test_a_rotation_can_move_an_office_from_aes_to_sm4(office: Office, db_url: str) -> None:
    case_ids = _fill(office, 4)
    old_id, _ = _live_data_key(office)
    started, _ = _rotate(office, SM4_GCM, batch_size=50)
    assert started.algorithm == SM4_GCM
    _everything_reads(office, case_ids)
    office.register(sample_petition())  # new writes under the SM4 key
    dump = raw_dump(db_url)
    assert f"pk2:sm4:{started.live}:" in dump and "pk1:d" not in dump
    assert stored_prefix(old_id, AES_GCM) not in dump


def test_sm4_without_openssl_support_is_a_configuration_error(sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(crypto_module, "sm4_supported", lambda: False)
    with pytest.raises(ConfigurationError) as caught:
        _office(sqlite_url, monkeypatch, algorithm=SM4_GCM)
    assert "settings.privacy.algorithm" in str(caught.value) and "sm4-gcm" in str(caught.value)


def test_an_unknown_algorithm_setting_is_refused_by_name(sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ConfigurationError, match=r"settings\.privacy\.algorithm"):
        _office(sqlite_url, monkeypatch, algorithm="des")


def test_sm4_is_available_here() -> None:
    """This installation's OpenSSL has SM4-GCM (cryptography's wheels do); the SM4 tests above rely on it."""
    assert crypto_module.sm4_supported()


# --- index keys ---------------------------------------------------------------------------------------


def _index_rows(db_url: str) -> set[str]:
    engine = sa.create_engine(parse_url(db_url, "."))
    try:
        with engine.connect() as c:
            return set(c.execute(select(petitioner_identities.c.digest)).scalars())
    finally:
        engine.dispose()


def test_an_index_key_rotation_stopped_half_way_keeps_repeats_found_and_resumes(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    office = _office(db_url, monkeypatch)
    people = [{"name": f"金丝{n}", "id_number": SAMPLE_ID_NUMBERS[n % 3], "phone": f"1371234{n:04d}"} for n in range(9)]
    for person in people:
        office.register(sample_petition(petitioners=[person]))
    probe = sample_petition(petitioners=[{"name": "任意", "id_number": SAMPLE_ID_NUMBERS[0].lower()}])
    repeats = sorted(c.id for c in office.find_repeats(probe))
    assert len(repeats) == 3
    store = _store(office)
    old_index = store.codec.cipher._index["XS"]  # type: ignore[union-attr]
    before = _index_rows(db_url)
    started = rotation.start(store, "XS", purpose="index")
    assert started.retiring == (old_index[0],)

    class Crash(Exception):
        pass

    def crash(where: str, done: int, total: int) -> None:
        raise Crash

    with pytest.raises(Crash):
        rotation.rekey_identities(store, "XS", batch_size=4, progress=crash)
    office.close()

    office = _office(db_url, monkeypatch)
    try:
        halfway = _index_rows(db_url)
        assert halfway & before and halfway - before  # some rows re-keyed, some not
        assert sorted(c.id for c in office.find_repeats(probe)) == repeats  # found under either key meanwhile
        office.register(sample_petition(petitioners=[{"name": "新来", "id_number": SAMPLE_ID_NUMBERS[0]}]))
        store = _store(office)
        assert rotation.start(store, "XS", purpose="index").resumed
        tally = rotation.rekey_identities(store, "XS", batch_size=4)
        assert tally.done == 9 - 4 and tally.skipped == 4 + 1  # the killed batch and the new petition: done
        with store.transaction() as tx:
            assert rotation.finish_index(tx, "XS") == [old_index[0]]
        after = _index_rows(db_url)
        assert not after & before  # no blind index under the old key is left
        assert len(office.find_repeats(probe)) == 4
        with store.engine.connect() as c:
            wrapped = c.execute(select(data_keys.c.wrapped).where(data_keys.c.key_id == old_index[0])).scalar_one()
        assert wrapped == ""
        # The old index key, kept by someone, matches nothing stored now.
        digest = identity_digest(SAMPLE_ID_NUMBERS[0], "", None)
        assert digest is not None
        assert hmac.new(old_index[1], digest.encode(), hashlib.sha256).hexdigest() not in after
    finally:
        office.close()


def test_a_rotation_waits_for_a_writer_already_sealing_under_the_old_key(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without the wait (PostgreSQL: the writer's share lock on the live key rows), the rotation could
    destroy the old key before the writer commits a value sealed under it: that value would be lost."""
    office = _office(db_url, monkeypatch)
    other = _office(db_url, monkeypatch)
    try:
        (case_id,) = _fill(office, 1)
        old_id, _ = _live_data_key(office)
        writer_sealed, release = threading.Event(), threading.Event()

        def write() -> None:
            store = _store(other)
            with store.transaction() as tx:
                tx.case_ids_by_identity("XS", ["0" * 64])  # the transaction's key check, before it seals
                sealed = store.codec.seal("XS", "cases", case_id, "subject", "并发写入的主题")
                tx.connection.execute(update(cases).where(cases.c.id == case_id).values(subject=sealed))
                writer_sealed.set()
                release.wait(30)

        rotated: list[Any] = []

        def rotate() -> None:
            rotated.append(_rotate(office, batch_size=2))

        writer = threading.Thread(target=write)
        writer.start()
        assert writer_sealed.wait(30)
        rotation_thread = threading.Thread(target=rotate)
        rotation_thread.start()
        rotation_thread.join(1.0)
        assert rotation_thread.is_alive()  # waiting for the writer, not retiring the key under it
        release.set()
        writer.join(30)
        rotation_thread.join(60)
        assert rotated, "the rotation failed"
        assert office.case(case_id).subject == "并发写入的主题"
        assert stored_prefix(old_id, AES_GCM) not in raw_dump(db_url)
    finally:
        release.set()
        other.close()
        office.close()


def test_an_index_key_rotation_leaves_a_purged_petitions_pseudonyms_alone(office: Office) -> None:
    """A purge replaces a person's index rows by pseudonyms (the reports' repeat figures count them);
    the petitioners are erased, so there is nothing to re-key, and the pseudonyms must stay."""
    from petitionkit.domain.retention import RecordKind, anonymise_petition

    kept, purged = (
        office.register(sample_petition(petitioners=[{"name": "甲", "id_number": SAMPLE_ID_NUMBERS[n]}])).case.id
        for n in (0, 1)
    )
    store = _store(office)
    pseudonym = "ab" * 32
    with store.transaction() as tx:  # what petitionkit purge does to the personal data of a case
        tx.replace_petitions([anonymise_petition(p, [RecordKind.PERSONAL_DATA]) for p in tx.petitions_of_case(purged)])
        tx.replace_identities(purged, "XS", [(p, pseudonym) for p, _ in tx.identity_rows(purged)])
    rotation.start(store, "XS", purpose="index")
    tally = rotation.rekey_identities(store, "XS")
    assert (tally.done, tally.skipped) == (1, 1)
    with store.transaction() as tx:
        assert [d for _, d in tx.identity_rows(purged)] == [pseudonym]
        assert [d for _, d in tx.identity_rows(kept)] != [pseudonym]
    probe = sample_petition(petitioners=[{"name": "乙", "id_number": SAMPLE_ID_NUMBERS[0]}])
    assert [c.id for c in office.find_repeats(probe)] == [kept]


def _blob_files(root: Path) -> set[str]:
    return {p.name for p in (root / "attachments").rglob("*") if p.is_file()}


def _reseal(office: Office, **options: Any) -> Any:
    from petitionkit.service.attachments import delete_released_blobs
    from petitionkit.storage.sql import blob_rotation

    store = _store(office)
    return blob_rotation.reseal_blobs(
        store,
        "XS",
        office.blob_store,
        released=lambda: delete_released_blobs(store, office.blob_store, "XS"),
        **options,
    )


def test_a_rotation_reseals_attachment_blobs_and_then_destroys_the_old_key(
    office: Office, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from petitionkit.service.attachments import blob_context
    from petitionkit.testing.files import TINY_PNG, png

    monkeypatch.chdir(tmp_path)  # the folder store: ./attachments
    ref = office.register(sample_petition()).case.id
    photos = [TINY_PNG, png(3, 3), png(4, 2)]
    attached = [office.attach(ref, photo, filename=f"现场照片{n}.png") for n, photo in enumerate(photos)]
    old_id, old_secret = _live_data_key(office)
    assert {a.sealed_with for a in attached} == {old_id}
    before = _blob_files(tmp_path)
    assert before == {a.blob_ref for a in attached}

    store = _store(office)
    started = rotation.start(store, "XS", AES_GCM)
    rotation.reencrypt(store, "XS", batch_size=5)
    with store.transaction() as tx:
        assert rotation.finish(tx, "XS") == ([], 3)  # the three blobs still need the old key
    assert {k.key_id: k.blobs for k in rotation.status(store)}[old_id] == 3

    tally = _reseal(office, batch_size=2)
    assert (tally.done, tally.skipped, tally.damaged, tally.batches) == (3, 0, [], 2)
    with store.transaction() as tx:
        assert rotation.finish(tx, "XS") == ([old_id], 0)
        assert tx.released_blobs("XS", 10) == []
    statuses = {k.key_id: k for k in rotation.status(store)}
    assert statuses[old_id].destroyed_at is not None and statuses[started.live].blobs == 3

    after = _blob_files(tmp_path)
    assert len(after) == 3 and not after & before  # every old blob deleted, every new one named by its row
    for attachment, photo in zip(attached, photos, strict=True):
        read, data = office.read_attachment(attachment.id)
        assert data == photo and read.digest == attachment.digest == hashlib.sha256(photo).hexdigest()
        assert read.sealed_with == started.live and read.blob_ref in after and read.filename.startswith("现场照片")
        sealed = (tmp_path / "attachments" / read.blob_ref[:2] / read.blob_ref[2:4] / read.blob_ref).read_bytes()
        assert parse_sealed_blob(sealed) == started.live
        old = FieldCipher([StoredKey(old_id, "XS", "data", old_secret)])
        with pytest.raises(EncryptionKeyError):  # the old key opens nothing of it
            old.open_bytes(blob_context(attachment.id, attachment.digest), sealed)
    assert [c.problem for c in office.verify_attachments()] == [None, None, None]  # the trail's digests hold


def parse_sealed_blob(sealed: bytes) -> str:
    """The data key id a sealed blob names in its header (``pkb1:<key id>:<algorithm>``)."""
    return sealed.partition(b"\n")[0].decode().removeprefix("pkb1:").partition(":")[0]


def test_a_blob_rotation_interrupted_either_side_of_its_commit_is_finished_by_a_rerun(
    office: Office, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from petitionkit.service.attachments import delete_released_blobs
    from petitionkit.storage.sql import blob_rotation
    from petitionkit.testing.files import png

    monkeypatch.chdir(tmp_path)
    ref = office.register(sample_petition()).case.id
    attached = [office.attach(ref, png(n + 2, 2), filename=f"{n}.png") for n in range(4)]
    old_id, _ = _live_data_key(office)
    store = _store(office)
    rotation.start(store, "XS", AES_GCM)
    rotation.reencrypt(store, "XS")

    class PowerCut(Exception):
        pass

    def cut() -> None:
        raise PowerCut

    # 1. after the first batch's commit, before its old blobs are deleted
    with pytest.raises(PowerCut):
        blob_rotation.reseal_blobs(store, "XS", office.blob_store, batch_size=2, released=cut)
    with store.transaction() as tx:
        released = tx.released_blobs("XS", 10)
    assert sorted(released) == sorted(a.blob_ref for a in attached[:2])
    assert _blob_files(tmp_path) >= set(released)  # still on disk: nothing deleted before the commit's record
    assert [office.read_attachment(a.id)[1][:8] for a in attached] == [b"\x89PNG\r\n\x1a\n"] * 4

    # 2. new blobs written, then the batch's transaction fails: the rows keep their old blob and key
    real_put = office.blob_store.put
    written: list[str] = []

    def put_then_fail(data: bytes) -> str:
        written.append(real_put(data))
        if len(written) == 2:
            monkeypatch.setattr(store, "transaction", failing_transaction)
        return written[-1]

    real_transaction = store.transaction

    def failing_transaction() -> Any:
        raise PowerCut

    monkeypatch.setattr(office.blob_store, "put", put_then_fail)
    with pytest.raises(PowerCut):
        blob_rotation.reseal_blobs(store, "XS", office.blob_store, batch_size=2)
    monkeypatch.setattr(store, "transaction", real_transaction)
    monkeypatch.setattr(office.blob_store, "put", real_put)
    with store.transaction() as tx:
        assert rotation.blobs_under(tx.connection, old_id) == 2
        assert {a.id: a.blob_ref for a in tx.attachments_of_case(ref)} == {
            **{a.id: a.blob_ref for a in attached[2:]},
            **{a.id: tx.get_attachment(a.id).blob_ref for a in attached[:2]},  # type: ignore[union-attr]
        }

    # the rerun: deletes what the first cut left released, re-seals the rest
    assert delete_released_blobs(store, office.blob_store, "XS") == 2
    tally = _reseal(office, batch_size=2)
    assert (tally.done, tally.skipped, tally.damaged) == (2, 0, [])
    with store.transaction() as tx:
        assert rotation.finish(tx, "XS") == ([old_id], 0)
        named = {a.blob_ref for a in tx.attachments_of_case(ref)}
    assert named <= _blob_files(tmp_path)
    assert not {a.blob_ref for a in attached} & _blob_files(tmp_path)  # no old blob is left
    assert len(_blob_files(tmp_path) - named) == 2  # the two written before the failed commit: named by nothing
    assert [c.problem for c in office.verify_attachments()] == [None] * 4


def test_a_missing_blob_is_reported_and_keeps_its_key(
    office: Office, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from petitionkit.testing.files import png

    monkeypatch.chdir(tmp_path)
    ref = office.register(sample_petition()).case.id
    kept, lost = (office.attach(ref, png(n + 2, 2), filename=f"{n}.png") for n in range(2))
    old_id, _ = _live_data_key(office)
    (tmp_path / "attachments" / lost.blob_ref[:2] / lost.blob_ref[2:4] / lost.blob_ref).unlink()
    store = _store(office)
    rotation.start(store, "XS", AES_GCM)
    rotation.reencrypt(store, "XS")
    tally = _reseal(office)
    assert (tally.done, tally.damaged) == (1, [lost.id])
    with store.transaction() as tx:
        assert rotation.finish(tx, "XS") == ([], 1)  # the old key stays while an attachment names it
    assert {k.key_id: k.blobs for k in rotation.status(store)}[old_id] == 1
    assert office.read_attachment(kept.id)[1] == png(2, 2)


@pytest.mark.parametrize("db_url", [pytest.param("postgresql", marks=pytest.mark.postgresql)], indirect=True)
def test_a_read_that_began_before_its_blob_was_resealed_reads_the_new_blob(
    office: Office, db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The rotation commits and deletes the old blob between a reader's row and its blob: one retry.
    (PostgreSQL only: on SQLite every transaction takes the write lock, so the rotation waits for the read.)"""
    from petitionkit.testing.files import png

    monkeypatch.chdir(tmp_path)
    ref = office.register(sample_petition()).case.id
    attachment = office.attach(ref, png(3, 3), filename="a.png")
    store = _store(office)
    rotation.start(store, "XS", AES_GCM)
    rotation.reencrypt(store, "XS")
    real_get, rotated = office.blob_store.get, []

    def rotate_first(blob_ref: str) -> bytes:
        if not rotated:  # the reader has its row (the old blob's name): the rotation passes now
            rotated.append(None)
            rotated.append(_reseal(office))
        return real_get(blob_ref)

    monkeypatch.setattr(office.blob_store, "get", rotate_first)
    read, data = office.read_attachment(attachment.id)
    assert data == png(3, 3) and read.blob_ref != attachment.blob_ref and rotated[1].done == 1
    records = [r for r in office.access_records() if r.action == "attachment"]
    assert len(records) == 1  # the failed first try left no record
