"""Unlocking a SQL store: its data keys unwrapped with the master key, an office's keys made on first use.

:func:`unlock` reads every row of ``data_keys`` and unwraps it with the master key that wrapped it
(fail closed: a missing or wrong master key is an :class:`~petitionkit.errors.EncryptionKeyError`).
An office without keys gets a new data key and index key in the same transaction, and its existing
rows are brought under them: petitions' subjects, content and petitioners and cases' subjects are
encrypted, identity digests are replaced by their blind index (HMAC over the stored SHA-256 digest, so
no plain identity is needed), and outbox contexts and recipients not yet sealed are sealed.  A database written
before field encryption (revision 0007 and earlier) is thereby migrated the first time an office
opens it with a master key.

Another process may rotate the keys while this one runs (``petitionkit keys rotate``): :func:`refresh`
brings a writer's cipher up to date before it seals, and :func:`key_loader` finds a key a reader has
not seen yet.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import UTC, datetime

from sqlalchemy import Connection, select

from petitionkit.storage.sql.crypto import (
    AES_GCM,
    DATA,
    INDEX,
    SEALED_PREFIXES,
    FieldCipher,
    MasterKeys,
    StoredKey,
    check_algorithm,
    check_master_keys,
    new_key_id,
    new_secret,
    unwrap,
    wrap,
)
from petitionkit.storage.sql.tables import cases, data_keys, outbox, petitioner_identities, petitions
from petitionkit.storage.sql.types import SEALED_PAYLOAD_KEYS, dumps

_k = data_keys.c
_COLUMNS = (_k.key_id, _k.office_code, _k.purpose, _k.master_key_id, _k.wrapped, _k.retired_at, _k.algorithm)


def _stored(master: MasterKeys, row: tuple[str, str, str, str, str, object, str]) -> StoredKey:
    key_id, office, purpose, master_key_id, wrapped, retired, algorithm = row
    secret = unwrap(master, key_id, office, purpose, master_key_id, wrapped, algorithm)
    return StoredKey(key_id, office, purpose, secret, retired is not None, algorithm)


def load_keys(connection: Connection, master: MasterKeys) -> list[StoredKey]:
    """Every data and index key not destroyed, unwrapped, oldest first."""
    found = connection.execute(
        select(*_COLUMNS).where(_k.destroyed_at.is_(None)).order_by(_k.created_at, _k.retired_at.is_(None))
    ).all()
    return [_stored(master, row) for row in found]


def insert_key(
    connection: Connection, master: MasterKeys, office_code: str, purpose: str, algorithm: str, now: datetime
) -> StoredKey:
    """A new live key for ``office_code``, stored wrapped under the newest master key."""
    key = StoredKey(new_key_id(purpose), office_code, purpose, new_secret(purpose, algorithm), algorithm=algorithm)
    master_key_id, wrapped = wrap(master, key.key_id, office_code, purpose, key.secret, algorithm)
    connection.execute(
        data_keys.insert().values(
            key_id=key.key_id,
            office_code=office_code,
            purpose=purpose,
            master_key_id=master_key_id,
            wrapped=wrapped,
            created_at=now,
            algorithm=algorithm if purpose == DATA else AES_GCM,
        )
    )
    return key


def unlock(
    connection: Connection,
    master: MasterKeys,
    office_code: str,
    default_office: str | None,
    algorithm: str = AES_GCM,
) -> FieldCipher:
    """A cipher holding every data key of the database, with keys for ``office_code`` made if it has none.

    ``algorithm`` is the cipher of a data key made here; an office that already has one keeps it until
    ``petitionkit keys rotate`` moves it to another.
    """
    check_master_keys(master)
    check_algorithm(algorithm)
    cipher = FieldCipher(load_keys(connection, master))
    cipher.default_office = default_office or office_code
    if not cipher.has_office(office_code):
        now = datetime.now(UTC)
        for purpose in (DATA, INDEX):
            if purpose == DATA and cipher.active_key(office_code) is not None:
                continue
            cipher.add(insert_key(connection, master, office_code, purpose, algorithm, now))
        _protect_existing_rows(connection, cipher, office_code)
    return cipher


def refresh(connection: Connection, cipher: FieldCipher, master: MasterKeys, *, lock: bool) -> None:
    """Reload the keys when another process rotated since this cipher was made.

    Called by a transaction before it seals: it compares the live key ids in ``data_keys`` with the
    cipher's.  ``lock`` (PostgreSQL) takes a share lock on the live rows, so a rotation cannot retire a
    key between this check and the writer's commit: whatever the writer seals under the old key is
    committed before the rotation starts re-encrypting, and so is found by it.  (SQLite transactions
    begin IMMEDIATE: writers are serialised already.)
    """
    statement = select(_k.key_id).where(_k.retired_at.is_(None))
    if lock:
        statement = statement.with_for_update(read=True)
    live = set(connection.execute(statement).scalars())
    if live != cipher.live_key_ids():
        cipher.replace(load_keys(connection, master))


def key_loader(
    connect: Callable[[], AbstractContextManager[Connection]], master: MasterKeys
) -> Callable[[str], StoredKey | None]:
    """Reads one data key: for a reader meeting a key made after it unlocked (``connect``: the store's)."""

    def load(key_id: str) -> StoredKey | None:
        with connect() as connection:
            row = connection.execute(
                select(*_COLUMNS).where(_k.key_id == key_id, _k.destroyed_at.is_(None), _k.purpose == DATA)
            ).first()
        return None if row is None else _stored(master, tuple(row))

    return load


def _protect_existing_rows(connection: Connection, cipher: FieldCipher, office_code: str) -> None:
    p = petitions.c
    for pid, subject, content, people in connection.execute(
        select(p.id, p.subject, p.content, p.petitioners).where(p.office_code == office_code)
    ).all():
        if content.startswith(SEALED_PREFIXES):
            continue
        connection.execute(
            petitions.update()
            .where(p.id == pid)
            .values(
                subject=cipher.seal(office_code, "petitions", pid, "subject", subject),
                content=cipher.seal(office_code, "petitions", pid, "content", content),
                petitioners=cipher.seal(office_code, "petitions", pid, "petitioners", dumps(people)),
            )
        )
    c = cases.c
    for case_id, subject in connection.execute(select(c.id, c.subject).where(c.office_code == office_code)).all():
        if not subject.startswith(SEALED_PREFIXES):
            sealed = cipher.seal(office_code, "cases", case_id, "subject", subject)
            connection.execute(cases.update().where(c.id == case_id).values(subject=sealed))
    i = petitioner_identities.c
    for pid, digest in connection.execute(select(i.petition_id, i.digest).where(i.office_code == office_code)).all():
        connection.execute(
            petitioner_identities.update()
            .where(i.petition_id == pid, i.digest == digest)
            .values(digest=cipher.blind(office_code, digest))
        )
    o = outbox.c
    for message_id, payload in connection.execute(select(o.id, o.payload)).all():
        if not isinstance(payload, dict):
            continue
        changed = dict(payload)
        for key in SEALED_PAYLOAD_KEYS:
            value = payload.get(key)
            if value is not None and not (isinstance(value, str) and value.startswith(SEALED_PREFIXES)):
                changed[key] = cipher.seal(None, "outbox", message_id, key, dumps(value))
        if changed != payload:
            connection.execute(outbox.update().where(o.id == message_id).values(payload=changed))
