"""``RelSignalsClassifier``: the whole classifier as one scikit-learn estimator.

Where :class:`CauseClassifier` exposes the raw model columns, this estimator answers
the way :func:`relsignals.classify` does: ``predict`` applies the thresholds, the
abstention gates and the long-text sentence rule; its columns are the nine causes.
``RelSignalsClassifier.load()`` wraps the bundled model without training.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.validation import check_is_fitted

from ..taxonomy import CAUSE_IDS, SAFETY_FLAGS


def _label_lists(y: Any) -> list[list[str]]:
    """Label lists from lists of ids or from an indicator matrix with the nine cause columns."""
    if isinstance(y, np.ndarray) and y.ndim == 2:
        if y.shape[1] != len(CAUSE_IDS):
            raise ValueError(f"an indicator matrix needs {len(CAUSE_IDS)} columns (the causes), got {y.shape[1]}")
        return [[c for c, on in zip(CAUSE_IDS, row) if on] for row in y]
    lists = [list(labels) if not isinstance(labels, str) else [labels] for labels in y]
    known = set(CAUSE_IDS) | set(SAFETY_FLAGS)
    for n, labels in enumerate(lists):
        unknown = set(labels) - known
        if unknown:
            raise ValueError(f"y[{n}] has unknown label ids {sorted(unknown)}; use the guide's cause and safety ids")
    return lists


class RelSignalsClassifier(ClassifierMixin, BaseEstimator):
    """Multi-label cause classifier over raw texts, deciding exactly as :func:`relsignals.classify`.

    ``fit(texts, label_lists)`` takes lists of cause ids (safety flags may be included),
    or an indicator matrix of the nine causes (what ``GridSearchCV``'s splitters need);
    ``predict`` gives a ``(n_texts, 9)`` indicator matrix in ``classes_`` order,
    ``predict_proba`` the calibrated probabilities and ``decision_function`` the linear
    scores. Parameters are those of :class:`CauseClassifier` that shape the model.

    >>> clf = RelSignalsClassifier.load()                          # doctest: +SKIP
    >>> clf.predict(["he lost his job and won't talk to me"]).shape  # doctest: +SKIP
    (1, 9)
    """

    def __init__(self, *, C: float = 8.0, word_ngram_range: tuple[int, int] = (1, 2), use_chars: bool = True,
                 min_df: int = 2, cv: int = 5, safety_miss_cost: float | None = 10.0, random_state: int = 0,
                 n_jobs: int | None = None):
        self.C = C
        self.word_ngram_range = word_ngram_range
        self.use_chars = use_chars
        self.min_df = min_df
        self.cv = cv
        self.safety_miss_cost = safety_miss_cost
        self.random_state = random_state
        self.n_jobs = n_jobs

    def fit(self, X: Sequence[str], y: Any) -> RelSignalsClassifier:
        """Train on texts and their label lists (or an indicator matrix of the nine causes)."""
        from ..abstention import GATES
        from ..classifier import Classifier
        from ..model import StoredModel
        from .estimator import CauseClassifier, _check_texts

        X = _check_texts(X)  # numbers, bytes or None name their position, before anything else
        lists = _label_lists(y)
        if len(lists) != len(X):
            raise ValueError(f"X has {len(X)} texts but y has {len(lists)} label lists")
        causes = [[c for c in labels if c in CAUSE_IDS] for labels in lists]
        targets = [labels + list(GATES) * bool(cs) for labels, cs in zip(lists, causes)]
        self.estimator_ = CauseClassifier(C=self.C, word_ngram_range=tuple(self.word_ngram_range),
                                          use_chars=self.use_chars, token_features=self.use_chars,
                                          min_df=self.min_df, cv=self.cv,
                                          safety_miss_cost=self.safety_miss_cost, random_state=self.random_state,
                                          n_jobs=self.n_jobs).fit(X, targets)
        self.classifier_ = Classifier(StoredModel(self.estimator_.export()))
        self.classes_ = np.array(CAUSE_IDS)
        return self

    @classmethod
    def load(cls, path: str | Path | None = None, *, trusted: bool = False) -> RelSignalsClassifier:
        """A fitted instance serving a stored model (default: the bundled one)."""
        from ..classifier import Classifier

        est = cls()
        est.classifier_ = Classifier.load(path, trusted=trusted)
        est.classes_ = np.array(CAUSE_IDS)
        return est

    def _columns(self, X: Sequence[str]) -> tuple[Any, list[str]]:
        check_is_fitted(self, "classifier_")
        from .estimator import _check_texts

        return self.classifier_, _check_texts(X)

    def predict(self, X: Sequence[str]) -> np.ndarray:
        """Cause indicators after thresholds, gates and the sentence rule, shape ``(n_texts, 9)``."""
        clf, texts = self._columns(X)
        results = clf.classify_many(texts, evidence=False)
        return np.array([[c in r.labels for c in CAUSE_IDS] for r in results], dtype=int).reshape(-1, len(CAUSE_IDS))

    def predict_proba(self, X: Sequence[str]) -> np.ndarray:
        """Calibrated probability of each cause, shape ``(n_texts, 9)``."""
        clf, texts = self._columns(X)
        return clf.model.predict_proba(texts)[:, [clf.model.labels.index(c) for c in CAUSE_IDS]]

    def decision_function(self, X: Sequence[str]) -> np.ndarray:
        """Linear score of each cause before calibration, shape ``(n_texts, 9)``."""
        clf, texts = self._columns(X)
        return clf.model.decision_function(texts)[:, [clf.model.labels.index(c) for c in CAUSE_IDS]]

    def score(self, X: Sequence[str], y: Any, sample_weight: Any = None) -> float:
        """Macro F1 over the nine causes (the project's headline figure)."""
        from sklearn.metrics import f1_score

        gold = np.array([[c in labels for c in CAUSE_IDS] for labels in _label_lists(y)], dtype=int)
        return float(f1_score(gold, self.predict(X), average="macro", zero_division=0, sample_weight=sample_weight))
