"""``petitionkit purge`` and ``backup``/``restore`` over N ended cases of an encrypted SQLite office.

    python benchmarks/purge.py --cases 5000 --workdir /tmp/bench-purge

Builds a SQLite office (master key and audit key generated) of N petitions by bulk import, withdraws
every case (so each has an end), moves the clock 31 years on, then times the dry run (every case
read and checked for expiry), the purge itself (every case verified, anonymised, re-indexed and
sealed, in batches of 100) and ``audit verify`` afterwards, beside the backup and restore of the
database.  Prints cases per second.  Not part of the test suite.
"""

from __future__ import annotations

import argparse
import base64
import os
import secrets
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate import petitions

from petitionkit.audit import verify_office
from petitionkit.service import open_office
from petitionkit.service.backup import backup, restore
from petitionkit.service.retention import plan_purge, purge
from petitionkit.testing import ADMIN, FakeClock, office_settings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=5000)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/bench-purge"))
    parser.add_argument("--seed", type=int, default=13)
    options = parser.parse_args()
    options.workdir.mkdir(parents=True, exist_ok=True)
    db = options.workdir / f"purge-{options.cases}.db"
    for leftover in (db, options.workdir / "backup.pk", options.workdir / "restored.db"):
        leftover.unlink(missing_ok=True)
    os.environ["PETITIONKIT_AUDIT_KEY"] = "bench:" + base64.b64encode(secrets.token_bytes(32)).decode()
    os.environ["PETITIONKIT_MASTER_KEY"] = "m1:" + base64.b64encode(secrets.token_bytes(32)).decode()
    settings = dict(office_settings())
    settings["database"] = {"url": f"sqlite:///{db}"}
    clock = FakeClock()
    office = open_office(settings, clock=clock).acting_as(ADMIN)
    started = time.perf_counter()
    office.import_petitions(petitions(options.cases, seed=options.seed), batch_size=1000)
    ids = [c.id for c in office.search(limit=options.cases * 2)]
    for case_id in ids:
        office.withdraw(case_id, reason="本人撤回")
    print(f"import of {options.cases:,} petitions, {len(ids):,} cases withdrawn: {time.perf_counter() - started:.1f} s")
    clock.advance(days=365 * 31)

    def timed(label: str, work: object) -> object:
        started = time.perf_counter()
        result = work()  # type: ignore[operator]
        spent = time.perf_counter() - started
        print(f"{label}: {spent:.2f} s ({len(ids) / spent:,.0f} cases/s)", flush=True)
        return result

    plan = timed("purge --dry-run", lambda: plan_purge(office))
    result = timed("purge --apply", lambda: purge(office))
    assert len(result.purged) == len(ids) == len(plan.items)  # type: ignore[attr-defined]
    report = timed("audit verify after", lambda: verify_office(office))
    assert report.intact  # type: ignore[attr-defined]
    size = db.stat().st_size / 1e6
    timed(f"backup ({size:.0f} MB)", lambda: backup(office, options.workdir / "backup.pk"))
    config = office.config
    office.close()
    timed("restore (decrypt, digest, audit verify)", lambda: restore(
        config, options.workdir / "backup.pk", options.workdir / "restored.db", bind=lambda o: o.acting_as(ADMIN)
    ))  # fmt: skip


if __name__ == "__main__":
    main()
