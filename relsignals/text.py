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
from functools import lru_cache

_QUOTE_CHARS = ("\u2019", "\u2018", "\u02bc", "`")  # apostrophes and quotes read as "'"
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


def fold(text: str) -> str:
    """Lowercase with apostrophes unified (Unicode-normalised first when not plain ASCII)."""
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text)
        for quote in _QUOTE_CHARS:  # str.replace scans in C; translate looks up every character
            if quote in text:
                text = text.replace(quote, "'")
        return text.lower()
    # plain ASCII: NFKC and the quote table change nothing but "`"
    return text.replace("`", "'").lower() if "`" in text else text.lower()


def normalize(text: str) -> str:
    """Unicode-normalise, lowercase, unify apostrophes and collapse whitespace (``" ".join(fold(text).split())``).

    Most texts hold no whitespace but spaces and line breaks: a few ``str.replace`` calls
    collapse those without splitting the text into a list of words.
    """
    folded = fold(text)
    flat = folded.replace("\n", " ") if "\n" in folded else folded
    while "  " in flat:
        flat = flat.replace("  ", " ")
    flat = flat.strip(" ")
    return flat if _single_spaced(flat) else " ".join(folded.split())


# What str.split takes for whitespace in ASCII: these ranges of codes, inclusive (relsignals.features finds
# chunks in bytes with them; a test checks them against str.isspace).
ASCII_SPACE_RANGES = ((0x09, 0x0D), (0x1C, 0x20))
# The same characters but " " and "\n", which normalize has dealt with before it looks for these.
_ODD_SPACES = "".join(chr(c) for low, high in ASCII_SPACE_RANGES for c in range(low, high + 1) if chr(c) not in " \n")


def _single_spaced(flat: str) -> bool:
    """Whether a text with no line break, no two spaces in a row and no space at either end holds no other
    whitespace either, so that a split and join would give it back (a test checks :func:`normalize` on any
    string). ASCII holds few such characters; past ASCII, every one is unprintable."""
    return not any(map(flat.__contains__, _ODD_SPACES)) if flat.isascii() else flat.isprintable()


# Words that say who, not why: partner nouns and gendered pronouns map to one form
# each and first names are dropped, so "my wife ... she" and "my boyfriend ... he" share features and
# swapping them cannot change a label. Common chat spellings map to the dictionary form.
_CANONICAL = {
    **dict.fromkeys("boyfriend girlfriend husband wife partner bf gf hubby wifey fiance fiancee spouse bae".split(),
                    "partner"),
    **dict.fromkeys("boyfriends girlfriends husbands wives partners spouses".split(), "partners"),
    **dict.fromkeys("he she".split(), "they"), **dict.fromkeys("him her his hers them their theirs".split(), "them"),
    **dict.fromkeys("himself herself themselves themself".split(), "themself"),
    **dict.fromkeys("he's she's they're they've hes shes theyre theyve".split(), "they's"),
    **dict.fromkeys("he'll she'll they'll".split(), "they'll"), **dict.fromkeys("he'd she'd they'd".split(), "they'd"),
    "im": "i'm", "ive": "i've", "dont": "don't", "doesnt": "doesn't", "didnt": "didn't",
    "isnt": "isn't", "wasnt": "wasn't", "arent": "aren't", "werent": "weren't", "cant": "can't",
    "couldnt": "couldn't", "wouldnt": "wouldn't", "shouldnt": "shouldn't", "havent": "haven't",
    "hasnt": "hasn't", "thats": "that's", "whats": "what's", "theres": "there's", "youre": "you're",
    "becuase": "because", "becasue": "because", "bc": "because", "cuz": "because", "coz": "because",
    "realy": "really", "rly": "really", "thier": "them", "wierd": "weird", "definately": "definitely",
    "freind": "friend", "freinds": "friends", "untill": "until", "beleive": "believe", "alot": "lot",
    "tho": "though", "thru": "through", "u": "you", "ur": "your", "r": "are", "pls": "please", "ppl": "people",
    "tmrw": "tomorrow", "togther": "together", "somthing": "something", "anymore": "any more",
    "gonna": "going to", "wanna": "want to", "kinda": "kind of", "sorta": "sort of",
}
_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?")
# A capitalised word inside a sentence, not followed by another (as in a Title Case
# heading): almost always a name. Its word feature stays, its character n-grams go.
_PROPER_NOUN = re.compile(r"(?<=[a-z0-9,;:)] )[A-Z][a-z]+\b(?! [A-Z])")


@lru_cache(maxsize=1)
def _first_names() -> frozenset[str]:
    from importlib import resources

    return frozenset(resources.files("relsignals").joinpath("resources/first_names.txt")
                     .read_text(encoding="utf-8").split())


def canonical(text: str) -> str:
    """Normalise a text and map who-words to one form: partner nouns and pronouns, chat spellings; drop first names.

    >>> canonical("My GF says Priya's right, she dont care")
    "my partner says  right, they don't care"
    """
    names = _first_names()

    def swap(match: re.Match[str]) -> str:
        word = match.group(0)
        if word in _CANONICAL:
            return _CANONICAL[word]
        return "" if word.partition("'")[0] in names else word

    return _WORD.sub(swap, normalize(text))


def tokens(text: str) -> list[str]:
    """Word tokens of a text (normalised first)."""
    return _TOKEN.findall(normalize(text))


def negation_marked_tokens(text: str, canonical_words: bool = False) -> list[str]:
    """Tokens where words in a negation's scope carry a ``NOT_`` prefix.

    The scope is the next few words of the same clause: "he has never hit me"
    gives ``never NOT_hit NOT_me``, so "hit" alone stays a sign of violence.
    """
    out: list[str] = []
    for clause in _CLAUSE_END.split(canonical(text) if canonical_words else normalize(text)):
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


def _word_sequence(text: str, negation: bool, canonical_words: bool) -> list[str]:
    if negation:
        return negation_marked_tokens(text, canonical_words)
    return _TOKEN.findall(canonical(text)) if canonical_words else tokens(text)


def _ngrams(seq: list[str], low: int, high: int) -> list[str]:
    grams = list(seq) if low <= 1 else []
    for n in range(max(low, 2), high + 1):
        grams.extend(" ".join(seq[i:i + n]) for i in range(len(seq) - n + 1))
    return grams


@register("words.v1")
def word_ngrams(text: str, ngram_range: tuple[int, int] = (1, 2), negation: bool = True,
                canonical_words: bool = False) -> list[str]:
    """Word n-grams, optionally with negation scope marked and who-words made canonical."""
    return _ngrams(_word_sequence(text, negation, canonical_words), *ngram_range)


@register("chars.v1")
def char_ngrams(text: str, ngram_range: tuple[int, int] = (3, 5), negation: bool = False,
                canonical_words: bool = False) -> list[str]:
    """Character n-grams inside word boundaries (like scikit-learn's ``char_wb``).

    With ``negation`` a word in a negation's scope is padded with ``~`` instead of
    spaces, so "isn't stressed" does not share n-grams with "stressed". With
    ``canonical_words`` names (known first names and capitalised words inside a
    sentence) give no n-grams.
    """
    low, high = ngram_range
    grams: list[str] = []
    if canonical_words:  # names carry no cause: their letters must not either
        text = _PROPER_NOUN.sub(" ", text)
    for word in _word_sequence(text, negation, canonical_words):
        grams.extend(_word_grams(word, low, high))
    return grams


@lru_cache(maxsize=200_000)
def _word_grams(word: str, low: int, high: int) -> tuple[str, ...]:
    """The character n-grams of one (padded) word; words repeat, so they are cached."""
    padded = f"~{word[4:]}~" if word.startswith("NOT_") else f" {word} "
    return tuple(padded[i:i + n] for n in range(low, min(high, len(padded)) + 1)
                 for i in range(len(padded) - n + 1))


@register("lemmas.v1")
def lemma_ngrams(text: str, ngram_range: tuple[int, int] = (1, 2), negation: bool = True,
                 table: dict[str, str] | None = None, canonical_words: bool = False) -> list[str]:
    """Word n-grams over lemmas; ``table`` maps word to lemma (from spaCy's lookup tables).

    The table is plain data stored in the model, so serving needs no spaCy.
    """
    table = table or {}
    seq = _word_sequence(text, negation, canonical_words)
    lemmas = [("NOT_" + table.get(t[4:], t[4:])) if t.startswith("NOT_") else table.get(t, t) for t in seq]
    return _ngrams(lemmas, *ngram_range)


_SENTENCE_SPAN = re.compile(r"[^.!?\n]+[.!?]*")
# "so" ends a clause only before a new subject ("so he left"), not as "so distant"
_CLAUSE_BREAK = re.compile(r"[,;:()]|\s(?:and|but|because|since|cause|cuz|bc)\s"
                           r"|\sso\s(?=(?:i|i'm|he|she|we|they|you|it|my|his|her|our|their|now|then)\b)", re.IGNORECASE)
_MIN_SEGMENT_WORDS = 2


def _spans(text: str, pattern: re.Pattern[str], start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Stripped (start, end) spans of ``pattern`` matches inside ``text[start:end]``."""
    out = []
    for m in pattern.finditer(text, start, len(text) if end is None else end):
        a, b = m.span()
        a, b = a + len(m.group(0)) - len(m.group(0).lstrip()), b - (len(m.group(0)) - len(m.group(0).rstrip()))
        if len(_TOKEN.findall(text[a:b].lower())) >= _MIN_SEGMENT_WORDS:
            out.append((a, b))
    return out


def segments(text: str) -> list[tuple[int, int]]:
    """Character spans of the sentences of ``text``, or of its clauses when it is one sentence.

    These are the units evidence is scored on: a long post's sentences, a chat
    message's clauses ("my bf got laid off | now he won't talk to me").
    """
    sentences = _spans(text, _SENTENCE_SPAN)
    if len(sentences) > 1:
        return sentences
    bounds = sentences[0] if sentences else (0, len(text))
    cuts = [bounds[0], *(x for m in _CLAUSE_BREAK.finditer(text, *bounds) for x in m.span()), bounds[1]]
    clauses = [(a, b) for a, b in zip(cuts[::2], cuts[1::2]) if a < b]
    clauses = [s for a, b in clauses for s in _spans(text, re.compile(r".+", re.DOTALL), a, b)]
    return clauses if len(clauses) > 1 else ([bounds] if text[bounds[0]:bounds[1]].strip() else [])


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

    from . import features  # noqa: F401  (registers the token-feature analyzers)

    if name not in ANALYZERS:
        raise KeyError(f"unknown analyzer {name!r}; registered: {', '.join(sorted(ANALYZERS))}")
    return partial(ANALYZERS[name], **params)
