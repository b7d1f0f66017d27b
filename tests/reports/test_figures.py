"""Report figures equal an independent count of what the generator did, on every backend."""

from __future__ import annotations

import json
from collections import Counter
from datetime import date, datetime
from typing import Any

import pytest
from report_dataset import NOW, Built, settings_for

from petitionkit.domain.model import Case, ObligationStatus
from petitionkit.domain.tracking import identity_digest
from petitionkit.reports import Period, PeriodReport, period_report
from petitionkit.serialization import unstructure
from petitionkit.testing import SHANGHAI, FakeClock, open_test_office, sample_petition

MARCH = Period.month(2026, 3)
START, END = datetime(2026, 3, 1, tzinfo=SHANGHAI), datetime(2026, 4, 1, tzinfo=SHANGHAI)
CLOSED = {"declined", "transferred", "replied", "under_review", "reviewed", "under_rereview", "terminated", "withdrawn"}


def _in_march(moment: str | datetime) -> bool:
    value = datetime.fromisoformat(moment) if isinstance(moment, str) else moment
    return START <= value < END


def _march_petitions(built: Built) -> list[dict[str, Any]]:
    return [p for p in built.log.petitions + built.log.repeats if _in_march(p["received_at"])]


def _actions(built: Built, *names: str) -> list[tuple[datetime, str, str, dict[str, Any]]]:
    return [a for a in built.log.actions if a[1] in names and _in_march(a[0])]


def _all_cases(built: Built) -> list[Case]:
    return built.office.search(limit=100_000)


@pytest.fixture
def report(built: Built) -> PeriodReport:
    return period_report(built.office, MARCH, signals=False)


def test_volumes_match_the_petitions_received(built: Built, report: PeriodReport) -> None:
    """Petitions, people, new cases, collective and repeat petitions of March, and the comparisons."""
    march = _march_petitions(built)
    assert report.total("petitions").current == len(march)
    assert report.total("people").current == sum(p.get("headcount", 1) for p in march)
    assert report.total("cases").current == sum(1 for p in built.log.petitions if _in_march(p["received_at"]))
    collective = [p for p in march if p.get("headcount", 1) >= 5]
    assert report.collective.petitions.current == len(collective)
    assert report.collective.people.current == sum(p["headcount"] for p in collective)
    assert report.repeats.petitions.current == sum(1 for p in built.log.repeats if _in_march(p["received_at"]))
    assert report.total("anonymous_petitions").current == sum(1 for p in march if p.get("anonymous"))

    def month_total(year: int, month: int) -> int:
        first = datetime(year, month, 1, tzinfo=SHANGHAI)
        last = datetime(year + month // 12, month % 12 + 1, 1, tzinfo=SHANGHAI)
        every = built.log.petitions + built.log.repeats
        return sum(1 for p in every if first <= datetime.fromisoformat(p["received_at"]) < last)

    petitions = report.total("petitions")
    assert (petitions.previous, petitions.last_year) == (month_total(2026, 2), month_total(2025, 3))
    assert petitions.previous > 0 and petitions.last_year > 0


@pytest.mark.parametrize(
    ("dimension", "field"),
    [("channel", "channel"), ("kind", "kind"), ("category", "category"), ("region", "region_code")],
)
def test_breakdowns_match(built: Built, report: PeriodReport, dimension: str, field: str) -> None:
    expected = Counter(p[field] for p in _march_petitions(built))
    breakdown = report.breakdown(dimension)
    assert breakdown is not None
    assert {f.key: f.current for f in breakdown.rows if f.current} == dict(expected)
    assert [f.current for f in breakdown.rows] == sorted((f.current for f in breakdown.rows), reverse=True)


def test_respondents_most_complained_about(built: Built, report: PeriodReport) -> None:
    """Organs complained about: the body when known, else the unit as written, with distinct cases."""
    expected: Counter[str] = Counter()
    for p in _march_petitions(built):
        respondent = p.get("respondent")
        if respondent:
            expected[respondent.get("body_code") or respondent["unit_name"]] += 1
    named = [r for r in report.respondents if r.petitions]  # named ones first; then bodies only referred to
    assert {r.key: r.petitions for r in named} == dict(expected.most_common(len(named)))
    assert report.respondents[: len(named)] == tuple(named)
    bodies = report.breakdown("respondent_body")
    assert bodies is not None
    assert {f.key: f.current for f in bodies.rows if f.current} == {
        k: v for k, v in expected.items() if k.startswith(("GOV", "COURT"))
    }
    labels = {r.key: r.label for r in report.respondents}
    assert labels.get("GOV-LAND", "区自然资源和规划局") == "区自然资源和规划局"


def test_the_organs_table_counts_referrals_too(built: Built, report: PeriodReport) -> None:
    """Most petitions name no respondent: the bodies the period's cases were referred to fill the table."""
    by_body = Counter(a[3]["body"] for a in _actions(built, "transfer", "assign"))
    rows = {r.key: r for r in report.respondents}
    assert any(r.petitions == 0 and r.referrals > 0 for r in report.respondents)  # referred to, never named
    for key, row in rows.items():
        assert row.referrals == by_body.get(key, 0), key
    if len(report.respondents) < 10:  # every referred body is listed when the table has room
        assert set(by_body) <= set(rows)


def test_referrals_and_supervision(built: Built, report: PeriodReport) -> None:
    transfers = _actions(built, "transfer")
    assigns = _actions(built, "assign")
    assert report.referrals.transfers == len(transfers)
    assert report.referrals.assignments == len(assigns)
    by_body = Counter(a[3]["body"] for a in transfers + assigns)
    assert {r.body_code: r.transfers + r.assignments for r in report.referrals.by_body} == dict(by_body)
    assert report.supervision.notices == len(_actions(built, "supervise")) > 0


def test_replies_declines_evaluations_reviews_extensions(built: Built, report: PeriodReport) -> None:
    replies = Counter(a[3]["outcome"] for a in _actions(built, "reply", "record_report"))
    assert {r.key: r.count for r in report.conclusions.by_outcome if r.count} == dict(replies)
    assert report.conclusions.replies == report.reviews.replies == sum(replies.values())
    declines = Counter(a[3]["channel"] for a in _actions(built, "decline"))
    assert {r.key: r.count for r in report.conclusions.declined_by_channel} == dict(declines)
    ratings = Counter(a[3]["rating"] for a in _actions(built, "evaluate"))
    assert {r.key: r.count for r in report.evaluations.by_rating if r.count} == dict(ratings)
    satisfied = ratings["satisfied"] + ratings["basically_satisfied"]
    assert report.evaluations.satisfaction_rate == round(satisfied / sum(ratings.values()), 4)
    assert report.conclusions.extensions == len(_actions(built, "extend"))
    assert report.reviews.review_requests == len(_actions(built, "request_review"))
    assert report.reviews.reviews_decided == len(_actions(built, "decide_review"))
    assert report.reviews.rereview_requests == len(_actions(built, "request_rereview"))
    assert report.reviews.rereviews_decided == len(_actions(built, "decide_rereview"))
    assert report.reviews.replies > 0 and report.evaluations.total > 0


def test_repeat_petitioners(built: Built, report: PeriodReport) -> None:
    seen: Counter[str] = Counter()
    for p in _march_petitions(built):
        digests = {identity_digest(x.get("id_number"), x["name"], x.get("phone")) for x in p.get("petitioners", [])}
        seen.update(d for d in digests if d)
    assert report.repeats.petitioners == sum(1 for n in seen.values() if n >= 2) >= 1


def test_timeliness_overdue_and_closure(built: Built, report: PeriodReport) -> None:
    """On-time rate of duties due in March, overdue open duties on the as-of day, closure of March's cases."""
    as_of = NOW.date()
    outcomes: Counter[str] = Counter()
    per_clock: dict[str, Counter[str]] = {}
    overdue_cases: set[str] = set()
    overdue_count = 0
    states: Counter[str] = Counter()
    for case in _all_cases(built):
        if START <= case.opened_at < END:
            states[case.state.value] += 1
        for o in case.obligations:
            if o.owed_by.value == "petitioner":
                continue
            if o.is_open and o.due < as_of:
                overdue_cases.add(case.id)
                overdue_count += 1
            if o.status is ObligationStatus.WAIVED or not date(2026, 3, 1) <= o.due <= date(2026, 3, 31):
                continue
            outcome = o.status.value if not o.is_open else ("overdue" if o.due < as_of else "pending")
            outcomes[outcome] += 1
            per_clock.setdefault(o.clock.value, Counter())[outcome] += 1
    overall = report.timeliness.overall
    assert (overall.met, overall.late, overall.overdue, overall.pending) == (
        outcomes["met"],
        outcomes["late"],
        outcomes["overdue"],
        outcomes["pending"],
    )
    assert overall.on_time_rate == round(
        outcomes["met"] / (outcomes["met"] + outcomes["late"] + outcomes["overdue"]), 4
    )
    assert {r.key: r.met + r.late + r.overdue + r.pending for r in report.timeliness.by_clock} == {
        k: sum(v.values()) for k, v in per_clock.items()
    }
    assert outcomes["met"] and outcomes["late"] and outcomes["overdue"]
    assert report.overdue.cases == len(overdue_cases)
    assert report.overdue.obligations == overdue_count
    assert [x.due for x in report.overdue.oldest] == sorted(x.due for x in report.overdue.oldest)
    assert all(x.days_overdue > 0 for x in report.overdue.oldest)
    closed = sum(n for s, n in states.items() if s in CLOSED)
    assert (report.conclusions.opened, report.conclusions.closed) == (sum(states.values()), closed)


def test_trend_line_covers_twelve_months(built: Built, report: PeriodReport) -> None:
    every = built.log.petitions + built.log.repeats
    assert report.trend.months[-1] == "2026-03" and len(report.trend.months) == 12
    assert report.trend.totals[-1] == report.total("petitions").current
    feb = sum(
        1 for p in every if "2026-02" in datetime.fromisoformat(p["received_at"]).astimezone(SHANGHAI).isoformat()
    )
    assert report.trend.totals[-2] == feb
    assert report.trend.last_year[-1] == report.total("petitions").last_year
    assert report.trend.categories[0].key == "environment"


def test_sql_backends_agree_with_memory(built_memory: Built, built_sqlite: Built) -> None:
    """The same planted history gives the same report on SQL as in memory (ids aside)."""

    def normal(b: Built) -> str:
        data = unstructure(period_report(b.office, MARCH, signals=True))
        data.pop("generated_at")
        text = json.dumps(data, ensure_ascii=False, sort_keys=True)
        return _strip_ids(text)

    assert normal(built_memory) == normal(built_sqlite)


def _strip_ids(text: str) -> str:
    import re

    return re.sub(r'"case_id": "[0-9a-f]{32}"', '"case_id": "-"', text)


@pytest.mark.parametrize("backend", ["memory", "sqlite"])
def test_a_city_with_its_counties_in_one_database(backend: str, tmp_path: Any) -> None:
    """Two offices in one database: each alone, and together with the office breakdown."""
    url = None if backend == "memory" else f"sqlite:///{tmp_path / 'city.db'}"
    clock = FakeClock(datetime(2026, 3, 20, 9, tzinfo=SHANGHAI))
    city = open_test_office(settings_for(url, office_code="HZ"), clock=clock)
    county = open_test_office(settings_for(url, office_code="XS"), clock=clock, storage=city.storage)
    for n in range(3):
        city.register(sample_petition(received_at=f"2026-03-0{n + 2}T09:00:00+08:00", category="housing"))
    for n in range(5):
        county.register(sample_petition(received_at=f"2026-03-1{n}T09:00:00+08:00"))
    period = Period.month(2026, 3)
    assert period_report(city, period, signals=False).total("petitions").current == 3
    assert period_report(county, period, signals=False).total("petitions").current == 5
    both = period_report(city, period, offices=["HZ", "XS"], signals=False)
    assert both.total("petitions").current == 8
    offices = both.breakdown("office")
    assert offices is not None and {f.key: f.current for f in offices.rows} == {"HZ": 3, "XS": 5}
    city.close()
