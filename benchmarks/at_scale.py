"""The issue 21/22 figures on a database that holds 1,000,000 petitions, built fast (seed, then SQL copies).

    python benchmarks/at_scale.py --db sqlite --seed 20000 --total 1000000 --workdir /tmp/bench1m
    python benchmarks/at_scale.py --db postgresql --url postgresql+psycopg://postgres@127.0.0.1:5432/test \\
        --seed 10000 --total 1000000

Importing 1,000,000 petitions through the library takes hours on a loaded machine, and what the goals
ask about is working on an office that *holds* them.  So the office is filled in two steps:

1. ``--seed`` generated petitions are imported through ``Office.import_petitions`` (field encryption
   and principals on): every table, index, blind index, sealed column and search document is real;
2. the seed is multiplied in SQL to ``--total``: one set-based ``INSERT ... SELECT`` per table (cases,
   petitions, petitioner identities, referrals, obligations, events, search documents) numbers the copies
   (``copy(n)`` of an id is ``x`` + the copy number + the original's tail), with their own tracking
   numbers and query-code digests, the same dates, states and texts.  The copies' case subjects are
   sealed again under their own row id (the associated data binds a sealed value to its row), so a
   search hit or a list can read them; the copies' petition texts stay sealed under the original's row
   id and cannot be opened (no measured figure reads them).  Events are copied without being re-chained:
   an audit verification of a copy fails.  The raw baseline table is filled with the same 1,000,000 rows.

Then, each beside its raw baseline measured in the same run on the same database: registering single
petitions (vs a raw one-row-per-commit loop into a 1,000,000-row table), importing ``--batch`` more
(vs raw ``executemany``; peak RSS of the importing process), the due/overdue lists (vs the same query by
hand), the period report over a quarter, a year and everything (time and peak RSS, separate processes)
and ``search_text`` (vs the raw FTS5 query; on PostgreSQL the faster of the GIN bitmap and the
newest-first walk by hand, each raw way printed per word, a rare two-word query and a word without hits
included).  ``tests/test_benchmarks.py`` runs it at a few hundred petitions (a smoke run, nothing timed
asserted).
"""

from __future__ import annotations

import argparse
import base64
import os
import statistics
import sys
import time
import uuid
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import run as bench  # the phases, raw connections and baselines of benchmarks/run.py
from generate import petitions

# six frequent words; 噪音 is in no generated text; 食品 督促 (both words) in about 0.1 % of the documents
WORDS = ("工资", "拆迁", "噪音", "补偿", "物业", "医疗", "学校", "征地", "食品 督促")
RAW_COLUMNS = bench.COLUMNS


# --- the multiplication ---------------------------------------------------------------------------------


def _dialect(kind: str) -> dict[str, str]:
    if kind == "sqlite":
        return {
            "numbers": "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {times}) ",
            "from": "CROSS JOIN n",
            "num7": "printf('%07d', n.i)",
            "num8": "printf('%08d', n.i)",
            "ids": "(SELECT json_group_array('x' || printf('%07d', n.i) || substr(j.value, 9))"
            " FROM json_each(t.petition_ids) AS j)",
        }
    return {
        "numbers": "",
        "from": "CROSS JOIN generate_series(1, {times}) AS n(i)",
        "num7": "lpad(n.i::text, 7, '0')",
        "num8": "lpad(n.i::text, 8, '0')",
        "ids": "(SELECT coalesce(json_agg('x' || lpad(n.i::text, 7, '0') || substr(j, 9)), '[]'::json)"
        " FROM json_array_elements_text(t.petition_ids) AS j)",
    }


def copy_statements(kind: str, times: int) -> list[tuple[str, str]]:
    """One ``INSERT ... SELECT`` per table, parents first; copies of the originals only."""
    from petitionkit.storage.sql import tables  # noqa: PLC0415

    d = _dialect(kind)

    def new(column: str) -> str:
        return f"'x' || {d['num7']} || substr(t.{column}, 9)"

    plan: list[tuple[Any, dict[str, str], str, str]] = [
        (
            tables.cases,
            {
                "id": new("id"),
                "first_tracking_number": "t.first_tracking_number || '-' || n.i",
                "petition_ids": d["ids"],
            },
            "t.id",
            "",
        ),
        (tables.referrals, {"id": new("id"), "case_id": new("case_id")}, "t.id", ""),
        (
            tables.petitions,
            {
                "id": new("id"),
                "case_id": new("case_id"),
                "tracking_number": "t.tracking_number || '-' || n.i",
                "query_code_digest": f"substr(t.query_code_digest, 1, 56) || {d['num8']}",
                "source_ref": "t.source_ref || '-' || n.i",
            },
            "t.id",
            "",
        ),
        (
            tables.petitioner_identities,
            {"petition_id": new("petition_id"), "case_id": new("case_id")},
            "t.petition_id",
            "",
        ),
        (
            tables.obligations,
            {"id": new("id"), "case_id": new("case_id"), "referral_id": new("referral_id")},
            "t.id",
            "",
        ),
        (tables.events, {"case_id": new("case_id")}, "t.case_id", "id"),
        (
            tables.search_documents,
            {
                "case_id": new("case_id"),
                "source_id": f"CASE WHEN length(t.source_id) = 32 THEN {new('source_id')} ELSE t.source_id END",
            },
            "t.case_id",
            "seq",
        ),
    ]
    statements = []
    for table, changed, original, generated in plan:
        columns = [c.name for c in table.columns if c.name != generated]
        values = [changed.get(name, f"t.{name}") for name in columns]
        statements.append(
            (
                table.name,
                d["numbers"].format(times=times)
                + f"INSERT INTO {table.name} ({', '.join(columns)}) SELECT {', '.join(values)}"
                f" FROM {table.name} AS t {d['from'].format(times=times)} WHERE {original} NOT LIKE 'x%'",
            )
        )
    return statements


def reseal(url: str) -> int:
    """Seal the copies' protected columns again under their own row ids (the original's plain text):
    the associated data binds a sealed value to its table, row and column, so a moved one does not open."""
    import sqlalchemy as sa  # noqa: PLC0415

    from petitionkit.storage.sql.tables import cases, petitions  # noqa: PLC0415

    office = bench.open_bench_office(url)
    storage = office.storage
    cipher = storage.codec.cipher
    done = 0
    for table, names in ((cases, ("subject",)), (petitions, ("subject", "content", "petitioners"))):
        if cipher is None:
            break
        columns = [table.c[name] for name in names]
        with storage.engine.begin() as connection:
            originals = {
                row[0][8:]: [cipher.open(table.name, row[0], name, v) for name, v in zip(names, row[1:], strict=True)]
                for row in connection.execute(sa.select(table.c.id, *columns).where(~table.c.id.like("x%")))
            }
            copies = list(connection.execute(sa.select(table.c.id).where(table.c.id.like("x%"))).scalars())
        update = (
            table.update()
            .where(table.c.id == sa.bindparam("b_id"))
            .values({name: sa.bindparam(f"b_{name}") for name in names})
        )
        for first in range(0, len(copies), 5_000):
            batch = []
            for row_id in copies[first : first + 5_000]:
                plain = originals[row_id[8:]]
                values = {
                    f"b_{n}": cipher.seal("XS", table.name, row_id, n, v) for n, v in zip(names, plain, strict=True)
                }
                batch.append({"b_id": row_id, **values})
            with storage.engine.begin() as writer:
                writer.execute(update, batch)
            done += len(batch)
    office.close()
    return done


def phase_fill(kind: str, url: str, seed: int, total: int) -> dict[str, Any]:
    """Import the seed through the library, multiply it in SQL, fill the raw table alike."""
    imported = bench.phase_import(url, seed, 2026)
    times = max(0, total // seed - 1)
    spent: dict[str, float] = {}
    connection = bench.raw_connect(kind, url)
    # one transaction: PostgreSQL checks at commit that each case's head matches its events (a trigger)
    connection.execute("BEGIN IMMEDIATE" if kind == "sqlite" else "BEGIN")
    for name, sql in copy_statements(kind, times):
        started = time.perf_counter()
        connection.execute(sql)
        spent[name] = round(time.perf_counter() - started, 1)
    started = time.perf_counter()
    connection.execute("COMMIT")
    spent["commit"] = round(time.perf_counter() - started, 1)
    if kind == "postgresql":
        # One transaction updated each tally row once per copy: its dead versions stay until autovacuum gets
        # to them (a period report read them all: the year's 13.6 s instead of 5.4 s). Vacuum as it would.
        started = time.perf_counter()
        connection.autocommit = True
        connection.execute("VACUUM ANALYZE petition_tallies")
        spent["vacuum tallies"] = round(time.perf_counter() - started, 1)
    connection.close()
    started = time.perf_counter()
    resealed = reseal(url)
    spent["reseal"] = round(time.perf_counter() - started, 1)
    bench.create_raw_table(kind, url)
    connection = bench.raw_connect(kind, url)
    started = time.perf_counter()
    fill = f"INSERT INTO {bench.RAW_TABLE} ({RAW_COLUMNS}) SELECT {RAW_COLUMNS} FROM petitions"
    if kind == "sqlite":
        connection.execute("BEGIN IMMEDIATE")
        connection.execute(fill)
        connection.execute("COMMIT")
    else:
        with connection.transaction():
            connection.execute(fill)
    spent["raw table"] = round(time.perf_counter() - started, 1)
    count = connection.execute("SELECT count(*) FROM petitions").fetchone()[0]
    documents = connection.execute("SELECT count(*) FROM search_documents").fetchone()[0]
    connection.close()
    return {
        "seed_seconds": imported["seconds"],
        "seed_rss_mb": imported["rss_mb"],
        "copies": times,
        "seconds": spent,
        "resealed": resealed,
        "petitions": count,
        "documents": documents,
    }


# --- the measurements not in run.py -----------------------------------------------------------------------


def phase_raw_batch(kind: str, url: str, count: int, seed: int) -> dict[str, Any]:
    """Raw ``executemany`` of ``count`` petition rows (1,000 per transaction) into the full raw table."""
    connection = bench.raw_connect(kind, url)
    sql = bench.insert_sql(kind)
    started = time.perf_counter()  # the input stream included, as in the library's figure and run.py
    rows = [bench.raw_row(kind, data, 700_000 + i, bench.NOW) for i, data in enumerate(petitions(count, seed=seed))]
    for first in range(0, len(rows), 1000):
        batch = rows[first : first + 1000]
        if kind == "sqlite":
            connection.execute("BEGIN IMMEDIATE")
            connection.executemany(sql, batch)
            connection.execute("COMMIT")
        else:
            with connection.transaction(), connection.cursor() as cursor:
                cursor.executemany(sql, batch)
    elapsed = time.perf_counter() - started
    connection.close()
    return {"seconds": elapsed, "rss_mb": bench.peak_rss_mb()}


def phase_period(url: str, first: str, last: str, tallies: bool = True) -> dict[str, Any]:
    """The period report (trend signals on, clustering off as in run.py) from ``first`` to ``last``.

    ``tallies=False``: the same figures counted from the petitions (the report before revision 0023), the
    baseline of the tallies; built without the receptions and the redaction pass (neither reads petitions).
    """
    from petitionkit.reports import Period, period_report  # noqa: PLC0415
    from petitionkit.reports.build import build_period_report, office_context  # noqa: PLC0415
    from petitionkit.reports.sql_source import SqlReportSource  # noqa: PLC0415

    office = bench.open_bench_office(url)
    period = Period.between(date.fromisoformat(first), date.fromisoformat(last))
    started = time.perf_counter()
    if tallies:
        report = period_report(office, period, as_of=bench.NOW.date(), cluster_settings=None)
    else:
        source = SqlReportSource.for_storage(office.storage)
        source.tallies = False
        context = office_context(office, as_of=bench.NOW.date())
        report = build_period_report(source, context, period, cluster_settings=None)
        source.close()
    elapsed = time.perf_counter() - started
    office.close()
    return {"seconds": elapsed, "rss_mb": bench.peak_rss_mb(), "petitions": report.totals[0].current}


RAW_SEARCH = {  # PostgreSQL: the first page of 20 by hand, each way (``{match}`` is the vector's condition)
    # the old statement, as revision 0018 to 0021 ran it: the planner walks the primary key computing vectors
    "old": "SELECT seq FROM search_documents WHERE office_code = 'XS' AND to_tsvector('simple', body)"
    " @@ plainto_tsquery('simple', %(q)s) ORDER BY seq DESC LIMIT 20",
    # the one statement on the stored vector, as the planner chooses (its column statistics)
    "planned": "SELECT seq FROM search_documents WHERE office_code = 'XS' AND body_tsv @@ plainto_tsquery('simple',"
    " %(q)s) ORDER BY seq DESC LIMIT 20",
    # the GIN bitmap, every match sorted
    "bitmap": "WITH m AS MATERIALIZED (SELECT seq FROM search_documents WHERE office_code = 'XS' AND body_tsv"
    " @@ plainto_tsquery('simple', %(q)s)) SELECT seq FROM m ORDER BY seq DESC LIMIT 20",
    # the newest first, without bound (bitmaps off: the index walk)
    "walk": "SELECT seq FROM search_documents WHERE office_code = 'XS' AND body_tsv @@ plainto_tsquery('simple',"
    " %(q)s) ORDER BY seq DESC LIMIT 20",
}
RAW_TIMEOUT_S = 30  # a raw way that reads every document stops here (shown as "> 30 s")


def _raw_search_ms(url: str, word: str, repeat: int) -> dict[str, float | None]:
    """Each raw PostgreSQL way's mean time for ``word`` (None: cancelled at RAW_TIMEOUT_S)."""
    import psycopg  # noqa: PLC0415

    connection = bench.raw_connect("postgresql", url)
    connection.autocommit = True
    connection.execute(f"SET statement_timeout = '{RAW_TIMEOUT_S}s'")
    spent: dict[str, float | None] = {}
    for way, sql in RAW_SEARCH.items():
        connection.execute(f"SET enable_bitmapscan = {'off' if way == 'walk' else 'on'}")
        times: list[float] = []
        for _ in range(repeat):
            started = time.perf_counter()
            try:
                connection.execute(sql, {"q": word}).fetchall()
            except psycopg.errors.QueryCanceled:
                break
            times.append(time.perf_counter() - started)
        spent[way] = statistics.mean(times) * 1000 if times else None
    connection.close()
    return spent


def phase_search(kind: str, url: str, repeat: int, words: list[str]) -> dict[str, Any]:
    """``office.search_text`` (first page of 20) against the raw index query, per word.  SQLite's raw
    side is the FTS5 query; PostgreSQL's the best of the GIN bitmap and the newest-first walk by hand
    (each word's faster), and each raw way per word besides (``RAW_SEARCH``)."""
    office = bench.open_bench_office(url)
    office.search_text(words[0])  # the segmenter's dictionary
    ours: list[float] = []
    raw: list[float] = []
    hits: dict[str, int] = {}
    ways: dict[str, dict[str, float | None]] = {}
    per_word: dict[str, float] = {}
    connection = bench.raw_connect(kind, url) if kind == "sqlite" else None
    for word in words:
        mine = []
        for _ in range(repeat):
            started = time.perf_counter()
            hits[word] = len(office.search_text(word).results)
            mine.append(time.perf_counter() - started)
        ours += mine
        per_word[word] = statistics.mean(mine) * 1000
        if connection is not None:
            for _ in range(repeat):
                started = time.perf_counter()
                connection.execute(
                    "SELECT d.seq FROM search_fts f CROSS JOIN search_documents d ON d.seq = f.rowid WHERE search_fts"
                    " MATCH ? AND d.office_code = 'XS' ORDER BY f.rowid DESC LIMIT 20",
                    (" ".join(f'"{w}"' for w in word.split()),),
                ).fetchall()
                raw.append(time.perf_counter() - started)
        else:
            ways[word] = _raw_search_ms(url, word, repeat)
            best = min(ms for way, ms in ways[word].items() if way in ("bitmap", "walk") and ms is not None)
            raw += [best / 1000] * repeat
    if connection is not None:
        connection.close()
    office.close()
    return {
        "ours_ms": statistics.mean(ours) * 1000,
        "ours_p95_ms": sorted(ours)[max(0, int(len(ours) * 0.95) - 1)] * 1000,
        "raw_ms": statistics.mean(raw) * 1000,
        "hits": hits,
        "per_word_ms": per_word,
        "raw_ways_ms": ways,
    }


PHASES = {
    "fill": phase_fill,
    "register": bench.phase_register,
    "import": bench.phase_import,
    "raw_batch": phase_raw_batch,
    "due": bench.phase_due,
    "period": phase_period,
    "search": phase_search,
}


def child(phase: str, **kwargs: Any) -> dict[str, Any]:
    """Run one of this script's phases in a fresh process (run.py's driver)."""
    return bench.child(phase, __file__, **kwargs)


def prepare(options: argparse.Namespace, schema: str) -> str:
    if options.db == "sqlite":
        options.workdir.mkdir(parents=True, exist_ok=True)
        path = (options.workdir / "at-scale.db").resolve()
        for leftover in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
            leftover.unlink(missing_ok=True)
        return f"sqlite:///{path}"
    if not options.url:
        raise SystemExit("--url (or PETITIONKIT_TEST_POSTGRESQL_URL) names the PostgreSQL server")
    with bench.raw_connect("postgresql", options.url) as admin:
        admin.execute(f"CREATE SCHEMA {schema}")
        admin.commit()
    return bench.pg_url(options.url, schema)


def say(line: str) -> None:
    print(line, flush=True)


def measure(options: argparse.Namespace, url: str) -> None:
    kind = options.db
    from petitionkit.storage.sql import SqlStorage  # noqa: PLC0415

    SqlStorage(url).close()
    started = time.perf_counter()
    fill = child("fill", kind=kind, url=url, seed=options.seed, total=options.total)
    say(
        f"fill: seed of {options.seed:,} imported in {fill['seed_seconds']:.0f} s"
        f" (peak RSS {fill['seed_rss_mb']:.0f} MB),"
        f" {fill['copies']} copies in SQL: {fill['seconds']}; now {fill['petitions']:,} petitions,"
        f" {fill['documents']:,} search documents, {fill['resealed']:,} rows resealed"
    )
    closed = bench.backlog(kind, url, options.open_days)
    say(f"   open obligations due before today-{options.open_days}d set met: {closed:,} (then ANALYZE)")
    n = fill["petitions"]
    say(f"\n{'figure':<44} {'petitionkit':>12} {'raw driver':>12} {'unit':<10} {'ratio':>7}  target")
    due = child("due", kind=kind, url=url, runs=3)
    for key, name in (("due", "3a. due within 7 days"), ("over", "3b. overdue")):
        label = f"{name} ({due[key + '_rows']:,} rows)"
        ours, raw = due[key + "_ours"] * 1000, due[key + "_raw"] * 1000
        say(bench.row(label, ours, raw, "ms", "<= 2.00", ours / raw))
    for label, first, last in (
        ("quarter 2025Q4", "2025-10-01", "2025-12-31"),
        ("year 2025", "2025-01-01", "2025-12-31"),
        ("everything", "2024-03-01", "2026-03-01"),
    ):
        rep = child("period", url=url, first=first, last=last)
        goal = 20.0
        say(
            bench.row(
                f"4. period report, {label} ({rep['petitions']:,})",
                rep["seconds"],
                goal,
                "s (goal)",
                "<= 20 s",
                rep["seconds"] / goal,
            )
        )
        say(f"   peak RSS {rep['rss_mb']:.0f} MB (target <= 500 MB)")
        if options.report_baseline:
            counted = child("period", url=url, first=first, last=last, tallies=False)
            say(
                f"   counted from the petitions instead of the tallies: {counted['seconds']:.1f} s"
                f" (tallies {rep['seconds'] / counted['seconds']:.2f}x of it), peak RSS {counted['rss_mb']:.0f} MB"
            )
    found = child("search", kind=kind, url=url, repeat=options.repeat, words=options.words.split(","))
    say(
        bench.row(
            "6. search_text, first page of 20",
            found["ours_ms"],
            found["raw_ms"],
            "ms",
            "(issue 22)",
            found["ours_ms"] / found["raw_ms"],
        )
    )
    say(f"   search_text p95 {found['ours_p95_ms']:.1f} ms; hits on the first page {found['hits']}")
    for word, ways in found["raw_ways_ms"].items():  # PostgreSQL: each word, each raw way (RAW_SEARCH)
        shown = ", ".join(
            f"{way} " + (f"{ms:.1f}" if ms is not None else f"> {RAW_TIMEOUT_S} s") for way, ms in ways.items()
        )
        say(f"   {word}: search_text {found['per_word_ms'][word]:.1f} ms; raw ms: {shown}")
    reg = child("register", kind=kind, url=url, count=options.register, seed=7)
    ratio = reg["ours_per_s"] / reg["raw_per_s"]
    say(
        bench.row(f"1. register one petition at {n:,}", reg["ours_per_s"], reg["raw_per_s"], "rows/s", ">= 0.25", ratio)
    )
    say(f"   time inside the SQL backend (commit included): {reg['storage_share']:.0%} of each registration")
    imported = child("import", url=url, count=options.batch, seed=99)
    raw_batch = child("raw_batch", kind=kind, url=url, count=options.batch, seed=99)
    ours, raw = imported["imported"] / imported["seconds"], options.batch / raw_batch["seconds"]
    say(bench.row(f"2. import {options.batch:,} more at {n:,}", ours, raw, "rows/s", ">= 0.50", ours / raw))
    say(
        f"   import peak RSS {imported['rss_mb']:.0f} MB (target <= 300 MB);"
        f" SQL backend {imported['storage_seconds']:.0f}"
        f" of {imported['seconds']:.0f} s; rejected rows {imported['rejected']}; raw loop {raw_batch['rss_mb']:.0f} MB"
    )
    say(f"   all phases {time.perf_counter() - started:.0f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--seed", type=int, default=20_000, help="petitions imported through the library")
    parser.add_argument("--total", type=int, default=1_000_000, help="petitions after the SQL copies")
    parser.add_argument("--register", type=int, default=300, help="single registrations timed")
    parser.add_argument("--batch", type=int, default=10_000, help="petitions imported on top, timed")
    parser.add_argument("--repeat", type=int, default=5, help="searches per word")
    parser.add_argument(
        "--words",
        default=",".join(WORDS),
        help="query words, comma-separated (frequent ones, a rare one and one without hits)",
    )
    parser.add_argument("--open-days", type=int, default=30, help="obligations due before today-N count as met")
    parser.add_argument("--url", default=os.environ.get("PETITIONKIT_TEST_POSTGRESQL_URL"), help="PostgreSQL server")
    parser.add_argument("--workdir", type=Path, default=Path("benchmarks/results"))
    parser.add_argument("--keep", action="store_true", help="keep the database (schema) afterwards")
    parser.add_argument(
        "--report-baseline",
        action="store_true",
        help="also build each period report counting petitions instead of reading the tallies (the baseline)",
    )
    parser.add_argument("--phase", help=argparse.SUPPRESS)
    parser.add_argument("--args", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.phase:
        import json  # noqa: PLC0415

        print(json.dumps(PHASES[options.phase](**json.loads(options.args))))
        return
    os.environ["PETITIONKIT_MASTER_KEY"] = "bench:" + base64.b64encode(os.urandom(32)).decode("ascii")
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    url = prepare(options, schema)
    say(
        f"petitionkit at scale: {options.db}, seed {options.seed:,} imported then multiplied in SQL to"
        f" {options.total:,}; field encryption ON, principals on; {datetime.now(UTC):%Y-%m-%d %H:%M} UTC"
    )
    for line in bench.machine():
        say(line)
    try:
        measure(options, url)
    finally:
        if options.db == "postgresql" and not options.keep:
            with bench.raw_connect("postgresql", options.url) as admin:
                admin.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
                admin.commit()
        elif options.db == "sqlite" and not options.keep:
            path = Path(url.removeprefix("sqlite:///"))
            for leftover in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
                leftover.unlink(missing_ok=True)


if __name__ == "__main__":
    main()
