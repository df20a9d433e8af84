"""Command line: ``python -m relsignals classify|categories|advice|train|evaluate``.

Results go to stdout, everything else to stderr. Exit 0 on success and 2 on a usage
or input error, with a one-line message and no traceback. Texts are never echoed.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from typing import Any

from .errors import RelSignalsError

EXIT_USAGE = 2
EXIT_ROWS_FAILED = 1  # the job ran, but some input rows had no usable text (marked in the output)


class UsageError(Exception):
    """A command-line usage error."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line, exit 2 (argparse prints the full usage)
        raise UsageError(message)


def _build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="relsignals", description=(
        "Which causes from the article are at work in someone's words about a partner. "
        "Not therapy, not a diagnosis."))
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    p = sub.add_parser("classify", help="classify text(s)", description=(
        "Classify one text (argument, or stdin with '-' or no argument) or a file of texts."))
    p.add_argument("text", nargs="?", help="the text; '-' or nothing reads stdin")
    p.add_argument("--json", action="store_true", help="one JSON object per text")
    p.add_argument("--input", metavar="FILE", help="CSV, JSONL, or plain text with one text per line")
    p.add_argument("--column", default="text", help="column holding the text in CSV/JSONL (default: text)")
    p.add_argument("--output", metavar="FILE", help="write results to FILE (.csv or .jsonl), one row per input row")
    p.add_argument("--model", metavar="DIR", help="a stored model directory (default: the bundled model)")
    p.add_argument("--resources", metavar="FILE", help="JSON list of crisis resources to show instead of the default")
    p.add_argument("--no-evidence", action="store_true", help="skip the evidence spans (faster over many texts)")

    p = sub.add_parser("categories", help="list the nine causes", description="List the nine causes.")
    p.add_argument("--json", action="store_true", help="print JSON")

    p = sub.add_parser("advice", help="what the article advises for a cause",
                       description="Show the advice for a cause id or safety flag.")
    p.add_argument("id", help="a cause id (see `categories`) or abuse / self_harm")
    p.add_argument("--json", action="store_true", help="print JSON")

    p = sub.add_parser("train", help="train a model on a labeled corpus", description=(
        "Train the classifier on a corpus in the labeling guide's format and save it."))
    p.add_argument("--data", default="data/train.jsonl", help="training corpus (default: data/train.jsonl)")
    p.add_argument("--out", default="models/default", help="output model directory (default: models/default)")
    p.add_argument("--seed", type=int, default=0, help="random seed (default: 0)")
    p.add_argument("--quiet", action="store_true", help="no progress display")
    p.add_argument("--candidate", metavar="NAME", help="train a named model-selection candidate instead of the default")
    p.add_argument("--jobs", type=int, default=-1, help="folds fitted at a time (default: -1, all cores)")

    p = sub.add_parser("evaluate", help="evaluate a model on a labeled corpus", description=(
        "Evaluate a model on a labeled corpus; writes report.md, report.json and report.png."))
    p.add_argument("--model", metavar="DIR", help="model directory (default: the bundled model)")
    p.add_argument("--data", default="data/test.jsonl", help="labeled corpus (default: data/test.jsonl)")
    p.add_argument("--report-dir", default="reports", help="where to write the reports (default: reports)")
    p.add_argument("--record", nargs="?", const="test", metavar="NAME",
                   help="store the figures in the model's meta.json under NAME_metrics (default NAME: test)")
    p = sub.add_parser("compare", help="cross-validate the candidate models on the training split", description=(
        "Cross-validate every candidate model on the training split and write a comparison table."))
    p.add_argument("--data", default="data/train.jsonl", help="training corpus (default: data/train.jsonl)")
    p.add_argument("--cv", type=int, default=5, help="number of folds (default: 5)")
    p.add_argument("--seed", type=int, default=0, help="random seed (default: 0)")
    p.add_argument("--only", nargs="+", metavar="NAME", help="only these candidates (default: all)")
    p.add_argument("--jobs", type=int, default=1, help="candidates cross-validated in parallel (default: 1)")
    p.add_argument("--out", default="models/comparison", help="output path without extension (.json and .md)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit code."""
    try:
        args = _build_parser().parse_args(argv)
        return _COMMANDS[args.command](args)
    except (UsageError, RelSignalsError) as exc:
        print(f"relsignals: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:  # e.g. `| head`: stop quietly
        sys.stderr.close()
        return 0
    except KeyboardInterrupt:
        print("relsignals: interrupted", file=sys.stderr)
        return 130


def _dump(obj: Any) -> None:
    print(json.dumps(obj, ensure_ascii=False))


def _cmd_classify(args: argparse.Namespace) -> int:
    from .advice import set_crisis_resources
    from .classifier import Classifier, default_classifier

    if args.resources:
        set_crisis_resources(args.resources)
    if args.input and args.text is not None:
        raise UsageError("give either a text or --input FILE, not both")
    if args.output and not args.input:
        raise UsageError("--output needs --input FILE")
    if args.input:
        from .io import iter_rows, output_format

        rows = iter_rows(args.input, args.column)  # fails fast on a missing file or column
        fmt = output_format(args.output) if args.output else (".jsonl" if args.json else "readable")
        clf = Classifier.load(args.model) if args.model else default_classifier()
        return _classify_file(clf, rows, args, fmt)
    text = sys.stdin.read() if args.text in (None, "-") else args.text
    clf = Classifier.load(args.model) if args.model else default_classifier()
    result = clf.classify(text, evidence=not args.no_evidence)
    print(json.dumps(result.to_dict(), ensure_ascii=False) if args.json else _readable(result))
    return 0


CHUNK = 1000


def _classify_file(clf: Any, rows: Any, args: argparse.Namespace, fmt: str) -> int:
    """Stream rows through the classifier in chunks; one output row per input row, in order."""
    from .io import ResultWriter

    out = sys.stdout if not args.output else _open_output(args.output)
    writer = None if fmt == "readable" else ResultWriter(out, fmt)
    progress = _Progress(_count_lines(args.input) if sys.stderr.isatty() else None)
    done = failed = 0
    try:
        for chunk in _chunks(rows, CHUNK):
            failed += _write_chunk(clf, chunk, done, writer, out, not args.no_evidence)
            done += len(chunk)
            progress.show(done)
    finally:
        progress.close()
        if args.output:
            out.close()
    where = f" to {args.output}" if args.output else ""
    note = f"; {failed} failed (see the error field)" if failed else ""
    if args.output or failed:
        print(f"relsignals: wrote {done} rows{where}{note}", file=sys.stderr)
    return EXIT_ROWS_FAILED if failed else 0


def _write_chunk(clf: Any, chunk: list[Any], offset: int, writer: Any, out: Any, evidence: bool) -> int:
    from .io import flat_record

    if writer is not None and writer.fmt == ".csv":  # CSV output: the same function as relsignals.classify_frame
        _write_frame_chunk(clf, chunk, offset, writer, evidence)
        return sum(row.error is not None for row in chunk)
    good = [row.text for row in chunk if row.error is None]
    results = iter(clf.classify_many(good, evidence=evidence))
    for i, row in enumerate(chunk, offset):
        result = next(results) if row.error is None else None
        if writer is not None:
            writer.write(flat_record(result, i, row.id, row.error))
        else:
            body = _readable(result) if result is not None else f"error: {row.error}"
            print(("\n" if i else "") + f"row {i}" + (f" (id {row.id})" if row.id is not None else "") + "\n" + body,
                  file=out)
    return sum(row.error is not None for row in chunk)


def _write_frame_chunk(clf: Any, chunk: list[Any], offset: int, writer: Any, evidence: bool) -> None:
    import pandas as pd

    from .frame import classify_frame

    frame = classify_frame(pd.DataFrame({"text": [row.text for row in chunk]}), classifier=clf, evidence=evidence)
    for i, (row, rec) in enumerate(zip(chunk, frame.to_dict("records")), offset):
        writer.write_frame_row(i, row.id, row.error or rec["error"], rec)


def _chunks(rows: Any, size: int) -> Any:
    chunk = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _open_output(path: str) -> Any:
    from .errors import InputFileError

    try:
        return open(path, "w", encoding="utf-8", newline="")
    except OSError as exc:
        raise InputFileError(f"cannot write {path}: {exc.strerror}") from None


def _count_lines(path: str) -> int | None:
    """Lines in a file (a quick upper bound on its rows, for the progress bar)."""
    try:
        with open(path, "rb") as fh:
            return sum(chunk.count(b"\n") for chunk in iter(lambda: fh.read(1 << 20), b""))
    except OSError:
        return None


class _Progress:
    """A one-line progress bar on stderr (only when stderr is a terminal)."""

    def __init__(self, total: int | None):
        self.total, self.active = total, total is not None

    def show(self, done: int) -> None:
        if self.active:
            share = min(done / self.total, 1.0) if self.total else 1.0
            bar = "#" * int(30 * share)
            print(f"\rrelsignals: [{bar:<30}] {done:,} rows", end="", file=sys.stderr, flush=True)

    def close(self) -> None:
        if self.active:
            print(file=sys.stderr)


def _readable(result: Any) -> str:
    causes = ", ".join(f"{c} {result.scores[c]:.2f}" for c in result.labels)
    lines = ["causes:  " + (causes or f"none ({result.reason})")]
    lines.append("safety:  " + (", ".join(result.safety) or "none"))
    if result.evidence:
        lines.append("evidence:")
        lines.extend(f"  {label}: \"{_clip(spans[0].text)}\" ({spans[0].weight:.2f})"
                     for label, spans in result.evidence.items() if spans)
    if result.advice:
        lines.append("advice:")
        lines.extend(_advice_lines(result.advice[0]))
    return "\n".join(lines)


def _clip(text: str, width: int = 100) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 3] + "..."


def _advice_lines(entry: Any) -> list[str]:
    where = f" (article {entry.section})" if entry.section else ""
    lines = [f"  {entry.title}{where}: {entry.summary}"]
    lines.extend(f"  - {step}" for step in entry.steps)
    lines.extend(f"  * {r.name}: {r.contact}" for r in entry.resources)
    for coping in entry.coping:
        lines.append(f"  {coping.title} (article {coping.section}):")
        lines.extend(f"  - {step}" for step in coping.steps)
    return lines


def _cmd_categories(args: argparse.Namespace) -> int:
    from .taxonomy import categories

    cats = categories()
    if args.json:
        _dump(cats)
        return 0
    for c in cats:
        print(f"{c['number']:<4} {c['id']:<22} {c['title']}: {c['description']}")
    return 0


def _cmd_advice(args: argparse.Namespace) -> int:
    from .advice import advice

    entry = advice(args.id)
    if args.json:
        _dump(entry.to_dict())
    else:
        print("\n".join(_advice_lines(entry)))
    return 0


def _cmd_train(args: argparse.Namespace) -> int:
    from .training.train import train

    try:
        result = train(args.data, args.out, seed=args.seed, progress=not args.quiet, candidate=args.candidate,
                       n_jobs=args.jobs)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    cv = result["cv_metrics"]
    note = f" (cross-validated macro F1 {cv['macro_f1']:.3f})" if cv else ""
    print(f"relsignals: saved model to {result['path']}{note}", file=sys.stderr)
    return 0


def _cmd_evaluate(args: argparse.Namespace) -> int:
    from .training.evaluate import evaluate_model

    report = evaluate_model(args.model, args.data, args.report_dir, record=args.record)
    print(f"relsignals: macro F1 {report['overall']['macro_f1']:.3f}; reports in {args.report_dir}",
          file=sys.stderr)
    return 0


def _cmd_compare(args: argparse.Namespace) -> int:
    from pathlib import Path

    from .training import load_corpus
    from .training.selection import compare, markdown_table

    results = compare(load_corpus(args.data), args.only, cv=args.cv, seed=args.seed, n_jobs=args.jobs)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.with_suffix(".json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    out.with_suffix(".md").write_text(markdown_table(results), encoding="utf-8")
    print(markdown_table(results))
    return 0


_COMMANDS = {"classify": _cmd_classify, "categories": _cmd_categories, "advice": _cmd_advice,
             "train": _cmd_train, "evaluate": _cmd_evaluate, "compare": _cmd_compare}
