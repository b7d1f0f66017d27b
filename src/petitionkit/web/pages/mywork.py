"""My work (我的待办): the office's open duties due soon and overdue, each with its clock, its due date
(provisional ones marked 预计), why that day, and the case it belongs to; filtered and paged.

Built on the query services a clerk's command line uses (``due_within``, ``overdue``, ``case``,
``rules.explain_basis``): the page sees exactly what the principal may see.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs
from litestar import Response, get
from litestar.di import NamedDependency

from petitionkit.domain.model import Case, CaseState, Obligation, PetitionKind
from petitionkit.web.context import Visit
from petitionkit.web.pages import NavItem

WINDOWS = ("overdue", "7", "30", "90")


def _is_staff(visit: Visit) -> bool:
    return visit.principal is not None and not visit.principal.is_body


@attrs.frozen
class Duty:
    """One row of the page: a duty, its case, how far off its due date is, why it is that day."""

    obligation: Obligation
    case: Case
    days_left: int  # negative: overdue by that many days
    explanation: str

    @property
    def provisional(self) -> bool:
        return self.obligation.basis.provisional


@attrs.frozen
class Filters:
    """What the clerk narrowed the list to (every value checked against the known ones)."""

    window: str = "7"
    kind: str = ""
    body: str = ""
    state: str = ""
    page: int = 1

    @classmethod
    def of(cls, query: Mapping[str, Any], bodies: set[str]) -> Filters:
        def pick(name: str, allowed: set[str] | tuple[str, ...], default: str = "") -> str:
            value = str(query.get(name) or default)
            return value if value in allowed else default

        page = str(query.get("page") or "1")
        return cls(
            window=pick("window", WINDOWS, "7"),
            kind=pick("kind", {k.value for k in PetitionKind}),
            body=pick("body", bodies),
            state=pick("state", {s.value for s in CaseState}),
            page=int(page) if page.isdigit() and 0 < int(page) < 100_000 else 1,
        )

    def keeps(self, duty: Duty) -> bool:
        return (
            (not self.kind or duty.case.kind.value == self.kind)
            and (not self.body or duty.obligation.body_code == self.body)
            and (not self.state or duty.case.state.value == self.state)
        )

    def query(self, **changes: Any) -> str:
        """The query string of these filters with ``changes`` (for paging links)."""
        values = {**attrs.asdict(self), **changes}
        return "&".join(f"{k}={v}" for k, v in values.items() if v not in ("", None))


def duties(visit: Visit, filters: Filters) -> list[Duty]:
    """The duties of the window, with their cases, filtered (overdue first, then by due date)."""
    office = visit.office
    found = office.overdue() if filters.window == "overdue" else office.due_within(int(filters.window))
    today = office.today()
    cases: dict[str, Case] = {}
    rows = []
    for o in found:
        if filters.body and o.body_code != filters.body:
            continue
        case = cases.get(o.case_id) or cases.setdefault(o.case_id, office.case(o.case_id))
        explanation = office.rules.explain_basis(o.basis).text(visit.locale)
        duty = Duty(o, case, (o.due - today).days, explanation)
        if filters.keeps(duty):
            rows.append(duty)
    return sorted(rows, key=lambda d: (d.obligation.due, d.case.first_tracking_number, d.obligation.id))


@get("/", sync_to_thread=True, name="web.my_work")
def my_work(visit: NamedDependency[Visit]) -> Response[str]:
    """Open duties due within the chosen window (a week by default), overdue first; office staff only
    (a handling body's user has its own page)."""
    office = visit.office
    bodies = {b.code: b.name for b in office.rules.bodies()}
    filters = Filters.of(visit.request.query_params, set(bodies))
    rows = duties(visit, filters) if _is_staff(visit) else []
    size = visit.workspace.settings.page_size
    pages = max(1, -(-len(rows) // size))
    page = min(filters.page, pages)
    shown = rows[(page - 1) * size : page * size]
    template = "my_work_table.html" if visit.request.headers.get("hx-request") else "my_work.html"
    return visit.page(
        template,
        rows=shown,
        total=len(rows),
        page=page,
        pages=pages,
        filters=attrs.evolve(filters, page=page),
        today=office.today(),
        windows=WINDOWS,
        kinds=[k.value for k in PetitionKind],
        states=[s.value for s in CaseState],
        bodies=sorted(bodies.items()),
        body_names=bodies,
        warning=office.schedule_warning(),
    )


HANDLERS = [my_work]
NAV = (NavItem("/", "web.nav.my_work", order=10, shown=_is_staff),)
