"""Speed, memory and size of relsignals against baselines measured in the same run.

    python benchmarks/benchmark.py                 # the full run (10,000 texts, 200,000-row CSV)
    python benchmarks/benchmark.py --quick         # a smoke run with small sizes
    python benchmarks/benchmark.py --profile       # where classify_many spends its time
    python benchmarks/benchmark.py --model DIR     # a stored model other than the bundled one

Every figure is a ratio against a baseline timed in this same process on this same
machine, or an absolute figure next to its target. Texts are resampled (seed 0) from
``data/train.jsonl``; the CSV is written to a temporary directory and deleted.

1. Cold start: ``python -m relsignals classify "..."`` in a new process (median of 7 runs,
   wall time and peak memory) against ``python -c "import sklearn.linear_model"``.
2. Bulk: ``relsignals.classify_many`` (model, safety screen, abstention; evidence off) over
   10,000 texts against a plain scikit-learn TfidfVectorizer + one-vs-rest
   LogisticRegression trained here on the same training split (its time: the median of 5
   ``predict_proba`` calls, which keep no state). The target row is the first pass after
   loading; a second pass (per-token caches warm) is shown for reference.
   The model stores the token keys of its training texts, so texts resampled from the
   training split find all theirs; the same first pass over 10,000 texts resampled from
   ``data/test.jsonl`` (texts training never saw, in a new process) is shown beside it, and
   the target row's own first pass in a new process (where the garbage collector has only
   relsignals' objects to walk, not the baseline's and the training rows).
3. The CLI over a 200,000-row CSV: wall time, peak memory, every row written.
4. Model size on disk, and training time on the full training split.
"""

from __future__ import annotations

import argparse
import csv
import json
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PY = sys.executable
# Runs a command and prints its peak resident memory (MB) from the rusage of its children.
PEAK = ("import resource, subprocess, sys; subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL); "
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)")

# Loads a model (argv[1], else the bundled one) and prints the seconds of a first classify_many over stdin's texts.
FIRST_PASS = ("import json, sys, time; from relsignals import Classifier; texts = json.load(sys.stdin); "
              "clf = Classifier.load(sys.argv[1] if len(sys.argv) > 1 else None); "
              "clf.classify('warm up: load the model'); start = time.perf_counter(); "
              "clf.classify_many(texts, evidence=False); print(time.perf_counter() - start)")


def timed_run(args: list[str]) -> tuple[float, float]:
    """Wall seconds and peak memory (MB) of one command run in a fresh process."""
    start = time.perf_counter()
    out = subprocess.run([PY, "-c", PEAK, *args], capture_output=True, text=True, check=True)
    return time.perf_counter() - start, float(out.stdout.strip().splitlines()[-1])


def median_run(args: list[str], repeat: int) -> tuple[float, float]:
    runs = [timed_run(args) for _ in range(repeat)]
    return statistics.median(t for t, _ in runs), max(m for _, m in runs)


def corpus(split: str = "train") -> list[dict]:
    return [json.loads(line) for line in (ROOT / "data" / f"{split}.jsonl").read_text(encoding="utf-8").splitlines()]


def classifier(model: str | None):
    """A newly loaded classifier: over ``model`` (a stored model directory), else over the bundled model."""
    from relsignals import Classifier

    return Classifier.load(model)


def model_args(model: str | None) -> list[str]:
    return ["--model", model] if model else []


def resample(rows: list[dict], n: int) -> list[str]:
    rng = random.Random(0)
    return [rng.choice(rows)["text"] for _ in range(n)]


def cold_start(repeat: int, model: str | None = None) -> list[tuple[str, str, str]]:
    base_t, base_m = median_run([PY, "-c", "import sklearn.linear_model"], repeat)
    ours_t, ours_m = median_run([PY, "-m", "relsignals", "classify", *model_args(model),
                                 "he won't talk to me since the layoff"], repeat)
    return [("cold start: classify command / import sklearn.linear_model (wall, median)",
             f"{ours_t / base_t:.2f}", "<= 0.30"),
            ("cold start: peak memory of the classify command (MB)", f"{ours_m:.0f}", "< 120")]


def plain_pipeline(rows: list[dict]):
    """The plain baseline: scikit-learn TfidfVectorizer + one-vs-rest LogisticRegression fitted on ``rows``."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.multiclass import OneVsRestClassifier
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import MultiLabelBinarizer

    y = MultiLabelBinarizer().fit_transform([r["labels"] + r["safety"] for r in rows])
    plain = make_pipeline(TfidfVectorizer(), OneVsRestClassifier(LogisticRegression(max_iter=1000)))
    return plain.fit([r["text"] for r in rows], y)


PLAIN_REPEAT = 5


def plain_seconds(plain, texts: list[str], repeat: int = PLAIN_REPEAT) -> float:
    """Median seconds of the baseline's ``predict_proba`` over ``texts``: it keeps no state between calls, so
    repeating it costs nothing but time and takes the machine's noise out of the baseline."""
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        plain.predict_proba(texts)
        runs.append(time.perf_counter() - start)
    return statistics.median(runs)


def bulk(rows: list[dict], n: int, model: str | None = None) -> list[tuple[str, str, str]]:
    texts = resample(rows, n)
    unseen = resample(corpus("test"), n)
    plain = plain_pipeline(rows)
    t_plain = plain_seconds(plain, texts)
    t_plain_unseen = plain_seconds(plain, unseen)
    clf = classifier(model)
    clf.classify("warm up: load the model")
    start = time.perf_counter()
    results = clf.classify_many(texts, evidence=False)
    t_ours = time.perf_counter() - start
    assert len(results) == n
    start = time.perf_counter()
    clf.classify_many(texts, evidence=False)  # again: every word now sits in the per-token caches
    t_warm = time.perf_counter() - start
    # texts training never saw, in a new process: no cache of this one (chunks, n-grams, safety words) helps
    t_unseen = first_pass_elsewhere(unseen, model)
    # the same texts in a new process, without this one's objects (the baseline's, the rows) for the collector to walk
    t_alone = first_pass_elsewhere(texts, model)
    return [(f"bulk: classify_many throughput / plain TF-IDF + LR ({n:,} texts resampled from data/train.jsonl)",
             f"{t_plain / t_ours:.3f}", ">= 0.50"),
            ("bulk: texts per second, relsignals / plain", f"{n / t_ours:,.0f} / {n / t_plain:,.0f}", ""),
            ("bulk: the same, second pass over the same texts (caches warm)", f"{t_plain / t_warm:.3f}", ""),
            ("bulk: the same first pass in a new process", f"{t_plain / t_alone:.3f}", ""),
            (f"bulk: the same first pass over {n:,} texts resampled from data/test.jsonl "
             "(unseen in training, new process)", f"{t_plain_unseen / t_unseen:.3f}", "")]


def first_pass_elsewhere(texts: list[str], model: str | None) -> float:
    """Seconds of a first ``classify_many`` pass over ``texts`` in a new process."""
    out = subprocess.run([PY, "-c", FIRST_PASS, *([model] if model else [])], input=json.dumps(texts),
                         capture_output=True, text=True, check=True)
    return float(out.stdout.strip().splitlines()[-1])


def cli_csv(rows: list[dict], n: int, model: str | None = None) -> list[tuple[str, str, str]]:
    with tempfile.TemporaryDirectory() as tmp:
        src, dst = Path(tmp) / "posts.csv", Path(tmp) / "out.csv"
        with open(src, "w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(["id", "text"])
            writer.writerows((i, t) for i, t in enumerate(resample(rows, n)))
        seconds, peak = timed_run([PY, "-m", "relsignals", "classify", *model_args(model), "--input", str(src),
                                   "--output", str(dst), "--no-evidence"])
        with open(dst, encoding="utf-8", newline="") as fh:
            written = sum(1 for _ in csv.DictReader(fh))
    return [(f"CLI over a {n:,}-row CSV: peak memory (MB)", f"{peak:.0f}", "< 300"),
            (f"CLI over a {n:,}-row CSV: rows written / rows read", f"{written / n:.3f}", "= 1"),
            (f"CLI over a {n:,}-row CSV: rows per second", f"{n / seconds:,.0f}", "")]


def model_size(model: str | None) -> list[tuple[str, str, str]]:
    from relsignals.model import MODEL_FILE, default_model_path

    size = (Path(model or default_model_path()) / MODEL_FILE).stat().st_size / 1e6
    return [("model size on disk (MB)", f"{size:.2f}", "<= 5")]


def training() -> list[tuple[str, str, str]]:
    with tempfile.TemporaryDirectory() as tmp:
        seconds, _ = timed_run([PY, "-m", "relsignals", "train", "--out", tmp, "--quiet"])
    return [("training time on the full training split (s)", f"{seconds:.0f}", "<= 60")]


PARTS = (("reading the texts into token rows", "model.py", "read"),
         ("scoring the texts and the sentences of long posts", "model.py", "score"),
         ("the safety patterns", "safety.py", "screen_many"),
         ("rescoring texts with negated danger words", "classifier.py", "_flag_probs"),
         ("building results", "classifier.py", "_result"))


def profile(rows: list[dict], n: int = 1_000, model: str | None = None) -> None:
    """Share of classify_many's time (evidence off) in each of its parts, from cProfile."""
    import cProfile
    import pstats

    texts = resample(rows, n)
    clf = classifier(model)
    clf.classify("warm up: load the model")
    profiler = cProfile.Profile()
    profiler.enable()
    clf.classify_many(texts, evidence=False)
    profiler.disable()
    stats = pstats.Stats(profiler).stats  # type: ignore[attr-defined]
    total = _seconds(stats, "classifier.py", "classify_many")
    print(f"classify_many over {n:,} resampled texts: {total:.2f} s")
    for label, module, name in PARTS:
        print(f"  {label}: {_seconds(stats, module, name, caller='_classify_batch') / total:.0%}")


def _seconds(stats: dict, module: str, name: str, caller: str | None = None) -> float:
    """Cumulative seconds of one function, counting only calls made by ``caller`` when given."""
    for (path, _, func), (_, _, _, cumulative, callers) in stats.items():
        if Path(path).name == module and func == name:
            if caller is None:
                return cumulative
            return sum(c[3] for (_, _, by), c in callers.items() if by in (caller, "<listcomp>"))
    raise KeyError(f"{module}:{name} not in the profile")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="small sizes, for a smoke run")
    ap.add_argument("--skip-training", action="store_true", help="leave out the training-time measurement")
    ap.add_argument("--profile", action="store_true", help="only profile classify_many over 1,000 texts")
    ap.add_argument("--model", metavar="DIR", help="a stored model directory (default: the bundled model)")
    args = ap.parse_args()
    rows = corpus()
    if args.profile:
        profile(rows, model=args.model)
        return
    table = cold_start(3 if args.quick else 7, args.model)
    table += bulk(rows, 500 if args.quick else 10_000, args.model)
    table += cli_csv(rows, 2_000 if args.quick else 200_000, args.model)
    table += model_size(args.model)
    if not args.skip_training:
        table += training()
    flags = [f for f, on in (("--quick", args.quick), ("--skip-training", args.skip_training)) if on]
    print(f"machine: {platform.machine()}, {platform.system()}, Python {platform.python_version()}, "
          f"{__import__('os').cpu_count()} cores; command: python benchmarks/benchmark.py "
          + " ".join(flags + model_args(args.model)))
    print("\n| measure | value | target |\n|---|---|---|")
    for name, value, target in table:
        print(f"| {name} | {value} | {target} |")


if __name__ == "__main__":
    main()
