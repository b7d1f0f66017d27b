"""Words of a petition's text: jieba segmentation and TF-IDF similarity, shared by the reports'
same-matter clusters (:mod:`petitionkit.reports.signals`) and repeat detection at intake
(:mod:`petitionkit.service.repeats`).

The segmenter is jieba (the ``rjieba`` binding of jieba-rs) and the weighting scikit-learn's
``TfidfVectorizer``: both come with the ``reports`` extra and are imported when first used, so the
core loads without them (:func:`text_tools_installed` tells whether they are there).
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Sequence
from importlib.util import find_spec
from typing import Any


class Tokenizer:
    """jieba segmentation (rjieba) keeping words of two or more letters, cached per distinct text."""

    def __init__(self) -> None:
        self._cache: dict[bytes, list[str]] = {}

    def __call__(self, text: str) -> list[str]:
        digest = hashlib.blake2b(text.encode("utf-8"), digest_size=16).digest()
        found = self._cache.get(digest)
        if found is None:
            import rjieba  # noqa: PLC0415 - the reports extra

            found = [w for w in rjieba.cut(text) if len(w) >= 2 and is_word(w)]
            self._cache[digest] = found
        return found


def is_word(token: str) -> bool:
    return any(unicodedata.category(ch)[0] in "LN" for ch in token)


def text_tools_installed() -> bool:
    """Whether the segmenter and TF-IDF (the ``reports`` extra) can be imported."""
    return all(find_spec(name) is not None for name in ("rjieba", "sklearn"))


def similarities(text: str, others: Sequence[str], tokenizer: Tokenizer | None = None) -> list[float]:
    """Cosine similarity (0..1) of ``text`` to each of ``others`` under TF-IDF weights fitted on them all.

    Sublinear term frequency and smoothed IDF, as the clusters use; with a handful of texts the IDF
    still lowers the weight of the words they all share.  A text with no word scores 0.
    """
    if not others:
        return []
    from sklearn.feature_extraction.text import TfidfVectorizer  # type: ignore[import-untyped]  # noqa: PLC0415

    vectorizer = TfidfVectorizer(analyzer=tokenizer or Tokenizer(), sublinear_tf=True, norm="l2")
    try:
        matrix: Any = vectorizer.fit_transform([text, *others]).tocsr()
    except ValueError:  # no word in any of the texts
        return [0.0] * len(others)
    scores = (matrix[1:] @ matrix[0].T).toarray().ravel()
    return [min(1.0, max(0.0, float(s))) for s in scores]
