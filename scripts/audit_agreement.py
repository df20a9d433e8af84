"""Agreement between two independent labeling passes (the corpus audit).

    python scripts/audit_agreement.py data/audit/counsel_chat_audit.jsonl data/audit/written_audit.jsonl

Each audit file holds one row per audited text: ``id``, ``pass1`` and ``pass2`` (each with
``labels`` and ``safety``) and ``resolved`` (the labels that landed). Prints per-label F1
between the passes (symmetric), macro F1 over the nine causes, exact-match rates and
safety agreement, as Markdown.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from relsignals.taxonomy import CAUSE_IDS, SAFETY_FLAGS  # noqa: E402
from relsignals.training.metrics import indicator, per_label  # noqa: E402


def agreement(rows: list[dict]) -> dict:
    """Per-label and macro F1 of pass 2 against pass 1, plus exact-match rates."""
    a = indicator([r["pass1"]["labels"] for r in rows], CAUSE_IDS)
    b = indicator([r["pass2"]["labels"] for r in rows], CAUSE_IDS)
    labels = per_label(a, b, CAUSE_IDS)
    present = [m["f1"] for c, m in labels.items() if m["support"] or (b[:, CAUSE_IDS.index(c)]).any()]
    sa = indicator([r["pass1"]["safety"] for r in rows], SAFETY_FLAGS)
    sb = indicator([r["pass2"]["safety"] for r in rows], SAFETY_FLAGS)
    return {
        "n": len(rows),
        "per_label": labels,
        "macro_f1": float(np.mean(present)) if present else 0.0,
        "exact_label_match": float(np.mean((a == b).all(axis=1))),
        "both_no_cause": int(np.sum(~a.any(axis=1) & ~b.any(axis=1))),
        "safety": per_label(sa, sb, SAFETY_FLAGS),
        "changed_by_resolution": sum(r["resolved"]["labels"] != r["pass1"]["labels"]
                                     or r["resolved"]["safety"] != r["pass1"]["safety"] for r in rows),
    }


def main() -> None:
    for path in sys.argv[1:]:
        rows = [json.loads(x) for x in Path(path).read_text(encoding="utf-8").splitlines() if x.strip()]
        r = agreement(rows)
        print(f"## {Path(path).name}: {r['n']} texts\n")
        print(f"- macro F1 between passes (causes present in the sample): {r['macro_f1']:.3f}")
        print(f"- exact label-set match: {r['exact_label_match']:.3f}; both passes no cause: {r['both_no_cause']}")
        print(f"- rows whose landed labels differ from pass 1 after resolution: {r['changed_by_resolution']}\n")
        print("| label | F1 | pass-1 count |\n|---|---|---|")
        for c, m in {**r["per_label"], **r["safety"]}.items():
            print(f"| {c} | {m['f1']:.3f} | {m['support']} |")
        print()


if __name__ == "__main__":
    main()
