"""How lists page (分页): the page sizes every list interface shares (CLI, HTTP API, web workspace).

Kept apart from :mod:`petitionkit.service.paging` (the keyset cursors and the paged reads) so that a
command line can declare its ``--limit`` option without importing the service layer at start-up.
"""

from __future__ import annotations

DEFAULT_LIMIT = 50  # rows a page when the caller names no limit
MAX_LIMIT = 10_000  # the largest page anyone may ask for: a bound on one answer's memory
