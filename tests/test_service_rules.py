"""The service uses the rule packs: screening, routing, referral report days, guard, recompute."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from petitionkit import CaseState, Office, OfficeConfig
from petitionkit.domain.clocks import Clock
from petitionkit.errors import InvalidInput, WhistleblowerGuard
from petitionkit.testing import FakeClock, open_test_office, sample_petition

COUNTY = Path(__file__).resolve().parents[1] / "examples" / "sample-county" / "rules" / "county.toml"


def county_office(clock: FakeClock, rules: str = "national", files: tuple[str, ...] = (str(COUNTY),)) -> Office:
    config = OfficeConfig(office_code="QX", database_url="memory://", rules=rules, rule_files=files)
    return open_test_office(config, clock=clock)


def county_petition(**overrides: object) -> dict[str, object]:
    return sample_petition(region_code="330199", **overrides)


def test_route_explains_the_matching_rule_and_refer_applies_its_report_days(clock: FakeClock) -> None:
    office = county_office(clock)
    reg = office.register(county_petition())
    decision = office.route(reg.case.id)
    assert decision.body_code == "QX-HRSS" and decision.rule_id == "labour" and decision.report_days == 30
    assert "QX-HRSS" in decision.explanation("en") or "人力资源" in decision.explanation("zh-CN")
    case = office.refer(reg.case.id)
    assert case.state is CaseState.ASSIGNED
    report = case.obligation(Clock.REFERRAL_REPORT)
    assert report is not None and report.basis.days == 30 and "labour" in report.basis.source
    assert report.due == date(2026, 4, 1)  # 2 March + 30 days
    assert office.events(case.id)[-2].payload["rule_id"] == "labour"


def test_accusation_against_a_unit_is_routed_away_from_it_and_refused_towards_it(clock: FakeClock) -> None:
    office = county_office(clock)
    reg = office.register(
        county_petition(
            kind="accusation", category="housing", respondent={"unit_name": "县住建局", "body_code": "QX-HOUSING"}
        )
    )
    decision = office.route(reg.case.id)
    assert decision.body_code not in {"QX-HOUSING", "QX-GOV"}
    for body in ("QX-HOUSING", "QX-GOV"):  # the unit, and its parent (guarded by default)
        with pytest.raises(WhistleblowerGuard):
            office.transfer(reg.case.id, body=body)
    assert office.refer(reg.case.id).current_referral.body_code == decision.body_code  # type: ignore[union-attr]


def test_screening_sends_litigation_matters_to_court(clock: FakeClock) -> None:
    office = county_office(clock)
    reg = office.register(county_petition())
    advice = office.screen(reg.case.id, facts=["in_litigation"])
    assert not advice.accepted and advice.channel is not None and advice.channel.value == "litigation"
    assert advice.explanation("zh-CN") and advice.explanation("en")
    assert office.screen(reg.case.id).accepted


def test_unknown_category_is_refused_at_registration(clock: FakeClock) -> None:
    office = county_office(clock)
    with pytest.raises(InvalidInput) as err:
        office.register(county_petition(category="pets"))
    assert err.value.fields == ("category",)


def test_same_petition_gets_different_clocks_nationally_and_in_zhejiang(clock: FakeClock) -> None:
    national = county_office(clock, "national", ())
    zhejiang = county_office(clock, "zhejiang", ())
    due = {}
    for name, office in (("national", national), ("zhejiang", zhejiang)):
        reg = office.register(county_petition())
        case = office.accept(reg.case.id)
        due[name] = (reg.case.obligations[0].due, case.obligation(Clock.HANDLING).due)  # type: ignore[union-attr]
    assert due["national"] == (date(2026, 3, 17), date(2026, 5, 6))  # 15 days; 60 days, 1-5 May holiday
    assert due["zhejiang"][0] == date(2026, 3, 9)  # 5 working days
    assert due["zhejiang"][1] == date(2026, 4, 1)  # 30 days


def test_explanations_of_a_case_come_from_the_recorded_basis(clock: FakeClock) -> None:
    office = county_office(clock)
    reg = office.register(county_petition())
    office.accept(reg.case.id)
    explained = office.explain_obligations(reg.case.id)
    assert [o.clock for o, _ in explained] == [Clock.NOTICE, Clock.HANDLING]
    handling = explained[1][1]
    assert handling.due == date(2026, 5, 6) and "劳动节" in handling.text("zh-CN")


def test_recompute_after_a_calendar_change_moves_due_dates_and_records_events(clock: FakeClock, tmp_path: Path) -> None:
    office = county_office(clock, files=())
    clock.advance(days=30)
    reg = office.register(county_petition(received_at="2026-04-01T09:00:00+08:00"))
    assert reg.case.obligations[0].due == date(2026, 4, 16)
    local = tmp_path / "local.toml"
    local.write_text(
        '[pack]\nname = "local"\n\n[[calendar.local_days_off]]\ndate = 2026-04-16\nname = "县庆日"\n', encoding="utf-8"
    )
    updated = open_test_office(
        OfficeConfig(office_code="QX", database_url="memory://", rules="national", rule_files=(str(local),)),
        storage=office.storage,
        clock=clock,
    )
    changed = updated.recompute_deadlines()
    assert [c.id for c in changed] == [reg.case.id]
    notice = changed[0].obligation(Clock.NOTICE)
    assert notice is not None and notice.due == date(2026, 4, 17) and "local" in notice.basis.calendar
    event = updated.events(reg.case.id)[-1]
    assert event.name == "DueDateRecomputed" and event.actor == "admin#administrator"
    assert event.payload["old_due"] == "2026-04-16" and event.payload["new_due"] == "2026-04-17"
    assert updated.recompute_deadlines() == []  # idempotent


def test_two_bodies_denying_competence_raise_the_dispute_to_their_common_superior(clock: FakeClock) -> None:
    office = county_office(clock)
    reg = office.register(county_petition())
    office.transfer(reg.case.id, body="QX-HRSS")
    office.record_objection(reg.case.id, reason="不属本局职责")
    office.transfer(reg.case.id, body="QX-HOUSING")
    office.record_objection(reg.case.id, reason="不属本局职责")
    *_, dispute, duty = office.events(reg.case.id)
    assert dispute.name == "CompetenceDisputeRaised"
    # the office still owes the matter a route (issue 16): the superior decides, the office re-routes
    assert duty.name == "ObligationOpened" and duty.payload["clock"] == "routing"
    assert dispute.payload["bodies"] == ["QX-HRSS", "QX-HOUSING"] and dispute.payload["superior"] == "QX-GOV"
