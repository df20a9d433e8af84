"""Learning curve of the chosen configuration: cross-validated macro F1 against training size.

    python scripts/learning_curve.py [--fractions 0.25 0.5 0.75 1.0]

Each point subsamples the training split (seed 0) and cross-validates on it (5 folds), so it
tells whether more labeled data is likely to help. The test split is not read.
"""

import argparse
import sys
from pathlib import Path

from joblib import Parallel, delayed

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from relsignals.training import CauseClassifier, load_corpus  # noqa: E402
from relsignals.training.selection import cross_validate  # noqa: E402


def point(frame, fraction: float) -> tuple[float, int, dict]:
    part = frame.sample(frac=fraction, random_state=0) if fraction < 1 else frame
    return fraction, len(part), cross_validate(lambda seed: CauseClassifier(random_state=seed), part, 5, 0)


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--fractions", nargs="+", type=float, default=[0.25, 0.5, 0.75, 1.0])
    args = ap.parse_args()
    frame = load_corpus(ROOT / "data" / "train.jsonl")
    print("| share of training split | texts | macro F1 | macro F1 written | macro F1 counsel_chat |")
    print("|---|---|---|---|---|")
    for fraction, n, r in Parallel(n_jobs=2)(delayed(point)(frame, f) for f in args.fractions):
        by = r["by_source"]
        print(f"| {fraction:.2f} | {n} | {r['macro_f1']:.3f} | {by['written']['macro_f1']:.3f} | "
              f"{by['counsel_chat']['macro_f1']:.3f} |")
