"""A per-client limit for the public endpoints: a sliding one-minute window per client address.

In-process: with several workers each counts its own clients (the limit is per worker); put a proxy's
limit in front for a hard bound across workers (docs/http.md).
"""

from __future__ import annotations

import threading
import time
from collections import deque


class RateLimiter:
    def __init__(self, per_minute: int, *, max_clients: int = 100_000) -> None:
        self.per_minute, self.max_clients = per_minute, max_clients
        self._seen: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def allow(self, client: str, now: float | None = None) -> int:
        """0 when ``client`` may go on, else the seconds until it may try again."""
        now = time.monotonic() if now is None else now
        with self._lock:
            if len(self._seen) >= self.max_clients:  # under a flood of addresses, forget the quiet ones
                self._seen = {k: v for k, v in self._seen.items() if v and now - v[-1] < 60}
            times = self._seen.setdefault(client, deque())
            while times and now - times[0] >= 60:
                times.popleft()
            if len(times) >= self.per_minute:
                return max(1, int(60 - (now - times[0])) + 1)
            times.append(now)
            return 0
