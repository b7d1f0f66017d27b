"""My work (我的待办): the duties due and overdue, each with its clock, provisional dates marked."""

from __future__ import annotations

from litestar import Response, get
from litestar.di import NamedDependency

from petitionkit.web.context import Visit
from petitionkit.web.pages import NavItem


def _is_staff(visit: Visit) -> bool:
    return visit.principal is not None and not visit.principal.is_body


@get("/", sync_to_thread=True, name="web.my_work")
def my_work(visit: NamedDependency[Visit]) -> Response[str]:
    """Open duties due within a week, overdue first (office staff; a body's user goes to its own page)."""
    duties = visit.office.due_within(7) if _is_staff(visit) else []
    today = visit.office.today()
    return visit.page("my_work.html", duties=duties, today=today)


HANDLERS = [my_work]
NAV = (NavItem("/", "web.nav.my_work", order=10, shown=_is_staff),)
