"""Loading, verifying and scoring the stored model (the serving half).

A stored model is a directory holding ``model.npz`` (plain arrays: weights,
vocabularies, thresholds, and a JSON config; loaded with ``allow_pickle=False``, so
a model file cannot run code) and ``meta.json`` (readable metadata: format version,
label ids in column order, data fingerprint, metrics). Serving needs only numpy, so
it starts fast. Models saved by relsignals 0.1 as ``model.joblib`` (a pickle) load
only with ``trusted=True``.
"""

from __future__ import annotations

import hashlib
import json
import math
import warnings
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from . import __version__
from .errors import ModelLoadError
from .text import analyzer, segments, windows

# 2 adds the abstention gate columns and the long-text sentence rule; 3 the token features
FORMAT_VERSION = 3
READABLE_FORMATS = (1, 2, 3)
MODEL_FILE = "model.npz"
LEGACY_MODEL_FILE = "model.joblib"  # relsignals 0.1: a pickle, loaded only when trusted
META_FILE = "meta.json"
_REQUIRED = ("format_version", "labels", "blocks", "coef", "intercept", "calib_a", "calib_b", "thresholds")


def sha256_file(path: Path) -> str:
    """Hex SHA-256 of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


POOL_MIN_CHARS = 400


def long_text_pieces(texts: list[str], split: Callable[[str], list[Any]],
                     min_chars: int = POOL_MIN_CHARS) -> tuple[list[int], list[Any]]:
    """(owner row, piece) of every piece ``split`` gives for texts at least ``min_chars`` long (2+ pieces)."""
    owners, parts = [], []
    for row, text in enumerate(texts):
        if len(text) >= min_chars:
            pieces = split(text)
            if len(pieces) > 1:
                owners.extend([row] * len(pieces))
                parts.extend(pieces)
    return owners, parts


def max_pool(z: np.ndarray, texts: list[str], score: Callable[[list[str]], np.ndarray]) -> np.ndarray:
    """Raise each long text's scores to its best sentence window's (per label)."""
    owners, parts = long_text_pieces(texts, windows)
    if parts:
        z = z.copy()
        np.maximum.at(z, np.asarray(owners), score(parts))
    return z


def segment_pieces(texts: list[str], min_chars: int = POOL_MIN_CHARS) -> tuple[list[int], list[tuple[int, int]]]:
    """(owner row, span) of every sentence or clause of the texts at least ``min_chars`` long."""
    return long_text_pieces(texts, segments, min_chars)


def segment_max(z_shape: tuple[int, int], owners: list[int], span_scores: np.ndarray) -> np.ndarray:
    """Per text and label, the best score of its segments (``-inf`` for texts without segments).

    Callers list a text's segments together, so each run of one owner is reduced at once:
    far faster than ``np.maximum.at`` row by row, and a maximum does not depend on order.
    """
    from .features import run_starts

    out = np.full(z_shape, -np.inf)
    if owners:
        rows = np.asarray(owners)
        first = run_starts(rows)
        np.maximum.at(out, rows[first], np.maximum.reduceat(span_scores, first, axis=0))
    return out


class _Block:
    """One TF-IDF feature block: an analyzer, its vocabulary and idf weights."""

    def __init__(self, spec: dict[str, Any], offset: int):
        self.analyze = analyzer(spec["analyzer"], **spec["params"])
        self.vocabulary: dict[str, int] = spec["vocabulary"]
        self.idf = np.asarray(spec["idf"], dtype=np.float64)
        self.sublinear_tf = bool(spec["sublinear_tf"])
        self.occurrence_norm = spec.get("norm", "l2") == "occurrence"
        self.offset = offset

    def transform(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """Column indices and L2-normalised TF-IDF values of one text."""
        counts = Counter(i for i in map(self.vocabulary.get, self.analyze(text)) if i is not None)
        if not counts:
            return np.empty(0, dtype=np.int64), np.empty(0)
        idx = np.fromiter(counts.keys(), dtype=np.int64, count=len(counts))
        tf = np.fromiter(counts.values(), dtype=np.float64, count=len(counts))
        if self.sublinear_tf:
            tf = 1.0 + np.log(tf)
        values = tf * self.idf[idx]
        norm = float(tf @ self.idf[idx] ** 2) if self.occurrence_norm else float(values @ values)
        return idx + self.offset, values / math.sqrt(norm)


class StoredModel:
    """A trained model as plain arrays: scores texts into calibrated probabilities.

    ``labels`` fixes the column order of :meth:`predict_proba`: the nine causes,
    then the safety flags the model was trained on.
    """

    def __init__(self, payload: dict[str, Any], meta: dict[str, Any] | None = None):
        missing = [k for k in _REQUIRED if k not in payload]
        if missing:
            raise ModelLoadError(f"model payload lacks {', '.join(missing)}; retrain the model")
        if payload["format_version"] not in READABLE_FORMATS:
            raise ModelLoadError(
                f"model format {payload['format_version']} is not supported by relsignals {__version__} "
                f"(reads {', '.join(map(str, READABLE_FORMATS))}); retrain with `python -m relsignals train`"
            )
        self.labels: list[str] = list(payload["labels"])
        self.meta = meta or {}
        self._blocks, offset = [], 0
        for spec in payload["blocks"]:
            self._blocks.append(_Block(spec, offset))
            offset += len(spec["idf"])
        self.coef = np.asarray(payload["coef"], dtype=np.float64)
        self.intercept = np.asarray(payload["intercept"], dtype=np.float64)
        self.calib_a = np.asarray(payload["calib_a"], dtype=np.float64)
        self.calib_b = np.asarray(payload["calib_b"], dtype=np.float64)
        self.thresholds = dict(zip(self.labels, map(float, payload["thresholds"])))
        self.pooling = payload.get("pooling", "doc")
        # A long text also gets a cause when one of its sentences alone is this sure of it (and
        # the whole text at least ``lo``); see relsignals.abstention. Absent in older models.
        self.segment_rule: dict[str, float] | None = payload.get("segment_rule")
        # Causes under this share of a text's surest cause are dropped (relsignals.abstention); 0 before 0.3.2.
        self.cause_share = float(payload.get("cause_share", 0.0))
        # The has_cause gate's weight on the surest cause (relsignals.abstention.blended_gates); 0 before 0.3.3.
        self.gate_blend = float(payload.get("gate_blend", 0.0))
        # Safety thresholds for texts of at most max_words words: {"max_words": n, "thresholds": {flag: t}}; 0.3.4 on.
        self.short_safety: dict[str, Any] | None = payload.get("short_safety")
        if self.coef.shape != (offset, len(self.labels)):
            raise ModelLoadError(f"model arrays disagree: coef {self.coef.shape}, features {offset}")
        self._scorer = _token_scorer(payload["blocks"], self.coef)

    def decision_function(self, texts: list[str]) -> np.ndarray:
        """Raw linear scores, one row per text, one column per label (max-pooled if the model says so)."""
        z = self._linear(texts)
        return max_pool(z, texts, self._linear) if self.pooling == "max" else z

    def _linear(self, texts: list[str]) -> np.ndarray:
        if self._scorer is not None:
            return self._scorer.scores(texts) + self.intercept
        out = np.tile(self.intercept, (len(texts), 1))
        for row, text in enumerate(texts):
            for block in self._blocks:
                idx, values = block.transform(text)
                if idx.size:
                    out[row] += values @ self.coef[idx]
        return out

    def predict_proba(self, texts: list[str]) -> np.ndarray:
        """Calibrated probabilities, shape ``(len(texts), len(labels))``."""
        return self._sigmoid(self.decision_function(texts))

    def _sigmoid(self, z: np.ndarray) -> np.ndarray:
        return 1.0 / (1.0 + np.exp(-(z * self.calib_a + self.calib_b)))

    @property
    def token_features(self) -> bool:
        """Whether the model reads :func:`relsignals.features.marked_keys` (format 3 token features)."""
        return self._scorer is not None and self.pooling == "doc"

    def read(self, texts: list[str], bits_of: Callable[[list[str]], list[int]] | None = None) -> Any:
        """The texts read into tokens once (:meth:`relsignals.features.TokenScorer.read`), for :meth:`score`
        and callers that need per-text key bits; token features only."""
        return self._scorer.read(texts, bits_of)

    def score(self, texts: list[str], sentence_min_chars: int | None = None,
              sentence_filter: Callable[[np.ndarray], np.ndarray] | None = None,
              tokens: Any = None) -> tuple[np.ndarray, np.ndarray]:
        """Calibrated probabilities, and per text the best probability of its sentences scored alone.

        Sentences are scored only for texts at least ``sentence_min_chars`` long with two or
        more sentences, and (token features) only for the texts ``sentence_filter`` picks from
        the probabilities; the rest (and every text when it is ``None``) get zeros there.
        ``tokens`` passes the texts' :meth:`read` when the caller has it (token features only).
        """
        if self.token_features:
            which = None if sentence_filter is None else (lambda z: sentence_filter(self._sigmoid(z + self.intercept)))
            z, owners, sentence_z = self._scorer.scores_and_sentences(texts, sentence_min_chars, which, tokens)
            z, sentence_z = z + self.intercept, sentence_z + self.intercept
        else:
            z = self.decision_function(texts)
            owners, spans = segment_pieces(texts, sentence_min_chars) if sentence_min_chars else ([], [])
            sentence_z = self._linear([texts[row][a:b] for row, (a, b) in zip(owners, spans)]) if spans else None
        best = segment_max(z.shape, owners, sentence_z if owners else z[:0])
        found = np.isfinite(best)
        return self._sigmoid(z), np.where(found, self._sigmoid(np.where(found, best, 0.0)), 0.0)


def _token_scorer(blocks: list[dict[str, Any]], coef: np.ndarray) -> Any:
    """The fast scorer for a format-3 model's token features (None for other feature sets)."""
    from .features import TokenScorer

    names = [(b["analyzer"], b.get("norm"), tuple(b["params"].get("ngram_range", ()))) for b in blocks]
    if len(blocks) != 2 or names[0] != ("words.v2", "occurrence", (1, 2)) or names[1][:2] != ("chars.v2", "occurrence"):
        return None
    words, chars = ({**b, "ngram_range": b["params"]["ngram_range"]} for b in blocks)
    return TokenScorer(words, chars, coef)


_ARRAYS = ("coef", "intercept", "calib_a", "calib_b", "thresholds")


def to_npz(payload: dict[str, Any], path: Path) -> None:
    """Write an exported payload as one compressed ``.npz``: arrays, terms, and a JSON config."""
    arrays = {k: np.asarray(payload[k]) for k in _ARRAYS}
    blocks = []
    for k, block in enumerate(payload["blocks"]):
        vocab = block["vocabulary"]
        terms = [""] * len(vocab)
        for term, index in vocab.items():
            terms[index] = term
        arrays[f"terms_{k}"] = np.array(terms, dtype=str)
        arrays[f"idf_{k}"] = np.asarray(block["idf"], dtype=np.float64)
        extra = [key for key, value in block.items() if isinstance(value, np.ndarray) and key != "idf"]
        arrays.update({f"{key}_{k}": block[key] for key in extra})
        blocks.append({**{key: value for key, value in block.items() if key not in ("vocabulary", "idf", *extra)},
                       **({"arrays": extra} if extra else {})})
    config = {key: value for key, value in payload.items() if key not in (*_ARRAYS, "blocks")}
    config["blocks"] = blocks
    arrays["config"] = np.array(json.dumps(config))
    with open(path, "wb") as fh:
        np.savez_compressed(fh, **arrays)  # type: ignore[arg-type]  # numpy's stub reads ** as allow_pickle


def from_npz(path: Path) -> dict[str, Any]:
    """Read a payload written by :func:`to_npz` (no pickle: ``allow_pickle=False``)."""
    with np.load(path, allow_pickle=False) as data:
        config = json.loads(str(data["config"]))
        payload = {**config, **{k: data[k] for k in _ARRAYS}}
        payload["blocks"] = [
            {**block, "vocabulary": dict(zip(data[f"terms_{k}"].tolist(), range(len(data[f"terms_{k}"])))),
             "idf": data[f"idf_{k}"], **{key: data[f"{key}_{k}"] for key in block.get("arrays", [])}}
            for k, block in enumerate(config["blocks"])
        ]
    return payload


def load(path: str | Path, *, trusted: bool = False) -> StoredModel:
    """Load a stored model directory, checking its checksum and format version.

    ``trusted=True`` is needed only for a 0.1 model (``model.joblib``): unpickling can run
    code, so load one only if you made it or trust who did.
    """
    path = Path(path)
    model_file, meta_file = path / MODEL_FILE, path / META_FILE
    if not model_file.is_file() and (path / LEGACY_MODEL_FILE).is_file():
        if not trusted:
            raise ModelLoadError(f"{path / LEGACY_MODEL_FILE} is a pickle, which can run code when loaded; "
                                 "pass trusted=True if you made it or trust its source, or retrain it")
        model_file = path / LEGACY_MODEL_FILE
    if not model_file.is_file() or not meta_file.is_file():
        raise ModelLoadError(f"no model at {path}: expected {MODEL_FILE} and {META_FILE}")
    try:
        meta = json.loads(meta_file.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ModelLoadError(f"cannot read {meta_file}: {type(exc).__name__}") from None
    if meta.get("model_sha256") != sha256_file(model_file):
        raise ModelLoadError(f"{model_file} does not match the checksum in {META_FILE}; "
                             "the file is corrupt or was changed")
    trained_with = meta.get("library_versions", {}).get("relsignals")
    if trained_with and trained_with.split(".")[:2] != __version__.split(".")[:2]:
        warnings.warn(f"model trained with relsignals {trained_with}, running {__version__}", stacklevel=2)
    return StoredModel(_read_payload(model_file), meta)


def _read_payload(model_file: Path) -> dict[str, Any]:
    try:
        if model_file.suffix == ".npz":
            return from_npz(model_file)
        import joblib

        return joblib.load(model_file)
    except Exception as exc:  # a damaged file raises many types; name none of its content
        raise ModelLoadError(f"cannot load {model_file}: {type(exc).__name__}; retrain the model") from None


def default_model_path() -> Path:
    """Directory of the model bundled with the package (or of a source checkout's ``models/``)."""
    from importlib import resources

    try:
        return Path(str(resources.files("relsignals.models").joinpath("default")))
    except ModuleNotFoundError:  # running from a source tree that was not installed
        return Path(__file__).resolve().parents[1] / "models" / "default"
