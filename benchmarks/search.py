"""Full-text search (检索) at scale, beside raw-SQL baselines.

    python benchmarks/search.py                          # 20,000 petitions (SQLite)
    python benchmarks/search.py --petitions 100000       # the figure docs/benchmarks.md quotes
    python benchmarks/search.py --url postgresql+psycopg://postgres@127.0.0.1:5432/test

An office is filled by bulk import with generated petitions (``benchmarks/generate.py``: about 800
characters of content each), which indexes their texts as registration always does.  Then each query
word is searched three ways, the first page of 20 hits each time:

* ``office.search_text(word)``: segmentation of the query, the FTS5 (or ``tsvector``) match paged by
  position, each hit's case read and checked against the principal's view, one access record;
* the raw-SQL baseline: the same index query typed by hand (``MATCH`` / ``@@``, ``ORDER BY seq DESC
  LIMIT 20``) on a bare connection, no case read, no record;
* the scan a store without an index would do: ``body LIKE '%word%'`` over the same table.

Printed: the mean and p95 of each, and the ratios (search_text over the raw index query; the scan over
the index).  Also how long the import took with the index kept in step.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text

from petitionkit.testing import office_settings, open_test_office

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import petitions

NOW = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)
WORDS = ("工资", "拆迁", "噪音", "补偿", "物业", "医疗", "学校", "征地")


def _timed(run: Any, repeat: int) -> list[float]:
    found = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        run()
        found.append(time.perf_counter() - t0)
    return found


def _summary(times: list[float]) -> dict[str, float]:
    ordered = sorted(times)
    return {
        "mean_ms": round(statistics.mean(times) * 1000, 3),
        "p95_ms": round(ordered[max(0, int(len(ordered) * 0.95) - 1)] * 1000, 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--petitions", type=int, default=20_000, help="petitions imported before timing")
    parser.add_argument("--repeat", type=int, default=30, help="timed searches per word and way")
    parser.add_argument("--url", help="database URL (default: a new SQLite file)")
    options = parser.parse_args()
    url = options.url or f"sqlite:///{Path(tempfile.mkdtemp()) / 'search.db'}"
    settings = dict(office_settings())
    settings["database"] = {"url": url}
    office = open_test_office(settings, clock=lambda: NOW)
    started = time.perf_counter()
    report = office.import_petitions(petitions(options.petitions, seed=7), batch_size=1000)
    loaded = time.perf_counter() - started
    print(f"imported and indexed {report.imported:,} petitions in {loaded:.0f} s", file=sys.stderr)

    engine = create_engine(url)
    sqlite = url.startswith("sqlite")
    indexed = (
        "SELECT d.seq FROM search_fts f CROSS JOIN search_documents d ON d.seq = f.rowid "
        "WHERE search_fts MATCH :q AND d.office_code = 'XS' ORDER BY f.rowid DESC LIMIT 20"
        if sqlite
        else "SELECT seq FROM search_documents WHERE office_code = 'XS' AND "
        "body_tsv @@ plainto_tsquery('simple', :q) ORDER BY seq DESC LIMIT 20"
    )
    scan = "SELECT seq FROM search_documents WHERE office_code = 'XS' AND body LIKE :like ORDER BY seq DESC LIMIT 20"
    office.search_text(WORDS[0])  # load the segmenter's dictionary before timing
    ours: list[float] = []
    raw: list[float] = []
    scanned: list[float] = []
    hits = {}
    with engine.connect() as connection:
        for word in WORDS:
            quoted = f'"{word}"' if sqlite else word
            hits[word] = len(office.search_text(word).results)
            ours += _timed(lambda w=word: office.search_text(w), options.repeat)
            raw += _timed(lambda q=quoted: connection.execute(text(indexed), {"q": q}).all(), options.repeat)
            scanned += _timed(
                lambda w=word: connection.execute(text(scan), {"like": f"%{w}%"}).all(), max(3, options.repeat // 10)
            )
        documents = connection.execute(text("SELECT count(*) FROM search_documents")).scalar_one()
    office.close()
    engine.dispose()
    result: dict[str, Any] = {
        "petitions": report.imported,
        "documents": documents,
        "import_s": round(loaded, 1),
        "search_text": _summary(ours),
        "raw_index_query": _summary(raw),
        "like_scan": _summary(scanned),
        "hits_on_first_page": hits,
        "database": url.split(":", 1)[0],
    }
    result["ratio_search_text_to_raw"] = round(
        result["search_text"]["mean_ms"] / result["raw_index_query"]["mean_ms"], 2
    )
    result["ratio_scan_to_raw"] = round(result["like_scan"]["mean_ms"] / result["raw_index_query"]["mean_ms"], 1)
    print(
        f"search at {report.imported:,} petitions ({documents:,} documents): search_text "
        f"{result['search_text']['mean_ms']} ms, raw index query {result['raw_index_query']['mean_ms']} ms "
        f"(ratio {result['ratio_search_text_to_raw']}), LIKE scan {result['like_scan']['mean_ms']} ms"
    )
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
