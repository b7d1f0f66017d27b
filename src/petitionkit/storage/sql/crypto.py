"""Field encryption (字段加密) and keyed blind indexes (盲索引) of the SQL store.

Envelope keys: each office has a random *data key* that encrypts its personal data with an
authenticated cipher (AES-256-GCM by default, SM4-GCM of GB/T 32907 when ``[settings.privacy]
algorithm = "sm4-gcm"``), and a separate random 256-bit *index key* for HMAC-SHA-256 blind indexes.
Both are stored in the ``data_keys`` table only wrapped (AES-256-GCM) by a *master key* that never
enters the database (:mod:`petitionkit.privacy` loads it from the environment, a 0600 key file or a
key-provider plugin).

A stored value names its data key::

    pk1:<data key id>:<base64 of nonce + ciphertext + tag>        AES-256-GCM
    pk2:sm4:<data key id>:<base64 of nonce + ciphertext + tag>    SM4-GCM (128-bit key)

The associated data binds it to its table, row id, column and key id (and, for ``pk2``, the
algorithm), so a ciphertext copied to another row or column fails to decrypt, and a value whose
marker does not match its key's recorded algorithm is refused.  The key id lets a rotation
(:mod:`petitionkit.storage.sql.rotation`) find and re-encrypt the values still under a retired key.

Domain objects never see any of this: :class:`~petitionkit.storage.sql.types.Codec` holds the
:class:`FieldCipher` and ``rows.py`` seals and opens the protected columns by name.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
from collections.abc import Callable, Iterable, Mapping
from functools import cache
from typing import Protocol

import attrs
from cryptography.exceptions import InvalidTag, UnsupportedAlgorithm
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from petitionkit.errors import ConfigurationError, EncryptionKeyError

PREFIX = "pk1:"
"""Version 1 of the stored form: AES-256-GCM, 96-bit random nonce, key id after the prefix."""
PREFIX_V2 = "pk2:"
"""Version 2: an algorithm marker, then the key id (SM4-GCM)."""
SEALED_PREFIXES = (PREFIX, PREFIX_V2)

AES_GCM = "aes-256-gcm"
SM4_GCM = "sm4-gcm"
#: Data-key algorithms: their key sizes in bytes.
ALGORITHMS = {AES_GCM: 32, SM4_GCM: 16}
_MARKERS = {SM4_GCM: "sm4"}  # pk2 algorithm markers
_BY_MARKER = {marker: algorithm for algorithm, marker in _MARKERS.items()}

KEY_BYTES = 32
NONCE_BYTES = 12
TAG_BYTES = 16
DATA, INDEX = "data", "index"

MasterKeys = Mapping[str, bytes]
"""Master key id -> 32-byte secret, oldest first (the last wraps new data keys)."""


class Aead(Protocol):
    """What :class:`AESGCM` offers and :class:`Sm4Gcm` mirrors."""

    def encrypt(self, nonce: bytes, data: bytes, associated_data: bytes | None) -> bytes: ...

    def decrypt(self, nonce: bytes, data: bytes, associated_data: bytes | None) -> bytes: ...


class Sm4Gcm:
    """SM4 in GCM mode (GB/T 32907, 128-bit key) through ``cryptography``'s OpenSSL, shaped like :class:`AESGCM`."""

    def __init__(self, key: bytes) -> None:
        if len(key) != ALGORITHMS[SM4_GCM]:
            raise ValueError("an SM4 key is 16 bytes")
        self._key = key

    def encrypt(self, nonce: bytes, data: bytes, associated_data: bytes | None) -> bytes:
        encryptor = Cipher(algorithms.SM4(self._key), modes.GCM(nonce)).encryptor()
        if associated_data:
            encryptor.authenticate_additional_data(associated_data)
        return encryptor.update(data) + encryptor.finalize() + encryptor.tag

    def decrypt(self, nonce: bytes, data: bytes, associated_data: bytes | None) -> bytes:
        if len(data) < TAG_BYTES:
            raise InvalidTag
        body, tag = data[:-TAG_BYTES], data[-TAG_BYTES:]
        decryptor = Cipher(algorithms.SM4(self._key), modes.GCM(nonce, tag)).decryptor()
        if associated_data:
            decryptor.authenticate_additional_data(associated_data)
        return decryptor.update(body) + decryptor.finalize()


@cache
def sm4_supported() -> bool:
    """Whether the OpenSSL under ``cryptography`` offers SM4-GCM (and it round-trips)."""
    try:
        sealed = Sm4Gcm(bytes(16)).encrypt(bytes(NONCE_BYTES), b"probe", b"aad")
        return Sm4Gcm(bytes(16)).decrypt(bytes(NONCE_BYTES), sealed, b"aad") == b"probe"
    except (UnsupportedAlgorithm, AttributeError, ValueError):
        return False


def check_algorithm(algorithm: str, field: str = "settings.privacy.algorithm") -> None:
    """Refuse an unknown algorithm, or SM4-GCM where this installation's OpenSSL lacks it."""
    if algorithm not in ALGORITHMS:
        raise ConfigurationError(field, f"'{algorithm}' is not one of {', '.join(ALGORITHMS)}")
    if algorithm == SM4_GCM and not sm4_supported():
        raise ConfigurationError(
            field,
            "sm4-gcm needs SM4 in the OpenSSL that the 'cryptography' package uses, and this one lacks it;"
            " install a cryptography wheel built with SM4 (the official wheels have it) or use aes-256-gcm",
        )


def make_aead(algorithm: str, secret: bytes) -> Aead:
    check_algorithm(algorithm, "data_keys.algorithm")
    return Sm4Gcm(secret) if algorithm == SM4_GCM else AESGCM(secret)


def new_key_id(purpose: str) -> str:
    return f"{'d' if purpose == DATA else 'i'}{secrets.token_hex(6)}"


def new_secret(purpose: str, algorithm: str = AES_GCM) -> bytes:
    """A fresh random key: the algorithm's size for a data key, 32 bytes for an index key."""
    return secrets.token_bytes(ALGORITHMS[algorithm] if purpose == DATA else KEY_BYTES)


def stored_prefix(key_id: str, algorithm: str) -> str:
    """How every value sealed under ``key_id`` begins (what a rotation searches for)."""
    marker = _MARKERS.get(algorithm)
    return f"{PREFIX}{key_id}:" if marker is None else f"{PREFIX_V2}{marker}:{key_id}:"


def parse_sealed(value: str) -> tuple[str, str, str] | None:
    """``(algorithm, key id, base64 text)`` of a stored value, or ``None`` when it is not one."""
    if value.startswith(PREFIX):
        key_id, _, encoded = value[len(PREFIX) :].partition(":")
        return AES_GCM, key_id, encoded
    if value.startswith(PREFIX_V2):
        marker, _, rest = value[len(PREFIX_V2) :].partition(":")
        key_id, _, encoded = rest.partition(":")
        return _BY_MARKER.get(marker, marker), key_id, encoded
    return None


def _field_aad(table: str, row_id: str, column: str, key_id: str, algorithm: str) -> bytes:
    base = f"{table}/{row_id}/{column}/{key_id}"
    return (base if algorithm == AES_GCM else f"{base}/{algorithm}").encode()


BLOB_PREFIX = "pkb1:"
"""An encrypted attachment's header: ``pkb1:<data key id>:<algorithm>`` and a newline, then the sealed bytes."""


def _blob_aad(context: str, key_id: str, algorithm: str) -> bytes:
    return f"petitionkit-blob|{context}|{key_id}|{algorithm}".encode()


def _wrap_aad(key_id: str, office_code: str, purpose: str, master_key_id: str, algorithm: str = AES_GCM) -> bytes:
    base = f"petitionkit/data_keys/{key_id}/{office_code}/{purpose}/{master_key_id}"
    return (base if algorithm == AES_GCM or purpose != DATA else f"{base}/{algorithm}").encode()


def check_master_keys(master: MasterKeys) -> None:
    for key_id, secret in master.items():
        if len(secret) != KEY_BYTES:
            raise EncryptionKeyError("bad_master", key_id=key_id)


def newest_master(master: MasterKeys) -> str:
    return list(master)[-1]


def wrap(
    master: MasterKeys, key_id: str, office_code: str, purpose: str, secret: bytes, algorithm: str = AES_GCM
) -> tuple[str, str]:
    """``(master key id, wrapped text)`` of a data or index key, under the newest master key.

    The wrapping is AES-256-GCM under the 32-byte master key whatever the data key's algorithm; the
    algorithm of an SM4 data key is bound into the associated data, so it cannot be changed unnoticed.
    """
    master_key_id = newest_master(master)
    nonce = os.urandom(NONCE_BYTES)
    sealed = AESGCM(master[master_key_id]).encrypt(
        nonce, secret, _wrap_aad(key_id, office_code, purpose, master_key_id, algorithm)
    )
    return master_key_id, base64.b64encode(nonce + sealed).decode("ascii")


def unwrap(
    master: MasterKeys,
    key_id: str,
    office_code: str,
    purpose: str,
    master_key_id: str,
    wrapped: str,
    algorithm: str = AES_GCM,
) -> bytes:
    """The secret of a stored data or index key; :class:`EncryptionKeyError` for a missing or wrong master key."""
    secret = master.get(master_key_id)
    if secret is None:
        raise EncryptionKeyError("unknown_master", key_id=key_id, master_key_id=master_key_id)
    raw = base64.b64decode(wrapped)
    try:
        return AESGCM(secret).decrypt(
            raw[:NONCE_BYTES], raw[NONCE_BYTES:], _wrap_aad(key_id, office_code, purpose, master_key_id, algorithm)
        )
    except InvalidTag:
        raise EncryptionKeyError("wrong_master", key_id=key_id, master_key_id=master_key_id) from None


@attrs.frozen
class StoredKey:
    """One row of ``data_keys``, unwrapped."""

    key_id: str
    office_code: str
    purpose: str
    secret: bytes = attrs.field(repr=False)
    retired: bool = False
    algorithm: str = AES_GCM


#: Finds a data key this cipher does not hold (another process made it): the store's reloader.
KeyLoader = Callable[[str], "StoredKey | None"]


class FieldCipher:
    """Seals and opens protected column values; computes blind indexes.  One per store."""

    def __init__(self, keys: Iterable[StoredKey] = ()) -> None:
        self._aead: dict[str, tuple[str, Aead]] = {}  # key id -> (algorithm, cipher)
        self._active: dict[str, str] = {}  # office -> data key id
        self._index: dict[str, tuple[str, bytes]] = {}  # office -> (index key id, key)
        self._old_index: dict[str, list[bytes]] = {}  # office -> retired index keys (a rotation running)
        self.default_office: str | None = None
        self.loader: KeyLoader | None = None
        for key in keys:
            self.add(key)

    def add(self, key: StoredKey) -> None:
        if key.purpose == DATA:
            self._aead[key.key_id] = (key.algorithm, make_aead(key.algorithm, key.secret))
            if not key.retired:
                self._active[key.office_code] = key.key_id
        elif not key.retired:
            self._index[key.office_code] = (key.key_id, key.secret)
        else:
            self._old_index.setdefault(key.office_code, []).append(key.secret)
        if self.default_office is None and key.purpose == DATA and not key.retired:
            self.default_office = key.office_code

    def replace(self, keys: Iterable[StoredKey]) -> None:
        """Hold exactly ``keys`` from now on (another process rotated): swapped in whole."""
        fresh = FieldCipher(keys)
        self._aead, self._active, self._index = fresh._aead, fresh._active, fresh._index
        self._old_index = fresh._old_index

    def forget(self, key_id: str) -> None:
        """Drop a destroyed data key."""
        self._aead.pop(key_id, None)

    def has_office(self, office_code: str) -> bool:
        return office_code in self._active and office_code in self._index

    def live_key_ids(self) -> set[str]:
        """The data and index keys this cipher writes with (compared with the table's live rows)."""
        return set(self._active.values()) | {key_id for key_id, _ in self._index.values()}

    def active_key(self, office_code: str) -> str | None:
        return self._active.get(office_code)

    def holds(self, key_id: str) -> bool:
        return key_id in self._aead

    def seal(self, office_code: str | None, table: str, row_id: str, column: str, text: str) -> str:
        """``text`` encrypted with the office's data key (the default office's when ``None``)."""
        office = office_code if office_code is not None else self.default_office
        key_id = self._active.get(office) if office is not None else None
        if key_id is None:
            raise EncryptionKeyError("no_office_key", office=str(office))
        algorithm, aead = self._aead[key_id]
        nonce = os.urandom(NONCE_BYTES)
        sealed = aead.encrypt(nonce, text.encode("utf-8"), _field_aad(table, row_id, column, key_id, algorithm))
        return f"{stored_prefix(key_id, algorithm)}{base64.b64encode(nonce + sealed).decode('ascii')}"

    def open(self, table: str, row_id: str, column: str, value: str) -> str:
        """The plain text of a sealed value; :class:`EncryptionKeyError` when it is not one of ours."""
        parsed = parse_sealed(value)
        if parsed is None:
            raise EncryptionKeyError("plaintext", table=table, column=column, row=row_id)
        marked, key_id, encoded = parsed
        held = self._aead.get(key_id)
        if held is None and self.loader is not None:
            found = self.loader(key_id)  # made by another process after this one unlocked
            if found is not None:
                self._aead[key_id] = (found.algorithm, make_aead(found.algorithm, found.secret))
                held = self._aead[key_id]
        if held is None:
            raise EncryptionKeyError("unknown_key", table=table, column=column, row=row_id, key_id=key_id)
        algorithm, aead = held
        if marked != algorithm:  # a value relabelled to another algorithm than its key's
            raise EncryptionKeyError("tampered", table=table, column=column, row=row_id)
        try:
            raw = base64.b64decode(encoded, validate=True)
            plain = aead.decrypt(
                raw[:NONCE_BYTES], raw[NONCE_BYTES:], _field_aad(table, row_id, column, key_id, algorithm)
            )
        except (InvalidTag, ValueError):
            raise EncryptionKeyError("tampered", table=table, column=column, row=row_id) from None
        return plain.decode("utf-8")

    def seal_bytes(self, office_code: str, context: str, data: bytes) -> tuple[bytes, str]:
        """``data`` (an attachment) encrypted with the office's data key: ``pkb1:<key id>:<algorithm>\\n``,
        then nonce, ciphertext and tag.  ``context`` (the attachment id and the SHA-256 of ``data``) is
        bound as associated data with the key id and algorithm.  Returns the sealed bytes and the key id."""
        key_id = self._active.get(office_code)
        if key_id is None:
            raise EncryptionKeyError("no_office_key", office=office_code)
        algorithm, aead = self._aead[key_id]
        nonce = os.urandom(NONCE_BYTES)
        sealed = aead.encrypt(nonce, data, _blob_aad(context, key_id, algorithm))
        return f"{BLOB_PREFIX}{key_id}:{algorithm}\n".encode("ascii") + nonce + sealed, key_id

    def open_bytes(self, context: str, sealed: bytes) -> bytes:
        """The plain bytes of :meth:`seal_bytes`; :class:`EncryptionKeyError` when altered or moved."""
        header, newline, raw = sealed.partition(b"\n")
        text = header.decode("ascii", "replace")
        if not newline or not text.startswith(BLOB_PREFIX):
            raise EncryptionKeyError("tampered", table="attachments", column="blob", row=context[:32])
        key_id, _, algorithm = text.removeprefix(BLOB_PREFIX).partition(":")
        held = self._aead.get(key_id)
        if held is None and self.loader is not None and (found := self.loader(key_id)) is not None:
            held = self._aead[key_id] = (found.algorithm, make_aead(found.algorithm, found.secret))
        if held is None or held[0] != algorithm:
            raise EncryptionKeyError("unknown_key", table="attachments", column="blob", row=context[:32], key_id=key_id)
        try:
            return held[1].decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], _blob_aad(context, key_id, algorithm))
        except (InvalidTag, ValueError):
            raise EncryptionKeyError("tampered", table="attachments", column="blob", row=context[:32]) from None

    def blind(self, office_code: str, digest: str) -> str:
        """The blind index of an identity digest: HMAC-SHA-256 under the office's index key."""
        found = self._index.get(office_code)
        if found is None:
            raise EncryptionKeyError("no_office_key", office=office_code)
        return hmac.new(found[1], digest.encode("ascii"), hashlib.sha256).hexdigest()

    def blind_all(self, office_code: str, digest: str) -> list[str]:
        """What a lookup searches for: the live index key's blind index, then each retiring key's
        (while an index key rotation is re-keying the identities, a row may hold either)."""
        found = [self.blind(office_code, digest)]
        for key in self._old_index.get(office_code, ()):
            found.append(hmac.new(key, digest.encode("ascii"), hashlib.sha256).hexdigest())
        return found
