"""Tracking numbers (受理编号) and query codes (查询码).

A tracking number is unique per office and easy to read over the phone: ``XS-2026-000123``.
A query code lets a petitioner look up progress without an account; it is random (60 bits), shown
once at registration, and only its SHA-256 digest is stored.
"""

from __future__ import annotations

import hashlib
import secrets

from petitionkit.domain.normalise import id_number_key, name_key, phone_key

# Crockford's base 32: no I, L, O, U, so it survives being read aloud and typed.
_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_CONFUSABLE = str.maketrans({"I": "1", "L": "1", "O": "0"})


def tracking_number(office_code: str, year: int, sequence: int) -> str:
    return f"{office_code}-{year}-{sequence:06d}"


def new_query_code() -> str:
    bits = secrets.randbits(60)  # one call to the OS random source, 12 characters of 5 bits each
    raw = "".join(_ALPHABET[(bits >> (5 * i)) & 31] for i in range(12))
    return f"{raw[0:4]}-{raw[4:8]}-{raw[8:12]}"


def normalize_query_code(code: str) -> str:
    return code.upper().replace("-", "").replace(" ", "").translate(_CONFUSABLE)


def query_code_digest(code: str) -> str:
    return hashlib.sha256(normalize_query_code(code).encode("ascii", "ignore")).hexdigest()


def identity_digest(id_number: str | None, name: str, phone: str | None) -> str | None:
    """A stable key for "the same person" used to spot repeat petitions (重复信访).

    Over the canonical forms of :mod:`petitionkit.domain.normalise` (full-width digits, ``+86``/``0086``,
    a lower-case ``x``), the same module that normalised the values at intake, so both agree.  This SHA-256 is
    only an intermediate: the SQL store keeps its keyed blind index (HMAC-SHA-256 under the office's
    index key, :mod:`petitionkit.storage.sql.crypto`), never the bare digest, once encryption is on.
    """
    if id_number and id_number.strip():
        key = "id:" + id_number_key(id_number)
    elif phone and phone.strip():
        key = "np:" + name_key(name) + ":" + phone_key(phone)
    else:
        return None
    return hashlib.sha256(key.encode("utf-8")).hexdigest()
