"""Reports read as the redaction policy says a report reader may (:mod:`petitionkit.redaction`).

Figures carry no personal data, but a report quotes subjects (事由): in its table of the oldest
overdue cases, and beside trend and cluster signals.  A petitioner may have written a name, an ID
number or a phone into a subject, so every quoted subject is struck of the identities of every
petitioner of the cases it stands for (report readers see no petitioner's identity at all), and of
anything shaped like an ID number, mobile number or e-mail.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

import attrs

from petitionkit.domain.model import Person
from petitionkit.redaction import Striker
from petitionkit.reports.model import ClusterSignal, PeriodReport, SignalReport, TrendSignal
from petitionkit.reports.source import CaseRef

if TYPE_CHECKING:
    from petitionkit.service import Office


def _people_of(office: Office, case_ids: Iterable[str]) -> dict[str, tuple[Person, ...]]:
    found: dict[str, tuple[Person, ...]] = {}
    with office.storage.transaction() as tx:
        for case_id in dict.fromkeys(case_ids):
            found[case_id] = tuple(person for p in tx.petitions_of_case(case_id) for person in p.petitioners)
    return found


def _strike(people: Mapping[str, tuple[Person, ...]], case_ids: Iterable[str], text: str) -> str:
    hidden = [person for case_id in case_ids for person in people.get(case_id, ())]
    # Nobody known (anonymous, or the case not readable): still strike identity shapes (fail closed).
    return Striker.hiding(hidden, shapes=True)(text) if text else text


def _ref(people: Mapping[str, tuple[Person, ...]], ref: CaseRef) -> CaseRef:
    return attrs.evolve(ref, subject=_strike(people, [ref.case_id], ref.subject))


def redact_signals(signals: SignalReport, people: Mapping[str, tuple[Person, ...]]) -> SignalReport:
    trends: list[TrendSignal] = [attrs.evolve(t, cases=tuple(_ref(people, r) for r in t.cases)) for t in signals.trends]
    clusters: list[ClusterSignal] = [
        attrs.evolve(
            c,
            subject=_strike(people, [r.case_id for r in c.cases], c.subject),
            cases=tuple(_ref(people, r) for r in c.cases),
        )
        for c in signals.clusters
    ]
    return attrs.evolve(signals, trends=tuple(trends), clusters=tuple(clusters))


def _signal_case_ids(signals: SignalReport | None) -> list[str]:
    if signals is None:
        return []
    return [r.case_id for t in signals.trends for r in t.cases] + [r.case_id for c in signals.clusters for r in c.cases]


def redact_signal_report(office: Office, signals: SignalReport) -> SignalReport:
    """``signals`` as a report reader may read them."""
    return redact_signals(signals, _people_of(office, _signal_case_ids(signals)))


def redact_period_report(office: Office, report: PeriodReport) -> PeriodReport:
    """``report`` as a report reader may read it (subjects struck of every petitioner's identity)."""
    ids = [o.case_id for o in report.overdue.oldest] + _signal_case_ids(report.signals)
    people = _people_of(office, ids)
    oldest = tuple(attrs.evolve(o, subject=_strike(people, [o.case_id], o.subject)) for o in report.overdue.oldest)
    signals = redact_signals(report.signals, people) if report.signals is not None else None
    return attrs.evolve(report, overdue=attrs.evolve(report.overdue, oldest=oldest), signals=signals)
