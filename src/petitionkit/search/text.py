"""Segmentation and the documents of a case's own texts (its subject and its petitions)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache

from petitionkit.domain.model import Case, Person, Petition
from petitionkit.redaction import STRUCK, Striker
from petitionkit.storage.base import SearchDocument, Transaction

#: A word worth indexing: it holds a letter or digit of some script (CJK included).
_WORD = re.compile(r"\w", re.UNICODE)
#: Runs of digits long enough to be a number that identifies someone are never indexed whole.
_LONG_DIGITS = re.compile(r"\d{6,}")

CaseSource = Callable[[Case, Sequence[Petition]], Iterable[SearchDocument]]
"""A source of documents computed from a case and its petitions (``petitionkit search reindex`` runs each)."""


@lru_cache(maxsize=1)
def _jieba() -> Callable[[str], list[str]]:
    import rjieba  # noqa: PLC0415 - loaded when a text is first indexed or searched

    cut: Callable[[str], list[str]] = rjieba.cut_for_search
    return cut


def _words(text: str) -> list[str]:
    normal = unicodedata.normalize("NFKC", text).lower()
    words = []
    for cut in _jieba()(normal):
        word = cut.strip()
        if word and _WORD.search(word) and STRUCK not in word and not _LONG_DIGITS.search(word):
            words.append(word)
    return words


def segment(text: str) -> str:
    """``text`` as indexed words separated by spaces (search mode: ``噪音扰民`` gives ``噪音 扰民 噪音扰民``)."""
    return " ".join(dict.fromkeys(_words(text)))


def query_words(text: str) -> tuple[str, ...]:
    """The words a query holds; a document matches when it holds every one."""
    return tuple(dict.fromkeys(_words(text)))


def document(
    office_code: str, case_id: str, source_kind: str, source_id: str, texts: Iterable[str], people: Sequence[Person]
) -> SearchDocument:
    """One source's document: ``texts`` with ``people``'s identities and identity shapes struck, segmented."""
    strike = Striker.hiding(people, shapes=True)
    body = " ".join(segment(strike(t)) for t in texts if t)
    return SearchDocument(office_code, case_id, source_kind, source_id, body)


def case_documents(case: Case, petitions: Sequence[Petition]) -> list[SearchDocument]:
    """The case's subject and each petition's subject and content."""
    people = [p for petition in petitions for p in petition.petitioners]
    found = [document(case.office_code, case.id, "case", case.id, [case.subject], people)]
    for petition in petitions:
        found.append(
            document(case.office_code, case.id, "petition", petition.id, [petition.subject, petition.content], people)
        )
    return found


#: The sources ``petitionkit search reindex`` rebuilds from a case; other parts of petitionkit add theirs.
SOURCES: list[CaseSource] = [case_documents]


def index_case(tx: Transaction, case_id: str) -> None:
    """Store every source's documents of one case, as it stands in ``tx``."""
    case = tx.get_case(case_id)
    if case is not None:
        index_cases(tx, [(case, tx.petitions_of_case(case_id))])


def index_cases(tx: Transaction, written: Sequence[tuple[Case, Sequence[Petition]]]) -> None:
    """Store every source's documents of cases written in ``tx`` (with their petitions as written)."""
    tx.put_search_documents([d for case, petitions in written for source in SOURCES for d in source(case, petitions)])
