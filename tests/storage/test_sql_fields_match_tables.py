"""Every SQL field list and row mapping the store uses matches its table in ``tables.py``.

The statements are rendered from the tables and the mappings go by column name, so these tests
guard what is still written by hand: each ``*_values`` dict must hold exactly the table's written
columns, each ``*_from_row`` must read exactly the columns it is given, each statement must name
the columns of its table, and a row must come back as the object it was written from.  No database
is needed: the rows are the mappings' own values, as the driver would hand them back.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import attrs
import pytest
from sqlalchemy import Table

from petitionkit.domain.access import AccessQuery, AccessRecord
from petitionkit.domain.casework import Reception
from petitionkit.domain.events import Event
from petitionkit.domain.model import Case, Obligation, Petition, Referral
from petitionkit.storage.base import ApiKey, OutboxMessage, StoredResponse
from petitionkit.storage.memory import MemoryStorage
from petitionkit.storage.sql import rows
from petitionkit.storage.sql.documents import FIELDS as DOCUMENT_FIELDS
from petitionkit.storage.sql.rows import Shape
from petitionkit.storage.sql.statements import Listed, Statement, Statements, access_query, raw_columns
from petitionkit.storage.sql.tables import (
    TABLES,
    attachments,
    data_keys,
    document_counters,
    issued_documents,
    petition_tallies,
    released_blobs,
    search_documents,
    tracking_counters,
)
from petitionkit.storage.sql.types import Codec
from petitionkit.storage.sql.web_state import WEB_TABLES
from petitionkit.testing import FakeClock, sample_petition
from petitionkit.testing.storage_contract import storage_contract_office

DIALECTS = ("sqlite", "postgresql")
UNMAPPED = {
    tracking_counters.name,
    data_keys.name,
    document_counters.name,
    issued_documents.name,
    *WEB_TABLES,
    attachments.name,
    search_documents.name,
    released_blobs.name,
    petition_tallies.name,
}  # counters; wrapped keys (storage.sql.encryption); the document register (typed Core statements, checked
# below); the web workspace's tables, written and read by typed Core statements over the whole table
# (storage.sql.web_state: nothing hand-listed to drift); attachments and search documents are written and
# read by column name in storage.sql.attachment_state (their round trip is tested in tests/attachments; released
# blobs' in the storage contract); the petition tallies are written by triggers and read by the report's Core
# queries (tests/reports/test_tallies.py)


def test_the_document_register_reads_and_writes_every_column() -> None:
    assert set(DOCUMENT_FIELDS) == columns(issued_documents)


def columns(table: Table) -> set[str]:
    return {c.key for c in table.c}


class Recording(dict[str, int]):
    """A name -> position map that remembers which names a mapping asked for."""

    def __init__(self, names: Sequence[str]) -> None:
        super().__init__(rows.positions(names))
        self.asked: set[str] = set()

    def __getitem__(self, name: str) -> int:
        self.asked.add(name)
        return super().__getitem__(name)


# --- sample objects: one case through a whole lifecycle, so few columns are empty ---------------


class Samples:
    """A terminated accusation case with a resolved respondent, a referral, a reply, reviews and its outbox."""

    def __init__(self) -> None:
        clock = FakeClock()
        storage = MemoryStorage()
        office = storage_contract_office(storage, clock)
        reg = office.register(
            sample_petition(kind="accusation", respondent={"person_name": "某科长", "unit_name": "某街道城管中队"})
        )
        office.resolve_respondent(reg.case.id, body="gov-housing")
        ref = reg.petition.tracking_number
        office.assign(ref, body="GOV-HRSS", note="请于期限内报告")
        clock.advance(days=70)
        office.supervise(ref, reason="逾期未报")
        office.record_report(ref, outcome="support", text="已督促支付")
        office.evaluate(ref, rating="dissatisfied")
        office.request_review(ref, reason="金额不对", organ="区政府")
        office.decide_review(ref, outcome="support", opinion="维持")
        office.request_rereview(ref, reason="仍不服", organ="市政府")
        self.case: Case = office.decide_rereview(ref, outcome="not_support", opinion="维持")
        self.petition: Petition = office.petitions(reg.case.id)[0]
        self.events: list[Event] = office.events(reg.case.id)
        now = office.now()
        with storage.transaction() as tx:
            self.outbox: list[OutboxMessage] = tx.claim_outbox("w1", 100, now, now + timedelta(minutes=5))
        with storage.transaction() as tx:
            self.access: AccessRecord = tx.access_records(AccessQuery(office.config.office_code))[-1]
        assert self.case.referrals and self.case.obligations and self.outbox
        assert self.case.reply and self.case.review and self.case.rereview and self.case.evaluations
        assert self.petition.respondent is not None and self.petition.respondent.body_code
        key, _token = office.create_api_key("admin", name="county OA")
        self.api_key: ApiKey = attrs.evolve(key, revoked_at=now)  # every column set
        reception = office.receive(ref, channel="visit", asked="问进展", explained="已解释", settled=True,
                                   citations=["xfgztl-2022-art34"])  # fmt: skip
        self.reception: Reception = reception
        self.stored_response = StoredResponse(
            office_code="XS",
            principal_id="admin",
            key="k-1",
            request_digest="a" * 64,
            status=201,
            body='{"ok": true}',
            body_digest="b" * 64,
            started_at=now,
            location="/cases/c1",
        )

    @property
    def obligation(self) -> Obligation:
        return next(o for o in self.case.obligations if o.closed_at is not None and o.referral_id is not None)

    @property
    def referral(self) -> Referral:
        return self.case.referrals[0]


@pytest.fixture(scope="module")
def samples() -> Samples:
    return Samples()


Write = Callable[[Samples, Codec], rows.Values]
Read = Callable[[Sequence[Any], rows.Positions, Codec, Samples], Any]


@attrs.frozen
class TableMapping:
    """One table's mapping: how the sample is written, how it is read back, and the sample read back."""

    shape: Shape
    write: Write
    read: Read | None = None  # None: written only
    sample: Callable[[Samples], Any] | None = None


MAPPINGS = {
    "cases": TableMapping(
        rows.CASES,
        lambda s, k: rows.case_values(s.case, k),
        lambda r, at, k, s: rows.case_from_row(r, at, k, s.case.obligations, s.case.referrals),
        lambda s: s.case,
    ),
    "petitions": TableMapping(
        rows.PETITIONS,
        lambda s, k: rows.petition_values(s.petition, k),
        lambda r, at, k, _s: rows.petition_from_row(r, at, k),
        lambda s: s.petition,
    ),
    # written only: repeat detection reads case ids from it, never an object
    "petitioner_identities": TableMapping(
        rows.PETITIONER_IDENTITIES, lambda s, k: rows.identity_values(s.petition, "d" * 64, k)
    ),
    "obligations": TableMapping(
        rows.OBLIGATIONS,
        lambda s, k: rows.obligation_values(s.obligation, k, s.case.office_code, 3),
        lambda r, at, k, _s: rows.obligation_from_row(r, at, k),
        lambda s: s.obligation,
    ),
    "referrals": TableMapping(
        rows.REFERRALS,
        lambda s, k: rows.referral_values(s.referral, k, 0),
        lambda r, at, k, _s: rows.referral_from_row(r, at, k),
        lambda s: s.referral,
    ),
    "events": TableMapping(
        rows.EVENTS,
        lambda s, k: rows.event_values(s.events[-1], k),
        lambda r, at, k, _s: rows.event_from_row(r, at, k),
        lambda s: s.events[-1],
    ),
    "outbox": TableMapping(
        rows.OUTBOX,
        lambda s, k: rows.outbox_values(s.outbox[-1], k),
        lambda r, at, k, _s: rows.outbox_from_row(r, at, k),
        lambda s: s.outbox[-1],
    ),
    "access_log": TableMapping(
        rows.ACCESS_LOG,
        lambda s, k: rows.access_values(s.access, k),
        lambda r, at, k, _s: rows.access_from_row(r, at, k),
        lambda s: s.access,
    ),
    "api_keys": TableMapping(
        rows.API_KEYS,
        lambda s, k: rows.api_key_values(s.api_key, k),
        lambda r, at, k, _s: rows.api_key_from_row(r, at, k),
        lambda s: s.api_key,
    ),
    "casework": TableMapping(
        rows.CASEWORK,
        lambda s, k: rows.casework_values(s.reception, k),
        lambda r, at, k, _s: rows.casework_from_row(r, at, k),
        lambda s: s.reception,
    ),
    "idempotency_keys": TableMapping(
        rows.IDEMPOTENCY_KEYS,
        lambda s, k: rows.stored_response_values(s.stored_response, k),
        lambda r, at, k, _s: rows.stored_response_from_row(r, at, k),
        lambda s: s.stored_response,
    ),
}


# --- the shapes -----------------------------------------------------------------------------------


def test_every_table_has_a_mapping() -> None:
    assert {shape.table.name for shape in rows.SHAPES} == {t.name for t in TABLES} - UNMAPPED
    assert set(MAPPINGS) == {shape.table.name for shape in rows.SHAPES}


@pytest.mark.parametrize("shape", rows.SHAPES, ids=lambda s: s.table.name)
def test_only_database_filled_keys_are_left_unwritten(shape: Shape) -> None:
    table = shape.table
    autoincrement = table.autoincrement_column
    assert shape.generated <= ({autoincrement.key} if autoincrement is not None else set())
    assert shape.write_only <= columns(table)


def test_a_shape_naming_a_missing_column_fails() -> None:
    with pytest.raises(ValueError, match="no column nope"):
        Shape(tracking_counters, write_only={"nope"})


# --- the mappings ---------------------------------------------------------------------------------


@pytest.mark.parametrize("dialect", DIALECTS)
@pytest.mark.parametrize("name", sorted(MAPPINGS))
def test_a_write_mapping_sets_exactly_the_columns_of_its_table(samples: Samples, name: str, dialect: str) -> None:
    mapping = MAPPINGS[name]
    values = mapping.write(samples, Codec(dialect))
    assert set(values) == columns(mapping.shape.table) - mapping.shape.generated


@pytest.mark.parametrize("dialect", DIALECTS)
@pytest.mark.parametrize("name", sorted(name for name, m in MAPPINGS.items() if m.read is not None))
def test_a_read_mapping_reads_exactly_its_columns_and_gets_the_object_back(
    samples: Samples, name: str, dialect: str
) -> None:
    mapping = MAPPINGS[name]
    shape = mapping.shape
    assert mapping.read is not None and mapping.sample is not None
    k = Codec(dialect)
    values = mapping.write(samples, k)
    # The row as the driver hands it back, its columns in reverse order: names count, not places.
    selected = list(reversed(shape.read))
    row = tuple(values[c] for c in selected)
    at = Recording(selected)
    rebuilt = mapping.read(row, at, k, samples)
    assert at.asked == columns(shape.table) - shape.write_only - shape.generated
    assert rebuilt == mapping.sample(samples)


# --- the statements -------------------------------------------------------------------------------


@pytest.fixture(scope="module", params=DIALECTS)
def sql(request: pytest.FixtureRequest) -> Statements:
    return Statements(request.param)


def statements(sql: Statements) -> Iterator[tuple[str, Statement]]:
    for name, value in vars(sql).items():
        if isinstance(value, Statement):
            yield name, value
        elif isinstance(value, Listed):
            for count in (1, 3):
                yield f"{name}({count})", value(count)


INSERTS = {
    "insert_case": rows.CASES,
    "insert_petition": rows.PETITIONS,
    "insert_identity": rows.PETITIONER_IDENTITIES,
    "insert_obligation": rows.OBLIGATIONS,
    "upsert_obligation": rows.OBLIGATIONS,
    "insert_referral": rows.REFERRALS,
    "upsert_referral": rows.REFERRALS,
    "insert_event": rows.EVENTS,
    "insert_outbox": rows.OUTBOX,
    "insert_access": rows.ACCESS_LOG,
    "insert_search_document": rows.SEARCH_DOCUMENTS,
}
READS = {
    "case": rows.CASES,
    "obligations_of": rows.OBLIGATIONS,
    "due": rows.OBLIGATIONS,
    "obligations_of_cases(1)": rows.OBLIGATIONS,
    "obligations_of_cases(3)": rows.OBLIGATIONS,
    "referrals_of": rows.REFERRALS,
    "referrals_of_cases(1)": rows.REFERRALS,
    "referrals_of_cases(3)": rows.REFERRALS,
    "events_of": rows.EVENTS,
    "petitions_of": rows.PETITIONS,
    "petition_by_number": rows.PETITIONS,
    "petition_by_digest": rows.PETITIONS,
    "identities_of": rows.PETITIONER_IDENTITIES,
}
# Reads of a few columns that are no object (checked by the storage contract's results instead).
PROJECTIONS = {"identity_matches(1)": ("digest", "case_id"), "identity_matches(3)": ("digest", "case_id")}


@pytest.mark.parametrize("filters", [{}, {"case_id": "c", "principal_id": "p", "since": True}])
def test_the_access_query_selects_what_the_mapping_reads(filters: dict[str, Any]) -> None:
    since = datetime(2026, 1, 1, tzinfo=UTC) if filters.pop("since", None) else None
    statement = access_query("sqlite", AccessQuery("XS", since=since, **filters))
    assert set(statement.columns) == columns(rows.ACCESS_LOG.table) - rows.ACCESS_LOG.generated


@pytest.mark.parametrize("name", sorted(INSERTS))
def test_an_insert_lists_the_written_columns_of_its_table(sql: Statements, name: str) -> None:
    shape = INSERTS[name]
    statement = getattr(sql, name)
    listed = re.match(r"INSERT INTO (\w+) \(([^)]*)\) VALUES", statement.sql)
    assert listed is not None, statement.sql
    assert listed[1] == shape.table.name
    in_sql = tuple(c.strip().strip('"') for c in listed[2].split(","))  # a reserved word is quoted
    assert set(in_sql) == columns(shape.table) - shape.generated
    assert statement.binds == in_sql  # each value goes to the column of its name
    if name.startswith("upsert_"):
        for column in set(in_sql) - {"id", "case_id"}:
            assert f"{column} = excluded.{column}" in statement.sql


def test_the_case_update_sets_every_written_column_but_the_key(sql: Statements) -> None:
    statement = sql.update_case
    assert set(statement.binds) == columns(rows.CASES.table) | {"expected_version"}
    for column in columns(rows.CASES.table) - {"id"}:
        assert re.search(rf"\b{column}=", statement.sql), column


def test_the_petition_rewrite_sets_every_written_column_but_the_key(sql: Statements) -> None:
    statement = sql.replace_petition  # retention's anonymisation rewrites a petition whole
    assert set(statement.binds) == columns(rows.PETITIONS.table)
    for column in columns(rows.PETITIONS.table) - {"id"}:
        assert re.search(rf"\b{column}=", statement.sql), column


@pytest.mark.parametrize("name", sorted(READS))
def test_a_read_selects_what_its_mapping_reads(sql: Statements, name: str) -> None:
    shape = READS[name]
    statement = dict(statements(sql))[name]
    assert set(statement.columns) == columns(shape.table) - shape.write_only - shape.generated
    assert statement.at == {c: i for i, c in enumerate(statement.columns)}


@pytest.mark.parametrize("shape", [rows.CASES, rows.OUTBOX], ids=lambda s: s.table.name)
def test_core_queries_select_what_the_mapping_reads(shape: Shape) -> None:
    # search_cases and the outbox claim run through SQLAlchemy with these columns
    labels = {c.name for c in raw_columns(shape)}
    assert labels == columns(shape.table) - shape.write_only - shape.generated


def test_every_statement_names_only_columns_and_its_own_parameters(sql: Statements) -> None:
    known = {c.key for t in TABLES for c in t.c}
    extra = {"expected_version", "count", "until"}  # parameters that are not a column's value
    listed = re.compile(r"(refs|digests|case_ids|keep)_\d+$")
    for name, statement in statements(sql):
        assert set(statement.columns) <= known, name
        for bind in statement.binds:
            assert bind in known or bind in extra or listed.match(bind), (name, bind)


def test_every_statement_that_writes_or_reads_an_object_is_checked_above(sql: Statements) -> None:
    for name, statement in statements(sql):
        if statement.sql.startswith("INSERT") and name != "next_sequence":
            assert name in INSERTS, name
        if name in PROJECTIONS:
            assert tuple(statement.columns) == PROJECTIONS[name], name
        elif len(statement.columns) > 1:
            assert name in READS, name
