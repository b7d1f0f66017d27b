"""The redaction table in docs/security.md is the policy in petitionkit.redaction (they cannot drift)."""

from __future__ import annotations

from pathlib import Path

from petitionkit.redaction import GATES, POLICY, Gate, Item, Recipient, Visibility, visibility

DOC = Path(__file__).resolve().parents[1] / "docs" / "security.md"


def _table() -> tuple[list[str], dict[str, list[str]]]:
    lines = [line.strip() for line in DOC.read_text(encoding="utf-8").splitlines()]
    start = next(i for i, line in enumerate(lines) if line.startswith("| recipient |"))
    header = [c.strip() for c in lines[start].strip("|").split("|")]
    rows: dict[str, list[str]] = {}
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        cells = [c.strip() for c in line.strip("|").split("|")]
        rows[cells[0].strip("`")] = cells[1:]
    return header, rows


def test_the_docs_table_lists_every_recipient_and_item_of_the_policy() -> None:
    header, rows = _table()
    assert header[1:-1] == [item.value for item in Item]
    assert header[-1] == "refused when"
    assert sorted(rows) == sorted(r.value for r in Recipient)


def test_every_cell_of_the_docs_table_is_what_the_code_decides() -> None:
    _header, rows = _table()
    for recipient, cells in rows.items():
        for item, cell in zip(Item, cells[:-1], strict=True):
            assert Visibility(cell) is POLICY[Recipient(recipient)][item], (recipient, item)
        gates = cells[-1]
        documented = () if gates == "—" else tuple(Gate(g.strip()) for g in gates.split(","))
        assert documented == GATES[Recipient(recipient)], recipient


def test_an_unknown_recipient_or_item_sees_nothing() -> None:
    assert visibility("journalist", Item.SUBJECT) is Visibility.WITHHELD
    assert visibility(Recipient.OFFICE_STAFF, "salary") is Visibility.WITHHELD
