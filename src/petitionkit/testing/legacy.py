"""A legacy system's case histories, generated, and what they must come to: the migration's test oracle.

:func:`legacy_histories` writes ``count`` cases (deterministic for a seed) in the ``petitionkit-history``
format, in mixed states: still registered, declined, accepted, replied (some answered late), assigned
and reported, transferred, under review and reviewed, terminated after a lapsed window, withdrawn;
a few anonymous, a few with a repeat petition joined later.  Extensions, supervision and misroute
objections are left out of the generated mix (the oracle would have to restate their counting rules);
``tests/test_history.py`` round-trips them through export and import instead.

:func:`expected_duties` reads such lines *without petitionkit's clock code* and counts, from the dates in
the lines and the official calendar (a ``day_off(date)`` predicate), every duty each case owed and how it
came out (met on time, late, still open, overdue), so a test can compare the office's figures after the
import with an independent count.  It knows the national pack's lengths of the clocks it uses (all
counted in calendar days, a last day off rolling to the next working day): notice 15, handling 60 (claims),
an assignment's report 60, a review's and a re-review's opinion 30.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import date, datetime, time, timedelta, timezone
from typing import Any

import attrs

from petitionkit.domain.identity import id_check_digit

SHANGHAI = timezone(timedelta(hours=8))
SYSTEM = "legacy-xf"
DAYS = {"notice": 15, "handling": 60, "referral_report": 60, "review_opinion": 30, "rereview_opinion": 30}
_CATEGORIES = ("labour", "housing", "land", "environment", "government_work")
_BODIES = ("GOV-HRSS", "GOV-HOUSING", "GOV-LAND")  # of petitionkit.testing.office_settings
_REGIONS = ("330102", "330106", "330109", "330110")
_SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
_GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚"


@attrs.frozen
class Duty:
    """One duty (owed by the office, a body or a reviewing organ) as the oracle counts it."""

    tracking: str  # the legacy case id
    clock: str
    due: date
    closed_on: date | None  # None: still open
    waived: bool = False

    def outcome(self, today: date) -> str:
        """``met``, ``late``, ``overdue``, ``pending`` (open, not yet due) or ``waived``."""
        if self.waived:
            return "waived"
        if self.closed_on is not None:
            return "met" if self.closed_on <= self.due else "late"
        return "overdue" if self.due < today else "pending"


def _id_number(rng: random.Random) -> str:
    region = rng.choice(("330102", "330106", "330109", "330110"))
    born = date(1950, 1, 1) + timedelta(days=rng.randrange(20000))
    body = f"{region}{born:%Y%m%d}{rng.randrange(1000):03d}"
    return body + id_check_digit(body)


def _at(day: date, rng: random.Random) -> datetime:
    return datetime.combine(day, time(rng.randrange(8, 17), rng.randrange(60)), SHANGHAI)


@attrs.frozen
class Office:
    """What the generated cases refer to: the office's bodies and its region codes."""

    bodies: tuple[str, ...] = _BODIES
    regions: tuple[str, ...] = _REGIONS


def _petition(
    rng: random.Random, received: datetime, registered: datetime, anonymous: bool, n: int, office: Office
) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "channel": rng.choice(("letter", "online", "phone"))
        if anonymous
        else rng.choice(("letter", "visit", "online")),
        "received_at": received.isoformat(),
        "registered_at": registered.isoformat(),
        "kind": "claim",
        "subject": f"反映问题第{n}号",
        "content": "本人反映的问题长期未得到解决，请求依法处理并予答复。",
        "category": rng.choice(_CATEGORIES),
        "region_code": rng.choice(office.regions),
        "anonymous": anonymous,
    }
    if not anonymous:
        name = rng.choice(_SURNAMES) + rng.choice(_GIVEN) + rng.choice(_GIVEN)
        doc["petitioners"] = [{"name": name, "id_number": _id_number(rng), "phone": f"138{rng.randrange(10**8):08d}"}]
    return doc


def _day_after(day: date, rng: random.Random, low: int, high: int, today: date) -> date | None:
    """A day ``low``..``high`` days after ``day``, or None unless it is before ``today`` (nothing happens
    today: the import must find every date in the past whatever the hour)."""
    nxt = day + timedelta(days=rng.randint(low, high))
    return nxt if nxt < today else None


def legacy_history(  # noqa: PLR0915 - one path per state
    n: int, rng: random.Random, today: date, office: Office = Office()
) -> dict[str, Any]:
    """One generated case (a line of the format) whose dates all lie before ``today``."""
    anonymous = rng.random() < 0.05
    received_day = today - timedelta(days=rng.randint(2, 3 * 365))
    received = _at(received_day, rng)
    registered = received + timedelta(minutes=rng.randint(5, 600))
    if registered.date() > today:
        registered = received
    petitions = [_petition(rng, received, registered, anonymous, n, office)]
    steps: list[dict[str, Any]] = []
    state = "registered"

    def step(action: str, day: date, **fields: Any) -> datetime:
        at = max(_at(day, rng), registered + timedelta(minutes=1))
        last = datetime.fromisoformat(steps[-1]["at"]) if steps else registered
        at = max(at, last + timedelta(minutes=1))
        steps.append({"action": action, "at": at.isoformat(), **fields})
        return at

    path = rng.random()
    d1 = _day_after(registered.date(), rng, 1, 25, today)  # screening: sometimes after the 15-day notice
    if d1 is None or path < 0.06:
        pass  # still registered (recent, or neglected: its notice is overdue)
    elif path < 0.14:
        step("decline", d1, reason="属于诉讼程序解决的事项", channel="litigation")
        state = "declined"
    elif path < 0.24:
        step("transfer", d1, body_code=rng.choice(office.bodies), note="请依法处理")
        state = "transferred"
    elif path < 0.27:
        step("accept", d1)
        step("withdraw", d1, reason="信访人撤回")
        state = "withdrawn"
    elif path < 0.50:
        step("assign", d1, body_code=rng.choice(office.bodies), note="请办理并报告结果")
        state = "assigned"
        d2 = _day_after(d1, rng, 10, 80, today)
        if d2 is not None and rng.random() < 0.8:
            step("record_report", d2, outcome="explain", text="经核查，已向信访人说明情况。")
            state = "replied"
    else:
        step("accept", d1)
        state = "accepted"
        d2 = _day_after(d1, rng, 10, 75, today)
        if d2 is not None and rng.random() < 0.85:
            step("reply", d2, outcome=rng.choice(("support", "explain", "not_support")), text="处理意见：详见答复书。")
            state = "replied"
            fate = rng.random()
            if not anonymous and fate < 0.25:
                d3 = _day_after(d2, rng, 1, 20, today)
                if d3 is not None:
                    step("request_review", d3, reason="对处理意见不服", organ="县人民政府")
                    state = "under_review"
                    d4 = _day_after(d3, rng, 10, 40, today)
                    if d4 is not None and rng.random() < 0.7:
                        step("decide_review", d4, outcome="not_support", opinion="维持原处理意见")
                        state = "reviewed"
            elif fate < 0.6:
                d3 = _day_after(d2, rng, 40, 90, today)  # after the 30-day review window lapsed
                if d3 is not None:
                    step("terminate", d3, reason="复查申请期限届满未申请复查")
                    state = "terminated"
    closing = [s["at"] for s in steps if s["action"] in ("decline", "transfer", "withdraw", "terminate")]
    limit = _local_day(closing[0]) if closing else today
    if not anonymous and rng.random() < 0.05:
        joined_day = _day_after(registered.date(), rng, 1, 60, limit)  # a repeat joins while the matter is open
        if joined_day is not None:
            joined = _at(joined_day, rng)
            repeat = _petition(rng, joined, joined, False, n, office)
            repeat["petitioners"] = petitions[0]["petitioners"]
            repeat |= {k: petitions[0][k] for k in ("category", "region_code", "subject")}
            petitions.append(repeat)
    return {
        "format": "petitionkit-history",
        "version": 1,
        "legacy": {"system": SYSTEM, "case_id": f"L{n:07d}"},
        "state": state,
        "petitions": petitions,
        "steps": steps,
    }


def legacy_histories(count: int, *, today: date, seed: int = 16, office: Office = Office()) -> Iterator[dict[str, Any]]:
    """``count`` generated cases, streamed (deterministic for ``seed``, ``today`` and ``office``)."""
    rng = random.Random(seed)
    for n in range(1, count + 1):
        yield legacy_history(n, rng, today, office)


def write_legacy_file(path: Any, count: int, *, today: date, seed: int = 16, office: Office = Office()) -> None:
    """Write ``count`` generated cases to ``path`` (one JSON object a line, UTF-8)."""
    with open(path, "w", encoding="utf-8") as stream:
        for doc in legacy_histories(count, today=today, seed=seed, office=office):
            stream.write(json.dumps(doc, ensure_ascii=False) + "\n")


# --- the oracle ---------------------------------------------------------------------------------------


def _due(start: date, days: int, day_off: Callable[[date], bool]) -> date:
    due = start + timedelta(days=days)
    while day_off(due):
        due += timedelta(days=1)
    return due


def _local_day(text: str) -> date:
    return datetime.fromisoformat(text).astimezone(SHANGHAI).date()


def expected_duties(doc: Mapping[str, Any], day_off: Callable[[date], bool]) -> list[Duty]:
    """Every duty of one line, counted from its dates (see the module's docstring for the lengths)."""
    key = doc["legacy"]["case_id"]
    first = doc["petitions"][0]
    anonymous = bool(first.get("anonymous"))
    claim = first["kind"] == "claim"
    duties: list[Duty] = []
    open_: dict[str, tuple[date, date]] = {}  # clock -> (start, due)

    def opens(clock: str, start: date, days: int | None = None) -> None:
        open_[clock] = (start, _due(start, days or DAYS[clock], day_off))

    def closes(clock: str, on: date, *, waived: bool = False) -> None:
        if clock in open_:
            _start, due = open_.pop(clock)
            duties.append(Duty(key, clock, due, on, waived))

    if not anonymous:
        opens("notice", _local_day(first["received_at"]))
    for step in doc["steps"]:
        action, day = step["action"], _local_day(step["at"])
        if action in ("accept", "decline", "transfer", "assign"):
            closes("notice", day)
        if action == "accept" and claim:
            opens("handling", day)
        elif action == "assign":
            opens("referral_report", day, step.get("report_days"))
        elif action == "record_report":
            closes("referral_report", day)
        elif action == "reply":
            closes("handling", day)
        elif action in ("request_review", "request_rereview"):
            clock = "review_opinion" if action == "request_review" else "rereview_opinion"
            opens(clock, date.fromisoformat(step["requested_on"]) if step.get("requested_on") else day)
        elif action == "decide_review":
            closes("review_opinion", day)
        elif action == "decide_rereview":
            closes("rereview_opinion", day)
        elif action == "withdraw":
            for clock in list(open_):
                closes(clock, day, waived=True)
    duties.extend(Duty(key, clock, due, None) for clock, (_start, due) in open_.items())
    return duties


@attrs.frozen
class Expected:
    """What the office must show after importing the lines, as of ``today``."""

    overdue: int  # open duties past their due date
    overdue_cases: frozenset[str]  # their legacy case ids
    met: int
    late: int

    def on_time_rate(self) -> float | None:
        """met / (met + late + overdue), as the report counts it; None when nothing was due."""
        total = self.met + self.late + self.overdue
        return self.met / total if total else None


def expected(
    docs: Iterable[Mapping[str, Any]],
    today: date,
    day_off: Callable[[date], bool],
    *,
    due_from: date = date.min,
    due_until: date = date.max,
) -> Expected:
    """The oracle over many lines; ``due_from``/``due_until`` narrow it to the duties due in a period."""
    counts = {"met": 0, "late": 0, "overdue": 0}
    cases: set[str] = set()
    for doc in docs:
        for duty in expected_duties(doc, day_off):
            outcome = duty.outcome(today)
            if outcome not in counts or not due_from <= duty.due <= due_until:
                continue
            counts[outcome] += 1
            if outcome == "overdue":
                cases.add(duty.tracking)
    return Expected(counts["overdue"], frozenset(cases), counts["met"], counts["late"])
