"""The training side of the token features: a sparse matrix scikit-learn can fit on.

:class:`OccurrenceTfidfVectorizer` counts features like ``CountVectorizer`` and scales
them as :mod:`relsignals.features` describes (smooth idf, occurrence norm), so a model
fitted on its output is served by :class:`relsignals.features.TokenScorer` unchanged.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import CountVectorizer


class OccurrenceTfidfVectorizer(CountVectorizer):
    """Counts times smooth idf, each row divided by ``sqrt(sum(count * idf**2))``."""

    def fit(self, raw_documents: Any, y: Any = None) -> OccurrenceTfidfVectorizer:
        self.fit_transform(raw_documents)
        return self

    def fit_transform(self, raw_documents: Any, y: Any = None) -> sparse.csr_matrix:
        counts = super().fit_transform(raw_documents).tocsr()
        df = np.bincount(counts.indices, minlength=counts.shape[1])
        self.idf_ = np.log((1.0 + counts.shape[0]) / (1.0 + df)) + 1.0
        return self._scale(counts)

    def transform(self, raw_documents: Any) -> sparse.csr_matrix:
        return self._scale(super().transform(raw_documents).tocsr())

    def _scale(self, counts: sparse.csr_matrix) -> sparse.csr_matrix:
        counts = counts.astype(np.float64)
        squares = np.asarray(counts @ (self.idf_ ** 2)).ravel()
        inverse = np.divide(1.0, np.sqrt(squares), out=np.zeros_like(squares), where=squares > 0)
        return sparse.csr_matrix(sparse.diags(inverse) @ counts @ sparse.diags(self.idf_))
