"""Quality benchmark: the bundled model against its target and against the TF-IDF + LR baseline.

    python benchmarks/bench_quality.py

Re-scores both stored models on the frozen test split in this run (no tuning happens here)
and prints the written-split macro F1 against the 0.80 target, and the Counsel Chat figures
as ratios to the baseline measured in the same run.
"""

from pathlib import Path

from relsignals.classifier import Classifier
from relsignals.training import evaluate_frame, load_corpus

ROOT = Path(__file__).resolve().parents[1]
TARGET_WRITTEN_MACRO_F1 = 0.80

if __name__ == "__main__":
    frame = load_corpus(ROOT / "data" / "test.jsonl")
    ours = evaluate_frame(Classifier.load(ROOT / "models" / "default"), frame)["by_source"]
    base = evaluate_frame(Classifier.load(ROOT / "models" / "baselines" / "tfidf-lr"), frame)["by_source"]
    written = ours["written"]["macro_f1"]
    print(f"written macro F1 {written:.3f} (target {TARGET_WRITTEN_MACRO_F1}: "
          f"{'met' if written >= TARGET_WRITTEN_MACRO_F1 else 'not met'})")
    for key in ("macro_f1", "micro_f1", "top1_accuracy", "cause_gets_one", "empty_stays_empty"):
        o, b = ours["counsel_chat"][key], base["counsel_chat"][key]
        print(f"counsel_chat {key}: {o:.3f} vs baseline {b:.3f} (ratio {o / b:.2f})")
