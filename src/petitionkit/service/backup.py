"""Encrypted backups (加密备份) of a SQLite office and their checked restore.

``petitionkit backup PATH`` copies the database with SQLite's online backup API (a consistent
snapshot while the office works, :mod:`petitionkit.storage.sql.backup`) into a temporary 0600 file,
then writes ``PATH`` (new, 0600, never overwriting a file) as:

1. the line ``petitionkit-backup/1``;
2. a one-line JSON *manifest*: when, which office, the schema revision, the SHA-256 digest and size of
   the database copy, the master key id and the salt the backup key was derived with;
3. the database in AES-256-GCM chunks of 4 MiB, each ``4-byte length + ciphertext``; each chunk's
   nonce is the manifest's nonce prefix and the chunk's number, and its associated data is the
   manifest line, the chunk's number and whether it is the last, so the manifest cannot be edited,
   and chunks cannot be reordered, dropped or cut off without the restore noticing.

The backup key is derived with HKDF-SHA-256 from the office's newest *master key* (the one outside
the database that wraps the data keys), a random salt and the office code: the backup is unreadable
without the master key, which the backup never holds, and whoever can read the office's personal
data can restore it.  The decrypted copy is still field-encrypted (docs/security.md).

``petitionkit restore BACKUP TARGET`` decrypts into a temporary file beside ``TARGET``, checks the
digest, opens it as the office and runs ``audit verify`` on it; only a copy that verifies is moved to
``TARGET`` (an existing ``TARGET`` only with ``force``).  A backup that fails any check is refused
(exit 9) and nothing is left behind.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import struct
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, BinaryIO

import attrs
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from petitionkit.audit.verify import AuditReport, verify_office
from petitionkit.config import OfficeConfig
from petitionkit.domain.access import Permission
from petitionkit.errors import PetitionkitError
from petitionkit.files import PRIVATE_MODE
from petitionkit.i18n import translate
from petitionkit.plugins import make_plugin_manager
from petitionkit.privacy.keys import load_master_keys
from petitionkit.service.base import Clock

if TYPE_CHECKING:
    import pluggy

    from petitionkit.service.office import Office

MAGIC = b"petitionkit-backup/1\n"
CHUNK = 4 * 1024 * 1024
_LENGTH = struct.Struct(">I")


class BackupError(PetitionkitError):
    """A backup cannot be made or restored: ``where`` (a path or setting) and what is wrong."""

    code = "backup"
    exit_code = 7
    key = "error.backup"

    def __init__(self, where: str, problem: str, **params: Any) -> None:
        super().__init__()
        self.where, self.problem, self.problem_params = where, problem, params

    def params(self, locale: str) -> dict[str, Any]:
        return {
            "where": self.where,
            "problem": translate(f"backup.problem.{self.problem}", locale, **self.problem_params),
        }

    def to_dict(self) -> dict[str, Any]:
        return {**super().to_dict(), "where": self.where, "problem": self.problem}


class BackupRefused(BackupError):
    """A backup that does not decrypt, does not match its digest, or whose copy fails ``audit verify``."""

    code = "backup_refused"
    exit_code = 9


class TargetExists(BackupError):
    """``restore`` never overwrites a file without ``force``."""

    code = "target_exists"
    exit_code = 2


@attrs.frozen
class Manifest:
    """What a backup says about itself (stored in the clear, authenticated by every chunk)."""

    created_at: str
    office_code: str
    schema_revision: str
    sha256: str
    size: int
    master_key_id: str
    salt: str  # base64, 16 bytes: the HKDF salt
    nonce_prefix: str  # base64, 8 bytes
    format: str = "petitionkit-backup/1"

    def line(self) -> bytes:
        return json.dumps(attrs.asdict(self), sort_keys=True, separators=(",", ":")).encode() + b"\n"

    def to_dict(self) -> dict[str, Any]:
        return attrs.asdict(self)


@attrs.frozen
class RestoreResult:
    target: str
    manifest: Manifest
    audit: AuditReport


def _backup_key(secret: bytes, salt: bytes, office_code: str, master_key_id: str) -> bytes:
    info = f"petitionkit-backup/1/{office_code}/{master_key_id}".encode()
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=info).derive(secret)


def _aad(manifest_line: bytes, index: int, last: bool) -> bytes:
    return manifest_line + struct.pack(">Q?", index, last)


def _nonce(prefix: bytes, index: int) -> bytes:
    return prefix + struct.pack(">I", index)


def _master(config: OfficeConfig, pm: pluggy.PluginManager) -> dict[str, bytes]:
    ring = load_master_keys(config, pm)
    if not ring:
        raise BackupError("settings.privacy", "no_master_key")
    return {k.key_id: k.secret for k in ring.keys}


@contextmanager
def _temporary(folder: Path, suffix: str) -> Iterator[Path]:
    fd, name = tempfile.mkstemp(prefix=".petitionkit-", suffix=suffix, dir=folder)  # 0600
    os.close(fd)
    path = Path(name)
    try:
        yield path
    finally:
        for leftover in (path, Path(f"{name}-journal"), Path(f"{name}-wal"), Path(f"{name}-shm")):
            leftover.unlink(missing_ok=True)


def _digest(path: Path) -> tuple[str, int]:
    h = hashlib.sha256()
    size = 0
    with path.open("rb") as f:
        while block := f.read(CHUNK):
            h.update(block)
            size += len(block)
    return h.hexdigest(), size


def backup(office: Office, target: Path) -> Manifest:
    """Write an encrypted, consistent backup of ``office``'s SQLite database to the new file ``target``."""
    from petitionkit.storage.sql.backup import online_copy, schema_revision  # noqa: PLC0415 - SQL only here

    office.access.require(Permission.CONFIGURE)
    if office.storage.url.startswith("postgresql"):
        raise BackupError("database.url", "postgresql")
    master = _master(office.config, office.pm)
    master_key_id = list(master)[-1]
    if target.exists():
        raise TargetExists(str(target), "exists")
    folder = target.parent if str(target.parent) else Path()
    if not folder.is_dir():
        raise BackupError(str(folder), "no_folder")
    with _temporary(folder, ".db") as plain:
        online_copy(office.storage, plain)
        digest, size = _digest(plain)
        salt, prefix = os.urandom(16), os.urandom(8)
        manifest = Manifest(
            created_at=office.now().isoformat(),
            office_code=office.config.office_code,
            schema_revision=schema_revision(plain),
            sha256=digest,
            size=size,
            master_key_id=master_key_id,
            salt=base64.b64encode(salt).decode(),
            nonce_prefix=base64.b64encode(prefix).decode(),
        )
        aead = AESGCM(_backup_key(master[master_key_id], salt, manifest.office_code, master_key_id))
        line = manifest.line()
        try:
            fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_MODE)
        except FileExistsError:
            raise TargetExists(str(target), "exists") from None
        try:
            with os.fdopen(fd, "wb") as out, plain.open("rb") as src:
                out.write(MAGIC + line)
                _encrypt(aead, prefix, line, src, out)
        except BaseException:
            target.unlink(missing_ok=True)
            raise
    return manifest


def _encrypt(aead: AESGCM, prefix: bytes, line: bytes, src: IO[bytes], out: IO[bytes]) -> None:
    index = 0
    block = src.read(CHUNK)
    while True:
        following = src.read(CHUNK)
        last = not following
        sealed = aead.encrypt(_nonce(prefix, index), block, _aad(line, index, last))
        out.write(_LENGTH.pack(len(sealed)) + sealed)
        if last:
            return
        block, index = following, index + 1


def read_manifest(path: Path) -> Manifest:
    """The manifest of the backup ``path`` (not yet authenticated: :func:`restore` checks it)."""
    try:
        with path.open("rb") as f:
            return _read_head(f, path)[0]
    except FileNotFoundError:
        raise BackupError(str(path), "missing") from None


def _read_head(f: IO[bytes], path: Path) -> tuple[Manifest, bytes]:
    if f.read(len(MAGIC)) != MAGIC:
        raise BackupRefused(str(path), "not_a_backup")
    line = f.readline(64 * 1024)
    try:
        data = json.loads(line)
        manifest = Manifest(**data)
    except (ValueError, TypeError):
        raise BackupRefused(str(path), "bad_manifest") from None
    if manifest.line() != line:
        raise BackupRefused(str(path), "bad_manifest")
    return manifest, line


def _decrypt(aead: AESGCM, prefix: bytes, line: bytes, src: io.BufferedReader, out: BinaryIO, path: Path) -> None:
    index = 0
    while True:
        head = src.read(_LENGTH.size)
        if len(head) != _LENGTH.size:
            raise BackupRefused(str(path), "truncated")
        (length,) = _LENGTH.unpack(head)
        sealed = src.read(length)
        if len(sealed) != length:
            raise BackupRefused(str(path), "truncated")
        last = src.peek(1) == b""
        try:
            out.write(aead.decrypt(_nonce(prefix, index), sealed, _aad(line, index, last)))
        except InvalidTag:
            raise BackupRefused(str(path), "tampered") from None
        if last:
            return
        index += 1


def restore(
    config: OfficeConfig,
    backup_path: Path,
    target: Path,
    *,
    force: bool = False,
    bind: Callable[[Office], Office] | None = None,
    plugin_manager: pluggy.PluginManager | None = None,
    clock: Clock | None = None,
) -> RestoreResult:
    """Decrypt ``backup_path`` into ``target`` after checking its digest and its audit trail.

    ``config`` is the office's (its master key and audit key; its database is not opened, so a lost
    database can be restored).  The copy is opened as that office with its database URL pointing at
    the copy; ``bind`` binds it to the acting principal, who needs ``configure``.  Only a copy that
    verifies is moved to ``target``.
    """
    if target.exists() and not force:
        raise TargetExists(str(target), "exists")
    pm = plugin_manager or make_plugin_manager(allow=config.plugins_allow, block=config.plugins_block)
    master = _master(config, pm)
    folder = target.parent if str(target.parent) else Path()
    if not folder.is_dir():
        raise BackupError(str(folder), "no_folder")
    try:
        source = backup_path.open("rb")
    except FileNotFoundError:
        raise BackupError(str(backup_path), "missing") from None
    with source, _temporary(folder, ".db") as plain:
        manifest, line = _read_head(source, backup_path)
        secret = master.get(manifest.master_key_id)
        if secret is None:
            raise BackupError(str(backup_path), "unknown_master_key", key_id=manifest.master_key_id)
        try:
            salt, prefix = base64.b64decode(manifest.salt), base64.b64decode(manifest.nonce_prefix)
        except ValueError:
            raise BackupRefused(str(backup_path), "bad_manifest") from None
        aead = AESGCM(_backup_key(secret, salt, manifest.office_code, manifest.master_key_id))
        with plain.open("wb") as out:
            _decrypt(aead, prefix, line, source, out, backup_path)
        if _digest(plain) != (manifest.sha256, manifest.size):
            raise BackupRefused(str(backup_path), "digest")
        if manifest.office_code != config.office_code:  # authenticated by now: a genuine other office's
            raise BackupError(str(backup_path), "other_office", office=manifest.office_code)
        report = _verify_copy(config, plain, pm, bind, clock)
        if not report.intact:
            first = report.first_break
            where = f"{first.subject} {first.item}" if first else ""
            raise BackupRefused(str(backup_path), "audit", item=where)
        os.replace(plain, target)
        os.chmod(target, PRIVATE_MODE)
    return RestoreResult(str(target), manifest, report)


def _verify_copy(
    config: OfficeConfig,
    path: Path,
    pm: pluggy.PluginManager,
    bind: Callable[[Office], Office] | None,
    clock: Clock | None,
) -> AuditReport:
    from petitionkit.service.bootstrap import open_office  # noqa: PLC0415 - bootstrap imports this package

    copy_config = attrs.evolve(config, database_url=f"sqlite:///{path.resolve()}")
    copy = (
        open_office(copy_config, plugin_manager=pm)
        if clock is None
        else open_office(copy_config, plugin_manager=pm, clock=clock)
    )
    try:
        bound = bind(copy) if bind is not None else copy
        bound.access.require(Permission.CONFIGURE)
        return verify_office(bound)
    finally:
        copy.close()
