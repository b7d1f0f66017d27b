"""Security review: over HTTP (SQLite, PostgreSQL), a handling body's ``GET /cases?text=`` finds an
accusation it handles by the words it may read, never by the accuser's identity struck from them."""

from __future__ import annotations

from petitionkit.testing import DIRECTOR, REGISTRAR, sample_petition

from .conftest import BODY, Server

ACCUSER = "欧阳检举人"


def test_a_body_cannot_search_by_a_struck_identity(server: Server) -> None:
    office = server.office.acting_as(DIRECTOR)
    reg = server.office.acting_as(REGISTRAR).register(
        sample_petition(
            kind="accusation",
            subject=f"{ACCUSER}检举某中队违规收费",
            petitioners=[{"name": ACCUSER, "phone": "13900139000"}],
            respondent={"person_name": "某科长", "unit_name": "某街道城管中队"},
        )
    )
    office.resolve_respondent(reg.case.id, unlisted=True)
    office.assign(reg.case.id, body=BODY)
    body = server.client("u-hrss")
    found = body.get("/cases", params={"text": "违规收费"})
    assert found.status_code == 200 and [c["id"] for c in found.json()["items"]] == [reg.case.id]
    assert ACCUSER not in found.text
    probe = body.get("/cases", params={"text": ACCUSER})
    assert probe.status_code == 200 and probe.json()["items"] == []
    clerk = server.client("u-wang")
    assert [c["id"] for c in clerk.get("/cases", params={"text": ACCUSER}).json()["items"]] == [reg.case.id]
