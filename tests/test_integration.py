"""What integrations use, below HTTP: API keys, the changes feed, an If-Match version on the unit of
work, and the idempotency keys, on the in-memory backend, SQLite and PostgreSQL (issue 18)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import attrs
import pytest

from petitionkit.errors import ConcurrencyConflict, InvalidInput, NotFound, PermissionDenied, UnknownPrincipal
from petitionkit.service import Office
from petitionkit.service.integration import authenticate_api_key
from petitionkit.storage.base import StoredResponse
from petitionkit.testing import (
    ADMIN,
    AUDITOR,
    FakeClock,
    body_principal,
    office_settings,
    open_test_office,
    sample_petition,
)

BODY = "GOV-HRSS"
ACCUSER = "欧阳检举人"


@pytest.fixture(params=["memory", "sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)])
def office(request: pytest.FixtureRequest) -> Iterator[Office]:
    config = dict(office_settings())
    if request.param != "memory":
        config["database"] = {"url": request.getfixturevalue(f"{request.param}_url")}
    with open_test_office(config, clock=FakeClock()) as found:
        yield found


# --- API keys -------------------------------------------------------------------------------------------


def test_an_api_key_authenticates_as_its_principal_until_revoked(office: Office) -> None:
    key, token = office.create_api_key("wang", name="县OA系统", days=30)
    assert token.startswith(f"pk_{key.id}.") and key.digest not in token
    now = office.now()
    found = authenticate_api_key(office.storage, office.config, token, now)
    assert found is not None and found.id == "wang" and found.roles == frozenset({"registrar"})
    assert authenticate_api_key(office.storage, office.config, token + "x", now) is None
    assert authenticate_api_key(office.storage, office.config, "pk_nosuchkey.secret", now) is None
    assert authenticate_api_key(office.storage, office.config, "not-a-key", now) is None
    assert authenticate_api_key(office.storage, office.config, token, now + timedelta(days=31)) is None  # expired
    other_office = attrs.evolve(office.config, office_code="YH")
    assert authenticate_api_key(office.storage, other_office, token, now) is None
    revoked = office.revoke_api_key(key.id)
    assert revoked.revoked_at == now
    assert authenticate_api_key(office.storage, office.config, token, now) is None
    assert [k.id for k in office.api_keys()] == [key.id]
    with pytest.raises(NotFound):
        office.revoke_api_key("nosuchkey")


def test_making_a_key_checks_every_field_and_needs_configure(office: Office) -> None:
    with pytest.raises(InvalidInput) as bad:
        office.create_api_key("wang", name=" ", days=0)
    assert set(bad.value.fields) == {"name", "days"}
    with pytest.raises(UnknownPrincipal):
        office.create_api_key("nobody", name="x")
    with pytest.raises(PermissionDenied):
        office.acting_as(AUDITOR).create_api_key("wang", name="x")
    assert office.api_keys() == []  # nothing half-written


# --- If-Match on the unit of work ------------------------------------------------------------------------


def test_a_change_at_another_version_is_refused_in_its_transaction(office: Office) -> None:
    reg = office.register(sample_petition())
    stale = office.acting_as(ADMIN)
    stale.uow.expected_version = reg.case.version + 1
    with pytest.raises(ConcurrencyConflict) as conflict:
        stale.accept(reg.case.id)
    assert (conflict.value.expected, conflict.value.actual) == (reg.case.version + 1, reg.case.version)
    assert office.case(reg.case.id).state.value == "registered"  # nothing changed
    current = office.acting_as(ADMIN)
    current.uow.expected_version = reg.case.version
    assert current.accept(reg.case.id).version == reg.case.version + 1
    assert office.uow.expected_version is None  # each bound office has its own unit of work


# --- the changes feed ------------------------------------------------------------------------------------


def test_the_feed_pages_by_position_and_a_body_sees_only_its_cases_redacted(office: Office) -> None:
    ordinary = office.register(sample_petition())
    accusation = office.register(
        sample_petition(
            kind="accusation",
            subject=f"{ACCUSER}检举某局干部",
            content="收受贿赂",
            petitioners=[{"name": ACCUSER, "phone": "13900139000"}],
            respondent={"person_name": "某科长", "unit_name": "区人力资源和社会保障局"},
        )
    )
    office.assign(ordinary.case.id, body=BODY, note="请核实")
    elsewhere = office.register(  # an accusation against another unit: referable to BODY, its accuser hidden
        sample_petition(
            kind="accusation",
            subject="检举某所干部",
            content="收受贿赂",
            petitioners=[{"name": ACCUSER, "phone": "13900139000"}],
            respondent={"person_name": "某所长", "unit_name": "区自然资源和规划局"},
        )
    )
    office.assign(elsewhere.case.id, body=BODY, note=f"检举人{ACCUSER}要求保密")
    everything = office.changes(after=0, limit=1000)
    positions = [e.position for e in everything]
    assert positions == sorted(positions) and len(set(positions)) == len(positions)
    assert {e.case_id for e in everything} == {ordinary.case.id, accusation.case.id, elsewhere.case.id}
    assert ACCUSER in repr([e.payload for e in everything])  # office staff read the note whole
    first, rest = office.changes(after=0, limit=2), office.changes(after=everything[1].position, limit=1000)
    assert first + rest == everything

    body = office.acting_as(body_principal(BODY))
    seen = body.changes(after=0, limit=1000)
    assert {e.case_id for e in seen} == {ordinary.case.id, elsewhere.case.id}  # never the guarded accusation
    assert ACCUSER not in repr(seen)  # the accuser's name struck from the note
    assert body.acting_as(body_principal("COURT")).changes() == []


# --- idempotency keys in storage ----------------------------------------------------------------------------


def test_an_idempotency_key_is_claimed_once_finished_and_released(office: Office) -> None:
    now = office.now()
    claim = StoredResponse("XS", "wang", "k-1", "a" * 64, 0, "", "", now)
    with office.storage.transaction() as tx:
        assert tx.claim_idempotency_key(claim) is None
    with office.storage.transaction() as tx:
        held = tx.claim_idempotency_key(attrs.evolve(claim, request_digest="b" * 64))
    assert held is not None and held.status == 0 and held.request_digest == "a" * 64
    done = attrs.evolve(claim, status=201, body='{"id": 1}', body_digest="c" * 64, location="/cases/1")
    with office.storage.transaction() as tx:
        tx.finish_idempotency_key(done)
    with office.storage.transaction() as tx:
        assert tx.claim_idempotency_key(claim) == done
    other = attrs.evolve(claim, key="k-2")
    with office.storage.transaction() as tx:
        assert tx.claim_idempotency_key(other) is None
    with office.storage.transaction() as tx:
        tx.finish_idempotency_key(other)  # status 0: released (the change failed)
    with office.storage.transaction() as tx:
        assert tx.claim_idempotency_key(attrs.evolve(other, request_digest="d" * 64)) is None
    with office.storage.transaction() as tx:
        assert tx.claim_idempotency_key(attrs.evolve(claim, principal_id="li")) is None  # keys are per principal


def test_the_outbox_depth_counts_pending_messages(office: Office) -> None:
    with office.storage.transaction() as tx:
        before = tx.pending_outbox_count()
    reg = office.register(sample_petition())
    office.accept(reg.case.id)  # an acceptance notice is queued
    with office.storage.transaction() as tx:
        assert tx.pending_outbox_count() > before
