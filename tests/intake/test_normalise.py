"""The normaliser's properties, the case commands' texts, formula-safe CSV and the import's edges."""

from __future__ import annotations

import ast
import csv
import io
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from petitionkit import csvsafe
from petitionkit.domain import lifecycle as lc
from petitionkit.domain import normalise as n
from petitionkit.domain.tracking import identity_digest
from petitionkit.errors import InvalidInput
from petitionkit.exchange import CSV_COLUMNS, detect_encoding, open_import, read_csv
from petitionkit.reports import output
from petitionkit.serialization import structure_draft
from petitionkit.service import Office
from petitionkit.testing import SAMPLE_ID_NUMBERS, sample_petition

SRC = Path(__file__).resolve().parents[2] / "src" / "petitionkit"

# Any code point, lone surrogates included (Hypothesis leaves them out of text() by default).
ANY_CHAR = st.one_of(
    st.characters(), st.integers(0xD800, 0xDFFF).map(chr), st.sampled_from("\u200b\u202e\x00\u3000１ｘ")
)
ANY_TEXT = st.text(ANY_CHAR, max_size=60)


def _once(func: Any, value: Any) -> Any:
    """``func(value)``, or ``None`` when refused; anything else than InvalidInput fails the test."""
    try:
        return func(value, "f")
    except InvalidInput as refused:
        assert refused.fields == ("f",) and refused.errors[0].message("en").startswith("f: ")
        return None


FIELD_FUNCTIONS = {
    "line": lambda v, f: n.text(v, f, limit=40),
    "multiline": lambda v, f: n.text(v, f, limit=40, multiline=True),
    "code": n.code,
    "phone": n.phone,
    "id_number": n.id_number,
    "region_code": n.region_code,
    "email": n.email,
}


@pytest.mark.parametrize("kind", sorted(FIELD_FUNCTIONS))
@given(value=ANY_TEXT)
def test_normalising_is_idempotent_and_refuses_only_with_the_typed_error(kind: str, value: str) -> None:
    func = FIELD_FUNCTIONS[kind]
    once = _once(func, value)
    if once is not None:
        assert func(once, "f") == once
        assert not any("\ud800" <= c <= "\udfff" or c in "\x00\u202e\u200b" for c in once)


@given(
    value=st.one_of(
        st.from_regex(r"\A(\+86|0086|86)?[ -]?1[3-9][0-9 ]{9,12}\Z"),
        st.from_regex(r"\A\(?0[1-9][0-9]{1,2}\)?[ -]?[0-9]{7,8}(-[0-9]{1,4})?\Z"),
    )
)
def test_phones_of_every_written_form_have_one_stored_form(value: str) -> None:
    once = _once(n.phone, value)
    if once is not None:
        assert n.phone(once.translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789"}), "f") == once
        assert not once.startswith("+") and n.phone_key(value) == n.phone_key(once)


@given(subject=ANY_TEXT, content=ANY_TEXT, name=ANY_TEXT, phone=ANY_TEXT, headcount=st.integers(-(10**30), 10**30))
def test_a_whole_draft_is_normalised_idempotently_or_refused(
    subject: str, content: str, name: str, phone: str, headcount: int
) -> None:
    doc = sample_petition(subject=subject, content=content, headcount=headcount)
    doc["petitioners"][0].update(name=name, phone=phone)
    draft = structure_draft(doc)
    once, errors = n.normalised_draft(draft, {"labour": None})
    assert all(isinstance(e.field, str) for e in errors)
    if not errors:
        assert n.normalise_draft(once, {"labour": None}) == once


def test_the_blind_index_compares_what_the_normaliser_stores() -> None:
    written = ("+86 １３８ 0013 8000", "１１０１０５１９４９１２３１００２ｘ")
    stored = (n.phone(written[0], "phone"), n.id_number(written[1], "id_number"))
    assert identity_digest(None, "张三", written[0]) == identity_digest(None, "张三", stored[0])
    assert identity_digest(written[1], "张三", None) == identity_digest(stored[1], "张三", None)
    assert identity_digest(None, "张 三", "0571 8888 8888") == identity_digest(None, "张三", "+86 571 88888888")


# --- case commands ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("command", "field"),
    [
        (lc.Accept("\x00"), "note"),
        (lc.DeclineCase("\u200b", "litigation"), "reason"),  # type: ignore[arg-type]
        (lc.Withdraw("撤回\ud800"), "reason"),
        (lc.Supervise("催办\u202e"), "reason"),
        (lc.RecordFeedback("x" * 20_001), "text"),
        (lc.Extend(10**20, "延期", "admin"), "days"),
        (lc.Extend(-5, "延期", "admin"), "days"),
        (lc.Assign("GOV", "", -3), "report_days"),
    ],
)
def test_command_texts_are_refused_naming_the_field(command: Any, field: str) -> None:
    with pytest.raises(InvalidInput) as raised:
        n.command_texts(command)
    assert raised.value.fields == (field,)


def test_command_texts_are_normalised() -> None:
    assert n.command_texts(lc.Accept("  已受理\r\n\u200b请办理 ")) == lc.Accept("已受理\n请办理")
    assert n.command_texts(lc.Withdraw("")) == lc.Withdraw("")  # blank texts are the lifecycle's to judge


def test_a_command_with_a_nul_reaches_nothing(office: Office) -> None:
    ref = office.register(sample_petition()).petition.tracking_number
    with pytest.raises(InvalidInput) as raised:
        office.accept(ref, note="受理\x00")
    assert raised.value.fields == ("note",)
    assert office.accept(ref, note=" 受理 ").state.value == "accepted"


# --- imports --------------------------------------------------------------------------------------


def test_a_store_refusal_costs_only_its_own_row(office: Office) -> None:
    rows = [sample_petition(source_ref=f"R-{i}") for i in range(5)]
    rows[2]["joins_case"] = "XS-2026-999999"  # checks pass; only the store finds no such case
    report = office.import_petitions(rows, batch_size=10)
    assert report.imported == 4 and [(r.row, r.errors[0].field) for r in report.rejected] == [(3, "joins_case")]
    assert report.rejected[0].errors[0].message("zh-CN").startswith("joins_case: ")


def _csv(*rows: dict[str, str], extra: str = "") -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=[*CSV_COLUMNS, *([extra] if extra else [])])
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


GOOD_ROW = {
    "channel": "letter", "received_at": "2026-03-01T09:00:00+08:00", "kind": "claim", "subject": "拖欠工资",
    "content": "被拖欠工资", "category": "labour", "region_code": "330109", "petitioner_name": "张三",
    "petitioner_id_number": SAMPLE_ID_NUMBERS[0],
}  # fmt: skip


def test_csv_cells_longer_than_the_csv_modules_default_limit_are_one_bad_row() -> None:
    long = dict(GOOD_ROW, content="长" * 200_000)
    huge = dict(GOOD_ROW, content="长" * 500_000)
    docs = list(read_csv(io.StringIO(_csv(GOOD_ROW, long, GOOD_ROW, huge, GOOD_ROW))))
    assert [isinstance(d, InvalidInput) for d in docs] == [False, False, False, True, False]
    with pytest.raises(InvalidInput) as raised:
        n.normalise_draft(structure_draft(docs[1]))
    assert raised.value.fields == ("content",)


def test_csv_rows_with_extra_cells_under_an_unknown_column_are_reported() -> None:
    header = ",".join(CSV_COLUMNS) + ",remark\n"
    text = header + ",".join(GOOD_ROW.get(c, "") for c in CSV_COLUMNS) + ",note,one cell too many,another\n"
    docs = list(read_csv(io.StringIO(text)))
    assert isinstance(docs[0], InvalidInput) and set(docs[0].fields) == {"remark", "(unnamed column)"}


def test_exported_escapes_are_taken_off_on_import() -> None:
    row = dict(GOOD_ROW, subject="'=1+1", petitioner_name="'@张三", petitioner_address="'普通地址")
    (doc,) = read_csv(io.StringIO(_csv(row)))
    assert isinstance(doc, dict)
    assert doc["subject"] == "=1+1" and doc["petitioners"][0]["name"] == "@张三"
    assert doc["petitioners"][0]["address"] == "'普通地址"  # only the escape of a formula character


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        ("拖欠工资".encode("gbk"), "gb18030"),
        ("\ufeff拖欠工资".encode(), "utf-8-sig"),
        ("拖欠工资".encode(), "utf-8"),
        ("拖欠工资".encode("utf-16"), "utf-16"),
        ("拖欠工资".encode()[:-1], "utf-8"),  # the sample may end inside a character
        ("被拖欠工资三个月，多次讨要未果，请求依法处理。".encode("gb18030"), "gb18030"),
    ],
)
def test_encodings_are_detected(data: bytes, encoding: str) -> None:
    assert detect_encoding(data) == encoding


def test_an_undetectable_encoding_is_refused() -> None:
    with pytest.raises(InvalidInput) as raised:
        detect_encoding(bytes(range(128, 256)) * 4)
    assert raised.value.fields == ("(file)",)


# --- formula-safe CSV ---------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["=1+1", "+86", "-2", "@SUM(A1)", "\tx", "\rx", '=HYPERLINK("http://x","y")'])
def test_formula_cells_get_an_apostrophe_and_come_back(value: str) -> None:
    assert csvsafe.safe_cell(value) == "'" + value
    assert csvsafe.unescape_cell(csvsafe.safe_cell(value)) == value


@pytest.mark.parametrize("value", ["张三", "13800138000", "", "'quoted", -3, 2.5, None])
def test_other_cells_are_left_alone(value: Any) -> None:
    assert csvsafe.safe_cell(value) == value


def test_report_csv_cells_are_formula_safe() -> None:
    out = io.StringIO()
    csvsafe.writer(out, lineterminator="\n").writerow(["=cmd", -3, "ok"])
    assert out.getvalue() == "'=cmd,-3,ok\n"
    assert "csvsafe.writer" in Path(output.__file__).read_text(encoding="utf-8")


def test_no_csv_writer_in_src_bypasses_the_helper() -> None:
    """Every CSV petitionkit writes goes through petitionkit.csvsafe."""
    bare = []
    for path in SRC.rglob("*.py"):
        if path.name == "csvsafe.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            attribute = isinstance(node, ast.Attribute) and node.attr in {"writer", "DictWriter"}
            if attribute and isinstance(node.value, ast.Name) and node.value.id == "csv":  # type: ignore[attr-defined]
                bare.append(f"{path.relative_to(SRC)}:{node.lineno}")
    assert not bare, bare


def test_a_gbk_file_whose_first_mib_is_ascii_is_still_read_as_gbk(tmp_path: Path) -> None:
    ascii_rows = "".join(f"A-{i},letter\n" for i in range(120_000))  # well over 1 MiB of ASCII first
    path = tmp_path / "late.csv"
    path.write_bytes(("source_ref,channel\n" + ascii_rows + "张三,来信\n").encode("gbk"))
    with open_import(path) as stream:
        assert stream.read().endswith("张三,来信\n")
