"""Formula-safe CSV (CSV injection): no cell petitionkit writes is a formula a spreadsheet would run.

A cell that is text and starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return (the OWASP
"CSV Injection" list) is written with a leading apostrophe (``'=HYPERLINK(...)``): Excel, WPS and
LibreOffice then show it as text.  Numbers are written as numbers (a negative count stays ``-3``).
Every CSV petitionkit writes (exports, report CSVs) goes through :func:`writer` or :func:`dict_writer`;
an import of petitionkit's own CSV takes the apostrophe off again (:func:`unescape_cell`), so a
round trip keeps the text.  Phones are stored without ``+86`` (:mod:`petitionkit.domain.normalise`),
so they are not touched.  docs/input.md describes the trade-off.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping, Sequence
from typing import IO, Any, Final

#: First characters that make a spreadsheet evaluate a cell (OWASP CSV Injection).
FORMULA_START: Final = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """``value`` as written to a CSV cell: text that would start a formula gets a leading ``'``."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def unescape_cell(value: str) -> str:
    """A cell as read back: the ``'`` :func:`safe_cell` put before a formula character is taken off."""
    if value.startswith("'") and value[1:].startswith(FORMULA_START):
        return value[1:]
    return value


class SafeWriter:
    """``csv.writer`` whose every text cell passes :func:`safe_cell`."""

    def __init__(self, stream: IO[str], **options: Any) -> None:
        self._writer = csv.writer(stream, **options)

    def writerow(self, row: Iterable[Any]) -> Any:
        return self._writer.writerow([safe_cell(v) for v in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


class SafeDictWriter(csv.DictWriter):  # type: ignore[type-arg]
    """``csv.DictWriter`` whose every text cell passes :func:`safe_cell` (the header is ours, left as is)."""

    def writerow(self, rowdict: Mapping[str, Any]) -> Any:
        return super().writerow({k: safe_cell(v) for k, v in rowdict.items()})


def writer(stream: IO[str], **options: Any) -> SafeWriter:
    return SafeWriter(stream, **options)


def dict_writer(stream: IO[str], fieldnames: Sequence[str], **options: Any) -> SafeDictWriter:
    return SafeDictWriter(stream, fieldnames=fieldnames, **options)
