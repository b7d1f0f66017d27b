"""Issue 16, "dates that make sense" and "lifecycle fixes": each test failed before the fix."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from petitionkit import CaseState, Office
from petitionkit.cli.views import case_view
from petitionkit.domain.clocks import Clock
from petitionkit.domain.model import Feedback, ObligationStatus, Party, Referral
from petitionkit.domain.recorded import is_blank
from petitionkit.errors import ConfigurationError, InvalidInput
from petitionkit.serialization import structure, unstructure
from petitionkit.testing import (
    DIRECTOR,
    SAMPLE_ID_NUMBERS,
    SHANGHAI,
    FakeClock,
    office_settings,
    open_test_office,
    sample_petition,
)


def refused(call: Any, *args: Any, **kwargs: Any) -> tuple[tuple[str, str], ...]:
    """The (field, problem) pairs of the InvalidInput that ``call`` raises."""
    with pytest.raises(InvalidInput) as err:
        call(*args, **kwargs)
    return tuple((e.field, e.problem) for e in err.value.errors)


# --- dates ------------------------------------------------------------------------------------------


def test_a_reply_delivered_before_the_case_existed_is_refused_and_nothing_changes(
    office: Office, clock: FakeClock
) -> None:
    """The tester's case: a delivery years back 'closed' the review window at once and terminate succeeded."""
    reg = office.register(sample_petition())
    office.accept(reg.case.id)
    before = office.case(reg.case.id)
    problems = refused(office.reply, reg.case.id, outcome="explain", text="解释说明", delivered_on=date(2020, 1, 1))
    assert problems == (("delivered_on", "before_registration"),)
    assert office.case(reg.case.id) == before
    with pytest.raises(InvalidInput) as err:
        office.reply(reg.case.id, outcome="explain", text="解释说明", delivered_on=date(2020, 1, 1))
    assert "2026-03-02" in err.value.message("en") and "登记" in err.value.message("zh-CN")


def test_a_reply_delivered_before_the_acceptance_is_refused(office: Office, clock: FakeClock) -> None:
    reg = office.register(sample_petition())
    clock.advance(days=5)
    office.accept(reg.case.id)  # accepted 7 March
    clock.advance(days=5)
    problems = refused(office.reply, reg.case.id, outcome="explain", text="答复", delivered_on=date(2026, 3, 4))
    assert problems == (("delivered_on", "before_acceptance"),)
    case = office.reply(reg.case.id, outcome="explain", text="答复", delivered_on=date(2026, 3, 9))
    window = case.obligation(Clock.REVIEW_REQUEST)
    assert window is not None and window.basis.start == date(2026, 3, 9)  # counted from the real delivery


def test_a_review_requested_before_the_reply_was_delivered_is_refused(office: Office, clock: FakeClock) -> None:
    reg = office.register(sample_petition())
    office.accept(reg.case.id)
    clock.advance(days=10)
    office.reply(reg.case.id, outcome="explain", text="答复", delivered_on=date(2026, 3, 10))
    clock.advance(days=5)
    problems = refused(office.request_review, reg.case.id, reason="不服", organ="区政府", requested_on=date(2026, 3, 8))
    assert problems == (("requested_on", "before_window"),)
    office.request_review(reg.case.id, reason="不服", organ="区政府", requested_on=date(2026, 3, 10))
    problems = refused(
        office.decide_review, reg.case.id, outcome="explain", opinion="维持", delivered_on=date(2026, 3, 9)
    )
    assert problems == (("delivered_on", "before_review_request"),)
    case = office.decide_review(reg.case.id, outcome="explain", opinion="维持", delivered_on=date(2026, 3, 14))
    assert case.obligation(Clock.REREVIEW_REQUEST).basis.start == date(2026, 3, 14)  # type: ignore[union-attr]
    problems = refused(
        office.request_rereview, reg.case.id, reason="不服", organ="市政府", requested_on=date(2026, 3, 13)
    )
    assert problems == (("requested_on", "before_window"),)


def test_a_report_or_feedback_dated_before_the_referral_is_refused(office: Office, clock: FakeClock) -> None:
    assigned = office.register(sample_petition())
    clock.advance(days=3)
    office.assign(assigned.case.id, body="GOV-HRSS")
    problems = refused(
        office.record_report, assigned.case.id, outcome="support", text="已解决", delivered_on=date(2026, 3, 3)
    )
    assert problems == (("delivered_on", "before_referral"),)
    transferred = office.register(sample_petition())
    office.transfer(transferred.case.id, body="GOV-HRSS")
    problems = refused(office.record_feedback, transferred.case.id, text="已处理", received_on=date(2026, 3, 4))
    assert problems == (("received_on", "before_referral"),)


def test_dates_after_today_are_refused_beyond_the_clock_tolerance() -> None:
    # 23:58 in Shanghai: a clerk's PC five minutes fast already shows tomorrow.
    clock = FakeClock(datetime(2026, 3, 2, 23, 58, tzinfo=SHANGHAI))
    office = open_test_office(office_settings(), clock=clock)
    reg = office.register(sample_petition(received_at="2026-03-02T09:00:00+08:00"))
    office.accept(reg.case.id)
    problems = refused(office.reply, reg.case.id, outcome="explain", text="答复", delivered_on=date(2026, 3, 4))
    assert problems == (("delivered_on", "after_today"),)
    case = office.reply(reg.case.id, outcome="explain", text="答复", delivered_on=date(2026, 3, 3))
    assert case.reply is not None and case.reply.delivered_on == date(2026, 3, 3)
    strict = open_test_office(office_settings(clock_tolerance_seconds=0), clock=clock)
    reg = strict.register(sample_petition(received_at="2026-03-02T09:00:00+08:00"))
    strict.accept(reg.case.id)
    problems = refused(strict.reply, reg.case.id, outcome="explain", text="答复", delivered_on=date(2026, 3, 3))
    assert problems == (("delivered_on", "after_today"),)


def test_the_clock_tolerance_is_bounded() -> None:
    with pytest.raises(ConfigurationError, match="clock_tolerance_seconds"):
        open_test_office(office_settings(clock_tolerance_seconds=86_400))


# --- the misroute objection leaves a duty -------------------------------------------------------------


def test_a_misroute_objection_leaves_a_rerouting_duty_met_by_the_re_referral(office: Office, clock: FakeClock) -> None:
    reg = office.register(sample_petition())
    office.transfer(reg.case.id, body="GOV-HRSS")
    clock.advance(days=2)  # Wednesday 4 March
    case = office.record_objection(reg.case.id, reason="不属于本单位职责")
    duty = case.obligation(Clock.ROUTING)
    assert duty is not None and (duty.owed_by, duty.owed_to) == (Party.OFFICE, Party.PETITIONER)
    assert duty.basis.start == date(2026, 3, 4) and duty.due == date(2026, 3, 19)  # 15 days (2022 art. 22)
    assert [o.id for o in office.due_within(15)] == [duty.id]
    clock.advance(days=16)
    assert [o.id for o in office.overdue()] == [duty.id]
    case = office.assign(reg.case.id, body="GOV-HOUSING")
    closed = next(o for o in case.obligations if o.id == duty.id)
    assert closed.status is ObligationStatus.LATE
    assert duty.id not in {o.id for o in office.overdue()}


@pytest.mark.parametrize(
    ("act", "status"),
    [
        (lambda o, ref: o.accept(ref), "met"),
        (lambda o, ref: o.decline(ref, reason="属于法院受理范围", channel="litigation"), "met"),
        (lambda o, ref: o.withdraw(ref, reason="撤回"), "waived"),
    ],
)
def test_taking_the_matter_on_declining_it_or_a_withdrawal_ends_the_rerouting_duty(
    office: Office, act: Any, status: str
) -> None:
    reg = office.register(sample_petition())
    office.assign(reg.case.id, body="GOV-HRSS")
    office.record_objection(reg.case.id, reason="不属于本单位职责")
    case = act(office, reg.case.id)
    routing = [o for o in case.obligations if o.clock is Clock.ROUTING]
    assert [o.status.value for o in routing] == [status] and not case.obligation(Clock.ROUTING)


# --- the extension's legal meaning --------------------------------------------------------------------


def test_an_extension_adds_its_days_to_the_original_last_day_not_the_moved_one() -> None:
    """National pack, counts = "added_days": 60 days from 2 Mar 2026 end on 1 May (Labour Day, moved to
    6 May); 30 days more end on 31 May (a Sunday), so 1 June, not 5 June (35 days from the moved date)."""
    office = open_test_office(
        {**office_settings(), "rules": {"set": "national"}}, clock=FakeClock(datetime(2026, 3, 2, 9, tzinfo=SHANGHAI))
    )
    reg = office.register(sample_petition(received_at="2026-03-02T08:00:00+08:00"))
    case = office.accept(reg.case.id)
    assert case.obligation(Clock.HANDLING).due == date(2026, 5, 6)  # type: ignore[union-attr]
    case = office.extend(reg.case.id, days=30, reason="案情复杂", approved_by=DIRECTOR)
    assert case.obligation(Clock.HANDLING).due == date(2026, 6, 1)  # type: ignore[union-attr]


def test_a_total_period_pack_limits_the_added_days_to_what_is_left() -> None:
    """Zhejiang, counts = "total_period", days = 60: a 30-day handling period may gain at most 30 days."""
    office = open_test_office(
        {**office_settings(), "rules": {"set": "zhejiang"}}, clock=FakeClock(datetime(2026, 3, 2, 9, tzinfo=SHANGHAI))
    )
    reg = office.register(sample_petition(received_at="2026-03-02T08:00:00+08:00"))
    office.accept(reg.case.id)
    with pytest.raises(InvalidInput) as err:
        office.extend(reg.case.id, days=31, reason="案情复杂", approved_by=DIRECTOR)
    assert err.value.errors[0].params == {"limit": 30}
    case = office.extend(reg.case.id, days=30, reason="案情复杂", approved_by=DIRECTOR)
    assert case.obligation(Clock.HANDLING).due == date(2026, 5, 6)  # type: ignore[union-attr]  # 1 May + moved


# --- feedback history ----------------------------------------------------------------------------------


def test_every_feedback_is_kept_with_its_date_and_who_recorded_it(office: Office, clock: FakeClock) -> None:
    reg = office.register(sample_petition())
    office.transfer(reg.case.id, body="GOV-HRSS")
    clock.advance(days=3)
    office.record_feedback(reg.case.id, text="已约谈信访人", received_on=date(2026, 3, 4))
    clock.advance(days=10)
    case = office.record_feedback(reg.case.id, text="已解决，信访人满意")
    (referral,) = case.referrals
    assert [(f.text, f.received_on, f.recorded_by) for f in referral.feedbacks] == [
        ("已约谈信访人", date(2026, 3, 4), "admin#administrator"),
        ("已解决，信访人满意", date(2026, 3, 15), "admin#administrator"),
    ]
    assert referral.feedback == "已解决，信访人满意"
    trail = [e.payload for e in office.events(reg.case.id) if e.name == "FeedbackRecorded"]
    assert [(p["number"], p["received_on"]) for p in trail] == [(1, "2026-03-04"), (2, "2026-03-15")]
    shown = case_view(case, "zh-CN")["referrals"][0]["feedbacks"]
    assert [f["text"] for f in shown] == ["已约谈信访人", "已解决，信访人满意"]


def test_a_referral_stored_before_the_history_reads_back_its_one_feedback() -> None:
    """Old documents (one ``feedback``, no ``feedbacks``) structure into a one-entry history."""
    old = {
        "id": "r1",
        "case_id": "c1",
        "body_code": "GOV-HRSS",
        "mode": "transfer",
        "status": "reported",
        "referred_at": "2026-03-02T09:00:00+08:00",
        "objection_due": "2026-03-09",
        "note": "",
        "feedback": "已处理",
        "closed_at": "2026-03-05T09:00:00+08:00",
    }
    referral = structure(old, Referral)
    assert referral.feedbacks == (Feedback("已处理", None, datetime.fromisoformat(old["closed_at"]), ""),)
    assert structure(unstructure(referral), Referral) == referral
    assigned = structure({**old, "mode": "assignment"}, Referral)  # an assignment's text is its report
    assert assigned.feedbacks == ()


# --- blank texts -----------------------------------------------------------------------------------------

BLANKS = ["", "   ", "\u3000\u3000", "\u200b\u200b", "\ufeff", "\u200d\u2060\n", "\u3164", "\u00a0\t"]


@pytest.mark.parametrize("text", BLANKS)
def test_blank_and_invisible_only_texts_are_blank(text: str) -> None:
    assert is_blank(text)


@pytest.mark.parametrize("text", ["好", "\u200b好\u200b", "a", "1", "😀", "\u0301a"])
def test_texts_with_something_visible_are_not_blank(text: str) -> None:
    assert not is_blank(text)


@pytest.mark.parametrize(("blank", "problem"), [("  ", "blank"), ("\u200b\u200c\u200d", "invisible")])
def test_every_required_text_is_refused_when_blank(office: Office, blank: str, problem: str) -> None:
    """reply text, reasons, opinions, feedback: refused naming the field, nothing changed.

    Invisible-only text is refused by the input normaliser before the domain's blank check sees it."""
    claim = office.register(sample_petition()).case.id
    assert refused(office.decline, claim, reason=blank, channel="litigation") == (("reason", problem),)
    office.accept(claim)
    assert refused(office.reply, claim, outcome="explain", text=blank) == (("text", problem),)
    assert refused(office.extend, claim, days=5, reason=blank, approved_by=DIRECTOR) == (("reason", problem),)
    office.reply(claim, outcome="explain", text="答复")
    assert refused(office.request_review, claim, reason=blank, organ=blank) == (
        ("reason", problem),
        ("organ", problem),
    )
    office.request_review(claim, reason="不服", organ="区政府")
    assert refused(office.decide_review, claim, outcome="explain", opinion=blank) == (("opinion", problem),)
    transferred = office.register(sample_petition()).case.id
    office.transfer(transferred, body="GOV-HRSS")
    assert refused(office.record_feedback, transferred, text=blank) == (("text", problem),)
    assert refused(office.record_objection, transferred, reason=blank) == (("reason", problem),)
    assigned = office.register(sample_petition()).case.id
    office.assign(assigned, body="GOV-HRSS")
    assert refused(office.supervise, assigned, reason=blank) == (("reason", problem),)
    assert refused(office.record_report, assigned, outcome="support", text=blank) == (("text", problem),)
    before = {ref: office.case(ref) for ref in (claim, transferred, assigned)}
    assert all(office.case(ref) == case for ref, case in before.items())
    assert office.case(claim).state is CaseState.UNDER_REVIEW


# --- representatives count the people who came ---------------------------------------------------------


def _visit(headcount: int, representatives: int, others: int = 0) -> dict[str, object]:
    people = [
        {"name": f"代表{i}", "role": "representative", "id_number": SAMPLE_ID_NUMBERS[i % 3]}
        for i in range(representatives)
    ] + [{"name": f"群众{i}", "id_number": SAMPLE_ID_NUMBERS[i % 3]} for i in range(others)]
    return sample_petition(channel="visit", headcount=headcount, petitioners=people)


@pytest.mark.parametrize(
    ("headcount", "representatives", "others", "problems"),
    [
        (8, 0, 1, [("petitioners", "needs_representatives")]),  # 8 came, none marked representative
        (8, 1, 0, []),
        (8, 5, 0, []),
        (8, 6, 0, [("petitioners", "too_many_representatives")]),
        (5, 0, 5, []),  # five people may all speak for themselves
        (2, 0, 3, [("headcount", "fewer_than_listed")]),  # three listed visitors, "two came"
        (40, 0, 7, [("petitioners", "needs_representatives")]),
    ],
)
def test_the_representative_limit_counts_the_people_who_came(
    office: Office, headcount: int, representatives: int, others: int, problems: list[tuple[str, str]]
) -> None:
    draft = _visit(headcount, representatives, others)
    if problems:
        assert list(refused(office.register, draft)) == problems
    else:
        assert office.register(draft).petition.headcount == headcount


def test_zhejiang_asks_representatives_of_a_visit_of_four() -> None:
    """ZJ art. 15: at most 3 representatives for ten people or fewer, so four who came must elect some."""
    zj = open_test_office({**office_settings(), "rules": {"set": "zhejiang"}})
    assert list(refused(zj.register, _visit(4, 0, 4))) == [("petitioners", "needs_representatives")]
    assert zj.register(_visit(4, 2, 0)).petition.headcount == 4


def test_a_letter_needs_no_representatives(office: Office) -> None:
    letter = {**_visit(30, 0, 1), "channel": "letter"}
    assert office.register(letter).petition.headcount == 30


def test_checks_run_on_the_local_date(office: Office, clock: FakeClock) -> None:
    """Registration at 00:30 Shanghai on 3 March is 16:30 UTC on 2 March: the bound is the local date."""
    clock.current = datetime(2026, 3, 3, 0, 30, tzinfo=SHANGHAI)
    reg = office.register(sample_petition(received_at="2026-03-03T00:20:00+08:00"))
    office.accept(reg.case.id)
    problems = refused(office.reply, reg.case.id, outcome="explain", text="答复", delivered_on=date(2026, 3, 2))
    assert problems == (("delivered_on", "before_registration"),)  # 2 March is the UTC date, not the office's
    assert office.reply(reg.case.id, outcome="explain", text="答复", delivered_on=date(2026, 3, 3)).reply


@given(
    st.integers(min_value=0, max_value=20),  # days from registration to acceptance
    st.integers(min_value=0, max_value=20),  # days from acceptance to today
    st.integers(min_value=-800, max_value=30),  # the delivery date given, in days from today
)
def test_a_delivery_is_recorded_exactly_when_it_lies_between_acceptance_and_today(
    to_accept: int, to_today: int, delivered: int
) -> None:
    clock = FakeClock()
    office = open_test_office(office_settings(), clock=clock)
    reg = office.register(sample_petition(received_at=clock().isoformat()))
    clock.advance(days=to_accept)
    accepted = clock().date()
    office.accept(reg.case.id)
    clock.advance(days=to_today)
    day = clock().date() + timedelta(days=delivered)
    if accepted <= day <= clock().date():
        case = office.reply(reg.case.id, outcome="explain", text="答复", delivered_on=day)
        window = case.obligation(Clock.REVIEW_REQUEST)
        # counted from the real delivery; with acceptance less than 30 days back it cannot have closed already
        assert window is not None and window.basis.start == day and window.due >= clock().date()
    else:
        with pytest.raises(InvalidInput) as err:
            office.reply(reg.case.id, outcome="explain", text="答复", delivered_on=day)
        assert err.value.fields == ("delivered_on",)
        assert office.case(reg.case.id).state is CaseState.ACCEPTED
