"""Files that hold personal data are created readable by their owner only (0600).

Databases, exports, documents and reports are opened with ``os.open(..., 0o600)`` (or, for a file
made by ``tempfile.mkstemp``, which is 0600 already, left at that mode), so the process umask is
never changed: changing it would race with every other thread creating files.
"""

from __future__ import annotations

import os
from typing import IO, Any

PRIVATE_MODE = 0o600


def open_private(path: str | os.PathLike[str], *, binary: bool = False, **kwargs: Any) -> IO[Any]:
    """``path`` opened for writing (truncated), mode 0600 whether it is new or already there."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_MODE)
    try:
        if hasattr(os, "fchmod"):
            os.fchmod(fd, PRIVATE_MODE)  # a file that was already there keeps no wider mode
        return os.fdopen(fd, "wb" if binary else "w", **kwargs)
    except BaseException:
        os.close(fd)
        raise


def create_private(path: str | os.PathLike[str]) -> bool:
    """Create ``path`` empty with mode 0600 unless it exists; whether it was created (its folder must exist)."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_MODE)
    except FileExistsError:
        return False
    os.close(fd)
    return True
