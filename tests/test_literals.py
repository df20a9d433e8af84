"""Required literals of a regex: every match holds one of them (the safety screen skips a scan on that)."""

from __future__ import annotations

import random
import re

import pytest

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


def _sample(items, rng: random.Random) -> str:
    """A random string that the parsed ``items`` match, or nearly (assertions are left out, so check it)."""
    out = []
    for op, av in items:
        if op is sre_parse.LITERAL:
            out.append(chr(av))
        elif op is sre_parse.IN:
            choices = [chr(code) for kind, code in av if kind is sre_parse.LITERAL] or list("ab1 ")
            out.append(rng.choice(choices))
        elif op is sre_parse.BRANCH:
            out.append(_sample(rng.choice(av[1]), rng))
        elif op is sre_parse.SUBPATTERN:
            out.append(_sample(av[-1], rng))
        elif op in (sre_parse.MAX_REPEAT, sre_parse.MIN_REPEAT):
            low, high, item = av
            out.extend(_sample(item, rng) for _ in range(rng.randint(low, min(high, low + 2))))
        elif op in (sre_parse.ANY, sre_parse.NOT_LITERAL, sre_parse.CATEGORY):
            out.append(rng.choice("ab1"))
    return "".join(out)


def test_every_sampled_match_of_each_safety_pattern_holds_one_of_its_literals():
    rng = random.Random(0)
    matched = 0
    for pattern in (p for patterns in PATTERNS.values() for p in patterns):
        compiled, literals = re.compile(pattern), required_literals(pattern)
        parsed = list(sre_parse.parse(pattern))
        for _ in range(300):
            text = f"{rng.choice(['', 'so ', 'and then '])}{_sample(parsed, rng)}{rng.choice(['', ' now', '.'])}"
            if compiled.search(text):
                matched += 1
                assert any(literal in text for literal in literals), (pattern[:40], text)
    assert matched > 5_000
