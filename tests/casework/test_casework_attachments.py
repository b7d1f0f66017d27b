"""Casework joined to attachments and search, on the memory store, SQLite and PostgreSQL: evidence must
be an attachment of the same case with the digest it was attached with; reception and investigation
texts are found by search, identities struck, and never by a body the policy keeps them from."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from pathlib import Path

import pytest

from petitionkit.errors import InvalidInput
from petitionkit.privacy import MASTER_KEY_ENV
from petitionkit.service import Office
from petitionkit.testing import FakeClock, body_principal, office_settings, open_test_office, sample_petition
from petitionkit.testing.files import TINY_PNG, png

MASTER = {"m-test": bytes(range(32))}  # made up for tests
ACCUSED = "GOV-HRSS"
OTHER = "GOV-LAND"
ACCUSER = "欧阳检举人"


@pytest.fixture(params=["memory", "sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)])
def office(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Office]:
    monkeypatch.setenv(MASTER_KEY_ENV, ",".join(f"{k}:{base64.b64encode(v).decode()}" for k, v in MASTER.items()))
    url = "memory://" if request.param == "memory" else str(request.getfixturevalue(f"{request.param}_url"))
    config = {
        **office_settings(),
        "database": {"url": url},
        "settings": {"attachments": {"folder": str(tmp_path / "blobs")}},
    }
    office = open_test_office(config, clock=FakeClock())
    yield office
    office.close()


def _plan(office: Office, ref: str) -> str:
    return office.plan_investigation(
        ref, mode="unannounced", investigators=["li"], places=["工地"], due_on=office.today(), purpose="核实"
    ).id


def test_evidence_is_an_attachment_of_the_case_with_its_recorded_digest(office: Office) -> None:
    ref = office.register(sample_petition()).case.id
    other = office.register(sample_petition(subject="另一事项")).case.id
    photo = office.attach(ref, TINY_PNG, filename="现场.png", kind="photo")
    elsewhere = office.attach(other, png(3, 2), filename="别处.png", kind="photo")
    plan = _plan(office, ref)
    before = len(office.events(ref))
    refusals = [
        ({"attachment_id": "no-such-attachment", "digest": photo.digest}, ("attachment_id",)),
        ({"attachment_id": elsewhere.id, "digest": elsewhere.digest}, ("attachment_id",)),  # another case's
        ({"attachment_id": photo.id, "digest": elsewhere.digest}, ("digest",)),
    ]
    for given, fields in refusals:
        with pytest.raises(InvalidInput) as refused:
            office.add_evidence(ref, plan, description="照片", **given)
        assert refused.value.fields == fields
        assert photo.digest not in refused.value.message("en")
    assert len(office.events(ref)) == before  # nothing written
    by_digest = office.add_evidence(ref, plan, attachment_id=photo.id, digest=photo.digest.upper(), description="照片")
    by_id = office.add_evidence(ref, plan, attachment_id=photo.id, description="同一张照片")
    assert [e.digest for e in by_id.evidence] == [photo.digest, photo.digest]
    assert by_digest.evidence[0].attachment_id == photo.id
    recorded = [e.payload for e in office.events(ref) if e.name == "EvidenceRecorded"]
    assert [p["attachment_digest"] for p in recorded] == [photo.digest, photo.digest]
    assert office.verify_casework(ref) == []


def test_reception_and_investigation_texts_are_found_by_the_office_not_by_a_body_kept_from_them(
    office: Office,
) -> None:
    reg = office.register(
        sample_petition(
            kind="accusation",
            subject="检举",
            content="检举某科长",
            petitioners=[{"name": ACCUSER, "phone": "13900139000"}],
            respondent={"person_name": "某科长", "unit_name": "区人力资源和社会保障局"},
        )
    )
    ref = reg.case.id
    assert reg.case.respondent is not None and reg.case.respondent.body_code == ACCUSED
    office.receive(
        ref, channel="visit", asked=f"{ACCUSER}询问进展", explained="已向来访人说明宅基地审批的办理程序和时限"
    )
    plan = _plan(office, ref)
    office.record_inquiry(ref, plan, kind="site_visit", place="工地", summary="现场发现违规堆放的钢筋")
    found = office.search_text("宅基地")
    assert [(r.case_id, r.source_kind) for r in found.results] == [(ref, "reception")]
    assert [r.source_kind for r in office.search_text("钢筋").results] == ["investigation"]
    assert office.search_text("欧阳").results == ()  # the accuser's name is struck from the index
    accused = office.acting_as(body_principal(ACCUSED))
    for word in ("宅基地", "钢筋", "检举"):
        assert accused.search_text(word).results == ()
    office.assign(ref, body=OTHER)  # referred to a body that is not the accused one
    other = office.acting_as(body_principal(OTHER))
    assert [r.source_kind for r in other.search_text("宅基地").results] == ["reception"]
    assert other.search_text("钢筋").results == ()  # an accusation's investigation reaches no body
    assert accused.search_text("宅基地").results == ()


def test_reindex_rebuilds_casework_documents(office: Office) -> None:
    ref = office.register(sample_petition()).case.id
    office.receive(ref, channel="call", asked="问", explained="讲解了劳动仲裁的申请期限")
    assert office.reindex() == 1
    assert [r.source_kind for r in office.search_text("劳动仲裁").results] == ["reception"]


def test_a_purge_erases_the_talk_from_the_index() -> None:
    from petitionkit.service.retention import purge

    clock = FakeClock()
    office = open_test_office(office_settings(), clock=clock)
    ref = office.register(sample_petition()).case.id
    office.receive(ref, channel="visit", asked="问", explained="讲解了劳动仲裁的申请期限")
    office.withdraw(ref, reason="本人撤回")
    assert [r.case_id for r in office.search_text("劳动仲裁").results] == [ref]
    clock.advance(days=365 * 31)  # past every period of the national pack
    assert ref in purge(office).purged
    assert office.search_text("劳动仲裁").results == ()
