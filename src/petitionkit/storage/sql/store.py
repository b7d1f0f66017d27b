"""The SQL storage backend: ``SqlStorage`` and its ``SqlTransaction``.

One :class:`SqlTransaction` is one database transaction: leaving the ``with`` block commits,
an exception rolls back.  The case aggregate (信访事项) is a ``cases`` row with a ``version``
column plus child rows for its obligations (期限) and referrals (转送/交办); saving it is an
``UPDATE ... WHERE id = ? AND version = ?`` whose zero row count is a ``ConcurrencyConflict``.

The fixed statements are Core constructs over the tables, rendered once per dialect
(``statements.py``) and run on the transaction's DB-API cursor (``Connection.connection``; the
driver's ``executemany`` for the bulk paths).  SQLAlchemy still owns the engine, pool and
transactions, and driver errors are wrapped into SQLAlchemy's exception classes (a lost connection
is invalidated) exactly as its own execution does; what is skipped is its per-statement and per-row
processing, which cost more than the database work on registration and bulk import.  Queries built
from a filter (``search_cases``, the outbox claim) are Core expressions run through SQLAlchemy.
Values go in and rows come out by column name (``rows.py``).

Size: just over 500 lines: one method per operation of the storage protocol on one transaction
class; unlocking field encryption (``unlock``) is a few lines here and the rest in ``encryption.py``.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager, nullcontext
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import Connection, Engine, and_, func, or_, select
from sqlalchemy.exc import DBAPIError, IntegrityError

if TYPE_CHECKING:
    from petitionkit.storage.sql.crypto import MasterKeys

from petitionkit.domain.access import AccessQuery, AccessRecord
from petitionkit.domain.events import Event
from petitionkit.domain.model import Case, Obligation, Petition, Referral, Respondent
from petitionkit.errors import ConcurrencyConflict, EncryptionKeyError, StorageError
from petitionkit.storage.base import CaseQuery, OutboxMessage, OutboxStatus
from petitionkit.storage.sql import rows
from petitionkit.storage.sql.engine import hide_password, is_memory, make_engine, parse_url, storage_error
from petitionkit.storage.sql.http_state import HttpState
from petitionkit.storage.sql.migrate import open_schema
from petitionkit.storage.sql.statements import Listed, Statement, access_query, raw, raw_columns, statements_for
from petitionkit.storage.sql.tables import cases, data_keys, events, outbox, petitions
from petitionkit.storage.sql.types import Codec

_CHUNK = 500  # values per IN (...) list: under SQLite's bound-parameter limit


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
        self.codec = Codec(self.dialect)
        self.sql = statements_for(self.dialect)
        # One in-memory SQLite connection is shared: its transactions must take turns.
        self._serial: threading.Lock | None = threading.Lock() if is_memory(parsed) else None
        self._closed = False
        try:
            with self._engine.connect() as connection:
                self.encrypted = _has_data_keys(connection)
        except DBAPIError as exc:
            self._engine.dispose()
            raise storage_error(self._url, exc) from exc

    # --- field encryption (docs/security.md) -----------------------------------------------------

    def unlock(self, master: MasterKeys, office_code: str) -> None:
        """Open the data keys with the master key; give ``office_code`` keys (and encrypt its rows) if new.

        Until a store whose database holds encrypted data is unlocked, every transaction is refused
        (:class:`EncryptionKeyError`).
        """
        from petitionkit.storage.sql import encryption  # noqa: PLC0415 - cryptography loads only when used

        previous = self.codec.cipher
        for attempt in (1, 2):
            try:
                with self._serial or nullcontext(), self._engine.begin() as connection:
                    default = previous.default_office if previous is not None else None
                    cipher = encryption.unlock(connection, master, office_code, default)
                break
            except IntegrityError:
                if attempt == 2:  # another process made this office's keys at the same moment: read them
                    raise
            except DBAPIError as exc:
                raise storage_error(self._url, exc) from exc
        self.codec.cipher = cipher
        self.encrypted = True

    def unlocked_for(self, office_code: str) -> bool:
        """Whether ``office_code``'s personal data is encrypted by this store from now on."""
        cipher = self.codec.cipher
        return cipher is not None and cipher.has_office(office_code)

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
        if self.encrypted and self.codec.cipher is None:
            raise EncryptionKeyError("locked")  # fail closed: never read ciphertext as data, never write plain text
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


class SqlTransaction(HttpState):
    """One unit of work on one connection; created by :meth:`SqlStorage.transaction`.

    The HTTP API's operations (changes feed, API keys, idempotency keys) come from :class:`HttpState`.
    """

    def __init__(self, store: SqlStorage, connection: Connection) -> None:
        self.store = store
        self.dialect_name = store.dialect
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

    def _execute(self, statement: Statement, values: Mapping[str, Any]) -> Any:
        return self._run(statement.sql, statement.params(values))

    def _run_many(self, statement: Statement, each: Iterable[Mapping[str, Any]]) -> None:
        """``executemany`` over ``each`` (skipped when empty).

        Give a generator: each dict becomes the driver's tuple as it is made, so a batch of 1,000 rows
        never holds 1,000 dicts at once (allocating them cost a bulk import several percent).
        """
        params = list(map(statement.params, each))
        if params:
            self._run(statement.sql, params, many=True)

    def _fetch(self, statement: Statement, values: Mapping[str, Any]) -> list[Any]:
        return list(self._execute(statement, values).fetchall())

    # --- writes ----------------------------------------------------------------------------------

    def next_tracking_sequence(self, office_code: str, year: int, count: int = 1) -> int:
        if count < 1:
            raise ValueError("count must be at least 1")
        statement = self.sql.next_sequence
        row = self._execute(statement, {"office_code": office_code, "year": year, "count": count}).fetchone()
        return int(row[statement.at["last_value"]]) - count + 1

    def add_petitions(self, petitions: Sequence[tuple[Petition, Sequence[str]]]) -> None:
        if not petitions:
            return
        k = self.codec
        self._run_many(self.sql.insert_petition, (rows.petition_values(p, k) for p, _ in petitions))
        self._run_many(
            self.sql.insert_identity,
            (rows.identity_values(p, digest, k) for p, digests in petitions for digest in dict.fromkeys(digests)),
        )

    def existing_source_refs(self, office_code: str, refs: Sequence[str]) -> set[str]:
        found: set[str] = set()
        unique = list(dict.fromkeys(refs))
        for start in range(0, len(unique), _CHUNK):
            chunk = unique[start : start + _CHUNK]
            statement = self.sql.source_refs(len(chunk))
            column = statement.at["source_ref"]
            found.update(row[column] for row in self._fetch(statement, {"office_code": office_code, "refs": chunk}))
        return found

    def set_query_digest(self, petition_id: str, digest: str) -> None:
        if self._execute(self.sql.set_digest, {"id": petition_id, "query_code_digest": digest}).rowcount != 1:
            raise KeyError(petition_id)

    def set_petition_respondent(self, petition_id: str, respondent: Respondent) -> None:
        values = {"id": petition_id, **rows.respondent_values(respondent, self.codec)}
        if self._execute(self.sql.set_respondent, values).rowcount != 1:
            raise KeyError(petition_id)

    def insert_cases(self, cases_: Sequence[Case]) -> None:
        if not cases_:
            return
        k = self.codec
        try:
            self._run_many(self.sql.insert_case, (rows.case_values(c, k) for c in cases_))
        except IntegrityError as exc:
            text = str(exc.orig)
            if "pk_cases" in text or "cases.id" in text:
                raise ConcurrencyConflict(cases_[0].id, 0, None) from exc
            raise
        self._run_many(
            self.sql.insert_referral,
            (rows.referral_values(r, k, i) for c in cases_ for i, r in enumerate(c.referrals)),
        )
        self._run_many(
            self.sql.insert_obligation,
            (rows.obligation_values(o, k, c.office_code, i) for c in cases_ for i, o in enumerate(c.obligations)),
        )

    def update_case(self, case: Case, expected_version: int) -> None:
        k = self.codec
        values = rows.case_values(case, k)
        values["expected_version"] = expected_version
        if self._execute(self.sql.update_case, values).rowcount != 1:
            found = self._fetch(self.sql.version, {"id": case.id})
            stored = found[0][self.sql.version.at["version"]] if found else None
            raise ConcurrencyConflict(case.id, expected_version, stored)
        # Children: upsert what the aggregate holds, drop what it no longer holds.
        sql = self.sql
        self._drop_missing(sql.drop_obligations, sql.drop_other_obligations, case.id, [o.id for o in case.obligations])
        self._drop_missing(sql.drop_referrals, sql.drop_other_referrals, case.id, [r.id for r in case.referrals])
        self._run_many(sql.upsert_referral, (rows.referral_values(r, k, i) for i, r in enumerate(case.referrals)))
        self._run_many(
            sql.upsert_obligation,
            (rows.obligation_values(o, k, case.office_code, i) for i, o in enumerate(case.obligations)),
        )

    def _drop_missing(self, drop_all: Statement, drop_others: Listed, case_id: str, keep: list[str]) -> None:
        if keep:
            self._execute(drop_others(len(keep)), {"case_id": case_id, "keep": keep})
        else:
            self._execute(drop_all, {"case_id": case_id})

    def append_events(self, events: Sequence[Event]) -> None:
        k = self.codec
        self._run_many(self.sql.insert_event, (rows.event_values(e, k) for e in events))

    def enqueue(self, messages: Sequence[OutboxMessage]) -> None:
        k = self.codec
        self._run_many(self.sql.insert_outbox, (rows.outbox_values(m, k) for m in messages))

    # --- reads -----------------------------------------------------------------------------------

    def get_case(self, case_id: str) -> Case | None:
        sql = self.sql
        found = self._fetch(sql.case, {"id": case_id})
        if not found:
            return None
        k = self.codec
        found_obs = self._fetch(sql.obligations_of, {"case_id": case_id})
        obs = rows.obligations_from_rows(found_obs, sql.obligations_of.at, k)
        at = sql.referrals_of.at
        refs = [rows.referral_from_row(r, at, k) for r in self._fetch(sql.referrals_of, {"case_id": case_id})]
        return rows.case_from_row(found[0], sql.case.at, k, obs, refs)

    def petition_by_tracking_number(self, office_code: str, tracking_number: str) -> Petition | None:
        statement = self.sql.petition_by_number
        found = self._fetch(statement, {"office_code": office_code, "tracking_number": tracking_number})
        return rows.petition_from_row(found[0], statement.at, self.codec) if found else None

    def petition_by_query_digest(self, digest: str) -> Petition | None:
        statement = self.sql.petition_by_digest
        found = self._fetch(statement, {"query_code_digest": digest})
        return rows.petition_from_row(found[0], statement.at, self.codec) if found else None

    def petitions_of_case(self, case_id: str) -> list[Petition]:
        k = self.codec
        statement = self.sql.petitions_of
        at = statement.at
        return [rows.petition_from_row(r, at, k) for r in self._fetch(statement, {"case_id": case_id})]

    def events_of_case(self, case_id: str) -> list[Event]:
        k = self.codec
        statement = self.sql.events_of
        at = statement.at
        return [rows.event_from_row(r, at, k) for r in self._fetch(statement, {"case_id": case_id})]

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
        sealed = self.codec.cipher is not None
        if query.text is not None and not sealed:  # a plain substring, as the in-memory backend matches
            position = func.instr if self.store.dialect == "sqlite" else func.strpos
            conditions.append(position(cases.c.subject, query.text) > 0)
        # Raw columns (no Core result processing): the codec converts them like every other read.
        stmt: Any = select(*raw_columns(rows.CASES))
        if conditions:
            stmt = stmt.where(and_(*conditions))
        stmt = stmt.order_by(cases.c.opened_at, cases.c.first_tracking_number, cases.c.id)
        if query.text is None or not sealed:
            result = self.connection.execute(stmt.limit(query.limit).offset(query.offset))
            return self._with_children(result.all(), rows.positions(result.keys()))
        # Encrypted subjects: the other filters narrow in SQL, the text is matched after decryption.
        result = self.connection.execute(stmt)
        at = rows.positions(result.keys())
        id_, subject, open_ = at["id"], at["subject"], self.codec.open
        found = [r for r in result.all() if query.text in open_("cases", r[id_], "subject", r[subject])]
        return self._with_children(found[query.offset : query.offset + query.limit], at)

    def _with_children(self, found: Sequence[Any], at: rows.Positions) -> list[Case]:
        """Cases from their rows, with obligations and referrals fetched for all of them at once."""
        k = self.codec
        obs: dict[str, list[Obligation]] = defaultdict(list)
        refs: dict[str, list[Referral]] = defaultdict(list)
        ids = [r[at["id"]] for r in found]
        for start in range(0, len(ids), _CHUNK):
            chunk = ids[start : start + _CHUNK]
            values = {"case_ids": chunk}
            statement = self.sql.obligations_of_cases(len(chunk))
            for obligation in rows.obligations_from_rows(self._fetch(statement, values), statement.at, k):
                obs[obligation.case_id].append(obligation)
            statement = self.sql.referrals_of_cases(len(chunk))
            for r in self._fetch(statement, values):
                referral = rows.referral_from_row(r, statement.at, k)
                refs[referral.case_id].append(referral)
        case_id = at["id"]
        return [rows.case_from_row(r, at, k, obs.get(r[case_id], ()), refs.get(r[case_id], ())) for r in found]

    def cases_for_audit(
        self, office_code: str, after: str | None, limit: int
    ) -> list[tuple[Case, list[Petition], list[Event]]]:
        if self.store.dialect == "postgresql":  # one snapshot for the batch: cases and events agree
            self.connection.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        condition = cases.c.office_code == office_code
        if after is not None:
            condition = and_(condition, cases.c.id > after)
        stmt = select(*raw_columns(rows.CASES)).where(condition).order_by(cases.c.id).limit(min(limit, _CHUNK))
        result = self.connection.execute(stmt)
        found = self._with_children(result.all(), rows.positions(result.keys()))
        if not found:
            return []
        k = self.codec
        ids = [c.id for c in found]
        petitions_of: dict[str, list[Petition]] = defaultdict(list)
        result = self.connection.execute(
            select(*raw_columns(rows.PETITIONS))
            .where(petitions.c.case_id.in_(ids))
            .order_by(petitions.c.registered_at, petitions.c.tracking_number)
        )
        at = rows.positions(result.keys())
        for r in result.all():
            petition = rows.petition_from_row(r, at, k)
            petitions_of[petition.case_id].append(petition)
        events_of: dict[str, list[Event]] = defaultdict(list)
        result = self.connection.execute(
            select(*raw_columns(rows.EVENTS))
            .where(events.c.case_id.in_(ids))
            .order_by(events.c.case_id, events.c.sequence)
        )
        at = rows.positions(result.keys())
        for r in result.all():
            event = rows.event_from_row(r, at, k)
            events_of[event.case_id].append(event)
        return [(c, petitions_of.get(c.id, []), events_of.get(c.id, [])) for c in found]

    def open_obligations_due(self, office_code: str, until: date) -> list[Obligation]:
        k = self.codec
        statement = self.sql.due
        found = self._fetch(statement, {"office_code": office_code, "until": k.day_out(until)})
        return rows.obligations_from_rows(found, statement.at, k)

    def case_ids_by_identity(self, office_code: str, digests: Sequence[str]) -> list[str]:
        unique = list(dict.fromkeys(digests))
        if not unique:
            return []
        statement = self.sql.cases_of_identities(len(unique))
        column = statement.at["case_id"]
        blinded = [self.codec.blind(office_code, d) for d in unique]  # the index holds keyed digests
        return [r[column] for r in self._fetch(statement, {"office_code": office_code, "digests": blinded})]

    # --- access records (append-only: nothing here updates or deletes one) -------------------------

    def append_access(self, records: Sequence[AccessRecord]) -> None:
        k = self.codec
        self._run_many(self.sql.insert_access, (rows.access_values(r, k) for r in records))

    def access_records(self, query: AccessQuery) -> list[AccessRecord]:
        statement = access_query(self.store.dialect, query)
        k = self.codec
        values = {
            "office_code": query.office_code,
            "case_id": query.case_id,
            "principal_id": query.principal_id,
            "since": k.ts(query.since),
            "limit": query.limit,
            "offset": query.offset,
        }
        return [rows.access_from_row(r, statement.at, k) for r in self._fetch(statement, values)]

    # --- outbox ----------------------------------------------------------------------------------

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
            .returning(*raw_columns(rows.OUTBOX), raw(outbox.c.seq))
        )
        k = self.codec
        result = self.connection.execute(stmt)
        at = rows.positions(result.keys())
        seq = at["seq"]
        claimed = [(rows.outbox_from_row(r, at, k), r[seq]) for r in result]
        # RETURNING gives no order: sort as the queue is ordered (time, then enqueue order).
        claimed.sort(key=lambda pair: (pair[0].available_at, pair[0].created_at, pair[1]))
        return [message for message, _ in claimed]

    def renew_outbox_lease(self, message_id: str, worker: str, lease_until: datetime) -> bool:
        # One conditional UPDATE: a claim by another worker (which rewrites claimed_by) and this renewal
        # are serialised by the database, so exactly one of them wins.
        result = self.connection.execute(
            outbox.update()
            .where(
                outbox.c.id == message_id,
                outbox.c.claimed_by == worker,
                outbox.c.status == OutboxStatus.PENDING.value,
            )
            .values(lease_until=lease_until)
        )
        return bool(result.rowcount == 1)

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


def _has_data_keys(connection: Connection) -> bool:
    return connection.execute(select(data_keys.c.key_id).limit(1)).first() is not None


def _prefix(column: Any, prefix: str) -> Any:
    """``column LIKE 'prefix%'`` with LIKE's wildcards in the prefix escaped."""
    escaped = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return column.like(escaped + "%", escape="\\")
