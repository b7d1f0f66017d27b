"""Blob stores (附件存储): where an attachment's encrypted bytes are kept, by content address.

A store keeps opaque bytes (already encrypted by the office: :mod:`petitionkit.service.attachments`)
under the SHA-256 of those bytes, so a name is never reused for other bytes and a second copy of the
same bytes costs nothing.  Stores are registered through ``petitionkit_register_blob_stores``;
``[settings.attachments] store`` names the one an office uses (built in: ``folder`` and ``s3``).

The folder store (the default) writes ``<root>/<ab>/<cd>/<sha256>`` with files 0600 in folders 0700,
through a temporary file, ``fsync`` and an atomic rename, so a crash leaves either the whole blob or
none; a read checks that the bytes still hash to their name.  A blob is deleted (``delete``) only
after the commit that stopped naming it (:func:`petitionkit.service.attachments.delete_released_blobs`).
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from petitionkit.errors import ConfigurationError, StorageError

if TYPE_CHECKING:
    import pluggy

    from petitionkit.config import OfficeConfig

REF_SHAPE = re.compile(r"^[0-9a-f]{64}$")
FOLDER_MODE = 0o700
FILE_MODE = 0o600


class BlobMissing(KeyError):
    """The store has no blob of that name (or its bytes no longer hash to it)."""


class BlobStore(Protocol):
    """What a blob store plugin gives: put bytes, get them back by the name ``put`` returned."""

    def put(self, data: bytes) -> str:
        """Store ``data``; return its name (the SHA-256 hex of ``data``).  Storing the same bytes twice is fine."""
        ...

    def get(self, ref: str) -> bytes:
        """The bytes stored under ``ref``; :class:`BlobMissing` when there are none."""
        ...

    def exists(self, ref: str) -> bool: ...

    def delete(self, ref: str) -> None:
        """Remove the blob ``ref`` (a rotation re-sealed it, a purge erased its attachment); deleting a
        blob that is not there is fine.  Called only after the commit that stopped naming it."""
        ...


def blob_name(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def check_ref(ref: str) -> str:
    if not REF_SHAPE.match(ref):
        raise BlobMissing(ref)
    return ref


class FolderBlobStore:
    """The content-addressed folder store."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)

    def _path(self, ref: str) -> Path:
        check_ref(ref)
        return self.root / ref[:2] / ref[2:4] / ref

    def _folder(self, path: Path) -> None:
        for folder in (self.root, path.parent.parent, path.parent):
            try:
                folder.mkdir(mode=FOLDER_MODE, exist_ok=True)
            except OSError as exc:
                raise StorageError(str(self.root), f"cannot create {folder.name}: {exc.strerror}") from exc
            os.chmod(folder, FOLDER_MODE)

    def put(self, data: bytes) -> str:
        ref = blob_name(data)
        path = self._path(ref)
        if path.exists() and self._intact(path, ref):
            return ref
        self._folder(path)
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".incoming-")  # 0600 already
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        return ref

    @staticmethod
    def _intact(path: Path, ref: str) -> bool:
        return blob_name(path.read_bytes()) == ref

    def get(self, ref: str) -> bytes:
        path = self._path(ref)
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            raise BlobMissing(ref) from None
        if blob_name(data) != ref:
            raise BlobMissing(ref)
        return data

    def exists(self, ref: str) -> bool:
        try:
            return self._path(ref).is_file()
        except BlobMissing:
            return False

    def delete(self, ref: str) -> None:
        path = self._path(ref)
        try:
            path.unlink(missing_ok=True)
        except OSError as exc:
            raise StorageError(str(self.root), f"cannot delete a blob: {exc.strerror}") from exc


def folder_store(config: OfficeConfig) -> BlobStore:
    """``store = "folder"``: ``[settings.attachments] folder`` under the configuration file's folder."""
    from petitionkit.attachments.settings import attachment_settings  # noqa: PLC0415

    folder = Path(attachment_settings(config).folder)
    return FolderBlobStore(folder if folder.is_absolute() else Path(config.base_dir) / folder)


def open_blob_store(config: OfficeConfig, pm: pluggy.PluginManager) -> BlobStore:
    """The blob store ``[settings.attachments] store`` names, built by the plugin that registered it."""
    from petitionkit.attachments.settings import attachment_settings  # noqa: PLC0415
    from petitionkit.hookspecs import collect  # noqa: PLC0415

    name = attachment_settings(config).store
    factories = collect(pm.hook.petitionkit_register_blob_stores)
    factory = factories.get(name)
    if factory is None:
        known = ", ".join(sorted(factories)) or "-"
        raise ConfigurationError("settings.attachments.store", f"no blob store named {name!r} (installed: {known})")
    store: BlobStore = factory(config)
    return store
