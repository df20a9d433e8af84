"""How ``gate_blend`` was chosen: out-of-fold abstention figures for each blend, training split only.

    python scripts/cause_gate.py > models/cause_gate.md

One fit of the default estimator gives out-of-fold scores. For each blend, the gate thresholds
are tuned on them as training tunes them (``tune_gates``: the best smaller margin over the
targets, 85% of no-cause texts left empty and 90% of texts with causes labeled), and the table
shows where that lands, overall and on the real Counsel Chat questions. The frontier columns
show the best each blend can do on one target while meeting the other. The thresholds are
chosen on the same scores they are judged on, for every blend alike. The test split is not read.
"""

import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from relsignals import abstention as ab  # noqa: E402
from relsignals.taxonomy import CAUSE_IDS  # noqa: E402
from relsignals.training import CauseClassifier, load_corpus  # noqa: E402
from relsignals.training.corpus import targets  # noqa: E402

BLENDS = (0.0, 0.25, 0.5, 0.75, 1.0)


def rates(args: tuple, gate_proba: np.ndarray, thresholds: np.ndarray, gold: np.ndarray,
          real: np.ndarray) -> tuple[float, float, float]:
    """No-cause texts left empty, texts with causes labeled, and the latter on the real questions."""
    cause_proba, cause_thresholds, support = args
    pred, _ = ab.decide(cause_proba, cause_thresholds, gate_proba, thresholds, support)
    empty, labeled = ab.abstention_rates(gold, pred)
    return empty, labeled, ab.abstention_rates(gold[real], pred[real])[1]


def frontier(args: tuple, gate_proba: np.ndarray, gold: np.ndarray, real: np.ndarray) -> tuple[float, float]:
    """The most texts with causes labeled while 85% of no-cause texts stay empty, and the reverse at 90%."""
    points = [rates(args, gate_proba, np.array([a, b]), gold, real)
              for a in ab.threshold_grid()[::2] for b in ab.threshold_grid()[::2]]
    return (max((p[1] for p in points if p[0] >= 0.85), default=0.0),
            max((p[0] for p in points if p[1] >= 0.90), default=0.0))


def main() -> None:
    frame = load_corpus(ROOT / "data" / "train.jsonl")
    est = CauseClassifier(gate_blend=0.0, n_jobs=2).fit(list(frame["text"]), targets(frame))
    classes = list(est.classes_)
    causes, gates = [classes.index(c) for c in CAUSE_IDS], [classes.index(g) for g in ab.GATES]
    cause_proba = est.oof_proba_[:, causes]
    support = ab.segment_support(cause_proba, est.oof_segment_proba_[:, causes], est.segment_rule_)
    args = (cause_proba, est.thresholds_[causes], support)
    gold = np.array([bool(labels) for labels in frame["labels"]])
    real = np.array(frame["source"] == "counsel_chat")
    print("| gate_blend | gate thresholds (relationship, cause) | no-cause left empty | texts with causes labeled "
          "| same, Counsel Chat | most labeled with 85% empty | most empty with 90% labeled |")
    print("|---|---|---|---|---|---|---|")
    for blend in BLENDS:
        gate_proba = ab.blended_gates(est.oof_proba_[:, gates], cause_proba, blend)
        thresholds = ab.tune_gates(cause_proba, args[1], gate_proba, gold, support=support)
        empty, labeled, labeled_real = rates(args, gate_proba, thresholds, gold, real)
        best_labeled, best_empty = frontier(args, gate_proba, gold, real)
        cells = [f"{blend}", f"{thresholds[0]:.3f}, {thresholds[1]:.3f}",
                 *(f"{x:.3f}" for x in (empty, labeled, labeled_real, best_labeled, best_empty))]
        print("| " + " | ".join(cells) + " |", flush=True)


if __name__ == "__main__":
    main()
