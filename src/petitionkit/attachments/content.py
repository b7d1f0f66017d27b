"""The checks a file passes before it is kept: size, type told from its content, scanners.

The type is read from the file's leading bytes by ``filetype`` (maintained, pure Python, no libmagic
to install: its signatures cover the images, PDF, audio and Office documents an office receives),
never from its name.  A declared type must agree with what the content shows, and the content's
type must be on the office's allow-list (``[settings.attachments] allowed_types``).  Then every
``petitionkit_scan_attachment`` implementation sees the bytes; any finding refuses the file.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from petitionkit.domain.attachments import ScanVerdict
from petitionkit.errors import AttachmentRefused

if TYPE_CHECKING:
    import pluggy

    from petitionkit.attachments.settings import AttachmentSettings
    from petitionkit.config import OfficeConfig

#: Names a declared type may go by that ``filetype`` reports under another.
ALIASES = {
    "image/jpg": "image/jpeg",
    "image/pjpeg": "image/jpeg",
    "audio/wav": "audio/x-wav",
    "audio/wave": "audio/x-wav",
    "audio/mp3": "audio/mpeg",
    "audio/x-m4a": "audio/mp4",
    "image/tif": "image/tiff",
}


def canonical(media_type: str) -> str:
    lowered = media_type.strip().lower().split(";", 1)[0]
    return ALIASES.get(lowered, lowered)


def sniff(data: bytes) -> str | None:
    """The media type ``data`` shows, or ``None`` when its content says nothing known."""
    import filetype  # type: ignore[import-untyped]  # noqa: PLC0415 - loaded when a file is attached

    kind = filetype.guess(data[:8192])
    return None if kind is None else canonical(str(kind.mime))


def check_content(data: bytes, declared: str | None, settings: AttachmentSettings, field: str = "file") -> str:
    """The file's media type, if it may be kept; else :class:`AttachmentRefused` naming ``field``."""
    if not data:
        raise AttachmentRefused(field, "empty")
    if len(data) > settings.max_bytes:
        raise AttachmentRefused(field, "too_large", size=str(len(data)), limit=str(settings.max_bytes))
    found = sniff(data)
    if found is None:
        raise AttachmentRefused(field, "type_unknown")
    allowed = tuple(canonical(t) for t in settings.allowed_types)
    if found not in allowed:
        raise AttachmentRefused(field, "type_not_allowed", found=found, allowed=", ".join(allowed))
    if declared is not None and declared.strip() and canonical(declared) != found:
        raise AttachmentRefused(field, "type_mismatch", declared=canonical(declared), found=found)
    return found


def scan(
    pm: pluggy.PluginManager,
    config: OfficeConfig,
    data: bytes,
    media_type: str,
    settings: AttachmentSettings,
    field: str,
) -> None:
    """Ask every scanner; the first finding refuses the file.  A scanner that fails raises (fail closed);
    with ``scanners_required``, a file no scanner gave a verdict on is refused."""
    verdicts: Sequence[ScanVerdict] = [
        v for v in pm.hook.petitionkit_scan_attachment(data=data, media_type=media_type, config=config) if v is not None
    ]
    for verdict in verdicts:
        if verdict.finding is not None:
            raise AttachmentRefused(field, "scanner", scanner=verdict.scanner, finding=verdict.finding)
    if settings.scanners_required and not verdicts:
        raise AttachmentRefused(field, "scanner", scanner="-", finding="no scanner is configured")
