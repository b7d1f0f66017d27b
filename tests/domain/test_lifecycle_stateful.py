"""Random sequences of use cases keep the lifecycle's invariants (Hypothesis state machine).

After every step: no obligation is left open on a closed case; every state change has its event;
the event trail verifies; a refused action raised a typed error and changed nothing; every date a clerk
recorded lies between the case's registration and today; a case a body sent back owes a new route.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from petitionkit.domain.clocks import Clock
from petitionkit.domain.events import verify_chain
from petitionkit.domain.model import CaseState
from petitionkit.errors import PetitionkitError, ProtectionRefusal
from petitionkit.testing import DIRECTOR, FakeClock, office_settings, open_test_office, sample_petition

BODIES = ("GOV", "GOV-HRSS", "GOV-HOUSING", "SUPERVISION", "COURT", "NOWHERE")
OUTCOMES = ("support", "explain", "not_support", "mediated")
TEXTS = st.sampled_from(["答复", "已收悉", " ", "\u200b"])  # blank and invisible-only texts are refused


def _day(o: Any, d: st.DataObject) -> date | None:
    """A date a clerk gives: none (today), or any day from long before the case to a few days ahead."""
    offset = d.draw(st.one_of(st.none(), st.sampled_from([-400, -60, -20, -1, 2]), st.integers(-45, 3)))
    return None if offset is None else o.today() + timedelta(days=offset)


ACTIONS: dict[str, Any] = {
    "accept": lambda o, ref, d: o.accept(ref),
    "decline": lambda o, ref, d: o.decline(
        ref, reason=d.draw(st.sampled_from(["属诉讼范围", " "])), channel="litigation"
    ),
    "transfer": lambda o, ref, d: o.transfer(ref, body=d.draw(st.sampled_from(BODIES))),
    "assign": lambda o, ref, d: o.assign(ref, body=d.draw(st.sampled_from(BODIES))),
    "object": lambda o, ref, d: o.record_objection(ref, reason="不属本单位职责"),
    "record_feedback": lambda o, ref, d: o.record_feedback(ref, text=d.draw(TEXTS), received_on=_day(o, d)),
    "record_report": lambda o, ref, d: o.record_report(
        ref, outcome=d.draw(st.sampled_from(OUTCOMES)), text=d.draw(TEXTS), delivered_on=_day(o, d)
    ),
    "supervise": lambda o, ref, d: o.supervise(ref, reason="逾期"),
    "extend": lambda o, ref, d: o.extend(ref, days=d.draw(st.integers(0, 40)), reason="复杂", approved_by=DIRECTOR),
    "reply": lambda o, ref, d: o.reply(
        ref, outcome=d.draw(st.sampled_from(OUTCOMES)), text=d.draw(TEXTS), delivered_on=_day(o, d)
    ),
    "evaluate": lambda o, ref, d: o.evaluate(ref, rating=d.draw(st.sampled_from(["satisfied", "dissatisfied"]))),
    "request_review": lambda o, ref, d: o.request_review(ref, reason="不服", organ="区政府", requested_on=_day(o, d)),
    "decide_review": lambda o, ref, d: o.decide_review(ref, outcome="explain", opinion="维持", delivered_on=_day(o, d)),
    "request_rereview": lambda o, ref, d: o.request_rereview(ref, reason="不服", organ="市政府"),
    "decide_rereview": lambda o, ref, d: o.decide_rereview(ref, outcome="explain", opinion="维持"),
    "terminate": lambda o, ref, d: o.terminate(ref, reason="期限届满"),
    "withdraw": lambda o, ref, d: o.withdraw(ref, reason="撤回"),
    "resolve_respondent": lambda o, ref, d: o.resolve_respondent(ref, **d.draw(RESOLUTIONS)),
}
RESOLUTIONS = st.sampled_from([{"body": "GOV-HOUSING"}, {"body": "GOV-HRSS"}, {"unlisted": True}, {"body": "NOWHERE"}])


class OfficeMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.clock = FakeClock()
        self.office = open_test_office(office_settings(), clock=self.clock)
        self.case_ids: list[str] = []
        self.commands = 0

    @rule(
        kind=st.sampled_from(["claim", "suggestion", "accusation"]),
        anonymous=st.booleans(),
        respondent=st.sampled_from([None, "GOV-HOUSING", "GOV-HRSS"]),
        data=st.data(),
    )
    def register(self, kind: str, anonymous: bool, respondent: str | None, data: st.DataObject) -> None:
        overrides: dict[str, Any] = {"kind": kind, "received_at": (self.clock() - timedelta(hours=1)).isoformat()}
        if anonymous:
            overrides.update(anonymous=True, petitioners=[])
        if respondent:
            overrides["respondent"] = {"unit_name": "某单位", "body_code": respondent}
        if self.case_ids and data.draw(st.integers(0, 9)) == 0:
            overrides["joins_case"] = data.draw(st.sampled_from(self.case_ids))
        reg = self.office.register(sample_petition(**overrides))
        if not reg.joined_existing_case:
            self.case_ids.append(reg.case.id)

    @rule(days=st.integers(1, 45))
    def time_passes(self, days: int) -> None:
        self.clock.advance(days=days)

    @precondition(lambda self: bool(self.case_ids))
    @rule(data=st.data(), action=st.sampled_from(sorted(ACTIONS)))
    def act(self, data: st.DataObject, action: str) -> None:
        case_id = data.draw(st.sampled_from(self.case_ids))
        before = self.office.case(case_id)
        events_before = self.office.events(case_id)
        try:
            after = ACTIONS[action](self.office, case_id, data)
        except ProtectionRefusal:  # the guard, or an unresolved accusation respondent: recorded
            after = self.office.case(case_id)
            assert after.state is before.state and after.version == before.version + 1
            assert [e.name for e in self.office.events(case_id)[len(events_before) :]] == ["ReferralRefused"]
            return
        except PetitionkitError:
            assert self.office.case(case_id) == before, f"{action} failed but changed the case"
            assert self.office.events(case_id) == events_before
            return
        assert action == "resolve_respondent" or action in _allowed(before.state.value), f"{action} in {before.state}"
        new_events = self.office.events(case_id)[len(events_before) :]
        assert after.version == before.version + 1
        assert new_events, f"{action} recorded no event"
        if after.state is not before.state:
            assert any(not e.name.startswith("Obligation") for e in new_events)
        assert all(e.actor == "admin#administrator" for e in new_events)

    @invariant()
    def closed_cases_owe_nothing(self) -> None:
        for case_id in self.case_ids:
            case = self.office.case(case_id)
            if case.state.is_closed:
                assert not case.open_obligations, f"{case.state} with open {case.open_obligations}"

    @invariant()
    def recorded_dates_lie_between_registration_and_today(self) -> None:
        today = self.office.today()
        for case_id in self.case_ids:
            case = self.office.case(case_id)
            registered = case.opened_at.astimezone(self.office.zone).date()
            days = [
                ob.basis.start for ob in case.obligations if ob.clock in (Clock.REVIEW_REQUEST, Clock.REVIEW_OPINION)
            ]
            days += [f.received_on for r in case.referrals for f in r.feedbacks if f.received_on is not None]
            days += [case.reply.delivered_on] if case.reply else []
            assert all(registered <= day <= today for day in days), (registered, days, today)

    @invariant()
    def a_case_sent_back_by_a_body_owes_a_new_route(self) -> None:
        for case_id in self.case_ids:
            case = self.office.case(case_id)
            if case.state is CaseState.REGISTERED and case.referrals:
                assert case.obligation(Clock.ROUTING) is not None

    @invariant()
    def at_most_one_open_obligation_per_clock(self) -> None:
        for case_id in self.case_ids:
            clocks = [o.clock for o in self.office.case(case_id).open_obligations]
            assert len(clocks) == len(set(clocks))

    @invariant()
    def trails_verify_and_match_the_case_head(self) -> None:
        for case_id in self.case_ids:
            case = self.office.case(case_id)
            events = self.office.events(case_id)
            assert verify_chain(events) is None
            assert case.last_sequence == len(events) and case.last_digest == events[-1].digest


def _allowed(state: str) -> tuple[str, ...]:
    from petitionkit.domain.lifecycle import ALLOWED
    from petitionkit.domain.model import CaseState

    return ALLOWED[CaseState(state)]


TestOfficeLifecycle = OfficeMachine.TestCase
