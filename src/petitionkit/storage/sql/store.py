"""The SQL storage backend: ``SqlStorage`` and its ``SqlTransaction``.

One :class:`SqlTransaction` is one database transaction: leaving the ``with`` block commits,
an exception rolls back.  The case aggregate (信访事项) is a ``cases`` row with a ``version``
column plus child rows for its obligations (期限) and referrals (转送/交办); saving it is an
``UPDATE ... WHERE id = ? AND version = ?`` whose zero row count is a ``ConcurrencyConflict``.

The fixed statements are plain SQL rendered once per dialect from the field lists in ``rows`` and
run on the transaction's DB-API cursor (``Connection.connection``; the driver's ``executemany`` for
the bulk paths).  SQLAlchemy still owns the engine, pool and transactions, and driver errors are
wrapped into SQLAlchemy's exception classes (a lost connection is invalidated) exactly as its own
execution does; what is skipped is its per-statement and per-row processing, which cost more than
the database work on registration and bulk import.  Queries built from a filter (``search_cases``,
the outbox claim) are Core expressions over the tables in ``tables``.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, nullcontext
from datetime import date, datetime
from pathlib import Path
from typing import Any, cast

from sqlalchemy import Connection, Engine, and_, func, literal_column, or_, select
from sqlalchemy.exc import DBAPIError, IntegrityError

from petitionkit.domain.access import AccessQuery, AccessRecord
from petitionkit.domain.events import Event
from petitionkit.domain.model import Case, Obligation, Petition, Referral, Respondent
from petitionkit.errors import ConcurrencyConflict, StorageError
from petitionkit.storage.base import CaseQuery, OutboxMessage, OutboxStatus
from petitionkit.storage.sql import access, rows
from petitionkit.storage.sql.engine import hide_password, is_memory, make_engine, parse_url, storage_error
from petitionkit.storage.sql.migrate import open_schema
from petitionkit.storage.sql.tables import cases, outbox

_CHUNK = 500  # ids per IN (...) list


class _Statements:
    """The fixed statements of one dialect (``?`` for sqlite3, ``%s`` for psycopg)."""

    def __init__(self, dialect: str) -> None:
        m = "?" if dialect == "sqlite" else "%s"
        self.mark = m

        def columns(fields: Sequence[str], prefix: str = "") -> str:
            return ", ".join(prefix + f for f in fields)

        def insert(table: str, fields: Sequence[str]) -> str:
            return f"INSERT INTO {table} ({columns(fields)}) VALUES ({', '.join([m] * len(fields))})"

        def upsert(table: str, fields: Sequence[str]) -> str:
            updates = ", ".join(f"{f} = excluded.{f}" for f in fields if f not in ("id", "case_id"))
            return f"{insert(table, fields)} ON CONFLICT (id) DO UPDATE SET {updates}"

        self.insert_case = insert("cases", rows.CASE_FIELDS)
        self.update_case = (
            f"UPDATE cases SET {', '.join(f'{f} = {m}' for f in rows.CASE_FIELDS[1:])} WHERE id = {m} AND version = {m}"
        )
        self.insert_petition = insert("petitions", rows.PETITION_FIELDS)
        self.insert_identity = insert("petitioner_identities", ("petition_id", "digest", "case_id", "office_code"))
        self.insert_obligation = insert("obligations", rows.OBLIGATION_FIELDS)
        self.upsert_obligation = upsert("obligations", rows.OBLIGATION_FIELDS)
        self.insert_referral = insert("referrals", rows.REFERRAL_FIELDS)
        self.upsert_referral = upsert("referrals", rows.REFERRAL_FIELDS)
        self.insert_event = insert("events", rows.EVENT_FIELDS)
        self.insert_outbox = insert("outbox", rows.OUTBOX_FIELDS)
        # Tracking numbers: one upsert ... RETURNING, so concurrent reservations queue on the row.
        self.next_sequence = (
            f"INSERT INTO tracking_counters (office_code, year, last_value) VALUES ({m}, {m}, {m}) "
            "ON CONFLICT (office_code, year) DO UPDATE "
            "SET last_value = tracking_counters.last_value + excluded.last_value RETURNING last_value"
        )
        self.case = f"SELECT {columns(rows.CASE_READ)} FROM cases WHERE id = {m}"
        self.version = f"SELECT version FROM cases WHERE id = {m}"
        self.obligations_of = (
            f"SELECT {columns(rows.OBLIGATION_READ)} FROM obligations WHERE case_id = {m} ORDER BY position, id"
        )
        self.referrals_of = (
            f"SELECT {columns(rows.REFERRAL_READ)} FROM referrals WHERE case_id = {m} ORDER BY position, id"
        )
        self.drop_obligations = f"DELETE FROM obligations WHERE case_id = {m}"
        self.drop_referrals = f"DELETE FROM referrals WHERE case_id = {m}"
        # The due list: served by the partial index on open obligations (office_code, due, case_id, clock).
        self.due = (
            f"SELECT {columns(rows.OBLIGATION_READ)} FROM obligations "
            f"WHERE office_code = {m} AND status = 'open' AND due <= {m} ORDER BY due, case_id, clock"
        )
        self.events_of = f"SELECT {columns(rows.EVENT_FIELDS)} FROM events WHERE case_id = {m} ORDER BY sequence"
        petition = f"SELECT {columns(rows.PETITION_READ)} FROM petitions"
        self.petitions_of = f"{petition} WHERE case_id = {m} ORDER BY registered_at, tracking_number"
        self.petition_by_number = f"{petition} WHERE office_code = {m} AND tracking_number = {m}"
        self.petition_by_digest = f"{petition} WHERE query_code_digest = {m}"
        self.source_refs = f"SELECT source_ref FROM petitions WHERE office_code = {m} AND source_ref IN "
        self.set_digest = f"UPDATE petitions SET query_code_digest = {m} WHERE id = {m}"
        self.set_respondent = f"UPDATE petitions SET respondent = {m}, respondent_body_code = {m} WHERE id = {m}"

    def in_list(self, count: int) -> str:
        return ", ".join([self.mark] * count)


class SqlStorage:
    """A storage backend on SQLite or PostgreSQL, selected by URL.

    Opening checks the schema: an empty database is created at the head revision, an older one is
    refused until ``petitionkit db upgrade`` has run, another application's database is refused
    untouched.  Every problem is a :class:`StorageError` naming the URL (password hidden).
    """

    def __init__(
        self,
        url: str,
        *,
        base_dir: str | Path = ".",
        busy_timeout: float = 30.0,
        sqlite_synchronous: str = "full",
        pool_size: int = 5,
    ) -> None:
        parsed = parse_url(url, base_dir)
        self._url = hide_password(parsed)
        self._engine: Engine = make_engine(
            parsed, busy_timeout=busy_timeout, synchronous=sqlite_synchronous, pool_size=pool_size
        )
        try:
            self.schema = open_schema(self._engine, parsed)
        except BaseException:
            self._engine.dispose()
            raise
        self.dialect = self._engine.dialect.name
        dbapi = self._engine.dialect.loaded_dbapi
        self.dbapi_error: type[Exception] = dbapi.Error
        self.codec = rows.Codec(self.dialect)
        self.sql = _Statements(self.dialect)
        # One in-memory SQLite connection is shared: its transactions must take turns.
        self._serial: threading.Lock | None = threading.Lock() if is_memory(parsed) else None
        self._closed = False

    @property
    def url(self) -> str:
        return self._url

    @property
    def engine(self) -> Engine:
        """The SQLAlchemy engine (for reports and tools that read the tables directly)."""
        return self._engine

    @contextmanager
    def transaction(self) -> Iterator[SqlTransaction]:
        if self._closed:
            raise StorageError(self._url, "the store is closed")
        with self._serial or nullcontext():
            try:
                with self._engine.begin() as connection:
                    yield SqlTransaction(self, connection)
            except IntegrityError:
                raise  # a constraint caught a bug: let it show as such
            except DBAPIError as exc:
                raise storage_error(self._url, exc) from exc

    def close(self) -> None:
        self._closed = True
        self._engine.dispose()


class SqlTransaction:
    """One unit of work on one connection; created by :meth:`SqlStorage.transaction`."""

    def __init__(self, store: SqlStorage, connection: Connection) -> None:
        self.store = store
        self.connection = connection
        self.sql = store.sql
        self.codec = store.codec
        self._cursor: Any = connection.connection.cursor()

    def _run(self, statement: str, parameters: Any, *, many: bool = False) -> Any:
        """Execute on the driver cursor; driver errors become SQLAlchemy's, as ``Connection.execute`` does."""
        cursor = self._cursor
        try:
            if many:
                cursor.executemany(statement, parameters)
            else:
                cursor.execute(statement, parameters)
        except self.store.dbapi_error as exc:
            dialect = self.connection.dialect
            if dialect.is_disconnect(cast(Any, exc), self.connection.connection.dbapi_connection, cursor):
                self.connection.invalidate(exc)
            raise DBAPIError.instance(statement, parameters, exc, self.store.dbapi_error, dialect=dialect) from exc
        return cursor

    def _fetch(self, statement: str, parameters: tuple[Any, ...]) -> list[Any]:
        return list(self._run(statement, parameters).fetchall())

    # --- writes ----------------------------------------------------------------------------------

    def next_tracking_sequence(self, office_code: str, year: int, count: int = 1) -> int:
        if count < 1:
            raise ValueError("count must be at least 1")
        (last,) = self._run(self.sql.next_sequence, (office_code, year, count)).fetchone()
        return int(last) - count + 1

    def add_petitions(self, petitions: Sequence[tuple[Petition, Sequence[str]]]) -> None:
        if not petitions:
            return
        k = self.codec
        self._run(self.sql.insert_petition, [rows.petition_values(p, k) for p, _ in petitions], many=True)
        identities = [
            (p.id, digest, p.case_id, p.office_code) for p, digests in petitions for digest in dict.fromkeys(digests)
        ]
        if identities:
            self._run(self.sql.insert_identity, identities, many=True)

    def existing_source_refs(self, office_code: str, refs: Sequence[str]) -> set[str]:
        found: set[str] = set()
        unique = list(dict.fromkeys(refs))
        for start in range(0, len(unique), 500):  # keep under SQLite's bound-parameter limit
            chunk = unique[start : start + 500]
            statement = f"{self.sql.source_refs}({self.sql.in_list(len(chunk))})"
            found.update(row[0] for row in self._fetch(statement, (office_code, *chunk)))
        return found

    def set_query_digest(self, petition_id: str, digest: str) -> None:
        if self._run(self.sql.set_digest, (digest, petition_id)).rowcount != 1:
            raise KeyError(petition_id)

    def set_petition_respondent(self, petition_id: str, respondent: Respondent) -> None:
        values = (self.codec.doc(rows.respondent_json(respondent)), respondent.body_code, petition_id)
        if self._run(self.sql.set_respondent, values).rowcount != 1:
            raise KeyError(petition_id)

    def insert_cases(self, cases_: Sequence[Case]) -> None:
        if not cases_:
            return
        k = self.codec
        try:
            self._run(self.sql.insert_case, [rows.case_values(c, k) for c in cases_], many=True)
        except IntegrityError as exc:
            text = str(exc.orig)
            if "pk_cases" in text or "cases.id" in text:
                raise ConcurrencyConflict(cases_[0].id, 0, None) from exc
            raise
        referrals = [rows.referral_values(r, k, i) for c in cases_ for i, r in enumerate(c.referrals)]
        if referrals:
            self._run(self.sql.insert_referral, referrals, many=True)
        obligations = [
            rows.obligation_values(o, k, c.office_code, i) for c in cases_ for i, o in enumerate(c.obligations)
        ]
        if obligations:
            self._run(self.sql.insert_obligation, obligations, many=True)

    def update_case(self, case: Case, expected_version: int) -> None:
        k = self.codec
        values = rows.case_values(case, k)
        result = self._run(self.sql.update_case, (*values[1:], case.id, expected_version))
        if result.rowcount != 1:
            found = self._fetch(self.sql.version, (case.id,))
            raise ConcurrencyConflict(case.id, expected_version, found[0][0] if found else None)
        # Children: upsert what the aggregate holds, drop what it no longer holds.
        self._drop_missing(self.sql.drop_obligations, case.id, [o.id for o in case.obligations])
        self._drop_missing(self.sql.drop_referrals, case.id, [r.id for r in case.referrals])
        if case.referrals:
            self._run(
                self.sql.upsert_referral,
                [rows.referral_values(r, k, i) for i, r in enumerate(case.referrals)],
                many=True,
            )
        if case.obligations:
            self._run(
                self.sql.upsert_obligation,
                [rows.obligation_values(o, k, case.office_code, i) for i, o in enumerate(case.obligations)],
                many=True,
            )

    def _drop_missing(self, statement: str, case_id: str, keep: list[str]) -> None:
        if keep:
            statement += f" AND id NOT IN ({self.sql.in_list(len(keep))})"
        self._run(statement, (case_id, *keep))

    def append_events(self, events: Sequence[Event]) -> None:
        if events:
            k = self.codec
            self._run(self.sql.insert_event, [rows.event_values(e, k) for e in events], many=True)

    def enqueue(self, messages: Sequence[OutboxMessage]) -> None:
        if messages:
            k = self.codec
            self._run(self.sql.insert_outbox, [rows.outbox_values(m, k) for m in messages], many=True)

    # --- reads -----------------------------------------------------------------------------------

    def get_case(self, case_id: str) -> Case | None:
        found = self._fetch(self.sql.case, (case_id,))
        if not found:
            return None
        k = self.codec
        obs = [rows.obligation_from_row(r, k) for r in self._fetch(self.sql.obligations_of, (case_id,))]
        refs = [rows.referral_from_row(r, k) for r in self._fetch(self.sql.referrals_of, (case_id,))]
        return rows.case_from_row(found[0], k, obs, refs)

    def petition_by_tracking_number(self, office_code: str, tracking_number: str) -> Petition | None:
        found = self._fetch(self.sql.petition_by_number, (office_code, tracking_number))
        return rows.petition_from_row(found[0], self.codec) if found else None

    def petition_by_query_digest(self, digest: str) -> Petition | None:
        found = self._fetch(self.sql.petition_by_digest, (digest,))
        return rows.petition_from_row(found[0], self.codec) if found else None

    def petitions_of_case(self, case_id: str) -> list[Petition]:
        k = self.codec
        return [rows.petition_from_row(r, k) for r in self._fetch(self.sql.petitions_of, (case_id,))]

    def events_of_case(self, case_id: str) -> list[Event]:
        k = self.codec
        return [rows.event_from_row(r, k) for r in self._fetch(self.sql.events_of, (case_id,))]

    def search_cases(self, query: CaseQuery) -> list[Case]:
        conditions: list[Any] = []
        if query.office_code is not None:
            conditions.append(cases.c.office_code == query.office_code)
        if query.states:
            conditions.append(cases.c.state.in_(sorted(s.value for s in query.states)))
        if query.kind is not None:
            conditions.append(cases.c.kind == query.kind.value)
        if query.category is not None:
            conditions.append(cases.c.category == query.category)
        if query.region_prefix is not None:
            conditions.append(_prefix(cases.c.region_code, query.region_prefix))
        if query.opened_from is not None:
            conditions.append(cases.c.opened_at >= query.opened_from)
        if query.opened_before is not None:
            conditions.append(cases.c.opened_at < query.opened_before)
        if query.respondent_body is not None:
            conditions.append(cases.c.respondent_body_code == query.respondent_body)
        if query.text is not None:  # a plain substring, as the in-memory backend matches
            position = func.instr if self.store.dialect == "sqlite" else func.strpos
            conditions.append(position(cases.c.subject, query.text) > 0)
        # Raw columns (no Core result processing): the codec converts them like every other read.
        stmt: Any = select(*(literal_column(f"cases.{f}") for f in rows.CASE_READ)).select_from(cases)
        if conditions:
            stmt = stmt.where(and_(*conditions))
        stmt = (
            stmt.order_by(cases.c.opened_at, cases.c.first_tracking_number, cases.c.id)
            .limit(query.limit)
            .offset(query.offset)
        )
        found = self.connection.execute(stmt).all()
        return self._with_children(found)

    def _with_children(self, found: Sequence[Any]) -> list[Case]:
        """Cases from their rows, with obligations and referrals fetched for all of them at once."""
        k = self.codec
        obs: dict[str, list[Obligation]] = defaultdict(list)
        refs: dict[str, list[Referral]] = defaultdict(list)
        ids = [r[0] for r in found]
        for start in range(0, len(ids), _CHUNK):
            chunk = tuple(ids[start : start + _CHUNK])
            marks = self.sql.in_list(len(chunk))
            fields = ", ".join(rows.OBLIGATION_READ)
            for r in self._fetch(
                f"SELECT {fields} FROM obligations WHERE case_id IN ({marks}) ORDER BY case_id, position, id", chunk
            ):
                obs[r[1]].append(rows.obligation_from_row(r, k))
            fields = ", ".join(rows.REFERRAL_READ)
            for r in self._fetch(
                f"SELECT {fields} FROM referrals WHERE case_id IN ({marks}) ORDER BY case_id, position, id", chunk
            ):
                refs[r[1]].append(rows.referral_from_row(r, k))
        return [rows.case_from_row(r, k, obs.get(r[0], ()), refs.get(r[0], ())) for r in found]

    def open_obligations_due(self, office_code: str, until: date) -> list[Obligation]:
        k = self.codec
        from_row = rows.obligation_from_row
        shared: dict[Any, Any] = {}
        return [from_row(r, k, shared) for r in self._fetch(self.sql.due, (office_code, k.day_out(until)))]

    def case_ids_by_identity(self, office_code: str, digests: Sequence[str]) -> list[str]:
        unique = tuple(dict.fromkeys(digests))
        if not unique:
            return []
        found = self._fetch(
            "SELECT DISTINCT case_id FROM petitioner_identities "
            f"WHERE office_code = {self.sql.mark} AND digest IN ({self.sql.in_list(len(unique))}) ORDER BY case_id",
            (office_code, *unique),
        )
        return [r[0] for r in found]

    # --- outbox ----------------------------------------------------------------------------------

    def append_access(self, records: Sequence[AccessRecord]) -> None:
        access.append_access(self.connection, records)

    def access_records(self, query: AccessQuery) -> list[AccessRecord]:
        return access.access_records(self.connection, query)

    def claim_outbox(self, worker: str, limit: int, now: datetime, lease_until: datetime) -> list[OutboxMessage]:
        if limit < 1:
            return []
        ready = (
            select(outbox.c.seq)
            .where(
                outbox.c.status == OutboxStatus.PENDING.value,
                outbox.c.available_at <= now,
                or_(outbox.c.lease_until.is_(None), outbox.c.lease_until <= now),
            )
            .order_by(outbox.c.available_at, outbox.c.created_at, outbox.c.seq)
            .limit(limit)
        )
        if self.store.dialect == "postgresql":
            # Rows another worker is claiming right now are skipped, not waited for.
            ready = ready.with_for_update(skip_locked=True)
        # SQLite: the transaction already holds the write lock (BEGIN IMMEDIATE), so this
        # select-and-lease is atomic: a leased UPDATE ... RETURNING.
        stmt: Any = (
            outbox.update()
            .where(outbox.c.seq.in_(ready.scalar_subquery()))
            .values(claimed_by=worker, lease_until=lease_until)
            .returning(*(literal_column(f) for f in rows.OUTBOX_FIELDS), literal_column("seq"))
        )
        k = self.codec
        claimed = [(rows.outbox_from_row(r, k), r[-1]) for r in self.connection.execute(stmt)]
        # RETURNING gives no order: sort as the queue is ordered (time, then enqueue order).
        claimed.sort(key=lambda pair: (pair[0].available_at, pair[0].created_at, pair[1]))
        return [message for message, _ in claimed]

    def finish_outbox(
        self,
        message_id: str,
        worker: str,
        *,
        status: OutboxStatus,
        attempts: int,
        error: str | None = None,
        retry_at: datetime | None = None,
    ) -> None:
        values: dict[str, Any] = {
            "status": status.value,
            "attempts": attempts,
            "last_error": error,
            "claimed_by": None,
            "lease_until": None,
        }
        if retry_at is not None:
            values["available_at"] = retry_at
        # Only the worker that holds the lease may record the attempt; a stale worker changes nothing.
        self.connection.execute(
            outbox.update().where(outbox.c.id == message_id, outbox.c.claimed_by == worker).values(values)
        )


def _prefix(column: Any, prefix: str) -> Any:
    """``column LIKE 'prefix%'`` with LIKE's wildcards in the prefix escaped."""
    escaped = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return column.like(escaped + "%", escape="\\")
