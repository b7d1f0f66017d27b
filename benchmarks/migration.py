"""The migration at full size: a generated legacy office's history imported, checked, re-imported, exported.

    python benchmarks/migration.py --cases 100000 --workdir /tmp/migration
    python benchmarks/migration.py --cases 100000 --url postgresql+psycopg://postgres@127.0.0.1:5432/test

An office is made by ``petitionkit init`` (national rules, official calendar, the sample county, an audit
key) on SQLite (or in a fresh PostgreSQL schema), on today's date.  The legacy file comes from
:mod:`petitionkit.testing.legacy` (seeded); its expected overdue duties and on-time rate are counted by
that module's oracle from the file's own dates and the office calendar, not by petitionkit's clock code.
Prints one JSON object: times, peak RSS (``resource.getrusage``) and the figures beside the oracle's.
Not part of the test suite (``tests/test_history.py`` runs the same check at 2,000 cases).
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from click.testing import CliRunner

from petitionkit.cli import cli
from petitionkit.config import OfficeConfig
from petitionkit.migration.history import history_line, read_history
from petitionkit.reports.build import period_report
from petitionkit.reports.periods import Period
from petitionkit.testing import open_test_office
from petitionkit.testing.legacy import Office, expected, legacy_histories, write_legacy_file

COUNTY = Office(bodies=("QX-HRSS", "QX-HOUSING", "QX-LAND"), regions=("330199",))


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=16)
    parser.add_argument("--url", help="a PostgreSQL server (default: SQLite in the work directory)")
    parser.add_argument("--workdir", type=Path, default=Path("benchmarks/results/migration"))
    options = parser.parse_args()
    work: Path = options.workdir
    work.mkdir(parents=True, exist_ok=True)
    folder = work / f"office-{uuid.uuid4().hex[:8]}"
    url = f"sqlite:///{folder / 'office.db'}"
    if options.url:
        schema = f"bench_{uuid.uuid4().hex[:8]}"
        with sa.create_engine(options.url).begin() as connection:
            connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
        url = f"{options.url}?options=-csearch_path%3D{schema}"
    made = CliRunner().invoke(cli, ["init", str(folder), "--database-url", url])
    if made.exit_code != 0:
        sys.exit(made.output)
    office = open_test_office(OfficeConfig.load(folder / "petitionkit.toml"))
    today = office.today()
    legacy = work / "legacy.jsonl"
    started = time.perf_counter()
    write_legacy_file(legacy, options.cases, today=today, seed=options.seed, office=COUNTY)
    generated = time.perf_counter() - started

    started = time.perf_counter()
    with legacy.open(encoding="utf-8") as stream:
        report = office.import_history(read_history(stream))
    imported = time.perf_counter() - started
    rss_after_import = peak_rss_mb()

    def day_off(day: Any) -> bool:
        return office.rules.calendar.day_off_reason(day) is not None

    docs = legacy_histories(options.cases, today=today, seed=options.seed, office=COUNTY)
    first, last = today - timedelta(days=365), today - timedelta(days=1)
    oracle_all = expected(docs, today, day_off)
    docs = legacy_histories(options.cases, today=today, seed=options.seed, office=COUNTY)
    oracle_year = expected(docs, today, day_off, due_from=first, due_until=last)
    overdue = len(office.overdue())
    timeliness = period_report(office, Period.between(first, last), signals=False).timeliness.overall

    started = time.perf_counter()
    with legacy.open(encoding="utf-8") as stream:
        again = office.import_history(read_history(stream))
    reimported = time.perf_counter() - started

    started = time.perf_counter()
    with (work / "export.jsonl").open("w", encoding="utf-8") as stream:
        exported = sum(1 for doc in office.export_history() if stream.write(history_line(doc)))
    export_time = time.perf_counter() - started
    result = {
        "cases": options.cases,
        "database": "postgresql" if options.url else "sqlite",
        "generate_s": round(generated, 1),
        "import_s": round(imported, 1),
        "import_cases_per_s": round(options.cases / imported),
        "reimport_s": round(reimported, 1),
        "export_s": round(export_time, 1),
        "peak_rss_mb_after_import": round(rss_after_import),
        "peak_rss_mb": round(peak_rss_mb()),
        "imported": report.imported,
        "rejected": len(report.rejected),
        "reimport_skipped": again.skipped,
        "reimport_imported": again.imported,
        "exported": exported,
        "overdue": overdue,
        "overdue_oracle": oracle_all.overdue,
        "on_time_rate_last_year": timeliness.on_time_rate,
        "on_time_rate_oracle": round(oracle_year.on_time_rate() or 0, 4),
        "met_late_overdue": [timeliness.met, timeliness.late, timeliness.overdue],
        "met_late_overdue_oracle": [oracle_year.met, oracle_year.late, oracle_year.overdue],
    }
    print(json.dumps(result, ensure_ascii=False, indent=1))
    ok = (
        report.imported == options.cases
        and overdue == oracle_all.overdue
        and result["met_late_overdue"] == result["met_late_overdue_oracle"]
        and again.imported == 0
        and again.skipped == options.cases
    )
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
