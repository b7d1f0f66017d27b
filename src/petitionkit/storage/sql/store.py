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

The outbox operations (claim, lease, finish and receipts) are in ``outbox.py``; unlocking field
encryption (``unlock``) and the per-transaction check for keys another process rotated
(``_fresh_keys``) are a few lines here, the rest in ``encryption.py`` and ``rotation.py``.

Size: about 540 lines: one method per operation of the storage protocol on one transaction class,
and the store's side of field encryption and key rotation (unlock, reloading rotated keys).
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import Connection, Engine, and_, event, func, literal, select, true, tuple_, type_coerce
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.types import NullType

if TYPE_CHECKING:
    from petitionkit.storage.sql.crypto import MasterKeys

from petitionkit.domain.access import AccessQuery, AccessRecord
from petitionkit.domain.events import Event
from petitionkit.domain.model import Case, Obligation, Petition, Referral, Respondent
from petitionkit.errors import ConcurrencyConflict, EncryptionKeyError, StorageError
from petitionkit.storage.base import CaseQuery, OutboxMessage
from petitionkit.storage.sql import held, rows
from petitionkit.storage.sql.attachment_state import AttachmentState
from petitionkit.storage.sql.casework_ops import CaseworkOperations
from petitionkit.storage.sql.documents import DocumentRegister
from petitionkit.storage.sql.engine import hide_password, is_memory, make_engine, parse_url, storage_error
from petitionkit.storage.sql.http_state import HttpState
from petitionkit.storage.sql.migrate import open_schema
from petitionkit.storage.sql.outbox import OutboxOperations
from petitionkit.storage.sql.paging import PagedReads
from petitionkit.storage.sql.statements import Listed, Statement, access_query, raw_columns, statements_for
from petitionkit.storage.sql.tables import cases, data_keys, events, petitions
from petitionkit.storage.sql.types import Codec
from petitionkit.storage.sql.web_state import WebState

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
        if self.dialect == "postgresql":  # held writes go out before any statement SQLAlchemy runs
            event.listen(self._engine, "before_cursor_execute", held.flush_before_statement)
        dbapi = self._engine.dialect.loaded_dbapi
        self.dbapi_error: type[Exception] = dbapi.Error
        self.codec = Codec(self.dialect)
        self.sql = statements_for(self.dialect)
        # One in-memory SQLite connection is shared: its transactions must take turns.
        self._serial: threading.Lock | None = threading.Lock() if is_memory(parsed) else None
        self._closed = False
        self.master: dict[str, bytes] = {}
        self._local = threading.local()
        try:
            with self._engine.connect() as connection:
                self.encrypted = _has_data_keys(connection)
        except DBAPIError as exc:
            self._engine.dispose()
            raise storage_error(self._url, exc) from exc

    # --- field encryption (docs/security.md) -----------------------------------------------------

    def unlock(self, master: MasterKeys, office_code: str, algorithm: str = "aes-256-gcm") -> None:
        """Open the data keys with the master key; give ``office_code`` keys (and encrypt its rows) if new.

        Until a store whose database holds encrypted data is unlocked, every transaction is refused
        (:class:`EncryptionKeyError`).  ``algorithm`` is the cipher of a data key made here.
        """
        from petitionkit.storage.sql import encryption  # noqa: PLC0415 - cryptography loads only when used

        previous = self.codec.cipher
        for attempt in (1, 2):
            try:
                with self._serial or nullcontext(), self._engine.begin() as connection:
                    default = previous.default_office if previous is not None else None
                    cipher = encryption.unlock(connection, master, office_code, default, algorithm)
                break
            except IntegrityError:
                if attempt == 2:  # another process made this office's keys at the same moment: read them
                    raise
            except DBAPIError as exc:
                raise storage_error(self._url, exc) from exc
        self.master = dict(master)  # kept to reload the keys when another process rotates them
        if self._serial is None:  # an in-memory database has no other process to rotate behind its back
            cipher.loader = encryption.key_loader(self._key_connection, self.master)
        self.codec.cipher = cipher
        self.encrypted = True

    def _key_connection(self) -> AbstractContextManager[Connection]:
        """The running transaction's connection (a second one would wait for its lock), else a new one."""
        current: Connection | None = getattr(self._local, "connection", None)
        return nullcontext(current) if current is not None else self._engine.connect()

    def refresh_keys(self, connection: Connection) -> None:
        """Before sealing in a transaction: catch up with a rotation another process made (encryption.refresh)."""
        cipher = self.codec.cipher
        if cipher is not None:
            from petitionkit.storage.sql import encryption  # noqa: PLC0415

            encryption.refresh(connection, cipher, self.master, lock=self.dialect == "postgresql")

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
                    self._local.connection = connection  # for a key another process made (unlock)
                    # PostgreSQL: where the held writes are found (taken now: a lost connection has none)
                    info = connection.info if self.dialect == "postgresql" else None
                    try:
                        tx = SqlTransaction(self, connection)
                        yield tx
                        tx.flush()  # the held writes (PostgreSQL), before the commit
                    finally:
                        self._local.connection = None
                        if info is not None:
                            info.pop(held.HELD_BY, None)
            except IntegrityError:
                raise  # a constraint caught a bug: let it show as such
            except DBAPIError as exc:
                raise storage_error(self._url, exc) from exc

    def close(self) -> None:
        self._closed = True
        self._engine.dispose()


class SqlTransaction(
    OutboxOperations, HttpState, PagedReads, CaseworkOperations, DocumentRegister, WebState, AttachmentState
):
    """One unit of work on one connection; created by :meth:`SqlStorage.transaction`.

    The outbox's operations come from :class:`OutboxOperations`, the HTTP API's (changes feed, API keys,
    idempotency keys) from :class:`HttpState`, the web workspace's from :class:`WebState`.
    """

    def __init__(self, store: SqlStorage, connection: Connection) -> None:
        self.store = store
        self.dialect_name = store.dialect
        self.connection = connection
        self.sql = store.sql
        self.codec = store.codec
        self._cursor: Any = connection.connection.cursor()
        self._keys_fresh = False
        # Cases inserted in this transaction whose search documents were not put yet: nothing to delete
        self._unindexed_cases: set[str] = set()
        # PostgreSQL: writes without a result held for one round trip (held.py); (statement, rows, case id
        # whose insert a duplicate key would make a ConcurrencyConflict)
        self._writes: list[tuple[str, list[Any], str | None]] = []
        self._hold = store.dialect == "postgresql"
        if self._hold:
            connection.info[held.HELD_BY] = self

    def _fresh_keys(self) -> None:
        """Once per transaction, before the first seal or blind index: keys another process rotated.

        The live key ids on the driver cursor (a few microseconds: registration pays it every time);
        PostgreSQL share-locks those rows until commit (see ``encryption.refresh``).
        """
        cipher = self.codec.cipher
        if self._keys_fresh or cipher is None:
            return
        self._keys_fresh = True
        lock = " FOR SHARE" if self.store.dialect == "postgresql" else ""
        live = {row[0] for row in self._run(f"SELECT key_id FROM data_keys WHERE retired_at IS NULL{lock}", ())}
        if live != cipher.live_key_ids():
            self.store.refresh_keys(self.connection)

    def _run(self, statement: str, parameters: Any, *, many: bool = False) -> Any:
        """Execute on the driver cursor; driver errors become SQLAlchemy's, as ``Connection.execute`` does."""
        if self._writes:
            self.flush()
        cursor = self._cursor
        try:
            if many:
                cursor.executemany(statement, parameters)
            else:
                cursor.execute(statement, parameters)
        except self.store.dbapi_error as exc:
            raise self._driver_error(exc, statement, parameters) from exc
        return cursor

    def _driver_error(self, exc: Exception, statement: str, parameters: Any) -> Exception:
        dialect = self.connection.dialect
        if dialect.is_disconnect(cast(Any, exc), self.connection.connection.dbapi_connection, self._cursor):
            self.connection.invalidate(exc)
        return DBAPIError.instance(statement, parameters, exc, self.store.dbapi_error, dialect=dialect)

    def flush(self) -> None:
        """Send the held writes (PostgreSQL; see ``held.py``): before any other statement and the commit."""
        pending, self._writes = self._writes, []
        if not pending:
            return
        try:
            held.send(self.connection.connection.dbapi_connection, self._cursor, [(s, r) for s, r, _ in pending])
        except self.store.dbapi_error as exc:
            error = self._driver_error(exc, pending[0][0], None)
            conflict = next((case_id for _, _, case_id in pending if case_id is not None), None)
            if isinstance(error, IntegrityError) and conflict is not None and "pk_cases" in str(exc):
                raise ConcurrencyConflict(conflict, 0, None) from exc
            raise error from exc

    def _execute(self, statement: Statement, values: Mapping[str, Any]) -> Any:
        return self._run(statement.sql, statement.params(values))

    def _run_many(self, statement: Statement, each: Iterable[Mapping[str, Any]]) -> None:
        """``executemany`` over ``each`` (skipped when empty).

        Give a generator: each dict becomes the driver's tuple as it is made, so a batch of 1,000 rows
        never holds 1,000 dicts at once (allocating them cost a bulk import several percent).
        """
        params = list(map(statement.params, each))
        if params:
            self._run_rows(statement.sql, params)

    def _run_rows(self, sql: str, params: list[Any], case_id: str | None = None) -> None:
        if self._hold:  # nothing reads the result: held for the next round trip (held.py)
            self._writes.append((sql, params, case_id))
        else:
            self._run(sql, params, many=True)

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
        self._fresh_keys()
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
        self._fresh_keys()
        k = self.codec
        try:
            self._run_rows(
                self.sql.insert_case.sql,
                [self.sql.insert_case.params(rows.case_values(c, k)) for c in cases_],
                cases_[0].id,
            )
        except IntegrityError as exc:
            text = str(exc.orig)
            if "pk_cases" in text or "cases.id" in text:
                raise ConcurrencyConflict(cases_[0].id, 0, None) from exc
            raise
        self._unindexed_cases.update(c.id for c in cases_)
        self._run_many(
            self.sql.insert_referral,
            (rows.referral_values(r, k, i) for c in cases_ for i, r in enumerate(c.referrals)),
        )
        self._run_many(
            self.sql.insert_obligation,
            (rows.obligation_values(o, k, c.office_code, i) for c in cases_ for i, o in enumerate(c.obligations)),
        )

    def update_case(self, case: Case, expected_version: int) -> None:
        self._fresh_keys()
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
        self._fresh_keys()
        k = self.codec
        self._run_many(self.sql.insert_outbox, (rows.outbox_values(m, k) for m in messages))

    # --- retention (petitionkit.service.retention) ----------------------------------------------

    def replace_petitions(self, petitions_: Sequence[Petition]) -> None:
        k = self.codec
        for petition in petitions_:
            if self._execute(self.sql.replace_petition, rows.petition_values(petition, k)).rowcount != 1:
                raise KeyError(petition.id)

    def identity_rows(self, case_id: str) -> list[tuple[str, str]]:
        statement = self.sql.identities_of
        petition, digest = statement.at["petition_id"], statement.at["digest"]
        return [(r[petition], r[digest]) for r in self._fetch(statement, {"case_id": case_id})]

    def replace_identities(self, case_id: str, office_code: str, found: Sequence[tuple[str, str]]) -> None:
        self._execute(self.sql.drop_identities, {"case_id": case_id})
        self._run_many(
            self.sql.insert_identity,
            (
                {"petition_id": p, "digest": d, "case_id": case_id, "office_code": office_code, "kind": "person"}
                for p, d in found
            ),
        )

    def drop_finished_outbox(self, case_id: str) -> int:
        return int(self._execute(self.sql.drop_finished_outbox, {"case_id": case_id}).rowcount)

    def erase_event_payloads(self, events_: Sequence[Event]) -> None:
        for e in events_:
            values = {
                "case_id": e.case_id,
                "sequence": e.sequence,
                "payload": rows.event_values(e, self.codec)["payload"],
            }
            if self._execute(self.sql.set_event_payload, values).rowcount != 1:
                raise KeyError(f"{e.case_id}/{e.sequence}")

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
        conditions = self._case_conditions(query)
        if query.after is not None:  # keyset: the index range after the last case seen
            opened_at, tracking, case_id = query.after
            key = tuple_(cases.c.opened_at, cases.c.first_tracking_number, cases.c.id)
            conditions.append(key > tuple_(literal(opened_at, cases.c.opened_at.type), tracking, case_id))
        sealed = self.codec.cipher is not None
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
        found = [r for r in result if query.text in open_("cases", r[id_], "subject", r[subject])]
        return self._with_children(found[query.offset : query.offset + query.limit], at)

    def count_cases(self, query: CaseQuery) -> int:
        conditions = self._case_conditions(query)
        if query.text is None or self.codec.cipher is None:
            stmt = select(func.count()).select_from(cases).where(and_(true(), *conditions))
            return int(self.connection.execute(stmt).scalar_one())
        # Encrypted subjects: counted after decryption, one row at a time.
        subjects = select(cases.c.id, type_coerce(cases.c.subject, NullType())).where(and_(true(), *conditions))
        open_ = self.codec.open
        return sum(
            1
            for case_id, subject in self.connection.execute(subjects)
            if query.text in open_("cases", case_id, "subject", subject)
        )

    def _case_conditions(self, query: CaseQuery) -> list[Any]:
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
        if query.text is not None and self.codec.cipher is None:  # a plain substring, as in memory
            position = func.instr if self.store.dialect == "sqlite" else func.strpos
            conditions.append(position(cases.c.subject, query.text) > 0)
        return conditions

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

    def case_refs_for_audit(self, office_code: str, after: str | None, limit: int) -> list[tuple[str, str]]:
        condition = cases.c.office_code == office_code
        if after is not None:
            condition = and_(condition, cases.c.id > after)
        stmt = select(cases.c.id, cases.c.first_tracking_number).where(condition).order_by(cases.c.id).limit(limit)
        return [(case_id, tracking) for case_id, tracking in self.connection.execute(stmt)]

    def open_obligations_due(self, office_code: str, until: date) -> list[Obligation]:
        k = self.codec
        statement = self.sql.due
        found = self._fetch(statement, {"office_code": office_code, "until": k.day_out(until)})
        return rows.obligations_from_rows(found, statement.at, k)

    def case_ids_by_identity(self, office_code: str, digests: Sequence[str]) -> list[str]:
        unique = list(dict.fromkeys(digests))
        if not unique:
            return []
        self._fresh_keys()
        # The index holds keyed digests (under the live index key, or a retiring one during a rotation).
        blinded = [b for d in unique for b in self.codec.blind_all(office_code, rows.bare_digest(d))]
        statement = self.sql.cases_of_identities(len(blinded))
        column = statement.at["case_id"]
        return [r[column] for r in self._fetch(statement, {"office_code": office_code, "digests": blinded})]

    def identity_matches(self, office_code: str, digests: Sequence[str]) -> list[tuple[str, str]]:
        self._fresh_keys()
        # under the live index key, and a retiring one while a rotation re-keys the index
        given = {b: d for d in dict.fromkeys(digests) for b in self.codec.blind_all(office_code, rows.bare_digest(d))}
        if not given:
            return []
        statement = self.sql.identity_matches(len(given))
        at = statement.at
        found = self._fetch(statement, {"office_code": office_code, "digests": list(given)})
        return sorted((given[r[at["digest"]]], r[at["case_id"]]) for r in found)

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


def _has_data_keys(connection: Connection) -> bool:
    return connection.execute(select(data_keys.c.key_id).limit(1)).first() is not None


def _prefix(column: Any, prefix: str) -> Any:
    """``column LIKE 'prefix%'`` with LIKE's wildcards in the prefix escaped."""
    escaped = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return column.like(escaped + "%", escape="\\")
