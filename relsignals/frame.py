"""pandas: classify a DataFrame column, keeping every row, its index and its order.

>>> import pandas as pd, relsignals
>>> df = pd.DataFrame({"text": ["he lost his job and won't talk to me", None]}, index=["a", "b"])
>>> out = relsignals.classify_frame(df)
>>> list(out.index), out.loc["b", "error"]
(['a', 'b'], 'no text')
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .taxonomy import CAUSE_IDS

if TYPE_CHECKING:
    import pandas as pd

    from .classifier import Classifier

SCORE_COLUMNS = [f"score_{c}" for c in CAUSE_IDS]
COLUMNS = [*SCORE_COLUMNS, "labels", "primary", "sections", "safety", "reason", "error"]


def _problem(value: Any) -> str | None:
    """Why a cell cannot be classified, or None when it holds text."""
    if value is None or (isinstance(value, float) and value != value):
        return "no text"
    if not isinstance(value, str):
        return f"{type(value).__name__}, not text"
    return None


def classify_frame(df: pd.DataFrame, column: str = "text", *, classifier: Classifier | None = None,
                   evidence: bool = False) -> pd.DataFrame:
    """One row per input row, same index and order: a score column per cause, ``labels``,
    ``primary``, ``sections``, ``safety``, ``reason``, and ``error`` (the problem when a row has
    no usable text: such rows are kept, with empty labels and missing scores). With
    ``evidence``, an ``evidence`` column maps each label and flag to its supporting spans.
    """
    import pandas as pd

    from .classifier import default_classifier
    from .errors import InputFileError

    if column not in df.columns:
        raise InputFileError(f"no column {column!r} in the DataFrame; columns: {', '.join(map(str, df.columns))}")
    clf = classifier or default_classifier()
    cells = df[column].tolist()
    problems = [_problem(v) for v in cells]
    good = [v for v, p in zip(cells, problems) if p is None]
    results = iter(clf.classify_many(good, evidence=evidence))
    records: list[dict[str, Any]] = []
    for problem in problems:
        if problem is not None:
            records.append({**dict.fromkeys(SCORE_COLUMNS, float("nan")), "labels": [], "primary": None,
                            "sections": [], "safety": [], "reason": None, "error": problem, "evidence": {}})
            continue
        r = next(results)
        records.append({**{f"score_{c}": r.scores[c] for c in CAUSE_IDS}, "labels": r.labels, "primary": r.primary,
                        "sections": r.sections, "safety": r.safety, "reason": r.reason, "error": None,
                        "evidence": {k: [e.text for e in v] for k, v in r.evidence.items()}})
    out = pd.DataFrame({c: [rec[c] for rec in records] for c in SCORE_COLUMNS}, index=df.index, dtype="float64")
    for c in [*COLUMNS[len(SCORE_COLUMNS):], *(["evidence"] if evidence else [])]:  # object columns keep None
        out[c] = pd.Series([rec[c] for rec in records], index=df.index, dtype=object)
    return out


def empty_frame() -> pd.DataFrame:
    """A zero-row frame with :func:`classify_frame`'s columns and dtypes (Dask's ``meta``)."""
    import pandas as pd

    frame = pd.DataFrame({c: pd.Series(dtype="float64") for c in SCORE_COLUMNS})
    for c in COLUMNS[len(SCORE_COLUMNS):]:
        frame[c] = pd.Series(dtype="object")
    return frame
