"""The classifier: text in, causes, safety flags and advice out.

``classify`` and ``classify_many`` use the bundled model, loaded on first use and
then kept. :class:`Classifier` wraps any stored model (e.g. one you retrained).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from .advice import advice_for
from .errors import TextTypeError
from .result import Result
from .safety import combine, rule_flags
from .taxonomy import CAUSE_IDS, SAFETY_FLAGS, section_of

if TYPE_CHECKING:
    from .model import StoredModel


def _check_texts(texts: Iterable[object]) -> list[str]:
    if isinstance(texts, bytes):
        raise TextTypeError(texts)
    if isinstance(texts, str):
        raise TypeError("classify_many expects a list of texts, got a single str; use classify() for one text")
    checked = list(texts)
    for i, text in enumerate(checked):
        if not isinstance(text, str):
            raise TextTypeError(text, i)
    return checked


class Classifier:
    """A stored model plus the safety screen and advice lookup.

    >>> clf = Classifier.load()                      # the bundled model
    >>> clf.classify("he won't talk to me since he lost his job").primary in CAUSE_IDS
    True
    """

    def __init__(self, model: StoredModel):
        self.model = model
        missing = [c for c in CAUSE_IDS if c not in model.labels]
        if missing:
            from .errors import ModelLoadError

            raise ModelLoadError(f"model has no column for {', '.join(missing)}; retrain it")

    @classmethod
    def load(cls, path: str | Path | None = None) -> Classifier:
        """Load a stored model directory (default: the model bundled with the package)."""
        from .model import default_model_path, load

        return cls(load(path if path is not None else default_model_path()))

    def classify(self, text: str) -> Result:
        """Classify one text."""
        if not isinstance(text, str):
            raise TextTypeError(text)
        return self.classify_many([text])[0]

    def classify_many(self, texts: Iterable[str], batch_size: int = 256) -> list[Result]:
        """Classify texts; the output has the same length and order as the input."""
        checked = _check_texts(texts)
        results: list[Result] = []
        for start in range(0, len(checked), batch_size):
            results.extend(self._classify_batch(checked[start:start + batch_size]))
        return results

    def _classify_batch(self, texts: list[str]) -> list[Result]:
        probs = self.model.predict_proba(texts)
        return [self._result(text, dict(zip(self.model.labels, map(float, row)))) for text, row in zip(texts, probs)]

    def _result(self, text: str, probs: dict[str, float]) -> Result:
        scores = {c: round(probs[c], 6) for c in CAUSE_IDS}
        if not text.strip():
            return Result([], {c: 0.0 for c in CAUSE_IDS}, None, [], [])
        thresholds = self.model.thresholds
        labels = sorted((c for c in CAUSE_IDS if probs[c] >= thresholds[c]), key=lambda c: -probs[c])
        safety = combine(rule_flags(text), {f: probs.get(f, 0.0) for f in SAFETY_FLAGS}, thresholds)
        sections = list(dict.fromkeys(section_of(c) for c in labels))
        primary = labels[0] if labels else None
        return Result(labels, scores, primary, sections, safety, advice_for(labels, safety))


_default: Classifier | None = None


def default_classifier() -> Classifier:
    """The classifier over the bundled model, loaded once on first use."""
    global _default
    if _default is None:
        _default = Classifier.load()
    return _default


def classify(text: str) -> Result:
    """Classify one text with the bundled model.

    >>> r = classify("my bf got laid off and now he won't talk to me")
    >>> sorted(r.scores) == sorted(CAUSE_IDS)
    True
    """
    return default_classifier().classify(text)


def classify_many(texts: Iterable[str]) -> list[Result]:
    """Classify many texts with the bundled model: same length, same order."""
    return default_classifier().classify_many(texts)
