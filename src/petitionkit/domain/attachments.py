"""Attachments (附件) and evidence (证据材料): files kept with a petition or case.

A scanned letter, a photo of a site, the audio of a call, a document: the office keeps the file in a
blob store (:mod:`petitionkit.attachments`), encrypted, and here only what describes it.  The SHA-256
``digest`` of the file as received is the attachment's identity in the audit trail: the
``AttachmentAdded`` event carries it, so ``petitionkit attachments verify`` can show that what the
store gives back today is what was attached then.
"""

from __future__ import annotations

import enum
import re
from datetime import datetime

import attrs

DIGEST_SHAPE = re.compile(r"^[0-9a-f]{64}$")


class AttachmentKind(enum.StrEnum):
    """What the file is to the case."""

    LETTER = "letter"  # 来信扫描件
    PHOTO = "photo"  # 照片
    AUDIO = "audio"  # 录音
    DOCUMENT = "document"  # 文书、材料
    EVIDENCE = "evidence"  # 调查取得的证据


#: Media types an office accepts unless ``[settings.attachments] allowed_types`` says otherwise.
DEFAULT_MEDIA_TYPES = (
    "image/jpeg",
    "image/png",
    "image/tiff",
    "image/webp",
    "application/pdf",
    "audio/mpeg",
    "audio/x-wav",
    "audio/mp4",
    "audio/ogg",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
)


def blob_context(attachment_id: str, digest: str) -> str:
    """What a blob's encryption binds: which attachment, and the SHA-256 of its plain bytes.  A key
    rotation re-seals a blob under the same context, so the digest the audit trail holds still opens it."""
    return f"{attachment_id}:{digest}"


@attrs.frozen
class Attachment:
    """One attached file's description; its bytes live in the blob store under ``blob_ref``.

    ``filename`` is as the uploader gave it (it may name a person: encrypted at rest on the SQL
    store); ``added_by`` is the actor (``id#roles``) who attached it.
    """

    id: str
    office_code: str
    case_id: str
    kind: AttachmentKind
    media_type: str
    size: int
    digest: str  # SHA-256 hex of the file as received
    blob_ref: str  # the blob store's name for the stored (encrypted) bytes
    filename: str
    added_at: datetime
    added_by: str
    petition_id: str | None = None
    sealed_with: str | None = None  # the data key that sealed the stored bytes (None: stored plain)


@attrs.frozen
class ScanVerdict:
    """A scanner's verdict on a file (``petitionkit_scan_attachment``): which scanner, and what it found
    (a signature name such as ``Eicar-Signature``: never the file's content), ``None`` when the file is clean."""

    scanner: str
    finding: str | None = None

    @property
    def refused(self) -> bool:
        return self.finding is not None
