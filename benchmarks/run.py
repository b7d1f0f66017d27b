"""Benchmarks of the SQL backend against raw driver baselines measured in the same run, same database.

    python benchmarks/run.py --db sqlite --petitions 1000000
    python benchmarks/run.py --db postgresql --url postgresql+psycopg://postgres@127.0.0.1:5432/test
    python benchmarks/run.py --db sqlite --petitions 20000 --rotate      # and key rotation throughput
    python benchmarks/run.py --db sqlite --petitions 50000 --ids uuid4   # the random ids of before issue 21

Field encryption (a fresh master key for the run) and principals (every call acts as the sample
admin) are on unless ``--no-encrypt``.  Figures (each printed beside its baseline and the ratio):

1. registering one petition through ``Office.register`` vs a raw driver loop (sqlite3 / psycopg)
   inserting one petition row per commit (target: at least 25 % of the raw rate);
2. bulk import through ``Office.import_petitions`` vs raw ``executemany`` of petition rows
   (target: at least 50 %), with the importing process's peak RSS (target: at most 300 MB);
3. the due/overdue lists (``Office.due_within`` / ``Office.overdue``) at N cases vs the same query
   hand-written and fetched through the raw driver (target: at most 2x its time);
4. the period report (every figure and the trend signals) over every imported petition, against
   its goal (at most 5 s over 100,000, 20 s over 1,000,000) with its peak RSS (at most 500 MB), and the
   raw driver's time for one of its GROUP BY queries for scale;
5. CLI start-up (``benchmarks/cli_start.py``) against ``python -c "import sqlalchemy"`` (at most 2x).

Beside figures 1 and 2, a second baseline, the same rows raw (``benchmarks/same_rows.py``): every row the
import wrote, read back as stored and written by the raw driver into a freshly migrated database, one
case per commit (the registration's twin) and in the import's batches (the import's twin); the ratios
say what share of the time is the library's own work rather than the database writing its rows.

Each phase runs in a child process (its peak RSS is its own).  ``tests/test_benchmarks.py`` runs the
whole script at a few hundred petitions (a smoke run: nothing timed is asserted) so it cannot rot.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import os
import platform
import resource
import sqlite3
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from petitionkit.testing import open_test_office

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate import petitions

SHANGHAI = timezone(timedelta(hours=8))
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI)  # the offices' clock: after every generated petition
RAW_TABLE = "bench_raw_petitions"
IMPORT_BATCH = 1000  # the import's batch size, and its same-rows twin's
COLUMNS = (
    "id, office_code, tracking_number, query_code_digest, channel, received_at, registered_at, kind, subject,"
    " content, category, region_code, petitioners, anonymous, confidential, headcount, respondent, attachments"
)


# --- databases ----------------------------------------------------------------------------------------


def pg_url(base: str, schema: str) -> str:
    from sqlalchemy.engine import make_url  # noqa: PLC0415

    return make_url(base).update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(False)


def raw_connect(kind: str, url: str) -> Any:
    """A plain driver connection with the store's settings (SQLite: WAL, synchronous=FULL, 32 MiB cache)."""
    if kind == "sqlite":
        connection = sqlite3.connect(url.removeprefix("sqlite:///"), isolation_level=None)
        connection.execute("PRAGMA journal_mode = WAL")
        connection.execute("PRAGMA synchronous = FULL")
        connection.execute("PRAGMA busy_timeout = 30000")
        connection.execute("PRAGMA cache_size = -32768")
        return connection
    import psycopg  # noqa: PLC0415
    from sqlalchemy.engine import make_url  # noqa: PLC0415

    parsed = make_url(url)
    return psycopg.connect(
        host=parsed.host,
        port=parsed.port or 5432,
        user=parsed.username,
        password=parsed.password,
        dbname=parsed.database,
        options=parsed.query.get("options"),
    )


def create_raw_table(kind: str, url: str) -> None:
    stamp = "TEXT" if kind == "sqlite" else "timestamptz"
    doc = "TEXT" if kind == "sqlite" else "json"
    connection = raw_connect(kind, url)
    ddl = (
        f"CREATE TABLE IF NOT EXISTS {RAW_TABLE} (id VARCHAR(32) PRIMARY KEY, office_code VARCHAR(64) NOT NULL,"
        " tracking_number VARCHAR(80) NOT NULL, query_code_digest VARCHAR(64) NOT NULL UNIQUE,"
        f" channel VARCHAR(20) NOT NULL, received_at {stamp} NOT NULL, registered_at {stamp} NOT NULL,"
        " kind VARCHAR(20) NOT NULL, subject TEXT NOT NULL, content TEXT NOT NULL, category VARCHAR(64) NOT NULL,"
        f" region_code VARCHAR(12) NOT NULL, petitioners {doc} NOT NULL, anonymous BOOLEAN NOT NULL,"
        f" confidential BOOLEAN NOT NULL, headcount INTEGER NOT NULL, respondent {doc}, attachments {doc} NOT NULL,"
        " UNIQUE (office_code, tracking_number))"
    )
    if kind == "sqlite":
        connection.execute(ddl)
    else:
        with connection.transaction():
            connection.execute(ddl)
    connection.close()


def raw_row(kind: str, data: dict[str, Any], number: int, registered: datetime) -> tuple[Any, ...]:
    """The petition row a raw loop writes: the same values the store writes for a petition."""
    received = datetime.fromisoformat(data["received_at"])
    if kind == "sqlite":
        received_v: Any = received.astimezone(UTC).isoformat(timespec="microseconds")
        registered_v: Any = registered.astimezone(UTC).isoformat(timespec="microseconds")
    else:
        received_v, registered_v = received, registered
    return (
        uuid.uuid4().hex,
        "XS",
        f"XS-{received.year}-{number:06d}",
        hashlib.sha256(uuid.uuid4().bytes).hexdigest(),
        data["channel"],
        received_v,
        registered_v,
        data["kind"],
        data["subject"],
        data["content"],
        data["category"],
        data["region_code"],
        json.dumps(data.get("petitioners", []), ensure_ascii=False),
        data.get("anonymous", False),
        data.get("confidential", False),
        data.get("headcount", 1),
        json.dumps(data["respondent"], ensure_ascii=False) if "respondent" in data else None,
        json.dumps(data.get("attachments", []), ensure_ascii=False),
    )


def insert_sql(kind: str) -> str:
    marks = ", ".join(["?" if kind == "sqlite" else "%s"] * 18)
    return f"INSERT INTO {RAW_TABLE} ({COLUMNS}) VALUES ({marks})"


def use_ids(kind: str) -> None:
    """``uuid4``: the random ids of before issue 21, to measure what time-ordered ids changed."""
    if kind == "uuid4":
        from petitionkit.domain import ids  # noqa: PLC0415

        ids._make = uuid.uuid4


def open_bench_office(url: str) -> Any:
    from petitionkit.testing import office_settings  # noqa: PLC0415

    settings = dict(office_settings())
    settings["database"] = {"url": url}
    return open_test_office(settings, clock=lambda: NOW)


def time_storage_layer() -> dict[str, float]:
    """Benchmark-only instrumentation: add up the time spent inside the SQL backend (commit included)."""
    from petitionkit.storage.sql import store  # noqa: PLC0415

    spent = {"seconds": 0.0}
    for name in (
        "next_tracking_sequence",
        "add_petitions",
        "insert_cases",
        "update_case",
        "append_events",
        "enqueue",
        "get_case",
        "petition_by_tracking_number",
    ):
        original = getattr(store.SqlTransaction, name)

        def timed(self: Any, *args: Any, _original: Any = original, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return _original(self, *args, **kwargs)
            finally:
                spent["seconds"] += time.perf_counter() - started

        setattr(store.SqlTransaction, name, timed)
    transaction = store.SqlStorage.transaction

    @contextmanager
    def timed_transaction(self: Any) -> Iterator[Any]:
        started = time.perf_counter()
        manager = transaction(self)
        tx = manager.__enter__()
        spent["seconds"] += time.perf_counter() - started
        try:
            yield tx
        except BaseException:
            if not manager.__exit__(*sys.exc_info()):
                raise
        else:
            started = time.perf_counter()
            manager.__exit__(None, None, None)
            spent["seconds"] += time.perf_counter() - started

    store.SqlStorage.transaction = timed_transaction  # type: ignore[method-assign,assignment]
    return spent


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# --- phases (each in a child process) -----------------------------------------------------------------


def phase_register(kind: str, url: str, count: int, seed: int, ids: str = "uuid7") -> dict[str, Any]:
    use_ids(ids)
    spent = time_storage_layer()
    office = open_bench_office(url)
    rows = list(petitions(count + 20, seed=seed))
    for data in rows[:20]:  # warm-up: connections, statement caches
        office.register(data)
    spent["seconds"] = 0.0
    started = time.perf_counter()
    for data in rows[20:]:
        office.register(data)
    ours = time.perf_counter() - started
    office.close()

    connection = raw_connect(kind, url)
    sql = insert_sql(kind)
    raw_rows = [raw_row(kind, d, 900_000 + i, NOW) for i, d in enumerate(rows)]
    started = time.perf_counter()
    for row in raw_rows[20:]:
        if kind == "sqlite":
            connection.execute("BEGIN IMMEDIATE")
        connection.execute(sql, row)
        connection.commit() if kind != "sqlite" else connection.execute("COMMIT")
    raw = time.perf_counter() - started
    connection.close()
    return {"ours_per_s": count / ours, "raw_per_s": count / raw, "storage_share": spent["seconds"] / ours}


def phase_import(url: str, count: int, seed: int, ids: str = "uuid7") -> dict[str, Any]:
    use_ids(ids)
    spent = time_storage_layer()
    office = open_bench_office(url)
    started = time.perf_counter()
    report = office.import_petitions(petitions(count, seed=seed), batch_size=IMPORT_BATCH)
    elapsed = time.perf_counter() - started
    office.close()
    return {
        "seconds": elapsed,
        "storage_seconds": spent["seconds"],
        "imported": report.imported,
        "rejected": len(report.rejected),
        "rss_mb": peak_rss_mb(),
    }


def phase_report(kind: str, url: str) -> dict[str, Any]:
    """The period report over every generated petition (trend signals on), its peak RSS; and the
    raw driver's time for one of its queries (petitions by category), the scale of a single pass."""
    from petitionkit.reports import Period, period_report  # noqa: PLC0415

    office = open_bench_office(url)
    period = Period.between(date(2024, 3, 1), date(2026, 3, 1))  # every generated petition (Shanghai days)
    started = time.perf_counter()
    # trend signals on, same-matter clustering off: its cost is bounded by ClusterSettings.max_documents
    # (the latest 50,000 texts), not by the office's size; docs/benchmarks.md gives it apart
    report = period_report(office, period, as_of=NOW.date(), cluster_settings=None)
    elapsed = time.perf_counter() - started
    office.close()
    total = report.totals[0].current
    connection = raw_connect(kind, url)
    mark = "?" if kind == "sqlite" else "%s"
    sql = (
        f"SELECT category, count(*) FROM petitions WHERE office_code = {mark} AND received_at >= {mark}"
        f" AND received_at < {mark} GROUP BY category"
    )
    first = datetime(2024, 3, 1, tzinfo=SHANGHAI).astimezone(UTC)
    last = datetime(2026, 3, 1, tzinfo=SHANGHAI).astimezone(UTC)
    bounds: tuple[Any, ...] = (
        ("XS", first.isoformat(timespec="microseconds"), last.isoformat(timespec="microseconds"))
        if kind == "sqlite"
        else ("XS", first, last)
    )
    started = time.perf_counter()
    rows = connection.execute(sql, bounds).fetchall()
    raw = time.perf_counter() - started
    connection.close()
    return {"seconds": elapsed, "rss_mb": peak_rss_mb(), "petitions": total, "raw_one_query": raw, "groups": len(rows)}


def phase_cli(runs: int) -> dict[str, Any]:
    """CLI start-up (benchmarks/cli_start.py): median of alternating runs against ``import sqlalchemy``."""
    import statistics  # noqa: PLC0415

    from cli_start import measure  # noqa: PLC0415

    times = measure(["--help", "report --help"], runs)
    return {name: statistics.median(values) for name, values in times.items()}


def phase_rotate(url: str) -> dict[str, Any]:
    """Data key rotation (``keys rotate``) over the imported office, then index key rotation (``--index``)."""
    from petitionkit.storage.sql import rotation  # noqa: PLC0415

    office = open_bench_office(url)
    store = office.storage
    rotation.start(store, "XS")
    started = time.perf_counter()
    tally = rotation.reencrypt(store, "XS", batch_size=500)
    with store.transaction() as tx:
        destroyed, left = rotation.finish(tx, "XS")
    data_seconds = time.perf_counter() - started
    rotation.start(store, "XS", purpose="index")
    started = time.perf_counter()
    rekeyed = rotation.rekey_identities(store, "XS", batch_size=500)
    with store.transaction() as tx:
        rotation.finish_index(tx, "XS")
    index_seconds = time.perf_counter() - started
    office.close()
    assert destroyed and not left
    return {
        "values": tally.done,
        "data_seconds": data_seconds,
        "petitions": rekeyed.done + rekeyed.skipped,
        "index_seconds": index_seconds,
    }


def phase_generate(count: int, seed: int) -> dict[str, Any]:
    """How long the stream of input dicts alone takes (both import figures include it)."""
    started = time.perf_counter()
    for _ in petitions(count, seed=seed):
        pass
    return {"seconds": time.perf_counter() - started}


def phase_raw_import(kind: str, url: str, count: int, seed: int) -> dict[str, Any]:
    connection = raw_connect(kind, url)
    sql = insert_sql(kind)

    def batches() -> Iterator[list[tuple[Any, ...]]]:
        batch: list[tuple[Any, ...]] = []
        for number, data in enumerate(petitions(count, seed=seed), start=1):
            batch.append(raw_row(kind, data, number, NOW))
            if len(batch) == IMPORT_BATCH:
                yield batch
                batch = []
        if batch:
            yield batch

    database = 0.0
    started = time.perf_counter()
    if kind == "sqlite":
        connection.execute(f"DELETE FROM {RAW_TABLE}")
        for batch in batches():
            begun = time.perf_counter()
            connection.execute("BEGIN IMMEDIATE")
            connection.executemany(sql, batch)
            connection.execute("COMMIT")
            database += time.perf_counter() - begun
    else:
        with connection.transaction():
            connection.execute(f"DELETE FROM {RAW_TABLE}")
        for batch in batches():
            begun = time.perf_counter()
            with connection.transaction(), connection.cursor() as cursor:
                cursor.executemany(sql, batch)
            database += time.perf_counter() - begun
    elapsed = time.perf_counter() - started
    connection.close()
    return {"seconds": elapsed, "database_seconds": database, "rss_mb": peak_rss_mb()}


def backlog(kind: str, url: str, open_days: int) -> int:
    """Simulate a working office: obligations due more than ``open_days`` ago were met on time."""
    cutoff = (NOW.date() - timedelta(days=open_days)).isoformat()
    connection = raw_connect(kind, url)
    mark = "?" if kind == "sqlite" else "%s"
    closed = NOW.astimezone(UTC)
    closed_v: Any = closed.isoformat(timespec="microseconds") if kind == "sqlite" else closed
    sql = f"UPDATE obligations SET status = 'met', closed_at = {mark} WHERE status = 'open' AND due < {mark}"
    if kind == "sqlite":
        connection.execute("BEGIN IMMEDIATE")
        changed = connection.execute(sql, (closed_v, cutoff)).rowcount
        connection.execute("COMMIT")
        connection.execute("ANALYZE")
    else:
        with connection.transaction():
            changed = connection.execute(sql, (closed_v, date.fromisoformat(cutoff))).rowcount
        connection.execute("ANALYZE")
        connection.commit()
    connection.close()
    return int(changed)


DUE_SQL = (
    "SELECT id, case_id, clock, owed_by, owed_to, status, due, basis_clock, basis_start, basis_days,"
    " basis_convention, basis_rule_set, basis_source, basis_calendar, basis_extension_days, opened_at,"
    " body_code, referral_id, closed_at FROM obligations WHERE office_code = {m} AND status = 'open'"
    " AND due <= {m} ORDER BY due, case_id, clock"
)


def best_of(runs: int, work: Callable[[], int]) -> tuple[float, int]:
    best, rows = float("inf"), 0
    for _ in range(runs):
        started = time.perf_counter()
        rows = work()
        best = min(best, time.perf_counter() - started)
    return best, rows


def phase_due(kind: str, url: str, runs: int) -> dict[str, Any]:
    office = open_bench_office(url)
    today = office.today()
    ours_due, due_rows = best_of(runs, lambda: len(office.due_within(7)))
    ours_over, over_rows = best_of(runs, lambda: len(office.overdue()))
    office.close()

    connection = raw_connect(kind, url)
    sql = DUE_SQL.format(m="?" if kind == "sqlite" else "%s")

    def raw(until: date) -> int:
        """The same list by hand: one query, rows as tuples, duties of the petitioner left out."""
        bound: Any = until.isoformat() if kind == "sqlite" else until
        if kind == "sqlite":
            connection.execute("BEGIN")
            found = connection.execute(sql, ("XS", bound)).fetchall()
            connection.execute("COMMIT")
        else:
            with connection.transaction():
                found = connection.execute(sql, ("XS", bound)).fetchall()
        return len([r for r in found if r[3] != "petitioner"])

    raw_due, raw_due_rows = best_of(runs, lambda: raw(today + timedelta(days=7)))
    raw_over, raw_over_rows = best_of(runs, lambda: raw(today - timedelta(days=1)))  # due < today
    connection.close()
    return {
        "due_ours": ours_due,
        "due_raw": raw_due,
        "due_rows": due_rows,
        "due_raw_rows": raw_due_rows,
        "over_ours": ours_over,
        "over_raw": raw_over,
        "over_rows": over_rows,
        "over_raw_rows": raw_over_rows,
    }


# --- the driver -----------------------------------------------------------------------------------------


def child(phase: str, script: str = __file__, **kwargs: Any) -> dict[str, Any]:
    """Run one phase of ``script`` (this one, or another benchmark that takes ``--phase`` and ``--args``)
    in a fresh Python process; its result is the JSON it prints last."""
    done = subprocess.run(
        [sys.executable, script, "--phase", phase, "--args", json.dumps(kwargs)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        sys.stderr.write(done.stderr)
        raise SystemExit(f"phase {phase} failed")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def machine() -> list[str]:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if "model name" in line
        ),
        platform.processor(),
    )
    import sqlalchemy  # noqa: PLC0415

    lines = [
        f"CPU: {cpu}, {os.cpu_count()} cores; Python {platform.python_version()}; SQLAlchemy {sqlalchemy.__version__};"
        f" SQLite {sqlite3.sqlite_version}",
    ]
    try:
        import psycopg  # noqa: PLC0415

        lines.append(f"psycopg {psycopg.__version__}")
    except ImportError:
        pass
    return lines


def row(label: str, ours: float, raw: float, unit: str, target: str, ratio: float) -> str:
    return f"{label:<44} {ours:>12,.1f} {raw:>12,.1f} {unit:<10} {ratio:>7.2f}  {target}"


def report(options: argparse.Namespace, results: dict[str, dict[str, Any]], closed: int, total: float) -> None:
    reg, imported, raw_import, due = (results[k] for k in ("register", "import", "raw_import", "due"))
    generated = results["generate"]["seconds"]
    print()
    print(f"{'figure':<44} {'petitionkit':>12} {'raw driver':>12} {'unit':<10} {'ratio':>7}  target")
    ratio = reg["ours_per_s"] / reg["raw_per_s"]
    print(
        row(
            "1. register one petition (one per commit)", reg["ours_per_s"], reg["raw_per_s"], "rows/s", ">= 0.25", ratio
        )
    )
    print(f"   time inside the SQL backend (commit included): {reg['storage_share']:.0%} of each registration")
    ours_rate = imported["imported"] / imported["seconds"]
    raw_rate = options.petitions / raw_import["seconds"]
    label = f"2. bulk import {options.petitions:,} petitions"
    print(row(label, ours_rate, raw_rate, "rows/s", ">= 0.50", ours_rate / raw_rate))
    print(
        f"   import peak RSS {imported['rss_mb']:.0f} MB (target <= 300 MB); raw loop {raw_import['rss_mb']:.0f} MB;"
        f" rejected rows {imported['rejected']}"
    )
    service = imported["seconds"] - imported["storage_seconds"] - generated
    print(
        f"   import {imported['seconds']:.0f} s = SQL backend {imported['storage_seconds']:.0f} s"
        f" + input stream {generated:.0f} s + service and domain {service:.0f} s;"
        f" raw {raw_import['seconds']:.0f} s = driver {raw_import['database_seconds']:.0f} s + the rest"
    )
    if "same_rows" in results:
        from same_rows import lines  # noqa: PLC0415

        for line in lines(results["same_rows"], reg["ours_per_s"], ours_rate, IMPORT_BATCH, reg["raw_per_s"], raw_rate):
            print(line)
    for key, name in (("due", "3a. due within 7 days"), ("over", "3b. overdue")):
        label = f"{name} ({due[key + '_rows']:,} rows)"
        ratio = due[key + "_ours"] / due[key + "_raw"]
        print(row(label, due[key + "_ours"] * 1000, due[key + "_raw"] * 1000, "ms", "<= 2.00", ratio))
    print(f"   {options.petitions:,} cases; open obligations due before today-{options.open_days}d set met: {closed:,}")
    rep = results["report"]
    goal = 5.0 if options.petitions <= 100_000 else 20.0
    print(
        row(
            f"4. period report over {rep['petitions']:,} petitions",
            rep["seconds"],
            goal,
            "s (goal)",
            f"<= {goal:.0f} s",
            rep["seconds"] / goal,
        )
    )
    print(
        f"   report peak RSS {rep['rss_mb']:.0f} MB (target <= 500 MB); raw driver, one of its GROUP BY queries"
        f" (petitions by category, {rep['groups']} groups): {rep['raw_one_query']:.2f} s"
    )
    if "cli" in results:
        cli = results["cli"]
        for name in ("--help", "report --help"):
            label = f"5. CLI start: petitionkit {name}"
            ours, base = cli[name] * 1000, cli["baseline"] * 1000
            print(row(label, ours, base, "ms", "<= 2.00", ours / base))
        print("   baseline: python -c 'import sqlalchemy', median of alternating runs")
    if "rotate" in results:
        rot = results["rotate"]
        print(
            f"6. keys rotate: {rot['values']:,} values re-encrypted in {rot['data_seconds']:.1f} s"
            f" ({rot['values'] / rot['data_seconds']:,.0f} values/s, 500 rows per transaction);"
            f" --index: {rot['petitions']:,} petitions re-keyed in {rot['index_seconds']:.1f} s"
            f" ({rot['petitions'] / rot['index_seconds']:,.0f} petitions/s)"
        )
    print(f"   all phases {total:.0f} s")


def prepare(options: argparse.Namespace, schema: str) -> tuple[str, str, str]:
    """Fresh databases for the bulk figures, the registration figure and the same rows raw; their URLs."""
    if options.db == "sqlite":
        options.workdir.mkdir(parents=True, exist_ok=True)
        urls = []
        for name in ("bench.db", "bench-register.db", "bench-same-rows.db"):
            path = (options.workdir / name).resolve()
            for leftover in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
                leftover.unlink(missing_ok=True)
            urls.append(f"sqlite:///{path}")
        return urls[0], urls[1], urls[2]
    if not options.url:
        raise SystemExit("--url (or PETITIONKIT_TEST_POSTGRESQL_URL) names the PostgreSQL server")
    with raw_connect("postgresql", options.url) as admin:
        admin.execute(f"CREATE SCHEMA {schema}")
        admin.execute(f"CREATE SCHEMA {schema}_r")
        admin.execute(f"CREATE SCHEMA {schema}_s")
        admin.commit()
    return pg_url(options.url, schema), pg_url(options.url, f"{schema}_r"), pg_url(options.url, f"{schema}_s")


def main() -> None:  # noqa: PLR0915 - one phase after another
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--petitions", type=int, default=100_000, help="bulk import size (cases for the due query)")
    parser.add_argument("--register", type=int, default=500, help="single registrations timed")
    parser.add_argument("--url", default=os.environ.get("PETITIONKIT_TEST_POSTGRESQL_URL"), help="PostgreSQL server")
    parser.add_argument("--workdir", type=Path, default=Path("benchmarks/results"))
    parser.add_argument("--open-days", type=int, default=30, help="obligations due before today-N count as met")
    parser.add_argument("--keep", action="store_true", help="keep the PostgreSQL schemas afterwards")
    parser.add_argument(
        "--encrypt",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="field encryption (default on): a fresh master key for this run, in every phase",
    )
    parser.add_argument("--rotate", action="store_true", help="with --encrypt: also measure key rotation")
    parser.add_argument("--ids", choices=("uuid7", "uuid4"), default="uuid7", help="uuid4: the ids before issue 21")
    parser.add_argument(
        "--same-rows", type=int, default=200, help="cases replayed one per commit in the same-rows twin (0: skip it)"
    )
    parser.add_argument("--cli-runs", type=int, default=11, help="CLI start-up runs (0: skip)")
    parser.add_argument("--phase", help=argparse.SUPPRESS)
    parser.add_argument("--args", help=argparse.SUPPRESS)
    options = parser.parse_args()

    if options.phase:
        phases: dict[str, Callable[..., dict[str, Any]]] = {
            "register": phase_register,
            "import": phase_import,
            "generate": phase_generate,
            "raw_import": phase_raw_import,
            "due": phase_due,
            "rotate": phase_rotate,
            "report": phase_report,
            "cli": phase_cli,
        }
        if options.phase == "same_rows":
            from same_rows import phase_same_rows  # noqa: PLC0415

            phases["same_rows"] = phase_same_rows
        print(json.dumps(phases[options.phase](**json.loads(options.args))))
        return

    kind = options.db
    if options.encrypt:  # the phases' child processes inherit it; the raw baselines store plain text
        os.environ["PETITIONKIT_MASTER_KEY"] = "bench:" + base64.b64encode(os.urandom(32)).decode("ascii")
    else:
        os.environ.pop("PETITIONKIT_MASTER_KEY", None)
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    url, register_url, same_url = prepare(options, schema)
    encryption = "field encryption ON" if options.encrypt else "field encryption off"
    print(
        f"petitionkit SQL benchmarks: {kind}, {options.petitions:,} petitions, {encryption},"
        f" principals on (acting as the admin), {options.ids} ids"
    )
    for line in machine():
        print(line)
    try:
        from petitionkit.storage.sql import SqlStorage  # noqa: PLC0415

        for target in (url, register_url):
            SqlStorage(target).close()
            create_raw_table(kind, target)
        if options.same_rows:
            SqlStorage(same_url).close()  # the library's own migration: the same tables, indexes, triggers
        started = time.perf_counter()
        ids = options.ids
        results = {"register": child("register", kind=kind, url=register_url, count=options.register, seed=7, ids=ids)}
        results["import"] = child("import", url=url, count=options.petitions, seed=2026, ids=ids)
        if options.same_rows:  # before anything else changes the imported rows
            results["same_rows"] = child(
                "same_rows", kind=kind, url=url, target=same_url, batch=IMPORT_BATCH, sample=options.same_rows
            )
        results["generate"] = child("generate", count=options.petitions, seed=2026)
        results["raw_import"] = child("raw_import", kind=kind, url=url, count=options.petitions, seed=2026)
        closed = backlog(kind, url, options.open_days)
        results["due"] = child("due", kind=kind, url=url, runs=5)
        results["report"] = child("report", kind=kind, url=url)
        if options.cli_runs:
            results["cli"] = child("cli", runs=options.cli_runs)
        if options.encrypt and options.rotate:
            results["rotate"] = child("rotate", url=url)
        report(options, results, closed, time.perf_counter() - started)
    finally:
        if kind == "postgresql" and not options.keep:
            with raw_connect("postgresql", options.url) as admin:
                admin.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
                admin.execute(f"DROP SCHEMA IF EXISTS {schema}_r CASCADE")
                admin.execute(f"DROP SCHEMA IF EXISTS {schema}_s CASCADE")
                admin.commit()


if __name__ == "__main__":
    main()
