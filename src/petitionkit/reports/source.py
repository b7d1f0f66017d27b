"""The ``ReportSource`` protocol: the counts a report needs, computed where the data lives.

A report never loads cases one by one.  Each method answers one aggregate question (counts grouped
by a dimension over one or more time windows); the SQL implementation answers it with one
``GROUP BY`` query over the tables, the in-memory one with plain Python over the backend's dicts.
:func:`report_source` asks the storage plugin that serves the storage's URL scheme: a backend
registers its report queries with its storage factory
(``register(scheme, factory, report_source=...)`` in ``petitionkit_register_storage``).

Windows passed together must be equal or disjoint (a year's previous period *is* the same period
last year; that is fine, the implementations count each distinct window once).
"""

from __future__ import annotations

import enum
from collections.abc import Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from datetime import date, datetime
from typing import TYPE_CHECKING, Protocol, runtime_checkable

import attrs

from petitionkit.errors import PetitionkitError
from petitionkit.reports import labels as _labels  # noqa: F401 - registers the error text
from petitionkit.reports.periods import Window
from petitionkit.storage.base import Storage

if TYPE_CHECKING:
    import pluggy


class Dimension(enum.StrEnum):
    """What petitions are grouped by."""

    CHANNEL = "channel"  # 信访渠道
    KIND = "kind"  # 信访类型 (three kinds of 2022 arts. 29-31)
    CATEGORY = "category"  # 问题类别
    REGION = "region"  # 问题发生地 (administrative division code)
    RESPONDENT = "respondent"  # 被反映单位: the body code when known, else the unit's name as written
    RESPONDENT_BODY = "respondent_body"  # 被反映机关: body code only
    OFFICE = "office"  # the office that registered it (city + counties in one database)


@attrs.frozen
class Scope:
    """Which offices a report covers (one office, or a city with its counties)."""

    offices: tuple[str, ...]

    def __attrs_post_init__(self) -> None:
        if not self.offices:
            raise ValueError("a report scope needs at least one office code")


@attrs.frozen
class PetitionTotals:
    """Petition counts of one window."""

    petitions: int = 0
    people: int = 0  # 人次: the sum of headcounts
    collective: int = 0  # 集体访: headcount >= 5
    collective_people: int = 0
    anonymous: int = 0


@attrs.frozen
class Milestones:
    """What happened to cases within a window (each counted by the time it happened)."""

    replies: Mapping[str, int] = attrs.field(factory=dict)  # by reply outcome
    declines: Mapping[str, int] = attrs.field(factory=dict)  # by decline channel
    extensions: int = 0
    review_requests: int = 0
    reviews_decided: int = 0
    rereview_requests: int = 0
    rereviews_decided: int = 0


@attrs.frozen
class ObligationCount:
    """Obligations of one clock and body (``None``: owed by the office itself) with one outcome."""

    clock: str
    body_code: str | None
    outcome: str
    count: int


@attrs.frozen
class ReferralCount:
    mode: str
    body_code: str
    status: str
    count: int


@attrs.frozen
class OverdueItem:
    """One open obligation past its due date."""

    case_id: str
    tracking_number: str
    subject: str
    clock: str
    body_code: str | None
    due: date
    provisional: bool = False  # counted before its year's holiday schedule was out (预计)


@attrs.frozen
class OverdueData:
    cases: int
    counts: tuple[ObligationCount, ...]  # outcome "overdue"
    items: tuple[OverdueItem, ...]  # oldest due first


@attrs.frozen
class CaseRef:
    """A case behind a figure or signal (no personal data)."""

    case_id: str
    tracking_number: str
    subject: str


@attrs.frozen
class PetitionText:
    """A petition's text and who sent it, for clustering (identities are digests, never names)."""

    petition_id: str
    case_id: str
    case_tracking_number: str  # the case's first tracking number
    subject: str
    content: str
    category: str
    region_code: str
    received_at: datetime
    identities: tuple[str, ...]


# Obligations owed by the office or a body, whose timeliness a report measures; petitioners'
# windows (review and re-review requests) are rights, not duties, and are left out.
DUTY_OWERS = ("office", "body", "reviewing_organ")
CLOSED_STATES = (
    "declined",
    "transferred",
    "replied",
    "under_review",
    "reviewed",
    "under_rereview",
    "terminated",
    "withdrawn",
)


@runtime_checkable
class ReportSource(Protocol):
    """The aggregate queries of reports; every method covers the offices of ``scope`` only."""

    def session(self) -> AbstractContextManager[None]:
        """Run the enclosed queries on one consistent snapshot where the backend can (one read transaction)."""
        ...

    def close(self) -> None:
        """Release what the source holds (a read-only engine); the storage stays open."""
        ...

    def petition_counts(
        self, scope: Scope, windows: Sequence[Window], by: Dimension | None
    ) -> dict[tuple[int, str | None], int]:
        """Petitions received, keyed by ``(window index, group key)``; the key is ``None`` when ``by`` is."""
        ...

    def petition_totals(self, scope: Scope, windows: Sequence[Window]) -> list[PetitionTotals]:
        """One :class:`PetitionTotals` per window, in order."""
        ...

    def cases_opened(self, scope: Scope, windows: Sequence[Window]) -> list[int]:
        """Cases (信访事项) opened per window, in order."""
        ...

    def repeat_petitions(self, scope: Scope, windows: Sequence[Window]) -> list[int]:
        """Repeat petitions (重复信访) received per window, in order: those that joined an earlier case
        (not their case's first petition) and those that repeat a closed matter (``repeat_of``)."""
        ...

    def respondent_cases(self, scope: Scope, window: Window) -> dict[str, int]:
        """Distinct cases per respondent key (see :attr:`Dimension.RESPONDENT`) among the window's petitions."""
        ...

    def opened_states(self, scope: Scope, window: Window) -> dict[str, int]:
        """Cases opened in the window, by their state now."""
        ...

    def referral_counts(self, scope: Scope, window: Window) -> list[ReferralCount]:
        """Referrals made in the window, by mode, body and status now."""
        ...

    def supervision_counts(self, scope: Scope, window: Window) -> list[ObligationCount]:
        """Supervision notices (督办) issued in the window: their reply clocks by body and status."""
        ...

    def clock_outcomes(self, scope: Scope, first_day: date, last_day: date, as_of: date) -> list[ObligationCount]:
        """Duties that fell due between the two days (included), by clock, body and outcome.

        Outcomes: ``met`` (closed on time), ``late`` (closed after the due date), ``overdue`` (open
        and due before ``as_of``), ``pending`` (open, not yet due on ``as_of``).  Waived clocks are left out.
        """
        ...

    def overdue(self, scope: Scope, as_of: date, limit: int) -> OverdueData:
        """Open duties due before ``as_of``: counts by clock and body, and the ``limit`` oldest."""
        ...

    def milestones(self, scope: Scope, window: Window, first_day: date, last_day: date) -> Milestones:
        """Replies, declines, extensions, review and re-review steps that happened in the window."""
        ...

    def evaluation_counts(self, scope: Scope, window: Window) -> dict[str, int]:
        """Satisfaction ratings (满意度评价) given in the window, by rating."""
        ...

    def repeat_petitioners(self, scope: Scope, window: Window) -> int:
        """Petitioner identities with two or more petitions received in the window."""
        ...

    def cases_behind(
        self, scope: Scope, window: Window, by: Dimension, key: str, limit: int
    ) -> tuple[int, list[CaseRef]]:
        """Cases of the window's petitions whose ``by`` is ``key``: how many, and the first ``limit``."""
        ...

    def petition_texts(self, scope: Scope, window: Window, latest: int | None = None) -> Iterator[PetitionText]:
        """The petitions received in the window with their texts, oldest first (for clustering).

        ``latest``: only the most recent ``latest`` of them (still oldest first), so clustering a large
        period holds a bounded number of texts in memory.
        """
        ...


class ReportsUnsupported(PetitionkitError):
    """The storage backend has no report queries."""

    code = "reports_unsupported"
    exit_code = 7
    key = "error.reports_unsupported"

    def __init__(self, url: str) -> None:
        super().__init__()
        self.url = url

    def params(self, locale: str) -> dict[str, str]:
        return {"url": self.url}


def report_source(storage: Storage, plugin_manager: pluggy.PluginManager | None = None) -> ReportSource:
    """The report queries for ``storage``, from the storage plugin that serves its URL scheme.

    The built-in backends register SQL queries (``sqlite``, ``postgresql``) and plain Python ones
    (``memory``).  ``plugin_manager`` is the office's (``office.pm``); without one, the built-ins.

    :raises ReportsUnsupported: no plugin registered report queries for the storage's scheme.
    """
    from petitionkit.plugins import make_plugin_manager, storage_backends, url_scheme  # noqa: PLC0415

    pm = plugin_manager or make_plugin_manager(load_entrypoints=False)
    backend = storage_backends(pm).get(url_scheme(storage.url))
    if backend is None or backend.report_source is None:
        raise ReportsUnsupported(storage.url)
    return backend.report_source(storage)
