"""The same rows, raw: what writing the library's own rows costs the database alone (issue 21).

The raw baselines of ``benchmarks/run.py`` write one petition row into one table; the library writes
per petition a case, the petition, petitioner identities (blind indexes), obligations, events with their
hash chain, an outbox message and search documents (FTS5 on SQLite, a stored tsvector under GIN on
PostgreSQL), petition tallies kept by triggers, field-encrypted.  This phase reads back, after the
library's import, every row it wrote for its cases, as stored (sealed bytes, digests, JSON text), and
writes those exact rows with the raw driver into a fresh database made by the library's own migration
(the same indexes, FTS5 and tally triggers, GIN index, deferred constraint):

* the registration's twin: the first ``sample`` cases, one case's rows per commit;
* the import's twin: every other case, ``executemany`` per table in parent-first order, one commit per
  ``batch`` cases.

Identity columns (``events.id``, ``outbox.seq``, ``search_documents.seq``) are left to the database, as the
library leaves them.  ``petition_tallies`` is written by the triggers, as in the library, and compared
with the source afterwards.  Rows not tied to a case (the tracking counter, data keys, the access log's
line for the import) are a handful per run and not replayed; their count is returned.
"""

from __future__ import annotations

import time
from collections import defaultdict
from typing import Any

import run as bench

TRIGGER_WRITTEN = ("petition_tallies",)


def case_tables() -> list[Any]:
    """``cases`` and every table with a foreign key to it, parents first (the metadata's own order)."""
    from petitionkit.storage.sql import tables  # noqa: PLC0415

    found = [tables.cases]
    for table in tables.metadata.sorted_tables:
        if any(fk.column.table is tables.cases for fk in table.foreign_keys):
            found.append(table)
    return found


def written_columns(table: Any) -> list[str]:
    """The columns the library writes: all but the identity the database assigns."""
    generated = table.autoincrement_column
    return [c.name for c in table.columns if c is not generated]


def read_connection(kind: str, url: str) -> Any:
    connection = bench.raw_connect(kind, url)
    if kind == "postgresql":
        from psycopg.types.string import TextLoader  # noqa: PLC0415

        connection.adapters.register_loader("json", TextLoader)  # JSON as stored, written back as text
    return connection


def read_rows(kind: str, url: str) -> tuple[list[str], dict[str, dict[str, list[tuple[Any, ...]]]], dict[str, int]]:
    """Every row of the case tables grouped by case (in the order the database holds them), and the
    row counts of the other tables."""
    from petitionkit.storage.sql import tables  # noqa: PLC0415

    connection = read_connection(kind, url)
    by_case: dict[str, dict[str, list[tuple[Any, ...]]]] = defaultdict(lambda: defaultdict(list))
    case_ids = [r[0] for r in connection.execute("SELECT id FROM cases ORDER BY id").fetchall()]
    names = set()
    for table in case_tables():
        names.add(table.name)
        columns = written_columns(table)
        key = "id" if table is tables.cases else "case_id"
        generated = table.autoincrement_column
        order = generated.name if generated is not None else ", ".join(c.name for c in table.primary_key.columns)
        rows = connection.execute(f"SELECT {', '.join(columns)} FROM {table.name} ORDER BY {order}").fetchall()
        at = columns.index(key)
        for row in rows:
            by_case[row[at]][table.name].append(tuple(row))
    others = {}
    for table in tables.metadata.sorted_tables:
        if table.name not in names:
            others[table.name] = connection.execute(f"SELECT count(*) FROM {table.name}").fetchone()[0]
    if kind == "postgresql":
        connection.rollback()
    connection.close()
    return case_ids, by_case, others


def tallies(kind: str, url: str) -> list[tuple[Any, ...]]:
    connection = bench.raw_connect(kind, url)
    found = [tuple(r) for r in connection.execute("SELECT * FROM petition_tallies ORDER BY 1, 2, 3, 4").fetchall()]
    if kind == "postgresql":
        connection.rollback()
    connection.close()
    return found


def phase_same_rows(kind: str, url: str, target: str, batch: int, sample: int) -> dict[str, Any]:
    """Replay the library's rows of ``url`` into the freshly migrated ``target`` with the raw driver."""
    case_ids, by_case, others = read_rows(kind, url)
    order = case_tables()
    mark = "?" if kind == "sqlite" else "%s"
    sql = {}
    for table in order:
        columns = written_columns(table)
        sql[table.name] = f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({', '.join([mark] * len(columns))})"
    connection = bench.raw_connect(kind, target)
    if kind == "sqlite":
        connection.execute("PRAGMA foreign_keys = ON")  # as the store's connections

    def write(cases: list[str]) -> None:
        if kind == "sqlite":
            connection.execute("BEGIN IMMEDIATE")
            for table in order:
                rows = [r for case in cases for r in by_case[case][table.name]]
                if rows:
                    connection.executemany(sql[table.name], rows)
            connection.execute("COMMIT")
        else:
            with connection.transaction(), connection.cursor() as cursor:
                for table in order:
                    rows = [r for case in cases for r in by_case[case][table.name]]
                    if rows:
                        cursor.executemany(sql[table.name], rows)

    petitions = {case: len(by_case[case]["petitions"]) for case in case_ids}
    single, bulk = case_ids[:sample], case_ids[sample:]
    started = time.perf_counter()
    for case in single:
        write([case])
    single_seconds = time.perf_counter() - started
    started = time.perf_counter()
    for first in range(0, len(bulk), batch):
        write(bulk[first : first + batch])
    bulk_seconds = time.perf_counter() - started
    connection.close()
    rows = sum(len(r) for case in case_ids for r in by_case[case].values())
    return {
        "single_petitions": sum(petitions[c] for c in single),
        "single_seconds": single_seconds,
        "bulk_petitions": sum(petitions[c] for c in bulk),
        "bulk_seconds": bulk_seconds,
        "rows": rows,
        "petitions": sum(petitions.values()),
        "tables": [t.name for t in order if any(by_case[c][t.name] for c in case_ids)],
        "tallies_match": tallies(kind, url) == tallies(kind, target),
        "not_replayed": {name: count for name, count in others.items() if count and name not in TRIGGER_WRITTEN},
    }


def lines(
    same: dict[str, Any],
    register_per_s: float,
    import_per_s: float,
    batch: int,
    raw_register_per_s: float | None = None,
    raw_import_per_s: float | None = None,
) -> list[str]:
    """The extra lines beside figures 1 and 2: the library against the database writing its rows, and
    the same rows against the one-row baselines (the most any code writing these rows could reach)."""
    single = same["single_petitions"] / same["single_seconds"]
    bulk = same["bulk_petitions"] / same["bulk_seconds"]
    skipped = ", ".join(f"{name} {count}" for name, count in sorted(same["not_replayed"].items())) or "none"
    ceiling = []
    if raw_register_per_s and raw_import_per_s:
        ceiling = [
            f"   same rows raw / one-row raw baseline (the ceiling of goals 1 and 2 for these rows):"
            f" register {single / raw_register_per_s:.2f}, import {bulk / raw_import_per_s:.2f}"
        ]
    return [
        f"   the same rows, raw: {same['rows']:,} rows the library wrote for {same['petitions']:,} petitions"
        f" ({same['rows'] / same['petitions']:.1f} a petition) in {', '.join(same['tables'])},"
        " written by the driver into a freshly migrated database (same indexes and triggers)",
        f"   same rows, raw: register twin {single:,.1f} petitions/s (one per commit, {same['single_petitions']:,});"
        f" library/same-rows {register_per_s / single:.2f}; import twin {bulk:,.1f} petitions/s"
        f" (executemany, {batch:,} per commit); library/same-rows {import_per_s / bulk:.2f}",
        f"   trigger-kept tallies equal the library's: {'yes' if same['tallies_match'] else 'NO'};"
        f" rows not tied to a case, not replayed: {skipped}",
        *ceiling,
    ]
