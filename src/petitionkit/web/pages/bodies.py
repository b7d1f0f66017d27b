"""Handling bodies (承办单位): a body's user sees the cases referred to its body, and on each case page
records its feedback (反馈), result report (办结报告) or objection (异议) through the same actions the
state machine and its role allow (``case_actions``).

The list is the service's search as the body's principal: only cases referred to its bodies, their
subjects through the redaction policy, an accusation against the body never among them.
"""

from __future__ import annotations

from litestar import Response, get
from litestar.di import NamedDependency
from litestar.params import FromQuery

from petitionkit.domain.model import Case, Referral
from petitionkit.web.context import Visit
from petitionkit.web.pages import NavItem


def _is_body(visit: Visit) -> bool:
    return visit.principal is not None and visit.principal.is_body


def our_referral(case: Case, codes: frozenset[str]) -> Referral | None:
    """The latest referral of ``case`` to one of ``codes``."""
    mine = [r for r in case.referrals if r.body_code in codes]
    return mine[-1] if mine else None


@get("/body", sync_to_thread=True, name="web.body")
def body_cases(visit: NamedDependency[Visit], page: FromQuery[int] = 1) -> Response[str]:
    """The cases referred to the principal's bodies, with each referral's state and what is owed."""
    assert visit.principal is not None
    size = visit.workspace.settings.page_size
    page = max(page, 1)
    found = visit.office.search(limit=size + 1, offset=(page - 1) * size, purpose="workspace body page")
    codes = visit.principal.body_codes
    rows = [(c, our_referral(c, codes)) for c in found[:size]]
    return visit.page(
        "body.html", rows=rows, more=len(found) > size, page=page, zone=visit.office.zone, codes=sorted(codes)
    )


HANDLERS = [body_cases]
NAV = (NavItem("/body", "web.pages.nav.body", order=12, shown=_is_body),)
