"""Regression tests of issue 11 through the Python API: each path by which an accuser's or a
confidential petitioner's identity reached a body is closed, and every refusal is recorded."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from petitionkit.errors import InvalidInput, RespondentUnresolved, UnknownBody, WhistleblowerGuard
from petitionkit.service import Office
from petitionkit.storage.base import OutboxMessage
from petitionkit.testing import (
    SAMPLE_ID_NUMBERS,
    FakeClock,
    office_settings,
    open_test_office,
    rendered,
    sample_petition,
)

ACCUSER = {"name": "王举报", "id_number": SAMPLE_ID_NUMBERS[1], "phone": "13912345678", "address": "幸福路8号"}
SECRETS = ("王举报", SAMPLE_ID_NUMBERS[1], "13912345678", "幸福路8号")
CONTACTS = {"GOV": "gov@example.cn", "GOV-HOUSING": "housing@example.cn", "SUPERVISION": "jw@example.cn"}


@pytest.fixture
def office(clock: FakeClock) -> Office:
    """The sample office with e-mail and webhook contacts for its bodies."""
    data = dict(office_settings())
    data["bodies"] = [
        {**b, "contacts": {"email": CONTACTS[b["code"]], "webhook": f"https://oa.example.cn/{b['code']}"}}
        if b["code"] in CONTACTS
        else b
        for b in data["bodies"]
    ]
    data["settings"] = {
        "notifications": {"staff": {"email": ["staff@rd.example.cn"]}, "body_channels": ["email", "webhook"]}
    }
    return open_test_office(data, clock=clock)


def accusation(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "kind": "accusation",
        "subject": "举报住建局某科长",
        "content": f"举报人王举报（身份证{SAMPLE_ID_NUMBERS[1]}，电话139 1234 5678）反映：某科长收受好处。",
        "petitioners": [ACCUSER],
        "respondent": {"unit_name": "区住建局", "body_code": "GOV-HOUSING"},
    }
    return sample_petition(**{**data, **overrides})


def body_rows(office: Office, body_code: str) -> list[OutboxMessage]:
    rows: list[OutboxMessage] = list(office.storage.outbox.values())  # type: ignore[attr-defined]
    return [r for r in rows if r.payload.get("body_code") == body_code and r.payload.get("audience") == "body"]


def webhook_bodies(office: Office, body_code: str) -> list[str]:
    webhook = pytest.importorskip("petitionkit_webhook")
    return [webhook.WebhookNotifier.document(rendered(office, r)).decode("utf-8") for r in body_rows(office, body_code)]


def leaked(text: str) -> list[str]:
    return [s for s in SECRETS if s in text]


def joined_accusation(office: Office) -> str:
    """A claim case about housing that an accusation against the housing bureau joins."""
    claim = office.register(sample_petition(category="housing"))
    office.register(accusation(joins_case=claim.petition.tracking_number))
    return claim.case.id


# --- an accusation that joins a claim case --------------------------------------------------------


@pytest.mark.parametrize("body", ["GOV-HOUSING", "GOV"])  # the accused unit, and its parent
@pytest.mark.parametrize("action", ["transfer", "assign"])
def test_a_joined_accusation_guards_the_claim_case(office: Office, action: str, body: str) -> None:
    case_id = joined_accusation(office)
    before = office.case(case_id)
    with pytest.raises(WhistleblowerGuard):
        getattr(office, action)(case_id, body=body)
    after = office.case(case_id)
    assert after.state is before.state and not after.referrals
    refusal = office.events(case_id)[-1]
    assert refusal.name == "ReferralRefused" and refusal.actor == "admin#administrator"
    assert refusal.payload["body_code"] == body and "art. 30" in refusal.payload["rule"]
    assert body_rows(office, body) == []


def test_routing_a_joined_accusation_passes_over_the_accused_side(office: Office) -> None:
    case_id = joined_accusation(office)
    office.transfer(case_id, body="SUPERVISION")
    for row in body_rows(office, "SUPERVISION"):
        assert not leaked(json.dumps(row.payload, ensure_ascii=False))
    assert webhook_bodies(office, "SUPERVISION") and not any(leaked(w) for w in webhook_bodies(office, "SUPERVISION"))


def test_a_body_that_became_guarded_gets_no_export_no_document_no_supervision(office: Office, tmp_path: Path) -> None:
    """Referred to the housing bureau as a claim; then an accusation against that bureau joins."""
    claim = office.register(sample_petition(category="housing"))
    office.assign(claim.case.id, body="GOV-HOUSING")
    sent_before = len(body_rows(office, "GOV-HOUSING"))
    office.register(accusation(joins_case=claim.petition.tracking_number))
    assert list(office.export_for_body("GOV-HOUSING")) == []
    assert office.events(claim.case.id)[-1].name == "ExportRefused"
    with pytest.raises(WhistleblowerGuard):
        office.supervise(claim.case.id, reason="逾期")
    assert office.events(claim.case.id)[-1].name == "ReferralRefused"
    docx = pytest.importorskip("docxtpl")
    assert docx
    from petitionkit.documents import make_document

    with pytest.raises(WhistleblowerGuard):
        make_document(office, "assignment-letter", claim.case.id, tmp_path / "letter.docx")
    assert not (tmp_path / "letter.docx").exists()
    assert office.events(claim.case.id)[-1].name == "DocumentRefused"
    assert len(body_rows(office, "GOV-HOUSING")) == sent_before


# --- a respondent named by unit name only, or with its code typed differently -------------------


def test_a_unit_named_by_its_name_resolves_to_its_code_and_is_guarded(office: Office) -> None:
    reg = office.register(accusation(respondent={"unit_name": " 区住房和城乡建设局 "}))
    assert reg.petition.respondent is not None and reg.petition.respondent.body_code == "GOV-HOUSING"
    with pytest.raises(WhistleblowerGuard):
        office.transfer(reg.case.id, body="GOV-HOUSING")


@pytest.mark.parametrize("typed", ["gov-housing", " GOV-HOUSING", "GOV- HOUSING", "ＧＯＶ－ＨＯＵＳＩＮＧ"])
def test_a_code_typed_differently_is_normalised_and_guarded(office: Office, typed: str) -> None:
    reg = office.register(accusation(respondent={"body_code": typed}))
    assert reg.case.respondent is not None and reg.case.respondent.body_code == "GOV-HOUSING"
    for body in ("GOV-HOUSING", "GOV"):
        with pytest.raises(WhistleblowerGuard):
            office.assign(reg.case.id, body=body)


def test_an_unknown_body_code_is_refused_at_registration_naming_the_field(office: Office) -> None:
    with pytest.raises(InvalidInput) as err:
        office.register(accusation(respondent={"body_code": "GOV-HOUSNIG"}))
    assert err.value.fields == ("respondent.body_code",)
    assert "respondent.body_code" in err.value.message("en") and "respondent.body_code" in err.value.message("zh-CN")
    assert office.search() == []  # nothing stored


def test_an_unresolved_respondent_blocks_every_body_until_a_clerk_resolves_it(office: Office, tmp_path: Path) -> None:
    reg = office.register(accusation(respondent={"unit_name": "某街道的城管队"}))
    case_id = reg.case.id
    for action in ("transfer", "assign"):
        with pytest.raises(RespondentUnresolved) as err:
            getattr(office, action)(case_id, body="SUPERVISION")
        assert "resolve-respondent" in err.value.message("en") and "resolve-respondent" in err.value.message("zh-CN")
        last = office.events(case_id)[-1]
        assert last.name == "ReferralRefused" and last.payload["refusal"] == "respondent_unresolved"
        assert last.actor == "admin#administrator" and last.payload["petitions"] == [reg.petition.tracking_number]
    assert body_rows(office, "SUPERVISION") == []
    with pytest.raises(UnknownBody):
        office.resolve_respondent(case_id, body="NOWHERE")
    with pytest.raises(InvalidInput):
        office.resolve_respondent(case_id)  # neither --body nor --unlisted
    office.resolve_respondent(case_id, body="gov-housing")
    resolved = office.events(case_id)[-1]
    assert resolved.name == "RespondentResolved" and resolved.payload["body_code"] == "GOV-HOUSING"
    assert office.petitions(case_id)[0].respondent.body_code == "GOV-HOUSING"  # type: ignore[union-attr]
    with pytest.raises(WhistleblowerGuard):
        office.transfer(case_id, body="GOV-HOUSING")
    office.transfer(case_id, body="SUPERVISION")
    with pytest.raises(InvalidInput):
        office.resolve_respondent(case_id, unlisted=True)  # nothing left unresolved


def test_an_unresolved_joined_accusation_blocks_the_whole_case(office: Office) -> None:
    claim = office.register(sample_petition())
    office.register(accusation(respondent=None, joins_case=claim.petition.tracking_number))
    with pytest.raises(RespondentUnresolved):
        office.transfer(claim.case.id, body="GOV-HRSS")
    office.resolve_respondent(claim.case.id, unlisted=True)
    office.transfer(claim.case.id, body="GOV-HRSS")


# --- a confidential repeat petitioner; identities inside free text -------------------------------


def test_a_confidential_joined_petitioner_never_reaches_the_body(office: Office) -> None:
    first = office.register(sample_petition(category="housing"))
    office.register(
        sample_petition(
            category="housing",
            confidential=True,
            petitioners=[ACCUSER],
            content="我是王举报，电话13912345678，家住幸福路8号",
            joins_case=first.petition.tracking_number,
        )
    )
    office.transfer(first.case.id, body="GOV-HOUSING")
    rows = body_rows(office, "GOV-HOUSING")
    assert rows
    for row in rows:
        assert not leaked(json.dumps(row.payload, ensure_ascii=False))
    assert not any(leaked(w) for w in webhook_bodies(office, "GOV-HOUSING"))
    docs = list(office.export_for_body("GOV-HOUSING"))
    assert len(docs) == 2 and not leaked(json.dumps(docs, ensure_ascii=False))
    assert docs[1]["identity_withheld"] is True and docs[1]["petitioners"][0]["name"] == "（依法保密）"


def test_identity_inside_content_is_struck_alike_by_export_and_documents(office: Office, tmp_path: Path) -> None:
    reg = office.register(accusation(respondent={"body_code": "GOV-LAND"}))
    office.transfer(reg.case.id, body="SUPERVISION")
    docs = list(office.export_for_body("SUPERVISION"))
    assert docs and not leaked(json.dumps(docs, ensure_ascii=False))
    assert "***" in docs[0]["content"] and "某科长收受好处" in docs[0]["content"]
    pytest.importorskip("docxtpl")
    from docx import Document  # type: ignore[import-untyped]

    from petitionkit.documents import make_document

    made = make_document(office, "transfer-letter", reg.case.id, tmp_path / "letter.docx")
    text = "\n".join(p.text for p in Document(made.path).paragraphs)
    assert made.identity_withheld and not leaked(text)
