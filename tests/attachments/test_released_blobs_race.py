"""A blob kept because an attachment still named it, whose attachment goes while the released blobs are
being deleted (a purge in another process, on a store without encryption where identical files share a
blob): the purge's release finds the record about to be forgotten, so the blob must be released again,
or nothing would ever delete it."""

from __future__ import annotations

from petitionkit.domain.attachments import Attachment, AttachmentKind
from petitionkit.service.attachments import delete_released_blobs
from petitionkit.storage.base import Storage
from petitionkit.storage.memory import MemoryStorage
from petitionkit.storage.sql import SqlStorage
from petitionkit.testing import office_settings, open_test_office, sample_petition

SHARED, LONE = "a" * 64, "b" * 64


class PurgingWhileDeleting:
    """A blob store whose first delete lets a 'concurrent purge' remove the last attachment naming SHARED."""

    def __init__(self, purge: object) -> None:
        self.purge = purge
        self.deleted: list[str] = []

    def delete(self, name: str) -> None:
        self.deleted.append(name)
        if len(self.deleted) == 1:
            self.purge()  # type: ignore[operator]


def test_a_blob_whose_last_attachment_went_meanwhile_is_deleted_by_the_next_round(db_url: str) -> None:
    _race(SqlStorage(db_url))


def test_the_same_in_the_memory_store() -> None:
    _race(MemoryStorage())


def _race(storage: Storage) -> None:
    with open_test_office(office_settings(), storage=storage) as office:
        case = office.register(sample_petition()).case
        now, code = office.now(), case.office_code
        named = Attachment("1" * 32, code, case.id, AttachmentKind.PHOTO, "image/png", 3, "d" * 64, SHARED,
                           "x.png", now, "w")  # fmt: skip
        with storage.transaction() as tx:
            tx.add_attachment(named)
            tx.release_blobs(code, [SHARED, LONE], now)  # another attachment of SHARED went before

        def purge() -> None:
            with storage.transaction() as tx:
                assert tx.remove_attachments(case.id)
                tx.release_blobs(code, [SHARED], office.now())

        blobs = PurgingWhileDeleting(purge)
        assert delete_released_blobs(storage, blobs, code) == 1  # LONE; SHARED was still named when read
        with storage.transaction() as tx:
            assert tx.released_blobs(code, 10) == [SHARED]  # released again, not forgotten
        assert delete_released_blobs(storage, blobs, code) == 1
        assert blobs.deleted == [LONE, SHARED]
        with storage.transaction() as tx:
            assert tx.released_blobs(code, 10) == []
