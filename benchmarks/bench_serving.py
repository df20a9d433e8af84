"""Serving speed against baselines measured in the same run (ratios, not absolute times).

    python benchmarks/bench_serving.py [--n 2000]

1. Start-up: ``python -m relsignals classify`` end to end vs ``python -c "import sklearn"``
   (the architecture's goal: serving starts in a fraction of scikit-learn's import time
   plus model load).
2. Throughput: the bundled StoredModel scoring texts vs the same model as a fitted
   scikit-learn estimator (retrained here on the training split) scoring the same texts.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _time_cmd(args: list[str], repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(args, check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def startup() -> None:
    py = sys.executable
    base = _time_cmd([py, "-c", "import sklearn.linear_model, sklearn.feature_extraction.text"])
    ours = _time_cmd([py, "-m", "relsignals", "classify", "--json", "he won't talk to me since the layoff"])
    imp = _time_cmd([py, "-c", "import relsignals"])
    print(f"start-up: import relsignals / import sklearn = {imp / base:.2f}")
    print(f"start-up: full classify command / import sklearn = {ours / base:.2f}")


def throughput(n: int) -> None:
    from relsignals.classifier import default_classifier
    from relsignals.training import CauseClassifier, load_corpus
    from relsignals.training.corpus import targets

    frame = load_corpus(ROOT / "data" / "train.jsonl")
    texts = (list(frame["text"]) * (n // len(frame) + 1))[:n]
    meta = default_classifier().model.meta
    params = {k: tuple(v) if isinstance(v, list) else v for k, v in meta["params"].items()}
    est = CauseClassifier(**params).fit(list(frame["text"]), targets(frame))
    stored = default_classifier().model
    start = time.perf_counter()
    est.predict_proba(texts)
    t_est = time.perf_counter() - start
    start = time.perf_counter()
    stored.predict_proba(texts)
    t_stored = time.perf_counter() - start
    start = time.perf_counter()
    default_classifier().classify_many(texts)
    t_full = time.perf_counter() - start
    print(f"throughput ({n} texts): StoredModel / sklearn estimator time = {t_stored / t_est:.2f}")
    print(f"throughput ({n} texts): classify_many (model + safety + advice) / sklearn estimator = "
          f"{t_full / t_est:.2f}")


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=2000)
    args = ap.parse_args()
    startup()
    throughput(args.n)
