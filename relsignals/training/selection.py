"""Model selection: every candidate scored by the same cross-validation on the training split.

``python -m relsignals compare`` runs it and writes a JSON and Markdown table. The
frozen test split is never read here.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import numpy as np
from sklearn.model_selection import KFold

from ..taxonomy import CAUSE_IDS, SAFETY_FLAGS
from .baselines import KeywordBaseline
from .corpus import targets
from .estimator import CauseClassifier
from .metrics import decode, score_predictions
from .spacy_features import SpacyTextcat

# The 0.1 configurations: analyzer features, no canonical who-words, no abstention gates, no sentence rule.
# _BEFORE_033: the cause gate alone; one safety threshold per flag.
_BEFORE_033: dict[str, Any] = {"gate_blend": 0.0, "short_words": None}
_V1: dict[str, Any] = {"canonical_words": False, "segment_rule": False, "classes": CAUSE_IDS + SAFETY_FLAGS,
                       "safety_miss_cost": None, "token_features": False, "label_max_df": None, "cause_share": 0.0,
                       **_BEFORE_033}
# the 0.2 feature set: TF-IDF over the analyzers of relsignals.text
_V2: dict[str, Any] = {"token_features": False, "label_max_df": None, "cause_share": 0.0, **_BEFORE_033}
_V3: dict[str, Any] = {"label_max_df": None, "cause_share": 0.0, **_BEFORE_033}  # 0.3.0: safety heads use every feature
_PLAIN: dict[str, Any] = {"calibrate": False, "thresholds": 0.5, **_V1}
CANDIDATES: dict[str, Callable[[int], Any]] = {
    "keyword baseline": lambda seed: KeywordBaseline(classes=CAUSE_IDS + SAFETY_FLAGS),
    "TF-IDF words + LR": lambda seed: CauseClassifier(use_chars=False, negation=False, random_state=seed, **_PLAIN),
    "words + char n-grams + LR": lambda seed: CauseClassifier(negation=False, random_state=seed, **_PLAIN),
    "spaCy lemmas + negation + chars + LR": lambda seed: CauseClassifier(lemmas=True, random_state=seed, **_PLAIN),
    "spaCy textcat_multilabel (BOW, scratch)": lambda seed: SpacyTextcat(random_state=seed),
    "words + negation + chars, calibrated": lambda seed: CauseClassifier(random_state=seed, thresholds=0.5, **_V1),
    "words + negation + chars, calibrated, CV thresholds (0.1 default)":
        lambda seed: CauseClassifier(random_state=seed, **_V1),
    "spaCy lemmas + negation + chars, calibrated, CV thresholds":
        lambda seed: CauseClassifier(lemmas=True, random_state=seed, **_V1),
    "words + negation + chars, calibrated, CV thresholds, window max-pooling":
        lambda seed: CauseClassifier(pooling="max", random_state=seed, **_V1),
    "0.1 default + canonical who-words":
        lambda seed: CauseClassifier(random_state=seed, **{**_V1, "canonical_words": True}),
    "0.1 default + canonical who-words + gates":
        lambda seed: CauseClassifier(random_state=seed, segment_rule=False, **_V2),
    "0.1 default + canonical who-words + gates + sentence rule (0.2 default)":
        lambda seed: CauseClassifier(random_state=seed, **_V2),
    "token features + gates + sentence rule (0.3.0 default)": lambda seed: CauseClassifier(random_state=seed, **_V3),
    "0.3.0 + safety heads without features in over 10% of texts (0.3.1 default)":
        lambda seed: CauseClassifier(random_state=seed, cause_share=0.0, **_BEFORE_033),
    "0.3.1 + weak extra causes dropped (0.3.2 default)": lambda seed: CauseClassifier(random_state=seed, **_BEFORE_033),
    "chosen: 0.3.2 + cause gate mixed with the surest cause + short-text safety thresholds (0.3.4 default)":
        lambda seed: CauseClassifier(random_state=seed),
    # sensitivity of the chosen configuration (not part of the default comparison run)
    "chosen, C=2": lambda seed: CauseClassifier(C=2.0, random_state=seed),
    "chosen, C=32": lambda seed: CauseClassifier(C=32.0, random_state=seed),
    "chosen, word 1-3-grams": lambda seed: CauseClassifier(word_ngram_range=(1, 3), random_state=seed),
    "chosen, no class weights": lambda seed: CauseClassifier(class_weight=None, random_state=seed),
}
SENSITIVITY = [name for name in CANDIDATES if name.startswith("chosen,")]
DEFAULT_COMPARISON = [name for name in CANDIDATES if name not in SENSITIVITY]


def cross_validate(make: Callable[[int], Any], frame, cv: int = 5, seed: int = 0) -> dict[str, Any]:
    """Out-of-fold predictions of one candidate, scored with the evaluation's figures."""
    texts, y = list(frame["text"]), targets(frame)
    classes: list[str] = []
    proba = pred = np.zeros(0)
    support = np.zeros((len(texts), len(CAUSE_IDS)), dtype=bool)
    any_rule = False
    start = time.perf_counter()
    for train_idx, val_idx in KFold(cv, shuffle=True, random_state=seed).split(texts):
        est = make(seed).fit([texts[i] for i in train_idx], [y[i] for i in train_idx])
        if not classes:  # a candidate's own columns: models without gates are scored without them
            classes = [str(c) for c in est.classes_]
            proba, pred = np.zeros((len(texts), len(classes))), np.zeros((len(texts), len(classes)), dtype=int)
        held_out = [texts[i] for i in val_idx]
        proba[val_idx] = est.predict_proba(held_out)
        pred[val_idx] = est.predict(held_out)
        rule = getattr(est, "segment_rule_", None)
        if rule:  # the rule is refitted per fold; each fold's own cut-offs apply to its texts
            support[val_idx] = _supported(est, held_out, rule)
            any_rule = True
    report = score_predictions(frame, *decode(proba, pred, classes, support=support if any_rule else None))
    report["by_source"] = {}
    for source in sorted(frame["source"].unique()):
        mask = (frame["source"] == source).to_numpy()
        part = support[mask] if any_rule else None
        report["by_source"][source] = score_predictions(frame[mask], *decode(proba[mask], pred[mask], classes,
                                                                              support=part))
    report["seconds"] = time.perf_counter() - start
    return report


def _supported(est: CauseClassifier, texts: list[str], rule: dict[str, float]) -> np.ndarray:
    """The causes the estimator's sentence rule adds (its own hi/lo cut-offs), one column per cause."""
    from ..abstention import segment_support

    causes = [list(est.classes_).index(c) for c in CAUSE_IDS]
    return segment_support(est.predict_proba(texts)[:, causes], est.segment_proba(texts)[:, causes], rule)


def compare(frame, names: list[str] | None = None, cv: int = 5, seed: int = 0,
            progress: bool = True, n_jobs: int = 1) -> dict[str, dict[str, Any]]:
    """Cross-validate each named candidate (default: all) on the same folds, ``n_jobs`` at a time."""
    chosen = names or DEFAULT_COMPARISON
    unknown = [n for n in chosen if n not in CANDIDATES]
    if unknown:
        raise ValueError(f"unknown candidates {unknown}; known: {list(CANDIDATES)}")
    from joblib import Parallel, delayed

    verbose = 10 if progress else 0
    reports = Parallel(n_jobs=n_jobs, verbose=verbose)(
        delayed(cross_validate)(CANDIDATES[name], frame, cv, seed) for name in chosen)
    return dict(zip(chosen, reports))


def markdown_table(results: dict[str, dict[str, Any]]) -> str:
    """One row per candidate: cause, section, abstention, calibration and safety figures."""
    head = ("| candidate | macro F1 | macro F1 written | macro F1 counsel_chat | micro F1 | section macro F1 | top-1 "
            "| empty stays empty | Brier | ECE | abuse R/P | self_harm R/P | seconds |")
    lines = [head, "|---" * 13 + "|"]
    for name, r in results.items():
        s, by = r["safety"], r["by_source"]
        lines.append(
            f"| {name} | {r['macro_f1']:.3f} | {by['written']['macro_f1']:.3f} | "
            f"{by['counsel_chat']['macro_f1']:.3f} | "
            f"{r['micro_f1']:.3f} | {r['section_macro_f1']:.3f} | "
            f"{r['top1_accuracy']:.3f} | {r['empty_stays_empty']:.3f} | {r['brier']:.3f} | {r['ece']:.3f} | "
            f"{s['abuse']['recall']:.2f}/{s['abuse']['precision']:.2f} | "
            f"{s['self_harm']['recall']:.2f}/{s['self_harm']['precision']:.2f} | {r['seconds']:.0f} |")
    return "\n".join(lines) + "\n"
