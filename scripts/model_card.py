"""Render models/MODEL_CARD.md from models/MODEL_CARD.in.md and the recorded figures.

    python scripts/model_card.py

Also refreshes the figure table in README.md. Fills the markers with tables built from
models/default/meta.json (test, short-probe and cross-validated
figures), models/baselines/tfidf-lr/meta.json (the baseline's test figures) and
models/comparison.md (the model-selection table), so no figure in the card is typed by hand.
"""

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from relsignals.training.evaluate import summary_table  # noqa: E402


def per_label(block: dict) -> str:
    lines = ["| label | precision | recall | F1 | support |", "|---|---|---|---|---|"]
    lines += [f"| {c} | {m['precision']:.3f} | {m['recall']:.3f} | {m['f1']:.3f} | {m['support']} |"
              for c, m in block["per_label"].items()]
    return "\n".join(lines)


def safety_curve(cv: dict) -> str:
    """Out-of-fold recall and false-flag rate of the whole screen at each model threshold."""
    curves = cv["safety_curve"]
    lines = ["| model threshold | " + " | ".join(f"{f} recall | {f} false-flag rate" for f in curves) + " |",
             "|---|" + "---|---|" * len(curves)]
    for k, point in enumerate(next(iter(curves.values()))):
        cells = " | ".join(f"{c[k]['recall']:.3f} | {c[k]['false_flag_rate']:.3f}" for c in curves.values())
        lines.append(f"| {point['threshold']:.2f} | {cells} |")
    return "\n".join(lines)


TARGETS = (  # (figure, where in a test_metrics block, at least / at most, target)
    ("abuse recall", ("safety", "abuse", "recall"), ">=", 0.97),
    ("self_harm recall", ("safety", "self_harm", "recall"), ">=", 0.97),
    ("unflagged texts that get a flag", ("unflagged_texts_flagged",), "<=", 0.03),
    ("abuse false-flag rate", ("safety", "abuse", "false_flag_rate"), "<=", 0.03),
    ("self_harm false-flag rate", ("safety", "self_harm", "false_flag_rate"), "<=", 0.03),
    ("no-cause texts left empty", ("empty_stays_empty",), ">=", 0.85),
    ("texts with causes that get a label", ("cause_gets_one",), ">=", 0.90),
)


def targets(test: dict) -> str:
    """The safety and abstention targets against the recorded test figures, met or not."""
    blocks = {"all": test["overall"], **test["by_source"]}
    lines = ["| target | " + " | ".join(blocks) + " | met on all |", "|---|" + "---|" * (len(blocks) + 1)]
    for name, path, op, goal in TARGETS:
        values = []
        for block in blocks.values():
            for key in path:
                block = block[key]
            values.append(block)
        met = values[0] >= goal if op == ">=" else values[0] <= goal
        lines.append(f"| {name} {op} {goal} | " + " | ".join(f"{v:.3f}" for v in values)
                     + f" | {'yes' if met else '**no**'} |")
    return "\n".join(lines)


def probe_table(probe: dict, name: str) -> str:
    """The recorded figures of a probe set, plus the share of unflagged texts that get a flag."""
    rows = summary_table({name: probe["overall"]})
    rows.insert(-1, f"| unflagged texts that get a flag | {probe['overall']['unflagged_texts_flagged']:.3f} |")
    return "\n".join(rows)


def main() -> None:
    meta = json.loads((ROOT / "models" / "default" / "meta.json").read_text())
    base = json.loads((ROOT / "models" / "baselines" / "tfidf-lr" / "meta.json").read_text())
    test, btest = meta["test_metrics"], base["test_metrics"]
    cv = meta["cv_metrics"]
    fills = {
        "TEST-FIGURES": "\n".join(summary_table({"all": test["overall"], **test["by_source"]})),
        "BASELINE-FIGURES": "\n".join(summary_table({"all": btest["overall"], **btest["by_source"]})),
        "PER-LABEL-WRITTEN": per_label(test["by_source"]["written"]),
        "PER-LABEL-COUNSEL-CHAT": per_label(test["by_source"]["counsel_chat"]),
        "CV-FIGURES": "\n".join(summary_table({"cross-validated": cv})),
        "COMPARISON": (ROOT / "models" / "comparison.md").read_text().strip(),
        "SENSITIVITY": (ROOT / "models" / "sensitivity.md").read_text().strip(),
        "LEARNING-CURVE": (ROOT / "models" / "learning_curve.md").read_text().strip(),
        "EMBEDDINGS": (ROOT / "models" / "experiment_embeddings.md").read_text().strip(),
        "EMBEDDINGS-SAFETY": (ROOT / "models" / "experiment_embeddings_safety.md").read_text().strip(),
        "FINETUNE-SAFETY": (ROOT / "models" / "experiment_finetune_safety.md").read_text().strip(),
        "TRAINING-DATA": (f"`{meta['training_data']['path']}`, {meta['training_data']['n_texts']} texts, "
                          f"SHA-256 `{meta['training_data']['sha256']}`"),
        "THRESHOLDS": ", ".join(f"`{k}` {v:.3f}" for k, v in meta["thresholds"].items()),
        "VERSIONS": ", ".join(f"{k} {v}" for k, v in meta["library_versions"].items()),
        "SAFETY-CURVE": safety_curve(cv),
        "TARGETS": targets(test),
        "SEGMENT-RULE": (json.dumps(meta["segment_rule"]) if meta.get("segment_rule") else "off"),
        "CAUSE-SHARE": f"{meta.get('cause_share', 0.0):.1f}",
        "GATE-BLEND": f"{meta['params'].get('gate_blend', 0.0):.2f}",
        "SHORT-SAFETY": (", ".join(f"`{k}` {v:.3f}" for k, v in meta["short_safety"]["thresholds"].items())
                         if meta.get("short_safety") else "off"),
        "SAFETY-LEARNING-CURVE": (ROOT / "models" / "safety_learning_curve.md").read_text().strip(),
        "CAUSE-GATE": (ROOT / "models" / "cause_gate.md").read_text().strip(),
        "LABEL-MAX-DF": (ROOT / "models" / "label_max_df.md").read_text().strip(),
        "PROBE-SHORT": probe_table(meta["probe_short_metrics"], "short probe"),
        "PROBE-FIGURATIVE": probe_table(meta["probe_figurative_metrics"], "danger-word probe"),
    }
    text = (ROOT / "models" / "MODEL_CARD.in.md").read_text()
    for key, value in fills.items():
        marker = f"<!-- {key} -->"
        if marker not in text:
            raise SystemExit(f"template lacks {marker}")
        text = text.replace(marker, value)
    (ROOT / "models" / "MODEL_CARD.md").write_text(text)
    readme = ROOT / "README.md"
    head, rest = readme.read_text().split("<!-- README-FIGURES -->\n", 1)
    _, tail = rest.split("<!-- /README-FIGURES -->", 1)
    readme.write_text(f"{head}<!-- README-FIGURES -->\n{fills['TEST-FIGURES']}\n<!-- /README-FIGURES -->{tail}")
    print("wrote models/MODEL_CARD.md and the figures in README.md")


if __name__ == "__main__":
    main()
