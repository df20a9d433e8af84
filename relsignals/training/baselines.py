"""The keyword baseline: a cause is present when one of its hand-picked cue phrases appears.

It exists to be beaten: it shows what word-spotting alone gets, which is exactly
what the labeling guide warns against ("do not give a cause because a word appears").
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin

from ..text import normalize
from .estimator import DEFAULT_CLASSES

CUES: dict[str, str] = {
    "stress": r"stress|pressure at work|overwork|deadline|laid off|lost (?:his|her|their) job|money|bills|exams?",
    "communication": r"won't talk|doesn't talk|silent treatment|ignor|argu|fight|shuts? down|never talks?",
    "emotional_baggage": r"depress|anxiety|grief|griev|self[- ]esteem|his own stuff|her own stuff|therapy",
    "personal_growth": r"new hobb|new friends|finding (?:him|her|them)self|back to school|independen|changed",
    "shifting_priorities": r"future|commit|priorit|not sure about us|move in|gaming|casual",
    "relationship_trauma": r"\bex\b|cheated|betray|divorce|heartbreak|hurt again|trust issues",
    "childhood_influences": r"childhood|parents|dad|mom|mother|father|growing up|grew up|attachment",
    "societal_expectations": r"society|expected|by \d\d|provider|engaged|married|friends say|judg",
    "cultural_influences": r"cultur|religio|church|mosque|temple|tradition|arranged|faith|caste",
    "abuse": r"hit|slap|punch|threat|stalk|checks my phone|control|afraid of",
    "self_harm": r"suicid|kill (?:my|him|her)self|self[- ]harm|cutting|want to die|end it",
}

class KeywordBaseline(ClassifierMixin, BaseEstimator):
    """Predicts every label whose cue pattern matches; ``fit`` learns nothing but the classes."""

    def __init__(self, *, classes: Sequence[str] | None = DEFAULT_CLASSES):
        self.classes = classes

    def fit(self, X: Sequence[str], y: Sequence[Sequence[str]] | None = None) -> KeywordBaseline:
        self.classes_ = np.array(list(self.classes or DEFAULT_CLASSES))
        self.patterns_ = [re.compile(CUES[c]) if c in CUES else None for c in self.classes_]
        return self

    def predict_proba(self, X: Sequence[str]) -> np.ndarray:
        """1.0 where a cue matches, else 0.0 (and 1.0 for labels without cues, such as the abstention gates)."""
        texts = [normalize(t) for t in X]
        return np.array([[float(p is None or bool(p.search(t))) for p in self.patterns_] for t in texts]).reshape(
            -1, len(self.classes_))

    def predict(self, X: Sequence[str]) -> np.ndarray:
        return self.predict_proba(X).astype(int)
