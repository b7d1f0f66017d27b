"""Migration: a case's whole history in and out of an office (the ``petitionkit-history`` format).

:mod:`petitionkit.migration.history` reads and checks one line of the format (a case with its
petitions and the steps of its lifecycle, each with its date) and writes one;
:mod:`petitionkit.migration.export` turns a stored case and its audit trail back into a line.
The import itself replays every step through the lifecycle (:mod:`petitionkit.service.history`).
See docs/migration.md.
"""
