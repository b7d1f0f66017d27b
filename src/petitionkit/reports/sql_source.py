"""Report queries on the SQL backend: SQLAlchemy Core ``GROUP BY`` over the tables.

Every figure is one aggregate query; rows never travel to Python to be counted.  Several windows
are counted in one pass: a ``CASE`` expression names the window each row falls in and the query
groups by it.  Reads run in one read-only transaction per :meth:`SqlReportSource.session`, so the
figures of a report agree with each other:

* SQLite (file): a separate read engine whose transactions begin with a plain (deferred) ``BEGIN``;
  in WAL mode a reader sees one snapshot and never blocks the office's writers.  (The storage's own
  engine begins every transaction with ``BEGIN IMMEDIATE``, which would take the write lock.)
* SQLite (in memory): the storage's own transaction, since only its connection sees the data.
* PostgreSQL: the storage's engine, ``REPEATABLE READ`` and read-only.

Petition counts (totals, repeat petitions, every breakdown) of windows that start and end on whole UTC
hours are sums over ``petition_tallies`` (revision 0023, kept by triggers: storage.sql.tallies), whose rows
grow with the period's hours and keys instead of its petitions; other windows count the petitions.

Times inside JSON documents (a reply's ``replied_at``...) are written with their own UTC offset, so
they are compared as instants: ``datetime()`` normalises them to UTC on SQLite, a cast to
``timestamptz`` on PostgreSQL.

Size: about 600 lines, one aggregate query per figure of :class:`ReportSource` (and the tallied form of the
petition counts); splitting the queries from each other would only separate them from the protocol they
implement together.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date
from typing import Any

from sqlalchemy import (
    JSON,
    Connection,
    DateTime,
    Engine,
    and_,
    case,
    cast,
    column,
    create_engine,
    event,
    func,
    literal,
    null,
    or_,
    select,
    true,
)
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from petitionkit.reports.periods import Window
from petitionkit.reports.source import (
    DUTY_OWERS,
    CaseRef,
    Dimension,
    Milestones,
    ObligationCount,
    OverdueData,
    OverdueItem,
    PetitionText,
    PetitionTotals,
    ReferralCount,
    Scope,
)
from petitionkit.storage.sql.tables import (
    cases,
    obligations,
    petition_tallies,
    petitioner_identities,
    petitions,
    referrals,
)
from petitionkit.storage.sql.tallies import COUNTS
from petitionkit.storage.sql.types import Codec

__all__ = ["SqlReportSource"]

_OUTCOMES = ("support", "explain", "not_support", "mediated")
_DECLINE_CHANNELS = (
    "litigation",
    "arbitration",
    "administrative_reconsideration",
    "discipline_inspection",
    "party_appeal",
    "other_organ",
    "none",
)


def _sqlite_reader(url: str) -> Engine:
    """A read engine for a SQLite file: deferred ``BEGIN`` (a WAL snapshot), ``query_only``."""
    engine = create_engine(url, poolclass=NullPool, connect_args={"check_same_thread": False, "timeout": 30})

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # the "begin" hook issues BEGIN
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("PRAGMA busy_timeout = 30000")
            cursor.execute("PRAGMA query_only = ON")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection: Connection) -> None:
        connection.exec_driver_sql("BEGIN")

    return engine


#: The tally dimension of each report dimension (storage.sql.tallies); the office's is the totals by office.
_TALLIED = {
    None: "all",
    Dimension.OFFICE: "all",
    Dimension.CHANNEL: "channel",
    Dimension.KIND: "kind",
    Dimension.CATEGORY: "category",
    Dimension.REGION: "region",
    Dimension.RESPONDENT: "respondent",
    Dimension.RESPONDENT_BODY: "respondent_body",
}


def _on_the_hour(windows: Sequence[Window]) -> bool:
    """Every window starts and ends on a whole UTC hour, so the hourly tallies add up to it exactly."""
    return all(
        moment.astimezone(UTC).replace(minute=0, second=0, microsecond=0) == moment
        for w in windows
        for moment in (w.start, w.end)
    )


def _unique(windows: Sequence[Window]) -> tuple[list[Window], list[int]]:
    """Distinct windows, and for each given window the index of its distinct one."""
    distinct = list(dict.fromkeys(windows))
    return distinct, [distinct.index(w) for w in windows]


class SqlReportSource:
    """:class:`~petitionkit.reports.source.ReportSource` over the SQL tables."""

    def __init__(
        self,
        connect: Any,
        dialect: str,
        *,
        owned: Engine | None = None,
        codec: Codec | None = None,
        tallies: bool = True,
    ) -> None:
        self._connect = connect  # () -> context manager yielding a Connection
        # Petition counts of windows on whole UTC hours come from petition_tallies (revision 0023); False
        # counts the petitions themselves (the figures are the same: tests and benchmarks compare the two).
        self.tallies = tallies
        self.dialect = dialect
        # The store's codec opens encrypted subjects and content; without its cipher a sealed value is refused.
        self._codec = codec or Codec(dialect)
        self._owned = owned
        self._current: Connection | None = None

    @classmethod
    def for_storage(cls, storage: Any) -> SqlReportSource:
        """The source for a :class:`~petitionkit.storage.sql.SqlStorage` (see the module notes)."""
        engine: Engine = storage.engine
        dialect = engine.dialect.name
        if dialect == "sqlite":
            database = engine.url.database
            if database in (None, "", ":memory:") or engine.url.query.get("uri"):

                @contextmanager
                def shared() -> Iterator[Connection]:
                    with storage.transaction() as tx:
                        yield tx.connection

                return cls(shared, dialect, codec=storage.codec)
            reader = _sqlite_reader(engine.url.render_as_string(hide_password=False))
            return cls(reader.begin, dialect, owned=reader, codec=storage.codec)

        @contextmanager
        def snapshot() -> Iterator[Connection]:
            with engine.connect() as raw:
                connection = raw.execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)
                with connection.begin():
                    yield connection

        return cls(snapshot, dialect, codec=storage.codec)

    @classmethod
    def for_url(cls, url: str) -> SqlReportSource:
        """A source on a database URL of its own (for tools and benchmarks)."""
        parsed = make_url(url)
        if parsed.get_backend_name() == "sqlite":
            reader = _sqlite_reader(url)
            return cls(reader.begin, "sqlite", owned=reader)
        engine = create_engine(
            parsed.set(drivername="postgresql+psycopg") if parsed.drivername == "postgresql" else url
        )

        @contextmanager
        def snapshot() -> Iterator[Connection]:
            with engine.connect() as raw:
                connection = raw.execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)
                with connection.begin():
                    yield connection

        return cls(snapshot, engine.dialect.name, owned=engine)

    # --- plumbing ---------------------------------------------------------------------------

    @contextmanager
    def session(self) -> Iterator[None]:
        if self._current is not None:
            yield
            return
        with self._connect() as connection:
            self._current = connection
            try:
                yield
            finally:
                self._current = None

    def close(self) -> None:
        if self._owned is not None:
            self._owned.dispose()

    def _all(self, stmt: Any) -> list[Any]:
        if self._current is not None:
            return list(self._current.execute(stmt).all())
        with self.session():
            assert self._current is not None
            return list(self._current.execute(stmt).all())

    def _in(self, column_: Any, scope: Scope) -> Any:
        return column_.in_(scope.offices) if len(scope.offices) > 1 else column_ == scope.offices[0]

    @staticmethod
    def _during(column_: Any, windows: Sequence[Window]) -> Any:
        ranges = [and_(column_ >= w.start, column_ < w.end) for w in windows]
        return ranges[0] if len(ranges) == 1 else or_(*ranges)

    @staticmethod
    def _bucket(column_: Any, windows: Sequence[Window]) -> Any:
        if len(windows) == 1:
            return literal(0)
        return case(*((and_(column_ >= w.start, column_ < w.end), i) for i, w in enumerate(windows)), else_=null())

    def _json_text(self, document: Any, key: str) -> Any:
        return document[key].as_string()

    def _json_time_during(self, document: Any, key: str, window: Window) -> Any:
        """The JSON time ``document.key`` falls in ``window`` (compared as instants)."""
        text = self._json_text(document, key)
        if self.dialect == "sqlite":
            utc = func.datetime(text)
            fmt = "%Y-%m-%d %H:%M:%S"
            return and_(
                utc >= window.start.astimezone(UTC).strftime(fmt),
                utc < window.end.astimezone(UTC).strftime(fmt),
            )
        moment = cast(text, DateTime(timezone=True))
        return and_(moment >= window.start, moment < window.end)

    def _key(self, by: Dimension | None) -> Any:
        p = petitions.c
        if by is None:
            return null()
        if by is Dimension.RESPONDENT:
            unit = func.nullif(self._json_text(p.respondent, "unit_name"), "")
            return func.coalesce(p.respondent_body_code, unit)
        return {
            Dimension.CHANNEL: p.channel,
            Dimension.KIND: p.kind,
            Dimension.CATEGORY: p.category,
            Dimension.REGION: p.region_code,
            Dimension.RESPONDENT_BODY: p.respondent_body_code,
            Dimension.OFFICE: p.office_code,
        }[by]

    # --- petitions and cases ------------------------------------------------------------------

    def petition_counts(
        self, scope: Scope, windows: Sequence[Window], by: Dimension | None
    ) -> dict[tuple[int, str | None], int]:
        distinct, index = _unique(windows)
        if self._tallied(distinct):
            t = petition_tallies.c
            if by is None:
                rows = [(b, None, n) for b, n, *_ in self._all(self._tally(scope, distinct, "all", None))]
            else:
                key = t.office_code if by is Dimension.OFFICE else t["key"]
                rows = [(b, k, n) for b, k, n, *_ in self._all(self._tally(scope, distinct, _TALLIED[by], key))]
            # key "": no respondent (body) at all; zero: every petition of the key was taken off again
            counts = {(b, k or None): int(n) for b, k, n in rows if b is not None and n}
        else:
            p = petitions.c
            inner = (
                select(self._bucket(p.received_at, distinct).label("b"), self._key(by).label("k"))
                .where(self._in(p.office_code, scope), self._during(p.received_at, distinct))
                .subquery()
            )
            stmt = select(inner.c.b, inner.c.k, func.count()).group_by(inner.c.b, inner.c.k)
            counts = {(b, k): int(n) for b, k, n in self._all(stmt) if b is not None}
        found: dict[tuple[int, str | None], int] = {}
        for i, d in enumerate(index):
            for (b, k), n in counts.items():
                if b == d:
                    found[(i, k)] = n
        return found

    def _tallied(self, windows: Sequence[Window]) -> bool:
        return self.tallies and _on_the_hour(windows)

    def _tally(self, scope: Scope, windows: Sequence[Window], dimension: str, key: Any | None) -> Any:
        """The tally rows of ``dimension`` in ``windows`` summed by window (``b``) and ``key`` (``k``, when given)."""
        t = petition_tallies.c
        columns = [self._bucket(t.hour, windows).label("b"), *(getattr(t, c) for c in COUNTS)]
        if key is not None:
            columns.append(key.label("k"))
        inner = (
            select(*columns)
            .where(self._in(t.office_code, scope), t.dimension == dimension, self._during(t.hour, windows))
            .subquery()
        )
        c = inner.c
        groups = [c.b, c.k] if key is not None else [c.b]
        return select(*groups, *(func.sum(getattr(c, name)) for name in COUNTS)).group_by(*groups)

    def petition_totals(self, scope: Scope, windows: Sequence[Window]) -> list[PetitionTotals]:
        distinct, index = _unique(windows)
        if self._tallied(distinct):
            sums = {r[0]: [int(v or 0) for v in r[1:]] for r in self._all(self._tally(scope, distinct, "all", None))}
            # petitions, people, collective, collective people, anonymous (the repeats are the last sum)
            return [PetitionTotals(*sums[d][:5]) if d in sums else PetitionTotals() for d in index]
        p = petitions.c
        collective = p.headcount >= 5
        inner = (
            select(
                self._bucket(p.received_at, distinct).label("b"),
                p.headcount.label("headcount"),
                case((collective, 1), else_=0).label("collective"),
                case((collective, p.headcount), else_=0).label("collective_people"),
                case((p.anonymous == true(), 1), else_=0).label("anonymous"),
            )
            .where(self._in(p.office_code, scope), self._during(p.received_at, distinct))
            .subquery()
        )
        c = inner.c
        stmt = select(
            c.b, func.count(), func.sum(c.headcount), func.sum(c.collective), func.sum(c.collective_people),
            func.sum(c.anonymous),
        ).group_by(c.b)  # fmt: skip
        rows = {r[0]: PetitionTotals(*(int(v or 0) for v in r[1:])) for r in self._all(stmt) if r[0] is not None}
        return [rows.get(d, PetitionTotals()) for d in index]

    def cases_opened(self, scope: Scope, windows: Sequence[Window]) -> list[int]:
        distinct, index = _unique(windows)
        k = cases.c
        inner = (
            select(self._bucket(k.opened_at, distinct).label("b"))
            .where(self._in(k.office_code, scope), self._during(k.opened_at, distinct))
            .subquery()
        )
        rows = {b: int(n) for b, n in self._all(select(inner.c.b, func.count()).group_by(inner.c.b))}
        return [rows.get(d, 0) for d in index]

    def repeat_petitions(self, scope: Scope, windows: Sequence[Window]) -> list[int]:
        distinct, index = _unique(windows)
        if self._tallied(distinct):
            repeats = {r[0]: int(r[-1] or 0) for r in self._all(self._tally(scope, distinct, "all", None))}
            return [repeats.get(d, 0) for d in index]
        p, k = petitions.c, cases.c
        repeat = or_(p.repeat_of.is_not(None), p.tracking_number != k.first_tracking_number)
        inner = (
            select(self._bucket(p.received_at, distinct).label("b"))
            .select_from(petitions.join(cases, k.id == p.case_id))
            .where(self._in(p.office_code, scope), self._during(p.received_at, distinct), repeat)
            .subquery()
        )
        rows = {b: int(n) for b, n in self._all(select(inner.c.b, func.count()).group_by(inner.c.b))}
        return [rows.get(d, 0) for d in index]

    def respondent_cases(self, scope: Scope, window: Window) -> dict[str, int]:
        p = petitions.c
        inner = (
            select(self._key(Dimension.RESPONDENT).label("k"), p.case_id.label("case_id"))
            .where(self._in(p.office_code, scope), self._during(p.received_at, [window]))
            .subquery()
        )
        stmt = (
            select(inner.c.k, func.count(func.distinct(inner.c.case_id)))
            .where(inner.c.k.is_not(None))
            .group_by(inner.c.k)
        )
        return {k: int(n) for k, n in self._all(stmt)}

    def opened_states(self, scope: Scope, window: Window) -> dict[str, int]:
        k = cases.c
        stmt = (
            select(k.state, func.count())
            .where(self._in(k.office_code, scope), self._during(k.opened_at, [window]))
            .group_by(k.state)
        )
        return {state: int(n) for state, n in self._all(stmt)}

    # --- referrals and clocks -----------------------------------------------------------------

    def referral_counts(self, scope: Scope, window: Window) -> list[ReferralCount]:
        r = referrals.c
        stmt = (
            select(r.mode, r.body_code, r.status, func.count())
            .select_from(referrals.join(cases, cases.c.id == r.case_id))
            .where(self._in(cases.c.office_code, scope), self._during(r.referred_at, [window]))
            .group_by(r.mode, r.body_code, r.status)
        )
        return [ReferralCount(m, b, s, int(n)) for m, b, s, n in self._all(stmt)]

    def supervision_counts(self, scope: Scope, window: Window) -> list[ObligationCount]:
        o = obligations.c
        stmt = (
            select(o.body_code, o.status, func.count())
            .where(
                self._in(o.office_code, scope),
                o.clock == "supervision_reply",
                self._during(o.opened_at, [window]),
            )
            .group_by(o.body_code, o.status)
        )
        return [ObligationCount("supervision_reply", b, s, int(n)) for b, s, n in self._all(stmt)]

    def clock_outcomes(self, scope: Scope, first_day: date, last_day: date, as_of: date) -> list[ObligationCount]:
        o = obligations.c
        outcome = case(
            (o.status == "met", "met"),
            (o.status == "late", "late"),
            (o.due < as_of, "overdue"),
            else_="pending",
        )
        inner = (
            select(o.clock.label("clock"), o.body_code.label("body_code"), outcome.label("outcome"))
            .where(
                self._in(o.office_code, scope),
                o.status.in_(("open", "met", "late")),
                o.due >= first_day,
                o.due <= last_day,
                o.owed_by.in_(DUTY_OWERS),
            )
            .subquery()
        )
        c = inner.c
        stmt = select(c.clock, c.body_code, c.outcome, func.count()).group_by(c.clock, c.body_code, c.outcome)
        return [ObligationCount(clock, body, out, int(n)) for clock, body, out, n in self._all(stmt)]

    def overdue(self, scope: Scope, as_of: date, limit: int) -> OverdueData:
        o = obligations.c
        where = (
            self._in(o.office_code, scope),
            o.status == "open",
            o.due < as_of,
            o.owed_by.in_(DUTY_OWERS),
        )
        counts = self._all(select(o.clock, o.body_code, func.count()).where(*where).group_by(o.clock, o.body_code))
        (case_count,) = self._all(select(func.count(func.distinct(o.case_id))).where(*where))[0]
        items = self._all(
            select(
                o.case_id,
                cases.c.first_tracking_number,
                cases.c.subject,
                o.clock,
                o.body_code,
                o.due,
                o.basis_provisional_years != "",
            )
            .select_from(obligations.join(cases, cases.c.id == o.case_id))
            .where(*where)
            .order_by(o.due, cases.c.first_tracking_number, o.clock)
            .limit(limit)
        )
        return OverdueData(
            int(case_count),
            tuple(ObligationCount(clock, body, "overdue", int(n)) for clock, body, n in counts),
            tuple(
                OverdueItem(
                    case_id,
                    number,
                    self._codec.open("cases", case_id, "subject", subject),
                    clock,
                    body,
                    due,
                    bool(provisional),
                )
                for case_id, number, subject, clock, body, due, provisional in items
            ),
        )

    # --- what happened to cases ---------------------------------------------------------------

    def milestones(self, scope: Scope, window: Window, first_day: date, last_day: date) -> Milestones:
        k = cases.c
        replied = self._json_time_during(k.reply, "replied_at", window)
        declined = self._json_time_during(k.decline, "declined_at", window)
        outcome = self._json_text(k.reply, "outcome")
        channel = self._json_text(k.decline, "channel")
        first, last = first_day.isoformat(), last_day.isoformat()

        def count_if(condition: Any) -> Any:
            return func.sum(case((condition, 1), else_=0))

        def requested(document: Any) -> Any:
            day = self._json_text(document, "requested_on")
            return and_(day >= first, day <= last)

        columns = [
            *(count_if(and_(replied, outcome == value)) for value in _OUTCOMES),
            *(count_if(and_(declined, channel == value)) for value in _DECLINE_CHANNELS),
            count_if(self._json_time_during(k.extension, "extended_at", window)),
            count_if(requested(k.review)),
            count_if(self._json_time_during(k.review, "decided_at", window)),
            count_if(requested(k.rereview)),
            count_if(self._json_time_during(k.rereview, "decided_at", window)),
        ]
        # Every milestone sets updated_at: cases untouched since the window began are skipped cheaply.
        stmt = select(*columns).where(self._in(k.office_code, scope), k.updated_at >= window.start)
        values = [int(v or 0) for v in self._all(stmt)[0]]
        n_out, n_dec = len(_OUTCOMES), len(_DECLINE_CHANNELS)
        return Milestones(
            replies={o: v for o, v in zip(_OUTCOMES, values[:n_out], strict=True) if v},
            declines={c: v for c, v in zip(_DECLINE_CHANNELS, values[n_out : n_out + n_dec], strict=True) if v},
            extensions=values[n_out + n_dec],
            review_requests=values[n_out + n_dec + 1],
            reviews_decided=values[n_out + n_dec + 2],
            rereview_requests=values[n_out + n_dec + 3],
            rereviews_decided=values[n_out + n_dec + 4],
        )

    def evaluation_counts(self, scope: Scope, window: Window) -> dict[str, int]:
        k = cases.c
        if self.dialect == "sqlite":
            elements = func.json_each(k.evaluations).table_valued(column("value", JSON)).alias("e")
        else:
            elements = func.json_array_elements(k.evaluations).table_valued(column("value", JSON)).alias("e")
        value = elements.c.value
        inner = (
            select(self._json_text(value, "rating").label("rating"))
            .select_from(cases.join(elements, true()))
            .where(
                self._in(k.office_code, scope),
                k.updated_at >= window.start,
                self._json_time_during(value, "evaluated_at", window),
            )
            .subquery()
        )
        stmt = select(inner.c.rating, func.count()).group_by(inner.c.rating)
        return {rating: int(n) for rating, n in self._all(stmt)}

    def repeat_petitioners(self, scope: Scope, window: Window) -> int:
        p, i = petitions.c, petitioner_identities.c
        repeated = (
            select(i.digest)
            .select_from(petitioner_identities.join(petitions, p.id == i.petition_id))
            .where(self._in(i.office_code, scope), self._during(p.received_at, [window]), i.kind == "person")
            .group_by(i.digest)
            .having(func.count() >= 2)
            .subquery()
        )
        return int(self._all(select(func.count()).select_from(repeated))[0][0])

    # --- drill-down ---------------------------------------------------------------------------

    def cases_behind(
        self, scope: Scope, window: Window, by: Dimension, key: str, limit: int
    ) -> tuple[int, list[CaseRef]]:
        p = petitions.c
        where = (self._in(p.office_code, scope), self._during(p.received_at, [window]), self._key(by) == key)
        (total,) = self._all(select(func.count(func.distinct(p.case_id))).where(*where))[0]
        ids = select(p.case_id).where(*where).distinct().subquery()
        rows = self._all(
            select(cases.c.id, cases.c.first_tracking_number, cases.c.subject)
            .where(cases.c.id.in_(select(ids.c.case_id)))
            .order_by(cases.c.first_tracking_number)
            .limit(limit)
        )
        open_ = self._codec.open
        return int(total), [CaseRef(i, n, open_("cases", i, "subject", subject)) for i, n, subject in rows]

    def petition_texts(self, scope: Scope, window: Window, latest: int | None = None) -> Iterator[PetitionText]:
        p, i = petitions.c, petitioner_identities.c
        where = (self._in(p.office_code, scope), self._during(p.received_at, [window]))
        chosen = select(p.id).where(*where)
        if latest is not None:  # the newest ``latest`` (a bounded read), still yielded oldest first
            chosen = chosen.order_by(p.received_at.desc(), p.tracking_number.desc()).limit(latest)
        picked = chosen.subquery()
        with self.session():
            identities: dict[str, list[str]] = {}
            for petition_id, digest in self._all(
                select(i.petition_id, i.digest)
                .where(i.petition_id.in_(select(picked.c.id)))
                .where(i.kind == "person")  # people, not repeat detection's secondary keys
            ):
                identities.setdefault(petition_id, []).append(digest)
            rows = self._all(
                select(
                    p.id,
                    p.case_id,
                    cases.c.first_tracking_number,
                    p.subject,
                    p.content,
                    p.category,
                    p.region_code,
                    p.received_at,
                )
                .select_from(petitions.join(cases, cases.c.id == p.case_id))
                .where(p.id.in_(select(picked.c.id)))
                .order_by(p.received_at, p.tracking_number)
            )
        open_ = self._codec.open
        for pid, case_id, case_number, sealed_subject, sealed_content, category, region, received in rows:
            digests = tuple(sorted(identities.get(pid, ())))
            subject = open_("petitions", pid, "subject", sealed_subject)
            content = open_("petitions", pid, "content", sealed_content)
            yield PetitionText(pid, case_id, case_number, subject, content, category, region, received, digests)
