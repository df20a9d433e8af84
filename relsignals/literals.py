"""Literal strings that every match of a regular expression holds, or begins with: cheap tests before a scan.

A substring search (``"let me" in text``) runs far faster than a regex scan that must try a
branch at every letter. When a text holds none of a pattern's required literals, the
pattern cannot match in it, so the scan is skipped. The literals are read off the parse
tree of the pattern (the one ``re.compile`` builds), so they hold for every match by
construction; anything the reader does not know gives no literal, never a wrong one.

The strings a match begins with (:func:`match_prefixes`) go further: a pattern that opens
with many alternatives ("hit|punch|slap...") makes the regex engine try them at every
letter, while a substring search for each opening finds the few places worth trying.
"""

from __future__ import annotations

import re
from itertools import product
from typing import Any

try:  # the parser behind re.compile: a private module, stable since Python 2, renamed in 3.11
    from re import _parser as sre_parse  # type: ignore[attr-defined]
except ImportError:  # Python 3.10
    import sre_parse  # type: ignore[no-redef]

MOST = 3  # literals per pattern at most: each one is a substring search
SHORTEST = 5  # shorter literals hold in too many texts to be worth testing
_ZERO_WIDTH = (sre_parse.AT, sre_parse.ASSERT, sre_parse.ASSERT_NOT)
_REPEATS = (sre_parse.MAX_REPEAT, sre_parse.MIN_REPEAT)

# A node's reading: the set of strings it can match (None: unbounded or too many), and a set of
# strings one of which each of its matches holds (None: none known).
_Reading = tuple["frozenset[str] | None", "frozenset[str] | None"]


def required_literals(pattern: str) -> tuple[str, ...]:
    """Up to :data:`MOST` strings, one of which every match of ``pattern`` holds; ``("",)`` (a test every
    text passes) when there are none of at least :data:`SHORTEST` characters."""
    parsed = sre_parse.parse(pattern)
    found = None if parsed.state.flags & re.IGNORECASE else _sequence(list(parsed))[1]
    return tuple(sorted(found)) if found and min(map(len, found)) >= SHORTEST else ("",)


def _sequence(items: list[tuple[Any, Any]]) -> _Reading:
    """A run of nodes: each node's required set, and every window of consecutive exact nodes, compete."""
    if all(op is sre_parse.LITERAL for op, _ in items):  # plain text, as most alternatives are
        text = frozenset(["".join(chr(code) for _, code in items)])
        return text, text
    readings = [_node(op, av) for op, av in items]
    candidates = [required for _, required in readings]
    exact = _merged([strings for strings, _ in readings])
    for start in range(len(exact)):
        window: frozenset[str] | None = frozenset([""])
        for strings in exact[start:]:
            window = _joined(window, strings)
            if window is None:
                break
            candidates.append(window)
    whole: frozenset[str] | None = frozenset([""])
    for strings in exact:
        whole = _joined(whole, strings)
    return whole, _best(candidates)


def _merged(exact: list[frozenset[str] | None]) -> list[frozenset[str] | None]:
    """``exact`` with each run of nodes that match one string only (letters, assertions) made one node."""
    out: list[frozenset[str] | None] = []
    for strings in exact:
        if out and strings is not None and len(strings) == 1 and out[-1] is not None and len(out[-1]) == 1:
            out[-1] = _joined(out[-1], strings)
        else:
            out.append(strings)
    return out


def _node(op: Any, av: Any) -> _Reading:
    """The reading of one parse-tree node (unknown kinds: nothing known)."""
    if op is sre_parse.LITERAL:
        return frozenset([chr(av)]), None
    if op in _ZERO_WIDTH:
        return frozenset([""]), None
    if op is sre_parse.IN and all(kind is sre_parse.LITERAL for kind, _ in av):
        return frozenset(chr(code) for _, code in av), None
    if op is sre_parse.SUBPATTERN and not av[1] & re.IGNORECASE:
        return _sequence(list(av[-1]))
    if op is sre_parse.BRANCH:
        return _branch([_sequence(list(alternative)) for alternative in av[1]])
    if op in _REPEATS:
        return _repeat(*av)
    return None, None


def _branch(readings: list[_Reading]) -> _Reading:
    """Alternatives: a match is one of theirs, so it holds one of the union of their required sets."""
    exact = [strings for strings, _ in readings]
    required = [_best([req, strings]) for strings, req in readings]
    return _union(exact, MOST), _union(required)


def _union(sets: list[frozenset[str] | None], most: int | None = None) -> frozenset[str] | None:
    """All the strings of ``sets``, or None if one is None (or past ``most`` strings)."""
    if any(strings is None for strings in sets):
        return None
    union = frozenset[str]().union(*(strings for strings in sets if strings is not None))
    return union if most is None or len(union) <= most else None


def _repeat(low: int, high: int, item: Any) -> _Reading:
    """``x?`` matches nothing or ``x``; ``x+`` and the like hold one ``x`` at least."""
    strings, required = _sequence(list(item))
    if low == 0 and high == 1 and strings is not None:
        return strings | {""}, None
    return None, (_best([required, strings]) if low >= 1 else None)


def _joined(left: frozenset[str] | None, right: frozenset[str] | None) -> frozenset[str] | None:
    """Each string of ``left`` followed by each of ``right``, or None past :data:`MOST` strings."""
    if left is None or right is None or len(left) * len(right) > MOST:
        return None
    return frozenset(a + b for a, b in product(left, right))


def _best(candidates: list[frozenset[str] | None]) -> frozenset[str] | None:
    """The candidate with the longest shortest string (then the fewest strings); an empty string makes
    a candidate useless (every text holds it)."""
    usable = [c for c in candidates if c and "" not in c and len(c) <= MOST]
    return max(usable, key=lambda c: (min(map(len, c)), -len(c))) if usable else None


PREFIXES_MOST = 32  # openings per pattern at most: each one is a substring search
PREFIX_SHORTEST = 3  # shorter openings occur in too many places


def match_prefixes(pattern: str) -> tuple[str, ...] | None:
    """Strings one of which every match of ``pattern`` begins with (none the start of another), or ``None``
    when the pattern's openings are not known, too many, or shorter than :data:`PREFIX_SHORTEST`.

    Then ``pattern`` matches in a text only at a place where one of them occurs.
    """
    parsed = sre_parse.parse(pattern)
    found = None if parsed.state.flags & re.IGNORECASE else _starts(list(parsed))
    if not found or min(map(len, found)) < PREFIX_SHORTEST:
        return None
    return tuple(sorted(found))


def _starts(items: list[tuple[Any, Any]]) -> frozenset[str] | None:
    """Strings one of which each match of a run of nodes begins with, none the start of another.

    The exact strings of the leading nodes, joined on while none is the start of another, and
    past :data:`PREFIX_SHORTEST` characters only from nodes that match one string; else the first
    node's own openings. Few openings: each is a substring search, and each place found a regex
    match to try.
    """
    out = frozenset([""])
    for op, av in items:
        exact = _exact(op, av)
        if exact is not None and (len(exact) == 1 or min(map(len, out)) < PREFIX_SHORTEST) \
                and len(out) * len(exact) <= PREFIXES_MOST:
            joined = frozenset(a + b for a, b in product(out, exact))
            out = _shortest(joined)
            if out == joined:
                continue
        elif out == {""}:
            out = _opening(op, av) or out
        break
    return None if "" in out or len(out) > PREFIXES_MOST else out


def _shortest(strings: frozenset[str]) -> frozenset[str]:
    """The strings that do not begin with another of them."""
    return frozenset(s for s in strings if not any(s != t and s.startswith(t) for t in strings))


def _exact(op: Any, av: Any) -> frozenset[str] | None:
    """The strings one node can match (None: unbounded, unknown or more than :data:`PREFIXES_MOST`)."""
    if op is sre_parse.LITERAL:
        return frozenset([chr(av)])
    if op in _ZERO_WIDTH:
        return frozenset([""])
    if op is sre_parse.IN and all(kind is sre_parse.LITERAL for kind, _ in av):
        return frozenset(chr(code) for _, code in av)
    if op is sre_parse.SUBPATTERN and not av[1] & re.IGNORECASE:
        return _exact_run(list(av[-1]))
    if op is sre_parse.BRANCH:
        sets = [_exact_run(list(alternative)) for alternative in av[1]]
        return _union(sets, PREFIXES_MOST)
    if op in _REPEATS and av[0] == 0 and av[1] == 1:
        strings = _exact_run(list(av[2]))
        return strings | {""} if strings is not None else None
    return None


def _exact_run(items: list[tuple[Any, Any]]) -> frozenset[str] | None:
    out: frozenset[str] | None = frozenset([""])
    for op, av in items:
        strings = _exact(op, av)
        if out is None or strings is None or len(out) * len(strings) > PREFIXES_MOST:
            return None
        out = frozenset(a + b for a, b in product(out, strings))
    return out


def _opening(op: Any, av: Any) -> frozenset[str] | None:
    """The openings (:func:`_starts`) of one node that is not exact."""
    if op is sre_parse.SUBPATTERN and not av[1] & re.IGNORECASE:
        return _starts(list(av[-1]))
    if op is sre_parse.BRANCH:
        found = _union([_starts(list(alternative)) for alternative in av[1]])
        return _shortest(found) if found is not None else None
    if op in _REPEATS and av[0] >= 1:
        return _starts(list(av[2]))
    return None
