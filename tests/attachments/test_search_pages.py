"""The SQL search index pages exactly like one ``ORDER BY seq DESC LIMIT`` query, on both backends, for
frequent, rare and absent words, several words, two offices and keyset paging; on PostgreSQL both
steps of the search (the newest documents, then the GIN index: storage.sql.attachment_state) give
those pages, and the second step is planned on the GIN index."""

from __future__ import annotations

import base64
from collections.abc import Iterator

import pytest
from sqlalchemy import text

from petitionkit.privacy import MASTER_KEY_ENV
from petitionkit.service import Office
from petitionkit.storage.base import SearchDocument, TextQuery
from petitionkit.storage.sql import attachment_state
from petitionkit.testing import FakeClock, office_settings, open_test_office, sample_petition

MASTER = base64.b64encode(bytes(range(32))).decode()
OFFICE, OTHER = "XS", "ZZ"
FREQUENT, RARE, OLD, ABSENT = "蓝鲸", "雪豹", "渡渡鸟", "独角兽"
COUNT = 60


def _words(i: int) -> list[str]:
    """Document i's words: FREQUENT in every other one, RARE in three, OLD only in the oldest twelve."""
    words = [f"词{i}"]
    if i % 2 == 0:
        words.append(FREQUENT)
    if i in (1, 2, 7):
        words.append(RARE)
    if i < 12:
        words.append(OLD)
    return words


@pytest.fixture
def office(db_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Office]:
    monkeypatch.setenv(MASTER_KEY_ENV, f"m-test:{MASTER}")
    with open_test_office({**office_settings(), "database": {"url": db_url}}, clock=FakeClock()) as office:
        yield office


def _documents(office: Office) -> list[SearchDocument]:
    """COUNT documents in writing order, every fifth of another office (the same words)."""
    cases = [office.register(sample_petition()).case.id for _ in range(3)]
    return [
        SearchDocument(OTHER if i % 5 == 0 else OFFICE, cases[i % 3], "test", f"d{i}", " ".join(_words(i)))
        for i in range(COUNT)
    ]


def _pages(office: Office, words: tuple[str, ...], limit: int) -> list[list[tuple[str, str]]]:
    pages, before = [], None
    while True:
        with office.storage.transaction() as tx:
            hits = tx.search_documents(TextQuery(OFFICE, words, before, limit))
        positions = [h.position for h in hits]
        assert positions == sorted(positions, reverse=True) and (before is None or max(positions, default=0) < before)
        pages.append([(h.source_kind, h.source_id) for h in hits])
        if len(hits) < limit:
            return pages
        before = hits[-1].position


@pytest.mark.parametrize(
    ("recent", "windows"), [(4, (8, 20)), (4, (8,)), (attachment_state.RECENT, attachment_state.WINDOWS)]
)
def test_pages_are_the_newest_matches_below_before(
    office: Office, recent: int, windows: tuple[int, ...], monkeypatch: pytest.MonkeyPatch
) -> None:
    # small: PostgreSQL's windows and last step answer most pages; the shipped sizes: its first step or last
    monkeypatch.setattr(attachment_state, "RECENT", recent)
    monkeypatch.setattr(attachment_state, "WINDOWS", windows)
    documents = _documents(office)
    with office.storage.transaction() as tx:
        tx.put_search_documents(documents[:30])
    with office.storage.transaction() as tx:
        tx.put_search_documents(documents[30:])
    for words in ((FREQUENT,), (RARE,), (OLD,), (ABSENT,), (FREQUENT, OLD), (RARE, OLD), (FREQUENT, ABSENT)):
        expected = [
            ("test", d.source_id)
            for d in reversed(documents)
            if d.office_code == OFFICE and set(words) <= set(d.text.split())
        ]
        assert expected or ABSENT in words
        for limit in (1, 3, 20):
            pages = _pages(office, words, limit)
            assert [hit for page in pages for hit in page] == expected, (words, limit)
            assert all(len(page) == limit for page in pages[:-1])


@pytest.mark.postgresql
def test_a_rare_word_is_planned_on_the_gin_index(postgresql_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """At 20,000 documents (ANALYZE reads them all: the statistics, hence the plan, are the same every run)
    the last step reads the rare word's hits from the GIN index, and the first walks the last RECENT positions
    backwards by an index: neither reads every document."""
    monkeypatch.setenv(MASTER_KEY_ENV, f"m-test:{MASTER}")
    with open_test_office({**office_settings(), "database": {"url": postgresql_url}}, clock=FakeClock()) as office:
        case_id = office.register(sample_petition()).case.id
        with office.storage.transaction() as tx:
            tx.connection.execute(
                text(
                    "INSERT INTO search_documents (office_code, case_id, source_kind, source_id, body)"
                    " SELECT 'XS', :case, 'test', 'd' || i,"
                    " '词' || (i % 50) || CASE WHEN i % 7000 = 3 THEN ' 雪豹' ELSE '' END"
                    " FROM generate_series(1, 20000) AS i"
                ),
                {"case": case_id},
            )
            tx.connection.execute(text("ANALYZE search_documents"))
        top = 20_100  # above every position
        with office.storage.transaction() as tx:
            connection = tx.connection

            def plan(statement: str, word: str, lowest: int) -> str:
                values = {"office": OFFICE, "q": word, "before": top, "lowest": lowest, "limit": 20, "recent": 5_000}
                return "\n".join(connection.execute(text("EXPLAIN " + statement), values).scalars())

            indexed = attachment_state._POSTGRESQL_INDEXED.text
            newest = attachment_state._POSTGRESQL_NEWEST.text
            for word in ("雪豹", "独角兽"):
                assert "Bitmap Index Scan on ix_search_documents_body_tsv" in plan(indexed, word, 0), word
                walk = plan(newest, word, top - attachment_state.RECENT)
                # backwards by the primary key or the office's index, the range of positions in the index's
                # condition: whichever, it reads RECENT positions at most
                assert "Index Scan Backward using" in walk and "Index Cond: ((seq >= " in walk, walk
        assert len(office.search_text("雪豹").results) == 1  # one case: its three hits are one result
        with office.storage.transaction() as tx:
            assert len(tx.search_documents(TextQuery(OFFICE, ("雪豹",)))) == 3
