"""``python -m relsignals evaluate``: figures for a stored model on a labeled corpus.

Runs the serving path (model, thresholds and safety screen together), so the figures
describe exactly what users get. Writes ``report.md``, ``report.json`` and
``report.png``; reports each ``source`` (written, counsel_chat) separately too.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from ..classifier import Classifier
from ..model import META_FILE, default_model_path, sha256_file
from ..taxonomy import CAUSE_IDS
from .corpus import load_corpus
from .metrics import cause_report, reason_accuracy, safety_report


def score_frame(classifier: Classifier, frame) -> dict[str, Any]:
    """Classify every text of a corpus frame and compute the full report."""
    results = classifier.classify_many(list(frame["text"]))
    proba = np.array([[r.scores[c] for c in CAUSE_IDS] for r in results]).reshape(-1, len(CAUSE_IDS))
    report = cause_report(list(frame["labels"]), [r.labels for r in results], proba,
                          list(frame["primary"]), [r.primary for r in results])
    report["safety"] = safety_report(list(frame["safety"]), [r.safety for r in results])
    unflagged = [not flags for flags in frame["safety"]]
    report["unflagged_texts_flagged"] = float(np.mean([bool(r.safety) for r, u in zip(results, unflagged) if u]))
    report["reason_accuracy"] = reason_accuracy(list(frame["relationship"]), list(frame["labels"]),
                                                [r.labels for r in results], [r.reason for r in results])
    return report


def evaluate_frame(classifier: Classifier, frame) -> dict[str, Any]:
    """Overall figures plus one block per source."""
    report = {"overall": score_frame(classifier, frame), "by_source": {}}
    for source, part in frame.groupby("source", sort=True):
        report["by_source"][str(source)] = score_frame(classifier, part)
    return report


def evaluate_model(model: str | Path | None = None, data: str | Path = "data/test.jsonl",
                   report_dir: str | Path = "reports", *, record: bool | str = False) -> dict[str, Any]:
    """Evaluate ``model`` on ``data``; write the reports; optionally record them in meta.json.

    ``record=True`` (or ``"test"``) stores the figures as ``test_metrics``; another name, e.g.
    ``"probe_short"``, as ``probe_short_metrics``, so a held-out probe set keeps its own record.
    """
    model_dir = Path(model) if model else default_model_path()
    classifier = Classifier.load(model_dir)
    frame = load_corpus(data)
    report = evaluate_frame(classifier, frame)
    report["data"] = {"path": Path(data).as_posix(), "sha256": sha256_file(Path(data)), "n_texts": len(frame)}
    report["model"] = {"path": model_dir.as_posix(), "sha256": classifier.model.meta.get("model_sha256")}
    out = Path(report_dir)
    out.mkdir(parents=True, exist_ok=True)
    (out / "report.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    (out / "report.md").write_text(markdown(report), encoding="utf-8")
    plot(report["overall"], out / "report.png")
    if record:
        _record(model_dir, report, "test" if record is True else str(record))
    return report


def _record(model_dir: Path, report: dict[str, Any], name: str) -> None:
    if not name.isidentifier():
        raise ValueError("a record name is letters, digits and underscores, e.g. test or probe_short")
    meta_path = model_dir / META_FILE
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    meta[f"{name}_metrics"] = {k: report[k] for k in ("data", "overall", "by_source")}
    meta_path.write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")


_SUMMARY = (("macro_f1", "macro F1"), ("micro_f1", "micro F1"), ("section_macro_f1", "section macro F1"),
            ("top1_accuracy", "top-1 accuracy (primary)"), ("empty_stays_empty", "no-cause texts left empty"),
            ("cause_gets_one", "texts with causes that get one"), ("brier", "Brier score"),
            ("ece", "expected calibration error"))


def summary_table(blocks: dict[str, dict[str, Any]]) -> list[str]:
    """Markdown rows: one line per summary figure, one column per block."""
    lines = ["| figure | " + " | ".join(blocks) + " |", "|---|" + "---|" * len(blocks)]
    lines += [f"| {label} | " + " | ".join(f"{b[key]:.3f}" for b in blocks.values()) + " |"
              for key, label in _SUMMARY]
    if all("reason_accuracy" in b for b in blocks.values()):
        lines.append("| right reason when left empty | " + " | ".join(f"{b['reason_accuracy']:.3f}"
                                                                    for b in blocks.values()) + " |")
    for flag in ("abuse", "self_harm"):
        cells = (f"{b['safety'][flag]['recall']:.3f} / {b['safety'][flag]['precision']:.3f}" for b in blocks.values())
        lines.append(f"| {flag} recall / precision | " + " | ".join(cells) + " |")
        if all("false_flag_rate" in b["safety"][flag] for b in blocks.values()):
            rates = (f"{b['safety'][flag]['false_flag_rate']:.3f}" for b in blocks.values())
            lines.append(f"| {flag} false-flag rate | " + " | ".join(rates) + " |")
    lines.append("| texts | " + " | ".join(str(b["n_texts"]) for b in blocks.values()) + " |")
    return lines


def markdown(report: dict[str, Any]) -> str:
    """The report as Markdown."""
    overall = report["overall"]
    lines = [f"# Evaluation on `{report['data']['path']}`", "",
             *summary_table({"all": overall, **report["by_source"]}), "",
             "## Per label (all sources)", "", "| label | precision | recall | F1 | support |", "|---|---|---|---|---|"]
    lines += [f"| {c} | {m['precision']:.3f} | {m['recall']:.3f} | {m['f1']:.3f} | {m['support']} |"
              for c, m in overall["per_label"].items()]
    lines += ["", "## Most confused (gold label missed, other label predicted)", ""]
    lines += [f"- {p['gold']} -> {p['predicted']}: {p['count']}" for p in overall["confused_pairs"][:10]] or ["- none"]
    return "\n".join(lines) + "\n"


def plot(overall: dict[str, Any], path: Path) -> None:
    """Per-label F1 bars and a gold-missed/predicted confusion view."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(13, 5))
    f1 = [overall["per_label"][c]["f1"] for c in CAUSE_IDS]
    ax1.barh(CAUSE_IDS, f1, color="#4C72B0")
    ax1.set_xlim(0, 1)
    ax1.invert_yaxis()
    ax1.set_title(f"Per-label F1 (macro {overall['macro_f1']:.2f})")
    grid = np.zeros((len(CAUSE_IDS), len(CAUSE_IDS)))
    for pair in overall["confused_pairs"]:
        grid[CAUSE_IDS.index(pair["gold"]), CAUSE_IDS.index(pair["predicted"])] = pair["count"]
    ax2.imshow(grid, cmap="Reds")
    ax2.set_xticks(range(len(CAUSE_IDS)), CAUSE_IDS, rotation=60, ha="right", fontsize=8)
    ax2.set_yticks(range(len(CAUSE_IDS)), CAUSE_IDS, fontsize=8)
    ax2.set_xlabel("predicted instead")
    ax2.set_ylabel("gold label missed")
    ax2.set_title("Confused pairs (counts)")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
