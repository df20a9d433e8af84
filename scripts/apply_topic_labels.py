"""Write the ``relationship`` field into data/train.jsonl and data/test.jsonl.

    python scripts/apply_topic_labels.py data/review/topic_labels.jsonl

Texts with a cause label are about a relationship by the labeling guide; every
text without one was read and judged by hand ("is this about a romantic
relationship?"), and those judgments live in ``data/review/topic_labels.jsonl``.
Only the field is added: no text, label or split changes.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

DATA = Path(__file__).resolve().parents[1] / "data"


def main(labels_path: str) -> None:
    judged = {}
    for line in Path(labels_path).read_text(encoding="utf-8").splitlines():
        if line.strip():
            rec = json.loads(line)
            judged[rec["id"]] = bool(rec["relationship"])
    for split in ("train", "test"):
        path = DATA / f"{split}.jsonl"
        rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        missing = [r["id"] for r in rows if not r["labels"] and r["id"] not in judged]
        if missing:
            raise SystemExit(f"{split}: {len(missing)} rows without causes have no topic judgment, e.g. {missing[0]}")
        for row in rows:
            row["relationship"] = True if row["labels"] else judged[row["id"]]
        path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
        print(f"{split}: {sum(r['relationship'] for r in rows)} of {len(rows)} about a relationship")


if __name__ == "__main__":
    main(sys.argv[1])
