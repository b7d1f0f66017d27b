"""Unlocking a SQL store: its data keys unwrapped with the master key, an office's keys made on first use.

:func:`unlock` reads every row of ``data_keys`` and unwraps it with the master key that wrapped it
(fail closed: a missing or wrong master key is an :class:`~petitionkit.errors.EncryptionKeyError`).
An office without keys gets a new data key and index key in the same transaction, and its existing
rows are brought under them: petitions' subjects, content and petitioners and cases' subjects are
encrypted, identity digests are replaced by their blind index (HMAC over the stored SHA-256 digest, so
no plain identity is needed), and outbox contexts and recipients not yet sealed are sealed.  A database written
before field encryption (revision 0007 and earlier) is thereby migrated the first time an office
opens it with a master key.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime

from sqlalchemy import Connection, select

from petitionkit.storage.sql.crypto import (
    DATA,
    INDEX,
    KEY_BYTES,
    PREFIX,
    FieldCipher,
    MasterKeys,
    StoredKey,
    check_master_keys,
    new_key_id,
    unwrap,
    wrap,
)
from petitionkit.storage.sql.tables import cases, data_keys, outbox, petitioner_identities, petitions
from petitionkit.storage.sql.types import SEALED_PAYLOAD_KEYS, dumps


def unlock(connection: Connection, master: MasterKeys, office_code: str, default_office: str | None) -> FieldCipher:
    """A cipher holding every data key of the database, with keys for ``office_code`` made if it has none."""
    check_master_keys(master)
    k = data_keys.c
    found = connection.execute(
        select(k.key_id, k.office_code, k.purpose, k.master_key_id, k.wrapped, k.retired_at).order_by(k.created_at)
    ).all()
    keys = [
        StoredKey(
            key_id,
            office,
            purpose,
            unwrap(master, key_id, office, purpose, master_key_id, wrapped),
            retired is not None,
        )
        for key_id, office, purpose, master_key_id, wrapped, retired in found
    ]
    cipher = FieldCipher(keys)
    cipher.default_office = default_office or office_code
    if not cipher.has_office(office_code):
        now = datetime.now(UTC)
        for purpose in (DATA, INDEX):
            key = StoredKey(new_key_id(purpose), office_code, purpose, secrets.token_bytes(KEY_BYTES))
            master_key_id, wrapped = wrap(master, key.key_id, office_code, purpose, key.secret)
            connection.execute(
                data_keys.insert().values(
                    key_id=key.key_id,
                    office_code=office_code,
                    purpose=purpose,
                    master_key_id=master_key_id,
                    wrapped=wrapped,
                    created_at=now,
                )
            )
            cipher.add(key)
        _protect_existing_rows(connection, cipher, office_code)
    return cipher


def _protect_existing_rows(connection: Connection, cipher: FieldCipher, office_code: str) -> None:
    p = petitions.c
    for pid, subject, content, people in connection.execute(
        select(p.id, p.subject, p.content, p.petitioners).where(p.office_code == office_code)
    ).all():
        if content.startswith(PREFIX):
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
        if not subject.startswith(PREFIX):
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
            if value is not None and not (isinstance(value, str) and value.startswith(PREFIX)):
                changed[key] = cipher.seal(None, "outbox", message_id, key, dumps(value))
        if changed != payload:
            connection.execute(outbox.update().where(o.id == message_id).values(payload=changed))
