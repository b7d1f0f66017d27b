"""The formats a report is written in: a module of its own so the command line names them at start-up
without importing the report model and its writers (issue 21)."""

from __future__ import annotations

FORMATS = ("html", "json", "csv", "docx")
SIGNAL_FORMATS = ("json", "csv")
