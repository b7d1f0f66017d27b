"""Tracking numbers (受理编号) and query codes (查询码).

A tracking number is unique per office and easy to read over the phone: ``XS-2026-000123``.
A query code lets a petitioner look up progress without an account; it is random (60 bits), shown
once at registration, and only its SHA-256 digest is stored.
"""

from __future__ import annotations

import hashlib
import secrets
import unicodedata

from petitionkit.domain.identity import FULL_WIDTH
from petitionkit.domain.model import Person
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


# Kinds of the secondary identity keys stored beside each petitioner's identity digest.  They are
# written ``"<kind>:<digest>"`` to the store, which keeps the kind apart (reports count people by
# their identity digest alone, never by these).
PHONE_KEY = "phone"
NAME_PHONE_KEY = "namephone"  # the name with the phone, beside an identity digest made of the ID number
ADDRESS_KEY = "address"


def _compact(value: str) -> str:
    """NFKC (full-width to half-width), no whitespace, no punctuation or symbols, case-folded."""
    text = unicodedata.normalize("NFKC", value.translate(FULL_WIDTH))
    return "".join(ch for ch in text if unicodedata.category(ch)[0] in "LN").casefold()


def _sha(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def identity_keys(person: Person) -> dict[str, str]:
    """Every key that can show "the same person" (同一信访人), mapped to why it matches.

    * the identity digest (:func:`identity_digest`): ``id_number``, or ``name_phone`` without one;
    * ``"namephone:<digest>"``: the name with the phone when the identity digest is the ID number's (so
      a call giving only name and phone still finds the petitioner who once gave the ID number);
    * ``"phone:<digest>"``: the phone alone (a petitioner who once gave an ID number and once not);
    * ``"address:<digest>"``: the name with the address (a letter without ID number or phone).

    Values are normalised first: full-width digits, ``+86``/``0086``, a lower-case ``x``, spaces and
    punctuation.  Like :func:`identity_digest`, the SQL store keeps only keyed blind indexes of these.
    """
    keys: dict[str, str] = {}
    primary = identity_digest(person.id_number, person.name, person.phone)
    if primary is not None:
        keys[primary] = "id_number" if person.id_number and person.id_number.strip() else "name_phone"
    phone = phone_key(person.phone) if person.phone else ""
    if primary is not None and keys[primary] == "id_number" and person.phone and person.phone.strip():
        by_name_phone = identity_digest(None, person.name, person.phone)
        assert by_name_phone is not None
        keys[f"{NAME_PHONE_KEY}:{by_name_phone}"] = "name_phone"
    if len(phone) >= 7:  # a real number, not a stray digit or two
        keys[f"{PHONE_KEY}:{_sha('ph:' + phone)}"] = "phone"
    name, address = _compact(person.name), _compact(person.address or "")
    if name and len(address) >= 4:
        keys[f"{ADDRESS_KEY}:{_sha('na:' + name + '|' + address)}"] = "name_address"
    return keys
