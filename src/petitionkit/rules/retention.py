"""The ``[retention]`` section of a rule pack: one period per kind of record, counted from the case's end.

.. code-block:: toml

    [retention]
    source = "where the periods come from"
    personal_data = { years = 30 }
    content = { years = 30, source = "a different source for this one" }
    notices = { days = 3650 }

Each entry gives ``years`` or ``days`` (exactly one, a whole number of 1 or more) and may give its own
``source`` and ``note``.  A later pack replaces an earlier one's entry kind by kind; after composing,
every kind of :class:`~petitionkit.domain.retention.RecordKind` must have a period (the national pack
declares them all).  See docs/rules.md "Retention".
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from petitionkit.domain.retention import RecordKind, RetentionPeriod
from petitionkit.rules.errors import TypeName

if TYPE_CHECKING:
    from petitionkit.rules.schema import _Reader

_KINDS = tuple(k.value for k in RecordKind)


def read_retention(reader: _Reader, table: dict[str, Any]) -> tuple[RetentionPeriod, ...]:
    """The periods ``[retention]`` declares, checked (file, dotted key and problem on error)."""
    reader.only(table, "retention", ("source", "note", *_KINDS))
    source = reader.string(table, "retention", "source") or ""
    reader.string(table, "retention", "note")
    periods = []
    for kind in RecordKind:
        if kind.value not in table:
            continue
        key = f"retention.{kind.value}"
        entry = reader.table(table[kind.value], key)
        reader.only(entry, key, ("years", "days", "source", "note"))
        reader.string(entry, key, "note")
        years = reader.integer(entry, key, "years")
        days = reader.integer(entry, key, "days")
        if (years is None) == (days is None):
            reader.fail(key, "retention_unit", expected=TypeName("integer"))
        own = reader.string(entry, key, "source")
        periods.append(RetentionPeriod(kind, years or 0, days or 0, own or source, set_by=reader.pack))
    return tuple(periods)
