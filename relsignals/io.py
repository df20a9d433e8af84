"""Reading texts from files and writing results, for the CLI and batch users.

Every input row gives exactly one output row, in order: nothing is dropped, and a
row that cannot be read stops the job with an error naming the row (never its text).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

from .errors import InputFileError
from .result import Result
from .taxonomy import CAUSE_IDS

TABLE_FORMATS = (".csv", ".jsonl", ".json", ".txt")


def _format(path: Path) -> str:
    return path.suffix.lower() if path.suffix.lower() in (".csv", ".jsonl", ".json") else ".txt"


def read_rows(path: str | Path, column: str = "text") -> list[dict[str, Any]]:
    """Rows of an input file as dicts with ``text`` (and ``id`` where the file has one).

    CSV and JSONL take the text from ``column``; any other file is plain text, one per line.
    """
    path = Path(path)
    try:
        with open(path, encoding="utf-8-sig", newline="") as fh:  # -sig: tolerate Excel's BOM
            fmt = _format(path)
            if fmt == ".txt":
                return [{"text": line} for line in fh.read().splitlines()]
            return list(_read_csv(fh, column) if fmt == ".csv" else _read_jsonl(fh, column))
    except FileNotFoundError:
        raise InputFileError(f"input file not found: {path}") from None
    except UnicodeDecodeError:
        raise InputFileError(f"{path.name} is not UTF-8 text") from None


def _row(text: Any, ident: Any, n: int, column: str) -> dict[str, Any]:
    if not isinstance(text, str):
        raise InputFileError(f"row {n}: column {column!r} is missing or not text")
    return {"text": text} if ident is None else {"id": ident, "text": text}


def _read_csv(fh: IO[str], column: str) -> Iterator[dict[str, Any]]:
    reader = csv.DictReader(fh)
    if not reader.fieldnames or column not in reader.fieldnames:
        found = ", ".join(reader.fieldnames or []) or "none"
        raise InputFileError(f"no column {column!r} in the CSV; columns found: {found}")
    for n, rec in enumerate(reader, 1):
        yield _row(rec.get(column), rec.get("id"), n, column)


def _read_jsonl(fh: IO[str], column: str) -> Iterator[dict[str, Any]]:
    for n, line in enumerate(fh, 1):
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
        except json.JSONDecodeError:
            raise InputFileError(f"line {n}: not valid JSON") from None
        if not isinstance(rec, dict):
            raise InputFileError(f"line {n}: expected a JSON object with a {column!r} field")
        yield _row(rec.get(column), rec.get("id"), n, column)


def flat_record(result: Result, row: int, ident: Any = None) -> dict[str, Any]:
    """One output row: position, optional id, labels, primary, safety and every score."""
    rec: dict[str, Any] = {"row": row}
    if ident is not None:
        rec["id"] = ident
    rec.update(result.to_dict())
    return rec


def write_results(path: str | Path, results: Iterable[Result], rows: list[dict[str, Any]]) -> None:
    """Write results next to their input rows, as CSV or JSONL (chosen by extension)."""
    path = Path(path)
    fmt = path.suffix.lower()
    if fmt not in (".csv", ".jsonl", ".json"):
        raise InputFileError(f"unknown output format {path.suffix or '(none)'!r}; use .csv or .jsonl")
    try:
        with open(path, "w", encoding="utf-8", newline="") as fh:
            records = (flat_record(r, i, row.get("id")) for i, (r, row) in enumerate(zip(results, rows)))
            (_write_csv if fmt == ".csv" else _write_jsonl)(fh, records)
    except OSError as exc:
        raise InputFileError(f"cannot write {path}: {exc.strerror}") from None


def _write_jsonl(fh: IO[str], records: Iterable[dict[str, Any]]) -> None:
    for rec in records:
        fh.write(json.dumps(rec, ensure_ascii=False) + "\n")


def _write_csv(fh: IO[str], records: Iterable[dict[str, Any]]) -> None:
    fields = ["row", "id", "labels", "primary", "sections", "safety", "reason"] + [f"score_{c}" for c in CAUSE_IDS]
    fields.append("evidence")
    writer = csv.DictWriter(fh, fieldnames=fields, extrasaction="ignore")
    writer.writeheader()
    for rec in records:
        flat = {k: ";".join(v) if isinstance(v, list) else v for k, v in rec.items()
                if k not in ("scores", "advice", "evidence")}
        flat.update({f"score_{c}": f"{s:.4f}" for c, s in rec["scores"].items()})
        flat["evidence"] = json.dumps({k: [e["text"] for e in v] for k, v in rec["evidence"].items()},
                                      ensure_ascii=False) if rec["evidence"] else ""
        writer.writerow(flat)
