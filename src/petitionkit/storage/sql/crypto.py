"""Field encryption (字段加密) and keyed blind indexes (盲索引) of the SQL store.

Envelope keys: each office has a random 256-bit *data key* that encrypts its personal data with
AES-256-GCM, and a separate random *index key* for HMAC-SHA-256 blind indexes.  Both are stored in
the ``data_keys`` table only wrapped (AES-256-GCM) by a *master key* that never enters the database
(:mod:`petitionkit.privacy` loads it from the environment, a 0600 key file or a key-provider plugin).

A stored value is ``pk1:<data key id>:<base64 of nonce + ciphertext + tag>``.  The associated data
binds it to its table, row id, column and key id, so a ciphertext copied to another row or column
fails to decrypt.  The version prefix and key id let a later rotation re-encrypt row by row.

Domain objects never see any of this: :class:`~petitionkit.storage.sql.types.Codec` holds the
:class:`FieldCipher` and ``rows.py`` seals and opens the protected columns by name.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
from collections.abc import Iterable, Mapping

import attrs
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from petitionkit.errors import EncryptionKeyError

PREFIX = "pk1:"
"""Version 1 of the stored form: AES-256-GCM, 96-bit random nonce, key id after the prefix."""

KEY_BYTES = 32
NONCE_BYTES = 12
DATA, INDEX = "data", "index"

MasterKeys = Mapping[str, bytes]
"""Master key id -> 32-byte secret, oldest first (the last wraps new data keys)."""


def new_key_id(purpose: str) -> str:
    return f"{'d' if purpose == DATA else 'i'}{secrets.token_hex(6)}"


def _wrap_aad(key_id: str, office_code: str, purpose: str, master_key_id: str) -> bytes:
    return f"petitionkit/data_keys/{key_id}/{office_code}/{purpose}/{master_key_id}".encode()


def check_master_keys(master: MasterKeys) -> None:
    for key_id, secret in master.items():
        if len(secret) != KEY_BYTES:
            raise EncryptionKeyError("bad_master", key_id=key_id)


def wrap(master: MasterKeys, key_id: str, office_code: str, purpose: str, secret: bytes) -> tuple[str, str]:
    """``(master key id, wrapped text)`` of a data or index key, under the newest master key."""
    master_key_id = list(master)[-1]
    nonce = os.urandom(NONCE_BYTES)
    sealed = AESGCM(master[master_key_id]).encrypt(
        nonce, secret, _wrap_aad(key_id, office_code, purpose, master_key_id)
    )
    return master_key_id, base64.b64encode(nonce + sealed).decode("ascii")


def unwrap(master: MasterKeys, key_id: str, office_code: str, purpose: str, master_key_id: str, wrapped: str) -> bytes:
    """The secret of a stored data or index key; :class:`EncryptionKeyError` for a missing or wrong master key."""
    secret = master.get(master_key_id)
    if secret is None:
        raise EncryptionKeyError("unknown_master", key_id=key_id, master_key_id=master_key_id)
    raw = base64.b64decode(wrapped)
    try:
        return AESGCM(secret).decrypt(
            raw[:NONCE_BYTES], raw[NONCE_BYTES:], _wrap_aad(key_id, office_code, purpose, master_key_id)
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


class FieldCipher:
    """Seals and opens protected column values; computes blind indexes.  One per store."""

    def __init__(self, keys: Iterable[StoredKey] = ()) -> None:
        self._aead: dict[str, AESGCM] = {}
        self._active: dict[str, str] = {}  # office -> data key id
        self._index: dict[str, bytes] = {}  # office -> index key
        self.default_office: str | None = None
        for key in keys:
            self.add(key)

    def add(self, key: StoredKey) -> None:
        if key.purpose == DATA:
            self._aead[key.key_id] = AESGCM(key.secret)
            if not key.retired:
                self._active[key.office_code] = key.key_id
        elif not key.retired:
            self._index[key.office_code] = key.secret
        if self.default_office is None and key.purpose == DATA and not key.retired:
            self.default_office = key.office_code

    def has_office(self, office_code: str) -> bool:
        return office_code in self._active and office_code in self._index

    def seal(self, office_code: str | None, table: str, row_id: str, column: str, text: str) -> str:
        """``text`` encrypted with the office's data key (the default office's when ``None``)."""
        office = office_code if office_code is not None else self.default_office
        key_id = self._active.get(office) if office is not None else None
        if key_id is None:
            raise EncryptionKeyError("no_office_key", office=str(office))
        nonce = os.urandom(NONCE_BYTES)
        aad = f"{table}/{row_id}/{column}/{key_id}".encode()
        sealed = self._aead[key_id].encrypt(nonce, text.encode("utf-8"), aad)
        return f"{PREFIX}{key_id}:{base64.b64encode(nonce + sealed).decode('ascii')}"

    def open(self, table: str, row_id: str, column: str, value: str) -> str:
        """The plain text of a sealed value; :class:`EncryptionKeyError` when it is not one of ours."""
        if not value.startswith(PREFIX):
            raise EncryptionKeyError("plaintext", table=table, column=column, row=row_id)
        key_id, _, encoded = value[len(PREFIX) :].partition(":")
        aead = self._aead.get(key_id)
        if aead is None:
            raise EncryptionKeyError("unknown_key", table=table, column=column, row=row_id, key_id=key_id)
        raw = base64.b64decode(encoded)
        aad = f"{table}/{row_id}/{column}/{key_id}".encode()
        try:
            return aead.decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], aad).decode("utf-8")
        except InvalidTag:
            raise EncryptionKeyError("tampered", table=table, column=column, row=row_id) from None

    def blind(self, office_code: str, digest: str) -> str:
        """The blind index of an identity digest: HMAC-SHA-256 under the office's index key."""
        key = self._index.get(office_code)
        if key is None:
            raise EncryptionKeyError("no_office_key", office=office_code)
        return hmac.new(key, digest.encode("ascii"), hashlib.sha256).hexdigest()
