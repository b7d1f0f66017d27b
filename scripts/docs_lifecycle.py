"""Write the state diagram and the clock table of docs/concepts.md from the lifecycle's TRANSITIONS.

Run after changing a transition: ``.venv/bin/python scripts/docs_lifecycle.py``.  The test
tests/domain/test_lifecycle_docs.py fails while the page and the table disagree.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from petitionkit.domain.lifecycle import clock_table, state_diagram

PAGE = Path(__file__).resolve().parents[1] / "docs" / "concepts.md"
BLOCKS = {
    "state-diagram": lambda: f"```{{mermaid}}\n{state_diagram()}\n```",
    "clock-table": clock_table,
}


def block(name: str, body: str) -> str:
    return f"<!-- generated:{name} (scripts/docs_lifecycle.py) -->\n{body}\n<!-- end:{name} -->"


def render(text: str) -> str:
    for name, make in BLOCKS.items():
        pattern = re.compile(rf"<!-- generated:{name} .*?<!-- end:{name} -->", re.S)
        if not pattern.search(text):
            raise SystemExit(f"{PAGE}: no generated:{name} block")
        text = pattern.sub(lambda _m, n=name, m=make: block(n, m()), text)  # type: ignore[misc]
    return text


if __name__ == "__main__":
    current = PAGE.read_text(encoding="utf-8")
    wanted = render(current)
    if wanted != current:
        PAGE.write_text(wanted, encoding="utf-8")
        print(f"updated {PAGE}")
    sys.exit(0)
