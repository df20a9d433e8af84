"""Would more texts like ours reach the safety targets? The screen's out-of-fold trade-off against training size.

    python scripts/safety_learning_curve.py > models/safety_learning_curve.md

Each row subsamples the training split (seed 0), fits the default estimator on it and reads
its own 5-fold out-of-fold scores: the recall the whole screen (model or patterns) reaches
at a false-flag rate of at most 3%, and the false-flag rate it needs for a recall of 0.97
(the issue's targets). The test split is not read.
"""

import argparse
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))
from label_max_df import trade_off  # noqa: E402

from relsignals.safety import rule_flags  # noqa: E402
from relsignals.taxonomy import SAFETY_FLAGS  # noqa: E402
from relsignals.training import CauseClassifier, load_corpus  # noqa: E402
from relsignals.training.corpus import targets  # noqa: E402


def row(frame, fraction: float) -> str:
    part = frame.sample(frac=fraction, random_state=0) if fraction < 1 else frame
    texts = list(part["text"])
    est = CauseClassifier(n_jobs=2).fit(texts, targets(part))
    cells = [f"{fraction:.2f}", f"{len(part):,}"]
    for flag in SAFETY_FLAGS:
        gold = np.array([flag in s for s in part["safety"]])
        rules = np.array([flag in rule_flags(t) for t in texts])
        recall_at, ffr_at = trade_off(est.oof_proba_[:, list(est.classes_).index(flag)], rules, gold)
        cells += [f"{gold.sum()}", f"{recall_at:.3f}", f"{ffr_at:.3f}"]
    return "| " + " | ".join(cells) + " |"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--fractions", nargs="+", type=float, default=[0.25, 0.5, 0.75, 1.0])
    args = ap.parse_args()
    frame = load_corpus(ROOT / "data" / "train.jsonl")
    head = ["share of the training split", "texts"]
    for flag in SAFETY_FLAGS:
        head += [f"{flag} texts", f"{flag} recall at FFR <= 3%", f"{flag} FFR at recall 0.97"]
    print("| " + " | ".join(head) + " |\n" + "|---" * len(head) + "|")
    for fraction in args.fractions:
        print(row(frame, fraction), flush=True)


if __name__ == "__main__":
    main()
