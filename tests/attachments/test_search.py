"""Full-text search in Chinese on both SQL backends and the memory store, filtered by role; person lookup
through the blind indexes; nothing of a petitioner's identity in the stored index."""

from __future__ import annotations

import base64
from collections.abc import Iterator

import pytest

from petitionkit.errors import InvalidInput, PermissionDenied
from petitionkit.privacy import MASTER_KEY_ENV
from petitionkit.service import Office
from petitionkit.testing import (
    AUDITOR,
    HANDLER,
    REGISTRAR,
    FakeClock,
    body_principal,
    office_settings,
    open_test_office,
    sample_petition,
)
from petitionkit.testing.databases import raw_dump

MASTER = {"m-test": bytes(range(32))}
BODY = "GOV-HRSS"
NAME, PHONE, ID_NUMBER = "欧阳金丝雀", "13712345678", "330102198704123617"


@pytest.fixture(params=["memory", "sqlite", "postgresql"])
def office(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[Office]:
    monkeypatch.setenv(MASTER_KEY_ENV, ",".join(f"{k}:{base64.b64encode(v).decode()}" for k, v in MASTER.items()))
    url = "memory://" if request.param == "memory" else str(request.getfixturevalue(f"{request.param}_url"))
    office = open_test_office({**office_settings(), "database": {"url": url}}, clock=FakeClock())
    yield office
    office.close()


def _noise(office: Office) -> str:
    reg = office.register(
        sample_petition(
            subject="小区噪音扰民",
            content=f"我是{NAME}，电话{PHONE}，身份证{ID_NUMBER}。附近工厂夜间施工，噪音严重影响居民休息。",
            petitioners=[{"name": NAME, "phone": PHONE, "id_number": ID_NUMBER}],
        )
    )
    return reg.case.id


def test_a_word_inside_a_sentence_is_found_and_pages_are_keyset(office: Office) -> None:
    noise = _noise(office)
    wages = office.register(sample_petition()).case.id
    assert {r.case_id for r in office.search_text("施工").results} == {noise}  # inside the content
    assert {r.case_id for r in office.search_text("噪音").results} == {noise}  # inside 噪音扰民 (the subject)
    assert {r.case_id for r in office.search_text("拖欠 工资").results} == {wages}
    assert office.search_text("拆迁").results == ()
    more = {office.register(sample_petition(subject="工资拖欠", content="工地拖欠工资")).case.id for _ in range(3)}
    found, positions, before = set(), [], None
    while True:  # a page of one hit at a time, each below the last
        page = office.search_text("工资", before=before, limit=1)
        found |= {r.case_id for r in page.results}
        positions += [r.position for r in page.results]
        if page.next is None:
            break
        before = page.next
    assert found == {wages, *more} and positions == sorted(positions, reverse=True)
    assert len(office.search_text("工资", limit=100).results) == 4
    with pytest.raises(InvalidInput):
        office.search_text("，。")


def test_a_person_is_found_only_by_roles_allowed_to_see_personal_data(office: Office) -> None:
    noise = _noise(office)
    office.register(sample_petition())
    assert [c.id for c in office.acting_as(HANDLER).find_person(phone=PHONE)] == [noise]
    assert [c.id for c in office.acting_as(HANDLER).find_person(id_number=ID_NUMBER)] == [noise]
    assert [c.id for c in office.acting_as(HANDLER).find_person(name=NAME, phone=PHONE)] == [noise]
    assert office.acting_as(HANDLER).find_person(name="司马云雀", phone=PHONE) == []
    for principal in (AUDITOR, body_principal(BODY)):
        with pytest.raises(PermissionDenied):
            office.acting_as(principal).find_person(name=NAME, phone=PHONE)
    assert office.search_text(NAME).results == ()  # a name is not in the full-text index
    with pytest.raises(InvalidInput):  # long digit runs are never words of the index, nor of a query
        office.search_text(PHONE)
    records = [r for r in office.access_records() if r.action == "find_person"]
    assert len(records) == 4 and all(PHONE not in r.query and NAME not in r.query for r in records)
    with pytest.raises(InvalidInput):
        office.acting_as(REGISTRAR).find_person(name=NAME)  # a name alone is no key


def test_an_accused_body_never_finds_an_accusation(office: Office) -> None:
    claim = office.register(sample_petition(subject="工资拖欠", content="工地拖欠工资"))
    office.transfer(claim.case.id, body=BODY)
    other = office.register(sample_petition(subject="工资问题", content="另一工地拖欠工资"))
    body = office.acting_as(body_principal(BODY))
    assert [r.case_id for r in body.search_text("工资").results] == [claim.case.id]  # only what was referred
    office.register(
        sample_petition(
            kind="accusation",
            subject="检举人社局工作人员",
            content="检举人社局工作人员收受好处拖欠工资",
            joins_case=claim.petition.tracking_number,
            respondent={"unit_name": "区人社局", "body_code": BODY},
        )
    )
    assert body.search_text("工资").results == ()
    assert body.search_text("检举").results == ()
    assert {r.case_id for r in office.search_text("工资").results} == {claim.case.id, other.case.id}


def test_the_stored_index_holds_no_name_phone_or_id_number(db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(MASTER_KEY_ENV, ",".join(f"{k}:{base64.b64encode(v).decode()}" for k, v in MASTER.items()))
    with open_test_office({**office_settings(), "database": {"url": db_url}}, clock=FakeClock()) as office:
        case_id = _noise(office)
        assert office.search_text("施工").results[0].case_id == case_id
    dump = raw_dump(db_url)
    assert "施工" in dump  # the index is there, in plain words
    for canary in (NAME, PHONE, ID_NUMBER, "金丝雀", "12345678", "0412361"):
        assert canary not in dump
