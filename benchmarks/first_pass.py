"""A first and a second ``classify_many`` pass in one new process, what the garbage collector did, and
the time to classify one text at a time (``--single``).

    python benchmarks/first_pass.py                  # 10,000 texts resampled from data/train.jsonl
    python benchmarks/first_pass.py --split test     # from data/test.jsonl
    python benchmarks/first_pass.py --baseline       # fit and time the plain TF-IDF + LR first, as
                                                     # benchmark.py does (its objects make a full
                                                     # collection dearer; its time: median of 5 calls)
    python benchmarks/first_pass.py --single         # also: classify() on 300 texts one by one

To compare two checkouts, run it alternately in each (``PYTHONPATH=<checkout> python
benchmarks/first_pass.py``) and compare medians: single runs on a 2-core machine move by
several percent. Texts are resampled with seed 0, as in ``benchmark.py``.
"""

from __future__ import annotations

import argparse
import gc
import time

from benchmark import classifier, corpus, plain_pipeline, plain_seconds, resample


class CollectionTimer:
    """Counts the garbage collector's collections per generation, and their seconds, while attached."""

    def __init__(self) -> None:
        self.count = [0, 0, 0]
        self.seconds = [0.0, 0.0, 0.0]
        self._start = 0.0

    def __call__(self, phase: str, info: dict) -> None:
        if phase == "start":
            self._start = time.perf_counter()
        else:
            self.count[info["generation"]] += 1
            self.seconds[info["generation"]] += time.perf_counter() - self._start


def single_text_micros(clf, texts: list[str], evidence: bool, repeat: int = 5) -> float:
    """Microseconds per ``classify`` call over ``texts`` one at a time (best of ``repeat`` rounds, caches warm)."""
    for text in texts:
        clf.classify(text, evidence=evidence)
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        for text in texts:
            clf.classify(text, evidence=evidence)
        best = min(best, time.perf_counter() - start)
    return best / len(texts) * 1e6


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--split", default="train", choices=["train", "test"], help="where the texts are resampled from")
    ap.add_argument("--n", type=int, default=10_000, help="how many texts")
    ap.add_argument("--baseline", action="store_true", help="fit and time the plain TF-IDF + LR first")
    ap.add_argument("--model", metavar="DIR", help="a stored model directory (default: the bundled model)")
    ap.add_argument("--single", action="store_true", help="also time classify() on 300 texts one at a time")
    args = ap.parse_args()
    texts = resample(corpus(args.split), args.n)
    plain = plain_seconds(plain_pipeline(corpus()), texts) if args.baseline else None
    clf = classifier(args.model)
    clf.classify("warm up: load the model")
    timer = CollectionTimer()
    gc.callbacks.append(timer)
    start = time.perf_counter()
    clf.classify_many(texts, evidence=False)
    first = time.perf_counter() - start
    gc.callbacks.remove(timer)
    start = time.perf_counter()
    clf.classify_many(texts, evidence=False)
    second = time.perf_counter() - start
    print(f"first pass {first:.3f} s, second pass {second:.3f} s over {args.n:,} {args.split}-split texts")
    print("first pass collections per generation: " + ", ".join(
        f"{n} ({s:.3f} s)" for n, s in zip(timer.count, timer.seconds)))
    if plain is not None:
        print(f"plain TF-IDF + LR {plain:.3f} s; throughput ratio {plain / first:.3f}")
    if args.single:
        few = texts[:300]
        print(f"classify one text at a time: {single_text_micros(clf, few, False):.0f} us per text with evidence off, "
              f"{single_text_micros(clf, few, True):.0f} us with evidence on")


if __name__ == "__main__":
    main()
