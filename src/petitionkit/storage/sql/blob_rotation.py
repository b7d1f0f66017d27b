"""Attachment blobs re-sealed by a data key rotation (密钥轮换: 附件).

An attachment's bytes rest in the blob store sealed under the data key its row names
(``attachments.sealed_with``), with the attachment id and the SHA-256 of the plain file bound as
associated data (:func:`~petitionkit.domain.attachments.blob_context`).  After :func:`rotation.start
<petitionkit.storage.sql.rotation.start>` retired that key, :func:`reseal_blobs` walks the office's
attachments still sealed under a retiring key, in id order, and for each one:

1. reads the blob, opens it under the old key and checks its SHA-256 against the row's digest (the one
   the ``AttachmentAdded`` event carries): a blob missing or damaged is left as it is and reported,
   and its key stays;
2. seals the plain bytes again under the live key, with the same associated data (so the digest in
   the audit trail still opens and verifies it), and writes the new blob: a new name, since the store
   is content-addressed;
3. then, in one transaction per batch, switches each row to the new blob with a compare-and-set on the
   old blob and key, and records the old blob as released (``released_blobs``).  A row changed
   meanwhile (a purge erased it) is left alone and the new blob is released instead.

The released blobs are deleted from the store after the commit
(:func:`petitionkit.service.attachments.delete_released_blobs`, the ``released`` callback).  A crash
before the commit leaves a new blob nothing names (harmless, as an interrupted attach does); a crash
after it leaves released rows the next run deletes.  Progress is the data: a re-run finds only the
attachments still under a retiring key.  :func:`rotation.finish <petitionkit.storage.sql.rotation.finish>`
destroys the retired key once no attachment (nor any sealed value) names it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import attrs
from sqlalchemy import Connection, func, select

from petitionkit.domain.attachments import blob_context
from petitionkit.errors import EncryptionKeyError
from petitionkit.storage.sql.rotation import Progress, _cipher, _retiring
from petitionkit.storage.sql.store import SqlStorage
from petitionkit.storage.sql.tables import attachments

if TYPE_CHECKING:
    from petitionkit.attachments.blobs import BlobStore

_a = attachments.c
LOCATION = "attachments.blob"  # the name progress reports


@attrs.define
class BlobTally:
    """What :func:`reseal_blobs` did: blobs re-sealed, rows skipped (changed meanwhile), blobs it could
    not re-seal (missing, or not opening to their digest: ``petitionkit attachments verify`` says which)."""

    done: int = 0
    skipped: int = 0
    damaged: list[str] = attrs.Factory(list)  # attachment ids
    batches: int = 0


def blobs_left(connection: Connection, office_code: str, key_ids: list[str]) -> int:
    """How many of the office's attachments have their blob sealed under one of ``key_ids``."""
    if not key_ids:
        return 0
    return int(
        connection.execute(
            select(func.count())
            .select_from(attachments)
            .where(_a.office_code == office_code, _a.sealed_with.in_(key_ids))
        ).scalar_one()
    )


@attrs.frozen
class _Resealed:
    attachment_id: str
    old_ref: str
    old_key: str
    new_ref: str
    new_key: str


def _reseal_one(
    store: SqlStorage, blobs: BlobStore, office_code: str, row: tuple[str, str, str, str]
) -> _Resealed | None:
    """Steps 1 and 2 for one attachment; ``None`` when its blob is missing or does not open to its digest."""
    attachment_id, digest, ref, key_id = row
    cipher = _cipher(store)
    context = blob_context(attachment_id, digest)
    try:
        plain = cipher.open_bytes(context, blobs.get(ref))
    except (KeyError, EncryptionKeyError):  # BlobMissing is a KeyError (storage imports no attachments module)
        return None
    if hashlib.sha256(plain).hexdigest() != digest:
        return None
    sealed, new_key = cipher.seal_bytes(office_code, context, plain)
    return _Resealed(attachment_id, ref, key_id, blobs.put(sealed), new_key)


def reseal_blobs(
    store: SqlStorage,
    office_code: str,
    blobs: BlobStore,
    *,
    batch_size: int = 50,
    progress: Progress | None = None,
    pause: Callable[[], None] | None = None,
    released: Callable[[], object] | None = None,
) -> BlobTally:
    """Re-seal every blob of the office under a retiring data key under its live key (see the module).

    ``batch_size`` attachments per transaction (each blob is read and written whole, one at a time);
    after each batch's commit ``released`` (delete the released blobs), ``progress``, then ``pause``.
    """
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    tally = BlobTally()
    with store.transaction() as tx:
        retiring = list(_retiring(tx.connection, office_code))
        total = blobs_left(tx.connection, office_code, retiring)
    after: str | None = None
    while retiring:
        with store.transaction() as tx:
            query = select(_a.id, _a.digest, _a.blob_ref, _a.sealed_with).where(
                _a.office_code == office_code, _a.sealed_with.in_(retiring)
            )
            if after is not None:
                query = query.where(_a.id > after)
            rows = tx.connection.execute(query.order_by(_a.id).limit(batch_size)).all()
            found = [(str(r[0]), str(r[1]), str(r[2]), str(r[3])) for r in rows]
        if not found:
            break
        after = found[-1][0]
        done: list[_Resealed] = []
        for row in found:
            resealed = _reseal_one(store, blobs, office_code, row)
            if resealed is None:
                tally.damaged.append(row[0])
            else:
                done.append(resealed)
        with store.transaction() as tx:
            free: list[str] = []
            for r in done:
                switched = tx.connection.execute(
                    attachments.update()
                    .where(_a.id == r.attachment_id, _a.blob_ref == r.old_ref, _a.sealed_with == r.old_key)
                    .values(blob_ref=r.new_ref, sealed_with=r.new_key)
                ).rowcount
                if switched:
                    tally.done += 1
                    free.append(r.old_ref)
                else:
                    tally.skipped += 1
                    free.append(r.new_ref)
            tx.release_blobs(office_code, free, datetime.now(UTC))
        tally.batches += 1
        if released is not None:
            released()
        if progress is not None:
            progress(LOCATION, tally.done, total)
        if pause is not None:
            pause()
    return tally
