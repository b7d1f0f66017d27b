"""Faithful migration (issue 16): case histories imported step by step at their real dates, and exported back.

The generated legacy file is checked against an oracle that counts each duty from the file's own dates and
the office calendar (:mod:`petitionkit.testing.legacy`), not through petitionkit's clock code.  The default
run imports 2,000 cases; ``PETITIONKIT_MIGRATION_CASES=100000`` runs the migration at full size
(docs/benchmarks.md has the figures).
"""

from __future__ import annotations

import io
import json
import os
from collections import Counter
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import attrs
import pytest
from jsonschema import Draft202012Validator

from petitionkit.domain import event_types as ev
from petitionkit.errors import PermissionDenied
from petitionkit.migration.history import COMMANDS, history_line, read_history
from petitionkit.reports.build import period_report
from petitionkit.reports.periods import Period
from petitionkit.service import Office
from petitionkit.testing import REGISTRAR, SHANGHAI, FakeClock, office_settings, open_test_office, sample_petition
from petitionkit.testing.legacy import SYSTEM, expected, legacy_histories, write_legacy_file

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = json.loads((ROOT / "docs" / "history-format.schema.json").read_text(encoding="utf-8"))
EXAMPLE = ROOT / "examples" / "migration" / "legacy-history.jsonl"
CASES = int(os.environ.get("PETITIONKIT_MIGRATION_CASES", "2000"))
NOW = datetime(2026, 11, 30, 10, 0, tzinfo=SHANGHAI)


def sqlite_office(tmp_path: Path, clock: FakeClock, name: str = "office") -> Office:
    config = dict(office_settings())
    config["database"] = {"url": f"sqlite:///{tmp_path / name}.db"}
    return open_test_office(config, clock=clock)


def day_off(office: Office) -> Any:
    return lambda day: office.rules.calendar.day_off_reason(day) is not None


def line(**overrides: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "format": "petitionkit-history",
        "version": 1,
        "legacy": {"system": "old", "case_id": "A-1"},
        "state": "replied",
        "petitions": [sample_petition(received_at="2026-01-05T09:00:00+08:00")],
        "steps": [
            {"action": "accept", "at": "2026-01-08T10:00:00+08:00"},
            {"action": "reply", "at": "2026-04-01T10:00:00+08:00", "outcome": "explain", "text": "已答复"},
        ],
    }
    doc.update(overrides)
    return doc


def imported(office: Office, *docs: dict[str, Any] | str) -> Any:
    text = "".join(d if isinstance(d, str) else json.dumps(d, ensure_ascii=False) + "\n" for d in docs)
    return office.import_history(read_history(io.StringIO(text)))


# --- the generated legacy system ------------------------------------------------------------------------------


def test_a_generated_legacy_history_imports_as_it_really_was_and_a_rerun_adds_nothing(tmp_path: Path) -> None:
    office = sqlite_office(tmp_path, FakeClock(NOW))
    today = office.today()
    path = tmp_path / "legacy.jsonl"
    write_legacy_file(path, CASES, today=today)
    with path.open(encoding="utf-8") as stream:
        report = office.import_history(read_history(stream))
    assert (report.imported, report.skipped, report.rejected) == (CASES, 0, ())

    with path.open(encoding="utf-8") as stream:
        docs = [json.loads(text) for text in stream]
    oracle = expected(docs, today, day_off(office))
    overdue = office.overdue()
    assert len(overdue) == oracle.overdue
    assert 0 < oracle.overdue < CASES // 3  # not the 98.8% of a history-less import
    if CASES <= 5000:  # which cases, not only how many
        legacy_ids = {_legacy_id(office, o.case_id) for o in overdue}
        assert legacy_ids == oracle.overdue_cases

    # The period report's on-time rate over the last year is the oracle's, counted from the file's dates.
    first, last = today - timedelta(days=365), today - timedelta(days=1)
    figures = period_report(office, Period.between(first, last), signals=False).timeliness.overall
    year = expected(docs, today, day_off(office), due_from=first, due_until=last)
    assert (figures.met, figures.late, figures.overdue) == (year.met, year.late, year.overdue)
    assert (
        figures.on_time_rate == pytest.approx(year.on_time_rate(), abs=5e-5) and 0.3 < (figures.on_time_rate or 0) < 0.9
    )

    states = Counter(c.state.value for c in office.search(limit=CASES + 1))
    assert states == Counter(d["state"] for d in docs)
    with path.open(encoding="utf-8") as stream:
        again = office.import_history(read_history(stream))
    assert (again.imported, again.skipped, again.rejected) == (0, CASES, ())
    assert len(office.search(limit=CASES + 1)) == CASES and len(office.overdue()) == oracle.overdue


def _legacy_id(office: Office, case_id: str) -> str:
    marks = [e.data for e in office.events(case_id) if e.name == ev.StepImported.name]
    assert isinstance(marks[0], ev.StepImported) and marks[0].legacy_system == SYSTEM
    return marks[0].legacy_case_id


# --- one line ------------------------------------------------------------------------------------------------


def test_each_step_is_decided_at_its_real_date_and_marked_imported(office: Office, clock: FakeClock) -> None:
    clock.advance(days=200)
    report = imported(office, line())
    assert report.imported == 1
    (case,) = office.search()
    clocks = {o.clock.value: o for o in case.obligations}
    assert clocks["notice"].status.value == "met" and clocks["notice"].due == date(2026, 1, 20)
    assert clocks["handling"].status.value == "late"  # 60 days from 8 January ended on 9 March
    assert clocks["review_request"].status.value == "open" and clocks["review_request"].due < office.today()
    assert office.overdue() == []  # the review window is the petitioner's, not a duty
    trail = office.events(case.id)
    assert {e.occurred_at for e in trail} == {office.now()}  # recorded now …
    marks = [e.data for e in trail if isinstance(e.data, ev.StepImported)]
    assert [(m.action, m.step, m.original_at) for m in marks] == [  # … as having happened then
        ("register", 0, "2026-01-05T09:00:00+08:00"),
        ("accept", 1, "2026-01-08T10:00:00+08:00"),
        ("reply", 2, "2026-04-01T10:00:00+08:00"),
    ]
    assert case.reply is not None and case.reply.delivered_on == date(2026, 4, 1)
    assert office.verify_audit_trail(case.id) is None


def test_bad_lines_are_named_with_their_line_and_field_and_the_good_lines_kept(
    office: Office, clock: FakeClock
) -> None:
    clock.advance(days=200)
    good = line()
    refused_step = line(  # the review window was still open: terminating would cost the petitioner the review
        legacy={"system": "old", "case_id": "A-2"},
        state="terminated",
        steps=[*good["steps"], {"action": "terminate", "at": "2026-04-10T10:00:00+08:00", "reason": "期满"}],
    )
    wrong_state = line(legacy={"system": "old", "case_id": "A-3"}, state="accepted")
    bad_fields = line(
        legacy={"system": "old", "case_id": "A-4"},
        steps=[
            {"action": "accept", "at": "2026-01-04T10:00:00+08:00"},  # before the case was registered
            {"action": "reply", "at": "2026-04-01", "outcome": "great", "text": "x"},
        ],
    )
    future = line(legacy={"system": "old", "case_id": "A-5"})
    future["steps"][1]["at"] = "2027-01-01T10:00:00+08:00"
    unknown_body = line(
        legacy={"system": "old", "case_id": "A-6"},
        state="assigned",
        steps=[{"action": "assign", "at": "2026-01-08T10:00:00+08:00", "body_code": "NOWHERE"}],
    )
    report = imported(office, good, refused_step, "{not json\n", wrong_state, bad_fields, future, unknown_body)
    assert report.imported == 1
    named = {r.row: [(e.field, e.problem) for e in r.errors] for r in report.rejected}
    assert named == {
        2: [("steps[2]", "step_refused")],
        3: [("(line)", "wrong_type")],
        4: [("state", "history_state")],
        5: [("steps[1].at", "datetime"), ("steps[1].outcome", "choice")],
        6: [("steps[1].at", "future")],
        7: [("steps[0]", "step_refused")],
    }
    refusal = report.rejected[0].errors[0]
    assert "review request window" in refusal.message("en") and "复查" in refusal.message("zh-CN")
    assert "NOWHERE" in report.rejected[-1].errors[0].message("en")
    fixed = line(legacy={"system": "old", "case_id": "A-4"}, steps=line()["steps"][:1], state="accepted")
    assert imported(office, fixed).imported == 1  # a refused line left nothing behind
    order = line(legacy={"system": "old", "case_id": "A-7"})
    order["steps"] = [order["steps"][1], order["steps"][0]]
    (row,) = imported(office, order).rejected
    assert [(e.field, e.problem) for e in row.errors] == [("steps[1].at", "before")]


def test_the_same_legacy_case_twice_in_a_file_is_imported_once(office: Office, clock: FakeClock) -> None:
    clock.advance(days=200)
    report = imported(office, line(), line(), line(legacy={"system": "other", "case_id": "A-1"}))
    assert (report.imported, report.skipped) == (2, 1)


def test_importing_history_needs_configure_and_exporting_needs_export(office: Office) -> None:
    clerk = office.acting_as(REGISTRAR)
    with pytest.raises(PermissionDenied):
        imported(clerk, line())
    with pytest.raises(PermissionDenied):
        list(clerk.export_history())


# --- round trips -------------------------------------------------------------------------------------------------


def busy_office(office: Office, clock: FakeClock) -> None:
    """Cases in every corner of the lifecycle, decided natively over several months."""
    full = office.register(sample_petition(subject="全程"))
    clock.advance(days=2)
    office.accept(full.case.id, note="受理")
    clock.advance(days=3)
    office.extend(full.case.id, days=20, reason="需现场核查", approved_by="zhao")
    clock.advance(days=30)
    office.reply(full.case.id, outcome="not_support", text="不予支持")
    clock.advance(days=1)
    office.evaluate(full.case.id, rating="dissatisfied", comment="不满意")
    office.request_review(full.case.id, reason="不服", organ="县政府")
    clock.advance(days=20)
    office.decide_review(full.case.id, outcome="not_support", opinion="维持")
    clock.advance(days=3)
    office.request_rereview(full.case.id, reason="仍不服", organ="市政府")
    clock.advance(days=25)
    office.decide_rereview(full.case.id, outcome="not_support", opinion="维持复查意见")

    referred = office.register(sample_petition(subject="交办", kind="claim"))
    clock.advance(days=1)
    office.assign(referred.case.id, body="GOV-HRSS", note="请办理")
    clock.advance(days=1)
    office.record_objection(referred.case.id, reason="不属本局职责")
    clock.advance(days=1)
    office.assign(referred.case.id, body="GOV-HOUSING", report_days=20)
    clock.advance(days=25)
    office.supervise(referred.case.id, reason="逾期未报")
    clock.advance(days=5)
    office.record_report(referred.case.id, outcome="support", text="已解决", delivered_on=office.today())

    transferred = office.register(sample_petition(subject="转送", confidential=True))
    office.transfer(transferred.case.id, body="GOV-LAND")
    clock.advance(days=4)
    office.record_feedback(transferred.case.id, text="已收悉")

    anonymous = office.register(sample_petition(subject="匿名", anonymous=True, petitioners=[], channel="online"))
    office.accept(anonymous.case.id)
    clock.advance(days=2)
    office.withdraw(anonymous.case.id, reason="撤回")

    repeated = office.register(sample_petition(subject="重复"))
    clock.advance(days=1)
    office.register(sample_petition(subject="重复", joins_case=repeated.petition.tracking_number))
    clock.advance(days=1)
    office.decline(repeated.case.id, reason="属诉讼", channel="litigation")
    office.register(sample_petition(subject="仍待受理"))
    clock.advance(days=40)


def exported(office: Office) -> str:
    return "".join(history_line(doc) for doc in office.export_history())


def test_export_import_export_is_identical_and_the_clocks_come_out_the_same(
    office: Office, clock: FakeClock, db_url: str, tmp_path: Path
) -> None:
    busy_office(office, clock)
    first = exported(office)
    config = dict(office_settings())
    config["database"] = {"url": db_url}
    restored = open_test_office(config, clock=clock)
    report = restored.import_history(read_history(io.StringIO(first)))
    assert (report.imported, report.rejected) == (6, ())
    assert exported(restored) == first
    mine, theirs = office.search(), restored.search()
    assert [c.first_tracking_number for c in mine] == [c.first_tracking_number for c in theirs]
    for a, b in zip(mine, theirs, strict=True):
        assert (a.state, a.closed_reason, a.reply, a.review, a.rereview, a.decline, a.extension) == (
            b.state,
            b.closed_reason,
            b.reply,
            b.review,
            b.rereview,
            b.decline,
            b.extension,
        )
        assert [(o.clock, o.status, o.due, o.basis.days) for o in a.obligations] == [
            (o.clock, o.status, o.due, o.basis.days) for o in b.obligations
        ]
        assert [(r.body_code, r.mode, r.status, r.referred_at, r.feedback) for r in a.referrals] == [
            (r.body_code, r.mode, r.status, r.referred_at, r.feedback) for r in b.referrals
        ]
        assert restored.verify_audit_trail(b.id) is None
    assert restored.import_history(read_history(io.StringIO(first))).skipped == 6
    restored.close()


def test_a_history_export_is_on_record(office: Office) -> None:
    office.register(sample_petition())
    assert office.access_records() == []
    lines = list(office.export_history(purpose="备份"))
    (record,) = office.access_records()
    assert (record.action, record.count, record.purpose) == ("export_history", len(lines), "备份")


def test_the_generated_lines_are_deterministic() -> None:
    today = date(2026, 11, 30)
    assert list(legacy_histories(50, today=today)) == list(legacy_histories(50, today=today))
    assert list(legacy_histories(50, today=today, seed=1)) != list(legacy_histories(50, today=today))


# --- the documented format ---------------------------------------------------------------------------------------


def test_the_schema_names_every_action_of_the_lifecycle_with_its_fields() -> None:
    steps = SCHEMA["$defs"]["step"]["oneOf"]
    documented = {s["properties"]["action"]["const"]: set(s["properties"]) - {"action", "at"} for s in steps}
    assert documented == {action: {f.name for f in attrs.fields(cls)} for action, cls in COMMANDS.items()}


def test_the_example_file_and_an_office_export_follow_the_schema(office: Office, clock: FakeClock) -> None:
    validator = Draft202012Validator(SCHEMA, format_checker=Draft202012Validator.FORMAT_CHECKER)
    example = [json.loads(text) for text in EXAMPLE.read_text(encoding="utf-8").splitlines()]
    busy_office(office, clock)
    for doc in [*example, *office.export_history()]:
        validator.validate(doc)
    bad = dict(example[0], steps=[{"action": "reply", "at": "2026-01-01T00:00:00+08:00", "outcome": "great"}])
    assert not validator.is_valid(bad)
