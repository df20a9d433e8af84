"""Experiment: would a sentence-embedding safety column help? Out of fold, training split only.

    pip install -e ".[embeddings]"
    python benchmarks/experiment_embeddings_safety.py > models/experiment_embeddings_safety.md

Embeds each training text as in ``experiment_embeddings.py`` (all-MiniLM-L6-v2, mean and
max over three-sentence windows), fits a balanced logistic regression per safety flag on
the embeddings in 5 folds, and compares the out-of-fold screen (model or patterns) of the
bundled configuration, of the embeddings alone, and of the mean and geometric mean of the
two probabilities, at the issue's two targets: the recall reachable at a false-flag rate of
at most 3%, and the false-flag rate needed for a recall of 0.97. The test split is not read.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import KFold

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))
from experiment_embeddings import embed  # noqa: E402
from label_max_df import trade_off  # noqa: E402

from relsignals.safety import rule_flags  # noqa: E402
from relsignals.taxonomy import SAFETY_FLAGS  # noqa: E402
from relsignals.training import CauseClassifier, load_corpus  # noqa: E402
from relsignals.training.corpus import targets  # noqa: E402


def embedding_oof(emb: np.ndarray, y: np.ndarray, folds: list) -> np.ndarray:
    """Out-of-fold probabilities of a balanced logistic regression on the embeddings."""
    out = np.zeros(len(y))
    for train, held in folds:
        lr = LogisticRegression(class_weight="balanced", max_iter=3000).fit(emb[train], y[train])
        out[held] = lr.predict_proba(emb[held])[:, 1]
    return out


def main() -> None:
    frame = load_corpus(ROOT / "data" / "train.jsonl")
    texts = list(frame["text"])
    emb = embed(texts)
    bundled = CauseClassifier(n_jobs=2).fit(texts, targets(frame))
    folds = list(KFold(5, shuffle=True, random_state=0).split(texts))
    print("| flag | safety column | recall at FFR <= 3% | FFR at recall 0.97 |")
    print("|---|---|---|---|")
    for flag in SAFETY_FLAGS:
        gold = np.array([flag in s for s in frame["safety"]])
        rules = np.array([flag in rule_flags(t) for t in texts])
        tfidf = bundled.oof_proba_[:, list(bundled.classes_).index(flag)]
        emb_p = embedding_oof(emb, gold.astype(int), folds)
        for name, p in [("bundled (TF-IDF)", tfidf), ("embeddings", emb_p), ("mean of both", (tfidf + emb_p) / 2),
                        ("geometric mean of both", np.sqrt(tfidf * emb_p))]:
            recall_at, ffr_at = trade_off(p, rules, gold)
            print(f"| {flag} | {name} | {recall_at:.3f} | {ffr_at:.3f} |", flush=True)


if __name__ == "__main__":
    main()
