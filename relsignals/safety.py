"""The safety screen: signs of abuse or self-harm, checked before any advice is given.

Two signals are combined: hand-written patterns for explicit, present-tense mentions,
and the trained model's safety columns. A text is flagged when either fires, because a
missed flag costs more than an extra one (labeling guide, section 2). Negated and
past-and-resolved mentions ("he has never hit me") fire no pattern, and the model's
flag only counts if it still fires with those sentences cut out.
"""

from __future__ import annotations

import re

from .text import normalize

_OBJ = r"(?:me|us|the kids?|my (?:son|daughter|kids?|children|baby))\b"
PATTERNS: dict[str, tuple[str, ...]] = {
    "abuse": (
        # violence against the writer or the children
        rf"(?<!it )(?<!its )(?<!it's )(?<!that )\b(?:hit|hits|hitting|punch(?:ed|es|ing)?|slap(?:ped|s|ping)?|"
        rf"kick(?:ed|s|ing)?|chok(?:e|ed|es|ing)|strangl\w*|shov(?:e|ed|es|ing)|beat(?:s|en|ing)?|"
        rf"smack(?:ed|s)?|bit|headbutt\w*) {_OBJ}(?! out\b)",
        r"\b(?:push(?:ed|es|ing)?|threw|throws|pinned|shoved) (?:me|us) (?:against|down|into|onto|off|to the)",
        r"\bgrabb?(?:ed|s|ing)? (?:me|my (?:arm|wrist|neck|throat|hair|face))\b",
        r"\bthrew (?:a|the|his|her|my) \w+(?: \w+)? at me\b",
        r"\b(?:punch(?:ed|es|ing)?|kick(?:ed|s|ing)?|put (?:his|her) fist through) (?:a |the )?(?:wall|door)s?\b",
        r"\bblock(?:s|ed|ing)? the door\b",
        # threats and intimidation
        r"\bthreat(?:en|ens|ened|ening)s? (?:me|us|to (?:hurt|kill|hit|beat|harm|"
        r"take (?:the|my|our) (?:kids?|children|son|daughter|baby)|leak|post|send|share|expose|ruin))",
        r"\b(?:said|says|swore|told me) (?:he|she|they)(?:'d|'ll| would| will) (?:kill|hurt|hit|beat) (?:me|us)\b",
        r"\b(?:tried|trying|try) to (?:kill|strangle|choke|drown|run me over)",
        r"\b(?:afraid|scared|terrified) (?:of (?:him|her|them|my (?:husband|wife|boyfriend|girlfriend|partner|bf|gf))"
        r"\b|"
        r"of what (?:he|she|they)(?:'ll|'d| will| would| might) do|(?:he|she|they)(?:'ll|'d| will| would| might) "
        r"(?:hurt|hit|kill|snap|lose it|explode|find out)|for my (?:life|safety))",
        r"\bwalk(?:ing)? on eggshells\b",
        r"\bhide my phone\b|\bhiding my phone\b",
        # sexual coercion
        r"\b(?:raped?|forced? me|forcing me|made me have sex|sexually assault\w*|won't take no|"
        r"(?:even )?(?:after|when|though) i (?:said|say) no)\b",
        # stalking and monitoring
        r"\bstalk(?:s|ed|ing)? me\b|\bstalker\b",
        r"\b(?:check(?:s|ed|ing)?|go(?:es)? through|went through|track(?:s|ed|ing)?|monitor(?:s|ed|ing)?) "
        r"(?:all )?my (?:phone|messages|texts|location|emails?|dms|browser|bank)",
        r"\b(?:demand(?:s|ed|ing)?|makes? me (?:give|share)) (?:all )?my passwords?\b",
        r"\b(?:follow(?:s|ed|ing)? me (?:home|to work)|shows? up at my (?:work|job|house|place))\b",
        # isolation and money control
        r"\b(?:won't|doesn't|does not|will not) let me (?:see|visit|talk to|call|go out with) (?:my )?"
        r"(?:friends|family|mom|mum|dad|parents|sister|brother)\b",
        r"\b(?:won't|doesn't|does not|will not) let me (?:leave the house|go out|work|have a job|have my own|drive)\b",
        r"\bcut(?:s|ting)? me off from\b|\bisolat(?:es|ed|ing) me\b",
        r"\b(?:controls?|takes?|took|keeps?) (?:all )?(?:of )?(?:my|our|the) (?:money|paycheck|pay|salary|wages|"
        r"bank|cards?|car keys|passport)\b",
        r"\bgives? me an allowance\b",
    ),
    "self_harm": (
        r"\bkill(?:ing)? (?:myself|himself|herself|themselves|themself)\b",
        r"\bsuicidal\b|\bsuicide (?:note|attempt|plan|thoughts?)\b|\b(?:thoughts?|thinking) (?:of|about) suicide\b",
        r"\bcommit(?:ting)? suicide\b",
        r"\bend(?:ing)? (?:it all|my life|his life|her life|their life|my own life)\b",
        r"\b(?:don't|dont|do not|doesn't|does not|not) want(?:ing)? to (?:be here|be alive|exist|wake up|live anymore|"
        r"go on)\b",
        r"\b(?:better|happier) off (?:without me|without him|without her|dead|if i (?:was|were)n't here|"
        r"if i (?:was|were) gone)\b",
        r"\b(?:cutting|cut|burning|burned|hurting|hurt|harming|harm) (?:myself|himself|herself|themselves|themself)\b",
        r"\bself[- ]?harm(?:ing)?\b",
        r"\bno (?:reason|point) (?:to live|in living|in being alive|to go on)\b",
        r"\b(?:want|wants|wanted) to die\b|\bthink(?:s|ing)? about dying\b",
        r"\bwish (?:i|he|she|they) (?:was|were) dead\b",
        r"\btake (?:my|his|her|their) own life\b",
        r"\bhow many pills\b|\bstockpil\w+ (?:pills|meds|medication)\b",
        r"\bcan't go on\b|\bnot be around much longer\b",
    ),
}
_COMPILED = {flag: tuple(re.compile(p) for p in pats) for flag, pats in PATTERNS.items()}
# One alternation per flag: most texts match none, and one search tells so.
_ANY = {flag: re.compile("|".join(f"(?:{p})" for p in pats)) for flag, pats in PATTERNS.items()}
_NEGATED = re.compile(
    r"\b(?:never|not|no longer|hasn't|hasnt|haven't|didn't|didnt|doesn't|doesnt|wouldn't|wouldnt|"
    r"won't|wont|isn't|nobody|no one|if)\b[^.!?;]{0,25}$"
)
_DENIED_AFTER = re.compile(r"^[^.!?;]{0,60}\b(?:said no|says no|denied|denies|absolutely not|not really)\b")
_PAST = re.compile(
    r"\b(?:years ago|months ago|used to|back then|in high school|in college|as a (?:kid|teen|teenager|child)|"
    r"when (?:i|he|she|they) (?:was|were) (?:a |younger|little|\d+)|long time ago|ages ago|in the past|our old|"
    r"clean for|free for|in my (?:teens|twenties|20s)|from (?:about )?\d+ to \d+|(?:19|20)\d\d|died by|lost \w+ to)\b"
)
_OTHERS = re.compile(r"\b(?:(?!(?:he|she|it|that|there|what|who|here)'s)\w+'s|"
                     r"brother|sister|mother|father|mom|mum|dad|friend|cousin|uncle|aunt|"
                     r"stepdaughter|stepson|son|daughter|roommate|coworker|colleague)\s+(?:\w+\s+)?$")
_SENTENCE = re.compile(r"[^.!?\n]+")


def rule_flags(text: str) -> list[str]:
    """Flags whose patterns match a present, non-negated mention in ``text``."""
    found: list[str] = []
    clean = normalize(text)
    for flag, patterns in _COMPILED.items():
        if not _ANY[flag].search(clean):
            continue
        if any(_present_match(p, s) for s in _SENTENCE.findall(clean) for p in patterns):
            found.append(flag)
    return found


def _present_match(pattern: re.Pattern[str], sentence: str) -> bool:
    if _PAST.search(sentence):
        return False
    for match in pattern.finditer(sentence):
        before, after = sentence[: match.start()], sentence[match.end():]
        if not _NEGATED.search(before) and not _DENIED_AFTER.search(after) and not _OTHERS.search(before):
            return True
    return False


def discounted_spans(text: str) -> list[tuple[int, int]]:
    """Sentences (or clauses) of ``text`` whose only danger words are negated or past-and-resolved.

    "he has never hit me" and "my ex used to hit me" name danger without describing
    it; the classifier rescores a text without these spans before trusting a model flag.
    """
    from .text import segments

    out = []
    for start, end in segments(text):
        piece = normalize(text[start:end])
        mentions = [p for pats in _COMPILED.values() for p in pats if p.search(piece)]
        if mentions and not any(_present_match(p, piece) for p in mentions):
            out.append((start, end))
    return out


def without_spans(text: str, spans: list[tuple[int, int]]) -> str:
    """``text`` with the given spans cut out."""
    kept, last = [], 0
    for start, end in sorted(spans):
        kept.append(text[last:start])
        last = end
    kept.append(text[last:])
    return " ".join(part.strip() for part in kept if part.strip())


def combine(rule_hits: list[str], probabilities: dict[str, float], thresholds: dict[str, float]) -> list[str]:
    """Flags from the patterns or from the model's calibrated probabilities, in guide order."""
    return [f for f in PATTERNS if f in rule_hits or probabilities.get(f, 0.0) >= thresholds.get(f, 1.0)]
