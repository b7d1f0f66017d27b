"""The master key (主密钥) of field encryption, kept outside the database, and unlocking a store with it.

The master key wraps each office's data and index keys (table ``data_keys``); it is never stored in
the database.  Master keys form a ring, oldest first (the newest wraps new data keys, the older ones
still unwrap what they wrapped), read from exactly one place:

1. the environment variable ``PETITIONKIT_MASTER_KEY``: ``key_id:base64secret``, several separated
   by commas (oldest first);
2. a master-key provider a plugin registered (``petitionkit_register_master_key_providers``, e.g. a
   government KMS), named by ``[settings.privacy] key_provider``;
3. a key file, ``[settings.privacy] key_file``: one ``key_id:base64secret`` per line, oldest first,
   readable by its owner only (mode 0600; a file others can read is refused).

Each secret is 32 bytes (AES-256).  Without a master key an office that never encrypted runs in
plain text (unless ``require_key``); a database holding encrypted data refuses to open (fail closed).
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from petitionkit import hookspecs
from petitionkit.audit.keys import KeyRing, create_key_file, make_keyring, parse_keys
from petitionkit.audit.settings import office_path
from petitionkit.config import OfficeConfig
from petitionkit.errors import ConfigurationError, EncryptionKeyError
from petitionkit.privacy.settings import privacy_settings

if TYPE_CHECKING:
    import pluggy

MASTER_KEY_ENV = "PETITIONKIT_MASTER_KEY"
MASTER_KEY_BYTES = 32

#: What a master-key provider returns: ``(key_id, secret)`` pairs, oldest first.
MasterKeyProvider = Callable[[OfficeConfig], Iterable[tuple[str, bytes]]]


@runtime_checkable
class EncryptingStorage(Protocol):
    """A storage backend that encrypts personal data at rest (the SQL backend)."""

    encrypted: bool

    def unlock(self, master: Mapping[str, bytes], office_code: str, algorithm: str = ...) -> None: ...

    def unlocked_for(self, office_code: str) -> bool: ...


def _checked(ring: KeyRing) -> KeyRing:
    for key in ring.keys:
        if len(key.secret) != MASTER_KEY_BYTES:
            raise ConfigurationError(ring.source, f"master key '{key.key_id}' must be {MASTER_KEY_BYTES} bytes")
    return ring


def read_master_key_file(path: Path) -> KeyRing:
    """The master keys in ``path``; refuses a file that its group or others can read or write."""
    source = str(path)
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        raise ConfigurationError(
            source, "the master key file does not exist; check [settings.privacy] key_file"
        ) from None
    if os.name == "posix" and mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise ConfigurationError(
            source, f"the master key file is readable by group or others (mode {stat.S_IMODE(mode):o}); chmod 600 it"
        )
    return _checked(parse_keys(path.read_text(encoding="utf-8"), source))


def write_new_master_key_file(path: Path) -> str:
    """Create ``path`` (mode 0600 from the start; never overwriting a file) holding one new master key; its id."""
    header = (
        "# petitionkit master key (field encryption), oldest first. Losing it loses the personal data:\n"
        "# keep a copy offline, apart from the database backups.\n"
    )
    return create_key_file(path, header, "a master key").key_id


def master_key_providers(pm: pluggy.PluginManager) -> dict[str, MasterKeyProvider]:
    """``{name: provider}`` registered through ``petitionkit_register_master_key_providers``."""
    return hookspecs.collect(pm.hook.petitionkit_register_master_key_providers)


def load_master_keys(config: OfficeConfig, pm: pluggy.PluginManager, env: Mapping[str, str] | None = None) -> KeyRing:
    """The office's master keys, oldest first (an empty ring when none is configured)."""
    environ = os.environ if env is None else env
    from_env = environ.get(MASTER_KEY_ENV, "").strip()
    if from_env:
        return _checked(parse_keys(from_env, MASTER_KEY_ENV))
    settings = privacy_settings(config)
    if settings.key_provider:
        providers = master_key_providers(pm)
        provider = providers.get(settings.key_provider)
        if provider is None:
            raise ConfigurationError(
                "settings.privacy.key_provider",
                f"'{settings.key_provider}' is not registered; installed: {', '.join(sorted(providers)) or 'none'}",
            )
        return _checked(make_keyring(provider(config), f"master key provider '{settings.key_provider}'"))
    if settings.key_file:
        return read_master_key_file(office_path(config, settings.key_file))
    return KeyRing()


def unlock_storage(storage: object, config: OfficeConfig, pm: pluggy.PluginManager) -> None:
    """Unlock ``storage`` for the office when it encrypts at rest (the composition root calls this).

    Fails closed: a database holding encrypted data without a master key, or ``require_key`` without
    one, is an :class:`~petitionkit.errors.EncryptionKeyError`.
    """
    if not isinstance(storage, EncryptingStorage) or storage.unlocked_for(config.office_code):
        return
    ring = load_master_keys(config, pm)
    settings = privacy_settings(config)
    if not ring:
        if storage.encrypted:
            raise EncryptionKeyError("locked")
        if settings.require_key:
            raise EncryptionKeyError("required")
        return  # an office that never encrypted, and was not asked to: plain text (docs/security.md)
    from petitionkit.storage.sql.crypto import check_algorithm  # noqa: PLC0415 - cryptography loads only when used

    check_algorithm(settings.algorithm)  # sm4-gcm without SM4 in this OpenSSL: a ConfigurationError
    storage.unlock({key.key_id: key.secret for key in ring.keys}, config.office_code, settings.algorithm)
