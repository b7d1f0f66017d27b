"""Repeat detection at intake (重复信访): recall and precision on known repeats, the reasons, the
clerk's choice recorded, closed matters by the rule pack, and the report's repeat count."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest

from petitionkit.domain.model import CaseState
from petitionkit.errors import InvalidInput
from petitionkit.reports import Period, period_report
from petitionkit.service import Office
from petitionkit.service.repeats import RepeatSuspected
from petitionkit.testing import SAMPLE_ID_NUMBERS, SHANGHAI, FakeClock, office_settings, open_test_office, rendered
from petitionkit.testing import sample_petition as base_petition
from petitionkit.testing.repeats import intake_stream, measure_repeats

FULL = str.maketrans("0123456789+X", "０１２３４５６７８９＋Ｘ")


def sample_petition(**overrides: Any) -> dict[str, Any]:
    return base_petition(**{"respondent": {"unit_name": "宏达建筑公司"}, **overrides})


@pytest.fixture(params=["memory", "sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)])
def office(request: pytest.FixtureRequest) -> Iterator[Office]:
    """An office on the memory store, on SQLite and on PostgreSQL (when a server is configured)."""
    settings: dict[str, Any] = dict(office_settings())
    if request.param != "memory":
        settings["database"] = {"url": request.getfixturevalue(f"{request.param}_url")}
    office = open_test_office(settings, clock=FakeClock(datetime(2026, 3, 20, 9, 0, tzinfo=SHANGHAI)))
    yield office
    office.close()


def test_recall_and_precision_on_a_stream_with_known_repeats(office: Office) -> None:
    """≥ 95% of same-person-same-matter repeats find their case; ≥ 90% of candidates shown are right."""
    measured = measure_repeats(office, list(intake_stream(120, seed=11)))
    print(f"\nrepeat detection: recall {measured.recall:.3f} ({measured.found}/{measured.positives}), "
          f"precision {measured.precision:.3f} ({measured.right}/{measured.flagged})")  # fmt: skip
    assert measured.positives >= 40
    assert measured.recall >= 0.95
    assert measured.precision >= 0.90


def test_the_variations_of_one_person_are_found_with_their_reasons(office: Office) -> None:
    first = office.register(sample_petition())
    reworded = "我在工地给老板干活，三个月的工钱一直没有发，多次讨要工资没有结果，请帮忙处理。"
    variants = [
        {"name": "张三", "id_number": SAMPLE_ID_NUMBERS[0].lower()},  # lower-case x
        {"name": "张三", "id_number": SAMPLE_ID_NUMBERS[0].translate(FULL)},  # full-width digits
        {"name": "张三", "phone": "+86 138 0013 8000"},  # +86, no ID number
        {"name": "张三", "phone": "13800138000".translate(FULL)},
        {"name": "张 三", "address": "某街道１号"},  # a letter with name and address only
    ]
    for person in variants:
        (candidate,) = office.check_repeats(sample_petition(petitioners=[person], content=reworded, category="other"))
        assert candidate.case.id == first.case.id and candidate.score >= office.rules.repeat_policy().threshold
        codes = [r.code for r in candidate.reasons]
        assert "respondent" in codes and "region" in codes and "category" not in codes
        assert any(r.code == "text" and r.similarity for r in candidate.reasons)
    (candidate,) = office.check_repeats(sample_petition(petitioners=[variants[0]]))
    assert [r.code for r in candidate.reasons][:1] == ["id_number"]
    assert candidate.to_dict()["reasons"][0]["text"]["zh-CN"] == "身份证号码相同"


def test_the_same_person_with_another_matter_is_no_candidate(office: Office) -> None:
    office.register(sample_petition())
    other = sample_petition(
        subject="道路损坏未修",
        content="通村公路损坏严重，坑洼积水，村民出行困难，请求维修。",
        category="transport",
        respondent={"unit_name": "县交通运输局"},
    )
    assert office.check_repeats(other) == []
    assert office.register(other, refuse_repeats=True).case.state is CaseState.REGISTERED


def test_registration_refuses_then_joins_or_records_the_clerks_reason(office: Office) -> None:
    first = office.register(sample_petition())
    with pytest.raises(RepeatSuspected) as refused:
        office.register(sample_petition(), refuse_repeats=True)
    assert [c.tracking_number for c in refused.value.candidates] == [first.petition.tracking_number]
    assert refused.value.exit_code == 11 and "张三" not in refused.value.message("zh-CN")
    assert len(office.search(text="")) == 1  # nothing stored
    joined = office.register(sample_petition(joins_case=first.petition.tracking_number), refuse_repeats=True)
    assert joined.joined_existing_case and joined.case.id == first.case.id
    new = office.register(sample_petition(), refuse_repeats=True, new_reason="另一工地的欠薪")
    dismissed = [e.data for e in office.events(new.case.id) if e.name == "RepeatCandidatesDismissed"]
    assert len(dismissed) == 1
    assert dismissed[0].reason == "另一工地的欠薪" and dismissed[0].candidates == [first.petition.tracking_number]
    assert dismissed[0].tracking_number == new.petition.tracking_number
    with pytest.raises(InvalidInput) as blank:
        office.register(sample_petition(), new_reason="  ")
    assert blank.value.fields == ("new_reason",)
    with pytest.raises(InvalidInput) as both:
        office.register(sample_petition(joins_case=first.petition.tracking_number), new_reason="x")
    assert both.value.fields == ("new_reason",)


def _terminated(office: Office) -> str:
    ref = office.register(sample_petition()).petition.tracking_number
    office.accept(ref)
    office.reply(ref, outcome="explain", text="已解释")
    office.request_review(ref, reason="不服", organ="县政府")
    office.decide_review(ref, outcome="support", opinion="维持")
    office.request_rereview(ref, reason="不服", organ="市政府")
    office.decide_rereview(ref, outcome="explain", opinion="维持")
    assert office.case(ref).state is CaseState.TERMINATED
    return ref


def test_joining_a_terminated_matter_is_declined_by_the_national_pack(office: Office) -> None:
    closed = _terminated(office)
    reg = office.register(sample_petition(joins_case=closed))
    assert not reg.joined_existing_case and reg.case.id != office.case(closed).id
    assert reg.petition.repeat_of == closed
    assert reg.case.state is CaseState.DECLINED and reg.case.version == 1
    assert reg.case.decline is not None and "不再受理" in reg.case.decline.reason
    assert reg.case.decline.channel.value == "none"
    names = [e.name for e in office.events(reg.case.id)]
    assert names[:2] == ["PetitionRegistered", "ClosedMatterRepeated"] and "CaseDeclined" in names
    assert office.verify_audit_trail(reg.case.id) is None


def test_joining_a_withdrawn_matter_is_declined_and_an_office_pack_can_change_it(tmp_path: Any, office: Office) -> None:
    ref = office.register(sample_petition()).petition.tracking_number
    office.withdraw(ref)
    declined = office.register(sample_petition(joins_case=ref))
    assert declined.case.state is CaseState.DECLINED
    assert declined.case.decline is not None and "撤回" in declined.case.decline.reason
    pack = tmp_path / "office.toml"
    pack.write_text(
        '[pack]\nname = "office"\n\n[repeats]\nthreshold = 0.9\n\n[repeats.closed.withdrawn]\naction = "new_case"\n',
        encoding="utf-8",
    )
    other = open_test_office({**office_settings(), "rules": {"set": "builtin", "files": [str(pack)]}})
    assert other.rules.repeat_policy().threshold == 0.9
    ref = other.register(sample_petition()).petition.tracking_number
    other.withdraw(ref)
    reg = other.register(sample_petition(joins_case=ref))
    assert reg.case.state is CaseState.REGISTERED and reg.petition.repeat_of == ref


def test_the_report_counts_joined_and_closed_matter_repeats(office: Office) -> None:
    """A known number of repeats (joined, and declined as repeats of a closed matter) is the count."""
    firsts = [office.register(sample_petition(petitioners=[{"name": f"人{i}", "phone": f"1390000{i:04d}"}]))
              for i in range(6)]  # fmt: skip
    for reg in firsts[:4]:
        office.register(sample_petition(joins_case=reg.petition.tracking_number,
                                        petitioners=[{"name": "某", "phone": "13700000000"}]))  # fmt: skip
    office.withdraw(firsts[5].petition.tracking_number)
    office.register(sample_petition(joins_case=firsts[5].petition.tracking_number))
    report = period_report(office, Period.month(2026, 3), signals=False)
    assert report.repeats.petitions.current == 5
    assert report.totals[0].current == 11  # petitions


def test_the_petitioner_is_told_why_a_closed_matter_is_not_accepted_again() -> None:
    """The decline goes through the decision machinery: a 'declined' notice with the reason is queued."""
    office = open_test_office(office_settings(), clock=FakeClock(datetime(2026, 3, 20, 9, 0, tzinfo=SHANGHAI)))
    closed = _terminated(office)
    reg = office.register(sample_petition(joins_case=closed))
    rows = [r for r in office.storage.outbox.values() if r.case_id == reg.case.id]  # type: ignore[attr-defined]
    declined = [r for r in rows if r.topic == "declined"]
    assert declined and all("不再受理" in rendered(office, r).body for r in declined)


def test_a_respondent_named_by_its_alias_is_the_same_respondent(office: Office) -> None:
    first = office.register(sample_petition(respondent={"unit_name": "区人力资源和社会保障局"}))
    (candidate,) = office.check_repeats(sample_petition(respondent={"body_code": "GOV-HRSS"}))
    assert candidate.case.id == first.case.id and "respondent" in [r.code for r in candidate.reasons]
