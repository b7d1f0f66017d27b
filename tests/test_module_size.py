"""No module over 500 lines without a reason at its top (a ``Size:`` paragraph in its docstring)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LIMIT = 500


def test_long_modules_say_why_they_are_long() -> None:
    unexplained = []
    for path in sorted([*(ROOT / "src").rglob("*.py"), *(ROOT / "plugins").rglob("src/**/*.py")]):
        text = path.read_text(encoding="utf-8")
        if text.count("\n") <= LIMIT:
            continue
        docstring = ast.get_docstring(ast.parse(text)) or ""
        if "Size:" not in docstring:
            unexplained.append(f"{path.relative_to(ROOT)} ({text.count(chr(10))} lines)")
    assert not unexplained, f"split these modules or say why they are long (Size: …): {unexplained}"
