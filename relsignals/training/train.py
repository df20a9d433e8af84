"""``python -m relsignals train``: fit the estimator on a corpus and save a stored model."""

from __future__ import annotations

import json
import platform
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np

from .. import __version__
from ..model import FORMAT_VERSION, META_FILE, MODEL_FILE, sha256_file
from .corpus import load_corpus, targets
from .estimator import CauseClassifier
from .metrics import decode, score_predictions


def library_versions() -> dict[str, str]:
    """Versions of the libraries that shape a trained model."""
    import joblib
    import sklearn

    return {"relsignals": __version__, "scikit-learn": sklearn.__version__, "numpy": np.__version__,
            "joblib": joblib.__version__, "python": platform.python_version()}


def cv_metrics(estimator: CauseClassifier, frame) -> dict[str, Any] | None:
    """Cross-validated figures from the estimator's out-of-fold probabilities (None without them)."""
    proba = estimator.oof_proba_
    if proba is None:
        return None
    report = score_predictions(frame, *decode(proba, proba >= estimator.thresholds_, list(estimator.classes_)))
    report["safety_model_only"] = report.pop("safety")
    return report


def save(estimator: CauseClassifier, out: str | Path, meta: dict[str, Any]) -> Path:
    """Write ``model.joblib`` and ``meta.json`` (with the model's checksum) to ``out``."""
    import joblib

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    joblib.dump(estimator.export(), out / MODEL_FILE, compress=3)
    meta = {**meta, "model_sha256": sha256_file(out / MODEL_FILE)}
    (out / META_FILE).write_text(json.dumps(meta, indent=2, sort_keys=False) + "\n", encoding="utf-8")
    return out


def train(data: str | Path = "data/train.jsonl", out: str | Path = "models/default", *, seed: int = 0,
          progress: bool = True, candidate: str | None = None, **params: Any) -> dict[str, Any]:
    """Train on ``data``, save to ``out``; returns the metadata written beside the model.

    ``candidate`` names one of the model-selection candidates (``relsignals compare``)
    to train instead of the default configuration; ``params`` override estimator parameters.
    """
    frame = load_corpus(data)
    if candidate is not None:
        from .selection import CANDIDATES

        if candidate not in CANDIDATES:
            raise ValueError(f"unknown candidate {candidate!r}; known: {', '.join(CANDIDATES)}")
        estimator = CANDIDATES[candidate](seed)
        if not isinstance(estimator, CauseClassifier):
            raise ValueError(f"candidate {candidate!r} cannot be exported as a stored model")
        estimator.set_params(progress=progress, **params)
    else:
        estimator = CauseClassifier(random_state=seed, progress=progress, **params)
    estimator.fit(list(frame["text"]), targets(frame))
    meta = {
        "name": "relsignals-default" if candidate is None else f"relsignals ({candidate})",
        "model_version": __version__,
        "format_version": FORMAT_VERSION,
        "labels": [str(c) for c in estimator.classes_],
        "thresholds": dict(zip(map(str, estimator.classes_), map(float, estimator.thresholds_))),
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "library_versions": library_versions(),
        "training_data": {"path": Path(data).as_posix(), "sha256": sha256_file(Path(data)), "n_texts": len(frame)},
        "params": {k: (list(v) if isinstance(v, tuple) else v) for k, v in estimator.get_params().items()
                   if k != "progress"},
        "cv_metrics": cv_metrics(estimator, frame),
    }
    path = save(estimator, out, meta)
    return {**meta, "path": str(path)}
