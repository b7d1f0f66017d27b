"""Legacy attachments (历史附件): the files a migrated system's petitions referred to, brought into the
blob store.

The history format (docs/history-format.schema.json) lists a petition's attachments by ``name``,
``uri`` and, where the old system kept one, ``sha256``.  After ``petitionkit import FILE --format history``,
:func:`import_legacy_attachments` reads each one whose ``uri`` is a path (relative, or ``file:``)
under the folder the old system's files were copied to, checks its SHA-256 against the one listed,
and attaches it through the same checks as any file (size, type, scanners; encrypted; an
``AttachmentAdded`` event carrying the digest).  A file already stored for that petition with that
digest is skipped, so running it again adds nothing; a missing file, a digest that differs, a file
the checks refuse, or (with ``require_digest``) a reference without a digest is reported, naming the
petition and the attachment's index, and costs no other file.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlparse

import attrs

from petitionkit.domain.attachments import AttachmentKind
from petitionkit.domain.model import Petition
from petitionkit.errors import AttachmentRefused

if TYPE_CHECKING:
    from petitionkit.service.office import Office


@attrs.frozen
class LegacyProblem:
    """A referenced file not brought in: which petition, which of its attachments, and why."""

    tracking_number: str
    index: int
    reason: str  # an ``attachments.refused.*`` key (``unreadable``, ``digest``, ``type_unknown`` ...)


@attrs.frozen
class LegacyReport:
    stored: int
    skipped: int
    problems: tuple[LegacyProblem, ...]


def _kind(media_type: str) -> AttachmentKind:
    if media_type.startswith("image/"):
        return AttachmentKind.PHOTO
    if media_type.startswith("audio/"):
        return AttachmentKind.AUDIO
    return AttachmentKind.DOCUMENT


def _local(uri: str, root: Path) -> Path | None:
    """The file ``uri`` names under ``root`` (``None``: not a local path, or outside ``root``)."""
    parsed = urlparse(uri)
    if parsed.scheme not in ("", "file") or parsed.netloc not in ("", "localhost"):
        return None
    path = Path(unquote(parsed.path))
    found = (path if path.is_absolute() else root / path).resolve()
    return found if found.is_relative_to(root.resolve()) else None


def import_legacy_attachments(office: Office, folder: str | Path, *, require_digest: bool = False) -> LegacyReport:
    """Bring every petition's referenced files found under ``folder`` into the blob store (see the module)."""
    root = Path(folder)
    stored = skipped = 0
    problems: list[LegacyProblem] = []
    for petition in _petitions(office):
        with office.storage.transaction() as tx:
            have = {(a.petition_id, a.digest) for a in tx.attachments_of_case(petition.case_id)}
        for index, reference in enumerate(petition.attachments):
            path = _local(reference.uri, root)
            if path is None:
                continue  # a link elsewhere (a document system's URL): it stays a reference
            listed = (reference.sha256 or "").strip().lower() or None
            if listed is None and require_digest:
                problems.append(LegacyProblem(petition.tracking_number, index, "digest"))
                continue
            try:
                data = path.read_bytes()
            except OSError:
                problems.append(LegacyProblem(petition.tracking_number, index, "unreadable"))
                continue
            if (petition.id, hashlib.sha256(data).hexdigest()) in have:
                skipped += 1
                continue
            try:
                media_type = _media_type(data)
                office.attach(
                    petition.case_id,
                    data,
                    filename=reference.name,
                    kind=_kind(media_type),
                    petition_id=petition.id,
                    expected_digest=listed,
                )
            except AttachmentRefused as refused:
                problems.append(LegacyProblem(petition.tracking_number, index, refused.reason))
                continue
            stored += 1
    return LegacyReport(stored, skipped, tuple(problems))


def _media_type(data: bytes) -> str:
    from petitionkit.attachments.content import sniff  # noqa: PLC0415

    return sniff(data) or "application/octet-stream"


def _petitions(office: Office) -> list[Petition]:
    """The office's petitions that refer to attachments, case by case."""
    found: list[Petition] = []
    after: str | None = None
    while True:
        with office.storage.transaction() as tx:
            refs = tx.case_refs_for_audit(office.config.office_code, after, 500)
            for case_id, _ in refs:
                found.extend(p for p in tx.petitions_of_case(case_id) if p.attachments)
        if len(refs) < 500:
            return found
        after = refs[-1][0]
