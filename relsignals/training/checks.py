"""Corpus checks: duplicates, near-duplicates across splits, template smell, floors.

Used by the corpus build script and by the test suite, so the corpus cannot land
in a state that breaks them.
"""

from __future__ import annotations

import re
from collections import Counter

import numpy as np

from ..text import normalize

_WORD = re.compile(r"[a-z']+")


def exact_duplicates(texts: list[str]) -> list[str]:
    """Normalised texts that occur more than once."""
    counts = Counter(normalize(t) for t in texts)
    return [t for t, n in counts.items() if n > 1]


def _shingles(texts: list[str], n: int = 5):
    from sklearn.feature_extraction.text import CountVectorizer

    vec = CountVectorizer(analyzer="char", ngram_range=(n, n), binary=True, lowercase=False,
                          preprocessor=normalize, dtype=np.int32)
    return vec.fit_transform(texts)


def near_duplicate_pairs(left: list[str], right: list[str], threshold: float = 0.8,
                         n: int = 5) -> list[tuple[int, int, float]]:
    """Pairs (i, j, jaccard) with character n-gram Jaccard >= threshold between two lists."""
    a = _shingles(left + right, n)
    b = a[len(left):]
    a = a[: len(left)]
    inter = (a @ b.T).tocoo()
    size_a, size_b = np.asarray(a.sum(axis=1)).ravel(), np.asarray(b.sum(axis=1)).ravel()
    jac = inter.data / (size_a[inter.row] + size_b[inter.col] - inter.data)
    keep = jac >= threshold
    return [(int(i), int(j), float(s)) for i, j, s in zip(inter.row[keep], inter.col[keep], jac[keep])]


def opening(text: str, words: int = 4) -> str:
    """The first ``words`` words of a text, normalised."""
    return " ".join(_WORD.findall(normalize(text))[:words])


def template_smell(texts: list[str], share: float = 0.02) -> list[tuple[str, int]]:
    """Openings (four words) shared by more than ``share`` of the texts."""
    counts = Counter(opening(t) for t in texts)
    return [(o, n) for o, n in counts.most_common() if n > share * len(texts)]
