"""Duplicate rate under a receiver slower than the lease (issue 15): with the lease re-checked, and without.

    python benchmarks/lease_duplicates.py --db sqlite --count 40 --delay 0.1 --lease 1
    python benchmarks/lease_duplicates.py --db postgresql --url postgresql+psycopg://postgres@127.0.0.1:5432/test

"without" replays the behaviour before issue 15 (a worker sends every message of its batch whether or not
its lease still holds) by making the renewal always succeed; "with" is the shipped dispatcher.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "notifications"))

from notify_helpers import settings_with

from petitionkit.storage.sql import SqlStorage
from petitionkit.storage.sql import store as sql_store
from petitionkit.testing.databases import temporary_schema
from petitionkit.testing.delivery import slow_receiver_run


def _run(url: str, args: argparse.Namespace) -> Any:
    return slow_receiver_run(
        settings_with(), lambda: SqlStorage(url), count=args.count, delay=args.delay, lease_seconds=args.lease
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--url", help="PostgreSQL URL (a temporary schema is used)")
    parser.add_argument("--count", type=int, default=40)
    parser.add_argument("--delay", type=float, default=0.1, help="seconds the receiver takes per message")
    parser.add_argument("--lease", type=int, default=1, help="lease seconds (shorter than a batch)")
    args = parser.parse_args()
    renew = sql_store.SqlTransaction.renew_outbox_lease
    for label, patched in (("without re-check (before issue 15)", True), ("with re-check", False)):
        if patched:
            sql_store.SqlTransaction.renew_outbox_lease = lambda self, *a: True  # type: ignore[method-assign]
        try:
            if args.db == "sqlite":
                with tempfile.TemporaryDirectory() as folder:
                    run = _run(f"sqlite:///{Path(folder) / 'office.db'}", args)
            else:
                with temporary_schema(args.url, "pk_lease_bench") as url:
                    run = _run(url, args)
        finally:
            sql_store.SqlTransaction.renew_outbox_lease = renew  # type: ignore[method-assign]
        rate = run.duplicates / args.count
        print(f"{args.db} {label}: {args.count} messages, {run.duplicates} delivered twice ({rate:.0%}), "
              f"{run.lost} skipped as lost leases, {run.seconds:.1f} s")  # fmt: skip


if __name__ == "__main__":
    main()
