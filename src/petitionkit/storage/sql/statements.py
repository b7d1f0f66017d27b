"""The store's fixed statements: SQLAlchemy Core constructs over ``tables``, rendered once per dialect.

Every statement is built from the tables (``insert(table)``, ``select(...)``, ``update``, ``delete``,
the dialect's ``INSERT ... ON CONFLICT``), with its column lists taken from the table's
:class:`~petitionkit.storage.sql.rows.Shape`, and compiled once, when the store opens, to the text
the driver takes with positional marks (``?`` for sqlite3, ``%s`` for psycopg).  The store runs that
text on the DB-API cursor, skipping SQLAlchemy's per-statement and per-row processing, which costs
more than the database work on registration and bulk import.  A :class:`Statement` keeps the names
of its parameters and result columns, so values go in by name and rows come out by name.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from functools import cache, lru_cache
from operator import itemgetter
from typing import Any, cast

from sqlalchemy import Select, bindparam, delete, insert, literal_column, select, type_coerce, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.postgresql.psycopg import PGDialect_psycopg
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.dialects.sqlite.pysqlite import SQLiteDialect_pysqlite
from sqlalchemy.engine import Dialect
from sqlalchemy.engine.interfaces import BindTyping
from sqlalchemy.sql.dml import UpdateBase
from sqlalchemy.sql.elements import BindParameter, ColumnElement, Label
from sqlalchemy.types import NullType

from petitionkit.domain.access import AccessQuery
from petitionkit.domain.model import ObligationStatus
from petitionkit.storage.base import OutboxStatus
from petitionkit.storage.sql import rows
from petitionkit.storage.sql.rows import Shape
from petitionkit.storage.sql.tables import (
    access_log,
    cases,
    events,
    obligations,
    outbox,
    petitioner_identities,
    petitions,
    referrals,
    search_documents,
    tracking_counters,
)

Element = Select[Any] | UpdateBase

_CHILD_KEYS = ("id", "case_id")  # an upsert of a child row never moves it to another case


class Statement:
    """One statement as the driver takes it, with its parameter and result column names.

    ``params`` turns a ``{name: value}`` mapping into the driver's positional tuple; ``at`` maps each
    result column's name to its position in the fetched rows.  A statement with an ``IN`` list
    (``listed``) takes the list's values as one sequence under that name.
    """

    __slots__ = ("at", "binds", "columns", "listed", "params", "sql")

    def __init__(self, sql: str, binds: Sequence[str], columns: Sequence[str], listed: str | None = None) -> None:
        self.sql = sql
        self.binds = tuple(binds)
        self.columns = tuple(columns)
        self.at: Mapping[str, int] = rows.positions(self.columns)
        self.listed = listed
        self.params: Callable[[Mapping[str, Any]], tuple[Any, ...]] = _getter(self.binds)
        if listed is not None:
            fixed = _getter(self.binds[: self.binds.index(f"{listed}_1")])

            def params(values: Mapping[str, Any]) -> tuple[Any, ...]:
                return (*fixed(values), *values[listed])

            self.params = params

    def __repr__(self) -> str:
        return f"Statement({self.sql!r})"


def _getter(names: Sequence[str]) -> Callable[[Mapping[str, Any]], tuple[Any, ...]]:
    # itemgetter builds the tuple in C; with one name it would return the bare value.
    if len(names) > 1:
        return itemgetter(*names)
    if names:
        (name,) = names
        return lambda values: (values[name],)
    return lambda _values: ()


def positional_dialect(name: str) -> Dialect:
    """A dialect that renders the driver's positional marks, for statements run on its cursor."""
    if name == "sqlite":
        return SQLiteDialect_pysqlite(paramstyle="qmark")
    if name == "postgresql":
        dialect: Dialect = PGDialect_psycopg(paramstyle="format")  # type: ignore[no-untyped-call]
        # The codec hands the driver finished values; a cast on every mark would only change the text.
        dialect.bind_typing = BindTyping.NONE
        return dialect
    raise ValueError(f"no SQL statements for dialect {name!r}")


def render(element: Element, dialect: Dialect, *, listed: str | None = None, count: int = 0) -> Statement:
    """Compile ``element`` for ``dialect``; ``listed`` names an expanding ``IN`` list rendered for ``count`` values."""
    options: dict[str, Any] = {}
    if listed is not None:
        options["render_postcompile"] = True
    compiled = element.compile(dialect=dialect, compile_kwargs=options)
    binds = tuple(cast("list[str]", compiled.positiontup or []))  # every mark here is a named bindparam
    if listed is not None and binds[len(binds) - count :] != tuple(f"{listed}_{i}" for i in range(1, count + 1)):
        raise RuntimeError(f"the IN list {listed!r} must be the last parameters of {compiled.string!r}")
    columns = cast("list[str]", element.exported_columns.keys())  # every result column here is named
    return Statement(compiled.string, binds, columns, listed)


def _unset(name: str) -> BindParameter[Any]:
    """A parameter with a placeholder value: rendering an IN list needs one for every parameter."""
    return bindparam(name, None)


def written(shape: Shape, *, skip: Sequence[str] = ()) -> dict[str, Any]:
    """``{column: bindparam(column)}`` for the columns a mapping writes, as ``values()`` takes them."""
    return {name: bindparam(name) for name in shape.written if name not in skip}


def read(shape: Shape) -> Select[Any]:
    """``SELECT`` of the columns a mapping reads, in table order."""
    table = shape.table
    return select(*(table.c[name] for name in shape.read))


def raw_columns(shape: Shape) -> list[Label[Any]]:
    """The columns a mapping reads, for Core queries run through SQLAlchemy: driver values, no type processing.

    The codec converts them like every other read; each keeps its column's name as its label.
    """
    table = shape.table
    return [type_coerce(table.c[name], NullType()).label(name) for name in shape.read]


def raw(column: ColumnElement[Any]) -> Label[Any]:
    """One column as :func:`raw_columns` gives them."""
    return type_coerce(column, NullType()).label(column.key)


class Statements:
    """The fixed statements of one dialect, rendered when the store opens."""

    def __init__(self, dialect_name: str) -> None:
        d = self.dialect = positional_dialect(dialect_name)
        upsert_into = sqlite_insert if dialect_name == "sqlite" else postgresql_insert

        def insert_into(shape: Shape) -> Statement:
            # inline(): never ask for the generated key back (PostgreSQL would add RETURNING)
            return render(insert(shape.table).values(written(shape)).inline(), d)

        def upsert(shape: Shape) -> Statement:
            table = shape.table
            stmt = upsert_into(table).values(written(shape))
            changed = {name: stmt.excluded[name] for name in shape.written if name not in _CHILD_KEYS}
            return render(stmt.on_conflict_do_update(index_elements=[table.c.id], set_=changed).inline(), d)

        self.insert_case = insert_into(rows.CASES)
        # Optimistic locking: a stale expected_version matches no row.
        self.update_case = render(
            update(cases)
            .where(cases.c.id == bindparam("id"), cases.c.version == bindparam("expected_version"))
            .values(written(rows.CASES, skip=("id",))),
            d,
        )
        self.insert_petition = insert_into(rows.PETITIONS)
        self.insert_identity = insert_into(rows.PETITIONER_IDENTITIES)
        self.insert_obligation = insert_into(rows.OBLIGATIONS)
        self.upsert_obligation = upsert(rows.OBLIGATIONS)
        self.insert_referral = insert_into(rows.REFERRALS)
        self.upsert_referral = upsert(rows.REFERRALS)
        self.insert_event = insert_into(rows.EVENTS)
        self.insert_outbox = insert_into(rows.OUTBOX)
        self.insert_access = insert_into(rows.ACCESS_LOG)
        # Tracking numbers: one upsert ... RETURNING, so concurrent reservations queue on the row.
        counter = upsert_into(tracking_counters).values(
            office_code=bindparam("office_code"), year=bindparam("year"), last_value=bindparam("count")
        )
        self.next_sequence = render(
            counter.on_conflict_do_update(
                index_elements=[tracking_counters.c.office_code, tracking_counters.c.year],
                set_={"last_value": tracking_counters.c.last_value + counter.excluded.last_value},
            ).returning(tracking_counters.c.last_value),
            d,
        )
        self.case = render(read(rows.CASES).where(cases.c.id == bindparam("id")), d)
        self.version = render(select(cases.c.version).where(cases.c.id == bindparam("id")), d)
        self.obligations_of = render(
            read(rows.OBLIGATIONS)
            .where(obligations.c.case_id == bindparam("case_id"))
            .order_by(obligations.c.position, obligations.c.id),
            d,
        )
        self.referrals_of = render(
            read(rows.REFERRALS)
            .where(referrals.c.case_id == bindparam("case_id"))
            .order_by(referrals.c.position, referrals.c.id),
            d,
        )
        # The due list: served by the partial index on open obligations (office_code, due, case_id, clock);
        # the status is a literal because a bound parameter would not show the planner that the index applies.
        self.due = render(
            read(rows.OBLIGATIONS)
            .where(
                obligations.c.office_code == bindparam("office_code"),
                obligations.c.status == literal_column(f"'{ObligationStatus.OPEN.value}'"),
                obligations.c.due <= bindparam("until"),
            )
            .order_by(obligations.c.due, obligations.c.case_id, obligations.c.clock),
            d,
        )
        self.events_of = render(
            read(rows.EVENTS).where(events.c.case_id == bindparam("case_id")).order_by(events.c.sequence), d
        )
        self.petitions_of = render(
            read(rows.PETITIONS)
            .where(petitions.c.case_id == bindparam("case_id"))
            .order_by(petitions.c.registered_at, petitions.c.tracking_number),
            d,
        )
        self.petition_by_number = render(
            read(rows.PETITIONS).where(
                petitions.c.office_code == bindparam("office_code"),
                petitions.c.tracking_number == bindparam("tracking_number"),
            ),
            d,
        )
        self.petition_by_digest = render(
            read(rows.PETITIONS).where(petitions.c.query_code_digest == bindparam("query_code_digest")), d
        )
        self.set_digest = render(
            update(petitions)
            .where(petitions.c.id == bindparam("id"))
            .values(query_code_digest=bindparam("query_code_digest")),
            d,
        )
        self.set_respondent = render(
            update(petitions)
            .where(petitions.c.id == bindparam("id"))
            .values(respondent=bindparam("respondent"), respondent_body_code=bindparam("respondent_body_code")),
            d,
        )
        # Retention (petitionkit.service.retention): a petition rewritten whole, a case's identities replaced,
        # its delivered or dead outbox rows dropped.
        self.replace_petition = render(
            update(petitions).where(petitions.c.id == bindparam("id")).values(written(rows.PETITIONS, skip=("id",))),
            d,
        )
        self.identities_of = render(
            read(rows.PETITIONER_IDENTITIES)
            .where(petitioner_identities.c.case_id == bindparam("case_id"))
            .where(petitioner_identities.c.kind == literal_column("'person'"))  # what reports count people by
            .order_by(petitioner_identities.c.petition_id, petitioner_identities.c.digest),
            d,
        )
        self.drop_identities = render(
            delete(petitioner_identities).where(petitioner_identities.c.case_id == bindparam("case_id")), d
        )
        self.set_event_payload = render(
            update(events)
            .where(events.c.case_id == bindparam("case_id"), events.c.sequence == bindparam("sequence"))
            .values(payload=bindparam("payload")),
            d,
        )
        self.drop_finished_outbox = render(
            delete(outbox).where(
                outbox.c.case_id == bindparam("case_id"),
                outbox.c.status != literal_column(f"'{OutboxStatus.PENDING.value}'"),
            ),
            d,
        )
        # The search index: a source's document replaced (its old one dropped by its unique key; the FTS5
        # triggers follow on SQLite).
        self.insert_search_document = insert_into(rows.SEARCH_DOCUMENTS)
        self.drop_search_document = render(
            delete(search_documents).where(
                search_documents.c.case_id == bindparam("case_id"),
                search_documents.c.source_kind == bindparam("source_kind"),
                search_documents.c.source_id == bindparam("source_id"),
            ),
            d,
        )
        self.drop_obligations = render(delete(obligations).where(obligations.c.case_id == bindparam("case_id")), d)
        self.drop_referrals = render(delete(referrals).where(referrals.c.case_id == bindparam("case_id")), d)

        # Statements with an IN list; every other parameter needs a placeholder value (_unset) to render.
        self.source_refs = Listed(
            "refs",
            lambda refs: select(petitions.c.source_ref).where(
                petitions.c.office_code == _unset("office_code"), petitions.c.source_ref.in_(refs)
            ),
            d,
        )
        self.cases_of_identities = Listed(
            "digests",
            lambda digests: (
                select(petitioner_identities.c.case_id)
                .distinct()
                .where(petitioner_identities.c.office_code == _unset("office_code"))
                .where(petitioner_identities.c.digest.in_(digests))
                .order_by(petitioner_identities.c.case_id)
            ),
            d,
        )
        self.identity_matches = Listed(
            "digests",
            lambda digests: (
                select(petitioner_identities.c.digest, petitioner_identities.c.case_id)
                .distinct()
                .where(petitioner_identities.c.office_code == _unset("office_code"))
                .where(petitioner_identities.c.digest.in_(digests))
            ),
            d,
        )
        self.obligations_of_cases = Listed(
            "case_ids",
            lambda case_ids: (
                read(rows.OBLIGATIONS)
                .where(obligations.c.case_id.in_(case_ids))
                .order_by(obligations.c.case_id, obligations.c.position, obligations.c.id)
            ),
            d,
        )
        self.referrals_of_cases = Listed(
            "case_ids",
            lambda case_ids: (
                read(rows.REFERRALS)
                .where(referrals.c.case_id.in_(case_ids))
                .order_by(referrals.c.case_id, referrals.c.position, referrals.c.id)
            ),
            d,
        )
        self.drop_other_obligations = Listed(
            "keep",
            lambda keep: delete(obligations).where(
                obligations.c.case_id == _unset("case_id"), obligations.c.id.not_in(keep)
            ),
            d,
        )
        self.drop_other_referrals = Listed(
            "keep",
            lambda keep: delete(referrals).where(referrals.c.case_id == _unset("case_id"), referrals.c.id.not_in(keep)),
            d,
        )


def access_query(dialect_name: str, query: AccessQuery) -> Statement:
    """The select of access records for the filters ``query`` sets."""
    return _access_query(
        dialect_name,
        query.case_id is not None,
        query.principal_id is not None,
        query.since is not None,
        query.newest_first,
    )


@lru_cache(maxsize=32)
def _access_query(dialect_name: str, by_case: bool, by_principal: bool, since: bool, newest: bool) -> Statement:
    # one statement per combination of filters, rendered once
    c = access_log.c
    statement = read(rows.ACCESS_LOG).where(c.office_code == bindparam("office_code"))
    if by_case:
        statement = statement.where(c.case_id == bindparam("case_id"))
    if by_principal:
        statement = statement.where(c.principal_id == bindparam("principal_id"))
    if since:
        statement = statement.where(c.at >= bindparam("since"))
    page = statement.order_by(c.seq.desc() if newest else c.seq).limit(bindparam("limit")).offset(bindparam("offset"))
    return render(page, positional_dialect(dialect_name))


@cache
def statements_for(dialect_name: str) -> Statements:
    """The statements of a dialect, rendered once per process and shared by its stores (they hold no state)."""
    return Statements(dialect_name)


class Listed:
    """A statement with an ``IN`` list, rendered for each list length on first use.

    ``build`` makes the statement around the list's (expanding) parameter; the rendered statement
    takes the list's values as one sequence under ``name``.
    """

    def __init__(self, name: str, build: Callable[[BindParameter[Any]], Element], dialect: Dialect) -> None:
        self.name = name
        self._build = build
        self._dialect = dialect
        # One per length; the store keeps lengths under its chunk size of 500.
        self._cached = lru_cache(maxsize=1024)(self._render)

    def __call__(self, count: int) -> Statement:
        """The statement for a list of ``count`` values (at least one)."""
        if count < 1:
            raise ValueError("an IN list needs at least one value")
        return self._cached(count)

    def _render(self, count: int) -> Statement:
        element = self._build(bindparam(self.name, [None] * count, expanding=True))
        return render(element, self._dialect, listed=self.name, count=count)
