"""Bad input gets a typed error naming each field, and nothing is stored."""

from __future__ import annotations

from typing import Any

import pytest

from petitionkit import Office
from petitionkit.errors import InvalidInput
from petitionkit.testing import SAMPLE_ID_NUMBERS, sample_petition

PERSON = {"name": "张三", "id_number": SAMPLE_ID_NUMBERS[0], "phone": "13800138000"}


@pytest.mark.parametrize(
    ("overrides", "fields"),
    [
        ({"channel": "pigeon"}, ["channel"]),
        ({"kind": "complaint"}, ["kind"]),
        ({"received_at": "2026-03-01 08:00"}, ["received_at"]),  # no UTC offset
        ({"received_at": "2026-03-05T08:00:00+08:00"}, ["received_at"]),  # in the future
        ({"region_code": "33010"}, ["region_code"]),
        ({"subject": " "}, ["subject"]),
        ({"subject": "x" * 201}, ["subject"]),
        ({"headcount": 0}, ["headcount"]),
        ({"headcount": "3"}, ["headcount"]),
        ({"colour": "red"}, ["colour"]),
        ({"petitioners": [{**PERSON, "id_number": "110105194912310021"}]}, ["petitioners[0].id_number"]),
        ({"petitioners": [{**PERSON, "phone": "12345"}]}, ["petitioners[0].phone"]),
        ({"petitioners": [{**PERSON, "nickname": "x"}]}, ["petitioners[0].nickname"]),
        ({"petitioners": [{**PERSON, "role": "agent"}]}, ["petitioners[0].mandate_ref"]),
        ({"petitioners": []}, ["petitioners"]),
        ({"anonymous": True}, ["petitioners"]),
        ({"anonymous": True, "petitioners": [], "channel": "visit"}, ["anonymous"]),
        ({"channel": "visit", "petitioners": [{"name": "张三", "phone": "13800138000"}]}, ["petitioners"]),
        ({"headcount": 30, "petitioners": [{**PERSON, "role": "representative"}] * 6}, ["petitioners"]),
        ({"respondent": {"unit": "x"}}, ["respondent.unit"]),
        ({"region_code": "1", "phone": 1}, ["phone"]),
    ],
)
def test_each_bad_field_is_named_and_nothing_is_stored(
    office: Office, overrides: dict[str, Any], fields: list[str]
) -> None:
    with pytest.raises(InvalidInput) as err:
        office.register(sample_petition(**overrides))
    assert list(err.value.fields) == fields or set(fields) <= set(err.value.fields)
    assert office.search() == []


def test_missing_fields_are_all_reported_at_once(office: Office) -> None:
    with pytest.raises(InvalidInput) as err:
        office.register({"channel": "letter"})
    assert set(err.value.fields) == {"received_at", "kind", "subject", "content", "category", "region_code"}


def test_error_messages_exist_in_both_locales_and_do_not_echo_personal_data(office: Office) -> None:
    bad_id = "110105194912310021"
    with pytest.raises(InvalidInput) as err:
        office.register(sample_petition(petitioners=[{**PERSON, "id_number": bad_id}]))
    zh, en = err.value.message("zh-CN"), err.value.message("en")
    assert "身份证" in zh and "GB 11643" in en
    assert bad_id not in zh + en + str(err.value.to_dict())


def test_a_non_mapping_document_is_refused(office: Office) -> None:
    with pytest.raises(InvalidInput) as err:
        office.register(["not", "a", "petition"])  # type: ignore[arg-type]
    assert err.value.fields == ("(document)",)


def test_a_collective_petition_with_five_representatives_is_accepted(office: Office) -> None:
    people = [{**PERSON, "role": "representative", "name": f"代表{i}"} for i in range(5)]
    reg = office.register(sample_petition(channel="visit", headcount=40, petitioners=people))
    assert reg.petition.is_collective and len(reg.petition.petitioners) == 5


def test_an_agent_with_a_mandate_is_accepted(office: Office) -> None:
    agent = {"name": "律师甲", "role": "agent", "mandate_ref": "委托书-2026-01", "phone": "0571-87654321"}
    reg = office.register(sample_petition(petitioners=[PERSON, agent]))
    assert reg.petition.petitioners[1].role.value == "agent"
