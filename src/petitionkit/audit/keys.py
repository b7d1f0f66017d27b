"""Audit keys (审计密钥): the secret that seals the audit trail, kept outside the database.

A key ring is an ordered list of keys, oldest first; the newest seals new events, the older ones
still verify the segments they sealed (key rotation).  It comes from exactly one place:

1. the environment variable ``PETITIONKIT_AUDIT_KEY``: ``key_id:base64secret``, several separated by
   commas (oldest first);
2. a key provider a plugin registered (``petitionkit_register_key_providers``), named by
   ``[settings.audit] key_provider``;
3. a key file, ``[settings.audit] key_file``: one ``key_id:base64secret`` per line, oldest first,
   readable by its owner only (mode 0600; a file others can read is refused).

``petitionkit init`` writes a new key file for a new office; ``petitionkit audit rotate-key`` adds a key.
"""

from __future__ import annotations

import base64
import binascii
import os
import secrets
import stat
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import attrs

from petitionkit import hookspecs
from petitionkit.audit.settings import audit_settings, office_path
from petitionkit.config import OfficeConfig
from petitionkit.errors import ConfigurationError

if TYPE_CHECKING:
    import pluggy

KEY_ENV = "PETITIONKIT_AUDIT_KEY"
MIN_SECRET_BYTES = 16

#: What a key provider returns: ``(key_id, secret)`` pairs, oldest first.
KeyProvider = Callable[[OfficeConfig], Iterable[tuple[str, bytes]]]


@attrs.frozen
class AuditKey:
    """One key: its id (stored beside every event it seals) and its secret (never stored)."""

    key_id: str
    secret: bytes = attrs.field(repr=False)


@attrs.frozen
class KeyRing:
    """The keys an office knows, oldest first; ``active`` seals new events."""

    keys: tuple[AuditKey, ...] = ()
    source: str = "none"

    @property
    def active(self) -> AuditKey | None:
        return self.keys[-1] if self.keys else None

    def secret(self, key_id: str) -> bytes | None:
        for key in self.keys:
            if key.key_id == key_id:
                return key.secret
        return None

    def __bool__(self) -> bool:
        return bool(self.keys)


def make_keyring(pairs: Iterable[tuple[str, bytes]], source: str) -> KeyRing:
    """A key ring from ``(key_id, secret)`` pairs; raises :class:`ConfigurationError` for a bad one."""
    keys: list[AuditKey] = []
    for key_id, secret in pairs:
        if not key_id or not key_id.replace("-", "").replace("_", "").isalnum() or len(key_id) > 40:
            raise ConfigurationError(source, "a key id must be 1-40 letters, digits, '-' or '_'")
        if len(secret) < MIN_SECRET_BYTES:
            raise ConfigurationError(source, f"key '{key_id}' is shorter than {MIN_SECRET_BYTES} bytes")
        if any(k.key_id == key_id for k in keys):
            raise ConfigurationError(source, f"key id '{key_id}' appears twice")
        keys.append(AuditKey(key_id, secret))
    return KeyRing(tuple(keys), source)


def parse_keys(text: str, source: str) -> KeyRing:
    """``key_id:base64secret`` entries separated by newlines or commas; ``#`` starts a comment line."""
    pairs: list[tuple[str, bytes]] = []
    lines = [line.strip() for line in text.splitlines()]
    for entry in (e.strip() for line in lines if not line.startswith("#") for e in line.split(",")):
        if not entry:
            continue
        key_id, sep, encoded = entry.partition(":")
        if not sep:
            raise ConfigurationError(source, "each key is written 'key_id:base64secret'")
        try:
            secret = base64.b64decode(encoded.strip(), validate=True)
        except (binascii.Error, ValueError):
            raise ConfigurationError(source, f"the secret of key '{key_id.strip()}' is not base64") from None
        pairs.append((key_id.strip(), secret))
    return make_keyring(pairs, source)


def read_key_file(path: Path) -> KeyRing:
    """The key ring in ``path``; refuses a file that its group or others can read or write."""
    source = str(path)
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        raise ConfigurationError(source, "the audit key file does not exist; check [settings.audit] key_file") from None
    if os.name == "posix" and mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise ConfigurationError(
            source, f"the audit key file is readable by group or others (mode {stat.S_IMODE(mode):o}); chmod 600 it"
        )
    return parse_keys(path.read_text(encoding="utf-8"), source)


def new_key(now: datetime | None = None) -> AuditKey:
    """A fresh random 256-bit key with a dated id, e.g. ``k20260301-9f2c4e1a``."""
    day = (now or datetime.now(UTC)).strftime("%Y%m%d")
    return AuditKey(f"k{day}-{secrets.token_hex(4)}", secrets.token_bytes(32))


def key_line(key: AuditKey) -> str:
    return f"{key.key_id}:{base64.b64encode(key.secret).decode('ascii')}\n"


def create_key_file(path: Path, header: str, what: str) -> AuditKey:
    """Create ``path`` (mode 0600 from the start; never overwriting a file) holding ``header`` and one new
    key; ``what`` names the kind of key in the error when the file is already there."""
    key = new_key()
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise ConfigurationError(str(path), f"{what} file is already there; it is never overwritten") from None
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(header)
        out.write(key_line(key))
    return key


def write_new_key_file(path: Path) -> AuditKey:
    """Create ``path`` (mode 0600; never overwriting a file) holding one new audit key."""
    header = "# petitionkit audit keys, oldest first; the last one seals new events. Keep a copy offline.\n"
    return create_key_file(path, header, "an audit key")


def add_key_to_file(path: Path) -> AuditKey:
    """Rotate: append a new key to the key file (older keys stay, to verify what they sealed)."""
    ring = read_key_file(path)  # refuses a readable or broken file before anything is written
    key = new_key()
    while ring.secret(key.key_id) is not None:  # two rotations on one day
        key = new_key()
    with path.open("a", encoding="utf-8") as out:
        out.write(key_line(key))
    return key


def key_providers(pm: pluggy.PluginManager) -> dict[str, KeyProvider]:
    """``{name: provider}`` registered through ``petitionkit_register_key_providers``."""
    return hookspecs.collect(pm.hook.petitionkit_register_key_providers)


def load_keyring(config: OfficeConfig, pm: pluggy.PluginManager, env: dict[str, str] | None = None) -> KeyRing:
    """The office's key ring (empty when no key is configured)."""
    environ = os.environ if env is None else env
    from_env = environ.get(KEY_ENV, "").strip()
    if from_env:
        return parse_keys(from_env, KEY_ENV)
    settings = audit_settings(config)
    if settings.key_provider:
        providers = key_providers(pm)
        provider = providers.get(settings.key_provider)
        if provider is None:
            raise ConfigurationError(
                "settings.audit.key_provider",
                f"'{settings.key_provider}' is not registered; installed: {', '.join(sorted(providers)) or 'none'}",
            )
        return make_keyring(provider(config), f"key provider '{settings.key_provider}'")
    if settings.key_file:
        return read_key_file(office_path(config, settings.key_file))
    return KeyRing()


def require_keyring(ring: KeyRing) -> KeyRing:
    """``ring``, or a :class:`ConfigurationError` when it is empty (verification fails closed)."""
    if not ring:
        raise ConfigurationError(
            "settings.audit.key_file",
            f"no audit key is configured; set {KEY_ENV}, [settings.audit] key_file or key_provider",
        )
    return ring
