"""Lists a page at a time: what is due and overdue, and the cases of a search.

A page is read in the database by keyset (the storage protocol's ``duties_due`` and ``search_cases``
with ``after``): it ends with an opaque cursor that names the sort key of its last row, and the next
page starts after that key.  Memory and time per page stay the same whatever the office's size; a
whole list is walked page by page (:meth:`ListPages.duty_pages`), never built.

A cursor is URL-safe base64 of a small JSON object; callers must treat it as opaque.  A cursor that
this module did not make (or made for another list) is refused as bad input in the field ``cursor``.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterator, Sequence
from datetime import date, datetime, timedelta
from typing import Any, Generic, TypeVar

import attrs

from petitionkit.domain.access import Permission
from petitionkit.domain.model import Case, CaseState, Obligation, PetitionKind
from petitionkit.domain.paging import DEFAULT_LIMIT, MAX_LIMIT
from petitionkit.errors import FieldError, InvalidInput, PermissionDenied
from petitionkit.service.access import referred_to
from petitionkit.service.base import OfficeBase
from petitionkit.storage.base import CaseQuery, DueKey, DueQuery, Transaction

T = TypeVar("T")

_BODY_BATCH = 500


@attrs.frozen
class Page(Generic[T]):
    """One page of a list: its items, how many the whole list holds (``None`` where counting would mean
    reading every row: a handling body's search), and the cursor of the next page (``None``: the last)."""

    items: list[T]
    total: int | None
    next_cursor: str | None
    tracking_numbers: dict[str, str] = attrs.field(factory=dict)  # case id -> first tracking number


def encode_cursor(kind: str, key: Sequence[Any]) -> str:
    """An opaque cursor for list ``kind`` that resumes after sort key ``key``."""
    data = json.dumps({"k": kind, "v": [v.isoformat() if isinstance(v, date) else v for v in key]})
    return base64.urlsafe_b64encode(data.encode()).decode().rstrip("=")


def decode_cursor(kind: str, cursor: str | None) -> list[Any] | None:
    """The sort key in ``cursor`` (``None`` for no cursor: the first page); ``InvalidInput`` otherwise."""
    if not cursor:
        return None
    try:
        data = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if isinstance(data, dict) and data.get("k") == kind and isinstance(data.get("v"), list):
            values: list[Any] = data["v"]
            if all(isinstance(v, str) for v in values):
                return values
    except (ValueError, TypeError, binascii.Error):
        pass
    raise InvalidInput([FieldError("cursor", "cursor")])


def _due_key(cursor: str | None) -> DueKey | None:
    values = decode_cursor("due", cursor)
    if values is None:
        return None
    try:
        due, case_id, clock, id_ = values
        return (date.fromisoformat(due), case_id, clock, id_)
    except ValueError:
        raise InvalidInput([FieldError("cursor", "cursor")]) from None


def _case_key(cursor: str | None) -> tuple[datetime, str, str] | None:
    values = decode_cursor("cases", cursor)
    if values is None:
        return None
    try:
        opened_at, tracking, id_ = values
        moment = datetime.fromisoformat(opened_at)
    except ValueError:
        raise InvalidInput([FieldError("cursor", "cursor")]) from None
    if moment.tzinfo is None:  # never one of ours (opened_at is aware): a forged key would fail the query
        raise InvalidInput([FieldError("cursor", "cursor")])
    return (moment, tracking, id_)


def _check_limit(limit: int) -> None:
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidInput([FieldError("limit", "between", {"min": 1, "max": MAX_LIMIT})])


class ListPages(OfficeBase):
    """Paged lists of the office (mixed into :class:`~petitionkit.service.office.Office`)."""

    def duties_page(
        self, days: int = 7, *, overdue: bool = False, limit: int = DEFAULT_LIMIT, cursor: str | None = None
    ) -> Page[Obligation]:
        """One page of open duties (not petitioners' windows) due within ``days`` days, overdue ones
        included (``overdue``: only those past their due date), earliest first, with the total and the
        tracking numbers of their cases (office staff)."""
        return next(self.duty_pages(days, overdue=overdue, limit=limit, cursor=cursor, single=True))

    def duty_pages(
        self,
        days: int = 7,
        *,
        overdue: bool = False,
        limit: int = DEFAULT_LIMIT,
        cursor: str | None = None,
        single: bool = False,
    ) -> Iterator[Page[Obligation]]:
        """Every page of :meth:`duties_page` from ``cursor`` on, one transaction each; the total is
        counted once, on the first page (later pages repeat it)."""
        self.access.require_office_staff("due_within")
        _check_limit(limit)
        after = _due_key(cursor)
        until = self.today() - timedelta(days=1) if overdue else self.today() + timedelta(days=days)
        code = self.config.office_code
        total: int | None = None
        while True:
            with self.storage.transaction() as tx:
                if total is None:
                    total = tx.count_duties_due(code, until)
                found = tx.duties_due(DueQuery(code, until, after, limit + 1))
                items = found[:limit]
                numbers = tx.first_tracking_numbers([o.case_id for o in items])
            more = len(found) > limit
            last = items[-1] if more else None
            after = (last.due, last.case_id, last.clock.value, last.id) if last else None
            yield Page(items, total, encode_cursor("due", after) if after else None, numbers)
            if single or after is None:
                return

    def case_total(self) -> int:
        """How many cases the office holds (office staff; a count reads no personal data): the total a
        progress bar counts an export against."""
        self.access.require_office_staff("case_total")
        with self.storage.transaction() as tx:
            return tx.count_cases(CaseQuery(office_code=self.config.office_code))

    def cases_page(
        self,
        *,
        limit: int = DEFAULT_LIMIT,
        cursor: str | None = None,
        states: Sequence[CaseState | str] = (),
        kind: PetitionKind | str | None = None,
        category: str | None = None,
        region_prefix: str | None = None,
        respondent_body: str | None = None,
        text: str | None = None,
        opened_from: datetime | None = None,
        opened_before: datetime | None = None,
        purpose: str = "",
    ) -> Page[Case]:
        """One page of the cases a search finds, oldest first, with the total (``None`` for a handling
        body's principal) and the cursor of the next page.

        Needs ``read_personal_data`` and is on record, as :meth:`~petitionkit.service.queries.CaseQueries.search`.
        """
        _check_limit(limit)
        query = CaseQuery(
            office_code=self.config.office_code,
            states=frozenset(CaseState(s) for s in states),
            kind=PetitionKind(kind) if kind else None,
            category=category,
            region_prefix=region_prefix,
            opened_from=opened_from,
            opened_before=opened_before,
            respondent_body=respondent_body,
            text=text,
            limit=limit + 1,
            after=_case_key(cursor),
        )
        principal = self.access.require(Permission.READ_PERSONAL_DATA)
        with self.storage.transaction() as tx:
            if principal.is_body:
                found, total = self._body_page(tx, query, principal.body_codes), None
            else:
                found, total = tx.search_cases(query), tx.count_cases(query)
            items = found[:limit]
            criteria = "; ".join(f"{k}={v}" for k, v in _criteria(query).items())
            self.access.record(tx, principal, "search", count=len(items), query=criteria, purpose=purpose)
        last = items[-1] if len(found) > limit else None
        key = (last.opened_at, last.first_tracking_number, last.id) if last else None
        return Page(items, total, encode_cursor("cases", key) if key else None)

    def _body_page(self, tx: Transaction, query: CaseQuery, body_codes: frozenset[str]) -> list[Case]:
        """Up to ``query.limit`` of the cases referred to ``body_codes``, as those bodies may read them,
        walking the office's cases by keyset until the page is full."""
        principal = self.access.principal("search")
        shown: list[Case] = []
        after = query.after
        while len(shown) < query.limit:
            batch = tx.search_cases(attrs.evolve(query, limit=_BODY_BATCH, after=after))
            for case in batch:
                if not referred_to(case, body_codes):
                    continue
                try:
                    seen = self.access.body_view(principal, case, tx.petitions_of_case(case.id))
                except PermissionDenied:
                    continue  # guarded against this body: not even listed
                readable = self.access.redacted_case(case, seen)
                if query.text is not None and query.text not in readable.subject:
                    continue  # found only in what is struck for this body: no oracle on a hidden identity
                shown.append(readable)
                if len(shown) == query.limit:
                    break
            if len(batch) < _BODY_BATCH:
                break
            last = batch[-1]
            after = (last.opened_at, last.first_tracking_number, last.id)
        return shown


def _criteria(query: CaseQuery) -> dict[str, Any]:
    fields = attrs.asdict(query, recurse=False)
    for name in ("office_code", "limit", "offset", "after"):
        fields.pop(name)
    return {
        k: sorted(v) if isinstance(v, frozenset) else v
        for k, v in sorted(fields.items())
        if v not in (None, frozenset())
    }
