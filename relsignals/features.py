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
from collections.abc import Callable, Sequence
from functools import lru_cache
from itertools import chain, compress, repeat
from typing import Any, NamedTuple

import numpy as np

from .text import _CANONICAL, _NEGATORS, ASCII_SPACE_RANGES, _first_names, fold, register

_NEGATION_WINDOW = 4
# Words (a name carries a "^" mark), and the punctuation that ends a clause or a sentence.
_TOKEN = re.compile(r"[a-z0-9]+(?:'[a-z]+)?\^?|[.!?;:,]")
_CLAUSE_END, _SENTENCE_END = "|", "|."
# Who-words mapped token by token (multi-word spellings such as "gonna" are left as they are).
_CANONICAL_TOKENS = {word: form for word, form in _CANONICAL.items() if " " not in form}
# A capitalised word inside a sentence, not followed by another: a name (see relsignals.text). The match
# opens with the space the lookbehind needs anyway: a scan for " " and a capital beats one for a capital.
# _name_ends finds the same names in ASCII bytes.
_CAPITALISED = re.compile(r" [A-Z](?<=[a-z0-9,;:)] [A-Z])[a-z]+\b(?! [A-Z])")
_KEY_CACHE_MAX = 200_000
_PAIR_BLOCK = 4096  # pair rows made this many at a time (TokenScorer._add_pairs)
_chunk_cache: dict[str, tuple[str, ...]] = {}
_LINE_BREAK = " \x00 "  # a line break ends a sentence; split() would drop it, so it becomes this chunk
_LINE_BREAK_CHUNK = _LINE_BREAK.strip()
_TEXT_END = "\x01"  # the chunk between two texts of a batch (it gives no key)
_TEXT_GLUE = f" {_TEXT_END} "


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
    keys = list(chain.from_iterable(chunks_keys(_prepared(text).split())))
    if not _NEGATORS.isdisjoint(keys):
        _mark_negation(keys)
    return keys


def _prepared(text: str, folding: Callable[[str], str] = fold) -> str:
    """A text ready to split on whitespace: carets blanked, names marked, folded, line breaks made chunks."""
    return _line_breaks_marked(_folded(text, folding))


def _folded(text: str, folding: Callable[[str], str] = fold) -> str:
    """A text with carets blanked, names marked and folded: :func:`_prepared` but for the line breaks."""
    if "^" in text:
        text = text.replace("^", " ")
    return folding(_names_marked(text))  # names: their word stays, their letters do not count


def _line_breaks_marked(folded: str) -> str:
    """A folded text with each line break made a chunk (``_LINE_BREAK``), which ``split`` would drop."""
    return folded.replace("\n", _LINE_BREAK) if "\n" in folded else folded


def _names_marked(text: str) -> str:
    """``text`` with ``^`` after each name (:data:`_CAPITALISED`); joining the pieces between the matches
    beats ``sub``, whose replacement template is expanded in Python at every match."""
    cuts = [match.end() for match in _CAPITALISED.finditer(text)]
    return "^".join([text[a:b] for a, b in zip([0, *cuts], [*cuts, len(text)])]) if cuts else text


def _fold_glued(glued: str) -> str:
    """:func:`fold` of texts glued with ``_TEXT_END``, text by text when any is not plain ASCII.

    One such text would otherwise send the whole batch through NFKC and the slower
    non-ASCII lowercasing. The result is the same: neither step reads across ``_TEXT_END``,
    a control character between spaces that NFKC never combines with a neighbour.
    """
    return fold(glued) if glued.isascii() else _TEXT_END.join(map(fold, glued.split(_TEXT_END)))


def batch_chunks(texts: list[str]) -> list[str]:
    """The whitespace chunks of all the texts in order, each text followed by a ``_TEXT_END`` chunk.

    The texts are prepared and split as one string: one call each instead of one per text.
    The glue between texts is whitespace around a character that no step reads as part of a
    word, name or letter case, so the chunks are exactly each text's own (tested on the
    corpus); a batch where a text holds that character itself is read text by text.
    """
    folded = _batch_folded(texts)
    return _line_breaks_marked(folded).split() if folded is not None else _chunks_text_by_text(texts)


def _chunks_text_by_text(texts: list[str]) -> list[str]:
    return [c for t in texts for c in (*(c for c in _prepared(t).split() if c != _TEXT_END), _TEXT_END)]


def _batch_folded(texts: list[str]) -> str | None:
    """The texts glued into one string, each followed by ``_TEXT_GLUE``, then :func:`_folded`; ``None`` when a
    text holds ``_TEXT_END`` itself (see :func:`batch_chunks`)."""
    glued = _TEXT_GLUE.join(texts) + _TEXT_GLUE if texts else ""
    return _folded(glued, _fold_glued) if glued.count(_TEXT_END) == len(texts) else None


_NUMPY_MIN_CHARS = 8192  # shorter batches split faster than numpy starts up (about 80 us; measured)


def _read_chunks(texts: list[str]) -> ByteChunks | list[str]:
    """A batch's chunks as :func:`batch_chunks` gives them, found in numpy (:func:`_folded_bytes`, :func:`byte_chunks`)
    when it pays."""
    if sum(map(len, texts)) + len(_TEXT_GLUE) * len(texts) >= _NUMPY_MIN_CHARS:
        folded = _folded_bytes(texts)
        chunks = byte_chunks(folded) if folded is not None else None
        if chunks is not None:
            return chunks
    return batch_chunks(texts)


def _folded_bytes(texts: list[str]) -> bytes | None:
    """:func:`_batch_folded` in UTF-8, with the plain ASCII texts' carets, names and folding done on their bytes.

    Those steps cost a regex scan and a copy per name in Python; on ASCII bytes the names'
    conditions are a few numpy passes. The other texts (about one in fifteen) are
    prepared text by text as before and spliced in. ``None`` when a text holds ``_TEXT_END``.
    """
    others = np.flatnonzero(~np.fromiter(map(str.isascii, texts), dtype=bool, count=len(texts))).tolist()
    parts = list(texts)
    for i in others:
        parts[i] = _quotes_as_ascii(texts[i])  # "" (an empty text holds the place) unless curly quotes were all
    others = [i for i in others if not parts[i]]
    raw = (_TEXT_GLUE.join(parts) + _TEXT_GLUE).encode() if texts else b""
    text_ends = np.flatnonzero(np.frombuffer(raw, dtype=np.uint8) == ord(_TEXT_END))
    if len(text_ends) != len(texts) or any(_TEXT_END in texts[i] for i in others):
        return None
    raw = raw.replace(b"^", b" ") if b"^" in raw else raw
    ends = _name_ends(np.frombuffer(raw, dtype=np.uint8))
    low = raw.lower()  # fold, for ASCII: lowercase, and "`" read as "'"
    marked = b"^".join(_cut(low.replace(b"`", b"'") if b"`" in low else low, ends.tolist()))
    if not others:
        return marked
    after_glue = len(_TEXT_GLUE) - _TEXT_GLUE.index(_TEXT_END)  # from a _TEXT_END to the next text's first byte
    places = np.concatenate([[0], text_ends[:-1] + after_glue])[others]
    folded = [_folded(texts[i]).encode(*_UTF8) for i in others]
    cut = _cut(marked, (places + np.searchsorted(ends, places)).tolist())  # past the carets put in before them
    return b"".join(chain.from_iterable(zip(cut, [*folded, b""])))


_CURLY_QUOTES = ("\u2019", "\u2018")  # fold reads them as "'"; NFKC keeps them, and neither is a word character


def _quotes_as_ascii(text: str) -> str:
    """``text`` with its curly quotes read as ``'`` if that leaves it plain ASCII, else ``""``.

    58 of the 105 test-split texts past ASCII are so only by their quotes; for those, folding
    and name marking give the same with the quotes made ASCII first (a name's ``\\b`` and its
    lookbehind read a curly quote and ``'`` alike, and NFKC changes nothing else in them).
    """
    for quote in _CURLY_QUOTES:
        text = text.replace(quote, "'")
    return text if text.isascii() else ""


def _cut(data: bytes, at: list[int]) -> list[bytes]:
    """``data`` cut before each of the byte positions ``at`` (ascending)."""
    cuts = [0, *at, len(data)]
    return [data[a:b] for a, b in zip(cuts, cuts[1:])]


# A name in ASCII bytes, as _CAPITALISED reads it: the bytes that may stand before the space before its capital,
# and the word bytes (``\b``) that may not follow its run of lowercase letters.
_BEFORE_NAME = np.zeros(256, dtype=bool)
_BEFORE_NAME[list(b"abcdefghijklmnopqrstuvwxyz0123456789,;:)")] = True
_WORD_BYTE = np.zeros(256, dtype=bool)
_WORD_BYTE[list(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")] = True
_RUN_WINDOW = 16  # the lowercase run after a capital is read this many bytes at a time


def _name_ends(data: np.ndarray) -> np.ndarray:
    """Where the matches of :data:`_CAPITALISED` end in ASCII bytes (where their ``^`` goes), in order.

    A match is a capital after a space after one of ``_BEFORE_NAME``, then lowercase letters
    up to a byte that is not a word byte and not a space before a capital; matches never
    overlap, so each of these conditions can be tested at every capital at once.
    """
    capitals = np.flatnonzero(_between(data[1:], *_UPPER) & (data[:-1] == ord(" "))) + 1
    padded = np.concatenate([data, np.zeros(_RUN_WINDOW + 1, dtype=np.uint8)])  # none is a letter or a space
    capitals = capitals[capitals >= 2]
    capitals = capitals[_BEFORE_NAME[padded[capitals - 2]] & _between(padded[capitals + 1], *_LOWER)]
    ends = _lowercase_run_ends(padded, capitals + 1)
    after = padded[ends]
    return ends[~_WORD_BYTE[after] & ~((after == ord(" ")) & _between(padded[ends + 1], *_UPPER))]


def _lowercase_run_ends(padded: np.ndarray, at: np.ndarray) -> np.ndarray:
    """Where the run of lowercase letters from each of ``at`` ends, read ``_RUN_WINDOW`` bytes at a time
    (``padded`` ends with that many bytes that are not letters)."""
    windows = np.ndarray((len(padded) - _RUN_WINDOW + 1, _RUN_WINDOW), dtype=np.uint8, buffer=padded, strides=(1, 1))
    ends = at.copy()
    todo = np.arange(len(at))
    while todo.size:
        letters = _between(windows[ends[todo]], *_LOWER)  # not take: it would copy the whole view first
        first = letters.argmin(axis=1)  # the first byte that is not a lowercase letter
        whole = letters[np.arange(len(todo)), first]  # none in the window: read on
        ends[todo] += np.where(whole, _RUN_WINDOW, first)
        todo = todo[whole]
    return ends


def _between(data: np.ndarray, low: int, high: int) -> np.ndarray:
    """Which bytes are from ``low`` to ``high`` (inclusive); uint8 arithmetic wraps, so one compare does it."""
    return data - np.uint8(low) <= high - low


_UPPER, _LOWER = (ord("A"), ord("Z")), (ord("a"), ord("z"))


# What str.split() takes for whitespace: in ASCII, relsignals.text.ASCII_SPACE_RANGES ("\n" among them), and past
# ASCII these code points, all under U+4000: in UTF-8, two or three bytes that open with a byte in _WIDE_SPACE_LEADS.
_WIDE_SPACES = (0x85, 0xA0, 0x1680, *range(0x2000, 0x200B), 0x2028, 0x2029, 0x202F, 0x205F, 0x3000)
_WIDE_SPACE_LEADS = (0xC2, 0xE3)
_IS_WIDE_SPACE = np.zeros(0x4000, dtype=bool)
_IS_WIDE_SPACE[list(_WIDE_SPACES)] = True
_UTF8 = ("utf-8", "surrogatepass")  # a lone surrogate (possible in a str) makes three bytes too, as in UTF-8
_KEYED_BYTES = 15  # chunks up to this long get a numpy key (two words), longer ones are looked up as strings
_LOW_BYTES = np.array([(1 << 8 * n) - 1 for n in range(9)], dtype=np.uint64)  # masks of a word's low n bytes


class ByteChunks(NamedTuple):
    """A batch's whitespace chunks found in its UTF-8 bytes by :func:`byte_chunks`.

    ``data`` holds the bytes with each line break made ``_LINE_BREAK_CHUNK``, ``starts`` and
    ``lengths`` each chunk's bytes, ``keys`` two int64 words per chunk that hold its bytes and
    length exactly (second word -1, never a key, for chunks over ``_KEYED_BYTES`` bytes).
    """

    data: bytes
    starts: np.ndarray
    lengths: np.ndarray
    keys: tuple[np.ndarray, np.ndarray]

    def texts(self, at: Sequence[int]) -> list[str]:
        """The chunks at these positions, as strings."""
        spans = zip(self.starts[at].tolist(), self.lengths[at].tolist())
        return [self.data[start:start + length].decode(*_UTF8) for start, length in spans]


def byte_chunks(raw: bytes) -> ByteChunks | None:
    """The chunks of ``_line_breaks_marked(folded).split()`` with their keys, found in numpy over ``raw``, the
    folded text's UTF-8 bytes (:func:`_folded_bytes`).

    Many times faster than ``split`` and a dict lookup per chunk string. ``None`` when the
    text holds whitespace past ASCII (rare), which is left to ``str.split``.
    """
    data = np.frombuffer(raw, dtype=np.uint8)
    if _has_wide_space(data):
        return None
    line_break = data == ord("\n")  # a chunk of its own, and a chunk edge on each side
    edge = [False]
    solid = np.concatenate([edge, line_break | ~_is_ascii_space(data), edge])  # chunk bytes, with a gap each side
    breaks = np.concatenate([edge, line_break, edge])
    cut = (solid[1:] != solid[:-1]) | breaks[1:] | breaks[:-1]  # cut[i]: a chunk edge just before byte i
    starts = np.flatnonzero(cut & solid[1:])
    lengths = np.flatnonzero(cut & solid[:-1]) - starts
    if line_break.any():
        raw = raw.replace(b"\n", _LINE_BREAK_CHUNK.encode())
    return ByteChunks(raw, starts, lengths, _chunk_keys(raw, starts, lengths))


def _is_ascii_space(data: np.ndarray) -> np.ndarray:
    """Which bytes are ASCII whitespace (``ASCII_SPACE_RANGES``): one compare per range, faster than a table."""
    first, *others = ASCII_SPACE_RANGES
    space = _between(data, *first)
    for low, high in others:
        space |= _between(data, low, high)
    return space


def _has_wide_space(data: np.ndarray) -> bool:
    """Whether UTF-8 bytes hold a character past ASCII that ``str.split`` takes for whitespace."""
    lead = np.flatnonzero(_between(data, *_WIDE_SPACE_LEADS))
    if not lead.size:
        return False
    first, second, third = (data.take(np.minimum(lead + k, len(data) - 1)).astype(np.int64) for k in range(3))
    two = (first & 0x1F) << 6 | second & 0x3F
    three = (first & 0x0F) << 12 | (second & 0x3F) << 6 | third & 0x3F
    return bool(_IS_WIDE_SPACE[np.where(first < 0xE0, two, three)].any())


def _chunk_keys(data: bytes, starts: np.ndarray, lengths: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each chunk's key: its first 8 bytes, then its next 7 with its length in the top byte (int64 words).

    Bytes past the chunk are masked off, so a key of a chunk up to ``_KEYED_BYTES`` bytes
    holds exactly it; longer chunks get -1 as second word.
    """
    padded = data + bytes(16)
    # the 8 bytes from each offset on, little-endian: a view with a stride of one byte
    words = np.ndarray((len(data) + 9,), dtype="<u8", buffer=padded, strides=(1,))
    first = words.take(starts) & _LOW_BYTES.take(np.minimum(lengths, 8))  # take: copies the view, then gathers
    second = lengths.astype(np.uint64) << np.uint64(56)
    more = np.flatnonzero(lengths > 8)  # few chunks: gathers from the byte-strided view are not cheap
    second[more] |= words[starts[more] + 8] & _LOW_BYTES.take(np.minimum(lengths[more] - 8, 7))
    second[lengths > _KEYED_BYTES] = np.uint64(2**64 - 1)  # -1 as int64
    return first.view(np.int64), second.view(np.int64)


def chunks_keys(chunks: list[str]) -> list[tuple[str, ...]]:
    """The keys of each whitespace-free chunk, cached (chunks repeat across texts); the chunks not cached
    yet are tokenised together."""
    found = list(map(_chunk_cache.get, chunks))  # the loops run in C: this is the hot path of bulk scoring
    if None not in found:
        return found  # type: ignore[return-value]  # no None left
    todo = list(dict.fromkeys(c for c, k in zip(chunks, found) if k is None))
    made = dict(zip(todo, _many_chunk_keys(todo)))
    if len(_chunk_cache) + len(made) > _KEY_CACHE_MAX:
        _chunk_cache.clear()
    _chunk_cache.update(made)
    return [k if k is not None else made[c] for c, k in zip(chunks, found)]


# A token, or the line break that :func:`_many_chunk_keys` puts between chunks.
_TOKEN_OR_BREAK = re.compile(f"{_TOKEN.pattern}|\n")


def _many_chunk_keys(chunks: list[str]) -> list[tuple[str, ...]]:
    """The keys of each whitespace-free chunk (first names dropped; the line-break chunk is a sentence end),
    from one regex scan over them all (chunks hold no whitespace, so a line break can stand between them)
    and one :func:`_key` call per distinct token."""
    key_of: dict[str, str | None] = {"\n": None}  # None: the end of a chunk
    out: list[tuple[str, ...]] = []
    run: list[str] = []
    for token in _TOKEN_OR_BREAK.findall("\n".join(chunks) + "\n"):
        key = key_of[token] if token in key_of else key_of.setdefault(token, _key(token))
        if key is None:
            out.append(tuple(run))
            run = []
        elif key:
            run.append(key)
    return [(_SENTENCE_END,) if c == _LINE_BREAK_CHUNK else keys for c, keys in zip(chunks, out)]


def token_keys(text: str) -> list[str]:
    """The word keys of a text, without its clause and sentence ends (see the module docstring).

    >>> token_keys("My GF said Priya isn't wrong, she dont care about Paris")
    ['my', 'partner', 'said', "isn't", '~wrong', 'they', "don't", '~care', '~about', '~paris^']
    """
    return [k for k in marked_keys(text) if k[0] != _CLAUSE_END]


def word_counts(texts: list[str]) -> np.ndarray:
    """Per text, its number of word keys (``len(token_keys(text))``): how long a text is, as the model reads it."""
    return np.fromiter((len(token_keys(t)) for t in texts), dtype=np.int64, count=len(texts))


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
    size = len(padded)
    return tuple([padded[i:i + n] for n in range(low, min(high, size) + 1) for i in range(size - n + 1)])


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


def token_table(keys: list[str], vocabulary: dict[str, int], ngram_range: tuple[int, int]) -> dict[str, np.ndarray]:
    """The stored token table of a format-3 model's character block: per token key, its n-gram columns.

    ``token_keys`` holds the sorted keys as UTF-8 bytes joined by newlines (keys never hold
    one), ``token_gram_ids`` each key's in-vocabulary n-gram columns in the order
    :func:`key_char_grams` gives them (uint16 when the block has at most 65,536 columns), and
    ``token_gram_offsets`` (int32) where each key's run of ids starts, one more entry than keys.
    With it :class:`TokenScorer` fills these keys' rows in one numpy pass, exactly as it
    would key by key.
    """
    keys = sorted(set(keys) - {_CLAUSE_END, _SENTENCE_END})
    ids = [[vocabulary[g] for g in key_char_grams(k, *ngram_range) if g in vocabulary] for k in keys]
    dtype = np.uint16 if len(vocabulary) <= 1 << 16 else np.int32
    return {"token_keys": np.frombuffer("\n".join(keys).encode("utf-8"), dtype=np.uint8),
            "token_gram_offsets": np.concatenate([[0], np.cumsum(list(map(len, ids)))]).astype(np.int32),
            "token_gram_ids": np.fromiter(chain.from_iterable(ids), dtype=dtype)}


_WORD_BITS = (1 << 64) - 1


def bit_words(values: Sequence[int], width: int) -> np.ndarray:
    """Non-negative ints as rows of ``width`` uint64 words, the lowest 64 bits first: bit masks numpy can
    test and combine a batch at a time (Python ints have no fixed width)."""
    out = np.zeros((len(values), width), dtype=np.uint64)
    at = [i for i, v in enumerate(values) if v]  # most values are 0
    for w in range(width):
        out[at, w] = [(values[i] >> (64 * w)) & _WORD_BITS for i in at]
    return out


class TokenBatch(NamedTuple):
    """Texts read once by :meth:`TokenScorer.read`.

    ``ids`` holds each token's table row (rows 0 and 1 are clause and sentence ends),
    ``starts``/``lengths`` each text's run of tokens, ``per_token`` each token's feature
    row (plus the word bigram it starts), and ``bits`` per text the OR of the numbers ``bits_of``
    gives its keys, as a row of uint64 words (:func:`bit_words`; zeros when no ``bits_of`` was given).
    """

    ids: np.ndarray
    starts: np.ndarray
    lengths: np.ndarray
    per_token: np.ndarray
    bits: np.ndarray

    def word_counts(self) -> np.ndarray:
        """Per text, its word keys (rows past the clause and sentence ends): :func:`word_counts`, from the batch."""
        return _words_in(self.ids, self.starts, self.starts + self.lengths)


class TokenScorer:
    """Linear scores of texts under a format-3 model, computed from a per-token table.

    ``words`` and ``chars`` are the stored blocks (vocabulary, idf, n-gram range);
    ``coef`` has one row per feature (words first) and one column per label. The table
    row of a token holds, per block, the sum of ``idf * coef`` over the token's features
    and the sum of ``idf**2``; it is filled the first time the token is seen and
    cleared when it reaches ``max_tokens`` rows, which bounds memory on endless input.
    With each row come its pair rows, the row plus each word bigram its word opens
    (:meth:`_add_pairs`; at most twice as many as the model has bigrams).
    Whitespace chunks map to their tokens' rows through a second table, cleared with it,
    so a batch is read with a few numpy passes (:meth:`read`): the chunks are found in the
    batch's bytes and looked up in a numpy hash map of the chunks seen (:func:`byte_chunks`;
    short batches are split and looked up in the chunk dict, which holds every chunk).

    When ``chars`` holds a stored token table (:func:`token_table`, written by
    ``CauseClassifier.export``), the first batch with at least ``PREFILL_MIN_CHUNKS`` new
    chunks fills the rows of every stored key at once (:meth:`_prefill`); other keys still
    get theirs the first time they are seen. The rows are the same either way.
    """

    PREFILL_MIN_CHUNKS = 64

    _TABLES = ("_tid", "_keys", "_rows", "_wid", "_stops", "_negators", "_negated", "_bits", "_pairs", "_n_pairs",
               "_chunk_id", "_chunk_map", "_chunk_start", "_chunk_len", "_chunk_rows", "_prefilled")

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
        pairs = pairs[np.argsort(pairs[:, 1], kind="stable")]  # by first word: a word's bigrams side by side
        self._bigram_left, self._bigram_right, cols = pairs[:, 1], pairs[:, 2], pairs[:, 0]
        # a bigram's word block values, then zeros for the char block: a pair row adds them whole (_add_pairs)
        self._bigram_rows = np.hstack([self._word_idf[cols, None] * coef[cols], self._word_idf[cols, None] ** 2,
                                       np.zeros((len(cols), self._n_labels + 1))])
        self._n_words = n_words
        self._per_gram: np.ndarray | None = None
        self._lock = threading.Lock()  # the tables grow while scoring; threads take turns
        self._reset()

    def __getstate__(self) -> dict[str, Any]:
        """Pickle without the lock and the tables (rebuilt on load or on first use)."""
        state = {k: v for k, v in self.__dict__.items() if k != "_lock" and k not in self._TABLES}
        return {**state, "_per_gram": None}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._lock = threading.Lock()
        self._reset()

    def _reset(self) -> None:
        # the two ends are rows 0 and 1: they add nothing, break word bigrams and end a negation's scope
        self._tid: dict[str, int] = {_CLAUSE_END: 0, _SENTENCE_END: 1}
        self._keys = [_CLAUSE_END, _SENTENCE_END]
        # [word sums, word sq, char sums, char sq] per row; rows past len(_keys) are spare room for new ones,
        # and the last _n_pairs rows are pair rows (_add_pairs), pair k at row -1 - k
        self._rows = np.zeros((2, 2 * self._n_labels + 2))
        self._pairs = _IntMap(np.zeros(0, dtype=np.int64))  # (row, next word id) -> its pair number k
        self._n_pairs = 0
        self._wid = np.full(2, -1, dtype=np.int64)
        self._stops = np.ones(2, dtype=bool)  # rows that end a negation's scope
        self._negators = np.zeros(2, dtype=bool)
        self._negated = np.full(2, -1, dtype=np.int64)  # the row of "~" + key, once a text needed it
        self._bits: dict[Callable[[list[str]], list[int]], tuple[np.ndarray, np.ndarray]] = {}
        # chunk 0 is the end of a text; chunk c's rows are _chunk_rows[start:start + len]
        self._chunk_id: dict[str, int] = {_TEXT_END: 0}
        no_keys = np.zeros(0, dtype=np.int64)
        self._chunk_map = _IntMap(no_keys, no_keys)  # the short chunks among them, by their two words (_chunk_keys)
        self._chunk_start, self._chunk_len = np.zeros(1, dtype=np.int64), np.zeros(1, dtype=np.int64)
        self._chunk_rows = np.zeros(0, dtype=np.int64)
        self._prefilled = False  # whether the stored token table's rows were added since the last reset

    def scores(self, texts: list[str]) -> np.ndarray:
        """Linear scores (no intercept), shape ``(len(texts), n_labels)``."""
        return self.scores_and_sentences(texts)[0]

    def read(self, texts: list[str], bits_of: Callable[[list[str]], list[int]] | None = None) -> TokenBatch:
        """The texts' tokens as table rows, their feature rows and (with ``bits_of``, which maps a list of keys
        to a number each) per text the OR of its keys' numbers; the same keys as :func:`marked_keys` gives,
        text by text."""
        chunks = _read_chunks(texts)
        with self._lock:  # the tables may grow or be reset by another thread between calls
            chunk_ids = self._chunk_ids(chunks) if isinstance(chunks, list) else self._byte_chunk_ids(chunks)
            ids, starts, lengths = self._expand(chunk_ids)
            ids = self._negate(ids, starts, lengths)
            per_token = self._per_token(ids, starts, lengths)
            bits = self._text_bits(ids, starts, bits_of) if bits_of else np.zeros((len(starts), 1), dtype=np.uint64)
        return TokenBatch(ids, starts, lengths, per_token, bits)

    def scores_and_sentences(self, texts: list[str], min_chars: int | None = None,
                             which: Callable[[np.ndarray], np.ndarray] | None = None,
                             tokens: TokenBatch | None = None) -> tuple[np.ndarray, list[int], np.ndarray]:
        """Scores of the texts, and of the sentences :func:`sentence_keys` gives (owner rows, scores).

        One tokenisation serves both: a sentence's keys are a run of its text's keys.
        Sentences are scored for texts at least ``min_chars`` long (none when it is ``None``)
        that ``which`` picks from the texts' scores (all when it is ``None``). ``tokens`` is
        the texts' :meth:`read`, when the caller has it already.
        """
        ids, starts, lengths, per_token, _ = self.read(texts) if tokens is None else tokens
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

    def _chunk_ids(self, chunks: list[str]) -> np.ndarray:
        """Chunk table ids of the chunks (new chunks and their new keys are added first)."""
        ids = np.fromiter(map(self._chunk_id.get, chunks, repeat(-1)), dtype=np.int64, count=len(chunks))
        if ids.size == 0 or ids.min() >= 0:
            return ids
        return self._filled(ids, lambda at: [chunks[i] for i in at])

    def _byte_chunk_ids(self, chunks: ByteChunks) -> np.ndarray:
        """Chunk table ids of byte chunks: from the chunk map, else (new or long chunks) as :meth:`_chunk_ids`
        finds them; the short ones found that way join the map."""
        table = self._chunk_map
        ids = table.get(*chunks.keys)
        if ids.size == 0 or ids.min() >= 0:
            return ids
        unmapped = ids < 0
        ids = self._filled(ids, chunks.texts)
        if self._chunk_map is not table:  # the tables were reset: every chunk got a new id
            unmapped[:] = True
        at = np.flatnonzero(unmapped & (chunks.lengths <= _KEYED_BYTES))
        at = at[np.unique(ids[at], return_index=True)[1]]  # each chunk once
        self._chunk_map.add([key[at] for key in chunks.keys], ids[at])
        return ids

    def _filled(self, ids: np.ndarray, texts_at: Callable[[Sequence[int]], list[str]]) -> np.ndarray:
        """``ids`` with each -1 replaced by its chunk's id in the dict, where new chunks (and their new keys)
        are added first; ``texts_at`` gives the batch's chunks at some positions as strings."""
        missing: Sequence[int] = np.flatnonzero(ids < 0).tolist()
        chunks = texts_at(missing)
        new = list(dict.fromkeys([c for c in chunks if c not in self._chunk_id]))
        if new:
            if not self._prefilled and len(new) >= self.PREFILL_MIN_CHUNKS:
                self._prefill()
            keys = _many_chunk_keys(new)  # not chunks_keys: the chunk table is the cache, no need to keep each tuple
            fresh = set(chain.from_iterable(keys)).difference(self._tid)
            if len(self._tid) + len(fresh) > self.max_tokens or len(self._chunk_id) + len(new) > 2 * self.max_tokens:
                self._reset()
                missing = range(len(ids))  # every id changed
                chunks = texts_at(missing)
                new = [c for c in dict.fromkeys(chunks) if c != _TEXT_END]
                keys = _many_chunk_keys(new)
                fresh = set(chain.from_iterable(keys)).difference(self._tid)
            self._add_missing(fresh)
            self._add_chunks(new, keys)
        ids[missing] = list(map(self._chunk_id.__getitem__, chunks))
        return ids

    def _add_chunks(self, chunks: list[str], keys: list[tuple[str, ...]]) -> None:
        """Add chunks (with their keys) whose keys all have table rows already."""
        lengths = np.fromiter(map(len, keys), dtype=np.int64, count=len(keys))
        rows = np.fromiter(map(self._tid.__getitem__, chain.from_iterable(keys)), dtype=np.int64)
        self._chunk_id.update(zip(chunks, range(len(self._chunk_id), len(self._chunk_id) + len(chunks))))
        starts = len(self._chunk_rows) + np.cumsum(lengths) - lengths
        self._chunk_start = np.concatenate([self._chunk_start, starts])
        self._chunk_len = np.concatenate([self._chunk_len, lengths])
        self._chunk_rows = np.concatenate([self._chunk_rows, rows])

    def _expand(self, chunk_ids: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The token rows of a batch's chunks in order, and each text's start and length among them."""
        lengths = self._chunk_len[chunk_ids]
        ends = np.cumsum(lengths)
        total = int(ends[-1]) if ends.size else 0
        ids = self._chunk_rows[np.repeat(self._chunk_start[chunk_ids] - (ends - lengths), lengths) + np.arange(total)]
        text_ends = ends[chunk_ids == 0]  # chunk 0 closes each text
        text_lengths = np.diff(text_ends, prepend=0)
        return ids, text_ends - text_lengths, text_lengths

    def _negate(self, ids: np.ndarray, starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
        """The rows with the negation marks of :func:`_mark_negation` applied.

        A token is in a negation's scope when the last scope-ending token before it in its
        text (clause or sentence end, "but", a negator) is a negator at most
        ``_NEGATION_WINDOW`` tokens back, and it does not end a scope itself.
        """
        negator_at = np.flatnonzero(self._negators[ids])
        if not negator_at.size:
            return ids
        text_end = (starts + lengths)[np.searchsorted(starts, negator_at, side="right") - 1]
        after = negator_at[:, None] + np.arange(1, _NEGATION_WINDOW + 1)  # the tokens a negator could reach
        inside = after < text_end[:, None]
        # in scope: no scope end (a negator is one) after the negator, up to and including the token, in its text
        ends = self._stops[ids[np.where(inside, after, 0)]] | ~inside
        scoped = after[~np.logical_or.accumulate(ends, axis=1)]
        rows = ids[scoped]
        unseen = sorted(set(rows[self._negated[rows] < 0].tolist()))  # few; np.unique would import numpy.ma
        if unseen:
            marked = ["~" + self._keys[r] for r in unseen]
            self._add_missing(set(marked).difference(self._tid))
            self._negated[unseen] = [self._tid[k] for k in marked]
        ids = ids.copy()
        ids[scoped] = self._negated[rows]
        return ids

    def _text_bits(self, ids: np.ndarray, starts: np.ndarray, bits_of: Callable[[list[str]], list[int]]) -> np.ndarray:
        """Per text, the OR of its keys' numbers from ``bits_of``, as a row of uint64 words (:func:`bit_words`)."""
        words, holds = self._row_bits(bits_of)
        where = np.flatnonzero(holds[ids])
        out = np.zeros((len(starts), words.shape[1]), dtype=np.uint64)
        if where.size and len(starts) == 1:  # one text (classify): a plain OR
            out[0] = np.bitwise_or.reduce(words[ids[where]], axis=0)
        elif where.size:
            owners = np.searchsorted(starts, where, side="right") - 1
            first = run_starts(owners)  # each owner's first token
            out[owners[first]] = np.bitwise_or.reduceat(words[ids[where]], first, axis=0)
        return out

    def _row_bits(self, bits_of: Callable[[list[str]], list[int]]) -> tuple[np.ndarray, np.ndarray]:
        """Each table row's number from ``bits_of`` as uint64 words, and whether it has any (worked out once per
        row, for all the rows added since at once)."""
        words, holds = self._bits.get(bits_of, (np.zeros((0, 1), dtype=np.uint64), np.zeros(0, dtype=bool)))
        if len(holds) < len(self._keys):
            added = bits_of(self._keys[len(holds):])
            width = max(words.shape[1], *(-(-v.bit_length() // 64) for v in added))
            grown = np.zeros((len(words), width), dtype=np.uint64)
            grown[:, :words.shape[1]] = words
            words = np.vstack([grown, bit_words(added, width)])
            holds = np.concatenate([holds, np.array(added, dtype=bool)])
            self._bits[bits_of] = words, holds
        return words, holds

    def _per_token(self, ids: np.ndarray, starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
        """Each token's table row, plus the row of the word bigram it starts (inside its own text).

        Any run of a text's tokens then sums to the run's features: a bigram never spans a
        clause or sentence end, whose keys have no word id. A token that starts a bigram reads
        its pair row (:meth:`_add_pairs`), which holds that sum already: one gather per batch.
        """
        rows = ids.copy()
        if len(ids) > 1:
            wid = self._wid[ids]
            known = (wid[:-1] >= 0) & (wid[1:] >= 0)
            known[(starts + lengths - 1)[lengths > 0][:-1]] = False  # the last token of a text starts no bigram
            at = np.flatnonzero(known)
            pair = self._pairs.get(ids[at] * self._n_word_ids + wid[at + 1])
            rows[at[pair >= 0]] = ~pair[pair >= 0]  # pair k is row -1 - k
        return self._rows.take(rows, axis=0)  # take: far faster than fancy indexing for rows

    def _add_pairs(self, rows: np.ndarray, wid: np.ndarray) -> None:
        """Add the pair rows of new table rows (``wid``: their word ids): one per bigram that opens with the word,
        the row plus the bigram's row, keyed by the row and the bigram's second word.

        Adding them once here costs far less than adding bigram rows to each batch's tokens,
        and gives the same floats. A word has two keys at most (``word``, ``word^``), so there
        are at most twice as many pairs as bigrams.
        """
        first = np.searchsorted(self._bigram_left, wid, side="left")  # a word's bigrams: first to last - 1
        counts = np.searchsorted(self._bigram_left, wid, side="right") - first
        total = int(counts.sum())
        if not total:
            return
        owner = np.repeat(rows, counts)
        bigram = np.repeat(first - (np.cumsum(counts) - counts), counts) + np.arange(total)
        self._make_room(len(self._keys), self._n_pairs + total)
        end = len(self._rows) - self._n_pairs
        made = self._rows[end - total:end]  # pair k is row -1 - k: the new pairs, the last one first
        # written in place, with no temporary as big as the pairs (fresh pages cost more than the adding):
        # "clip" (owner is in range) from rows that made does not overlap lets take write into made itself
        self._rows[:len(self._keys)].take(owner, axis=0, out=made, mode="clip")
        for at in range(0, total, _PAIR_BLOCK):  # x + 0.0 is x but for -0.0, which no char sum is
            made[at:at + _PAIR_BLOCK] += self._bigram_rows.take(bigram[at:at + _PAIR_BLOCK], axis=0)
        numbers = np.arange(self._n_pairs + total - 1, self._n_pairs - 1, -1)
        self._pairs.add([owner * self._n_word_ids + self._bigram_right[bigram]], numbers)
        self._n_pairs += total

    def _make_room(self, n_rows: int, n_pairs: int) -> None:
        """Grow the table to hold ``n_rows`` table rows at its start and ``n_pairs`` pair rows at its end, keeping
        the rows it has; by half more than that, so adding a few rows per batch copies little."""
        size = len(self._rows)
        if n_rows + n_pairs <= size:
            return
        grown = np.zeros((max(n_rows + n_pairs, size) * 3 // 2, self._rows.shape[1]))
        grown[:len(self._keys)] = self._rows[:len(self._keys)]
        grown[len(grown) - self._n_pairs:] = self._rows[size - self._n_pairs:]
        self._rows = grown

    def _linear(self, totals: np.ndarray) -> np.ndarray:
        n = self._n_labels
        return (_normalised(totals[:, :n], totals[:, n])
                + _normalised(totals[:, n + 1:2 * n + 1], totals[:, 2 * n + 1]))

    def _add_missing(self, keys: set[str]) -> None:
        """Fill the table rows of tokens not seen before."""
        new = sorted(keys)  # sorted: the table's rows do not depend on set order
        if not new:
            return
        grams = [key_char_grams(key, *self._char_range) for key in new]
        found = np.fromiter(map(self.chars["vocabulary"].get, chain.from_iterable(grams), repeat(-1)), dtype=np.int64)
        owner = np.repeat(np.arange(len(new)), list(map(len, grams)))[found >= 0]
        self._add_rows(new, owner, found[found >= 0])

    def _prefill(self) -> None:
        """Add the rows of the stored token table's keys that the table lacks, if they fit under ``max_tokens``."""
        self._prefilled = True
        stored = self.chars.get("token_keys")
        if stored is None:
            return
        keys = stored.tobytes().decode("utf-8").split("\n") if stored.size else []
        offsets = np.asarray(self.chars["token_gram_offsets"], dtype=np.int64)
        gram = np.asarray(self.chars["token_gram_ids"], dtype=np.int64)
        lengths = np.diff(offsets)
        if len(self._tid) > 2:  # keys seen already keep their rows
            seen = np.fromiter(map(self._tid.__contains__, keys), dtype=bool, count=len(keys))
            if seen.any():
                gram = gram[np.repeat(~seen, lengths)]
                keys, lengths = list(compress(keys, (~seen).tolist())), lengths[~seen]
        if not keys or len(self._tid) + len(keys) > self.max_tokens:
            return
        self._add_rows(keys, np.repeat(np.arange(len(keys)), lengths), gram)

    def _add_rows(self, new: list[str], owner: np.ndarray, gram: np.ndarray) -> None:
        """Add table rows for the keys ``new``; ``gram`` holds their char n-gram columns in order, ``owner``
        the key of each."""
        n = self._n_labels
        rows = np.zeros((len(new), 2 * n + 2))
        # C-level loops here: the first batch of a bulk run adds thousands of rows
        words = list(map(str.removesuffix, new, repeat("^")))  # a name's word
        word_cols = np.fromiter(map(self._vocabulary.get, words, repeat(-1)), dtype=np.int64, count=len(new))
        has_word = word_cols >= 0
        cols = word_cols[has_word]
        rows[has_word, :n] = self._word_idf[cols, None] * self.coef[cols]
        rows[has_word, n] = self._word_idf[cols] ** 2
        if gram.size:  # bincount adds each key's grams in order, as a loop would
            per_gram = self._char_values()
            for col in range(n + 1):
                rows[:, n + 1 + col] = np.bincount(owner, per_gram[col].take(gram), minlength=len(new))
        wid = word_cols
        if self._extra_word_ids:
            wid[~has_word] = [self._extra_word_ids.get(w, -1) for w in compress(words, (~has_word).tolist())]
        start = len(self._tid)
        self._make_room(start + len(new), self._n_pairs)
        self._rows[start:start + len(new)] = rows
        self._tid.update(zip(new, range(start, start + len(new))))
        self._keys.extend(new)
        self._wid = np.concatenate([self._wid, wid])
        negators = np.fromiter(map(_NEGATORS.__contains__, new), dtype=bool, count=len(new))
        self._negators = np.concatenate([self._negators, negators])
        ends_scope = (negators | np.fromiter(map(str.startswith, new, repeat(_CLAUSE_END)), dtype=bool, count=len(new))
                      | np.fromiter(map("but".__eq__, new), dtype=bool, count=len(new)))
        self._stops = np.concatenate([self._stops, ends_scope])
        self._negated = np.concatenate([self._negated, np.full(len(new), -1, dtype=np.int64)])
        self._add_pairs(np.arange(start, start + len(new)), wid)

    def _char_values(self) -> np.ndarray:
        """Per label, each char n-gram's ``idf * coef``, then each one's ``idf**2``: shape ``(n_labels + 1, n_grams)``.

        Made on first use; a row per label makes gathering one label's values cheap.
        """
        if self._per_gram is None:
            idf, n = self._char_idf, self._n_labels
            self._per_gram = np.empty((n + 1, len(idf)))  # C order: each label's values side by side
            self._per_gram[:n] = (idf[:, None] * self.coef[self._n_words:]).T
            self._per_gram[n] = idf ** 2
        return self._per_gram


_MIX, _SPREAD = np.uint64(0xC2B2AE3D27D4EB4F), np.uint64(0x9E3779B97F4A7C15)  # odd 64-bit multipliers of _IntMap


class _IntMap:
    """A hash map from distinct keys to int64 values, queried and filled in bulk.

    A key is one int64 word from each of one or more arrays (its last word never -1, which
    marks an empty slot). Open addressing with linear probing, all in numpy: a batch of
    lookups or inserts is a few vectorised passes, much faster than a binary search over a
    sorted array. The table stays at most half full, growing fourfold past that. A slot is
    one row of the key's words and its value, so a probe is one gather, which touches one
    cache line per key rather than one per word and one for the value.
    """

    def __init__(self, *words: np.ndarray, values: np.ndarray | None = None):
        """A map of the keys in ``words`` to ``values`` (by default each key's position)."""
        self._size = 0
        self._allocate(len(words), len(words[0]))
        self.add(words, np.arange(len(words[0])) if values is None else values)

    def _allocate(self, n_words: int, n_keys: int) -> None:
        bits = max(4, int(np.ceil(np.log2(4 * n_keys + 1))))
        self._shift, self._mask = np.uint64(64 - bits), (1 << bits) - 1
        self._table = np.full((1 << bits, n_words + 1), -1, dtype=np.int64)  # per slot: the key's words, its value

    def add(self, words: Sequence[np.ndarray], values: np.ndarray) -> None:
        """Add distinct keys that are not in the map yet, with their values."""
        table = self._table
        if 2 * (self._size + len(values)) > len(table):  # rebuilt bigger, with every key
            kept = table[table[:, -2] != -1]
            words = [np.concatenate([kept[:, i], new]) for i, new in enumerate(words)]
            values = np.concatenate([kept[:, -1], values])
            self._size = 0
            self._allocate(len(words), len(values))
            table = self._table
        slots, pending = self._slot(words), np.arange(len(values))
        *key_columns, value = table.T  # views of the table's columns
        while pending.size:  # each round, one key takes each free slot wanted; the others probe on
            at = slots[pending]
            free = key_columns[-1][at] == -1
            value[at[free]] = pending[free]  # a bid for the slot: one of them is kept
            won = free & (value[at] == pending)
            for column, word in zip(key_columns, words):
                column[at[won]] = word[pending[won]]
            value[at[won]] = values[pending[won]]
            pending = pending[~won]
            slots[pending] = (slots[pending] + 1) & self._mask
        self._size += len(values)

    def _slot(self, words: Sequence[np.ndarray]) -> np.ndarray:
        """Each key's first slot: its words mixed, then spread over the table (in place, on uint64 views of int64)."""
        first, *others = (np.asarray(word, dtype=np.int64).view(np.uint64) for word in words)
        factors = [_MIX] * len(others) + [_SPREAD]
        with np.errstate(over="ignore"):
            mixed = first * factors[0]
            for word, factor in zip(others, factors[1:]):
                np.bitwise_xor(mixed, word, out=mixed)
                np.multiply(mixed, factor, out=mixed)
        return np.right_shift(mixed, self._shift, out=mixed).view(np.int64)

    def _probe(self, slots: np.ndarray, words: Sequence[np.ndarray]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Whether each slot holds its query key, whether it holds a key at all, and its value."""
        found = self._table.take(slots, axis=0)
        last = found[:, -2]
        full = last != -1
        hit = last == words[-1]
        hit &= full  # a query whose last word is -1 is never found
        for i, word in enumerate(words[:-1]):
            hit &= found[:, i] == word
        return hit, full, found[:, -1]

    def get(self, *words: np.ndarray) -> np.ndarray:
        """The value of each query key (one array per key word), or -1 where it is absent."""
        slots = self._slot(words)
        hit, full, value = self._probe(slots, words)
        out = np.where(hit, value, -1)
        full &= ~hit
        todo = np.flatnonzero(full)  # the first probe done for all at once, without gathers
        while todo.size:
            at = slots[todo] = (slots[todo] + 1) & self._mask
            hit, full, value = self._probe(at, [word[todo] for word in words])
            out[todo[hit]] = value[hit]
            full &= ~hit
            todo = todo[full]
        return out


def _sentence_runs(ids: np.ndarray, starts: np.ndarray,
                   chosen: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Runs that tile the batch, cut after each sentence end of the ``chosen`` texts.

    Returns each run's owner text (``-1`` for runs that are not a scored sentence: texts
    not chosen, sentences under two words, texts with fewer than two such sentences),
    then the runs' starts and lengths. Sentence ends are table row 1.
    """
    total = len(ids)
    markers = _markers(ids)
    ends = markers[ids[markers] == 1]
    owner_of_end = np.searchsorted(starts, ends, side="right") - 1
    cut = np.zeros(total + 1, dtype=bool)  # where runs start: at each text and after each chosen sentence end
    cut[starts] = cut[ends[chosen[owner_of_end]] + 1] = True
    run_starts = np.flatnonzero(cut[:total])
    run_ends = np.append(run_starts[1:], total)
    owner = np.searchsorted(starts, run_starts, side="right") - 1
    sentence = chosen[owner] & (_words_in(ids, run_starts, run_ends, markers) >= MIN_SENTENCE_WORDS)
    enough = np.bincount(owner[sentence], minlength=len(starts)) >= 2
    owner = np.where(sentence & enough[owner], owner, -1)
    return owner, run_starts, run_ends - run_starts


def run_starts(values: np.ndarray) -> np.ndarray:
    """Where each run of equal values begins, in a non-empty array that lists equal values together (e.g. owners)."""
    return np.flatnonzero(np.concatenate([[True], values[1:] != values[:-1]]))


def _markers(ids: np.ndarray) -> np.ndarray:
    """Where the clause and sentence ends (rows 0 and 1) are: about one token in nine."""
    return np.flatnonzero(ids <= 1)


def _words_in(ids: np.ndarray, starts: np.ndarray, ends: np.ndarray, markers: np.ndarray | None = None) -> np.ndarray:
    """The number of word keys (rows past the clause and sentence ends) from each start to its end.

    Counted from where the ends are (``markers``, :func:`_markers`): cheaper than a running
    count over every token.
    """
    markers = _markers(ids) if markers is None else markers
    return ends - starts - (np.searchsorted(markers, ends) - np.searchsorted(markers, starts))


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
