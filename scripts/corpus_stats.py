"""Counts for the data card: per label, safety flag, source and split, and lengths.

    python scripts/corpus_stats.py            # prints Markdown tables
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from relsignals.taxonomy import CAUSE_IDS, SAFETY_FLAGS  # noqa: E402
from relsignals.training import load_corpus  # noqa: E402


def load() -> pd.DataFrame:
    parts = [load_corpus(ROOT / "data" / f"{s}.jsonl").assign(split=s) for s in ("train", "test")]
    return pd.concat(parts, ignore_index=True)


def counts(frame: pd.DataFrame) -> pd.DataFrame:
    rows = {}
    for (source, split), part in frame.groupby(["source", "split"]):
        col = {c: sum(c in ls for ls in part["labels"]) for c in CAUSE_IDS}
        col["(no cause)"] = sum(not ls for ls in part["labels"])
        col["(not about a relationship)"] = int((~part["relationship"]).sum())
        col["(2-3 causes)"] = sum(len(ls) >= 2 for ls in part["labels"])
        col.update({f"flag: {f}": sum(f in s for s in part["safety"]) for f in SAFETY_FLAGS})
        col["(any flag)"] = sum(bool(s) for s in part["safety"])
        col["texts"] = len(part)
        rows[f"{source}/{split}"] = col
    table = pd.DataFrame(rows)
    table["all"] = table.sum(axis=1)
    return table


def lengths(frame: pd.DataFrame) -> pd.DataFrame:
    bins = [0, 120, 400, 1500, 10**9]
    names = ["< 120", "120-400", "400-1500", "> 1500"]
    out = {}
    for source, part in frame.groupby("source"):
        cut = pd.cut(part["text"].str.len(), bins=bins, labels=names, right=False)
        out[source] = cut.value_counts().reindex(names)
    table = pd.DataFrame(out)
    table.loc["median chars"] = [int(frame.loc[frame.source == s, "text"].str.len().median()) for s in table.columns]
    return table


def markdown(table: pd.DataFrame) -> str:
    head = "| | " + " | ".join(map(str, table.columns)) + " |"
    rule = "|---" * (len(table.columns) + 1) + "|"
    body = ["| " + str(i) + " | " + " | ".join(map(str, row)) + " |" for i, row in table.iterrows()]
    return "\n".join([head, rule, *body])


if __name__ == "__main__":
    corpus = load()
    print(markdown(counts(corpus)))
    print()
    print(markdown(lengths(corpus)))
