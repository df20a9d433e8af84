"""Reading texts from files and writing results, for the CLI and batch users.

Every input row gives exactly one output row, in order: nothing is dropped or
reordered. A row whose text is missing, empty, not text or not UTF-8 is kept and
marked with the problem (``error``); the file itself being unreadable, or lacking
the text column, is an error for the whole job. Rows are read lazily, so a file of
any size streams through in chunks. Problems are named, texts never are.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from .errors import InputFileError
from .result import Result
from .taxonomy import CAUSE_IDS

CSV_FIELDS = ["row", "id", "error", "labels", "primary", "sections", "safety", "reason",
              *(f"score_{c}" for c in CAUSE_IDS), "evidence"]


@dataclass(frozen=True)
class Row:
    """One input row: its text, or the problem that kept it from having one."""

    text: str | None
    id: Any = None
    error: str | None = None


def _format(path: Path) -> str:
    return path.suffix.lower() if path.suffix.lower() in (".csv", ".jsonl", ".json") else ".txt"


def iter_rows(path: str | Path, column: str = "text") -> Iterator[Row]:
    """The rows of an input file, one by one, problems marked (see the module docstring).

    CSV and JSONL take the text from ``column`` (and ``id`` where present); any other
    file is plain text, one per line. Raises :class:`InputFileError` at once when the
    file cannot be opened or a CSV has no such column.
    """
    path = Path(path)
    fmt = _format(path)
    fh: IO[Any]
    try:
        if fmt == ".csv":  # closed by the row generator when it ends
            fh = open(path, encoding="utf-8-sig", errors="surrogateescape", newline="")  # noqa: SIM115
        else:
            fh = open(path, "rb")  # noqa: SIM115
    except FileNotFoundError:
        raise InputFileError(f"input file not found: {path}") from None
    except IsADirectoryError:
        raise InputFileError(f"{path} is a directory, not an input file") from None
    except OSError as exc:
        raise InputFileError(f"cannot read {path}: {exc.strerror}") from None
    readers: dict[str, Callable[[IO[Any], str], Iterator[Row]]] = {".csv": _csv_rows, ".txt": _text_rows}
    rows = readers.get(fmt, _jsonl_rows)(fh, column)
    first = next(rows, None)  # surfaces a missing column before any output is written
    return _chained(first, rows, fh)


def _chained(first: Row | None, rest: Iterator[Row], fh: IO[Any]) -> Iterator[Row]:
    try:
        if first is not None:
            yield first
        yield from rest
    finally:
        fh.close()


def _checked(text: Any, ident: Any, column: str) -> Row:
    if text is None:
        return Row(None, ident, f"no {column!r} value")
    if not isinstance(text, str):
        return Row(None, ident, f"{column!r} is {type(text).__name__}, not text")
    if any("\udc80" <= ch <= "\udcff" for ch in text):
        return Row(None, ident, "not UTF-8")
    if not text.strip():
        return Row(None, ident, "empty text")
    return Row(text, ident)


def _csv_rows(fh: IO[str], column: str) -> Iterator[Row]:
    reader = csv.DictReader(fh)
    if not reader.fieldnames or column not in reader.fieldnames:
        found = ", ".join(reader.fieldnames or []) or "none"
        raise InputFileError(f"no column {column!r} in the CSV; columns found: {found}")
    for rec in reader:
        yield _checked(rec.get(column), rec.get("id"), column)


def _decoded_lines(fh: IO[bytes]) -> Iterator[str | None]:
    """Each line as text, or None when it is not UTF-8 (a byte-order mark is dropped)."""
    for n, raw in enumerate(fh):
        if n == 0 and raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]
        try:
            yield raw.decode("utf-8").rstrip("\r\n")
        except UnicodeDecodeError:
            yield None


def _text_rows(fh: IO[bytes], column: str) -> Iterator[Row]:
    for line in _decoded_lines(fh):
        yield Row(None, None, "not UTF-8") if line is None else _checked(line, None, "line")


def _jsonl_rows(fh: IO[bytes], column: str) -> Iterator[Row]:
    for line in _decoded_lines(fh):
        if line is None:
            yield Row(None, None, "not UTF-8")
            continue
        if not line.strip():
            continue  # blank lines separate nothing in JSONL: they are not rows
        try:
            rec = json.loads(line)
        except json.JSONDecodeError:
            yield Row(None, None, "not valid JSON")
            continue
        if not isinstance(rec, dict):
            yield Row(None, None, f"not a JSON object with a {column!r} field")
            continue
        yield _checked(rec.get(column), rec.get("id"), column)


def flat_record(result: Result | None, row: int, ident: Any = None, error: str | None = None) -> dict[str, Any]:
    """One output row: position, optional id, the problem if any, and the result's fields."""
    rec: dict[str, Any] = {"row": row}
    if ident is not None:
        rec["id"] = ident
    if error is not None or result is None:
        rec["error"] = error
        return rec
    rec.update(result.to_dict())
    return rec


class ResultWriter:
    """Writes output rows to an open text stream, one at a time: JSONL records from
    :func:`flat_record`, or CSV rows from :func:`relsignals.classify_frame`'s output.
    """

    def __init__(self, fh: IO[str], fmt: str):
        self.fh, self.fmt = fh, fmt
        self._csv: csv.DictWriter | None = None
        if fmt == ".csv":
            self._csv = csv.DictWriter(fh, fieldnames=CSV_FIELDS, extrasaction="ignore")
            self._csv.writeheader()

    def write_frame_row(self, row: int, ident: Any, error: str | None, rec: dict[str, Any]) -> None:
        """Write one row of :func:`relsignals.classify_frame`'s output (CSV only)."""
        assert self._csv is not None
        flat = {"row": row, "id": ident, "error": error}
        flat.update({k: ";".join(rec[k]) for k in ("labels", "sections", "safety")})
        flat.update(primary=rec["primary"], reason=rec["reason"])
        flat.update({f"score_{c}": "" if error else f"{rec[f'score_{c}']:.4f}" for c in CAUSE_IDS})
        flat["evidence"] = json.dumps(rec["evidence"], ensure_ascii=False) if rec.get("evidence") else ""
        self._csv.writerow(flat)

    def write(self, rec: dict[str, Any]) -> None:
        """Write one :func:`flat_record` (JSONL only)."""
        assert self._csv is None
        self.fh.write(json.dumps(rec, ensure_ascii=False) + "\n")


def output_format(path: str | Path) -> str:
    """``.csv`` or ``.jsonl`` from an output path's extension (an error for anything else)."""
    fmt = Path(path).suffix.lower()
    if fmt not in (".csv", ".jsonl", ".json"):
        raise InputFileError(f"unknown output format {Path(path).suffix or '(none)'!r}; use .csv or .jsonl")
    return ".csv" if fmt == ".csv" else ".jsonl"
