"""The in-memory backend's attachments and search index (mixed into its transaction).

Nothing rests anywhere, so blobs are sealed as plain bytes marked ``pkb0`` and the search index is a
dictionary; the undo log rolls both back with the rest of the transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING, Any

from petitionkit.domain.attachments import Attachment
from petitionkit.errors import EncryptionKeyError
from petitionkit.storage.base import SearchDocument, SearchHit, TextQuery

if TYPE_CHECKING:
    from petitionkit.storage.memory import MemoryStorage

PLAIN_BLOB = b"pkb0\n"
"""The header of a blob stored without encryption (a store with nothing at rest)."""

DocumentKey = tuple[str, str, str]


def open_plain_blob(context: str, sealed: bytes) -> bytes:
    if not sealed.startswith(PLAIN_BLOB):
        raise EncryptionKeyError("plaintext", table="attachments", column="blob", row=context[:32])
    return sealed[len(PLAIN_BLOB) :]


class MemoryAttachments:
    """Attachments and search documents of :class:`~petitionkit.storage.memory.MemoryStorage`."""

    s: MemoryStorage
    _set: Callable[..., None]
    _undo: list[Callable[[], None]]

    def add_attachment(self, attachment: Attachment) -> None:
        self._set(self.s.attachments, attachment.id, attachment)

    def get_attachment(self, attachment_id: str) -> Attachment | None:
        return self.s.attachments.get(attachment_id)

    def attachments_of_case(self, case_id: str) -> list[Attachment]:
        return [a for a in self.s.attachments.values() if a.case_id == case_id]

    def attachments_of_office(self, office_code: str, after: str | None, limit: int) -> list[Attachment]:
        found = sorted(
            (
                a
                for a in self.s.attachments.values()
                if a.office_code == office_code and (after is None or a.id > after)
            ),
            key=lambda a: a.id,
        )
        return found[:limit]

    def remove_attachments(self, case_id: str) -> list[tuple[str, str, str]]:
        gone = sorted((a for a in self.s.attachments.values() if a.case_id == case_id), key=lambda a: a.id)
        for attachment in gone:
            del self.s.attachments[attachment.id]
            self._undo.append(partial(self.s.attachments.__setitem__, attachment.id, attachment))
        return [(a.id, a.digest, a.blob_ref) for a in gone]

    def count_attachments(self, case_id: str) -> int:
        return sum(1 for a in self.s.attachments.values() if a.case_id == case_id)

    def seal_blob(self, office_code: str, context: str, data: bytes) -> tuple[bytes, str | None]:
        return PLAIN_BLOB + data, None

    def open_blob(self, context: str, sealed: bytes) -> bytes:
        return open_plain_blob(context, sealed)

    def release_blobs(self, office_code: str, refs: Sequence[str], at: datetime) -> None:
        for ref in refs:
            if (office_code, ref) not in self.s.released_blobs:
                self._set(self.s.released_blobs, (office_code, ref), at)

    def released_blobs(self, office_code: str, limit: int) -> list[str]:
        found = sorted((at, ref) for (office, ref), at in self.s.released_blobs.items() if office == office_code)
        return [ref for _, ref in found[:limit]]

    def blob_in_use(self, ref: str) -> bool:
        return any(a.blob_ref == ref for a in self.s.attachments.values())

    def forget_released_blobs(self, office_code: str, refs: Sequence[str]) -> None:
        for ref in refs:
            key = (office_code, ref)
            if key in self.s.released_blobs:
                at = self.s.released_blobs.pop(key)
                self._undo.append(partial(self.s.released_blobs.__setitem__, key, at))

    def put_search_documents(self, documents: Sequence[SearchDocument]) -> None:
        index: dict[DocumentKey, Any] = self.s.search_index
        for document in documents:
            self.s.search_position += 1
            position = self.s.search_position
            self._set(index, (document.case_id, document.source_kind, document.source_id), (position, document))

    def search_documents(self, query: TextQuery) -> list[SearchHit]:
        words = set(query.words)
        hits = [
            SearchHit(position, d.case_id, d.source_kind, d.source_id)
            for position, d in self.s.search_index.values()
            if d.office_code == query.office_code
            and (query.before is None or position < query.before)
            and words <= set(d.text.split())
        ]
        hits.sort(key=lambda h: h.position, reverse=True)
        return hits[: query.limit]
