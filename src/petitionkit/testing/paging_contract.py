"""The storage contract's paged lists: keyset pages that add up to the whole list, on every backend.

Mixed into :class:`~petitionkit.testing.storage_contract.StorageContract`, whose fixtures it uses.
"""

from __future__ import annotations

from datetime import date

import pytest

from petitionkit.domain.model import Obligation, Party
from petitionkit.errors import InvalidInput
from petitionkit.service import Office
from petitionkit.storage.base import CaseQuery, DueKey, DueQuery, Storage
from petitionkit.testing import FakeClock, sample_petition

_DAYS = ("2026-02-20", "2026-02-20", "2026-02-20", "2026-02-23", "2026-02-24", "2026-02-24", "2026-02-26")


def _register_backlog(office: Office) -> None:
    """Seven cases, three received the same morning (ties on the due date), on four days."""
    for day in _DAYS:
        office.register(sample_petition(received_at=f"{day}T08:00:00+08:00"))


def _key(o: Obligation) -> DueKey:
    return (o.due, o.case_id, o.clock.value, o.id)


class PagingContract:
    """Keyset pages (``duties_due``, ``search_cases`` with ``after``), counts and tracking numbers."""

    def test_duty_pages_add_up_to_the_whole_list(self, office: Office, storage: Storage) -> None:
        _register_backlog(office)
        until = date(2026, 12, 31)
        with storage.transaction() as tx:
            whole = [o for o in tx.open_obligations_due("XS", until) if o.owed_by is not Party.PETITIONER]
            total = tx.count_duties_due("XS", until)
            walked: list[Obligation] = []
            after: DueKey | None = None
            while True:
                page = tx.duties_due(DueQuery("XS", until, after, 3))
                assert len(page) <= 3
                walked.extend(page)
                if len(page) < 3:
                    break
                after = _key(page[-1])
            assert tx.duties_due(DueQuery("OTHER", until)) == [] and tx.count_duties_due("OTHER", until) == 0
            numbers = tx.first_tracking_numbers([o.case_id for o in walked])
        assert len(whole) == total == len(walked) >= len(_DAYS)
        assert [_key(o) for o in walked] == sorted(_key(o) for o in whole)  # every duty once, in key order
        assert {o.id for o in walked} == {o.id for o in whole}
        assert len(numbers) == len(_DAYS) and all(n.startswith("XS-2026-") for n in numbers.values())

    def test_overdue_pages_through_the_office_with_cursors(self, office: Office, clock: FakeClock) -> None:
        _register_backlog(office)
        clock.advance(days=60)  # every acceptance decision is overdue by now
        first = office.duties_page(overdue=True, limit=2)
        assert first.total is not None and first.total >= len(_DAYS) and first.next_cursor is not None
        pages = list(office.duty_pages(overdue=True, limit=2))
        walked = [o for page in pages for o in page.items]
        assert len(walked) == first.total and len({o.id for o in walked}) == first.total
        assert walked[:2] == first.items and all(o.due < office.today() for o in walked)
        assert [o.id for o in office.duties_page(overdue=True, limit=2, cursor=first.next_cursor).items] == [
            o.id for o in walked[2:4]
        ]
        assert pages[-1].next_cursor is None and all(p.total == first.total for p in pages)
        assert all({o.case_id for o in p.items} <= set(p.tracking_numbers) for p in pages)
        with pytest.raises(InvalidInput) as refused:
            office.duties_page(cursor="not-a-cursor")
        assert refused.value.fields == ("cursor",)

    def test_case_pages_follow_the_search_order(self, office: Office, storage: Storage) -> None:
        _register_backlog(office)
        whole = office.search(limit=100)
        seen: list[str] = []
        cursor: str | None = None
        while True:
            page = office.cases_page(limit=3, cursor=cursor)
            assert page.total == len(whole)
            seen.extend(c.id for c in page.items)
            if page.next_cursor is None:
                break
            cursor = page.next_cursor
        assert seen == [c.id for c in whole]
        # the subject's words: matched in SQL, or after decryption on an encrypted store, pages and count alike
        worded = office.cases_page(limit=2, text="工资")
        assert worded.total == len(whole) and [c.id for c in worded.items] == seen[:2]
        assert office.cases_page(text="没有这几个字").total == 0
        narrowed = office.cases_page(limit=2, opened_from=whole[3].opened_at)
        assert narrowed.total == len(whole) - 3 and [c.id for c in narrowed.items] == seen[3:5]
        with storage.transaction() as tx:
            last = whole[2]
            after = (last.opened_at, last.first_tracking_number, last.id)
            assert [c.id for c in tx.search_cases(CaseQuery("XS", after=after, limit=2))] == seen[3:5]
            assert tx.count_cases(CaseQuery("XS", after=after)) == len(whole)  # the count ignores the page
        with pytest.raises(InvalidInput):
            office.cases_page(cursor=office.duties_page(limit=1).next_cursor)  # a cursor of another list
