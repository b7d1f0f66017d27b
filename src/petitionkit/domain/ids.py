"""The one source of row ids (标识): cases, petitions, referrals, obligations and outbox messages.

A time-ordered UUID version 7 (RFC 9562): the first 48 bits are the Unix time in milliseconds, so a
new id sorts after the ids made before it and every B-tree keyed by an id grows at its right edge
instead of dirtying a random page per insert (issue 21; docs/benchmarks.md).  Python 3.14 has
:func:`uuid.uuid7`; before it the maintained ``uuid6`` package (pure Python, the RFC's reference
implementation's author) makes the same ids.  The stored form is unchanged: 32 lower-case hex digits,
like the random UUID4 ids of data written before, and the two kinds live side by side (nothing reads
a time out of an id or relies on their order).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable

__all__ = ["new_id"]


_make: Callable[[], uuid.UUID] | None = getattr(uuid, "uuid7", None)  # Python 3.14+


def _maker() -> Callable[[], uuid.UUID]:
    """``uuid6.uuid7``, imported with the first id (importing it reads package metadata: CLI start-up)."""
    global _make  # noqa: PLW0603
    from uuid6 import uuid7  # noqa: PLC0415 - only where the standard library has none

    _make = uuid7
    return uuid7


def new_id() -> str:
    """A new id: a UUID7 as 32 hex digits."""
    return (_make or _maker())().hex
