"""Text normalisation and the feature analyzers shared by training and serving.

Training hands these functions to scikit-learn vectorizers; serving calls the same
functions on new texts, so the two can never drift apart. Analyzers are registered
under versioned names (``words.v1``): a changed analyzer gets a new name, and a
stored model names the analyzers it was trained with.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

_QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'"})
_SPACE = re.compile(r"\s+")
_TOKEN = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
_CLAUSE_END = re.compile(r"[.!?;:,\n]|\bbut\b")
_NEGATORS = frozenset((
    "not no never nothing nobody none nor neither without cannot don't doesn't didn't isn't wasn't "
    "aren't weren't won't wouldn't can't couldn't shouldn't hasn't haven't hadn't "
    "dont doesnt didnt isnt wasnt wont cant couldnt"
).split())
_NEGATION_WINDOW = 4

ANALYZERS: dict[str, Callable[..., list[str]]] = {}


def register(name: str) -> Callable[[Callable[..., list[str]]], Callable[..., list[str]]]:
    """Register an analyzer under a versioned name (spaCy-style registry)."""

    def wrap(func: Callable[..., list[str]]) -> Callable[..., list[str]]:
        ANALYZERS[name] = func
        return func

    return wrap


def normalize(text: str) -> str:
    """Unicode-normalise, lowercase, unify apostrophes and collapse whitespace."""
    text = unicodedata.normalize("NFKC", text).translate(_QUOTES).lower()
    return _SPACE.sub(" ", text).strip()


def tokens(text: str) -> list[str]:
    """Word tokens of a text (normalised first)."""
    return _TOKEN.findall(normalize(text))


def negation_marked_tokens(text: str) -> list[str]:
    """Tokens where words in a negation's scope carry a ``NOT_`` prefix.

    The scope is the next few words of the same clause: "he has never hit me"
    gives ``never NOT_hit NOT_me``, so "hit" alone stays a sign of violence.
    """
    out: list[str] = []
    for clause in _CLAUSE_END.split(normalize(text)):
        left = 0
        for tok in _TOKEN.findall(clause):
            if tok in _NEGATORS:
                out.append(tok)
                left = _NEGATION_WINDOW
            elif left:
                out.append("NOT_" + tok)
                left -= 1
            else:
                out.append(tok)
    return out


def _ngrams(seq: list[str], low: int, high: int) -> list[str]:
    grams = list(seq) if low <= 1 else []
    for n in range(max(low, 2), high + 1):
        grams.extend(" ".join(seq[i:i + n]) for i in range(len(seq) - n + 1))
    return grams


@register("words.v1")
def word_ngrams(text: str, ngram_range: tuple[int, int] = (1, 2), negation: bool = True) -> list[str]:
    """Word n-grams, optionally with negation scope marked."""
    seq = negation_marked_tokens(text) if negation else tokens(text)
    return _ngrams(seq, *ngram_range)


@register("chars.v1")
def char_ngrams(text: str, ngram_range: tuple[int, int] = (3, 5)) -> list[str]:
    """Character n-grams inside word boundaries (like scikit-learn's ``char_wb``)."""
    low, high = ngram_range
    grams: list[str] = []
    for word in tokens(text):
        padded = f" {word} "
        for n in range(low, high + 1):
            if len(padded) < n:
                break
            grams.extend(padded[i:i + n] for i in range(len(padded) - n + 1))
    return grams


@register("lemmas.v1")
def lemma_ngrams(text: str, ngram_range: tuple[int, int] = (1, 2), negation: bool = True,
                 table: dict[str, str] | None = None) -> list[str]:
    """Word n-grams over lemmas; ``table`` maps word to lemma (from spaCy's lookup tables).

    The table is plain data stored in the model, so serving needs no spaCy.
    """
    table = table or {}
    seq = negation_marked_tokens(text) if negation else tokens(text)
    lemmas = [("NOT_" + table.get(t[4:], t[4:])) if t.startswith("NOT_") else table.get(t, t) for t in seq]
    return _ngrams(lemmas, *ngram_range)


_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+")


def windows(text: str, size: int = 2) -> list[str]:
    """Overlapping windows of ``size`` consecutive sentences (one window for a short text).

    Long posts bury the cause in one or two sentences of backstory; scoring windows
    lets that passage speak without the rest of the post diluting it.
    """
    sentences = [s for s in _SENTENCE_END.split(text) if s.strip()]
    if len(sentences) <= size:
        return [text]
    return [" ".join(sentences[i:i + size]) for i in range(len(sentences) - size + 1)]


def analyzer(name: str, **params: object) -> Callable[[str], list[str]]:
    """A one-argument analyzer for ``name`` with ``params`` bound (picklable)."""
    from functools import partial

    if name not in ANALYZERS:
        raise KeyError(f"unknown analyzer {name!r}; registered: {', '.join(sorted(ANALYZERS))}")
    return partial(ANALYZERS[name], **params)
