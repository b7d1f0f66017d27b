"""Benchmark of the annual report against the raw aggregate SQL it needs, on SQLite and PostgreSQL.

    python benchmarks/report.py --db sqlite --cases 1000000
    python benchmarks/report.py --db postgresql --url postgresql+psycopg://postgres@127.0.0.1:5432/test --cases 1000000

The data set: ``--cases`` petitions from ``generate.py`` received over 2024 and 2025, registered with
``Office.import_petitions`` (streamed), then pushed through the lifecycle: a sample of cases through the
service itself (accept, decline, transfer, assign, report, supervise, extend, reply, evaluate, review,
re-review), and ``--lifecycle`` of all the others by SQL: each takes the final state of a sample case of
its kind, with every time shifted by the difference of their received times and fresh ids, written with
the store's own row encoding (schema-valid; their audit trail holds only the registration).

Figures (each beside its baseline and the ratio; target: report <= 3x the raw SQL):

* the annual report of 2025 (``build_period_report``, signals off) against the same aggregations
  written by hand as SQL text and run through the raw driver (sqlite3 / psycopg), query by query;
* the rising-series signals of 2025Q4 (six quarters of history) against their raw queries;
* clustering (no SQL baseline) on a slice of one month.

Not part of the test suite.  ``--reuse`` measures again on a database built by an earlier run.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import platform
import sqlite3
import subprocess
import sys
import time
import uuid
from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import attrs

from petitionkit.testing import DIRECTOR, open_test_office

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate import petitions

ZONE = ZoneInfo("Asia/Shanghai")
SHANGHAI = timezone(timedelta(hours=8))
START, END = datetime(2024, 1, 1, tzinfo=SHANGHAI), datetime(2026, 1, 1, tzinfo=SHANGHAI)
NOW = datetime(2026, 6, 30, 9, 0, tzinfo=SHANGHAI)  # when the report runs (after every shifted step)
AS_OF = NOW.date()
OFFICE = "XS"


def _signal_period() -> Any:
    from petitionkit.reports import Period  # noqa: PLC0415

    return Period.quarter(2025, 4)  # six quarters of history before it


SIGNAL_PERIOD = _signal_period()


# --- the data set ------------------------------------------------------------------------------------------


class Clock:
    def __init__(self) -> None:
        self.current = NOW

    def __call__(self) -> datetime:
        return self.current


def open_bench_office(url: str, clock: Clock) -> Any:
    from petitionkit.testing import office_settings  # noqa: PLC0415

    settings = dict(office_settings(office_code=OFFICE))
    settings["database"] = {"url": url}
    settings["settings"] = {"sql": {"sqlite_synchronous": "off", "busy_timeout": 120}}
    return open_test_office(settings, clock=clock)


def _unresolved_accusation(office: Any, ref: str) -> bool:
    from petitionkit.domain.protection import is_resolved  # noqa: PLC0415

    return any(p.kind.value == "accusation" and not is_resolved(p.respondent) for p in office.petitions(ref))


def run_sample_lifecycle(office: Any, clock: Clock, case: Any, n: int) -> None:
    """One case through the service, its steps at its own times (paths chosen by ``n``)."""
    day = timedelta(days=1)
    t0 = case.opened_at.astimezone(SHANGHAI)
    ref = case.id

    def at(offset: float, action: str, **params: Any) -> None:
        clock.current = t0 + offset * day
        getattr(office, action)(ref, **params)

    path = n % 20
    body = "SUPERVISION" if case.kind.value == "accusation" else ("GOV-HRSS", "GOV-HOUSING", "GOV-LAND")[n % 3]
    if 2 <= path < 9 and _unresolved_accusation(office, ref):
        # The clerk confirms the accused unit ("某单位") is none of the known bodies before referring.
        at(2.5, "resolve_respondent", unlisted=True)
    outcome = ("support", "explain", "not_support", "mediated")[n % 4]
    if path < 2:
        at(2, "decline", reason="依法应当通过诉讼解决", channel=("litigation", "arbitration")[n % 2])
    elif path < 5:
        at(3, "transfer", body=body, note="请依法处理")
    elif path < 9:
        at(3, "assign", body=body, note="请依法办理并报告结果")
        if path < 7:
            at(40, "record_report", outcome=outcome, text="已办结")
        elif path == 7:
            at(66, "supervise", reason="逾期未报送")
            at(85, "record_report", outcome=outcome, text="已办结")
        # path 8: the report is still owed
    elif path < 18 and not case.anonymous:
        at(2, "accept")
        reply = (20, 45, 58, 70)[n % 4]
        if case.kind.value == "claim" and path == 10:
            at(50, "extend", days=30, reason="情况复杂", approved_by=DIRECTOR)
            reply = 80
        at(reply, "reply", outcome=outcome, text="经调查核实，现答复如下。")
        if path < 16:
            at(reply + 6, "evaluate", rating=("satisfied", "satisfied", "basically_satisfied", "dissatisfied")[n % 4])
        if path in (12, 13):
            at(reply + 10, "request_review", reason="不服", organ="市人大常委会信访室")
            at(reply + 35, "decide_review", outcome="explain", opinion="维持")
            if path == 12:
                at(reply + 45, "request_rereview", reason="仍不服", organ="省人大常委会信访局")
                at(reply + 70, "decide_rereview", outcome="not_support", opinion="维持")
    # the rest stay registered (their notice clock runs out)


def _shift_day(value: date | None, days: int) -> date | None:
    return None if value is None else value + timedelta(days=days)


def _shift(value: datetime | None, delta: timedelta) -> datetime | None:
    return None if value is None else value + delta


def cloned(template: Any, case_id: str, opened_at: datetime, anonymous: bool) -> Any:
    """``template``'s final state moved onto another case: times shifted, child ids fresh."""
    delta = opened_at - template.opened_at
    days = delta.days
    ids = {o.id: uuid.uuid4().hex for o in template.obligations} | {r.id: uuid.uuid4().hex for r in template.referrals}
    referrals = tuple(
        attrs.evolve(
            r,
            id=ids[r.id],
            case_id=case_id,
            referred_at=r.referred_at + delta,
            objection_due=_shift_day(r.objection_due, days),
            closed_at=_shift(r.closed_at, delta),
        )
        for r in template.referrals
    )
    obligations = tuple(
        attrs.evolve(
            o,
            id=ids[o.id],
            case_id=case_id,
            due=o.due + timedelta(days=days),
            basis=attrs.evolve(o.basis, start=o.basis.start + timedelta(days=days)),
            opened_at=o.opened_at + delta,
            closed_at=_shift(o.closed_at, delta),
            referral_id=None if o.referral_id is None else ids[o.referral_id],
        )
        for o in template.obligations
    )
    reply = template.reply and attrs.evolve(
        template.reply,
        replied_at=template.reply.replied_at + delta,
        delivered_on=template.reply.delivered_on + timedelta(days=days),
    )

    def step(s: Any) -> Any:
        return s and attrs.evolve(
            s, requested_on=s.requested_on + timedelta(days=days), decided_at=_shift(s.decided_at, delta)
        )

    return attrs.evolve(
        template,
        id=case_id,
        obligations=obligations,
        referrals=referrals,
        decline=template.decline and attrs.evolve(template.decline, declined_at=template.decline.declined_at + delta),
        extension=template.extension
        and attrs.evolve(template.extension, extended_at=template.extension.extended_at + delta),
        reply=reply,
        evaluations=tuple(attrs.evolve(e, evaluated_at=e.evaluated_at + delta) for e in template.evaluations),
        review=step(template.review),
        rereview=step(template.rereview),
        updated_at=_shift(template.updated_at, delta),
        anonymous=anonymous,
    )


def build(url: str, count: int, sample: int, lifecycle: float, seed: int) -> dict[str, float]:  # noqa: PLR0915
    """Import ``count`` petitions, run ``sample`` lifecycles through the service, clone them onto the rest."""
    from petitionkit.storage.sql import rows  # noqa: PLC0415

    clock = Clock()
    office = open_bench_office(url, clock)
    figures: dict[str, float] = {}
    started = time.perf_counter()
    imported = office.import_petitions(petitions(count, seed=seed, start=START, end=END), batch_size=2000)
    figures["import_s"] = time.perf_counter() - started
    print(f"  imported {imported.imported:,} petitions in {figures['import_s']:.0f} s", flush=True)

    with office.storage.transaction() as tx:
        found = tx._run("SELECT id, kind, opened_at, anonymous FROM cases ORDER BY opened_at, id", ()).fetchall()
    codec = office.storage.codec
    everyone = [(r[0], r[1], codec.ts_in(r[2]), bool(r[3])) for r in found]
    step = max(1, len(everyone) // sample)
    chosen = everyone[::step][:sample]
    started = time.perf_counter()
    templates: dict[tuple[str, bool], list[Any]] = defaultdict(list)
    for n, (case_id, _kind, _opened, _anonymous) in enumerate(chosen):
        case = office.case(case_id)
        if case.opened_at + timedelta(days=160) > NOW:
            continue  # too late in the data to finish a lifecycle before the report runs
        run_sample_lifecycle(office, clock, case, n)
        final = office.case(case_id)
        templates[(final.kind.value, final.anonymous)].append(final)
    clock.current = NOW
    figures["sample_s"] = time.perf_counter() - started
    print(f"  {len(chosen):,} sample lifecycles through the service in {figures['sample_s']:.0f} s", flush=True)

    sampled = {c.id for group in templates.values() for c in group}
    rest = [c for c in everyone if c[0] not in sampled]
    chunk = 5000
    started = time.perf_counter()
    cloned_count = 0
    for begin in range(0, len(rest), chunk):
        batch = []
        for case_id, kind, opened_at, anonymous in rest[begin : begin + chunk]:
            digest = int(hashlib.blake2b(case_id.encode(), digest_size=4).hexdigest(), 16)
            if digest / 2**32 >= lifecycle:
                continue
            group = templates.get((kind, anonymous)) or templates.get((kind, False))
            if not group:
                continue
            batch.append(cloned(group[digest % len(group)], case_id, opened_at, anonymous))
        if not batch:
            continue
        with office.storage.transaction() as tx:
            k = tx.codec
            tx._run_many(tx.sql.update_case, [{**rows.case_values(c, k), "expected_version": 1} for c in batch])
            tx._run_many(tx.sql.drop_obligations, [{"case_id": c.id} for c in batch])
            referrals = [rows.referral_values(r, k, i) for c in batch for i, r in enumerate(c.referrals)]
            if referrals:
                tx._run_many(tx.sql.insert_referral, referrals)
            obligations = [
                rows.obligation_values(o, k, c.office_code, i) for c in batch for i, o in enumerate(c.obligations)
            ]
            if obligations:
                tx._run_many(tx.sql.insert_obligation, obligations)
        cloned_count += len(batch)
    figures["clone_s"] = time.perf_counter() - started
    figures["cloned"] = cloned_count
    print(f"  {cloned_count:,} lifecycles cloned by SQL in {figures['clone_s']:.0f} s", flush=True)
    office.close()
    return figures


# --- the raw SQL baseline -------------------------------------------------------------------------------------


class Raw:
    """The report's aggregations written by hand, run through the raw driver."""

    def __init__(self, kind: str, url: str) -> None:
        self.kind = kind
        self.url = url
        self.mark = "?" if kind == "sqlite" else "%s"

    def connect(self) -> Any:
        if self.kind == "sqlite":
            return sqlite3.connect(self.url.removeprefix("sqlite:///"), isolation_level=None)
        import psycopg  # noqa: PLC0415
        from sqlalchemy.engine import make_url  # noqa: PLC0415

        parsed = make_url(self.url)
        return psycopg.connect(
            host=parsed.host,
            port=parsed.port or 5432,
            user=parsed.username,
            password=parsed.password,
            dbname=parsed.database,
            options=parsed.query.get("options"),
        )

    def ts(self, moment: datetime) -> Any:
        return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f+00:00") if self.kind == "sqlite" else moment

    def day(self, value: date) -> Any:
        return value.isoformat() if self.kind == "sqlite" else value

    def json_text(self, column: str, key: str) -> str:
        return f"json_extract({column}, '$.{key}')" if self.kind == "sqlite" else f"({column} ->> '{key}')"

    def json_time(self, column: str, key: str) -> str:
        if self.kind == "sqlite":
            return f"datetime(json_extract({column}, '$.{key}'))"
        return f"({column} ->> '{key}')::timestamptz"

    def json_bound(self, moment: datetime) -> Any:
        return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S") if self.kind == "sqlite" else moment

    def buckets(self, column: str, windows: list[tuple[datetime, datetime]]) -> tuple[str, str, list[Any]]:
        """``CASE`` naming the window, the ``WHERE`` over the windows, and their parameters."""
        m = self.mark
        whens = " ".join(f"WHEN {column} >= {m} AND {column} < {m} THEN {i}" for i in range(len(windows)))
        where = " OR ".join(f"({column} >= {m} AND {column} < {m})" for _ in windows)
        flat = [self.ts(x) for w in windows for x in w]
        return f"CASE {whens} END", f"({where})", flat

    def queries(  # noqa: PLR0915 - one query after another
        self, windows: list[tuple[datetime, datetime]], months: list[tuple[datetime, datetime]],
                first: date, last: date) -> dict[str, list[tuple[str, list[Any]]]]:  # fmt: skip
        m = self.mark
        o = m  # office code
        cur = windows[:1]
        found: dict[str, list[tuple[str, list[Any]]]] = defaultdict(list)
        b, w, p = self.buckets("received_at", windows)
        found["petition_totals"].append(
            (
                f"SELECT {b}, COUNT(*), SUM(headcount), SUM(CASE WHEN headcount >= 5 THEN 1 ELSE 0 END),"
                " SUM(CASE WHEN headcount >= 5 THEN headcount ELSE 0 END), SUM(CASE WHEN anonymous THEN 1 ELSE 0 END)"
                f" FROM petitions WHERE office_code = {o} AND {w} GROUP BY 1",
                [*p, OFFICE, *p],
            )
        )
        cb, cw, cp = self.buckets("opened_at", windows)
        found["cases_opened"].append(
            (f"SELECT {cb}, COUNT(*) FROM cases WHERE office_code = {o} AND {cw} GROUP BY 1", [*cp, OFFICE, *cp])
        )
        unit = self.json_text("respondent", "unit_name")
        respondent = f"COALESCE(respondent_body_code, NULLIF({unit}, ''))"
        for key in ("channel", "kind", "category", "region_code", "respondent_body_code", respondent):
            found["petition_counts"].append(
                (
                    f"SELECT {b}, {key}, COUNT(*) FROM petitions WHERE office_code = {o} AND {w} GROUP BY 1, 2",
                    [*p, OFFICE, *p],
                )
            )
        mb, mw, mp = self.buckets("received_at", months)
        found["petition_counts"].append(
            (f"SELECT {mb}, COUNT(*) FROM petitions WHERE office_code = {o} AND {mw} GROUP BY 1", [*mp, OFFICE, *mp])
        )
        tb, tw, tp = self.buckets("received_at", months[:12])
        found["petition_counts"].append(
            (
                f"SELECT {tb}, category, COUNT(*) FROM petitions WHERE office_code = {o} AND {tw} GROUP BY 1, 2",
                [*tp, OFFICE, *tp],
            )
        )
        c0, c1 = (self.ts(x) for x in cur[0])
        found["respondent_cases"].append(
            (
                f"SELECT {respondent}, COUNT(DISTINCT case_id) FROM petitions WHERE office_code = {o}"
                f" AND received_at >= {m} AND received_at < {m} AND {respondent} IS NOT NULL GROUP BY 1",
                [OFFICE, c0, c1],
            )
        )
        found["opened_states"].append(
            (
                f"SELECT state, COUNT(*) FROM cases WHERE office_code = {o} AND opened_at >= {m} AND opened_at < {m}"
                " GROUP BY state",
                [OFFICE, c0, c1],
            )
        )
        found["referral_counts"].append(
            (
                "SELECT r.mode, r.body_code, r.status, COUNT(*) FROM referrals r JOIN cases c ON c.id = r.case_id"
                f" WHERE c.office_code = {o} AND r.referred_at >= {m} AND r.referred_at < {m} GROUP BY 1, 2, 3",
                [OFFICE, c0, c1],
            )
        )
        found["supervision_counts"].append(
            (
                f"SELECT body_code, status, COUNT(*) FROM obligations WHERE office_code = {o}"
                f" AND clock = 'supervision_reply' AND opened_at >= {m} AND opened_at < {m} GROUP BY 1, 2",
                [OFFICE, c0, c1],
            )
        )
        duties = "owed_by IN ('office', 'body', 'reviewing_organ')"
        found["clock_outcomes"].append(
            (
                "SELECT clock, body_code, CASE WHEN status = 'met' THEN 'met' WHEN status = 'late' THEN 'late'"
                f" WHEN due < {m} THEN 'overdue' ELSE 'pending' END, COUNT(*) FROM obligations"
                f" WHERE office_code = {o} AND status IN ('open', 'met', 'late') AND due >= {m} AND due <= {m}"
                f" AND {duties} GROUP BY 1, 2, 3",
                [self.day(AS_OF), OFFICE, self.day(first), self.day(last)],
            )
        )
        overdue = f"office_code = {o} AND status = 'open' AND due < {m} AND {duties}"
        found["overdue"] += [
            (
                f"SELECT clock, body_code, COUNT(*) FROM obligations WHERE {overdue} GROUP BY 1, 2",
                [OFFICE, self.day(AS_OF)],
            ),
            (f"SELECT COUNT(DISTINCT case_id) FROM obligations WHERE {overdue}", [OFFICE, self.day(AS_OF)]),
            (
                "SELECT o.case_id, c.first_tracking_number, c.subject, o.clock, o.body_code, o.due FROM obligations o"
                f" JOIN cases c ON c.id = o.case_id WHERE o.office_code = {o} AND o.status = 'open' AND o.due < {m}"
                " AND o.owed_by IN ('office', 'body', 'reviewing_organ')"
                " ORDER BY o.due, c.first_tracking_number, o.clock LIMIT 50",
                [OFFICE, self.day(AS_OF)],
            ),
        ]
        j0, j1 = self.json_bound(cur[0][0]), self.json_bound(cur[0][1])

        def during(column: str, key: str) -> tuple[str, list[Any]]:
            t = self.json_time(column, key)
            return f"({t} >= {m} AND {t} < {m})", [j0, j1]

        sums: list[str] = []
        params: list[Any] = []
        replied, rp = during("reply", "replied_at")
        for value in ("support", "explain", "not_support", "mediated"):
            sums.append(
                f"SUM(CASE WHEN {replied} AND {self.json_text('reply', 'outcome')} = '{value}' THEN 1 ELSE 0 END)"
            )
            params += rp
        declined, dp = during("decline", "declined_at")
        for value in ("litigation", "arbitration", "administrative_reconsideration", "discipline_inspection",
                      "party_appeal", "other_organ", "none"):  # fmt: skip
            sums.append(
                f"SUM(CASE WHEN {declined} AND {self.json_text('decline', 'channel')} = '{value}' THEN 1 ELSE 0 END)"
            )
            params += dp
        for column, key in (("extension", "extended_at"),):
            cond, cp2 = during(column, key)
            sums.append(f"SUM(CASE WHEN {cond} THEN 1 ELSE 0 END)")
            params += cp2
        for column in ("review", "rereview"):
            requested = self.json_text(column, "requested_on")
            sums.append(f"SUM(CASE WHEN {requested} >= {m} AND {requested} <= {m} THEN 1 ELSE 0 END)")
            params += [first.isoformat(), last.isoformat()]
            cond, cp2 = during(column, "decided_at")
            sums.append(f"SUM(CASE WHEN {cond} THEN 1 ELSE 0 END)")
            params += cp2
        found["milestones"].append(
            (
                f"SELECT {', '.join(sums)} FROM cases WHERE office_code = {o} AND updated_at >= {m}",
                [*params, OFFICE, c0],
            )
        )
        elements = "json_each(c.evaluations) e" if self.kind == "sqlite" else "json_array_elements(c.evaluations) e"
        value = "e.value"
        rating = self.json_text(value, "rating")
        evaluated = self.json_time(value, "evaluated_at")
        found["evaluation_counts"].append(
            (
                f"SELECT {rating}, COUNT(*) FROM cases c, {elements} WHERE c.office_code = {o} AND c.updated_at >= {m}"
                f" AND {evaluated} >= {m} AND {evaluated} < {m} GROUP BY 1",
                [OFFICE, c0, j0, j1],
            )
        )
        found["repeat_petitioners"].append(
            (
                "SELECT COUNT(*) FROM (SELECT i.digest FROM petitioner_identities i JOIN petitions p"
                f" ON p.id = i.petition_id WHERE i.office_code = {o} AND p.received_at >= {m} AND p.received_at < {m}"
                " GROUP BY i.digest HAVING COUNT(*) >= 2) t",
                [OFFICE, c0, c1],
            )
        )
        return found

    def run(self, queries: dict[str, list[tuple[str, list[Any]]]]) -> tuple[dict[str, float], dict[str, list[Any]]]:
        connection = self.connect()
        times: dict[str, float] = {}
        results: dict[str, list[Any]] = {}
        try:
            cursor = connection.cursor()
            if self.kind == "sqlite":
                cursor.execute("BEGIN")
            for name, statements in queries.items():
                started = time.perf_counter()
                for sql, params in statements:
                    cursor.execute(sql, params)
                    results.setdefault(name, []).append(cursor.fetchall())
                times[name] = time.perf_counter() - started
            connection.rollback() if self.kind != "sqlite" else cursor.execute("ROLLBACK")
        finally:
            connection.close()
        return times, results


# --- the measured report --------------------------------------------------------------------------------------


def report_context(url: str) -> Any:
    from petitionkit.reports import Labels, ReportContext, Scope  # noqa: PLC0415
    from petitionkit.rules import BuiltinNationalRules  # noqa: PLC0415
    from petitionkit.testing import SAMPLE_BODIES  # noqa: PLC0415

    return ReportContext(
        Scope((OFFICE,)), ZONE, Labels(BuiltinNationalRules(SAMPLE_BODIES)), "萧山区人大常委会信访室", AS_OF, NOW
    )


METHODS = (
    "petition_totals",
    "cases_opened",
    "petition_counts",
    "respondent_cases",
    "opened_states",
    "referral_counts",
    "supervision_counts",
    "clock_outcomes",
    "overdue",
    "milestones",
    "evaluation_counts",
    "repeat_petitioners",
)


def timed_source(url: str) -> tuple[Any, dict[str, float]]:
    from petitionkit.reports.sql_source import SqlReportSource  # noqa: PLC0415

    source = SqlReportSource.for_url(url)
    spent: dict[str, float] = defaultdict(float)
    for name in METHODS:
        original = getattr(source, name)

        def timed(*args: Any, _original: Callable[..., Any] = original, _name: str = name, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return _original(*args, **kwargs)
            finally:
                spent[_name] += time.perf_counter() - started

        setattr(source, name, timed)
    return source, spent


def measure_report(url: str) -> tuple[float, dict[str, float], Any]:
    from petitionkit.reports import Period, build_period_report  # noqa: PLC0415

    source, spent = timed_source(url)
    started = time.perf_counter()
    report = build_period_report(source, report_context(url), Period.year(2025), signals=False)
    total = time.perf_counter() - started
    source.close()
    return total, dict(spent), report


def measure_signals(url: str) -> tuple[float, Any]:
    from petitionkit.reports.build import build_signal_report  # noqa: PLC0415
    from petitionkit.reports.sql_source import SqlReportSource  # noqa: PLC0415

    source = SqlReportSource.for_url(url)
    started = time.perf_counter()
    signals = build_signal_report(source, report_context(url), SIGNAL_PERIOD, cluster_settings=None)
    seconds = time.perf_counter() - started
    source.close()
    return seconds, signals


def raw_signal_queries(raw: Raw) -> list[tuple[str, list[Any]]]:

    periods = [SIGNAL_PERIOD, *SIGNAL_PERIOD.history(6)]
    windows = [(p.window(ZONE).start, p.window(ZONE).end) for p in periods]
    unit = raw.json_text("respondent", "unit_name")
    found = []
    for key in ("category", "region_code", f"COALESCE(respondent_body_code, NULLIF({unit}, ''))"):
        b, w, p = raw.buckets("received_at", windows)
        found.append(
            (f"SELECT {b}, {key}, COUNT(*) FROM petitions WHERE office_code = {raw.mark} AND {w} GROUP BY 1, 2",
             [*p, OFFICE, *p])
        )  # fmt: skip
    b, w, p = raw.buckets("received_at", windows[1:])
    found.append(
        (f"SELECT {b}, COUNT(*) FROM petitions WHERE office_code = {raw.mark} AND {w} GROUP BY 1", [*p, OFFICE, *p])
    )
    return found


def measure_clusters(url: str, limit: int) -> tuple[float, int, int]:
    from petitionkit.reports import Period  # noqa: PLC0415
    from petitionkit.reports.signals import ClusterSettings, cluster_signals  # noqa: PLC0415
    from petitionkit.reports.source import Scope  # noqa: PLC0415
    from petitionkit.reports.sql_source import SqlReportSource  # noqa: PLC0415

    source = SqlReportSource.for_url(url)
    texts = list(source.petition_texts(Scope((OFFICE,)), Period.month(2025, 6).window(ZONE)))[:limit]
    source.close()
    started = time.perf_counter()
    clusters, _ = cluster_signals(texts, ClusterSettings())
    return time.perf_counter() - started, len(texts), len(clusters)


def check_same(report: Any, results: dict[str, list[Any]]) -> None:
    """The baseline did the same work: its answers equal the report's."""
    totals = {r[0]: r for r in results["petition_totals"][0]}
    assert report.total("petitions").current == totals[0][1], "petitions differ"
    assert report.total("people").current == totals[0][2], "people differ"
    category = report.breakdown("category")
    raw_categories = {r[1]: r[2] for r in results["petition_counts"][2] if r[0] == 0}
    assert {f.key: f.current for f in category.rows if f.current} == raw_categories, "categories differ"
    milestones = results["milestones"][0][0]
    assert report.conclusions.replies == sum(milestones[:4]), "replies differ"
    assert report.evaluations.total == sum(r[1] for r in results["evaluation_counts"][0]), "evaluations differ"
    outcomes = results["clock_outcomes"][0]
    assert report.timeliness.overall.met == sum(r[3] for r in outcomes if r[2] == "met"), "timeliness differs"
    assert report.overdue.cases == results["overdue"][1][0][0], "overdue differs"


# --- output ---------------------------------------------------------------------------------------------------


def machine(kind: str, url: str) -> list[str]:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if "model name" in line
        ),
        platform.processor(),
    )
    memory = next(
        (line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines() if "MemTotal" in line), "?"
    )
    import sqlalchemy  # noqa: PLC0415

    lines = [
        f"CPU: {cpu}, {os.cpu_count()} cores, {int(memory) // 1024 // 1024} GiB; load average {os.getloadavg()[0]:.2f}",
        f"Python {platform.python_version()}; SQLAlchemy {sqlalchemy.__version__}; SQLite {sqlite3.sqlite_version}",
    ]
    if kind == "postgresql":
        with Raw(kind, url).connect() as connection:
            lines.append(f"PostgreSQL {connection.execute('SHOW server_version').fetchone()[0]}")
    others = subprocess.run(["ps", "-eo", "pid,args"], capture_output=True, text=True, check=False).stdout
    busy = [line.strip() for line in others.splitlines() if "benchmarks/" in line and "report.py" not in line]
    lines.append(f"other benchmarks running: {'; '.join(busy) if busy else 'none seen'}")
    return lines


def row(label: str, ours: float, raw: float) -> str:
    ratio = ours / raw if raw else float("inf")
    return f"  {label:<34} {ours * 1000:>11,.0f} {raw * 1000:>11,.0f} {ratio:>7.2f}"


def prepare(options: argparse.Namespace) -> str:
    if options.db == "sqlite":
        path = options.path.resolve()
        if not options.reuse:
            for leftover in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
                leftover.unlink(missing_ok=True)
        return f"sqlite:///{path}"
    if not options.url:
        raise SystemExit("--url (or PETITIONKIT_TEST_POSTGRESQL_URL) names the PostgreSQL server")
    from sqlalchemy.engine import make_url  # noqa: PLC0415

    schema = options.schema
    with Raw("postgresql", options.url).connect() as admin:
        if not options.reuse:
            admin.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
            admin.execute(f"CREATE SCHEMA {schema}")
        admin.commit()
    return make_url(options.url).update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(False)


def main() -> None:  # noqa: PLR0915
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--cases", type=int, default=100_000, help="petitions (one case each) over 2024-2025")
    parser.add_argument("--sample", type=int, default=2000, help="lifecycles run through the service")
    parser.add_argument("--lifecycle", type=float, default=0.8, help="share of the other cases cloned by SQL")
    parser.add_argument("--runs", type=int, default=3, help="timed runs; the fastest counts")
    parser.add_argument("--cluster-sample", type=int, default=3000, help="petitions of June 2025 clustered")
    parser.add_argument("--path", type=Path, default=Path("/tmp/petitionkit-report-bench.db"))
    parser.add_argument("--url", default=os.environ.get("PETITIONKIT_TEST_POSTGRESQL_URL"))
    parser.add_argument("--schema", default="pk_report_bench")
    parser.add_argument("--reuse", action="store_true", help="measure on the database an earlier run built")
    parser.add_argument("--seed", type=int, default=2026)
    options = parser.parse_args()

    url = prepare(options)
    print(f"== petitionkit annual report benchmark: {options.db}, {options.cases:,} cases")
    for line in machine(options.db, url):
        print("  " + line)
    if not options.reuse:
        build(url, options.cases, options.sample, options.lifecycle, options.seed)
    if options.db == "sqlite":
        with sqlite3.connect(url.removeprefix("sqlite:///")) as connection:
            connection.execute("ANALYZE")
    else:
        with Raw("postgresql", url).connect() as connection:
            connection.execute("ANALYZE")
            connection.commit()

    from petitionkit.reports import Period  # noqa: PLC0415

    year = Period.year(2025)
    windows = [(p.window(ZONE).start, p.window(ZONE).end) for p in (year, year.previous(), year.last_year())]
    windows = list(dict.fromkeys(windows))
    from petitionkit.reports.build import trend_months  # noqa: PLC0415

    months = [m.window(ZONE) for m in trend_months(year)] + [m.last_year().window(ZONE) for m in trend_months(year)]
    raw = Raw(options.db, url)
    queries = raw.queries(windows, [(w.start, w.end) for w in months], year.start, year.end)

    best: tuple[float, dict[str, float], Any] | None = None
    best_raw: tuple[float, dict[str, float], dict[str, list[Any]]] | None = None
    for run in range(options.runs):
        total, spent, report = measure_report(url)
        raw_times, raw_results = raw.run(queries)
        raw_total = sum(raw_times.values())
        print(f"  run {run + 1}: report {total:.2f} s, raw SQL {raw_total:.2f} s", flush=True)
        if best is None or total < best[0]:
            best = (total, spent, report)
        if best_raw is None or raw_total < best_raw[0]:
            best_raw = (raw_total, raw_times, raw_results)
    assert best is not None and best_raw is not None
    total, spent, report = best
    raw_total, raw_times, raw_results = best_raw
    check_same(report, raw_results)

    print()
    print(f"  {'annual report 2025 (ms)':<34} {'petitionkit':>11} {'raw SQL':>11} {'ratio':>7}")
    for name in METHODS:
        print(row(name, spent.get(name, 0.0), raw_times.get(name, 0.0)))
    print(row("queries together", sum(spent.values()), raw_total))
    print(row("whole report (incl. Python)", total, raw_total) + "   target <= 3.00")
    print(f"  petitions in 2025: {report.total('petitions').current:,}; replies {report.conclusions.replies:,};"
          f" evaluations {report.evaluations.total:,}; duties due {report.timeliness.overall.met:,} met;"
          f" overdue cases {report.overdue.cases:,}")  # fmt: skip

    signal_best = min((measure_signals(url) for _ in range(options.runs)), key=lambda pair: pair[0])
    raw_signal = raw_signal_queries(raw)
    raw_signal_best = min(sum(raw.run({"s": raw_signal})[0].values()) for _ in range(options.runs))
    print(row("rising-series signals 2025Q4", signal_best[0], raw_signal_best) + "   target <= 3.00")
    print(f"  series tested {signal_best[1].trend_method.series_tested}, signals {len(signal_best[1].trends)}")
    seconds, documents, found = measure_clusters(url, options.cluster_sample)
    print(f"  clustering {documents:,} petitions of June 2025: {seconds:.1f} s, {found} clusters (no SQL baseline)")


if __name__ == "__main__":
    main()
