"""``python -m relsignals train``: fit the estimator on a corpus and save a stored model."""

from __future__ import annotations

import json
import platform
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np

from .. import __version__
from ..abstention import segment_support
from ..model import META_FILE, MODEL_FILE, sha256_file, to_npz
from ..safety import rule_flags
from ..taxonomy import CAUSE_IDS, SAFETY_FLAGS
from .corpus import load_corpus, targets
from .estimator import CauseClassifier
from .metrics import decode, safety_report, score_predictions


def library_versions() -> dict[str, str]:
    """Versions of the libraries that shape a trained model."""
    import joblib
    import sklearn

    return {"relsignals": __version__, "scikit-learn": sklearn.__version__, "numpy": np.__version__,
            "joblib": joblib.__version__, "python": platform.python_version()}


def cv_metrics(estimator: CauseClassifier, frame) -> dict[str, Any] | None:
    """Cross-validated figures from the estimator's out-of-fold probabilities (None without them).

    ``safety`` is the whole screen (model or patterns), as served; ``safety_model_only`` the model alone.
    """
    proba, segment_proba = estimator.oof_proba_, estimator.oof_segment_proba_
    if proba is None or segment_proba is None:
        return None
    classes = list(estimator.classes_)
    causes = [classes.index(c) for c in CAUSE_IDS]
    support = segment_support(proba[:, causes], segment_proba[:, causes], estimator.segment_rule_)
    labels, model_flags, cause_proba = decode(proba, estimator.indicators(proba, list(frame["text"])), classes,
                                               support=support)
    report = score_predictions(frame, labels, model_flags, cause_proba)
    report["safety_model_only"] = report.pop("safety")
    screened = [[f for f in SAFETY_FLAGS if f in flags or f in rule_flags(text)]
                for flags, text in zip(model_flags, frame["text"])]
    report["safety"] = safety_report(list(frame["safety"]), screened)
    report["safety_curve"] = safety_curve(proba, classes, frame)
    return report


def safety_curve(proba: np.ndarray, classes: list[str], frame) -> dict[str, list[dict[str, float]]]:
    """Recall and false-flag rate of the whole screen (model or patterns) at each model threshold.

    Out-of-fold, so users can pick their own operating point (``Classifier(safety_thresholds=...)``).
    """
    curve: dict[str, list[dict[str, float]]] = {}
    for flag in SAFETY_FLAGS:
        if flag not in classes:
            continue
        gold = np.array([flag in s for s in frame["safety"]])
        rules = np.array([flag in rule_flags(t) for t in frame["text"]])
        p = proba[:, classes.index(flag)]
        curve[flag] = [{"threshold": t, "recall": float(np.mean(((p >= t) | rules)[gold])),
                        "false_flag_rate": float(np.mean(((p >= t) | rules)[~gold]))}
                       for t in (0.01, 0.02, 0.03, 0.05, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7)]
    return curve


def save(estimator: CauseClassifier, out: str | Path, meta: dict[str, Any]) -> Path:
    """Write ``model.npz`` and ``meta.json`` (with the model's checksum) to ``out``."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    to_npz(estimator.export(), out / MODEL_FILE)
    meta = {**meta, "model_sha256": sha256_file(out / MODEL_FILE)}
    (out / META_FILE).write_text(json.dumps(meta, indent=2, sort_keys=False) + "\n", encoding="utf-8")
    return out


def train(data: str | Path = "data/train.jsonl", out: str | Path = "models/default", *, seed: int = 0,
          progress: bool = True, candidate: str | None = None, n_jobs: int | None = None,
          **params: Any) -> dict[str, Any]:
    """Train on ``data``, save to ``out``; returns the metadata written beside the model.

    ``candidate`` names one of the model-selection candidates (``relsignals compare``)
    to train instead of the default configuration; ``params`` override estimator parameters;
    ``n_jobs`` cross-validation folds run at a time (the model does not depend on it).
    """
    frame = load_corpus(data)
    if candidate is not None:
        from .selection import CANDIDATES

        if candidate not in CANDIDATES:
            raise ValueError(f"unknown candidate {candidate!r}; known: {', '.join(CANDIDATES)}")
        estimator = CANDIDATES[candidate](seed)
        if not isinstance(estimator, CauseClassifier):
            raise ValueError(f"candidate {candidate!r} cannot be exported as a stored model")
        estimator.set_params(progress=progress, n_jobs=n_jobs, **params)
    else:
        estimator = CauseClassifier(random_state=seed, progress=progress, n_jobs=n_jobs, **params)
    estimator.fit(list(frame["text"]), targets(frame))
    meta = {
        "name": "relsignals-default" if candidate is None else f"relsignals ({candidate})",
        "model_version": __version__,
        "format_version": estimator.format_version,
        "labels": [str(c) for c in estimator.classes_],
        "thresholds": dict(zip(map(str, estimator.classes_), map(float, estimator.thresholds_))),
        "segment_rule": estimator.segment_rule_,
        "cause_share": float(estimator.cause_share_),
        "short_safety": estimator.short_safety(),
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "library_versions": library_versions(),
        "training_data": {"path": Path(data).as_posix(), "sha256": sha256_file(Path(data)), "n_texts": len(frame)},
        "params": {k: (list(v) if isinstance(v, tuple) else v) for k, v in estimator.get_params().items()
                   if k not in ("progress", "n_jobs")},
        "cv_metrics": cv_metrics(estimator, frame),
    }
    path = save(estimator, out, meta)
    return {**meta, "path": str(path)}
