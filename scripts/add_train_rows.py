"""Add reviewed new rows to data/train.jsonl only; the frozen test split never changes.

    python scripts/add_train_rows.py STAGING/abuse.jsonl ... --corrections STAGING/review_*.jsonl

Review corrections (``relabel``/``drop`` by id, as from the review brief) are applied
first. Rows that repeat a text already in either split, exactly or nearly (char
5-gram Jaccard >= 0.8), are dropped and reported. Every row is validated against
the labeling guide's format before anything is written.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from build_corpus import apply_corrections  # noqa: E402

from relsignals.text import normalize  # noqa: E402
from relsignals.training.checks import near_duplicate_pairs  # noqa: E402
from relsignals.training.corpus import COLUMNS, validate_records  # noqa: E402

FIELDS = (*COLUMNS, "relationship")


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("files", nargs="+", type=Path)
    ap.add_argument("--corrections", nargs="*", default=[], type=Path)
    ap.add_argument("--data-dir", type=Path, default=Path("data"))
    args = ap.parse_args()
    new = [dict(r, source="written") for p in args.files for r in read_jsonl(p)]
    new = apply_corrections(new, args.corrections)
    for row in new:
        row["relationship"] = bool(row.get("relationship", True)) or bool(row["labels"])
    validate_records(new, "new rows")
    train_path = args.data_dir / "train.jsonl"
    train, test = read_jsonl(train_path), read_jsonl(args.data_dir / "test.jsonl")
    known = {normalize(r["text"]) for r in train + test}
    ids = {r["id"] for r in train + test}
    fresh = [r for r in new if normalize(r["text"]) not in known and r["id"] not in ids]
    near = {i for i, _, _ in near_duplicate_pairs([r["text"] for r in fresh], [r["text"] for r in train + test])}
    near |= {max(i, j) for i, j, _ in near_duplicate_pairs([r["text"] for r in fresh], [r["text"] for r in fresh])
             if i != j}
    kept = [r for k, r in enumerate(fresh) if k not in near]
    rows = sorted(train + [{f: r.get(f, "") for f in FIELDS} for r in kept], key=lambda r: r["id"])
    validate_records(rows, "train")
    train_path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    print(f"added {len(kept)} rows to {train_path} ({len(new) - len(fresh)} repeats, {len(near)} near copies "
          f"dropped); train now {len(rows)}", file=sys.stderr)


if __name__ == "__main__":
    main()
