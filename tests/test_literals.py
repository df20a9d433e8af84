"""Required literals of a regex: every match holds one of them (the safety screen skips a scan on that)."""

from __future__ import annotations

import random
import re

import pytest
from conftest import sample_match

from relsignals.literals import match_prefixes, required_literals, sre_parse
from relsignals.safety import _PREFILTERS, PATTERNS, _opens


@pytest.mark.parametrize(("pattern", "expected"), [
    (r"\b(?:won't|doesn't) let me (?:see|go)\b", ("doesn't let me ", "won't let me ")),
    (r"\bwalk(?:ing)? on eggshells\b", ("walk on eggshells", "walking on eggshells")),
    (r"\bhow many pills\b|\bstockpil\w+ (?:pills|meds)", ("how many pills", "stockpil")),
    (r"(?:a|b)+", ("",)),  # nothing of five characters is required
    (r"\w+ me", ("",)),
    (r"(?i)let me go", ("",)),  # letters matched in any case: no literal holds
    (r"(?:x|y)?threaten", ("threaten",)),
])
def test_required_literals_of_examples(pattern, expected):
    assert required_literals(pattern) == expected


def test_every_sampled_match_of_each_safety_pattern_holds_one_of_its_literals():
    rng = random.Random(0)
    matched = 0
    for pattern in (p for patterns in PATTERNS.values() for p in patterns):
        compiled, literals = re.compile(pattern), required_literals(pattern)
        parsed = list(sre_parse.parse(pattern))
        for _ in range(300):
            text = f"{rng.choice(['', 'so ', 'and then '])}{sample_match(parsed, rng)}{rng.choice(['', ' now', '.'])}"
            if compiled.search(text):
                matched += 1
                assert any(literal in text for literal in literals), (pattern[:40], text)
    assert matched > 5_000


@pytest.mark.parametrize(("pattern", "expected"), [
    (r"(?:hit|hits|hitting|punch(?:ed|es)?|strangl\w*) me", ("hit", "punch", "strangl")),
    (r"(?:afraid|scared) of", ("afraid of", "scared of")),  # no opening is the start of another: joined on
    (r"(?:tried|trying|try) to", ("tried", "try")),  # "tr" is too short to stop at
    (r"suicidal|suicide note", ("suicid",)),  # the parser takes the shared start out of the branch
    (r"\w+ me", None),  # any word: openings unknown
    (r"(?:a|bc) me", ("a me", "bc me")),  # short openings are joined on
    (r"(?:a|bc)\w+", None),  # "a" is too short, and any word follows
    (r"(?i)let me", None),
    (r"(?:x)?threaten", None),  # an optional group opens it: a match may begin with "t", too short
])
def test_match_prefixes_of_examples(pattern, expected):
    assert match_prefixes(pattern) == expected


def test_every_sampled_match_of_each_safety_prefilter_begins_with_one_of_its_openings():
    # the screen tries a prefilter only where an opening occurs: every match must begin with one
    rng = random.Random(3)
    matched = 0
    for fast in (f for prefilters in _PREFILTERS.values() for f in prefilters):
        openings = match_prefixes(fast.pattern)
        parsed = list(sre_parse.parse(fast.pattern))
        for _ in range(300):
            text = f"{rng.choice(['', 'so ', 'a bit of '])}{sample_match(parsed, rng)}{rng.choice(['', ' now', '.'])}"
            for match in fast.finditer(text):
                matched += 1
                assert openings is None or text.startswith(openings, match.start()), (fast.pattern[:40], text)
            assert _opens(fast, text, openings) == bool(fast.search(text)), (fast.pattern[:40], text)
    assert matched > 8_000
