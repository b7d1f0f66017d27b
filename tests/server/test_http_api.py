"""The HTTP API against a real server (uvicorn on loopback), on SQLite and PostgreSQL (issue 18)."""

from __future__ import annotations

import base64
import threading
import uuid
from datetime import timedelta
from typing import Any

from petitionkit.storage.base import ApiKey
from petitionkit.testing import sample_petition

from .conftest import BODY, Server, httpx

CANARY = "欧阳检举人"  # an accuser's name: no handling body may ever read it


def key() -> dict[str, str]:
    return {"Idempotency-Key": uuid.uuid4().hex}


def register(client: httpx.Client, **overrides: Any) -> dict[str, Any]:
    response = client.post("/petitions", json=sample_petition(**overrides), headers=key())
    assert response.status_code == 201, response.text
    return dict(response.json())


def change(
    client: httpx.Client, case: dict[str, Any], path: str, body: dict[str, Any], **headers: str
) -> httpx.Response:
    etag = client.get(f"/cases/{case['id']}").headers["ETag"]
    return client.post(f"/cases/{case['id']}/{path}", json=body, headers={"If-Match": etag, **key(), **headers})


# --- authentication ---------------------------------------------------------------------------------


def test_no_or_bad_credentials_are_401_problems(server: Server) -> None:
    from joserfc.jwk import RSAKey

    stranger = RSAKey.generate_key(2048, parameters={"kid": "k1"}, private=True)
    refused = [
        server.client(),
        server.client(token="not-a-jwt"),
        server.client(token=server.provider.token("u-wang", key=stranger)),  # signed by another key
        server.client(token=server.provider.token("u-wang", audience="another-app")),
        server.client(token=server.provider.token("u-wang", expires_in=-600)),
        server.client(token=server.provider.token("u-nobody")),  # a real user, but no principal of the office
        server.client(token="pk_0123456789abcdef.wrong-secret"),
        server.client(Authorization="Basic d2FuZzp4"),
    ]
    for client in refused:
        response = client.get("/cases")
        assert response.status_code == 401, response.text
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
        assert response.headers["Content-Type"].startswith("application/problem+json")
        assert response.json()["code"] == "unauthorized"
    assert server.client("u-wang").get("/cases").status_code == 200


def test_api_keys_act_as_their_principal_until_expired_or_revoked(server: Server) -> None:
    admin = server.as_admin()
    made, token = admin.create_api_key("wang", name="县OA系统", days=30)
    oa = server.client(token=token)
    reg = oa.post("/petitions", json=sample_petition(), headers=key())
    assert reg.status_code == 201
    events = admin.events(reg.json()["case"]["id"])
    assert events[0].actor.startswith("wang#")  # it acted as its principal
    assert server.client(token=token.rsplit(".", 1)[0] + ".x").get("/cases").status_code == 401

    admin.revoke_api_key(made.id)
    assert oa.get("/cases").status_code == 401

    now = admin.now()
    old, old_token = admin.create_api_key("wang", name="old", days=1)
    expired = ApiKey(  # a key with the same secret that expired ten days ago
        id="expired0000000",
        office_code=old.office_code,
        principal_id="wang",
        name="expired",
        digest=old.digest,
        created_at=now - timedelta(days=40),
        expires_at=now - timedelta(days=10),
        created_by="admin",
    )
    with admin.storage.transaction() as tx:
        tx.add_api_key(expired)
    secret = old_token.rsplit(".", 1)[1]
    assert server.client(token=old_token).get("/cases").status_code == 200
    assert server.client(token=f"pk_{expired.id}.{secret}").get("/cases").status_code == 401


# --- the role matrix over HTTP ----------------------------------------------------------------------


def test_an_auditor_may_not_write_and_a_body_reads_only_its_own_cases(server: Server) -> None:
    clerk, auditor, body = server.client("u-wang"), server.client("u-sun"), server.client("u-hrss")
    denied = auditor.post("/petitions", json=sample_petition(), headers=key())
    assert denied.status_code == 403 and denied.json()["code"] == "permission_denied"

    mine = register(clerk)["case"]
    other = register(clerk, subject="另一事项")["case"]
    handler = server.client("u-li")
    assert change(handler, mine, "referrals", {"mode": "assignment", "body": BODY}).status_code == 200
    assert body.get(f"/cases/{mine['id']}").status_code == 200
    assert body.get(f"/cases/{other['id']}").status_code == 403
    listed = body.get("/cases").json()["items"]
    assert [c["id"] for c in listed] == [mine["id"]]
    assert body.get("/obligations/due").status_code == 403  # office-wide lists are for office staff


def test_a_body_never_reads_a_guarded_accusation_or_its_accuser(server: Server) -> None:
    clerk, handler, body = server.client("u-wang"), server.client("u-li"), server.client("u-hrss")
    accusation = register(
        clerk,
        kind="accusation",
        subject=f"{CANARY}检举某局干部",
        content=f"检举人{CANARY}反映：某局科长收受贿赂。",
        petitioners=[{"name": CANARY, "phone": "13900139000"}],
        respondent={"person_name": "某科长", "unit_name": "区人力资源和社会保障局"},
    )["case"]
    assert accusation["respondent"]["body_code"] == BODY  # the unit's name was recognised on registration
    refused = change(handler, accusation, "referrals", {"mode": "assignment", "body": BODY})
    assert refused.status_code == 403 and refused.json()["code"] == "whistleblower_guard"

    ordinary = register(clerk, subject="工资问题")["case"]
    referred = change(handler, ordinary, "referrals", {"mode": "assignment", "body": BODY, "note": "请核实"})
    assert referred.status_code == 200

    assert body.get(f"/cases/{accusation['id']}").status_code == 403
    seen = [
        body.get(f"/cases/{accusation['id']}"),
        body.get(f"/cases/{accusation['id']}/petitions"),
        body.get("/cases"),
        body.get("/events"),
        body.get(f"/cases/{ordinary['id']}"),
        body.get(f"/cases/{ordinary['id']}/petitions"),
    ]
    for response in seen:
        assert CANARY not in response.text, response.request.url
    feed = body.get("/events").json()["items"]
    assert feed and {e["case_id"] for e in feed} == {ordinary["id"]}


def test_reading_petitioners_leaves_an_access_record(server: Server) -> None:
    clerk = server.client("u-wang")
    case = register(clerk)["case"]
    before = len(server.as_admin().access_records(case_ref=case["id"]))
    response = clerk.get(f"/cases/{case['id']}/petitions", params={"purpose": "核实身份"})
    assert response.status_code == 200 and response.json()[0]["petitioners"][0]["name"] == "张三"
    records = server.as_admin().access_records(case_ref=case["id"])
    assert len(records) == before + 1
    assert records[-1].principal_id == "wang" and records[-1].purpose == "核实身份"
    audit = server.client("u-sun").get("/access-records", params={"case": case["id"]})
    assert audit.status_code == 200 and audit.json()[-1]["principal_id"] == "wang"
    clerk.get(f"/cases/{case['id']}/petitions", params={"purpose": "再次核实"})
    latest = server.client("u-sun").get("/access-records", params={"newest_first": "true", "limit": 1})
    assert [r["purpose"] for r in latest.json()] == ["再次核实"]
    older = server.client("u-sun").get("/access-records", params={"newest_first": "true", "offset": 1, "limit": 1})
    assert [r["id"] for r in older.json()] == [records[-1].id]
    refused = server.client("u-sun").get("/access-records", params={"offset": -1})
    assert refused.status_code == 400 and "offset" in refused.text


# --- problem details ---------------------------------------------------------------------------------


def test_bad_fields_are_named_in_both_languages(server: Server) -> None:
    clerk = server.client("u-wang")
    bad = sample_petition(region_code="12", subject="   ")
    zh = clerk.post("/petitions", json=bad, headers=key())
    en = clerk.post("/petitions", json=bad, headers={**key(), "Accept-Language": "en-US,en;q=0.9,zh;q=0.5"})
    assert zh.status_code == en.status_code == 422
    assert zh.headers["Content-Language"] == "zh-CN" and en.headers["Content-Language"] == "en"
    assert zh.json()["title"] == "输入有误" and en.json()["title"] == "Invalid input"
    for response in (zh, en):
        problem = response.json()
        assert problem["type"].startswith("urn:petitionkit:problem:") and problem["status"] == 422
        fields = {e["field"]: e["message"] for e in problem["errors"]}
        assert set(fields) == {"region_code", "subject"}
        assert "行政区划" in fields["region_code"]["zh-CN"] and "administrative" in fields["region_code"]["en"]
    typed = clerk.post("/petitions", json=sample_petition(headcount="many"), headers={**key(), "Accept-Language": "en"})
    assert typed.status_code == 422 and typed.json()["errors"][0]["field"] == "headcount"
    missing = clerk.post("/petitions", json={"channel": "letter"}, headers=key())
    assert missing.status_code == 422 and missing.json()["errors"]
    malformed = clerk.post("/petitions", content=b"{not json", headers={**key(), "Content-Type": "application/json"})
    assert malformed.status_code == 400 and malformed.json()["errors"][0]["field"] == "body"
    assert "张三" not in zh.text  # nothing the caller sent is echoed


def test_a_body_over_the_size_limit_is_413(server: Server) -> None:
    huge = sample_petition(content="很长" * 20_000)
    response = server.client("u-wang").post("/petitions", json=huge, headers=key())
    assert response.status_code == 413 and response.json()["code"] == "too_large"


def test_an_unknown_route_is_a_problem(server: Server) -> None:
    response = server.client("u-wang").get("/no/such/thing")
    assert response.status_code == 404 and response.json()["code"] == "no_such_endpoint"


# --- idempotency and concurrency ------------------------------------------------------------------------


def test_the_same_post_retried_registers_once(server: Server) -> None:
    clerk = server.client("u-wang")
    headers = key()
    first = clerk.post("/petitions", json=sample_petition(), headers=headers)
    again = clerk.post("/petitions", json=sample_petition(), headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true" and first.headers["Idempotent-Replayed"] == "false"
    assert again.json() == first.json() and again.headers["Location"] == first.headers["Location"]
    assert len(clerk.get("/cases").json()["items"]) == 1
    other = clerk.post("/petitions", json=sample_petition(subject="别的事"), headers=headers)
    assert other.status_code == 422 and other.json()["code"] == "idempotency_key_reused"
    missing = clerk.post("/petitions", json=sample_petition())
    assert missing.status_code == 400 and missing.json()["code"] == "idempotency_key_required"


def test_concurrent_retries_of_one_post_register_once(server: Server) -> None:
    clerk = server.client("u-wang")
    headers = key()
    answers: list[int] = []

    def post() -> None:
        with httpx.Client(base_url=server.base, headers=clerk.headers, timeout=30) as c:
            answers.append(c.post("/petitions", json=sample_petition(), headers=headers).status_code)

    threads = [threading.Thread(target=post) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert answers.count(201) >= 1 and set(answers) <= {201, 409}
    assert len(clerk.get("/cases").json()["items"]) == 1


def test_if_match_one_update_wins_the_other_gets_412(server: Server) -> None:
    clerk = server.client("u-wang")
    case = register(clerk)["case"]
    etag = clerk.get(f"/cases/{case['id']}").headers["ETag"]
    assert etag == '"1"'
    no_match = clerk.post(f"/cases/{case['id']}/acceptance", json={}, headers=key())
    assert no_match.status_code == 428 and no_match.json()["code"] == "precondition_required"
    answers: list[httpx.Response] = []

    def accept() -> None:
        with httpx.Client(base_url=server.base, headers=clerk.headers, timeout=30) as c:
            answers.append(c.post(f"/cases/{case['id']}/acceptance", json={}, headers={"If-Match": etag, **key()}))

    threads = [threading.Thread(target=accept) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(r.status_code for r in answers) == [200, 412]
    winner = next(r for r in answers if r.status_code == 200)
    assert winner.headers["ETag"] == '"2"' and winner.json()["state"] == "accepted"
    loser = next(r for r in answers if r.status_code == 412)
    assert loser.json()["code"] == "precondition_failed"
    stale = clerk.post(f"/cases/{case['id']}/acceptance", json={}, headers={"If-Match": '"1"', **key()})
    assert stale.status_code == 412  # the state did not even get a say: the version is checked first
    bad = clerk.post(f"/cases/{case['id']}/acceptance", json={}, headers={"If-Match": "three", **key()})
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "If-Match"


# --- lists ---------------------------------------------------------------------------------------------


def test_cases_come_in_pages_with_a_cursor_and_filters(server: Server) -> None:
    clerk = server.client("u-wang")
    made = {register(clerk, received_at=f"2026-03-0{day}T09:00:00+08:00")["case"]["id"] for day in range(1, 6)}
    seen: list[str] = []
    params: dict[str, Any] = {"limit": 2}
    pages = 0
    while True:
        page = clerk.get("/cases", params=params).json()
        seen.extend(c["id"] for c in page["items"])
        pages += 1
        if page["next"] is None:
            break
        params["cursor"] = page["next"]
    assert pages == 3 and len(seen) == 5 and set(seen) == made
    assert clerk.get("/cases", params={"state": "accepted"}).json()["items"] == []
    assert len(clerk.get("/cases", params={"state": "registered", "category": "labour"}).json()["items"]) == 5
    bad = clerk.get("/cases", params={"cursor": "!!"})
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "cursor"
    too_many = clerk.get("/cases", params={"limit": 100000})
    assert too_many.status_code == 400 and too_many.json()["errors"][0]["field"] == "limit"


def test_due_and_overdue_come_in_keyset_pages_with_a_total(server: Server) -> None:
    clerk = server.client("u-wang")
    for day in range(1, 6):  # received in March 2026: their acceptance decisions are overdue by now
        register(clerk, received_at=f"2026-03-0{day}T09:00:00+08:00")
    assert clerk.get("/cases", params={"limit": 2}).json()["total"] == 5
    seen: list[dict[str, Any]] = []
    params: dict[str, Any] = {"limit": 2}
    while True:
        page = clerk.get("/obligations/overdue", params=params).json()
        assert len(page["items"]) <= 2
        seen.extend(page["items"])
        if page["next"] is None:
            break
        params["cursor"] = page["next"]
    assert len(seen) == page["total"] == len({o["id"] for o in seen}) >= 5
    assert [o["due"] for o in seen] == sorted(o["due"] for o in seen)
    due = clerk.get("/obligations/due", params={"days": 400, "limit": 3}).json()
    assert due["total"] >= page["total"] and len(due["items"]) == 3 and due["next"]
    offset = base64.urlsafe_b64encode(b'{"o": 2}').decode()  # the offset cursor of old: no longer ours
    refused = clerk.get("/obligations/overdue", params={"cursor": offset})
    assert refused.status_code == 400 and refused.json()["errors"][0]["field"] == "cursor"
    other = clerk.get("/cases", params={"cursor": due["next"]})  # a cursor of another list
    assert other.status_code == 400


def test_the_changes_feed_moves_on_from_its_cursor(server: Server) -> None:
    clerk = server.client("u-wang")
    first = register(clerk)["case"]
    page = clerk.get("/events", params={"after": 0}).json()
    assert page["items"][0]["name"] == "PetitionRegistered"
    assert {e["case_id"] for e in page["items"]} == {first["id"]}
    assert change(server.client("u-li"), first, "acceptance", {"note": "受理"}).status_code == 200
    later = clerk.get("/events", params={"after": page["next"]}).json()
    assert "CaseAccepted" in [e["name"] for e in later["items"]]
    assert "PetitionRegistered" not in [e["name"] for e in later["items"]]
    assert int(later["next"]) > int(page["next"])
    assert clerk.get("/events", params={"after": later["next"]}).json() == {"items": [], "next": None, "total": None}


# --- the public -----------------------------------------------------------------------------------------


def test_progress_by_query_code_reveals_only_progress_and_is_rate_limited(server: Server) -> None:
    reg = register(server.client("u-wang"))
    public = server.client()
    found = public.post("/public/progress", json={"query_code": reg["query_code"]})
    assert found.status_code == 200, found.text
    assert found.json()["tracking_number"] == reg["petition"]["tracking_number"]
    assert set(found.json()) == {"tracking_number", "state", "received_at", "next_due", "replied_on", "updated_at"}
    assert "张三" not in found.text and "工资" not in found.text
    miss = public.post("/public/progress", json={"query_code": "AAAA-BBBB-CCCC"})
    assert miss.status_code == 404 and "AAAA" not in miss.text
    answers = [public.post("/public/progress", json={"query_code": "AAAA-BBBB-CCCC"}).status_code for _ in range(5)]
    assert answers[-1] == 429  # 5 a minute: the 6th and later are refused
    limited = public.post("/public/progress", json={"query_code": reg["query_code"]})
    assert limited.status_code == 429 and int(limited.headers["Retry-After"]) >= 1
    records = server.as_admin().access_records(principal_id="portal")
    assert records and all(reg["query_code"] not in r.query for r in records)


# --- the whole lifecycle, and the document ------------------------------------------------------------------


def test_a_case_through_its_lifecycle_over_http(server: Server) -> None:
    clerk, handler, body = server.client("u-wang"), server.client("u-li"), server.client("u-hrss")
    case = register(clerk)["case"]
    assert clerk.get(f"/cases/{case['id']}/screening", params={"facts": "in_litigation"}).status_code == 200
    routing = handler.get(f"/cases/{case['id']}/routing")
    # the test rules route nothing: the library's own error, as a problem in the caller's language
    assert routing.status_code == 400 and routing.json()["code"] == "no_route", routing.text
    assert change(handler, case, "referrals", {"mode": "assignment", "body": BODY}).status_code == 200
    due = clerk.get("/obligations/due", params={"days": 400}).json()["items"]
    assert {o["case_id"] for o in due} == {case["id"]} and {o["owed_by"] for o in due} == {"body"}
    reported = change(body, case, "reports", {"outcome": "support", "text": "已督促支付"})
    assert reported.status_code == 200, reported.text
    assert reported.json()["state"] == "replied"
    obligations = clerk.get(f"/cases/{case['id']}/obligations").json()
    assert obligations and {"obligation", "explanation"} <= set(obligations[0])
    assert "ReportRecorded" in [e["name"] for e in clerk.get(f"/cases/{case['id']}/events").json()]
    assert clerk.get("/obligations/overdue").json() == {"items": [], "next": None, "total": 0}
    assert all(o["owed_by"] != "body" for o in clerk.get("/obligations/due", params={"days": 400}).json()["items"])


def test_the_openapi_document_is_valid_openapi_3_1(server: Server) -> None:
    from openapi_spec_validator import validate

    document = server.client().get("/schema/openapi.json").json()
    assert document["openapi"].startswith("3.1")
    validate(document)
    schemas = document["components"]["schemas"]
    assert {"Case", "Petition", "PetitionDraft", "Obligation", "Progress", "Registration"} <= set(schemas)
    assert "/cases/{case_ref}/acceptance" in document["paths"] and "/events" in document["paths"]


def test_health_and_readiness(server: Server) -> None:
    public = server.client()
    assert public.get("/health").json() == {"status": "ok"}
    assert public.get("/ready").json() == {"status": "ok"}


def test_metrics_show_latency_by_route_and_the_office_gauges_without_ids(server: Server) -> None:
    clerk = server.client("u-wang")
    case = register(clerk)["case"]
    assert clerk.get(f"/cases/{case['id']}").status_code == 200
    text = server.client().get("/metrics").text
    assert "petitionkit_outbox_pending" in text
    assert 'petitionkit_overdue_obligations{owed_by="body"} 0.0' in text
    assert "/cases/{case_ref}" in text and "request_duration_seconds" in text
    assert case["id"] not in text and case["first_tracking_number"] not in text


def test_a_portal_files_an_online_petition_in_the_open311_format(server: Server) -> None:
    _key, token = server.as_admin().create_api_key("portal", name="网上信访门户")
    portal = server.client(token=token)
    assert portal.get("/open311/v2/services.json").status_code == 200
    form = {
        "service_code": "labour",
        "description": "在某工地务工，被拖欠工资三个月，多次讨要未果。",
        "first_name": "五",
        "last_name": "王",
        "phone": "13800138002",
        "region_code": "330109",
        "account_id": "wx-openid-1",
    }
    headers = key()
    created = portal.post("/open311/v2/requests.json", data=form, headers=headers)
    assert created.status_code == 201, created.text
    (entry,) = created.json()
    assert entry["service_request_id"].startswith("XS-") and entry["account_id"] == "wx-openid-1"
    assert entry["query_code"] in entry["service_notice"]
    again = portal.post("/open311/v2/requests.json", data=form, headers=headers)
    assert again.json() == created.json()  # a retried submission is one petition
    found = server.client().post("/public/progress", json={"query_code": entry["query_code"]})
    assert found.status_code == 200 and found.json()["tracking_number"] == entry["service_request_id"]
    petitions = server.client("u-wang").get(f"/cases/{entry['service_request_id']}/petitions").json()
    assert petitions[0]["channel"] == "online" and petitions[0]["petitioners"][0]["name"] == "王五"
    no_region = portal.post("/open311/v2/requests.json", data={**form, "region_code": ""}, headers=key())
    assert no_region.status_code == 422 and no_region.json()["errors"][0]["field"] == "region_code"
