"""Key rotation (密钥轮换) of the SQL store: data keys re-encrypted in batches, master keys re-wrapped.

**Data key rotation.**  :func:`start` retires the office's data key (it still opens, never seals) and
stores a new one, in one short transaction.  :func:`reencrypt` then walks every sealed location
(:data:`LOCATIONS`) in primary-key order, ``batch_size`` rows per transaction, opening each value under
a retired key and sealing it again under the live one.  Each row is rewritten with a compare-and-set
(``UPDATE ... WHERE id = ? AND <column> = <the ciphertext read>``): a row another transaction changed in
the meantime is left alone (it was sealed afresh, under the live key) and never overwritten with stale
data.  Progress is the data itself (the values whose ciphertext still names a retired key id), so a
run killed half-way simply continues when started again.  Attachments' blobs, in the blob store, are
re-sealed by :func:`petitionkit.storage.sql.blob_rotation.reseal_blobs`.  :func:`finish` erases a retired
key's wrapped secret, in one transaction that first checks that no value (and no blob) is left under it.

Other processes keep working meanwhile: each write transaction compares the live key ids with its
cipher's before it seals (``encryption.refresh``) and so writes under the new key as soon as the
rotation has started; on PostgreSQL it holds a share lock on the live rows, so the retirement waits
for writers already sealing under the old key (their values are then found by the re-encryption).

**Index key rotation.**  :func:`start` with ``purpose="index"`` retires the blind-index key; lookups
then search under both keys (``FieldCipher.blind_all``) while :func:`rekey_identities` recomputes each
petition's index from its decrypted petitioners; :func:`finish_index` erases the old key after a
complete pass.  The index names no key, so a resumed pass walks every petition again and rewrites
only the ones still different.

**Master key rotation.**  :func:`rewrap` wraps every data and index key again under the newest master
key of the ring, after which the older master keys can be removed from it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

import attrs
from sqlalchemy import Connection, Text, bindparam, cast, func, or_, select

from petitionkit.domain.retention import ERASED
from petitionkit.domain.tracking import identity_digest
from petitionkit.errors import EncryptionKeyError
from petitionkit.storage.sql import encryption
from petitionkit.storage.sql.crypto import (
    AES_GCM,
    DATA,
    INDEX,
    FieldCipher,
    MasterKeys,
    check_algorithm,
    newest_master,
    parse_sealed,
    stored_prefix,
    unwrap,
    wrap,
)
from petitionkit.storage.sql.store import SqlStorage, SqlTransaction
from petitionkit.storage.sql.tables import (
    attachments,
    cases,
    casework,
    data_keys,
    outbox,
    petitioner_identities,
    petitions,
)
from petitionkit.storage.sql.types import SEALED_PAYLOAD_KEYS

TEXT, DOC, PAYLOAD = "text", "doc", "payload"


@attrs.frozen
class Location:
    """A column that holds sealed values: a text, a JSON string holding one, or an outbox payload."""

    table: Any
    column: str
    kind: str
    order: str = "id"  # the column batches advance along
    row_id: str = "id"  # the row id bound into the associated data

    @property
    def name(self) -> str:
        return f"{self.table.name}.{self.column}"


#: Every place ``rows.py`` seals (``tests/storage/test_key_rotation.py`` checks the list against it).
LOCATIONS = (
    Location(petitions, "subject", TEXT),
    Location(petitions, "content", TEXT),
    Location(petitions, "petitioners", DOC),
    Location(cases, "subject", TEXT),
    Location(outbox, "payload", PAYLOAD, order="seq"),
    Location(casework, "body", DOC),
    Location(attachments, "filename", TEXT),  # storage/sql/attachment_state.py
)

Progress = Callable[[str, int, int], None]
"""Called after each batch: (location name, values re-encrypted so far, values to do in all)."""


@attrs.frozen
class KeyInfo:
    """One ``data_keys`` row as ``keys status`` shows it."""

    key_id: str
    office_code: str
    purpose: str
    algorithm: str
    master_key_id: str
    created_at: datetime
    retired_at: datetime | None
    destroyed_at: datetime | None
    values: int = 0  # sealed values under it (data keys; 0 for index keys)
    blobs: int = 0  # of which attachment blobs (re-sealed by blob_rotation.reseal_blobs)


@attrs.frozen
class Started:
    """What :func:`start` did: the keys being retired, the live key, and whether it resumed a run."""

    retiring: tuple[str, ...]
    live: str
    algorithm: str
    resumed: bool


def _stored_text(location: Location) -> Any:
    column = location.table.c[location.column]
    return column if location.kind == TEXT else cast(column, Text)


def _pattern(location: Location, prefix: str) -> str:
    if location.kind == TEXT:
        return prefix + "%"
    if location.kind == DOC:
        return '"' + prefix + "%"  # a JSON string holding the ciphertext
    return "%" + prefix + "%"  # somewhere inside the payload object


def _cipher(store: SqlStorage) -> FieldCipher:
    cipher = store.codec.cipher
    if cipher is None:
        raise EncryptionKeyError("locked")
    return cipher


def _reload(store: SqlStorage, connection: Connection) -> None:
    _cipher(store).replace(encryption.load_keys(connection, store.master))


def count_under(connection: Connection, key_id: str, algorithm: str) -> int:
    """How many sealed values (rows per location) still name ``key_id``."""
    prefix = stored_prefix(key_id, algorithm)
    total = 0
    for location in LOCATIONS:
        stored = _stored_text(location)
        total += connection.execute(
            select(func.count()).select_from(location.table).where(stored.like(_pattern(location, prefix)))
        ).scalar_one()
    # An attachment's blob counts too: its key is destroyed only once blob_rotation.reseal_blobs re-sealed it.
    return int(total) + blobs_under(connection, key_id)


def blobs_under(connection: Connection, key_id: str) -> int:
    """How many attachments have their blob sealed under ``key_id`` (``storage/sql/blob_rotation.py``)."""
    found = connection.execute(select(func.count()).select_from(attachments).where(attachments.c.sealed_with == key_id))
    return int(found.scalar_one())


def status(store: SqlStorage) -> list[KeyInfo]:
    """Every key of the database, oldest first per office, with the number of values under each data key."""
    k = data_keys.c
    columns = (k.key_id, k.office_code, k.purpose, k.algorithm, k.master_key_id, k.created_at, k.retired_at)
    with store.transaction() as tx:
        connection = tx.connection
        found = connection.execute(
            select(*columns, k.destroyed_at).order_by(k.office_code, k.purpose, k.created_at)
        ).all()
        counted = [row.purpose == DATA and row.destroyed_at is None for row in found]
        return [
            KeyInfo(
                *row,
                values=count_under(connection, row.key_id, row.algorithm) if count else 0,
                blobs=blobs_under(connection, row.key_id) if count else 0,
            )
            for row, count in zip(found, counted, strict=True)
        ]


def _retiring(connection: Connection, office_code: str, purpose: str = DATA) -> dict[str, str]:
    """``{key id: algorithm}`` of the office's retired keys of ``purpose`` that still have their secret."""
    k = data_keys.c
    found = connection.execute(
        select(k.key_id, k.algorithm)
        .where(k.office_code == office_code, k.purpose == purpose, k.retired_at.is_not(None), k.destroyed_at.is_(None))
        .order_by(k.created_at)
    ).all()
    return {key_id: algorithm for key_id, algorithm in found}


def start(store: SqlStorage, office_code: str, algorithm: str = AES_GCM, *, purpose: str = DATA) -> Started:
    """Retire the office's data (or index) key and make a new one, or resume an unfinished rotation.

    A rotation is unfinished while a retired key of the office still has its secret: then nothing
    new is made, and the re-encryption continues where the data shows it stopped.  ``algorithm``
    applies to a data key (an index key is always HMAC-SHA-256).
    """
    check_algorithm(algorithm)
    _cipher(store)
    k = data_keys.c
    with store.transaction() as tx:
        connection = tx.connection
        live = connection.execute(
            select(k.key_id, k.algorithm)
            .where(k.office_code == office_code, k.purpose == purpose, k.retired_at.is_(None))
            .with_for_update()  # PostgreSQL: a second rotation started at the same moment waits, then finds none
        ).first()
        if live is None:
            raise EncryptionKeyError("no_office_key", office=office_code)
        pending = _retiring(connection, office_code, purpose)
        if pending:
            started = Started(tuple(pending), live.key_id, live.algorithm, resumed=True)
        else:
            now = datetime.now(UTC)
            connection.execute(data_keys.update().where(k.key_id == live.key_id).values(retired_at=now))
            key = encryption.insert_key(connection, store.master, office_code, purpose, algorithm, now)
            started = Started((live.key_id,), key.key_id, key.algorithm if purpose == DATA else AES_GCM, resumed=False)
        _reload(store, connection)
    return started


def _reseal(
    cipher: FieldCipher, office: str, retiring: Mapping[str, str], where: tuple[str, str, str], value: Any
) -> Any:
    """``value`` sealed again under the office's live key when it is under a retiring key, else ``None``."""
    if not isinstance(value, str):
        return None
    parsed = parse_sealed(value)
    if parsed is None or parsed[1] not in retiring:
        return None
    table, row_id, column = where
    return cipher.seal(office, table, row_id, column, cipher.open(table, row_id, column, value))


def _resealed(
    cipher: FieldCipher, office: str, retiring: Mapping[str, str], location: Location, row_id: str, stored: str
) -> Any:
    """The new value of one row's column, or ``None`` when nothing in it is under a retiring key."""
    table = location.table.name
    if location.kind == TEXT:
        return _reseal(cipher, office, retiring, (table, row_id, location.column), stored)
    loaded = json.loads(stored)
    if location.kind == DOC:
        return _reseal(cipher, office, retiring, (table, row_id, location.column), loaded)
    if not isinstance(loaded, dict):
        return None
    changed = False
    for key in SEALED_PAYLOAD_KEYS:
        fresh = _reseal(cipher, office, retiring, (table, row_id, key), loaded.get(key))
        if fresh is not None:
            loaded[key], changed = fresh, True
    return loaded if changed else None


@attrs.define
class Tally:
    """What :func:`reencrypt` did: values re-encrypted, and rows skipped because another writer changed them."""

    done: int = 0
    skipped: int = 0
    batches: int = 0


def reencrypt(
    store: SqlStorage,
    office_code: str,
    *,
    batch_size: int = 500,
    progress: Progress | None = None,
    pause: Callable[[], None] | None = None,
) -> Tally:
    """Seal every value under one of the office's retiring data keys again under its live key.

    One transaction per batch of ``batch_size`` rows; ``progress`` after each, then ``pause`` (a
    throttle that leaves the database to the office's own work).  Resumable: it looks only for values
    still under a retiring key.
    """
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    cipher = _cipher(store)
    tally = Tally()
    with store.transaction() as tx:
        retiring = _retiring(tx.connection, office_code)
        total = sum(count_under(tx.connection, key_id, alg) for key_id, alg in retiring.items())
    for location in LOCATIONS:
        table = location.table
        order, row_id = table.c[location.order], table.c[location.row_id]
        stored = _stored_text(location)
        under = or_(*(stored.like(_pattern(location, stored_prefix(k, a))) for k, a in retiring.items()))
        # One statement for the batch (executemany): compare-and-set on the ciphertext that was read.
        rewrite = (
            table.update()
            .where(order == bindparam("at_position"), stored == bindparam("was_stored"))
            .values({location.column: bindparam("new_value", type_=table.c[location.column].type)})
        )
        after: Any = None
        while retiring:
            with store.transaction() as tx:
                connection = tx.connection
                query = select(order, row_id, stored.label("stored")).where(under)
                if after is not None:
                    query = query.where(order > after)
                found = connection.execute(query.order_by(order).limit(batch_size)).all()
                changes = [
                    {"at_position": position, "was_stored": value, "new_value": fresh}
                    for position, rid, value in found
                    if (fresh := _resealed(cipher, office_code, retiring, location, rid, value)) is not None
                ]
                if changes:
                    changed = connection.execute(rewrite, changes).rowcount
                    tally.done += changed
                    tally.skipped += len(changes) - changed
            if not found:
                break
            after = found[-1][0]
            tally.batches += 1
            if progress is not None:
                progress(location.name, tally.done, total)
            if pause is not None:
                pause()
    return tally


def finish(tx: SqlTransaction, office_code: str) -> tuple[list[str], int]:
    """Erase the wrapped secret of each retiring data key no value is left under, in ``tx``.

    ``(destroyed key ids, values still under a retiring key)``: a value left (a row a concurrent
    writer held) keeps its key until the next run.
    """
    connection = tx.connection
    cipher = _cipher(tx.store)
    destroyed, left = [], 0
    for key_id, algorithm in _retiring(connection, office_code).items():
        remaining = count_under(connection, key_id, algorithm)
        if remaining:
            left += remaining
            continue
        _destroy(connection, key_id)
        cipher.forget(key_id)
        destroyed.append(key_id)
    return destroyed, left


def _destroy(connection: Connection, key_id: str) -> None:
    k = data_keys.c
    connection.execute(data_keys.update().where(k.key_id == key_id).values(wrapped="", destroyed_at=datetime.now(UTC)))


# --- index keys ------------------------------------------------------------------------------------


def _blinded(cipher: FieldCipher, office: str, pid: str, stored: str) -> set[str] | None:
    """The blind indexes, under the office's live index key, of one petition's petitioners.

    ``None`` for a petition whose petitioners a purge erased: its index rows are the purge's
    pseudonyms (under a key that lived only for the purge run, ``service/retention.py``), which keep
    the reports' repeat figures and must stay as they are.
    """
    people = json.loads(cipher.open("petitions", pid, "petitioners", json.loads(stored)))
    if people and all(p.get("name") == ERASED for p in people):
        return None
    digests = {identity_digest(p.get("id_number"), p["name"], p.get("phone")) for p in people}
    return {cipher.blind(office, d) for d in digests if d is not None}


def rekey_identities(
    store: SqlStorage,
    office_code: str,
    *,
    batch_size: int = 500,
    progress: Progress | None = None,
    pause: Callable[[], None] | None = None,
) -> Tally:
    """Recompute every identity blind index of the office under its live index key, from the petitioners.

    The stored index names no key, so there is nothing to search for: each run walks every petition
    of the office (``batch_size`` per transaction, in id order), decrypts its petitioners, computes the
    identity digests with the registration's normalisation, and rewrites the petition's index rows
    only where they differ; a resumed run therefore rewrites only what the killed one had not.  On
    PostgreSQL the batch's petition rows are locked (``FOR UPDATE``) while their index is rewritten.
    """
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    cipher = _cipher(store)
    p, i = petitions.c, petitioner_identities.c
    tally = Tally()
    with store.transaction() as tx:
        total = tx.connection.execute(
            select(func.count()).select_from(petitions).where(p.office_code == office_code)
        ).scalar_one()
    after: str | None = None
    while True:
        with store.transaction() as tx:
            connection = tx.connection
            query = select(p.id, p.case_id, cast(p.petitioners, Text)).where(p.office_code == office_code)
            if after is not None:
                query = query.where(p.id > after)
            query = query.order_by(p.id).limit(batch_size)
            if store.dialect == "postgresql":
                query = query.with_for_update(of=petitions)
            found = connection.execute(query).all()
            ids = [row[0] for row in found]
            have: dict[str, set[str]] = {pid: set() for pid in ids}
            for chunk in _chunks(ids):
                for pid, digest in connection.execute(select(i.petition_id, i.digest).where(i.petition_id.in_(chunk))):
                    have[pid].add(digest)
            rekeyed: list[str] = []
            rows: list[dict[str, str]] = []
            for pid, case_id, stored in found:
                wanted = _blinded(cipher, office_code, pid, stored)
                if wanted is None or wanted == have[pid]:
                    tally.skipped += 1
                    continue
                rekeyed.append(pid)
                rows.extend(
                    {"petition_id": pid, "digest": d, "case_id": case_id, "office_code": office_code} for d in wanted
                )
            for chunk in _chunks(rekeyed):
                connection.execute(petitioner_identities.delete().where(i.petition_id.in_(chunk)))
            if rows:
                connection.execute(petitioner_identities.insert(), rows)
            tally.done += len(rekeyed)
        if not found:
            return tally
        after = ids[-1]
        tally.batches += 1
        if progress is not None:
            progress(petitioner_identities.name, tally.done + tally.skipped, total)
        if pause is not None:
            pause()


def _chunks(ids: list[str], size: int = 500) -> list[list[str]]:
    """Lists short enough for an ``IN (...)`` under SQLite's bound-parameter limit."""
    return [ids[n : n + size] for n in range(0, len(ids), size)]


def finish_index(tx: SqlTransaction, office_code: str) -> list[str]:
    """Erase the retiring index keys of the office: call it only after a complete :func:`rekey_identities`."""
    connection = tx.connection
    destroyed = list(_retiring(connection, office_code, INDEX))
    for key_id in destroyed:
        _destroy(connection, key_id)
    if destroyed:
        _reload(tx.store, connection)
    return destroyed


def rewrap(store: SqlStorage) -> tuple[int, str]:
    """Wrap every key not destroyed under the newest master key; ``(keys re-wrapped, newest master id)``."""
    master: MasterKeys = store.master
    newest = newest_master(master)
    k = data_keys.c
    done = 0
    with store.transaction() as tx:
        connection = tx.connection
        found = connection.execute(
            select(k.key_id, k.office_code, k.purpose, k.master_key_id, k.wrapped, k.algorithm).where(
                k.destroyed_at.is_(None), k.master_key_id != newest
            )
        ).all()
        for key_id, office, purpose, master_key_id, wrapped, algorithm in found:
            secret = unwrap(master, key_id, office, purpose, master_key_id, wrapped, algorithm)
            new_master, new_wrapped = wrap(master, key_id, office, purpose, secret, algorithm)
            done += connection.execute(
                data_keys.update()
                .where(k.key_id == key_id, k.wrapped == wrapped)
                .values(master_key_id=new_master, wrapped=new_wrapped)
            ).rowcount
    return done, newest


def masters_in_use(store: SqlStorage) -> list[str]:
    """The master key ids that wrap a key not destroyed (those the ring must keep)."""
    k = data_keys.c
    with store.transaction() as tx:
        return sorted(
            tx.connection.execute(select(k.master_key_id).where(k.destroyed_at.is_(None)).distinct()).scalars()
        )
