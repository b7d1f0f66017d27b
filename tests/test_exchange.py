"""CSV / JSON Lines import and export, and what may be handed to a handling body."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from petitionkit import Office
from petitionkit.cli import cli
from petitionkit.errors import UnknownBody
from petitionkit.exchange import CSV_COLUMNS, read_csv, read_jsonl, write_csv, write_jsonl
from petitionkit.testing import SAMPLE_ID_NUMBERS, principals_toml, sample_petition

GOOD = (
    "L-1,letter,2026-03-01T09:00:00+08:00,claim,拖欠工资,被拖欠工资三个月,labour,330109,false,false,1,张三,"
    f"{SAMPLE_ID_NUMBERS[0]},13800138000,,,,,,,,"
)


def csv_text(*lines: str) -> str:
    return ",".join(CSV_COLUMNS) + "\n" + "\n".join(lines) + "\n"


def test_csv_rows_become_documents_and_bad_cells_are_named() -> None:
    bad = GOOD.replace(",false,false,1,", ",maybe,false,x,").replace("L-1", "L-2")
    docs = list(read_csv(io.StringIO(csv_text(GOOD, bad))))
    assert docs[0]["petitioners"][0]["id_number"] == SAMPLE_ID_NUMBERS[0] and docs[0]["source_ref"] == "L-1"
    assert [e.field for e in docs[1].errors] == ["anonymous", "headcount"]  # type: ignore[union-attr]


def test_import_reports_bad_rows_stores_good_ones_and_a_rerun_adds_nothing(office: Office) -> None:
    rows = [
        sample_petition(source_ref="A"),
        sample_petition(source_ref="B", region_code="12"),
        sample_petition(source_ref="C"),
    ]
    text = "\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\nnot json\n"
    report = office.import_petitions(read_jsonl(io.StringIO(text)))
    assert report.imported == 2 and report.skipped == 0
    assert [(r.row, r.errors[0].field) for r in report.rejected] == [(2, "region_code"), (4, "line 4")]
    again = office.import_petitions(read_jsonl(io.StringIO(text)))
    assert again.imported == 0 and again.skipped == 2
    assert len(office.search()) == 2


def test_export_round_trips_through_import(office: Office, tmp_path: Path) -> None:
    for i in range(3):
        office.register(sample_petition(subject=f"事项{i}"))
    docs = [d for case, ps in office.iter_cases_with_petitions() for d in _docs(case, ps)]
    out = io.StringIO()
    assert write_csv(docs, out) == 3
    back = list(read_csv(io.StringIO(out.getvalue())))
    assert [d["subject"] for d in back] == ["事项0", "事项1", "事项2"]  # type: ignore[index]
    jl = io.StringIO()
    write_jsonl(docs, jl)
    assert json.loads(jl.getvalue().splitlines()[0])["tracking_number"] == "XS-2026-000001"


def _docs(case, petitions):  # type: ignore[no-untyped-def]
    from petitionkit.exchange import petition_document

    return [petition_document(p, case.state.value) for p in petitions]


def test_export_for_a_body_withholds_identity_and_never_gives_an_accusation_to_the_accused(office: Office) -> None:
    claim = office.register(sample_petition(confidential=True))
    office.transfer(claim.case.id, body="GOV-HOUSING")
    accusation = office.register(sample_petition(kind="accusation", respondent={"body_code": "GOV-HRSS"}))
    office.assign(accusation.case.id, body="SUPERVISION")
    # Someone tries to hand the housing bureau's and the HRSS bureau's cases over.
    docs = list(office.export_for_body("GOV-HOUSING"))
    assert len(docs) == 1 and docs[0]["identity_withheld"] is True
    assert "张三" not in json.dumps(docs, ensure_ascii=False) and SAMPLE_ID_NUMBERS[0] not in json.dumps(docs)
    assert list(office.export_for_body("GOV-HRSS")) == []  # never referred there
    office.record_objection(accusation.case.id, reason="不属本委职责")
    # even a referral record to the accused's unit cannot get the accusation out
    supervision = list(office.export_for_body("SUPERVISION"))
    assert len(supervision) == 1 and supervision[0]["identity_withheld"] is True
    with pytest.raises(UnknownBody):
        list(office.export_for_body("NOWHERE"))


def test_export_for_the_accused_unit_is_refused_and_recorded(office: Office) -> None:
    """Defence in depth: even a referral record to the accused's unit (forged here, since the
    service never makes one) does not let the accusation out, and the attempt is recorded."""
    import attrs

    from petitionkit.domain.model import Referral, ReferralMode, ReferralStatus

    accusation = office.register(sample_petition(kind="accusation", respondent={"body_code": "GOV-HRSS"}))
    case = office.case(accusation.case.id)
    forged = Referral("forged", case.id, "GOV-HRSS", ReferralMode.TRANSFER, ReferralStatus.OPEN, case.opened_at)
    office.storage.cases[case.id] = attrs.evolve(case, referrals=(forged,))  # type: ignore[attr-defined]
    assert list(office.export_for_body("GOV-HRSS")) == []
    assert office.events(case.id)[-1].name == "ExportRefused"


def test_cli_import_and_export(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "petitionkit.toml").write_text(
        f'[office]\noffice_code = "XS"\n[database]\nurl = "sqlite:///{tmp_path / "o.db"}"\n' + principals_toml(),
        encoding="utf-8",
    )
    source = tmp_path / "legacy.csv"
    source.write_text(csv_text(GOOD, GOOD.replace("L-1", "L-2").replace(",330109,", ",33,")), encoding="utf-8")
    runner = CliRunner()
    first = runner.invoke(cli, ["--json", "import", str(source)])
    assert first.exit_code == 2  # some rows were rejected
    data = json.loads(first.stdout)
    assert data["imported"] == 1 and data["rejected"][0]["row"] == 2
    assert data["rejected"][0]["errors"][0]["field"] == "region_code"
    again = json.loads(runner.invoke(cli, ["--json", "import", str(source)]).stdout)
    assert (again["imported"], again["skipped"]) == (0, 1)
    out = tmp_path / "out.jsonl"
    exported = json.loads(runner.invoke(cli, ["--json", "export", str(out)]).stdout)
    assert exported["exported"] == 1 and json.loads(out.read_text(encoding="utf-8"))["source_ref"] == "L-1"
