"""What the input normaliser (``petitionkit.domain.normalise``) costs per petition, and in a bulk import.

    python benchmarks/normalise.py --petitions 5000 --workdir /tmp/bench-normalise

Three figures over the same generated petitions (``generate.petitions``: about 800 characters of
content, ID numbers, phones, collective and anonymous petitions among them), best of ``--repeat``:

1. ``normalised_draft`` per petition, beside ``structure_draft`` (cattrs, what every registration
   already pays) as the reference;
2. a bulk import into a new SQLite office through ``Office.import_petitions``, per petition, and the
   time spent inside the normaliser during it (its share of the import).

Not part of the test suite; docs/benchmarks.md records a run.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate import petitions

from petitionkit.domain.normalise import normalised_draft
from petitionkit.serialization import structure_draft
from petitionkit.service import open_office, registration
from petitionkit.testing import ADMIN, office_settings


def _per_petition(seconds: float, count: int) -> float:
    return seconds / count * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--petitions", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/bench-normalise"))
    options = parser.parse_args()
    options.workdir.mkdir(parents=True, exist_ok=True)
    docs = list(petitions(options.petitions))
    categories = dict.fromkeys(d["category"] for d in docs)

    def structure_all() -> float:
        started = time.perf_counter()
        for doc in docs:
            structure_draft(doc)
        return time.perf_counter() - started

    drafts = [structure_draft(d) for d in docs]

    def normalise_all() -> float:
        started = time.perf_counter()
        for draft in drafts:
            normalised_draft(draft, categories)
        return time.perf_counter() - started

    structured = min(structure_all() for _ in range(options.repeat))
    normalised = min(normalise_all() for _ in range(options.repeat))
    print(f"structure_draft:  {_per_petition(structured, len(docs)):7.1f} µs per petition (reference)")
    print(f"normalised_draft: {_per_petition(normalised, len(docs)):7.1f} µs per petition")

    real = registration.normalised_draft
    spent = [0.0]

    def timed(draft: Any, known: Any) -> Any:
        started = time.perf_counter()
        try:
            return real(draft, known)
        finally:
            spent[0] += time.perf_counter() - started

    def import_all(run: int) -> tuple[float, float]:
        """(whole import, time inside the normaliser) of every petition into a new SQLite office."""
        spent[0] = 0.0
        registration.normalised_draft = timed
        db = options.workdir / f"import-{run}.db"
        db.unlink(missing_ok=True)
        settings = dict(office_settings())
        settings["database"] = {"url": f"sqlite:///{db}"}
        office = open_office(settings)
        try:
            started = time.perf_counter()
            report = office.acting_as(ADMIN).import_petitions(iter(docs), batch_size=1000)
            elapsed = time.perf_counter() - started
        finally:
            office.close()
            registration.normalised_draft = real
        assert report.imported == len(docs), report.rejected[:3]
        return elapsed, spent[0]

    # The share is measured inside each import: comparing imports with and without the normaliser
    # drowns in the run-to-run noise of a shared machine (tens of percent).
    total, inside = min(import_all(i) for i in range(options.repeat))
    print(f"SQLite import: {_per_petition(total, len(docs)):7.1f} µs per petition")
    print(f"  of which in the normaliser: {_per_petition(inside, len(docs)):.1f} µs ({inside / total:.1%})")


if __name__ == "__main__":
    main()
