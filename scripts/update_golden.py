"""Rewrite tests/golden/predictions.jsonl from the bundled model (run after retraining, then review the diff).

    python scripts/update_golden.py
"""

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
import relsignals  # noqa: E402

path = ROOT / "tests" / "golden" / "predictions.jsonl"
texts = json.loads((ROOT / "tests" / "golden" / "texts.json").read_text(encoding="utf-8"))
with open(path, "w", encoding="utf-8") as fh:
    for text, r in zip(texts, relsignals.classify_many(texts)):
        fh.write(json.dumps({"text": text, "labels": r.labels, "safety": r.safety, "scores": r.scores}) + "\n")
print(f"wrote {len(texts)} golden predictions to {path}")
