"""The safety screen: signs of abuse or self-harm, checked before any advice is given.

Two signals are combined: hand-written patterns for explicit, present-tense mentions
(with negation and past-and-resolved mentions left to the model), and the trained
model's safety columns. A text is flagged when either fires, because a missed flag
costs more than an extra one (labeling guide, section 2).
"""

from __future__ import annotations

import re

from .text import normalize

_OBJ = r"(?:me|her|him|us|them|my|our|the kids?)\b"
PATTERNS: dict[str, tuple[str, ...]] = {
    "abuse": (
        rf"(?<!it )(?<!that )\b(?:hit|hits|hitting|punch(?:ed|es|ing)?|slap(?:ped|s|ping)?|kick(?:ed|s|ing)?|"
        rf"chok(?:e|ed|es|ing)|strangl\w*|shov(?:e|ed|es|ing)|beat(?:s|en|ing)?|grabb?(?:ed|s|ing)?|"
        rf"push(?:ed|es|ing)?|slammed|threw \w+(?: \w+)? at) {_OBJ}",
        r"\bthreat(?:en|ens|ened|ening)s? (?:me|us|to (?:hurt|kill|hit|beat|harm|"
        r"take (?:the|my|our) (?:kids?|children|son|daughter|baby)|ruin|post|send|expose|kick me out|throw me out))",
        r"\b(?:raped?|forced? me|forcing me|made me have sex|sexually assault\w*)\b",
        r"\bstalk(?:s|ed|ing|er)?\b",
        r"\b(?:check(?:s|ing)?|go(?:es)? through|went through|track(?:s|ing)?|monitor(?:s|ing)?|"
        r"read(?:s)?) (?:all )?my (?:phone|messages|texts|location|emails?|dms)\b",
        r"\b(?:won't|doesn't|does not|will not) let me (?:see|go|talk|leave|have|work|call)\b",
        r"\b(?:controls?|takes?|took|keeps?) (?:all )?(?:of )?(?:my|our|the) (?:money|paycheck|pay|bank|cards?|"
        r"car keys|keys|phone|passport)\b",
        r"\b(?:afraid|scared|terrified) (?:of (?:him|her|them|what he|what she)|he(?:'ll| will| might)|"
        r"she(?:'ll| will| might)|for my life)",
        r"\b(?:kill|hurt) (?:me|you|my)\b",
        r"\bcut(?:s|ting)? me off from\b",
        r"\b(?:isolat(?:es|ed|ing)) me\b",
    ),
    "self_harm": (
        r"\bkill(?:ing)? (?:myself|himself|herself|themselves|themself)\b",
        r"\bsuicid\w*",
        r"\bend(?:ing)? (?:it all|my life|his life|her life|things)\b",
        r"\b(?:don't|dont|do not|doesn't|does not|not) want(?:ing)? to (?:be here|live|be alive|exist|wake up)",
        r"\bbetter off (?:without me|without him|without her|dead)\b",
        r"\b(?:cutting|cut|burning|burned|hurting|hurt|harming|harm) (?:myself|himself|herself|themselves)\b",
        r"\bself[- ]?harm\w*",
        r"\boverdos\w*",
        r"\bno (?:reason|point) (?:to live|in living|in being alive)\b",
        r"\b(?:want|wants|wanted) to die\b",
        r"\bwish (?:i|he|she) (?:was|were) dead\b",
        r"\btake (?:my|his|her|their) own life\b",
    ),
}
_COMPILED = {flag: tuple(re.compile(p) for p in pats) for flag, pats in PATTERNS.items()}
_NEGATED = re.compile(
    r"\b(?:never|not|no longer|hasn't|hasnt|haven't|didn't|didnt|doesn't|doesnt|wouldn't|wouldnt|"
    r"won't|wont|isn't|nobody|no one)\b[^.!?;]{0,25}$"
)
_PAST = re.compile(
    r"\b(?:years ago|used to|back then|in high school|as a (?:kid|teen|child)|when i was (?:a |younger|little)|"
    r"long time ago|ages ago|in the past|my ex|our old|clean for|free for)\b"
)
_SENTENCE = re.compile(r"[^.!?\n]+")


def rule_flags(text: str) -> list[str]:
    """Flags whose patterns match a present, non-negated mention in ``text``."""
    found: list[str] = []
    for flag, patterns in _COMPILED.items():
        if any(_present_match(p, s) for s in _SENTENCE.findall(normalize(text)) for p in patterns):
            found.append(flag)
    return found


def _present_match(pattern: re.Pattern[str], sentence: str) -> bool:
    for match in pattern.finditer(sentence):
        before = sentence[: match.start()]
        if not _NEGATED.search(before) and not _PAST.search(sentence):
            return True
    return False


def combine(rule_hits: list[str], probabilities: dict[str, float], thresholds: dict[str, float]) -> list[str]:
    """Flags from the patterns or from the model's calibrated probabilities, in guide order."""
    return [f for f in PATTERNS if f in rule_hits or probabilities.get(f, 0.0) >= thresholds.get(f, 1.0)]
