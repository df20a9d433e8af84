"""The classifier: text in, causes, safety flags and advice out.

``classify`` and ``classify_many`` use the bundled model, loaded on first use and
then kept. :class:`Classifier` wraps any stored model (e.g. one you retrained).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .abstention import EMPTY_TEXT, GATES, decide, segment_support
from .advice import advice_for
from .errors import TextTypeError
from .result import Evidence, Result
from .safety import combine, discounted_spans, rule_flags, without_spans
from .taxonomy import CAUSE_IDS, SAFETY_FLAGS, section_of
from .text import segments

if TYPE_CHECKING:
    import numpy as np

    from .model import StoredModel


def check_texts(texts: Iterable[object],
                single_str: str = "classify_many expects a list of texts, got a single str; "
                                  "use classify() for one text") -> list[str]:
    """The texts as a list, or a TypeError naming the first non-text row's position (never its content)."""
    if isinstance(texts, bytes):
        raise TextTypeError(texts)
    if isinstance(texts, str):
        raise TypeError(single_str)
    checked: list[str] = []
    for i, text in enumerate(texts):
        if not isinstance(text, str):
            raise TextTypeError(text, i)
        checked.append(text)
    return checked


class Classifier:
    """A stored model plus the safety screen, abstention, evidence and advice lookup.

    >>> clf = Classifier.load()                      # the bundled model
    >>> clf.classify("he won't talk to me since he lost his job").primary in CAUSE_IDS
    True
    """

    def __init__(self, model: StoredModel, *, safety_thresholds: dict[str, float] | None = None):
        import numpy as np

        self.model = model
        self.safety_thresholds = _check_safety_thresholds(safety_thresholds)
        self._flag_thresholds = {f: model.thresholds.get(f, 1.0) for f in SAFETY_FLAGS}
        self._flag_thresholds.update(self.safety_thresholds or {})
        missing = [c for c in CAUSE_IDS if c not in model.labels]
        if missing:
            from .errors import ModelLoadError

            raise ModelLoadError(f"model has no column for {', '.join(missing)}; retrain it")
        self._causes = [model.labels.index(c) for c in CAUSE_IDS]
        self._cause_thresholds = np.array([model.thresholds[c] for c in CAUSE_IDS])
        has_gates = all(g in model.labels for g in GATES)
        self._gates = [model.labels.index(g) for g in GATES] if has_gates else None
        self._gate_thresholds = np.array([model.thresholds[g] for g in GATES]) if has_gates else None

    @classmethod
    def load(cls, path: str | Path | None = None, *, safety_thresholds: dict[str, float] | None = None,
             trusted: bool = False) -> Classifier:
        """Load a stored model directory (default: the model bundled with the package).

        ``safety_thresholds`` overrides the model's threshold per safety flag, e.g.
        ``{"abuse": 0.02}`` to flag more (the model card lists recall and false-flag
        rate at each threshold). ``trusted=True`` is needed only for a relsignals 0.1 model
        (a pickle, which can run code when loaded).
        """
        from .model import default_model_path, load

        model = load(path if path is not None else default_model_path(), trusted=trusted)
        return cls(model, safety_thresholds=safety_thresholds)

    def classify(self, text: str, *, evidence: bool = True) -> Result:
        """Classify one text."""
        if not isinstance(text, str):
            raise TextTypeError(text)
        return self.classify_many([text], evidence=evidence)[0]

    def classify_many(self, texts: Iterable[str], batch_size: int = 256, *, evidence: bool = True) -> list[Result]:
        """Classify texts; the output has the same length and order as the input.

        ``evidence=False`` skips scoring the spans behind each label (faster in bulk).
        """
        checked = check_texts(texts)
        results: list[Result] = []
        for start in range(0, len(checked), batch_size):
            results.extend(self._classify_batch(checked[start:start + batch_size], evidence))
        return results

    def _classify_batch(self, texts: list[str], with_evidence: bool) -> list[Result]:
        probs = self.model.predict_proba(texts)
        cause_probs = probs[:, self._causes]
        scored, support = self._sentence_support(texts, cause_probs)
        gate_probs = probs[:, self._gates] if self._gates is not None else None
        pred, reasons = decide(cause_probs, self._cause_thresholds, gate_probs, self._gate_thresholds, support)
        flag_probs = self._flag_probs(texts, probs)
        results = [self._result(text, dict(zip(self.model.labels, map(float, row))), flags, reason, danger)
                   for text, row, flags, reason, danger in zip(texts, probs, pred, reasons, flag_probs)]
        return self._with_evidence(results, texts, scored) if with_evidence else results

    def _sentence_support(self, texts: list[str], cause_probs: np.ndarray) -> tuple[dict[int, Any], Any]:
        """Sentence scores of long texts, and the causes one of their sentences states clearly.

        Only texts where some cause already reaches the rule's floor can gain one, so
        only those are split and scored (see :func:`relsignals.abstention.segment_support`).
        """
        import numpy as np

        from .model import segment_pieces

        rule = self.model.segment_rule
        if not rule:
            return {}, None
        maybe = [t if (cause_probs[row] >= rule["lo"]).any() else "" for row, t in enumerate(texts)]
        scored = self._score_spans(texts, *segment_pieces(maybe, int(rule["min_chars"])))
        best = np.zeros_like(cause_probs)
        for row, spans in scored.items():
            best[row] = np.max([p[self._causes] for _, p in spans], axis=0)
        return scored, segment_support(cause_probs, best, rule)

    def _with_evidence(self, results: list[Result], texts: list[str], scored: dict[int, Any]) -> list[Result]:
        """Results with evidence, scoring the sentences of labeled texts not scored yet."""
        missing = {row: segments(texts[row]) for row, r in enumerate(results)
                   if (r.labels or r.safety) and row not in scored}
        owners = [row for row, spans in missing.items() for _ in spans]
        scored = {**scored, **self._score_spans(texts, owners, [s for spans in missing.values() for s in spans])}
        return [replace(r, evidence=self._evidence(r, texts[row], scored.get(row, [])))
                for row, r in enumerate(results)]

    def _flag_probs(self, texts: list[str], probs: np.ndarray) -> list[dict[str, float]]:
        """The model's safety probabilities, rescored without negated or past mentions where it flags.

        "He has never hit me" names violence without describing it: a model flag
        counts only if the text still earns it with such sentences cut out.
        """
        flags = [f for f in SAFETY_FLAGS if f in self.model.labels]
        cols = [self.model.labels.index(f) for f in flags]
        out = [dict(zip(flags, map(float, row[cols]))) for row in probs]
        redo = {}
        for row, (text, danger) in enumerate(zip(texts, out)):
            if any(p >= self._flag_thresholds[f] for f, p in danger.items()):
                spans = discounted_spans(text)
                if spans:
                    redo[row] = without_spans(text, spans)
        if redo:
            rescored = self.model.predict_proba(list(redo.values()))
            for (row, rest), new in zip(redo.items(), rescored):
                out[row] = {f: (float(new[c]) if rest.strip() else 0.0) for f, c in zip(flags, cols)}
        return out

    def _result(self, text: str, probs: dict[str, float], chosen: np.ndarray, reason: str | None,
                danger: dict[str, float]) -> Result:
        if not text.strip():
            return Result([], {c: 0.0 for c in CAUSE_IDS}, None, [], [], reason=EMPTY_TEXT)
        scores = {c: round(probs[c], 6) for c in CAUSE_IDS}
        labels = sorted((c for c, on in zip(CAUSE_IDS, chosen) if on), key=lambda c: -probs[c])
        safety = combine(rule_flags(text), danger, self._flag_thresholds)
        sections = list(dict.fromkeys(section_of(c) for c in labels))
        primary = labels[0] if labels else None
        return Result(labels, scores, primary, sections, safety, advice_for(labels, safety), reason)

    def _score_spans(self, texts: list[str], owners: list[int],
                     spans: list[tuple[int, int]]) -> dict[int, list[tuple[tuple[int, int], np.ndarray]]]:
        """Each span of ``texts[owner]`` scored alone by the model, grouped by owner row."""
        if not spans:
            return {}
        probs = self.model.predict_proba([texts[row][a:b] for row, (a, b) in zip(owners, spans)])
        grouped: dict[int, list[tuple[tuple[int, int], np.ndarray]]] = {}
        for row, span, p in zip(owners, spans, probs):
            grouped.setdefault(row, []).append((span, p))
        return grouped

    def _evidence(self, result: Result, text: str,
                  spans: list[tuple[tuple[int, int], np.ndarray]]) -> dict[str, list[Evidence]]:
        """Per label and flag, the spans the model finds most supportive on their own."""
        found = {}
        for label in result.labels + result.safety:
            column = self.model.labels.index(label)
            found[label] = [Evidence(text[a:b], a, b, round(float(p[column]), 6)) for (a, b), p in spans]
        return _strongest(found)


def _check_safety_thresholds(thresholds: dict[str, float] | None) -> dict[str, float] | None:
    if thresholds is None:
        return None
    from .errors import UnknownIdError

    for flag, value in thresholds.items():
        if flag not in SAFETY_FLAGS:
            raise UnknownIdError(flag, SAFETY_FLAGS)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0.0 <= value <= 1.0:
            raise ValueError(f"safety threshold for {flag} must be a number from 0 to 1")
    return {flag: float(value) for flag, value in thresholds.items()}


def _strongest(candidates: dict[str, list[Evidence]], keep: int = 2) -> dict[str, list[Evidence]]:
    """Per label, the best span plus up to ``keep - 1`` more at least half as strong."""
    out = {}
    for label, spans in candidates.items():
        ranked = sorted(spans, key=lambda e: (-e.weight, e.start))
        out[label] = [e for e in ranked[:keep] if e.weight >= ranked[0].weight / 2]
    return out


_default: Classifier | None = None


def default_classifier() -> Classifier:
    """The classifier over the bundled model, loaded once on first use."""
    global _default
    if _default is None:
        _default = Classifier.load()
    return _default


def classify(text: str, *, evidence: bool = True) -> Result:
    """Classify one text with the bundled model.

    >>> r = classify("my bf got laid off and now he won't talk to me")
    >>> sorted(r.scores) == sorted(CAUSE_IDS)
    True
    """
    return default_classifier().classify(text, evidence=evidence)


def classify_many(texts: Iterable[str], *, evidence: bool = True) -> list[Result]:
    """Classify many texts with the bundled model: same length, same order."""
    return default_classifier().classify_many(texts, evidence=evidence)
