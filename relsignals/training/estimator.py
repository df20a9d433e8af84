"""``CauseClassifier``: the scikit-learn estimator behind the bundled model.

TF-IDF word n-grams (with negation scope) and character n-grams feed one logistic
regression per label. Probabilities are calibrated with Platt scaling on
out-of-fold scores, and each label gets its own decision threshold chosen on those
same out-of-fold probabilities (F1 for causes, F2 for safety flags, where a missed
flag costs more). ``export()`` turns the fitted estimator into the plain arrays
that :class:`relsignals.model.StoredModel` serves.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from itertools import chain, compress
from typing import Any

import numpy as np
from scipy import sparse
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import KFold
from sklearn.preprocessing import MultiLabelBinarizer
from sklearn.utils.validation import check_is_fitted

from ..abstention import GATES, blended_gates, decide, segment_support, strong_causes, threshold_grid, tune_gates
from ..classifier import check_texts
from ..features import word_counts
from ..model import FORMAT_VERSION, POOL_MIN_CHARS, max_pool, segment_max, segment_pieces
from ..taxonomy import CAUSE_IDS, SAFETY_FLAGS
from ..text import analyzer

DEFAULT_CLASSES = CAUSE_IDS + SAFETY_FLAGS + GATES
# Columns that may only use features found in at most this share of the training texts (see _fit_linear).
DEFAULT_LABEL_MAX_DF = {"abuse": 0.1, "self_harm": 0.1, "has_cause": 0.3}
_GRID = threshold_grid()
_SHARES = (0.0, 0.3, 0.4, 0.5, 0.6, 0.7)
_RULE_TOLERANCE = 0.001  # macro F1 differences between sentence rules smaller than this are noise
_MIN_SHORT_FLAGGED = 10  # short texts with a flag needed to give them a threshold of their own
_MIN_POSITIVES = 3


def _check_texts(X: Any) -> list[str]:
    return check_texts(X, "X must be a sequence of texts, not a single str")


def _cost_threshold(y: np.ndarray, p: np.ndarray, miss_cost: float, always: np.ndarray) -> float:
    """Threshold minimising ``miss_cost`` x missed flags + false flags, ``always`` rows flagged anyway."""
    grid = np.concatenate([[0.005, 0.01, 0.02, 0.03, 0.04], _GRID])
    costs = [miss_cost * np.sum(~((p >= t) | always) & (y == 1)) + np.sum(((p >= t) | always) & (y == 0))
             for t in grid]
    return float(grid[int(np.argmin(costs))])


def _macro_f1(Y: np.ndarray, pred: np.ndarray) -> float:
    """Macro F1 over the nine causes of indicator matrices."""
    from .metrics import per_label

    return float(np.mean([m["f1"] for m in per_label(Y.astype(bool), pred, CAUSE_IDS).values()]))


def _best_threshold(y: np.ndarray, p: np.ndarray, beta: float) -> float:
    """Threshold on the grid that maximises F-beta of one label."""
    best, best_t = -1.0, 0.5
    b2 = beta * beta
    for t in _GRID:
        pred = p >= t
        tp = float(np.sum(pred & (y == 1)))
        denom = (1 + b2) * tp + b2 * float(np.sum((~pred) & (y == 1))) + float(np.sum(pred & (y == 0)))
        score = (1 + b2) * tp / denom if denom else 0.0
        if score > best:
            best, best_t = score, float(t)
    return best_t


class CauseClassifier(ClassifierMixin, BaseEstimator):
    """Multi-label cause and safety classifier over raw texts.

    Parameters are stored unchanged; learned state ends in ``_``. ``classes_`` fixes
    the column order of ``predict_proba`` and ``predict``: causes, safety flags, then
    the abstention gates (:mod:`relsignals.abstention`). Safety thresholds minimise
    ``safety_miss_cost`` x missed flags + false flags on out-of-fold scores, with the
    safety patterns (or maximise F2 when it is ``None``); gate thresholds meet
    ``abstain_targets``. ``label_max_df`` maps a column to the largest share of training
    texts a feature may appear in and still be used by it (``None``: all use every feature). With
    ``segment_rule`` a long text also gets a cause that one of its sentences states
    clearly on its own (``segment_rule_``: the cut-offs, chosen on held-out scores). A cause
    scoring under ``cause_share`` times the text's surest cause is dropped (``"cv"``: the
    share that most raises macro F1 on held-out scores, in ``cause_share_``). The
    ``has_cause`` gate scores the mean of its own head and the surest cause when
    ``gate_blend`` is 0.5 (0: the head alone; :func:`relsignals.abstention.blended_gates`).
    Texts of at most ``short_words`` words get safety thresholds of their own, chosen by the
    same cost on those texts' held-out scores (``short_thresholds_``; ``None``: one threshold),
    since a few words weigh far more each than in a long text.

    >>> clf = CauseClassifier(cv=2, min_df=1).fit(texts, label_lists)   # doctest: +SKIP
    >>> clf.predict_proba(["he won't talk to me"]).shape                  # doctest: +SKIP
    (1, 11)
    """

    def __init__(self, *, classes: Sequence[str] | None = DEFAULT_CLASSES, word_ngram_range=(1, 2),
                 negation: bool = True, canonical_words: bool = True, lemmas: bool = False, use_chars: bool = True,
                 char_ngram_range=(3, 5), min_df: int = 2,
                 max_features: int | None = 200_000, C: float = 8.0, class_weight: str | None = "balanced",
                 label_max_df: dict[str, float] | None = DEFAULT_LABEL_MAX_DF,
                 calibrate: bool = True, thresholds: str | float = "cv", safety_miss_cost: float | None = 10.0,
                 abstain_targets: tuple[float, float] = (0.85, 0.90), segment_rule: bool = True,
                 cause_share: float | str = "cv", gate_blend: float = 0.5, short_words: int | None = 15, cv: int = 5,
                 pooling: str = "doc", token_features: bool = True,
                 random_state: int = 0, n_jobs: int | None = None, progress: bool = False):
        self.classes = classes
        self.word_ngram_range = word_ngram_range
        self.negation = negation
        self.canonical_words = canonical_words
        self.lemmas = lemmas
        self.use_chars = use_chars
        self.char_ngram_range = char_ngram_range
        self.min_df = min_df
        self.max_features = max_features
        self.C = C
        self.class_weight = class_weight
        self.label_max_df = label_max_df
        self.calibrate = calibrate
        self.thresholds = thresholds
        self.safety_miss_cost = safety_miss_cost
        self.abstain_targets = abstain_targets
        self.segment_rule = segment_rule
        self.cause_share = cause_share
        self.gate_blend = gate_blend
        self.short_words = short_words
        self.cv = cv
        self.pooling = pooling
        self.token_features = token_features
        self.random_state = random_state
        self.n_jobs = n_jobs
        self.progress = progress

    @property
    def format_version(self) -> int:
        """The stored-model format :meth:`export` writes: 3 with token features, else 2."""
        return FORMAT_VERSION if self.token_features else 2

    # -- features ---------------------------------------------------------------
    def _block_specs(self, texts: list[str]) -> list[tuple[str, dict[str, Any]]]:
        if self.token_features:
            if not (self.negation and self.canonical_words and self.use_chars) or self.lemmas:
                raise ValueError("token_features=True always marks negation, makes who-words canonical and uses "
                                 "character n-grams; set token_features=False for other feature sets")
            return [("words.v2", {"ngram_range": tuple(self.word_ngram_range)}),
                    ("chars.v2", {"ngram_range": tuple(self.char_ngram_range)})]
        words = {"ngram_range": tuple(self.word_ngram_range), "negation": self.negation}
        if self.canonical_words:
            words["canonical_words"] = True
        if self.lemmas:
            from .spacy_features import lemma_table

            specs = [("lemmas.v1", {**words, "table": lemma_table(texts)})]
        else:
            specs = [("words.v1", words)]
        if self.use_chars:
            chars: dict[str, Any] = {"ngram_range": tuple(self.char_ngram_range)}
            if self.canonical_words:
                chars.update(negation=self.negation, canonical_words=True)
            specs.append(("chars.v1", chars))
        return specs

    def _fit_vectorizers(self, texts: list[str]) -> list[tuple[str, dict[str, Any], TfidfVectorizer]]:
        from .vectorizer import OccurrenceTfidfVectorizer

        blocks = []
        for name, params in self._block_specs(texts):
            common = {"analyzer": analyzer(name, **params), "min_df": self.min_df, "max_features": self.max_features,
                      "dtype": np.float64}
            vec = (OccurrenceTfidfVectorizer(**common) if self.token_features
                   else TfidfVectorizer(sublinear_tf=True, **common))
            blocks.append((name, params, vec.fit(texts)))
        return blocks

    @staticmethod
    def _transform(blocks: list[tuple[str, dict[str, Any], TfidfVectorizer]], texts: list[Any]) -> sparse.csr_matrix:
        return sparse.hstack([vec.transform(texts) for _, _, vec in blocks], format="csr")

    # -- fitting ----------------------------------------------------------------
    def _decide(self, blocks, coef: np.ndarray, intercept: np.ndarray, texts: list[str]) -> np.ndarray:
        """Linear scores; with ``pooling="max"`` a long text scores as its best sentence window."""
        z = self._transform(blocks, texts) @ coef + intercept
        if self.pooling == "max":
            z = max_pool(z, texts, lambda parts: self._transform(blocks, parts) @ coef + intercept)
        return z

    def _fit_linear(self, X: sparse.csr_matrix, Y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """One logistic regression per column; columns in ``label_max_df`` skip common features.

        Words found in most texts ("my", "me", "won't") otherwise pick up small weights that a
        few-word text, whose every word weighs a lot, turns into a false safety flag.
        """
        coef = np.zeros((X.shape[1], Y.shape[1]))
        intercept = np.full(Y.shape[1], -10.0)
        share = np.bincount(X.indices, minlength=X.shape[1]) / X.shape[0]
        limits = self.label_max_df or {}
        for j, label in enumerate(self.classes_):
            if Y[:, j].sum() < _MIN_POSITIVES or Y[:, j].sum() == len(Y):
                continue  # too few positives to learn: the label never fires
            cols = np.flatnonzero(share <= limits[label]) if label in limits else slice(None)
            lr = LogisticRegression(C=self.C, class_weight=self.class_weight, solver="liblinear",
                                    max_iter=1000, random_state=self.random_state)
            lr.fit(X[:, cols], Y[:, j])
            coef[cols, j], intercept[j] = lr.coef_[0], lr.intercept_[0]
        return coef, intercept

    def _fit_core(self, texts: list[str], Y: np.ndarray):
        vectorizers = self._fit_vectorizers(texts)
        coef, intercept = self._fit_linear(self._transform(vectorizers, texts), Y)
        return vectorizers, coef, intercept

    def _fit_with_oof(self, texts: list[str], Y: np.ndarray, need_oof: bool):
        """The fit on all texts, and (``need_oof``) out-of-fold decision values of each text and of its
        best sentence (long texts only).

        Each text is scored by a model that never saw it. The folds and the fit on all texts
        are independent jobs, run ``n_jobs`` at a time, so no core idles while the last fold runs.
        """
        from joblib import Parallel, delayed

        folds = list(KFold(self.cv, shuffle=True, random_state=self.random_state).split(texts)) if need_oof else []
        if self.progress and folds:
            print(f"relsignals: cross-validating {len(folds)} folds, {self.n_jobs or 1} at a time", file=sys.stderr)
        jobs = [delayed(self._score_fold)(texts, Y, tr, te) for tr, te in folds] + [delayed(self._fit_core)(texts, Y)]
        *scored, core = Parallel(n_jobs=self.n_jobs)(jobs)
        if not folds:
            return core, None, None
        oof = np.zeros(Y.shape, dtype=np.float64)
        oof_segments = np.full(Y.shape, -np.inf)
        for (_, test_idx), (decisions, segments) in zip(folds, scored):
            oof[test_idx], oof_segments[test_idx] = decisions, segments
        return core, oof, oof_segments

    def _score_fold(self, texts: list[str], Y: np.ndarray, train_idx: np.ndarray,
                    test_idx: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        vecs, coef, intercept = self._fit_core([texts[i] for i in train_idx], Y[train_idx])
        held_out = [texts[i] for i in test_idx]
        return (self._decide(vecs, coef, intercept, held_out),
                self._segment_decisions(vecs, coef, intercept, held_out))

    def _segment_decisions(self, blocks, coef: np.ndarray, intercept: np.ndarray, texts: list[str]) -> np.ndarray:
        """Per text and label, the best linear score of its sentences alone (as the stored model finds them)."""
        pieces: list[Any]  # sentences' keys (the token analyzers read lists) or their texts
        if self.token_features:
            from ..features import sentence_keys

            found = [(row, keys) for row, text in enumerate(texts) for keys in sentence_keys(text, POOL_MIN_CHARS)]
            owners, pieces = [row for row, _ in found], [keys for _, keys in found]
        else:
            owners, spans = segment_pieces(texts)
            pieces = [texts[row][a:b] for row, (a, b) in zip(owners, spans)]
        scores = self._transform(blocks, pieces) @ coef + intercept if pieces else np.empty((0, coef.shape[1]))
        return segment_max((len(texts), coef.shape[1]), owners, scores)

    def _fit_calibration(self, oof: np.ndarray, Y: np.ndarray) -> None:
        n = Y.shape[1]
        self.calib_a_, self.calib_b_ = np.ones(n), np.zeros(n)
        if not self.calibrate:
            return
        for j in range(n):
            if 0 < Y[:, j].sum() < len(Y):
                platt = LogisticRegression(C=1e4).fit(oof[:, [j]], Y[:, j])
                self.calib_a_[j], self.calib_b_[j] = platt.coef_[0, 0], platt.intercept_[0]

    def _fit_thresholds(self, oof_proba: np.ndarray, segment_proba: np.ndarray, Y: np.ndarray,
                        patterns: list[list[str]]) -> None:
        if self.thresholds != "cv":
            self.thresholds_ = np.full(Y.shape[1], float(self.thresholds))
            return
        classes = list(self.classes_)
        self.thresholds_ = np.array([self._label_threshold(c, Y[:, j], oof_proba[:, j], patterns)
                                     if Y[:, j].sum() else 1.0 for j, c in enumerate(classes)])
        if not all(c in classes for c in CAUSE_IDS):
            return
        causes = [classes.index(c) for c in CAUSE_IDS]
        self.cause_share_ = self._tune_share(oof_proba[:, causes], self.thresholds_[causes], Y[:, causes])
        if self.segment_rule:
            self.segment_rule_ = self._tune_segment_rule(oof_proba[:, causes], segment_proba[:, causes],
                                                         self.thresholds_[causes], Y[:, causes], self.cause_share_)
        if all(g in classes for g in GATES):
            gates = [classes.index(g) for g in GATES]
            support = segment_support(oof_proba[:, causes], segment_proba[:, causes], self.segment_rule_)
            gate_proba = blended_gates(oof_proba[:, gates], oof_proba[:, causes], self._gate_blend())
            self.thresholds_[gates] = tune_gates(oof_proba[:, causes], self.thresholds_[causes],
                                                 gate_proba, np.asarray(Y[:, causes].any(axis=1)),
                                                 (self.abstain_targets[0], self.abstain_targets[1]), support=support)

    def _fit_short_thresholds(self, oof_proba: np.ndarray, Y: np.ndarray, texts: list[str],
                              patterns: list[list[str]]) -> np.ndarray:
        """``thresholds_`` with each safety flag's cost rule rerun on the short texts alone (when enough of
        them carry the flag)."""
        out = self.thresholds_.copy()
        if self._short_words() is None or self.thresholds != "cv":
            return out
        short = word_counts(texts) <= self._short_words()
        few = list(compress(patterns, short.tolist()))
        for j, label in enumerate(self.classes_):
            if label in SAFETY_FLAGS and Y[short, j].sum() >= _MIN_SHORT_FLAGGED:
                out[j] = self._label_threshold(label, Y[short, j], oof_proba[short, j], few)
        return out

    def _tune_share(self, doc: np.ndarray, thresholds: np.ndarray, Y: np.ndarray) -> float:
        """``cause_share`` as given, or (``"cv"``) the share that most raises macro F1 on held-out scores."""
        if self.cause_share != "cv":
            return float(self.cause_share)
        scores = [_macro_f1(Y, decide(doc, thresholds, share=share)[0]) for share in _SHARES]
        return _SHARES[int(np.argmax(np.round(scores, 4)))]

    @staticmethod
    def _tune_segment_rule(doc: np.ndarray, seg: np.ndarray, thresholds: np.ndarray,
                           Y: np.ndarray, share: float = 0.0) -> dict[str, float] | None:
        """The (hi, lo) pair that raises cause macro F1 on held-out scores; None if none helps.

        Pairs within ``_RULE_TOLERANCE`` of the best are ties, and the most lenient of them wins
        (lowest ``lo``, then lowest ``hi``): the rule is there to find a cause buried in one
        sentence of a long post.
        """
        base = _macro_f1(Y, decide(doc, thresholds, share=share)[0])
        scores = {}
        for hi in (0.8, 0.85, 0.9, 0.95, 0.98, 0.99):
            for lo in (0.0, 0.05, 0.1, 0.2):
                rule = {"min_chars": POOL_MIN_CHARS, "hi": hi, "lo": lo}
                scores[hi, lo] = _macro_f1(Y, decide(doc, thresholds, support=segment_support(doc, seg, rule),
                                                     share=share)[0])
        best = max(scores.values())
        if best <= base + 1e-4:
            return None
        hi, lo = min((pair for pair, score in scores.items() if score >= best - _RULE_TOLERANCE),
                     key=lambda pair: (pair[1], pair[0]))
        return {"min_chars": POOL_MIN_CHARS, "hi": hi, "lo": lo}

    def _label_threshold(self, label: str, y: np.ndarray, p: np.ndarray, patterns: list[list[str]]) -> float:
        """One label's threshold; ``patterns`` holds each text's :func:`relsignals.safety.rule_flags`."""
        if label not in SAFETY_FLAGS:
            return _best_threshold(y, p, 1.0)
        if self.safety_miss_cost is None:
            return _best_threshold(y, p, 2.0)
        always = np.array([label in flags for flags in patterns])
        return _cost_threshold(y, p, self.safety_miss_cost, always)

    def fit(self, X: Sequence[str], y: Sequence[Sequence[str]]) -> CauseClassifier:
        """Fit on texts ``X`` and label lists ``y`` (cause ids and safety flags)."""
        texts = _check_texts(X)
        if len(texts) != len(y):
            raise ValueError(f"X has {len(texts)} texts but y has {len(y)} label lists")
        binarizer = MultiLabelBinarizer(classes=list(self.classes) if self.classes is not None else None)
        Y = binarizer.fit_transform([list(labels) for labels in y])
        self.classes_ = np.array(binarizer.classes_)
        self._check_label_max_df()
        self._gate_blend()
        self._short_words()
        need_oof = self.calibrate or self.thresholds == "cv"
        core, oof, oof_segments = self._fit_with_oof(texts, Y, need_oof and self.cv > 1)
        self.vectorizers_, self.coef_, self.intercept_ = core
        self.token_keys_ = self._token_keys(texts)
        self.segment_rule_ = None
        self.cause_share_ = 0.0 if self.cause_share == "cv" else float(self.cause_share)
        if oof is None:
            self.calib_a_, self.calib_b_ = np.ones(Y.shape[1]), np.zeros(Y.shape[1])
            self.thresholds_ = np.full(Y.shape[1], 0.5 if self.thresholds == "cv" else float(self.thresholds))
            self.short_thresholds_ = self.thresholds_.copy()
            self.oof_proba_ = self.oof_segment_proba_ = None
            return self
        self._fit_calibration(oof, Y)
        found = np.isfinite(oof_segments)
        oof_proba = self.oof_proba_ = self._sigmoid(oof)
        segment_proba = self.oof_segment_proba_ = np.where(found, self._sigmoid(np.where(found, oof_segments, 0.0)),
                                                           0.0)
        from ..safety import rule_flags

        patterns = list(map(rule_flags, texts))  # the safety thresholds count the patterns' flags in
        self._fit_thresholds(oof_proba, segment_proba, Y, patterns)
        self.short_thresholds_ = self._fit_short_thresholds(oof_proba, Y, texts, patterns)
        return self

    def _token_keys(self, texts: list[str]) -> list[str] | None:
        """The distinct token keys of the training texts (token features only), for the stored token table."""
        if not self.token_features:
            return None
        from ..features import marked_keys

        return sorted(set(chain.from_iterable(map(marked_keys, texts))))

    def _check_label_max_df(self) -> None:
        limits = self.label_max_df or {}
        unknown = sorted(set(limits) - set(self.classes_))
        if unknown:
            raise ValueError(f"label_max_df names labels that are not classes: {unknown}")
        if not all(isinstance(v, (int, float)) and 0 < v <= 1 for v in limits.values()):
            raise ValueError("label_max_df values are shares of texts, above 0 and at most 1")

    # -- prediction ---------------------------------------------------------------
    def _sigmoid(self, z: np.ndarray) -> np.ndarray:
        return 1.0 / (1.0 + np.exp(-(z * self.calib_a_ + self.calib_b_)))

    def decision_function(self, X: Sequence[str]) -> np.ndarray:
        """Raw linear scores, shape ``(n_texts, n_classes)``."""
        check_is_fitted(self, "coef_")
        return self._decide(self.vectorizers_, self.coef_, self.intercept_, _check_texts(X))

    def predict_proba(self, X: Sequence[str]) -> np.ndarray:
        """Calibrated probabilities, columns in ``classes_`` order."""
        return self._sigmoid(self.decision_function(X))

    def segment_proba(self, X: Sequence[str]) -> np.ndarray:
        """Per text, each label's probability for its best sentence alone (0 for texts under 400 characters)."""
        check_is_fitted(self, "coef_")
        z = self._segment_decisions(self.vectorizers_, self.coef_, self.intercept_, _check_texts(X))
        found = np.isfinite(z)
        return np.where(found, self._sigmoid(np.where(found, z, 0.0)), 0.0)

    def predict(self, X: Sequence[str]) -> np.ndarray:
        """Label indicator matrix, each label cut at its own threshold (weak extra causes dropped)."""
        texts = _check_texts(X)
        return self.indicators(self.predict_proba(texts), texts).astype(int)

    def indicators(self, proba: np.ndarray, texts: Sequence[str] | None = None) -> np.ndarray:
        """Boolean labels of probabilities in ``classes_`` order: each cut at its threshold (the short-text
        one for short ``texts``, when given), causes under ``cause_share_`` of the text's surest cause
        dropped (as :meth:`predict`, e.g. for out-of-fold scores)."""
        pred = proba >= self._limits(texts)
        classes = list(self.classes_)
        causes = [classes.index(c) for c in CAUSE_IDS if c in classes]
        if len(causes) == len(CAUSE_IDS):
            pred[:, causes] = strong_causes(pred[:, causes], proba[:, causes], getattr(self, "cause_share_", 0.0))
            if all(g in classes for g in GATES):
                gates = [classes.index(g) for g in GATES]
                gate_proba = blended_gates(proba[:, gates], proba[:, causes], self._gate_blend())
                pred[:, gates] = gate_proba >= self.thresholds_[gates]
        return pred

    def _limits(self, texts: Sequence[str] | None) -> np.ndarray:
        """The thresholds, one row per text when ``texts`` are given and short texts have their own."""
        short_limits = getattr(self, "short_thresholds_", None)
        if texts is None or short_limits is None or self._short_words() is None:
            return self.thresholds_
        short = word_counts(list(texts)) <= self._short_words()
        return np.where(short[:, None], short_limits, self.thresholds_)

    def _short_words(self) -> int | None:
        """``short_words``, checked; None for an estimator pickled before it existed."""
        words = getattr(self, "short_words", None)
        if words is not None and (isinstance(words, bool) or not isinstance(words, int) or words < 1):
            raise ValueError(f"short_words must be a positive whole number of words or None, got {words!r}")
        return words

    def _gate_blend(self) -> float:
        """``gate_blend``, checked; 0 for an estimator pickled before it existed."""
        blend = getattr(self, "gate_blend", 0.0)
        if isinstance(blend, bool) or not isinstance(blend, (int, float)) or not 0.0 <= blend <= 1.0:
            raise ValueError(f"gate_blend must be a number from 0 to 1, got {blend!r}")
        return float(blend)

    def export(self) -> dict[str, Any]:
        """The plain-array payload that :class:`relsignals.model.StoredModel` serves."""
        check_is_fitted(self, "coef_")
        blocks = [
            {"analyzer": name, "params": params, "sublinear_tf": not self.token_features,
             "norm": "occurrence" if self.token_features else "l2",
             "vocabulary": {t: int(i) for t, i in vec.vocabulary_.items()}, "idf": vec.idf_.astype(np.float64)}
            for name, params, vec in self.vectorizers_
        ]
        if self.token_features:  # the word bigrams' word ids, so that serving need not split every term
            from ..features import bigram_pairs

            pairs, extra = bigram_pairs(blocks[0]["vocabulary"])
            if not extra:
                blocks[0]["bigram_pairs"] = pairs
            keys = getattr(self, "token_keys_", None)  # absent in estimators fitted before it was stored
            if keys is not None:  # each training key's char n-gram columns: serving skips working them out
                from ..features import token_table

                blocks[1].update(token_table(keys, blocks[1]["vocabulary"], tuple(self.char_ngram_range)))
        return {"format_version": self.format_version, "labels": [str(c) for c in self.classes_], "blocks": blocks,
                "coef": self.coef_.astype(np.float32), "intercept": self.intercept_,
                "calib_a": self.calib_a_, "calib_b": self.calib_b_, "thresholds": self.thresholds_,
                "pooling": self.pooling, "segment_rule": getattr(self, "segment_rule_", None),
                "cause_share": float(getattr(self, "cause_share_", 0.0)), "gate_blend": self._gate_blend(),
                "short_safety": self.short_safety()}

    def short_safety(self) -> dict[str, Any] | None:
        """The short-text safety thresholds as stored in the model: ``{"max_words": n, "thresholds": {flag: t}}``."""
        short_limits = getattr(self, "short_thresholds_", None)
        if self._short_words() is None or short_limits is None:
            return None
        flags = {str(c): float(t) for c, t in zip(self.classes_, short_limits) if c in SAFETY_FLAGS}
        return {"max_words": self._short_words(), "thresholds": flags}
