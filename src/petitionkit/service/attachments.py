"""Attachments (附件) and evidence (证据材料): attach a file to a case, read it back, verify them all.

A file is checked before anything is kept (:mod:`petitionkit.attachments.content`: size, type told
from its content and agreeing with the declared one, the allow-list, every scanner), then encrypted
under the office's data key with the attachment id and the SHA-256 of the file bound as associated
data, put in the blob store, described in the ``attachments`` table and recorded as an
``AttachmentAdded`` event carrying that digest, in one unit of work.  (The blob is written inside
the transaction; if the transaction then fails an encrypted blob nobody refers to is left: harmless,
and the same bytes are stored under the same name if tried again.)

Reading one is a read of personal data: on record, and through the redaction policy: a handling
body reads the attachments of a case referred to it only when the policy hides nobody of that case
from it, so an accusation's attachments never reach the accused body.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, cast

import attrs

from petitionkit.attachments.blobs import BlobMissing, BlobStore, open_blob_store
from petitionkit.attachments.content import check_content, scan
from petitionkit.attachments.settings import attachment_settings
from petitionkit.domain import event_types as ev
from petitionkit.domain import lifecycle as lc
from petitionkit.domain.access import Permission
from petitionkit.domain.attachments import Attachment, AttachmentKind, blob_context
from petitionkit.domain.events import Event, verify_chain
from petitionkit.domain.ids import new_id
from petitionkit.errors import (
    AttachmentDamaged,
    AttachmentRefused,
    EncryptionKeyError,
    FieldError,
    InvalidInput,
    NotFound,
    PermissionDenied,
)
from petitionkit.service.base import OfficeBase

if TYPE_CHECKING:
    from petitionkit.domain.model import Case
    from petitionkit.service.legacy_attachments import LegacyReport
    from petitionkit.service.office import Office
    from petitionkit.storage.base import Storage, Transaction

_UNSAFE_NAME = re.compile(r"[\x00-\x1f\x7f/\\]")


def clean_filename(filename: str) -> str:
    """The last part of an uploaded file's name, without control characters or separators, at most 200."""
    name = _UNSAFE_NAME.sub("_", filename.replace("\\", "/").rsplit("/", 1)[-1]).strip()
    return name[:200] or "attachment"


RELEASE_BATCH = 200  # released blobs deleted per round


def delete_released_blobs(storage: Storage, blobs: BlobStore, office_code: str) -> int:
    """Delete from ``blobs`` the blobs the office released (``Transaction.release_blobs``), after the
    commit that released them; a blob another attachment still names stays.  Returns how many were
    deleted.  A crash half-way leaves the records, so the next call (each rotation and purge makes
    one) finishes; deleting a blob twice is harmless."""
    deleted = 0
    while True:
        with storage.transaction() as tx:
            refs = tx.released_blobs(office_code, RELEASE_BATCH)
            unused = [ref for ref in refs if not tx.blob_in_use(ref)]
        for ref in unused:
            blobs.delete(ref)
        kept = [ref for ref in refs if ref not in unused]
        with storage.transaction() as tx:
            tx.forget_released_blobs(office_code, refs)
            # a blob kept for an attachment that has gone since (a purge whose release found the record
            # being forgotten here) is released again, so the next round deletes it
            tx.release_blobs(office_code, [ref for ref in kept if not tx.blob_in_use(ref)], datetime.now(UTC))
        deleted += len(unused)
        if len(refs) < RELEASE_BATCH:
            return deleted


@attrs.frozen
class AttachmentCheck:
    """One attachment checked by :meth:`AttachmentUseCases.verify_attachments`; ``problem`` ``None``: intact."""

    attachment_id: str
    case_id: str
    digest: str
    problem: str | None  # "missing", "undecryptable", "digest", "not_in_trail", "chain"


class AttachmentUseCases(OfficeBase):
    """Attach, list, read and verify attachments (``office.attach`` ...)."""

    @cached_property
    def blob_store(self) -> BlobStore:
        """The office's blob store (``[settings.attachments] store``), built on first use."""
        return open_blob_store(self.config, self.pm)

    def attach(
        self,
        case_ref: str,
        data: bytes,
        *,
        filename: str,
        kind: AttachmentKind | str = AttachmentKind.DOCUMENT,
        media_type: str | None = None,
        petition_id: str | None = None,
        expected_digest: str | None = None,
    ) -> Attachment:
        """Attach ``data`` to a case; needs ``register``.  Refused (nothing kept) with
        :class:`~petitionkit.errors.AttachmentRefused` when it is empty, too large, of a type not
        allowed or not the declared one, does not match ``expected_digest``, or a scanner finds something."""
        try:
            kind = AttachmentKind(kind)
        except ValueError:
            raise InvalidInput([FieldError("kind", "choice", {"choices": ", ".join(AttachmentKind)})]) from None
        self.access.require(Permission.REGISTER)
        settings = attachment_settings(self.config)
        found_type = check_content(data, media_type, settings)
        digest = hashlib.sha256(data).hexdigest()
        if expected_digest is not None and expected_digest.strip().lower() != digest:
            raise AttachmentRefused("digest", "digest")
        scan(self.pm, self.config, data, found_type, settings, "file")
        attachment_id = new_id()
        store = self.blob_store
        made: list[Attachment] = []

        def decide(tx: Transaction, case: Case, ctx: lc.Context) -> lc.Decision:
            if petition_id is not None and petition_id not in {p.id for p in tx.petitions_of_case(case.id)}:
                raise NotFound("petition", petition_id)
            sealed, key_id = tx.seal_blob(case.office_code, blob_context(attachment_id, digest), data)
            ref = store.put(sealed)
            attachment = Attachment(
                id=attachment_id,
                office_code=case.office_code,
                case_id=case.id,
                kind=kind,
                media_type=found_type,
                size=len(data),
                digest=digest,
                blob_ref=ref,
                filename=clean_filename(filename),
                added_at=ctx.now,
                added_by=ctx.actor,
                petition_id=petition_id,
                sealed_with=key_id,
            )
            tx.add_attachment(attachment)
            made.append(attachment)
            event = ev.AttachmentAdded(
                attachment_id=attachment_id,
                kind=kind.value,
                media_type=found_type,
                size=len(data),
                digest=digest,
                petition_id=petition_id,
            )
            return lc.record(case, event, ctx)

        self.uow.run(case_ref, decide, permission=Permission.REGISTER)
        return made[0]

    def _readable_case(self, tx: Transaction, case: Case) -> None:
        """Raise unless the bound principal may read ``case``'s attachments (see the module's text)."""
        principal = self.access.require(Permission.READ_PERSONAL_DATA, case)
        seen = self.access.body_view(principal, case, tx.petitions_of_case(case.id))
        if seen is not None and seen.identity_withheld:  # a file cannot be redacted: fail closed
            raise PermissionDenied(principal.id, Permission.READ_PERSONAL_DATA.value, case.first_tracking_number)

    def attachments(self, case_ref: str, *, purpose: str = "") -> list[Attachment]:
        """The case's attachments (names included: a read of personal data, on record)."""
        with self.storage.transaction() as tx:
            case = self.uow.resolve(tx, case_ref)
            self._readable_case(tx, case)
            found = tx.attachments_of_case(case.id)
            principal = self.access.principal("attachments")
            self.access.record(tx, principal, "attachments", count=len(found), case_id=case.id, purpose=purpose)
        return found

    def read_attachment(self, attachment_id: str, *, purpose: str = "") -> tuple[Attachment, bytes]:
        """An attachment and its bytes, checked against the digest it was attached with (on record)."""
        try:
            return self._read_attachment(attachment_id, purpose)
        except AttachmentDamaged as damaged:
            if damaged.problem != "missing":
                raise
            # A key rotation may have re-sealed the blob and deleted the one this read's row named, after
            # the read began: a fresh transaction reads the row that names the new blob.
            return self._read_attachment(attachment_id, purpose)

    def _read_attachment(self, attachment_id: str, purpose: str) -> tuple[Attachment, bytes]:
        with self.storage.transaction() as tx:
            attachment = tx.get_attachment(attachment_id)
            if attachment is None or attachment.office_code != self.config.office_code:
                raise NotFound("attachment", attachment_id)
            case = self.uow.resolve(tx, attachment.case_id)
            self._readable_case(tx, case)
            data = self._plain(tx, attachment)
            principal = self.access.principal("attachment")
            self.access.record(
                tx, principal, "attachment", count=1, case_id=case.id, query=attachment.id, purpose=purpose
            )
        return attachment, data

    def _plain(self, tx: Transaction, attachment: Attachment) -> bytes:
        problem = self._damage(tx, attachment, attachment.digest)
        if isinstance(problem, str):
            raise AttachmentDamaged(attachment.id, problem)
        return problem

    def _damage(self, tx: Transaction, attachment: Attachment, digest: str) -> bytes | str:
        """The plain bytes, or what is wrong with them (compared with ``digest``)."""
        try:
            sealed = self.blob_store.get(attachment.blob_ref)
            data = tx.open_blob(blob_context(attachment.id, digest), sealed)
        except BlobMissing:
            return "missing"
        except EncryptionKeyError:
            return "undecryptable"
        if hashlib.sha256(data).hexdigest() != digest:
            return "digest"
        return data

    def import_legacy_attachments(self, folder: str | Path, *, require_digest: bool = False) -> LegacyReport:
        """Bring the files a migrated system's petitions refer to into the blob store (needs ``register``
        and ``configure``); see :mod:`petitionkit.service.legacy_attachments`."""
        from petitionkit.service.legacy_attachments import import_legacy_attachments  # noqa: PLC0415

        self.access.require(Permission.REGISTER)
        self.access.require(Permission.CONFIGURE)
        return import_legacy_attachments(cast("Office", self), folder, require_digest=require_digest)

    def verify_attachments(self, *, page_size: int = 200) -> Iterator[AttachmentCheck]:
        """Every attachment of the office, its bytes re-hashed and compared with the digest its
        ``AttachmentAdded`` event carries in the (verified) audit chain.  Needs ``audit``."""
        self.access.require(Permission.AUDIT)
        after: str | None = None
        while True:
            with self.storage.transaction() as tx:
                page = tx.attachments_of_office(self.config.office_code, after, page_size)
                trails = {a.case_id: tx.events_of_case(a.case_id) for a in page}
                checks = [self._check(tx, a, trails[a.case_id]) for a in page]
            yield from checks
            if len(page) < page_size:
                return
            after = page[-1].id

    def _check(self, tx: Transaction, attachment: Attachment, trail: list[Event]) -> AttachmentCheck:
        recorded = [
            e.payload.get("digest")
            for e in trail
            if e.name == ev.AttachmentAdded.name and e.payload.get("attachment_id") == attachment.id
        ]
        if not recorded:
            problem: str | None = "not_in_trail"
        elif verify_chain(trail) is not None:
            problem = "chain"
        else:
            found = self._damage(tx, attachment, str(recorded[0]))
            problem = found if isinstance(found, str) else None
            if problem is None and attachment.digest != recorded[0]:
                problem = "digest"
        return AttachmentCheck(attachment.id, attachment.case_id, str(recorded[0]) if recorded else "", problem)
