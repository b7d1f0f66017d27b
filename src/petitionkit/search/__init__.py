"""Search texts (检索文本): what of a case goes into the search index, segmented and free of personal data.

Each *source* of a case (its subject, each petition, each reception talk and investigation) is
one :class:`~petitionkit.storage.base.SearchDocument` keyed by ``(case, source kind, source id)``; a
source's function turns its records into documents through :func:`document`, which strikes every
identity value of the case's people (:func:`identity_words`) and every ID-number-, phone- and
e-mail-shaped string (:data:`petitionkit.redaction.SHAPES`), then segments the rest into words with
jieba (``rjieba``, the segmenter the reports use) in search mode, so a word inside a longer one is
found too.  Names, phone
and ID numbers are never in the index in plain text: they are found through the blind indexes instead.
"""

from petitionkit.search.text import (
    SOURCES,
    CaseSource,
    case_documents,
    casework_documents,
    document,
    identity_words,
    index_case,
    index_cases,
    index_casework,
    query_words,
    segment,
)

__all__ = [
    "SOURCES",
    "CaseSource",
    "case_documents",
    "casework_documents",
    "document",
    "identity_words",
    "index_case",
    "index_cases",
    "index_casework",
    "query_words",
    "segment",
]
