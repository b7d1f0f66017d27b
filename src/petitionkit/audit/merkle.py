"""The Merkle tree hash of RFC 6962 §2.1 (Certificate Transparency), over checkpoint leaves."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

EMPTY_ROOT = hashlib.sha256(b"").hexdigest()


def leaf_hash(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


def merkle_root(leaves: Sequence[bytes]) -> str:
    """``MTH(D[n])``: the hex root over the leaf data ``leaves`` (the hash of nothing when empty).

    Built bottom-up: a level's odd last node is promoted unchanged, which gives the same tree as
    the RFC's split at the largest power of two below ``n``.
    """
    if not leaves:
        return EMPTY_ROOT
    level = [leaf_hash(leaf) for leaf in leaves]
    while len(level) > 1:
        paired = [hashlib.sha256(b"\x01" + level[i] + level[i + 1]).digest() for i in range(0, len(level) - 1, 2)]
        if len(level) % 2:
            paired.append(level[-1])
        level = paired
    return level[0].hex()
