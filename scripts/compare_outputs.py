"""Dump every result field of relsignals over all corpus texts (and odd inputs), or compare with an earlier dump.

    python scripts/compare_outputs.py /tmp/before.pkl                     # write a dump
    PYTHONPATH=<other checkout> python scripts/compare_outputs.py /tmp/after.pkl /tmp/before.pkl

The second form writes a dump of the checkout it imports, then counts the results that differ
from the earlier dump (exit 1 on any) and prints the largest difference of the raw
probabilities. It is how a speed change shows that it changed no output: the texts are the
training and test splits, both probe sets and 215 odd inputs (empty, whitespace, control
characters, non-ASCII, two texts spliced at a random place), classified at batch sizes 1 (every
third text), 7, 256 and 1,000, with evidence on and off at 7 and 256, and in reverse order by a
second classifier (other cache states). The dumps hold people's texts: keep them out of the
repository and delete them after use.
"""

from __future__ import annotations

import json
import pickle
import random
import sys
from dataclasses import asdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ("data/train.jsonl", "data/test.jsonl", "data/probes/short.jsonl", "data/probes/figurative.jsonl")
ODD = ["", " ", "\n\n", "Hit me.\nHe HIT me", "he didn't hit me but he hits the kids",
       "I\u2019m scared of him\u2026 \U0001F622", "x" * 5000, "^^^ caret ^ text", "\x01 glue \x01",
       "Priya and Jake hit me", "\u0645\u0631\u062d\u0628\u0627 he hit me", "he\u00a0hit\u00a0me", "\ufb01ne \ufb01ne",
       "he\thit\tme\r\nnow", "a\x00b"]
RUNS = ((1, False), (7, False), (7, True), (256, False), (256, True), (1000, False))


def texts() -> list[str]:
    """The corpus texts, then the odd inputs (the same ones on every run: seed 1)."""
    found = [json.loads(line)["text"] for name in SOURCES
             for line in (ROOT / name).read_text(encoding="utf-8").splitlines()]
    rng = random.Random(1)
    spliced = []
    for _ in range(200):
        a, b = rng.choice(found), rng.choice(found)
        glue = rng.choice(["\n", " ", "  ", "\t", "\u2019", "\u00e9", ".", ""])
        spliced.append(a[:rng.randrange(len(a) + 1)] + glue + b[:rng.randrange(len(b) + 1)])
    return found + ODD + spliced


def dump(all_texts: list[str]) -> dict:
    from relsignals import Classifier

    clf = Classifier.load()
    out: dict = {}
    for size, evidence in RUNS:
        subset = all_texts[::3] if size == 1 else all_texts
        out[(size, evidence)] = [asdict(r) for r in clf.classify_many(subset, batch_size=size, evidence=evidence)]
    fresh = Classifier.load()
    out["reversed"] = [asdict(r) for r in reversed(fresh.classify_many(all_texts[::-1], evidence=False))]
    out["proba"] = fresh.model.predict_proba(all_texts)
    return out


def differences(new: dict, old: dict) -> int:
    """Results that differ between two dumps (a missing or extra result counts as one)."""
    return sum(sum(a != b for a, b in zip(old[key], new[key])) + abs(len(old[key]) - len(new[key]))
               for key in old if key != "proba")


def main() -> None:
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    new = dump(texts())
    with open(sys.argv[1], "wb") as fh:
        pickle.dump(new, fh)
    print(f"dumped {sum(len(v) for k, v in new.items() if k != 'proba'):,} results to {sys.argv[1]}")
    if len(sys.argv) == 3:
        with open(sys.argv[2], "rb") as fh:
            old = pickle.load(fh)
        print(f"max |proba diff| {float(abs(new['proba'] - old['proba']).max())}")
        bad = differences(new, old)
        print(f"differences: {bad}")
        sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
