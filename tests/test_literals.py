"""Required literals of a regex: every match holds one of them (the safety screen skips a scan on that)."""

from __future__ import annotations

import random
import re

import pytest
from conftest import sample_match

from relsignals.literals import required_literals, sre_parse
from relsignals.safety import PATTERNS


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
