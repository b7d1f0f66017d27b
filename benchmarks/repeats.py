"""What repeat detection at intake (重复信访) adds to registering one petition.

    python benchmarks/repeats.py                          # 20,000 petitions already stored (SQLite)
    python benchmarks/repeats.py --petitions 1000000      # the figure docs/benchmarks.md quotes
    python benchmarks/repeats.py --url postgresql+psycopg://postgres@127.0.0.1:5432/test

An office is filled by bulk import with a generated intake stream (``petitionkit.testing.repeats``:
people with one to three matters, a quarter of the matters raised again with variations), then the
petitions that follow in the stream (about a quarter of them repeats of stored matters) are registered
one by one, each twice in turn: ``register(p)`` (the baseline: no detection) and
``register(p, new_reason=...)`` (detection runs: identity keys looked up in the index, candidate cases
and their petitions read, texts compared).  Printed: the mean time of each, the ratio, and the time
detection adds.  Candidate lookups go through the ``(office_code, digest, case_id)`` index, so the
added time depends on how many cases a person has, not on how many petitions are stored.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from itertools import islice
from pathlib import Path
from typing import Any

from petitionkit.testing import office_settings, open_test_office
from petitionkit.testing.repeats import intake_stream

NOW = datetime(2026, 3, 20, 2, 0, tzinfo=UTC)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--petitions", type=int, default=20_000, help="petitions stored before timing")
    parser.add_argument("--register", type=int, default=300, help="registrations timed (each way)")
    parser.add_argument("--url", help="database URL (default: a new SQLite file)")
    options = parser.parse_args()
    url = options.url or f"sqlite:///{Path(tempfile.mkdtemp()) / 'repeats.db'}"
    settings = dict(office_settings())
    settings["database"] = {"url": url}
    office = open_test_office(settings, clock=lambda: NOW)
    people = int((options.petitions + options.register) / 2.1) + 50
    stream = iter(intake_stream(people, seed=3))
    started = time.perf_counter()
    report = office.import_petitions((p.data for p in islice(stream, options.petitions)), batch_size=1000)
    loaded = time.perf_counter() - started
    print(f"stored {report.imported} petitions in {loaded:.0f} s", file=sys.stderr)
    timed = list(islice(stream, options.register))
    office.check_repeats(timed[0].data)  # load the segmenter's dictionary before timing
    plain: list[float] = []
    checked: list[float] = []
    candidates = 0
    for item in timed:
        t0 = time.perf_counter()
        office.register(item.data)
        t1 = time.perf_counter()
        registration = office.register(item.data, new_reason="benchmark")
        t2 = time.perf_counter()
        plain.append(t1 - t0)
        checked.append(t2 - t1)
        candidates += any(e.name == "RepeatCandidatesDismissed" for e in office.events(registration.case.id))
    office.close()
    baseline, detection = statistics.mean(plain), statistics.mean(checked)
    result: dict[str, Any] = {
        "stored_petitions": report.imported,
        "registrations": len(timed),
        "with_candidates": candidates,
        "baseline_ms": round(baseline * 1000, 2),
        "with_detection_ms": round(detection * 1000, 2),
        "added_ms": round((detection - baseline) * 1000, 2),
        "ratio": round(detection / baseline, 2),
        "p95_with_detection_ms": round(sorted(checked)[int(len(checked) * 0.95) - 1] * 1000, 2),
        "database": url.split(":", 1)[0],
    }
    print(
        f"registration at {report.imported:,} petitions: baseline {result['baseline_ms']} ms, with repeat "
        f"detection {result['with_detection_ms']} ms (ratio {result['ratio']}, +{result['added_ms']} ms; "
        f"{candidates} of {len(timed)} had candidates)"
    )
    print(json.dumps(result))


if __name__ == "__main__":
    main()
