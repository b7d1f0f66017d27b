"""Segmentation and the documents of a case's texts: its subject, its petitions, its casework records."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache

from petitionkit.domain.casework import CaseworkRecord, LegalBasis, kind_of, searchable_texts
from petitionkit.domain.model import Case, Person, Petition
from petitionkit.redaction import SHAPES, STRUCK, identity_values
from petitionkit.storage.base import SearchDocument, Transaction

#: A word worth indexing: it holds a letter or digit of some script (CJK included).
_WORD = re.compile(r"\w", re.UNICODE)
#: Runs of digits long enough to be a number that identifies someone are never indexed whole.
_LONG_DIGITS = re.compile(r"\d{6,}")

#: The compatibility characters of most Chinese texts (full-width punctuation, the ideographic space), each
#: with its full compatibility decomposition.
_COMMON_COMPAT = tuple((c, unicodedata.normalize("NFKD", c)) for c in "，：；！？（）\u3000")

CaseSource = Callable[[Case, Sequence[Petition]], Iterable[SearchDocument]]
"""A source of documents computed from a case and its petitions (``petitionkit search reindex`` runs each)."""


@lru_cache(maxsize=1)
def _jieba() -> Callable[[str], list[str]]:
    import rjieba  # noqa: PLC0415 - loaded when a text is first indexed or searched

    cut: Callable[[str], list[str]] = rjieba.cut_for_search
    return cut


def _nfkc(text: str) -> str:
    """``unicodedata.normalize("NFKC", text)``, 15× faster on a Chinese text.

    A text's full-width commas alone make ``normalize`` take its slow path (a whole decomposition and
    composition: 60 µs for a petition of 800 characters).  Replacing a character by its compatibility
    decomposition leaves the text's NFKC form unchanged, so the common ones are replaced first; what is
    then already normalised (quick check) is the result, anything else is normalised as before."""
    for char, decomposed in _COMMON_COMPAT:
        if char in text:
            text = text.replace(char, decomposed)
    return text if unicodedata.is_normalized("NFKC", text) else unicodedata.normalize("NFKC", text)


def _indexable(word: str) -> bool:
    """Whether a cut word is indexed: it holds a letter or digit, nothing struck and no long number.

    A word of letters alone (most Chinese words) is, without the two pattern searches: a letter is a
    ``\\w``, and it holds no digit and no ``*``.  (Not cached: a cache would keep the numbers and names
    of texts and queries in memory.)"""
    if word.isalpha():
        return True
    return bool(word) and _WORD.search(word) is not None and STRUCK not in word and not _LONG_DIGITS.search(word)


def _words(text: str) -> list[str]:
    """The indexed words of ``text``, each once, in the order of first occurrence."""
    normal = _nfkc(text).lower()
    # the same words in the same order as filtering every cut and keeping the first of each: a word is
    # kept or dropped whatever its position, so the repeats are dropped before the test
    return list(filter(_indexable, dict.fromkeys(map(str.strip, _jieba()(normal)))))


def segment(text: str) -> str:
    """``text`` as indexed words separated by spaces (search mode: ``噪音扰民`` gives ``噪音 扰民 噪音扰民``)."""
    return " ".join(_words(text))


def query_words(text: str) -> tuple[str, ...]:
    """The words a query holds; a document matches when it holds every one."""
    return tuple(_words(text))


def identity_words(people: Sequence[Person]) -> tuple[str, ...]:
    """What identifies ``people`` (names, ID numbers, phones, addresses, e-mails, mandates), normalised as
    indexed texts are (NFKC, lower case, no spaces), longest first, each at least two characters."""
    found = {_compact(v) for p in people for v in identity_values(p)}
    return tuple(sorted((v for v in found if len(v) >= 2), key=len, reverse=True))


def _compact(value: str) -> str:
    return "".join(unicodedata.normalize("NFKC", value).lower().split())


def strike(text: str, identities: Sequence[str]) -> str:
    """``text`` with every one of ``identities`` and every ID-number-, phone- and e-mail-shaped string
    struck.  Plain string replacement on the normalised text, then one precompiled pattern: a regular
    expression per person would cost more to compile than segmenting the text."""
    normal = _nfkc(text).lower()
    for value in identities:
        if value in normal:
            normal = normal.replace(value, f" {STRUCK} ")
    return SHAPES(normal)


def document(
    office_code: str,
    case_id: str,
    source_kind: str,
    source_id: str,
    texts: Iterable[str],
    identities: Sequence[str],
) -> SearchDocument:
    """One source's document: ``texts`` with ``identities`` (:func:`identity_words`) and identity shapes
    struck, then segmented."""
    return _document(office_code, case_id, source_kind, source_id, texts, lambda t: segment(strike(t, identities)))


def _document(
    office_code: str, case_id: str, source_kind: str, source_id: str, texts: Iterable[str], index: Callable[[str], str]
) -> SearchDocument:
    body = " ".join(index(t) for t in texts if t)
    return SearchDocument(office_code, case_id, source_kind, source_id, body)


def case_documents(case: Case, petitions: Sequence[Petition]) -> list[SearchDocument]:
    """The case's subject and each petition's subject and content."""
    identities = identity_words([p for petition in petitions for p in petition.petitioners])
    done: dict[str, str] = {}  # a case's subject is its first petition's: struck and segmented once

    def index(text: str) -> str:
        if text not in done:
            done[text] = segment(strike(text, identities))
        return done[text]

    found = [_document(case.office_code, case.id, "case", case.id, [case.subject], index)]
    for petition in petitions:
        texts = [petition.subject, petition.content]
        found.append(_document(case.office_code, case.id, "petition", petition.id, texts, index))
    return found


def casework_documents(
    case: Case, petitions: Sequence[Petition], records: Sequence[CaseworkRecord]
) -> list[SearchDocument]:
    """One document per reception talk and per investigation (source kind ``reception`` or
    ``investigation``) from :func:`~petitionkit.domain.casework.searchable_texts`, the identities of the
    case's petitioners struck.  A record whose texts were erased still gets its (empty) document, so
    it replaces what the index held; a legal basis has no free text and no document."""
    identities = identity_words([p for petition in petitions for p in petition.petitioners])
    return [
        document(case.office_code, case.id, kind_of(r), r.id, searchable_texts(r), identities)
        for r in records
        if not isinstance(r, LegalBasis)
    ]


def index_casework(tx: Transaction, case: Case, records: Sequence[CaseworkRecord]) -> None:
    """Store the documents of casework ``records`` of ``case`` written in ``tx`` (same unit of work)."""
    tx.put_search_documents(casework_documents(case, tx.petitions_of_case(case.id), records))


#: The sources ``petitionkit search reindex`` rebuilds from a case; other parts of petitionkit add theirs.
SOURCES: list[CaseSource] = [case_documents]


def index_case(tx: Transaction, case_id: str) -> None:
    """Store every source's documents of one case, its casework records' included, as it stands in ``tx``."""
    case = tx.get_case(case_id)
    if case is not None:
        index_cases(tx, [(case, tx.petitions_of_case(case_id))])


def index_cases(tx: Transaction, written: Sequence[tuple[Case, Sequence[Petition]]]) -> None:
    """Store every source's documents of cases written in ``tx`` (with their petitions as written)."""
    tx.put_search_documents([d for case, petitions in written for source in SOURCES for d in source(case, petitions)])
