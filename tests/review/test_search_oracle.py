"""Security review: a handling body's text search matches only what the body may read.

A body reads an accusation's subject with the accuser's identity struck (``***``); if its search
matched the stored subject, searching a name would tell it whether that person is the accuser of a
case it handles (an oracle on struck text).  Both searches (``search``, ``cases_page``) are checked.
"""

from __future__ import annotations

from petitionkit.domain.access import Principal
from petitionkit.service import Office
from petitionkit.testing import sample_petition

BODY = "GOV-HRSS"
ACCUSER = "欧阳检举人"
PHONE = "13900139000"


def _body() -> Principal:
    return Principal("body-user", roles=frozenset({"handling_body"}), body_codes=frozenset({BODY}))


def _accusation(office: Office) -> str:
    reg = office.register(
        sample_petition(
            kind="accusation",
            subject=f"{ACCUSER}（{PHONE}）检举某中队违规收费",
            petitioners=[{"name": ACCUSER, "phone": PHONE}],
            respondent={"person_name": "某科长", "unit_name": "某街道城管中队"},
        )
    )
    office.resolve_respondent(reg.case.id, unlisted=True)
    office.assign(reg.case.id, body=BODY)
    return reg.case.id


def test_a_body_cannot_find_a_case_by_the_identity_struck_from_what_it_reads(office: Office) -> None:
    ref = _accusation(office)
    body = office.acting_as(_body())
    (listed,) = body.search()
    assert listed.id == ref and ACCUSER not in listed.subject  # it reads the case, the name struck
    assert [c.id for c in body.search(text="违规收费")] == [ref]  # words it can read still find it
    for probe in (ACCUSER, PHONE, ACCUSER[:2]):
        assert body.search(text=probe) == [], probe
        assert body.cases_page(text=probe).items == [], probe
    assert [c.id for c in body.cases_page(text="违规收费").items] == [ref]
    assert [c.id for c in office.search(text=ACCUSER)] == [ref]  # the office searches what it stores
