"""Features and models that come from spaCy (building half only).

``lemma_table`` reads spaCy's English lookup lemmatizer table (shipped in the
``spacy-lookups-data`` package, offline) restricted to a corpus's words, so the
``lemmas.v1`` analyzer can run at serving time without spaCy.
``SpacyTextcat`` trains spaCy's own ``textcat_multilabel`` from scratch.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.preprocessing import MultiLabelBinarizer

from ..text import tokens
from .estimator import DEFAULT_CLASSES


def lemma_table(texts: Sequence[str]) -> dict[str, str]:
    """Word -> lemma for the words of ``texts`` that spaCy's lookup table changes."""
    from spacy.lookups import load_lookups

    table = load_lookups("en", ["lemma_lookup"]).get_table("lemma_lookup")
    words = {t for text in texts for t in tokens(text)}
    return {w: table[w] for w in sorted(words) if w in table and table[w] != w}


class SpacyTextcat(ClassifierMixin, BaseEstimator):
    """spaCy ``textcat_multilabel`` trained from a blank English pipeline.

    ``architecture`` is ``"bow"`` (``spacy.TextCatBOW.v3``) or ``"ensemble"``
    (spaCy's default, with a CNN tok2vec). Scores are spaCy's sigmoid outputs.
    """

    def __init__(self, *, classes: Sequence[str] | None = DEFAULT_CLASSES, architecture: str = "bow",
                 epochs: int = 10, batch_size: int = 32, dropout: float = 0.2, random_state: int = 0):
        self.classes = classes
        self.architecture = architecture
        self.epochs = epochs
        self.batch_size = batch_size
        self.dropout = dropout
        self.random_state = random_state

    def _config(self) -> dict:
        if self.architecture == "bow":
            return {"model": {"@architectures": "spacy.TextCatBOW.v3", "exclusive_classes": False,
                              "ngram_size": 2, "no_output_layer": False, "length": 262144}}
        return {}

    def fit(self, X: Sequence[str], y: Sequence[Sequence[str]]) -> SpacyTextcat:
        import spacy
        from spacy.training import Example
        from spacy.util import fix_random_seed, minibatch

        fix_random_seed(self.random_state)
        binarizer = MultiLabelBinarizer(classes=list(self.classes) if self.classes is not None else None)
        Y = binarizer.fit_transform([list(labels) for labels in y])
        self.classes_ = np.array(binarizer.classes_)
        nlp = spacy.blank("en")
        textcat: Any = nlp.add_pipe("textcat_multilabel", config=self._config())  # a TextCategorizer
        for c in self.classes_:
            textcat.add_label(str(c))
        examples = [Example.from_dict(nlp.make_doc(t), {"cats": dict(zip(map(str, self.classes_), map(float, row)))})
                    for t, row in zip(X, Y)]
        optimizer = nlp.initialize(lambda: examples)
        rng = random.Random(self.random_state)
        for _ in range(self.epochs):
            rng.shuffle(examples)
            for batch in minibatch(examples, size=self.batch_size):
                nlp.update(batch, sgd=optimizer, drop=self.dropout)
        self.nlp_ = nlp
        return self

    def predict_proba(self, X: Sequence[str]) -> np.ndarray:
        """Sigmoid scores, columns in ``classes_`` order."""
        docs = self.nlp_.pipe(list(X), batch_size=64)
        return np.array([[doc.cats[str(c)] for c in self.classes_] for doc in docs]).reshape(-1, len(self.classes_))

    def predict(self, X: Sequence[str]) -> np.ndarray:
        """Labels with a score of 0.5 or more."""
        return (self.predict_proba(X) >= 0.5).astype(int)
