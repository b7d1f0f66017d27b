"""The case lifecycle: each transition opens and closes the obligations it implies."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from petitionkit import CaseState, Office
from petitionkit.domain.clocks import Clock
from petitionkit.domain.model import ObligationStatus, Party
from petitionkit.errors import (
    ExtensionRefused,
    IllegalTransition,
    InvalidInput,
    NotNotifiable,
    UnknownBody,
    WhistleblowerGuard,
    WindowError,
)
from petitionkit.testing import (
    DIRECTOR,
    HANDLER,
    REGISTRAR,
    FakeClock,
    office_settings,
    open_test_office,
    sample_petition,
)


def statuses(case: object) -> dict[str, str]:
    return {o.clock.value: o.status.value for o in case.obligations}  # type: ignore[attr-defined]


def test_registration_opens_the_notice_clock_from_the_received_date(office: Office) -> None:
    reg = office.register(sample_petition(received_at="2026-03-02T08:30:00+08:00"))
    (notice,) = reg.case.obligations
    assert notice.clock is Clock.NOTICE and notice.owed_by is Party.OFFICE and notice.owed_to is Party.PETITIONER
    assert notice.due == date(2026, 3, 17)  # 15 calendar days, start day not counted
    assert notice.basis.start == date(2026, 3, 2) and notice.basis.source == "2022 art. 23"
    assert reg.petition.tracking_number == "XS-2026-000001"


def test_notice_due_on_a_weekend_moves_to_monday(office: Office) -> None:
    reg = office.register(sample_petition(received_at="2026-02-27T10:00:00+08:00"))  # Friday
    assert reg.case.obligations[0].due == date(2026, 3, 16)  # 14 March is a Saturday


def test_accept_meets_the_notice_and_starts_handling_for_claims(office: Office) -> None:
    reg = office.register(sample_petition())
    case = office.accept(reg.case.id, note="属本机关职责")
    assert case.state is CaseState.ACCEPTED
    assert statuses(case) == {"notice": "met", "handling": "open"}
    assert case.obligation(Clock.HANDLING).due == date(2026, 5, 1)  # type: ignore[union-attr]


def test_suggestions_have_no_national_handling_period(office: Office) -> None:
    reg = office.register(sample_petition(kind="suggestion"))
    case = office.accept(reg.case.id)
    assert statuses(case) == {"notice": "met"}
    with pytest.raises(ExtensionRefused):
        office.extend(case.id, days=10, reason="复杂", approved_by=DIRECTOR)


def test_a_notice_given_after_its_due_date_is_late(office: Office, clock: FakeClock) -> None:
    reg = office.register(sample_petition())
    clock.advance(days=20)
    case = office.decline(reg.case.id, reason="属于法院受理范围", channel="litigation")
    assert case.state is CaseState.DECLINED and statuses(case) == {"notice": "late"}
    assert case.decline is not None and case.decline.channel.value == "litigation"


def test_decline_needs_a_reason_and_changes_nothing_without_one(office: Office) -> None:
    reg = office.register(sample_petition())
    with pytest.raises(InvalidInput) as err:
        office.decline(reg.case.id, reason=" ", channel="litigation")
    assert err.value.fields == ("reason",)
    assert office.case(reg.case.id) == reg.case


def test_transfer_closes_the_case_and_an_objection_in_time_reopens_it(office: Office, clock: FakeClock) -> None:
    reg = office.register(sample_petition())
    case = office.transfer(reg.case.id, body="GOV-HRSS")
    assert case.state is CaseState.TRANSFERRED and not case.open_obligations
    referral = case.referrals[0]
    assert referral.objection_due == date(2026, 3, 9)  # 5 working days from Monday 2 March
    clock.advance(days=7)  # Monday 9 March: last day of the window
    case = office.record_objection(reg.case.id, reason="不属于本单位职责")
    assert case.state is CaseState.REGISTERED
    assert case.referrals[0].status.value == "objected"
    case = office.assign(reg.case.id, body="GOV-HOUSING")
    assert case.state is CaseState.ASSIGNED and case.current_referral.body_code == "GOV-HOUSING"  # type: ignore[union-attr]


def test_an_objection_after_the_window_is_refused(office: Office, clock: FakeClock) -> None:
    reg = office.register(sample_petition())
    office.transfer(reg.case.id, body="GOV-HRSS")
    clock.advance(days=8)
    with pytest.raises(WindowError) as err:
        office.record_objection(reg.case.id, reason="不属于本单位职责")
    assert err.value.closed and err.value.due == date(2026, 3, 9)


def test_assignment_report_and_supervision(office: Office, clock: FakeClock) -> None:
    reg = office.register(sample_petition())
    case = office.assign(reg.case.id, body="GOV-HRSS")
    report = case.obligation(Clock.REFERRAL_REPORT)
    assert report is not None and report.owed_by is Party.BODY and report.body_code == "GOV-HRSS"
    clock.advance(days=61)
    assert [o.clock for o in office.overdue()] == [Clock.REFERRAL_REPORT]
    case = office.supervise(reg.case.id, reason="逾期未报送办结报告")
    case = office.supervise(reg.case.id, reason="再次督办")
    assert [o.status.value for o in case.obligations if o.clock is Clock.SUPERVISION_REPLY] == ["waived", "open"]
    clock.advance(days=3)
    case = office.record_report(reg.case.id, outcome="support", text="已支付拖欠工资")
    assert case.state is CaseState.REPLIED
    assert statuses(case)["referral_report"] == "late"
    assert [o.status.value for o in case.obligations if o.clock is Clock.SUPERVISION_REPLY] == ["waived", "met"]
    assert case.reply is not None and case.reply.by_body_code == "GOV-HRSS"
    assert case.obligation(Clock.REVIEW_REQUEST) is not None


def test_extension_once_within_the_limit_and_before_the_period_ends(office: Office, clock: FakeClock) -> None:
    reg = office.register(sample_petition())
    office.accept(reg.case.id)
    with pytest.raises(InvalidInput) as err:
        office.extend(reg.case.id, days=31, reason="案情复杂", approved_by=DIRECTOR)
    assert err.value.fields == ("days",)
    case = office.extend(reg.case.id, days=30, reason="案情复杂", approved_by=DIRECTOR)
    handling = case.obligation(Clock.HANDLING)
    assert handling is not None and handling.due == date(2026, 6, 1)  # 1 May + 30 = 31 May (Sun) -> 1 June
    assert handling.basis.extension_days == 30
    with pytest.raises(ExtensionRefused):
        office.extend(reg.case.id, days=5, reason="再次延期", approved_by=DIRECTOR)
    event = office.events(reg.case.id)[-1]
    assert event.name == "HandlingExtended" and event.actor == "admin#administrator"
    assert event.payload["approved_by"] == "zhao#director"
    assert event.payload["old_due"] == "2026-05-01" and event.payload["new_due"] == "2026-06-01"


def test_extension_after_the_period_ended_is_refused(office: Office, clock: FakeClock) -> None:
    reg = office.register(sample_petition())
    office.accept(reg.case.id)
    clock.advance(days=61)
    with pytest.raises(ExtensionRefused):
        office.extend(reg.case.id, days=10, reason="案情复杂", approved_by=DIRECTOR)


def test_review_and_rereview_windows(office: Office, clock: FakeClock) -> None:
    reg = office.register(sample_petition())
    office.accept(reg.case.id)
    with pytest.raises(InvalidInput) as future:
        office.reply(reg.case.id, outcome="not_support", text="诉求缺乏依据", delivered_on=date(2026, 3, 5))
    assert future.value.fields == ("delivered_on",)
    clock.advance(days=3)
    case = office.reply(reg.case.id, outcome="not_support", text="诉求缺乏依据", delivered_on=date(2026, 3, 5))
    window = case.obligation(Clock.REVIEW_REQUEST)
    assert window is not None and window.due == date(2026, 4, 6)  # 4 April is a Saturday: Monday 6 April
    with pytest.raises(WindowError) as err:
        office.terminate(reg.case.id, reason="未申请复查")
    assert not err.value.closed
    clock.advance(days=30)
    case = office.request_review(reg.case.id, reason="不服", organ="区人民政府", requested_on=date(2026, 4, 1))
    assert case.state is CaseState.UNDER_REVIEW
    assert case.obligation(Clock.REVIEW_OPINION).due == date(2026, 5, 1)  # type: ignore[union-attr]
    case = office.decide_review(reg.case.id, outcome="not_support", opinion="维持原处理意见")
    assert case.state is CaseState.REVIEWED
    clock.advance(days=31)
    with pytest.raises(WindowError) as err:
        office.request_rereview(reg.case.id, reason="仍不服", organ="市人民政府")
    assert err.value.closed
    case = office.terminate(reg.case.id, reason="复核申请期限届满未申请")
    assert case.state is CaseState.TERMINATED and not case.open_obligations
    assert statuses(case)["rereview_request"] == "waived"


def test_rereview_opinion_terminates_the_matter(office: Office) -> None:
    reg = office.register(sample_petition())
    ref = reg.petition.tracking_number
    office.accept(ref)
    office.reply(ref, outcome="explain", text="解释说明")
    office.request_review(ref, reason="不服", organ="区人民政府")
    office.decide_review(ref, outcome="explain", opinion="维持")
    office.request_rereview(ref, reason="不服", organ="市人民政府")
    case = office.decide_rereview(ref, outcome="explain", opinion="维持")
    assert case.state is CaseState.TERMINATED and not case.open_obligations
    assert [e.name for e in office.events(ref)][-2:] == ["RereviewDecided", "CaseTerminated"]
    office.evaluate(ref, rating="basically_satisfied")  # rating stays possible after termination


def test_withdraw_waives_every_open_obligation(office: Office) -> None:
    reg = office.register(sample_petition())
    office.assign(reg.case.id, body="GOV-HRSS")
    office.supervise(reg.case.id, reason="督办")
    case = office.withdraw(reg.case.id, reason="信访人撤回")
    assert case.state is CaseState.WITHDRAWN and not case.open_obligations
    assert set(statuses(case).values()) == {"met", "waived"}
    assert case.referrals[0].status.value == "withdrawn"


def test_illegal_transition_names_state_and_allowed_actions_and_changes_nothing(office: Office) -> None:
    reg = office.register(sample_petition())
    before = office.events(reg.case.id)
    with pytest.raises(IllegalTransition) as err:
        office.reply(reg.case.id, outcome="support", text="x")
    assert err.value.state == "registered" and err.value.action == "reply"
    assert err.value.allowed == ("accept", "decline", "transfer", "assign", "withdraw")
    assert "registered" in str(err.value) and "accept" in str(err.value)
    assert "已登记" in err.value.message("zh-CN") and "受理" in err.value.message("zh-CN")
    assert office.case(reg.case.id) == reg.case and office.events(reg.case.id) == before


def test_anonymous_letters_get_no_notice_rating_or_review(office: Office) -> None:
    reg = office.register(sample_petition(anonymous=True, petitioners=[], kind="accusation"))
    assert reg.case.obligations == ()
    office.accept(reg.case.id)
    case = office.reply(reg.case.id, outcome="explain", text="已核查")
    assert case.open_obligations == ()
    with pytest.raises(NotNotifiable):
        office.evaluate(reg.case.id, rating="satisfied")
    assert office.terminate(reg.case.id, reason="已办结").state is CaseState.TERMINATED


def test_accusation_never_goes_to_the_accused_unit_or_its_parent(office: Office) -> None:
    reg = office.register(
        sample_petition(
            kind="accusation", respondent={"person_name": "某科长", "unit_name": "区住建局", "body_code": "GOV-HOUSING"}
        )
    )
    for action, body in (("transfer", "GOV-HOUSING"), ("assign", "GOV-HOUSING"), ("transfer", "GOV")):
        with pytest.raises(WhistleblowerGuard) as err:
            getattr(office, action)(reg.case.id, body=body)
        assert err.value.body_code == body
    refusals = [e for e in office.events(reg.case.id) if e.name == "ReferralRefused"]
    assert [(e.payload["action"], e.payload["body_code"]) for e in refusals] == [
        ("transfer", "GOV-HOUSING"),
        ("assign", "GOV-HOUSING"),
        ("transfer", "GOV"),
    ]
    assert office.case(reg.case.id).state is CaseState.REGISTERED
    assert office.assign(reg.case.id, body="SUPERVISION").state is CaseState.ASSIGNED


def test_parent_guard_can_be_switched_off_by_a_rule_file(clock: FakeClock, tmp_path: Path) -> None:
    local = tmp_path / "local.toml"
    local.write_text('[pack]\nname = "local"\n\n[whistleblower]\nguard_parent_body = false\n', encoding="utf-8")
    settings = {**office_settings(), "rules": {"files": [str(local)]}}
    office = open_test_office(settings, clock=clock)
    reg = office.register(sample_petition(kind="accusation", respondent={"body_code": "GOV-HOUSING"}))
    assert office.transfer(reg.case.id, body="GOV").state is CaseState.TRANSFERRED


def test_claims_about_a_unit_may_go_to_that_unit(office: Office) -> None:
    reg = office.register(sample_petition(kind="claim", respondent={"body_code": "GOV-HOUSING"}))
    assert office.assign(reg.case.id, body="GOV-HOUSING").state is CaseState.ASSIGNED


def test_unknown_body_is_refused(office: Office) -> None:
    reg = office.register(sample_petition())
    with pytest.raises(UnknownBody):
        office.transfer(reg.case.id, body="NOWHERE")


def test_repeat_petition_joins_its_case_without_restarting_clocks(office: Office, clock: FakeClock) -> None:
    first = office.register(sample_petition())
    office.accept(first.case.id)
    clock.advance(days=10)
    repeat = office.register(
        sample_petition(channel="visit", joins_case=first.petition.tracking_number, received_at=clock().isoformat())
    )
    assert repeat.joined_existing_case and repeat.petition.tracking_number == "XS-2026-000002"
    case = office.case(first.case.id)
    assert case.petition_ids == (first.petition.id, repeat.petition.id)
    assert statuses(case) == {"notice": "met", "handling": "open"}
    assert office.events(case.id)[-1].name == "RepeatPetitionJoined"
    assert [c.id for c in office.find_repeats(sample_petition())] == [case.id]


def test_every_state_change_is_an_event_with_its_actor(office: Office) -> None:
    reg = office.acting_as(REGISTRAR).register(sample_petition())
    office.acting_as(HANDLER).accept(reg.case.id)
    events = office.events(reg.case.id)
    assert [(e.name, e.actor) for e in events] == [
        ("PetitionRegistered", "wang#registrar"),
        ("ObligationOpened", "wang#registrar"),
        ("ObligationClosed", "li#handler"),
        ("CaseAccepted", "li#handler"),
        ("ObligationOpened", "li#handler"),
    ]
    assert "张三" not in str([e.payload for e in events])  # no personal data in the trail's payloads
    assert office.verify_audit_trail(reg.case.id) is None


def test_tampering_with_a_stored_event_is_detected(office: Office) -> None:
    import attrs

    reg = office.register(sample_petition())
    office.accept(reg.case.id)
    trail = office.storage.events[reg.case.id]  # type: ignore[attr-defined]
    trail[1] = attrs.evolve(trail[1], payload={**trail[1].payload, "due": "2030-01-01"})
    broken = office.verify_audit_trail(reg.case.id)
    assert broken is not None and broken.sequence == 2 and broken.problem == "content was altered"
    del trail[2]
    assert office.verify_audit_trail(reg.case.id).sequence == 2  # type: ignore[union-attr]


def test_query_code_shows_progress_without_personal_data(office: Office) -> None:
    reg = office.register(sample_petition())
    office.accept(reg.case.id)
    progress = office.lookup(reg.query_code)
    assert progress.state is CaseState.ACCEPTED and progress.next_due == date(2026, 5, 1)
    assert reg.query_code not in str(office.petitions(reg.case.id))  # only the digest is stored


def test_observers_hear_committed_events_only(clock: FakeClock) -> None:
    from petitionkit.hookspecs import hookimpl
    from petitionkit.plugins import make_plugin_manager

    heard: list[str] = []

    class Observer:
        @hookimpl
        def petitionkit_event_recorded(self, event: object, office: Office) -> None:
            heard.append(event.name)  # type: ignore[attr-defined]

    pm = make_plugin_manager(load_entrypoints=False, extra=[Observer()])
    office = open_test_office(office_settings(), plugin_manager=pm, clock=clock)
    reg = office.register(sample_petition())
    with pytest.raises(IllegalTransition):
        office.reply(reg.case.id, outcome="support", text="x")
    assert heard == ["PetitionRegistered", "ObligationOpened"]


def test_a_failing_observer_does_not_undo_the_change(clock: FakeClock) -> None:
    from petitionkit.hookspecs import hookimpl
    from petitionkit.plugins import make_plugin_manager

    class Broken:
        @hookimpl
        def petitionkit_event_recorded(self, event: object, office: Office) -> None:
            raise RuntimeError("observer down")

    office = open_test_office(office_settings(), plugin_manager=make_plugin_manager(extra=[Broken()]), clock=clock)
    reg = office.register(sample_petition())
    assert office.case(reg.case.id).state is CaseState.REGISTERED


def test_obligation_statuses_are_closed_values_only(office: Office) -> None:
    reg = office.register(sample_petition())
    case = office.withdraw(reg.case.id)
    assert {o.status for o in case.obligations} <= {ObligationStatus.WAIVED}
