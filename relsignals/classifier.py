"""The classifier: text in, causes, safety flags and advice out.

``classify`` and ``classify_many`` use the bundled model, loaded on first use and
then kept. :class:`Classifier` wraps any stored model (e.g. one you retrained).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import replace
from functools import cache
from itertools import compress
from pathlib import Path
from typing import TYPE_CHECKING

from .abstention import EMPTY_TEXT, GATES, decide, segment_support
from .advice import Advice, advice_for
from .errors import TextTypeError
from .result import Evidence, Result
from .safety import combine, discounted_spans, screen, screen_many, trigger_bits_of, without_spans
from .taxonomy import CAUSE_IDS, SAFETY_FLAGS, section_of
from .text import segments

if TYPE_CHECKING:
    import re

    import numpy as np

    from .features import TokenBatch
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
        overrides = self.safety_thresholds or {}
        thresholds = {**{f: model.thresholds.get(f, 1.0) for f in SAFETY_FLAGS}, **overrides}
        short = model.short_safety or {}
        self._short_words: int | None = int(short["max_words"]) if short else None
        short_thresholds = {**thresholds, **short.get("thresholds", {}), **overrides}
        # per text, one of these two rows: thresholds in SAFETY_FLAGS order for long and for short texts
        self._flag_limits = np.array([[row[f] for f in SAFETY_FLAGS] for row in (thresholds, short_thresholds)])
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
        rate at each threshold), for texts of every length (the model's own thresholds
        may differ for short texts). ``trusted=True`` is needed only for a relsignals 0.1 model
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
        parts = cache(_shared_parts)  # per call: the crisis resources in the advice may change between calls
        for start in range(0, len(checked), batch_size):
            results.extend(self._classify_batch(checked[start:start + batch_size], evidence, parts))
        return results

    def _classify_batch(self, texts: list[str], with_evidence: bool,
                        parts: Callable[[tuple[str, ...], tuple[str, ...]], _Parts]) -> list[Result]:
        import numpy as np

        rule = self.model.segment_rule
        tokens = self.model.read(texts, trigger_bits_of) if self.model.token_features else None
        # only a cause the whole text already gives rule["lo"] can gain from one sentence
        could_gain = (lambda p: (p[:, self._causes] >= rule["lo"]).any(axis=1)) if rule else None
        probs, best_sentence = self.model.score(texts, int(rule["min_chars"]) if rule else None, could_gain, tokens)
        cause_probs = probs[:, self._causes]
        support = segment_support(cause_probs, best_sentence[:, self._causes], rule) if rule else None
        gate_probs = probs[:, self._gates] if self._gates is not None else None
        pred, reasons = decide(cause_probs, self._cause_thresholds, gate_probs, self._gate_thresholds, support,
                               self.model.cause_share, self.model.gate_blend)
        rules, mentions = screen_many(texts, tokens.bits) if tokens is not None else _screen_each(texts)
        limits = self._limits(texts, tokens)
        danger = self._flag_probs(texts, probs, rules, mentions, limits)
        labels = _chosen_in_order(pred, np.argsort(-cause_probs, axis=1, kind="stable"))
        flags = self._safety(rules, danger, limits)
        scores = iter(np.round(cause_probs, 6).ravel().tolist())  # flat: no list per text for the collector to track
        results = [self._result(text, scores, parts(chosen, raised), reason) for text, chosen, raised, reason
                   in zip(texts, labels, flags, reasons)]
        return self._with_evidence(results, texts) if with_evidence else results

    def _with_evidence(self, results: list[Result], texts: list[str]) -> list[Result]:
        """Results with evidence: the sentences (or clauses) of each labeled text, scored alone."""
        spans = {row: segments(texts[row]) for row, r in enumerate(results) if r.labels or r.safety}
        owners = [row for row, found in spans.items() for _ in found]
        scored = self._score_spans(texts, owners, [s for found in spans.values() for s in found])
        return [replace(r, evidence=self._evidence(r, texts[row], scored.get(row, [])))
                for row, r in enumerate(results)]

    def _limits(self, texts: list[str], tokens: TokenBatch | None) -> np.ndarray:
        """Per text, the safety thresholds that apply (in :data:`SAFETY_FLAGS` order): the short-text ones
        for texts of few words."""
        if self._short_words is None:
            return self._flag_limits[[0] * len(texts)]
        from .features import word_counts

        counts = tokens.word_counts() if tokens is not None else word_counts(texts)
        return self._flag_limits[(counts <= self._short_words).astype(int)]

    def _flag_probs(self, texts: list[str], probs: np.ndarray, rule_hits: list[Sequence[str]],
                    mentions: list[Sequence[re.Pattern[str]]], limits: np.ndarray) -> np.ndarray:
        """Per text, the model's probability of each of :data:`SAFETY_FLAGS` (0 for a flag it lacks), rescored
        without negated or past mentions where it flags.

        "He has never hit me" names violence without describing it: a model flag
        counts only if the text still earns it with such sentences cut out. A flag the
        patterns already raise (``rule_hits``) stands either way, so it needs no rescoring.
        """
        import numpy as np

        flags = [f for f in SAFETY_FLAGS if f in self.model.labels]
        cols = [self.model.labels.index(f) for f in flags]
        have = [SAFETY_FLAGS.index(f) for f in flags]
        out = np.zeros((len(texts), len(SAFETY_FLAGS)))
        out[:, have] = probs[:, cols]
        over = out[:, have] >= limits[:, have]
        redo = {}
        for row in np.flatnonzero(over.any(axis=1)).tolist():  # only a flag the model raises can need rescoring
            if any(f not in rule_hits[row] for f in compress(flags, over[row].tolist())):
                spans = discounted_spans(texts[row], mentions[row])
                if spans:
                    redo[row] = without_spans(texts[row], spans)
        if redo:
            rescored = self.model.predict_proba(list(redo.values()))
            for (row, rest), new in zip(redo.items(), rescored):
                out[row, have] = new[cols] if rest.strip() else 0.0
        return out

    @staticmethod
    def _safety(rule_hits: list[Sequence[str]], danger: np.ndarray, limits: np.ndarray) -> list[tuple[str, ...]]:
        """Per text, the flags the patterns or the model's probabilities (:meth:`_flag_probs`) raise at the
        text's thresholds (:meth:`_limits`), in guide order."""
        import numpy as np

        over = ((danger >= limits) @ (1 << np.arange(danger.shape[1]))).tolist()  # bit f: flag f is over
        return [_raised(tuple(rules), up) if rules or up else () for rules, up in zip(rule_hits, over)]

    def _result(self, text: str, scores: Iterator[float], parts: _Parts, reason: str | None) -> Result:
        """The result of one text; ``scores`` yields its cause scores (in :data:`CAUSE_IDS` order) next."""
        causes = dict(zip(CAUSE_IDS, scores))  # zip takes a cause id first, so it stops after this text's scores
        if not text or text.isspace():  # what strip() would empty, without copying the text
            return Result([], dict.fromkeys(CAUSE_IDS, 0.0), None, [], [], reason=EMPTY_TEXT)
        labels, sections, safety, advice = parts
        return Result(labels[:], causes, labels[0] if labels else None, sections[:], safety[:],
                      advice[:], reason)

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


# A text's labels, sections, safety flags and advice: lists shared by the texts of a batch that have the same ones.
_Parts = tuple[list[str], list[str], list[str], list[Advice]]


def _shared_parts(labels: tuple[str, ...], safety: tuple[str, ...]) -> _Parts:
    """The parts of a result that follow from its labels and safety flags (copy the lists before handing them out)."""
    sections = list(dict.fromkeys(map(section_of, labels)))
    return list(labels), sections, list(safety), advice_for(list(labels), list(safety))


@cache
def _raised(rules: tuple[str, ...], over: int) -> tuple[str, ...]:
    """:func:`combine` of the flags the patterns raise and of those whose probability is at or over the
    text's threshold (bit ``f`` of ``over`` for flag ``f`` of :data:`SAFETY_FLAGS`); cached, as texts share
    few combinations."""
    probabilities = {flag: float(over >> f & 1) for f, flag in enumerate(SAFETY_FLAGS)}
    return tuple(combine(list(rules), probabilities, dict.fromkeys(SAFETY_FLAGS, 1.0)))


def _screen_each(texts: list[str]) -> tuple[list[Sequence[str]], list[Sequence[re.Pattern[str]]]]:
    """:func:`screen` of each text, as :func:`screen_many` gives it (for models that read no token keys)."""
    screened = list(map(screen, texts))
    return [flags for flags, _ in screened], [found for _, found in screened]


def _chosen_in_order(pred: np.ndarray, ranked: np.ndarray) -> list[tuple[str, ...]]:
    """Per text, the causes ``pred`` chooses, in the order of ``ranked`` (texts with the same ones share a tuple)."""
    import numpy as np

    picked = np.where(np.take_along_axis(pred, ranked, axis=1), ranked + 1, 0)
    codes = picked @ (len(CAUSE_IDS) + 1) ** np.arange(len(CAUSE_IDS), dtype=np.int64)  # one number per row
    _, first, inverse = np.unique(codes, return_index=True, return_inverse=True)
    chosen = [tuple(CAUSE_IDS[i - 1] for i in row if i) for row in picked[first].tolist()]
    return list(map(chosen.__getitem__, inverse.tolist()))


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
