"""The fast paths of search indexing (issue 21) give exactly what the plain definitions give."""

from __future__ import annotations

import re
import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from petitionkit.redaction import STRUCK
from petitionkit.search import text
from petitionkit.search.text import case_documents, identity_words, query_words, segment, strike
from petitionkit.testing import office_settings, open_test_office, sample_petition

# Full-width forms and punctuation, the ideographic space, combining marks, ligatures, cased letters of
# several scripts, digits of several widths: where NFKC changes a text or composes across characters.
_CHARS = "，：；！？（）\u3000、。Ａａ１２ＸｘAa0９\u0301\u0308eé\ufb01Ⅻ㍿ｶﾞİΣς张三丰噪音扰民 -@."


@given(st.text(alphabet=_CHARS, max_size=40) | st.text(max_size=40))
@settings(max_examples=1500, deadline=None)
def test_nfkc_is_unicodedata_nfkc(value: str) -> None:
    assert text._nfkc(value) == unicodedata.normalize("NFKC", value)


def _reference_words(value: str) -> list[str]:
    """The indexed words as they were first defined: every cut word tested, then the repeats dropped."""
    normal = unicodedata.normalize("NFKC", value).lower()
    words = []
    for cut in text._jieba()(normal):
        word = cut.strip()
        if word and re.search(r"\w", word) and STRUCK not in word and not re.search(r"\d{6,}", word):
            words.append(word)
    return list(dict.fromkeys(words))


@given(st.text(alphabet=_CHARS + "0123456789*工资拖欠问题的了", max_size=80))
@settings(max_examples=400, deadline=None)
def test_segment_and_query_words_are_the_reference_words(value: str) -> None:
    assert segment(value) == " ".join(_reference_words(value))
    assert query_words(value) == tuple(_reference_words(value))


def test_a_long_petition_is_segmented_as_the_reference_segments_it() -> None:
    content = "尊敬的领导：本人于2023年在某工地务工，工程结束后拖欠工资至今未付！（电话13912345678）" * 20
    struck = strike(content, ())
    assert STRUCK in struck and "13912345678" not in struck
    assert segment(struck) == " ".join(_reference_words(struck))


def test_the_case_subject_and_the_petition_subject_are_indexed_alike() -> None:
    office = open_test_office(office_settings())
    registered = office.register(sample_petition(subject="张三反映拖欠工资问题，电话13800138000"))
    case, petition = registered.case, registered.petition
    assert case.subject == petition.subject  # struck and segmented once for both documents
    documents = case_documents(case, [petition])
    struck = strike(case.subject, identity_words(petition.petitioners))
    assert documents[0].text == segment(struck) == " ".join(_reference_words(struck))
    assert documents[1].text.startswith(documents[0].text + " ")
    for document in documents:
        assert "张三" not in document.text and "13800138000" not in document.text
