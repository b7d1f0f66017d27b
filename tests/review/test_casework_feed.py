"""Security review: nothing of an accusation's investigation reaches any body through the changes feed.

``casework_visibility`` withholds an investigation of a case holding an accusation from every body
(who was heard, where, what evidence); the feed must not carry the same facts as events.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from petitionkit.domain.access import Principal
from petitionkit.service import Office
from petitionkit.testing import sample_petition
from petitionkit.testing.files import TINY_PNG

BODY = "GOV-HRSS"
ACCUSER = "欧阳检举人"
INVESTIGATION_EVENTS = {"InvestigationPlanned", "InquiryRecorded", "EvidenceRecorded", "FindingsRecorded"}


@pytest.fixture(autouse=True)
def _blobs_in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The in-memory office keeps attachment blobs in ./attachments: a test's own folder, not the checkout."""
    monkeypatch.chdir(tmp_path)


def _body() -> Principal:
    return Principal("body-user", roles=frozenset({"handling_body"}), body_codes=frozenset({BODY}))


def _accusation_with_investigation(office: Office) -> str:
    reg = office.register(
        sample_petition(
            kind="accusation",
            petitioners=[{"name": ACCUSER, "phone": "13900139000"}],
            respondent={"person_name": "某科长", "unit_name": "某街道城管中队"},
        )
    )
    ref = reg.case.id
    office.resolve_respondent(ref, unlisted=True)
    plan = office.plan_investigation(
        ref, mode="unannounced", investigators=["li"], places=["城管中队"], due_on=office.today(), purpose="核实"
    )
    office.record_inquiry(ref, plan.id, kind="interview", place="城管中队", persons="张三", summary="约谈")
    photo = office.attach(ref, TINY_PNG, filename="现场.png", kind="evidence")
    office.add_evidence(ref, plan.id, attachment_id=photo.id, description="现场照片")
    office.record_findings(ref, plan.id, findings="属实")
    office.assign(ref, body=BODY)
    return ref


def test_the_feed_gives_a_body_no_event_of_an_accusations_investigation(office: Office) -> None:
    ref = _accusation_with_investigation(office)
    staff = {e.name for e in office.changes(limit=1000) if e.case_id == ref}
    assert staff >= INVESTIGATION_EVENTS  # the office sees them all
    body = office.acting_as(_body())
    seen = [e for e in body.changes(limit=1000) if e.case_id == ref]
    assert seen, "the body sees the case's other events (it is referred there)"
    assert not {e.name for e in seen} & INVESTIGATION_EVENTS
    assert not any("城管中队" in str(e.payload) or "att-1" in str(e.payload) for e in seen)


def test_the_feed_still_gives_a_body_the_investigation_of_an_ordinary_case(office: Office) -> None:
    ref = office.register(sample_petition()).case.id
    office.plan_investigation(ref, mode="open", investigators=["li"], places=["x"], due_on=office.today(), purpose="p")
    office.assign(ref, body=BODY)
    names = {e.name for e in office.acting_as(_body()).changes(limit=1000) if e.case_id == ref}
    assert "InvestigationPlanned" in names


def test_every_event_of_a_casework_record_is_mapped_to_its_kind() -> None:
    import attrs

    from petitionkit.domain import event_types
    from petitionkit.domain.casework import EVENT_KINDS

    ids = {"reception_id", "investigation_id", "basis_id"}
    telling = {
        cls.name
        for cls in vars(event_types).values()
        if isinstance(cls, type) and attrs.has(cls) and ids & {f.name for f in attrs.fields(cls)}
    }
    assert telling and telling == set(EVENT_KINDS)
