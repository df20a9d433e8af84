"""Assemble the labeled corpus into data/train.jsonl and the frozen data/test.jsonl.

    python scripts/build_corpus.py --written STAGING/*.jsonl \
        --cc-labels STAGING/cc_labels.jsonl --questions ../shared/data/counsel_chat/questions.csv

Corrections (``--corrections``, JSONL of ``{"id", "action": "relabel"|"drop", ...}`` from
review and audit resolution) are applied first. Rows already in data/test.jsonl stay
there (the test split is frozen); new rows are split stratified by primary cause and
safety flag (20% of written, 35% of Counsel Chat rows to test). Exact and
near-duplicates (char 5-gram Jaccard >= 0.8) are dropped before splitting and reported.
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import sys
from collections import Counter
from pathlib import Path

from sklearn.model_selection import train_test_split

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from relsignals.text import normalize  # noqa: E402
from relsignals.training.checks import near_duplicate_pairs  # noqa: E402
from relsignals.training.corpus import COLUMNS, validate_records  # noqa: E402

TEST_SHARE = {"written": 0.20, "counsel_chat": 0.35}
SEED = 20261125


def counsel_chat_rows(labels_path: Path, questions_path: Path) -> list[dict]:
    """Join the label file (id cc-<questionID>) with the question texts (title + text)."""
    with open(questions_path, encoding="utf-8", newline="") as fh:
        questions = {q["questionID"]: q for q in csv.DictReader(fh)}
    rows = []
    for line in labels_path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            lab = json.loads(line)
            q = questions[lab["id"].removeprefix("cc-")]
            text = f"{q['questionTitle'].strip()}\n{q['questionText'].strip()}"
            rows.append({**lab, "text": text, "source": "counsel_chat", "notes": lab.get("notes", "")})
    return rows


_NO_FLAG_NOTE = re.compile(r"no flag|^negated:|^past:", re.I)


def apply_corrections(rows: list[dict], paths: list[Path]) -> list[dict]:
    """Relabel or drop rows by id; later files win."""
    fixes = {}
    for path in paths:
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                fix = json.loads(line)
                fixes[fix["id"]] = fix
    unknown = set(fixes) - {r["id"] for r in rows}
    if unknown:
        raise SystemExit(f"corrections name unknown ids: {sorted(unknown)[:5]}")
    out = []
    for r in rows:
        fix = fixes.get(r["id"])
        if fix and fix["action"] == "drop":
            continue
        if fix:
            r = {**r, **{k: fix[k] for k in ("labels", "primary", "safety", "relationship") if k in fix}}
        out.append(r)
    print(f"applied {len(fixes)} corrections ({len(rows) - len(out)} drops)", file=sys.stderr)
    return out


def mark_negated_mentions(rows: list[dict]) -> None:
    """Give every unflagged negated/past mention the same marker in its notes: 'no flag'."""
    for r in rows:
        if not r["safety"] and _NO_FLAG_NOTE.search(r.get("notes", "")) and "no flag" not in r["notes"].lower():
            r["notes"] = r["notes"].rstrip() + " (no flag)"


def dedupe(rows: list[dict]) -> list[dict]:
    """Drop exact and near-duplicate texts, keeping the first of each group."""
    seen, kept = set(), []
    for r in rows:
        key = normalize(r["text"])
        if key not in seen:
            seen.add(key)
            kept.append(r)
    texts = [r["text"] for r in kept]
    drop = {max(i, j) for i, j, _ in near_duplicate_pairs(texts, texts) if i != j}
    print(f"dropped {len(rows) - len(kept)} exact and {len(drop)} near duplicates", file=sys.stderr)
    return [r for k, r in enumerate(kept) if k not in drop]


def strata(rows: list[dict]) -> list[str]:
    keys = [(r.get("primary") or "none") + ("|flag" if r.get("safety") else "") for r in rows]
    counts = Counter(keys)
    return [k if counts[k] >= 4 else "rare" for k in keys]


def split(rows: list[dict], frozen_test: set[str]) -> tuple[list[dict], list[dict]]:
    train, test = [], [r for r in rows if r["id"] in frozen_test]
    for source, share in TEST_SHARE.items():
        new = [r for r in rows if r["source"] == source and r["id"] not in frozen_test]
        if not new:
            continue
        a, b = train_test_split(new, test_size=share, random_state=SEED, stratify=strata(new))
        train += a
        test += b
    return sorted(train, key=lambda r: r["id"]), sorted(test, key=lambda r: r["id"])


def write(path: Path, rows: list[dict]) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        for r in rows:
            fh.write(json.dumps({c: r.get(c, "" if c not in ("labels", "safety") else []) for c in COLUMNS},
                                ensure_ascii=False) + "\n")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--written", nargs="*", default=[], type=Path)
    ap.add_argument("--cc-labels", type=Path)
    ap.add_argument("--questions", type=Path, default=Path("../shared/data/counsel_chat/questions.csv"))
    ap.add_argument("--corrections", nargs="*", default=[], type=Path)
    ap.add_argument("--data-dir", type=Path, default=Path("data"))
    args = ap.parse_args()
    rows = [dict(json.loads(line), source="written") for p in args.written
            for line in p.read_text(encoding="utf-8").splitlines() if line.strip()]
    if args.cc_labels:
        rows += counsel_chat_rows(args.cc_labels, args.questions)
    rows = apply_corrections(rows, args.corrections)
    mark_negated_mentions(rows)
    validate_records(rows, "new rows")
    test_path = args.data_dir / "test.jsonl"
    frozen = ({json.loads(x)["id"] for x in test_path.read_text(encoding="utf-8").splitlines()}
              if test_path.exists() else set())
    kept = dedupe(rows)
    dropped_cc = sorted({r["id"] for r in rows} - {r["id"] for r in kept} & {r["id"] for r in rows
                                                                            if r["source"] == "counsel_chat"})
    (args.data_dir / "counsel_chat").mkdir(parents=True, exist_ok=True)
    (args.data_dir / "counsel_chat" / "dropped.json").write_text(json.dumps(dropped_cc) + "\n", encoding="utf-8")
    train, test = split(kept, frozen)
    write(args.data_dir / "train.jsonl", train)
    write(test_path, test)
    print(f"train {len(train)}, test {len(test)}", file=sys.stderr)


if __name__ == "__main__":
    main()
