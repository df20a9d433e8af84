"""Reading and checking labeled corpora in the labeling guide's format (JSONL or CSV)."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

from ..abstention import GATES
from ..errors import DataError
from ..taxonomy import CAUSE_IDS, SAFETY_FLAGS

COLUMNS = ("id", "text", "labels", "primary", "safety", "source", "notes")
_LIST_COLUMNS = ("labels", "safety")


def _read_jsonl(path: Path) -> list[dict[str, Any]]:
    records = []
    with open(path, encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                records.append(json.loads(line))
            except json.JSONDecodeError:
                raise DataError(f"{path.name} line {n}: not valid JSON") from None
    return records


def _read_csv(path: Path) -> list[dict[str, Any]]:
    with open(path, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    flags = {"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False, "": None}
    for row in rows:
        for col in _LIST_COLUMNS:
            row[col] = [x for x in (row.get(col) or "").split(";") if x]
        if "relationship" in row:
            row["relationship"] = flags.get((row["relationship"] or "").strip().lower(), row["relationship"])
    return rows


def validate_records(records: list[dict[str, Any]], where: str = "corpus") -> None:
    """Raise :class:`DataError` naming the first record that breaks the guide's format."""
    seen: set[str] = set()
    for n, rec in enumerate(records, 1):
        missing = [c for c in ("id", "text", "labels") if c not in rec]
        if missing:
            raise DataError(f"{where} record {n}: missing {', '.join(missing)}")
        if not isinstance(rec["text"], str):
            raise DataError(f"{where} record {n} ({rec['id']}): text is not a string")
        if rec["id"] in seen:
            raise DataError(f"{where} record {n}: duplicate id {rec['id']!r}")
        seen.add(rec["id"])
        for col, valid in (("labels", CAUSE_IDS), ("safety", SAFETY_FLAGS)):
            values = rec.get(col, [])
            if not isinstance(values, list) or set(values) - set(valid):
                raise DataError(f"{where} record {n} ({rec['id']}): {col} must be a list of {', '.join(valid)}")
        related = rec.get("relationship")
        if related is not None and not isinstance(related, bool):
            raise DataError(f"{where} record {n} ({rec['id']}): relationship must be true, false or absent")
        if related is False and rec["labels"]:
            raise DataError(f"{where} record {n} ({rec['id']}): has causes but relationship is false")
        primary = rec.get("primary") or ""
        if (primary and primary not in rec["labels"]) or (rec["labels"] and not primary):
            raise DataError(f"{where} record {n} ({rec['id']}): primary must be one of its labels")


def load_corpus(path: str | Path):
    """Load a labeled corpus (``.jsonl`` or ``.csv``) as a pandas DataFrame, validated.

    Columns: ``id, text, labels, primary, safety, source, notes, relationship``;
    ``labels`` and ``safety`` hold lists; ``relationship`` (is the text about a
    romantic relationship?) is optional and defaults to "has a cause label".
    """
    import pandas as pd

    path = Path(path)
    if not path.is_file():
        raise DataError(f"no corpus file at {path}")
    readers = {".jsonl": _read_jsonl, ".json": _read_jsonl, ".csv": _read_csv}
    if path.suffix not in readers:
        raise DataError(f"{path.name}: unknown corpus format {path.suffix!r}; use .jsonl or .csv")
    records = readers[path.suffix](path)
    validate_records(records, path.name)
    frame = pd.DataFrame.from_records(records)
    for col in COLUMNS:
        if col not in frame:
            frame[col] = [[] for _ in range(len(frame))] if col in _LIST_COLUMNS else ""
    frame["primary"] = frame["primary"].fillna("")
    given = frame["relationship"] if "relationship" in frame else [None] * len(frame)
    frame["relationship"] = [bool(labels) if r is None or r != r else bool(r)
                             for r, labels in zip(given, frame["labels"])]
    return frame[[*COLUMNS, "relationship"]]


def targets(frame) -> list[list[str]]:
    """The estimator's ``y``: cause labels, safety flags and the abstention gates each row passes."""
    about, cause = GATES
    return [list(labels) + list(flags) + ([about] if related else []) + ([cause] if labels else [])
            for labels, flags, related in zip(frame["labels"], frame["safety"], frame["relationship"])]
