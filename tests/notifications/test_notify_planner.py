"""Which messages each transition produces, to whom, in which words — and what they never reveal."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import attrs
import pytest
from notify_helpers import PETITIONER_EMAIL, PETITIONER_PHONE, outbox, petition, settings_with, topics

from petitionkit.config import OfficeConfig
from petitionkit.domain.event_types import CaseAssigned
from petitionkit.domain.events import record_event
from petitionkit.errors import ConfigurationError, ProtectionRefusal
from petitionkit.notifications import MESSAGE_TYPES, Planner
from petitionkit.notifications.templates import Renderer
from petitionkit.service import Office
from petitionkit.testing import DIRECTOR, FakeClock, rendered

STAFF = "staff@rd.example.cn"


def new_rows(office: Office, before: int) -> list[tuple[str, str, str]]:
    return topics(outbox(office)[before:])


def test_registration_queues_nothing_and_accept_notifies_petitioner_by_email_and_sms(office: Office) -> None:
    case = office.register(petition()).case
    assert outbox(office) == []
    office.accept(case.id, note="依法受理")
    rows = outbox(office)
    assert topics(rows) == [("accepted", "email", PETITIONER_EMAIL), ("accepted", "sms", PETITIONER_PHONE)]
    first = rows[0]
    assert rendered(office, first).subject == f"信访事项受理告知（{case.first_tracking_number}）"
    assert "依法受理" in rendered(office, first).body and "办理期限至 2026-" in rendered(office, first).body
    assert first.idempotency_key.startswith(f"{case.id}:4:accepted:p-")  # the address is pseudonymised
    assert PETITIONER_EMAIL not in first.idempotency_key and len({r.idempotency_key for r in rows}) == 2
    assert first.case_id == case.id


def test_every_message_type_has_a_template_in_both_locales() -> None:
    root = Path(__file__).resolve().parents[2] / "src" / "petitionkit" / "notifications" / "templates"
    for locale in ("zh-CN", "en"):
        assert sorted(p.stem for p in (root / locale).glob("*.txt")) == sorted(MESSAGE_TYPES)


def test_decline_tells_the_right_channel_in_english(make_office: Callable[..., Office]) -> None:
    office = make_office({"locale": "en"})
    case = office.register(petition()).case
    office.decline(case.id, reason="the matter is pending in court", channel="litigation")
    (row, _sms) = outbox(office)
    assert row.topic == "declined"
    assert rendered(office, row).subject == f"Your petition {case.first_tracking_number} is not accepted"
    assert "pending in court" in rendered(office, row).body and "bring a lawsuit in court" in rendered(office, row).body


def test_assignment_writes_a_letter_to_each_body_contact_and_tells_the_petitioner(office: Office) -> None:
    case = office.register(petition()).case
    office.assign(case.id, body="GOV-HRSS")
    rows = outbox(office)
    assert topics(rows) == [
        ("referred", "email", PETITIONER_EMAIL),
        ("referred", "sms", PETITIONER_PHONE),
        ("assignment_letter", "email", "hrss@gov.example.cn"),
        ("assignment_letter", "webhook", "https://oa.example.cn/hooks/hrss"),
    ]
    letter = rows[2].payload
    text = rendered(office, rows[2]).body
    report = office.case(case.id).obligations[-1]
    assert letter["obligation_id"] == report.id and letter["body_code"] == "GOV-HRSS"
    assert "张三" in text and "拖欠工资三个月" in text  # an ordinary case: the body may know
    assert f"请于 {report.due.isoformat()} 前书面报告" in text


def test_transfer_extension_reply_review_each_notify(office: Office, clock: FakeClock) -> None:
    transferred = office.register(petition()).case
    office.transfer(transferred.id, body="GOV-HOUSING")
    assert [t for t, *_ in new_rows(office, 0)] == ["referred", "referred", "transfer_letter"]

    case = office.register(petition()).case
    office.accept(case.id)
    before = len(outbox(office))
    office.extend(case.id, days=10, reason="需要现场调查", approved_by=DIRECTOR)
    extended = outbox(office)[before]
    assert extended.topic == "extended" and "需要现场调查" in rendered(office, extended).body

    before = len(outbox(office))
    office.reply(case.id, outcome="support", text="已责成用人单位支付")
    kinds = sorted({t for t, *_ in new_rows(office, before)})
    assert kinds == ["evaluation_invitation", "reply"]
    reply = rendered(office, outbox(office)[before]).body
    assert "支持" in reply and "申请复查" in reply

    before = len(outbox(office))
    office.request_review(case.id, reason="不服", organ="市人大常委会信访室")
    assert new_rows(office, before) == [("staff_review_requested", "email", STAFF)]
    before = len(outbox(office))
    office.decide_review(case.id, outcome="not_support", opinion="维持")
    assert {t for t, *_ in new_rows(office, before)} == {"review_decided"}


def test_an_anonymous_petition_notifies_nobody_but_the_body(office: Office) -> None:
    case = office.register(petition(anonymous=True, petitioners=[])).case
    office.assign(case.id, body="GOV-HRSS")
    rows = outbox(office)
    assert {r.payload["audience"] for r in rows} == {"body"}
    assert all(r.payload["recipient"] not in (PETITIONER_EMAIL, PETITIONER_PHONE) for r in rows)


def _accusation(**extra: object) -> dict[str, object]:
    respondent = {"person_name": "李四", "unit_name": "区住建局", "body_code": "GOV-HOUSING"}
    return petition(
        kind="accusation",
        category="labour",
        subject="举报某局长受贿",
        content="某局长收受工程老板贿赂二十万元",
        **{"respondent": respondent, **extra},
    )


def test_accusation_letters_carry_no_identity_and_no_content(office: Office) -> None:
    case = office.register(_accusation()).case
    office.assign(case.id, body="SUPERVISION")  # the competent organ, not the accused's unit
    letters = [r for r in outbox(office) if r.payload["audience"] == "body"]
    assert letters, "the supervisory commission still gets its letter"
    for row in letters:
        text = rendered(office, row).subject + rendered(office, row).body
        for secret in ("张三", PETITIONER_PHONE, PETITIONER_EMAIL, "二十万", "受贿", "某街道"):
            assert secret not in text
        assert "依法保密" in text


def test_confidential_claim_letters_withhold_identity_and_content(office: Office) -> None:
    case = office.register(petition(confidential=True)).case
    office.transfer(case.id, body="GOV-HRSS")
    letter = rendered(office, next(r for r in outbox(office) if r.topic == "transfer_letter")).body
    assert "张三" not in letter and "拖欠工资三个月" not in letter and PETITIONER_PHONE not in letter


def test_a_message_about_an_accusation_is_never_addressed_to_the_accused_side(office: Office) -> None:
    """Even if an event names the accused's unit or its guarded parent, no message goes there."""
    case = office.register(_accusation()).case
    planner = Planner(office.config, office.rules)
    for code in ("GOV-HOUSING", "GOV"):  # the accused unit and its parent (guard_parent_body)
        assigned = CaseAssigned(referral_id="r", body_code=code)
        event = record_event(case.last_digest, case.id, case.last_sequence + 1, assigned, "clerk", office.now())
        planned = planner.plan([event], case, office.petitions(case.id))
        assert all(m.audience in ("petitioner", "staff") for m in planned), code
        assert not any(m.body_code == code for m in planned)
        # the staff hear that a message to the accused's side was withheld, and by which rule
        assert any(m.type == "staff_referral_refused" and "30" in m.body for m in planned), code
    # an ordinary claim against the same unit may be sent there
    claim = office.register(petition(respondent={"unit_name": "区住建局", "body_code": "GOV-HOUSING"})).case
    assigned = CaseAssigned(referral_id="r", body_code="GOV-HOUSING")
    event = record_event(claim.last_digest, claim.id, 2, assigned, "c", office.now())
    planned = planner.plan([event], claim, office.petitions(claim.id))
    housing = [m for m in planned if m.body_code == "GOV-HOUSING"]
    assert housing and all("张三" not in m.body for m in housing)  # the respondent's own unit: redacted


def test_staff_hear_of_objections(office: Office) -> None:
    case = office.register(petition()).case
    office.transfer(case.id, body="GOV-HRSS")
    before = len(outbox(office))
    office.record_objection(case.id, reason="不属本单位职责")
    assert new_rows(office, before) == [("staff_referral_objected", "email", STAFF)]


def test_an_office_overrides_a_template_by_dropping_a_file(make_office: Callable[..., Office], tmp_path: Path) -> None:
    folder = tmp_path / "templates" / "notifications" / "zh-CN"
    folder.mkdir(parents=True)
    (folder / "accepted.txt").write_text("受理啦 {{ tracking_number }}\n\n请耐心等待，{{ office_name }}\n", "utf-8")
    config = OfficeConfig.from_mapping(settings_with())
    office = make_office(config=attrs.evolve(config, base_dir=str(tmp_path)))
    case = office.register(petition()).case
    office.accept(case.id)
    row = outbox(office)[0]
    assert rendered(office, row).subject == f"受理啦 {case.first_tracking_number}"
    assert rendered(office, row).body == f"请耐心等待，{office.config.office_name}\n"
    # other types still come from the package
    assert Renderer(tmp_path / "templates" / "notifications").render("declined", "en", {
        "tracking_number": "T", "subject": "s", "reason": "r", "channel_label": "c"
    })[0] == "Your petition T is not accepted"  # fmt: skip


def test_a_broken_office_template_never_undoes_the_change_that_queued_its_message(
    make_office: Callable[..., Office], tmp_path: Path
) -> None:
    """The acceptance is committed; the notice fails at delivery (retried, then reported to staff).

    ``moves`` is a documented placeholder (so the template passes the check at open) that an
    acceptance does not carry, so rendering fails."""
    folder = tmp_path / "templates" / "notifications" / "zh-CN"
    folder.mkdir(parents=True)
    (folder / "accepted.txt").write_text("受理 {{ tracking_number }}\n\n{{ moves }}\n", "utf-8")
    config = OfficeConfig.from_mapping(settings_with())
    office = make_office(config=attrs.evolve(config, base_dir=str(tmp_path)))
    case = office.register(petition()).case
    assert office.accept(case.id).state.value == "accepted"
    assert office.case(case.id).state.value == "accepted" and outbox(office)[0].topic == "accepted"
    result = office.dispatch(max_attempts=1)
    assert result.dead >= 1  # the petitioner's notices could not be rendered
    alerts = [r for r in outbox(office) if r.topic == "staff_dead_letter"]
    assert alerts and "moves" in rendered(office, alerts[0]).body


def test_a_template_that_does_not_parse_is_refused_when_the_office_opens(
    make_office: Callable[..., Office], tmp_path: Path
) -> None:
    folder = tmp_path / "templates" / "notifications" / "zh-CN"
    folder.mkdir(parents=True)
    (folder / "accepted.txt").write_text("受理 {{ tracking_number \n\n正文\n", "utf-8")
    config = OfficeConfig.from_mapping(settings_with())
    with pytest.raises(ConfigurationError) as err:
        make_office(config=attrs.evolve(config, base_dir=str(tmp_path)))
    assert "accepted.txt" in err.value.setting and "line 3" in err.value.problem


def test_staff_hear_why_a_referral_was_blocked_in_their_words(office: Office) -> None:
    """The alert names the action in words and, for an unresolved respondent, what to do."""
    case = office.register(_accusation(respondent={"unit_name": "某个没人知道的单位"})).case
    with pytest.raises(ProtectionRefusal):
        office.transfer(case.id, body="GOV-HRSS")
    alert = next(r for r in outbox(office) if r.topic == "staff_referral_refused")
    text = rendered(office, alert)
    assert "被检举单位尚未确认" in text.subject and "resolve-respondent" in text.body and "转送" in text.body
