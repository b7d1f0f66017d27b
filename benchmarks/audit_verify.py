"""``petitionkit audit verify`` over N cases vs reading the same rows through the raw driver.

    python benchmarks/audit_verify.py --cases 100000 --workdir /tmp/bench-audit

Builds a SQLite office of N cases by bulk import (sealed with a generated key), then times
``verify_office`` (every case: chain, seals, head, state digest) beside the baseline: fetching every
case, obligation, petition and event row with ``sqlite3`` and nothing else.  Prints both and the
ratio.  Not part of the test suite.
"""

from __future__ import annotations

import argparse
import base64
import os
import secrets
import sqlite3
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate import petitions

from petitionkit.audit import verify_office
from petitionkit.service import open_office
from petitionkit.testing import office_settings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/bench-audit"))
    parser.add_argument("--seed", type=int, default=13)
    options = parser.parse_args()
    options.workdir.mkdir(parents=True, exist_ok=True)
    db = options.workdir / f"audit-{options.cases}.db"
    os.environ["PETITIONKIT_AUDIT_KEY"] = "bench:" + base64.b64encode(secrets.token_bytes(32)).decode()
    if db.exists():
        db.unlink()
    settings = dict(office_settings())
    settings["database"] = {"url": f"sqlite:///{db}"}
    office = open_office(settings)
    started = time.perf_counter()
    office.import_petitions(petitions(options.cases, seed=options.seed), batch_size=1000)
    print(f"import of {options.cases:,} petitions: {time.perf_counter() - started:.1f} s", flush=True)

    started = time.perf_counter()
    with sqlite3.connect(db) as raw:
        rows = 0
        for table in ("cases", "obligations", "referrals", "petitions", "events"):
            rows += len(raw.execute(f"SELECT * FROM {table} ORDER BY rowid").fetchall())
    baseline = time.perf_counter() - started

    last = [time.perf_counter()]

    def progress(name: str, done: int) -> None:
        if time.perf_counter() - last[0] > 10:
            last[0] = time.perf_counter()
            print(f"  verified {name}: {done:,}", flush=True)

    started = time.perf_counter()
    report = verify_office(office, progress=progress)
    ours = time.perf_counter() - started
    cases = report.reports[0]
    assert report.intact, report.first_break
    print(f"audit verify: {cases.records:,} cases, {cases.items:,} events: {ours:.1f} s")
    print(f"raw sqlite3 read of the same tables ({rows:,} rows): {baseline:.1f} s")
    print(f"ratio: {ours / baseline:.1f}x the raw read")
    office.close()


if __name__ == "__main__":
    main()
