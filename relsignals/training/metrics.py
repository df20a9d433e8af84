"""Quality figures for multi-label cause predictions, safety flags and calibration."""

from __future__ import annotations

from collections import Counter
from typing import Any

import numpy as np

from ..abstention import GATES, apply_gates
from ..taxonomy import CAUSE_IDS, SAFETY_FLAGS, SECTIONS, section_of


def _prf(y: np.ndarray, p: np.ndarray) -> dict[str, float]:
    tp = int(np.sum(y & p))
    fp, fn = int(np.sum(~y & p)), int(np.sum(y & ~p))
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1, "support": int(y.sum())}


def indicator(label_lists: list[list[str]], ids: tuple[str, ...]) -> np.ndarray:
    """Boolean matrix, one column per id, from lists of ids."""
    return np.array([[i in labels for i in ids] for labels in label_lists], dtype=bool).reshape(-1, len(ids))


def per_label(gold: np.ndarray, pred: np.ndarray, ids: tuple[str, ...]) -> dict[str, dict[str, float]]:
    """Precision, recall, F1 and support of each id."""
    return {i: _prf(gold[:, j], pred[:, j]) for j, i in enumerate(ids)}


def calibration(gold: np.ndarray, proba: np.ndarray, bins: int = 10) -> dict[str, float]:
    """Brier score and expected calibration error over all (text, label) pairs."""
    y, p = gold.ravel().astype(float), proba.ravel()
    edges = np.minimum((p * bins).astype(int), bins - 1)
    ece = sum(abs(y[edges == b].mean() - p[edges == b].mean()) * np.mean(edges == b)
              for b in range(bins) if np.any(edges == b))
    return {"brier": float(np.mean((p - y) ** 2)), "ece": float(ece)}


def confused_pairs(gold: np.ndarray, pred: np.ndarray, top: int | None = None) -> list[dict[str, Any]]:
    """(gold label missed, other label predicted instead) pairs in the same text, most frequent first."""
    pairs: Counter[tuple[str, str]] = Counter()
    for g, p in zip(gold, pred):
        missed = [CAUSE_IDS[j] for j in np.flatnonzero(g & ~p)]
        extra = [CAUSE_IDS[j] for j in np.flatnonzero(p & ~g)]
        pairs.update((m, e) for m in missed for e in extra)
    return [{"gold": g, "predicted": p, "count": n} for (g, p), n in pairs.most_common(top)]


def cause_report(gold_labels: list[list[str]], pred_labels: list[list[str]], proba: np.ndarray,
                 gold_primary: list[str], pred_primary: list[str | None]) -> dict[str, Any]:
    """Every cause-level figure: per label, macro/micro, sections, top-1, abstention, calibration."""
    gold, pred = indicator(gold_labels, CAUSE_IDS), indicator(pred_labels, CAUSE_IDS)
    labels = per_label(gold, pred, CAUSE_IDS)
    sec_ids = tuple(SECTIONS)
    to_sections = [[section_of(c) for c in ls] for ls in (gold_labels + pred_labels)]
    sections = per_label(indicator(to_sections[: len(gold_labels)], sec_ids),
                         indicator(to_sections[len(gold_labels):], sec_ids), sec_ids)
    has_cause, no_cause = gold.any(axis=1), ~gold.any(axis=1)
    with_primary = [(g, p) for g, p in zip(gold_primary, pred_primary) if g]
    return {
        "n_texts": len(gold_labels),
        "macro_f1": float(np.mean([m["f1"] for m in labels.values()])),
        "micro_f1": _prf(gold.ravel(), pred.ravel())["f1"],
        "section_macro_f1": float(np.mean([m["f1"] for m in sections.values()])),
        "top1_accuracy": float(np.mean([g == p for g, p in with_primary])) if with_primary else 0.0,
        "empty_stays_empty": float(np.mean(~pred[no_cause].any(axis=1))) if no_cause.any() else 0.0,
        "cause_gets_one": float(np.mean(pred[has_cause].any(axis=1))) if has_cause.any() else 0.0,
        **calibration(gold, proba),
        "per_label": labels,
        "per_section": sections,
        "confused_pairs": confused_pairs(gold, pred),
    }


def decode(proba: np.ndarray, pred: np.ndarray, classes: list[str], *,
           support: np.ndarray | None = None) -> tuple[list[list[str]], list[list[str]], np.ndarray]:
    """Cause labels (best first), safety flags and the cause-probability columns of predictions.

    ``proba`` and ``pred`` have one column per entry of ``classes`` (an estimator's ``classes_``);
    when the abstention gates are among them, they are applied as in serving, and so are
    the causes that the long-text sentence rule adds (``support``: one column per cause).
    """
    cols = [classes.index(c) for c in CAUSE_IDS]
    chosen = pred[:, cols].astype(bool)
    if all(g in classes for g in GATES):
        passed = pred[:, [classes.index(g) for g in GATES]].astype(bool)
        chosen, _ = apply_gates(chosen, proba[:, cols], passed, support)
    elif support is not None:
        chosen = chosen | support
    labels = [sorted((c for c, on in zip(CAUSE_IDS, row) if on), key=lambda c: -p[classes.index(c)])
              for p, row in zip(proba, chosen)]
    flags = [[f for f in SAFETY_FLAGS if f in classes and row[classes.index(f)]] for row in pred]
    return labels, flags, proba[:, cols]


def score_predictions(frame, labels: list[list[str]], flags: list[list[str]],
                      cause_proba: np.ndarray) -> dict[str, Any]:
    """The cause report plus the safety report of decoded predictions against a corpus frame."""
    report = cause_report(list(frame["labels"]), labels, cause_proba, list(frame["primary"]),
                          [ls[0] if ls else None for ls in labels])
    report["safety"] = safety_report(list(frame["safety"]), flags)
    return report


def safety_report(gold_flags: list[list[str]], pred_flags: list[list[str]]) -> dict[str, dict[str, float]]:
    """Precision, recall and false-flag rate (share of texts without the flag that get it) of each flag."""
    gold, pred = indicator(gold_flags, SAFETY_FLAGS), indicator(pred_flags, SAFETY_FLAGS)
    report = per_label(gold, pred, SAFETY_FLAGS)
    for j, flag in enumerate(SAFETY_FLAGS):
        negatives = ~gold[:, j]
        report[flag]["false_flag_rate"] = float(np.mean(pred[negatives, j])) if negatives.any() else 0.0
    return report


def reason_accuracy(gold_related: list[bool], gold_labels: list[list[str]], pred_labels: list[list[str]],
                    reasons: list[str | None]) -> float:
    """Of the no-cause texts left empty, the share whose reason (off topic or no cause) is right."""
    from ..abstention import NO_CAUSE, NOT_RELATIONSHIP

    pairs = [(NO_CAUSE if related else NOT_RELATIONSHIP, reason) for related, gold, pred, reason
             in zip(gold_related, gold_labels, pred_labels, reasons) if not gold and not pred]
    return float(np.mean([want == got for want, got in pairs])) if pairs else 0.0
