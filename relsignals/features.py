"""Token features (model format 3): one pass over a text, scored without building a matrix.

A text is read once into *token keys*: lowercased words, who-words made canonical
(partner nouns and pronouns, chat spellings), first names dropped, words in a
negation's scope prefixed with ``~`` and capitalised words inside a sentence (names)
suffixed with ``^``; clause ends (``|``) and sentence ends (``|.``) stay in as markers.
Two feature blocks come from the keys: word 1-2-grams that never span a marker, and
character n-grams of each word (none for names). The markers also give the sentences that
the long-post rule scores, and the safety screen reads the same keys.

Each block is TF-IDF with an *occurrence norm*: a feature counted ``c`` times has
value ``c * idf / sqrt(sum over the text's features of c * idf**2)``. Both the
numerator and the norm are sums over token occurrences, so serving precomputes, once
per distinct token, its idf-weighted sum of model weights and of ``idf**2``; scoring a
text is then a table lookup per token and a few numpy reductions per batch
(:class:`TokenScorer`). Training builds the same features as a sparse matrix
(:mod:`relsignals.training.vectorizer`); a test checks that both give the same scores.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from functools import lru_cache
from itertools import chain, compress, repeat
from typing import Any

import numpy as np

from .text import _CANONICAL, _NEGATORS, _first_names, fold, register

_NEGATION_WINDOW = 4
# Words (a name carries a "^" mark), and the punctuation that ends a clause or a sentence.
_TOKEN = re.compile(r"[a-z0-9]+(?:'[a-z]+)?\^?|[.!?;:,]")
_CLAUSE_END, _SENTENCE_END = "|", "|."
# Who-words mapped token by token (multi-word spellings such as "gonna" are left as they are).
_CANONICAL_TOKENS = {word: form for word, form in _CANONICAL.items() if " " not in form}
# A capitalised word inside a sentence, not followed by another: a name (see relsignals.text).
_CAPITALISED = re.compile(r"[A-Z](?<=[a-z0-9,;:)] [A-Z])[a-z]+\b(?! [A-Z])")
_KEY_CACHE_MAX = 200_000
_chunk_cache: dict[str, tuple[str, ...]] = {}
_LINE_BREAK = " \x00 "  # a line break ends a sentence; split() would drop it, so it becomes this chunk


def _key(token: str) -> str:
    """The key of one raw token: its canonical who-word, ``""`` for a first name, ``|`` for a clause
    end, ``|.`` for a sentence end."""
    if not token[0].isalnum():
        return _SENTENCE_END if token in ".!?" else _CLAUSE_END
    name = token.endswith("^")
    word = token[:-1] if name else token
    if word in _CANONICAL_TOKENS:
        word = _CANONICAL_TOKENS[word]
    elif word.partition("'")[0] in _first_names():
        return ""
    return word + "^" if name else word


def marked_keys(text: str) -> list[str]:
    """The token keys of a text with its clause ends (``|``) and sentence ends (``|.``) still in.

    Tokens never contain whitespace, so the text is split on whitespace and each distinct
    chunk ("me.", "he's", "(hit") is tokenised once and cached: far cheaper than a regex
    over every text. A line break ends a sentence, so it becomes a chunk of its own.
    """
    cache = _chunk_cache
    if len(cache) > _KEY_CACHE_MAX:
        cache.clear()
    if "^" in text:
        text = text.replace("^", " ")
    folded = fold(_CAPITALISED.sub(r"\g<0>^", text))  # names: their word stays, their letters do not count
    chunks = (folded.replace("\n", _LINE_BREAK) if "\n" in folded else folded).split()
    found = list(map(cache.get, chunks))  # the loops run in C: this is the hot path of bulk scoring
    if None in found:
        found = [k if k is not None else cache.setdefault(c, _chunk_keys(c)) for c, k in zip(chunks, found)]
    keys = list(chain.from_iterable(found))
    if not _NEGATORS.isdisjoint(keys):
        _mark_negation(keys)
    return keys


def _chunk_keys(chunk: str) -> tuple[str, ...]:
    """The keys of one whitespace-free chunk (first names dropped)."""
    if chunk == _LINE_BREAK.strip():
        return (_SENTENCE_END,)
    return tuple(k for k in map(_key, _TOKEN.findall(chunk)) if k)


def token_keys(text: str) -> list[str]:
    """The word keys of a text, without its clause and sentence ends (see the module docstring).

    >>> token_keys("My GF said Priya isn't wrong, she dont care about Paris")
    ['my', 'partner', 'said', "isn't", '~wrong', 'they', "don't", '~care', '~about', '~paris^']
    """
    return [k for k in marked_keys(text) if k[0] != _CLAUSE_END]


MIN_SENTENCE_WORDS = 2


def sentence_keys(text: str, min_chars: int) -> list[list[str]]:
    """The keys of each sentence of a text at least ``min_chars`` long that has two or more sentences
    of at least two words (else ``[]``): the pieces the long-text sentence rule scores."""
    if len(text) < min_chars:
        return []
    pieces: list[list[str]] = [[]]
    for key in marked_keys(text):
        if key == _SENTENCE_END:
            pieces.append([])
        else:
            pieces[-1].append(key)
    pieces = [p for p in pieces if sum(k[0] != _CLAUSE_END for k in p) >= MIN_SENTENCE_WORDS]
    return pieces if len(pieces) > 1 else []


def _mark_negation(keys: list[str]) -> None:
    """Prefix ``~`` (in place) to the few words after each negator, up to the end of its clause."""
    for start in list(compress(range(len(keys)), map(_NEGATORS.__contains__, keys))):
        for j in range(start + 1, min(start + 1 + _NEGATION_WINDOW, len(keys))):
            key = keys[j]
            if key[0] == _CLAUSE_END or key == "but" or key in _NEGATORS:
                break
            keys[j] = "~" + key


def _word(key: str) -> str:
    return key[:-1] if key.endswith("^") else key


@register("words.v2")
def word_features(text: str | list[str], ngram_range: tuple[int, int] = (1, 2)) -> list[str]:
    """Word n-grams of a text's keys (names keep their word feature); n-grams never span a clause
    or sentence end. ``text`` may be :func:`marked_keys` output already."""
    keys = text if isinstance(text, list) else marked_keys(text)
    low, high = ngram_range
    grams: list[str] = []
    run: list[str] = []
    for key in [*keys, _CLAUSE_END]:
        if key[0] != _CLAUSE_END:
            run.append(_word(key))
            continue
        grams.extend(run if low <= 1 else ())
        for n in range(max(low, 2), high + 1):
            grams.extend(" ".join(run[i:i + n]) for i in range(len(run) - n + 1))
        run = []
    return grams


@register("chars.v2")
def char_features(text: str | list[str], ngram_range: tuple[int, int] = (3, 5)) -> list[str]:
    """Character n-grams of each word key; none for names; negated words padded with ``~``."""
    grams: list[str] = []
    for key in text if isinstance(text, list) else marked_keys(text):
        if key[0] != _CLAUSE_END:
            grams.extend(key_char_grams(key, *ngram_range))
    return grams


@lru_cache(maxsize=100_000)
def key_char_grams(key: str, low: int, high: int) -> tuple[str, ...]:
    """The character n-grams of one token key (cached: words repeat)."""
    if key.endswith("^"):
        return ()
    padded = f"~{key[1:]}~" if key.startswith("~") else f" {key} "
    return tuple(padded[i:i + n] for n in range(low, min(high, len(padded)) + 1)
                 for i in range(len(padded) - n + 1))


def bigram_pairs(vocabulary: dict[str, int]) -> tuple[np.ndarray, dict[str, int]]:
    """Each word bigram's column and the ids of its two words, as an ``(n, 3)`` int array.

    A word's id is its unigram column; a bigram word that is not a unigram of the
    vocabulary (possible when ``max_features`` cut it) gets an id after the last column,
    returned in the dict.
    """
    extra: dict[str, int] = {}
    rows = []
    for term, col in vocabulary.items():
        left, space, right = term.partition(" ")
        if space:
            ids = [vocabulary[w] if w in vocabulary else extra.setdefault(w, len(vocabulary) + len(extra))
                   for w in (left, right)]
            rows.append((col, *ids))
    return np.array(rows, dtype=np.int64).reshape(-1, 3), extra


class TokenScorer:
    """Linear scores of texts under a format-3 model, computed from a per-token table.

    ``words`` and ``chars`` are the stored blocks (vocabulary, idf, n-gram range);
    ``coef`` has one row per feature (words first) and one column per label. The table
    row of a token holds, per block, the sum of ``idf * coef`` over the token's features
    and the sum of ``idf**2``; it is filled the first time the token is seen and
    cleared when it reaches ``max_tokens`` rows, which bounds memory on endless input.
    """

    def __init__(self, words: dict[str, Any], chars: dict[str, Any], coef: np.ndarray, max_tokens: int = 100_000):
        self.words, self.chars, self.coef, self.max_tokens = words, chars, coef, max_tokens
        n_words = len(words["idf"])
        self._word_idf, self._char_idf = np.asarray(words["idf"]), np.asarray(chars["idf"])
        self._n_labels = coef.shape[1]
        self._char_range = tuple(chars["ngram_range"])
        if tuple(words["ngram_range"]) != (1, 2):
            raise ValueError("token features need word 1-2-grams")
        self._vocabulary = words["vocabulary"]
        pairs = words.get("bigram_pairs")  # stored by export() (when no extra ids are needed): fast loading
        pairs, self._extra_word_ids = (pairs, {}) if pairs is not None else bigram_pairs(self._vocabulary)
        self._n_word_ids = n_words + len(self._extra_word_ids)
        self._bigrams = _IntMap(pairs[:, 1] * self._n_word_ids + pairs[:, 2])
        cols = pairs[:, 0]
        self._bigram_rows = np.hstack([self._word_idf[cols, None] * coef[cols], self._word_idf[cols, None] ** 2])
        self._n_words = n_words
        self._lock = threading.Lock()  # the table grows while scoring; threads take turns
        self._reset()

    def __getstate__(self) -> dict[str, Any]:
        """Pickle without the lock and the token table (both are rebuilt on load)."""
        return {k: v for k, v in self.__dict__.items() if k not in ("_lock", "_tid", "_rows", "_wid")}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._lock = threading.Lock()
        self._reset()

    def _reset(self) -> None:
        # the two ends are rows 0 and 1: they add nothing and break word bigrams
        self._tid: dict[str, int] = {_CLAUSE_END: 0, _SENTENCE_END: 1}
        self._rows = np.zeros((2, 2 * self._n_labels + 2))  # [word sums, word sq, char sums, char sq]
        self._wid = np.full(2, -1, dtype=np.int64)

    def scores(self, texts: list[str]) -> np.ndarray:
        """Linear scores (no intercept), shape ``(len(texts), n_labels)``."""
        return self.scores_and_sentences(texts)[0]

    def scores_and_sentences(self, texts: list[str], min_chars: int | None = None,
                             marked: list[list[str]] | None = None,
                             which: Callable[[np.ndarray], np.ndarray] | None = None,
                             ) -> tuple[np.ndarray, list[int], np.ndarray]:
        """Scores of the texts, and of the sentences :func:`sentence_keys` gives (owner rows, scores).

        One tokenisation serves both: a sentence's keys are a run of its text's keys.
        Sentences are scored for texts at least ``min_chars`` long (none when it is ``None``)
        that ``which`` picks from the texts' scores (all when it is ``None``). ``marked`` is
        the texts' :func:`marked_keys`, when the caller has them already.
        """
        marked = [marked_keys(t) for t in texts] if marked is None else marked
        starts, lengths = _bounds(list(map(len, marked)))
        with self._lock:  # the table may grow or be reset by another thread between calls
            ids = self._ids(marked)
            per_token = self._per_token(ids, starts, lengths)
        z = self._linear(_segment_sums(per_token, starts, lengths))
        if min_chars is None:
            return z, [], z[:0]
        chosen = np.array([len(t) >= min_chars for t in texts], dtype=bool)
        if which is not None and chosen.any():
            chosen &= which(z)
        owners, run_starts, run_lengths = _sentence_runs(ids, starts, chosen)
        scored = owners >= 0
        if not scored.any():
            return z, [], z[:0]
        runs = _segment_sums(per_token, run_starts, run_lengths)
        return z, owners[scored].tolist(), self._linear(runs[scored])

    def _ids(self, marked: list[list[str]]) -> np.ndarray:
        """Table rows of all keys, in order (rows for new keys are filled first)."""
        flat = list(chain.from_iterable(marked))
        ids = list(map(self._tid.get, flat))
        if None in ids:
            if len(self._tid) + len(set(flat).difference(self._tid)) > self.max_tokens:
                self._reset()
            self._add_missing(set(flat).difference(self._tid))
            ids = list(map(self._tid.__getitem__, flat))
        return np.array(ids, dtype=np.int64)

    def _per_token(self, ids: np.ndarray, starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
        """Each token's table row, plus the row of the word bigram it starts (inside its own text).

        Any run of a text's tokens then sums to the run's features: a bigram never spans a
        clause or sentence end, whose keys have no word id.
        """
        per_token = self._rows[ids]
        if len(ids) < 2:
            return per_token
        wid = self._wid[ids]
        known = (wid[:-1] >= 0) & (wid[1:] >= 0)
        known[(starts + lengths - 1)[lengths > 0][:-1]] = False  # the last token of a text starts no bigram
        pos = self._bigrams.get(np.where(known, wid[:-1] * self._n_word_ids + wid[1:], -2))
        found = np.flatnonzero(pos >= 0)
        per_token[found, :self._n_labels + 1] += self._bigram_rows[pos[found]]
        return per_token

    def _linear(self, totals: np.ndarray) -> np.ndarray:
        n = self._n_labels
        return (_normalised(totals[:, :n], totals[:, n])
                + _normalised(totals[:, n + 1:2 * n + 1], totals[:, 2 * n + 1]))

    def _add_missing(self, keys: set[str]) -> None:
        """Fill the table rows of tokens not seen before."""
        new = sorted(keys)  # sorted: the table's rows do not depend on set order
        if not new:
            return
        n = self._n_labels
        rows = np.zeros((len(new), 2 * n + 2))
        word_cols = [self._vocabulary.get(_word(k), -1) for k in new]
        has_word = np.array([c >= 0 for c in word_cols], dtype=bool)
        cols = np.array([c for c in word_cols if c >= 0], dtype=np.int64)
        rows[has_word, :n] = self._word_idf[cols, None] * self.coef[cols]
        rows[has_word, n] = self._word_idf[cols] ** 2
        grams = [key_char_grams(key, *self._char_range) for key in new]
        found = np.fromiter(map(self.chars["vocabulary"].get, chain.from_iterable(grams), repeat(-1)), dtype=np.int64)
        owner = np.repeat(np.arange(len(new)), list(map(len, grams)))[found >= 0]
        gram = found[found >= 0]
        if gram.size:
            idf = self._char_idf[gram]
            np.add.at(rows[:, n + 1:2 * n + 1], owner, idf[:, None] * self.coef[self._n_words + gram])
            np.add.at(rows[:, 2 * n + 1], owner, idf ** 2)
        start = len(self._tid)
        self._tid.update(zip(new, range(start, start + len(new))))
        self._rows = np.vstack([self._rows, rows])
        self._wid = np.concatenate([self._wid, [self._word_id(_word(k)) for k in new]]).astype(np.int64)

    def _word_id(self, word: str) -> int:
        """A word's id in bigram keys: its unigram column, else its extra id, else -1 (in no bigram)."""
        col = self._vocabulary.get(word)
        return col if col is not None else self._extra_word_ids.get(word, -1)


class _IntMap:
    """A read-only hash map from distinct non-negative int64 keys to their positions, queried in bulk.

    Open addressing with linear probing, all in numpy: a batch of lookups is a few
    vectorised passes, much faster than a binary search over a sorted array.
    """

    def __init__(self, keys: np.ndarray):
        bits = max(4, int(np.ceil(np.log2(4 * len(keys) + 1))))
        self._shift, self._mask = np.uint64(64 - bits), (1 << bits) - 1
        self._keys = np.full(1 << bits, -1, dtype=np.int64)
        self._values = np.zeros(1 << bits, dtype=np.int64)
        slots, pending = self._slot(keys), np.arange(len(keys))
        while pending.size:
            taken = self._keys[slots[pending]] != -1
            free_slots, first = np.unique(slots[pending[~taken]], return_index=True)
            winners = pending[~taken][first]
            self._keys[free_slots], self._values[free_slots] = keys[winners], winners
            pending = np.setdiff1d(pending, winners, assume_unique=True)
            slots[pending] = (slots[pending] + 1) & self._mask

    def _slot(self, keys: np.ndarray) -> np.ndarray:
        with np.errstate(over="ignore"):
            return ((keys.astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15)) >> self._shift).astype(np.int64)

    def get(self, queries: np.ndarray) -> np.ndarray:
        """Position of each query key, or -1 where it is absent."""
        out = np.full(len(queries), -1, dtype=np.int64)
        slots, todo = self._slot(queries), np.arange(len(queries))
        while todo.size:
            stored = self._keys[slots[todo]]
            hit = (stored == queries[todo]) & (stored != -1)  # -1 marks an empty slot, never a key
            out[todo[hit]] = self._values[slots[todo[hit]]]
            todo = todo[(stored != -1) & ~hit]
            slots[todo] = (slots[todo] + 1) & self._mask
        return out


def _sentence_runs(ids: np.ndarray, starts: np.ndarray,
                   chosen: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Runs that tile the batch, cut after each sentence end of the ``chosen`` texts.

    Returns each run's owner text (``-1`` for runs that are not a scored sentence: texts
    not chosen, sentences under two words, texts with fewer than two such sentences),
    then the runs' starts and lengths. Sentence ends are table row 1.
    """
    total = len(ids)
    ends = np.flatnonzero(ids == 1)
    owner_of_end = np.searchsorted(starts, ends, side="right") - 1
    cuts = ends[chosen[owner_of_end]] + 1
    run_starts = np.unique(np.concatenate([starts, cuts]))
    run_starts = run_starts[run_starts < total]
    run_lengths = np.diff(np.append(run_starts, total))
    owner = np.searchsorted(starts, run_starts, side="right") - 1
    words = np.concatenate([[0], np.cumsum(ids > 1)])
    sentence = chosen[owner] & (words[run_starts + run_lengths] - words[run_starts] >= MIN_SENTENCE_WORDS)
    enough = np.bincount(owner[sentence], minlength=len(starts)) >= 2
    owner = np.where(sentence & enough[owner], owner, -1)
    return owner, run_starts, run_lengths


def _bounds(lengths: list[int]) -> tuple[np.ndarray, np.ndarray]:
    """Start offsets and lengths of consecutive runs."""
    sizes = np.asarray(lengths, dtype=np.int64)
    return np.cumsum(sizes) - sizes, sizes


def _segment_sums(values: np.ndarray, starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Per segment, the sum of its rows of ``values``; segments tile ``values`` in order, empty ones give zeros.

    Each sum adds the same rows in the same order whatever else is in the batch, so a
    text scores the same alone or with others.
    """
    out = np.zeros((len(starts), values.shape[1]))
    full = lengths > 0
    if full.any():
        out[full] = np.add.reduceat(values, starts[full], axis=0)
    return out


def _normalised(sums: np.ndarray, squares: np.ndarray) -> np.ndarray:
    norm = np.sqrt(squares)
    return np.divide(sums, norm[:, None], out=np.zeros_like(sums), where=norm[:, None] > 0)
