"""Report queries on the in-memory backend: plain Python over its dicts (tests, demos, embedding)."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime

from petitionkit.domain.model import Case, ObligationStatus, Petition
from petitionkit.domain.tracking import identity_digest
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
from petitionkit.storage.memory import MemoryStorage


def _in(moment: datetime | None, window: Window) -> bool:
    return moment is not None and window.start <= moment < window.end


def _index(windows: Sequence[Window], moment: datetime) -> list[int]:
    return [i for i, w in enumerate(windows) if w.start <= moment < w.end]


def petition_key(p: Petition, by: Dimension | None) -> str | None:
    """The group key of a petition (the in-memory twin of the SQL key expressions)."""
    if by is None:
        return None
    if by is Dimension.RESPONDENT:
        if p.respondent is None:
            return None
        return p.respondent.body_code or p.respondent.unit_name or None
    if by is Dimension.RESPONDENT_BODY:
        return None if p.respondent is None else p.respondent.body_code
    return {
        Dimension.CHANNEL: p.channel.value,
        Dimension.KIND: p.kind.value,
        Dimension.CATEGORY: p.category,
        Dimension.REGION: p.region_code,
        Dimension.OFFICE: p.office_code,
    }[by]


class MemoryReportSource:
    """:class:`~petitionkit.reports.source.ReportSource` over a :class:`MemoryStorage`."""

    def __init__(self, storage: MemoryStorage) -> None:
        self.storage = storage

    @contextmanager
    def session(self) -> Iterator[None]:
        with self.storage.transaction():
            yield

    def close(self) -> None:
        pass

    def _petitions(self, scope: Scope) -> list[Petition]:
        offices = set(scope.offices)
        return [p for p in self.storage.petitions.values() if p.office_code in offices]

    def _cases(self, scope: Scope) -> list[Case]:
        offices = set(scope.offices)
        return [c for c in self.storage.cases.values() if c.office_code in offices]

    # --- petitions and cases --------------------------------------------------------------

    def petition_counts(
        self, scope: Scope, windows: Sequence[Window], by: Dimension | None
    ) -> dict[tuple[int, str | None], int]:
        found: Counter[tuple[int, str | None]] = Counter()
        for p in self._petitions(scope):
            for i in _index(windows, p.received_at):
                found[(i, petition_key(p, by))] += 1
        return dict(found)

    def petition_totals(self, scope: Scope, windows: Sequence[Window]) -> list[PetitionTotals]:
        sums = [[0, 0, 0, 0, 0] for _ in windows]
        for p in self._petitions(scope):
            for i in _index(windows, p.received_at):
                row = sums[i]
                row[0] += 1
                row[1] += p.headcount
                if p.headcount >= 5:
                    row[2] += 1
                    row[3] += p.headcount
                row[4] += p.anonymous
        return [PetitionTotals(*row) for row in sums]

    def cases_opened(self, scope: Scope, windows: Sequence[Window]) -> list[int]:
        counts = [0] * len(windows)
        for c in self._cases(scope):
            for i in _index(windows, c.opened_at):
                counts[i] += 1
        return counts

    def repeat_petitions(self, scope: Scope, windows: Sequence[Window]) -> list[int]:
        counts = [0] * len(windows)
        cases = self.storage.cases
        for p in self._petitions(scope):
            if p.repeat_of is not None or cases[p.case_id].first_tracking_number != p.tracking_number:
                for i in _index(windows, p.received_at):
                    counts[i] += 1
        return counts

    def respondent_cases(self, scope: Scope, window: Window) -> dict[str, int]:
        found: dict[str, set[str]] = defaultdict(set)
        for p in self._petitions(scope):
            key = petition_key(p, Dimension.RESPONDENT)
            if key is not None and _in(p.received_at, window):
                found[key].add(p.case_id)
        return {k: len(v) for k, v in found.items()}

    def opened_states(self, scope: Scope, window: Window) -> dict[str, int]:
        return dict(Counter(c.state.value for c in self._cases(scope) if _in(c.opened_at, window)))

    # --- referrals and clocks -------------------------------------------------------------

    def referral_counts(self, scope: Scope, window: Window) -> list[ReferralCount]:
        found = Counter(
            (r.mode.value, r.body_code, r.status.value)
            for c in self._cases(scope)
            for r in c.referrals
            if _in(r.referred_at, window)
        )
        return [ReferralCount(m, b, s, n) for (m, b, s), n in found.items()]

    def supervision_counts(self, scope: Scope, window: Window) -> list[ObligationCount]:
        found = Counter(
            (o.body_code, o.status.value)
            for c in self._cases(scope)
            for o in c.obligations
            if o.clock.value == "supervision_reply" and _in(o.opened_at, window)
        )
        return [ObligationCount("supervision_reply", b, s, n) for (b, s), n in found.items()]

    def clock_outcomes(self, scope: Scope, first_day: date, last_day: date, as_of: date) -> list[ObligationCount]:
        found: Counter[tuple[str, str | None, str]] = Counter()
        for c in self._cases(scope):
            for o in c.obligations:
                if o.status is ObligationStatus.WAIVED or o.owed_by.value not in DUTY_OWERS:
                    continue
                if not first_day <= o.due <= last_day:
                    continue
                if o.status is ObligationStatus.OPEN:
                    outcome = "overdue" if o.due < as_of else "pending"
                else:
                    outcome = o.status.value
                found[(o.clock.value, o.body_code, outcome)] += 1
        return [ObligationCount(clock, body, outcome, n) for (clock, body, outcome), n in found.items()]

    def overdue(self, scope: Scope, as_of: date, limit: int) -> OverdueData:
        counts: Counter[tuple[str, str | None]] = Counter()
        items: list[OverdueItem] = []
        case_ids: set[str] = set()
        for c in self._cases(scope):
            for o in c.obligations:
                if o.is_open and o.due < as_of and o.owed_by.value in DUTY_OWERS:
                    counts[(o.clock.value, o.body_code)] += 1
                    case_ids.add(c.id)
                    items.append(
                        OverdueItem(
                            c.id,
                            c.first_tracking_number,
                            c.subject,
                            o.clock.value,
                            o.body_code,
                            o.due,
                            o.basis.provisional,
                        )
                    )
        items.sort(key=lambda item: (item.due, item.tracking_number, item.clock))
        return OverdueData(
            len(case_ids),
            tuple(ObligationCount(clock, body, "overdue", n) for (clock, body), n in counts.items()),
            tuple(items[:limit]),
        )

    # --- what happened to cases -----------------------------------------------------------

    def milestones(self, scope: Scope, window: Window, first_day: date, last_day: date) -> Milestones:
        replies: Counter[str] = Counter()
        declines: Counter[str] = Counter()
        extensions = review_requests = reviews_decided = rereview_requests = rereviews_decided = 0
        for c in self._cases(scope):
            if c.reply is not None and _in(c.reply.replied_at, window):
                replies[c.reply.outcome.value] += 1
            if c.decline is not None and _in(c.decline.declined_at, window):
                declines[c.decline.channel.value] += 1
            if c.extension is not None and _in(c.extension.extended_at, window):
                extensions += 1
            if c.review is not None:
                review_requests += first_day <= c.review.requested_on <= last_day
                reviews_decided += _in(c.review.decided_at, window)
            if c.rereview is not None:
                rereview_requests += first_day <= c.rereview.requested_on <= last_day
                rereviews_decided += _in(c.rereview.decided_at, window)
        return Milestones(
            dict(replies),
            dict(declines),
            extensions,
            review_requests,
            reviews_decided,
            rereview_requests,
            rereviews_decided,
        )

    def evaluation_counts(self, scope: Scope, window: Window) -> dict[str, int]:
        return dict(
            Counter(e.rating.value for c in self._cases(scope) for e in c.evaluations if _in(e.evaluated_at, window))
        )

    def repeat_petitioners(self, scope: Scope, window: Window) -> int:
        found: Counter[str] = Counter()
        for p in self._petitions(scope):
            if _in(p.received_at, window):
                found.update(_digests(p))
        return sum(1 for n in found.values() if n >= 2)

    # --- drill-down -----------------------------------------------------------------------

    def cases_behind(
        self, scope: Scope, window: Window, by: Dimension, key: str, limit: int
    ) -> tuple[int, list[CaseRef]]:
        ids = {p.case_id for p in self._petitions(scope) if _in(p.received_at, window) and petition_key(p, by) == key}
        found = sorted(
            (CaseRef(c.id, c.first_tracking_number, c.subject) for c in map(self.storage.cases.__getitem__, ids)),
            key=lambda ref: ref.tracking_number,
        )
        return len(found), found[:limit]

    def petition_texts(self, scope: Scope, window: Window, latest: int | None = None) -> Iterator[PetitionText]:
        found = sorted(
            (p for p in self._petitions(scope) if _in(p.received_at, window)),
            key=lambda p: (p.received_at, p.tracking_number),
        )
        if latest is not None:
            found = found[len(found) - latest :] if latest < len(found) else found
        for p in found:
            yield PetitionText(
                p.id,
                p.case_id,
                self.storage.cases[p.case_id].first_tracking_number,
                p.subject,
                p.content,
                p.category,
                p.region_code,
                p.received_at,
                tuple(sorted(_digests(p))),
            )


def _digests(p: Petition) -> set[str]:
    return {d for person in p.petitioners if (d := identity_digest(person.id_number, person.name, person.phone))}
