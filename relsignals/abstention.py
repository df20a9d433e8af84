"""Abstention: when to return no cause, and why.

Two extra model heads gate the cause labels. ``about_relationship`` scores whether a
text is about a romantic relationship at all; ``has_cause`` scores whether it
describes any cause from the article. A text that fails a gate gets no labels and a
reason; a text that passes both gets its labels, or its best cause when no label
clears its own threshold (the gate already judged that some cause is there).

The same :func:`decide` runs in training (to choose the gate thresholds on
out-of-fold scores), in evaluation and in serving, so the three cannot disagree.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, overload

if TYPE_CHECKING:  # numpy loads on first use, so ``import relsignals`` stays light
    import numpy as np

GATES = ("about_relationship", "has_cause")
NOT_RELATIONSHIP = "not about a relationship"
NO_CAUSE = "no cause from the article fits"
EMPTY_TEXT = "empty text"


def decide(cause_proba: np.ndarray, cause_thresholds: np.ndarray, gate_proba: np.ndarray | None = None,
           gate_thresholds: np.ndarray | None = None, support: np.ndarray | None = None, share: float = 0.0,
           gate_blend: float = 0.0) -> tuple[np.ndarray, list[str | None]]:
    """Cause indicators (n_texts, 9) and one reason per text (``None`` when labels were given).

    ``gate_proba`` has the columns of :data:`GATES`; without it (a model trained
    without gates) labels are the causes above their thresholds, keeping only those
    at least ``share`` times as sure as the text's surest (:func:`strong_causes`).
    ``support`` marks causes that one sentence of a long text states on its own
    (:func:`segment_support`): they need only the relationship gate. ``gate_blend``
    mixes the surest cause into the ``has_cause`` gate (:func:`blended_gates`).
    """
    import numpy as np

    pred = strong_causes(cause_proba >= cause_thresholds, cause_proba, share)
    support = np.zeros_like(pred) if support is None else support
    if gate_proba is None or gate_thresholds is None:
        pred = pred | support
        return pred, [None if labeled else NO_CAUSE for labeled in np.any(pred, axis=1).tolist()]
    gates = blended_gates(gate_proba, cause_proba, gate_blend)
    return apply_gates(pred, cause_proba, np.asarray(gates >= gate_thresholds), support)


def blended_gates(gate_proba: np.ndarray, cause_proba: np.ndarray, blend: float) -> np.ndarray:
    """The gate scores, with ``has_cause`` mixed with the text's surest cause (``blend`` its weight).

    Two heads that each see a cause make a surer gate than either alone: out of fold, an
    even mix leaves as many no-cause texts empty while more texts with causes get a label
    (``scripts/cause_gate.py``, ``models/cause_gate.md``). ``blend=0`` is the head alone.
    """
    import numpy as np

    if blend <= 0:
        return gate_proba
    gates = np.array(gate_proba, dtype=np.float64)
    gates[:, 1] = (1.0 - blend) * gates[:, 1] + blend * cause_proba.max(axis=1)
    return gates


def strong_causes(chosen: np.ndarray, cause_proba: np.ndarray, share: float) -> np.ndarray:
    """``chosen`` without the causes scoring under ``share`` times the best chosen cause of their text.

    A text's surest cause always stays, so abstention is unchanged; weak extra causes
    ("stress 0.97, relationship_trauma 0.34") go.
    """
    import numpy as np

    if share <= 0:
        return chosen
    best = np.where(chosen, cause_proba, 0.0).max(axis=1, keepdims=True)
    return chosen & (cause_proba >= share * best)


def apply_gates(pred: np.ndarray, cause_proba: np.ndarray, passed: np.ndarray,
                support: np.ndarray | None = None) -> tuple[np.ndarray, list[str | None]]:
    """Apply gate decisions (``passed``: one boolean column per gate) to cause indicators."""
    import numpy as np

    related = passed[:, 0]
    caused = related & passed[:, 1]
    pred = pred & caused[:, None]
    if support is not None:
        pred = pred | (support & related[:, None])
    fallback = caused & ~pred.any(axis=1)
    pred[fallback, np.argmax(cause_proba[fallback], axis=1)] = True
    reasons = [None if labeled else (NO_CAUSE if rel else NOT_RELATIONSHIP)
               for labeled, rel in zip(np.any(pred, axis=1).tolist(), related.tolist())]
    return pred, reasons


@overload
def segment_support(cause_proba: np.ndarray, segment_max_proba: np.ndarray, rule: dict[str, float]) -> np.ndarray: ...
@overload
def segment_support(cause_proba: np.ndarray, segment_max_proba: np.ndarray, rule: None) -> None: ...
@overload
def segment_support(cause_proba: np.ndarray, segment_max_proba: np.ndarray,
                    rule: dict[str, float] | None) -> np.ndarray | None: ...
def segment_support(cause_proba: np.ndarray, segment_max_proba: np.ndarray,
                    rule: dict[str, float] | None) -> np.ndarray | None:
    """Causes whose best sentence reaches ``rule["hi"]`` while the whole text reaches ``rule["lo"]``."""
    if rule is None:
        return None
    return (segment_max_proba >= rule["hi"]) & (cause_proba >= rule["lo"])


def abstention_rates(gold_has_cause: np.ndarray, pred: np.ndarray) -> tuple[float, float]:
    """(share of no-cause texts left empty, share of texts with causes that get a label)."""
    import numpy as np

    got = np.asarray(pred.any(axis=1))
    empty = float(np.mean(~got[~gold_has_cause])) if (~gold_has_cause).any() else 0.0
    labeled = float(np.mean(got[gold_has_cause])) if gold_has_cause.any() else 0.0
    return empty, labeled


def threshold_grid() -> np.ndarray:
    """The candidate thresholds every tuned cut-off is chosen from: 0.05 to 0.95 by 0.025."""
    import numpy as np

    return np.round(np.arange(0.05, 0.96, 0.025), 3)


def tune_gates(cause_proba: np.ndarray, cause_thresholds: np.ndarray, gate_proba: np.ndarray,
               gold_has_cause: np.ndarray, targets: tuple[float, float] = (0.85, 0.90),
               grid: np.ndarray | None = None, support: np.ndarray | None = None) -> np.ndarray:
    """Gate thresholds that best meet both abstention targets on held-out scores.

    Maximises the smaller margin over the targets (empty stays empty, cause gets
    one), so neither is bought with the other; ties go to the larger sum.
    """
    import numpy as np

    grid = threshold_grid() if grid is None else grid
    best, best_key = np.array([0.5, 0.5]), (-np.inf, -np.inf)
    for t_rel in grid:
        for t_cause in grid:
            thresholds = np.array([t_rel, t_cause])
            pred, _ = decide(cause_proba, cause_thresholds, gate_proba, thresholds, support)
            empty, labeled = abstention_rates(gold_has_cause, pred)
            key = (min(empty - targets[0], labeled - targets[1]), empty + labeled)
            if key > best_key:
                best, best_key = thresholds, key
    return best
