"""The safety screen: signs of abuse or self-harm, checked before any advice is given.

Two signals are combined: hand-written patterns for explicit, present-tense mentions,
and the trained model's safety columns. A text is flagged when either fires, because a
missed flag costs more than an extra one (labeling guide, section 2). Negated and
past-and-resolved mentions ("he has never hit me") fire no pattern, and the model's
flag only counts if it still fires with those sentences cut out.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache, lru_cache, reduce
from itertools import chain, repeat
from operator import or_
from typing import TYPE_CHECKING

from .literals import match_prefixes, required_literals
from .text import normalize

if TYPE_CHECKING:
    import numpy as np

# Each rule: the words every match must contain (its trigger, below), then the pattern.
# A trigger "a|b" needs the word a or b ("a*" a word starting with a, "*a" ending with it, "*a*"
# holding it), and "x & y" needs both groups. Checked against the text's distinct words (each
# word's hits cached), a trigger is far cheaper than a regex scan, so a pattern runs only on texts
# that hold its trigger words (tests/test_safety.py checks each trigger against every match in
# the corpus, and that the shortcuts change no flag).
RULES: dict[str, tuple[tuple[str, str], ...]] = {
    "abuse": (
        # violence against the writer or the children
        ("hit|hits|hitting|punch*|slap*|kick*|chok*|strangl*|shov*|beat*|smack*|bit|headbutt*",
         r"(?<!it )(?<!its )(?<!it's )(?<!that )\b(?:hit|hits|hitting|punch(?:ed|es|ing)?|slap(?:ped|s|ping"
         r")?|kick(?:ed|s|ing)?|chok(?:e|ed|es|ing)|strangl\w*|shov(?:e|ed|es|ing)|beat(?:s|en|ing)?|smack("
         r"?:ed|s)?|bit|headbutt\w*) (?:me|us|the kids?|my (?:son|daughter|kids?|children|baby))\b(?! out\b"
         r")"),
        ("push*|threw|throws|pinned|shoved & me|us & against|down|into|onto|off|the",
         r"\b(?:push(?:ed|es|ing)?|threw|throws|pinned|shoved) (?:me|us) (?:against|down|into|onto|off|to t"
         r"he)"),
        ("grab*",
         r"\bgrabb?(?:ed|s|ing)? (?:me|my (?:arm|wrist|neck|throat|hair|face))\b"),
        ("threw",
         r"\bthrew (?:a|the|his|her|my) \w+(?: \w+)? at me\b"),
        ("punch*|kick*|fist",
         r"\b(?:punch(?:ed|es|ing)?|kick(?:ed|s|ing)?|put (?:his|her) fist through) (?:a |the )?(?:wall|doo"
         r"r)s?\b"),
        ("block*",
         r"\bblock(?:s|ed|ing)? the door\b"),
        # threats and intimidation
        ("threat*",
         r"\bthreat(?:en|ens|ened|ening)s? (?:me|us|to (?:hurt|kill|hit|beat|harm|take (?:the|my|our) (?:ki"
         r"ds?|children|son|daughter|baby)|leak|post|send|share|expose|ruin))"),
        ("kill|hurt|hit|beat & said|says|swore|told & *'d|*'ll|would|will",
         r"\b(?:said|says|swore|told me) (?:he|she|they)(?:'d|'ll| would| will) (?:kill|hurt|hit|beat) (?:m"
         r"e|us)\b"),
        ("kill|strangle|choke|drown|run & tried|trying|try",
         r"\b(?:tried|trying|try) to (?:kill|strangle|choke|drown|run me over)"),
        ("afraid|scared|terrified",
         r"\b(?:afraid|scared|terrified) (?:of (?:him|her|them|my (?:husband|wife|boyfriend|girlfriend|part"
         r"ner|bf|gf))\b|of what (?:he|she|they)(?:'ll|'d| will| would| might) do|(?:he|she|they)(?:'ll|'d|"
         r" will| would| might) (?:hurt|hit|kill|snap|lose it|explode|find out)|for my (?:life|safety))"),
        ("eggshells",
         r"\bwalk(?:ing)? on eggshells\b"),
        ("phone & hide|hiding",
         r"\bhide my phone\b|\bhiding my phone\b"),
        # sexual coercion
        ("rape|raped|forced|force|forcing|sex*",
         r"\b(?:raped?|forced? me|forcing me|made me have sex|sexually assault\w*)\b"),
        ("no & take|said|say & won't|after|when|though",
         r"\b(?:won't take no|(?:even )?(?:after|when|though) i (?:said|say) no)\b"),
        # stalking and monitoring
        ("stalk*",
         r"\bstalk(?:s|ed|ing)? me\b|\bstalker\b"),
        ("phone|messages|texts|location|email|emails|dms|browser|bank & check*|through|track*|monitor* & my",
         r"\b(?:check(?:s|ed|ing)?|go(?:es)? through|went through|track(?:s|ed|ing)?|monitor(?:s|ed|ing)?) "
         r"(?:all )?my (?:phone|messages|texts|location|emails?|dms|browser|bank)"),
        ("password|passwords",
         r"\b(?:demand(?:s|ed|ing)?|makes? me (?:give|share)) (?:all )?my passwords?\b"),
        ("follow*|show|shows & home|work|job|house|place",
         r"\b(?:follow(?:s|ed|ing)? me (?:home|to work)|shows? up at my (?:work|job|house|place))\b"),
        # isolation and money control
        ("let & *n't|not & me & friends|family|mom|mum|dad|parents|sister|brother",
         r"\b(?:won't|doesn't|does not|will not) let me (?:see|visit|talk to|call|go out with) (?:my )?(?:f"
         r"riends|family|mom|mum|dad|parents|sister|brother)\b"),
        ("let & *n't|not & me & leave|go|work|have|drive & house|out|work|job|own|drive",
         r"\b(?:won't|doesn't|does not|will not) let me (?:leave the house|go out|work|have a job|have my o"
         r"wn|drive)\b"),
        ("cut|cuts|cutting|isolat* & off|isolat* & me",
         r"\bcut(?:s|ting)? me off from\b|\bisolat(?:es|ed|ing) me\b"),
        ("money|paycheck|pay|salary|wages|bank|card|cards|keys|passport & control|controls|take|takes|took|keep|keeps"
         " & my|our|the",
         r"\b(?:controls?|takes?|took|keeps?) (?:all )?(?:of )?(?:my|our|the) (?:money|paycheck|pay|salary|"
         r"wages|bank|cards?|car keys|passport)\b"),
        ("allowance",
         r"\bgives? me an allowance\b"),
        # found in out-of-fold misses on the training split
        ("take|stop & *n't|not|never & no & answer|when",
         r"\b(?:doesn't|does not|won't|will not|didn't|did not|never) (?:take no for an answer|stop when i "
         r"(?:say|said) no)\b"),
        ("hid|hide|hides|hiding & meds|medication|medicine|pills|inhaler|insulin|passport|documents",
         r"\bhid(?:es|ing)? my (?:meds|medication|medicine|pills|inhaler|insulin|passport|documents)\b"),
    ),
    "self_harm": (
        ("kill|killing & myself|himself|herself|themselves|themself",
         r"\bkill(?:ing)? (?:myself|himself|herself|themselves|themself)\b"),
        ("suicidal|suicide",
         r"\bsuicidal\b|\bsuicide (?:note|attempt|plan|thoughts?)\b|\b(?:thoughts?|thinking) (?:of|about) s"
         r"uicide\b"),
        ("suicide",
         r"\bcommit(?:ting)? suicide\b"),
        ("end|ending & all|life",
         r"\bend(?:ing)? (?:it all|my life|his life|her life|their life|my own life)\b"),
        ("want|wanting & *n't|not|dont|doesnt & here|alive|exist|wake|live|go & be|exist|wake|live|on",
         r"\b(?:don't|dont|do not|doesn't|does not|not) want(?:ing)? to (?:be here|be alive|exist|wake up|l"
         r"ive anymore|go on)\b"),
        ("off & better|happier",
         r"\b(?:better|happier) off (?:without me|without him|without her|dead|if i (?:was|were)n't here|if"
         r" i (?:was|were) gone)\b"),
        ("myself|himself|herself|themselves|themself & cutting|cut|burning|burned|hurting|hurt|harming|harm",
         r"\b(?:cutting|cut|burning|burned|hurting|hurt|harming|harm) (?:myself|himself|herself|themselves|"
         r"themself)\b"),
        ("*harm*",
         r"\bself[- ]?harm(?:ing)?\b"),
        ("reason|point & no & live|living|alive|go",
         r"\bno (?:reason|point) (?:to live|in living|in being alive|to go on)\b"),
        ("die|dying",
         r"\b(?:want|wants|wanted) to die\b|\bthink(?:s|ing)? about dying\b"),
        ("dead & wish",
         r"\bwish (?:i|he|she|they) (?:was|were) dead\b"),
        ("life & own",
         r"\btake (?:my|his|her|their) own life\b"),
        ("pills|stockpil*",
         r"\bhow many pills\b|\bstockpil\w+ (?:pills|meds|medication)\b"),
        ("can't|longer & go|around & on|much",
         r"\bcan't go on\b|\bnot be around much longer\b"),
        # found in out-of-fold misses on the training split
        ("live & want|will & *n't|not|dont|lost|losing",
         r"\b(?:don't|dont|do not|doesn't|does not) want to live(?: anymore| any more)?(?=[.!?,;]|$| and | but )"
         r"|\b(?:lost|losing) (?:the|my|his|her) will to live\b"),
        ("death|dying|waking & think|thinks|thinking|mind",
         r"\bthink(?:s|ing)? about death all the time\b|\b(?:wouldn't|would not) mind (?:dying|not waking u"
         r"p)\b"),
    ),
}
PATTERNS: dict[str, tuple[str, ...]] = {flag: tuple(p for _, p in rules) for flag, rules in RULES.items()}
TRIGGERS: dict[str, tuple[str, ...]] = {flag: tuple(t for t, _ in rules) for flag, rules in RULES.items()}
_TRIGGER_WORDS = sorted({w for triggers in TRIGGERS.values() for t in triggers for g in t.split(" & ")
                         for w in g.split("|")})
_TRIGGER_MASKS = {flag: tuple(tuple(sum(1 << _TRIGGER_WORDS.index(w) for w in group.split("|"))
                                    for group in trigger.split(" & ")) for trigger in triggers)
                  for flag, triggers in TRIGGERS.items()}
_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
_word_hits: dict[str, int] = {}
_trigger_holders: set[str] = set()  # the cached words that hold a trigger word
_seen: set[str] = set()  # the cached words (a set: a superset test is one C call)


def _word_hits_of(words: list[str]) -> int:
    """Bit mask of the trigger words among ``words`` (each distinct word's bits worked out once)."""
    if len(_word_hits) > 100_000:
        _word_hits.clear()
        _trigger_holders.clear()
        _seen.clear()
    if not _seen.issuperset(words):
        for word in set(words).difference(_seen):
            mask = _word_hits[word] = _chunk_mask(word)
            if mask:
                _trigger_holders.add(word)
        _seen.update(words)
    return reduce(or_, map(_word_hits.__getitem__, _trigger_holders.intersection(words)), 0)


def _chunk_mask(chunk: str) -> int:
    """Trigger bits of the words inside one whitespace-free chunk ("(hit", "self-harm")."""
    mask = 0
    for word in _WORD.findall(chunk):
        mask |= _EXACT.get(word, 0)
        if _stem_holder(word):
            mask |= _stem_bits(word)
    return mask


def _stem_holder(word: str) -> bool:
    """Whether a word may hold a stem, suffix or infix trigger (one C call each rules out most words)."""
    return word.startswith(_PREFIXES) or word.endswith(_SUFFIXES) or _INFIX_IN(word) is not None


def _stem_bits(word: str) -> int:
    return sum(bit for trigger, bit in _PARTIAL if _holds(word, trigger))


def _holds(word: str, trigger: str) -> bool:
    if trigger.startswith("*") and trigger.endswith("*"):
        return trigger[1:-1] in word
    if trigger.endswith("*"):
        return word.startswith(trigger[:-1])
    if trigger.startswith("*"):
        return word.endswith(trigger[1:])
    return word == trigger


# Whole-word triggers are one dict lookup; only the few stems and suffixes are tested one by one.
_EXACT = {t: 1 << k for k, t in enumerate(_TRIGGER_WORDS) if "*" not in t}
_PARTIAL = [(t, 1 << k) for k, t in enumerate(_TRIGGER_WORDS) if "*" in t]
# One C call each rules out most words before the stems are tested one by one.
_PREFIXES = tuple(t[:-1] for t, _ in _PARTIAL if t.endswith("*") and not t.startswith("*"))
_SUFFIXES = tuple(t[1:] for t, _ in _PARTIAL if t.startswith("*") and not t.endswith("*"))
_INFIXES = tuple(t[1:-1] for t, _ in _PARTIAL if t.startswith("*") and t.endswith("*"))
_INFIX_IN = re.compile("|".join(map(re.escape, _INFIXES)) or "(?!)").search
_COMPILED = {flag: tuple(re.compile(p) for p in pats) for flag, pats in PATTERNS.items()}
_LEADING_LOOKBEHINDS = re.compile(r"^(?:\(\?<!(?:[^()]|\([^()]*\))*?\))+")


_OPTIONAL_GROUP = re.compile(r"\(\?:[^()\\]*\)\?")


def _prefilter(pattern: str) -> re.Pattern[str]:
    """``pattern`` without its word-boundary and leading lookbehind assertions, and without the
    optional groups a match may open with ("(?:even )?"): it matches wherever ``pattern`` does
    (or a little later in the same text), and is far faster to scan because it starts with
    literal text, which the regex engine can skip to."""
    return re.compile(_drop_leading_options(_LEADING_LOOKBEHINDS.sub("", pattern.replace(r"\b", ""))))


def _drop_leading_options(pattern: str) -> str:
    """``pattern`` without the optional groups (no groups inside) found where a match can begin.

    Those places are the start, each top-level ``|``, and the start and each ``|`` of a
    ``(?:`` group that itself opens at such a place. A match that used a dropped group
    still holds, after it, a match of the rest.
    """
    out, i = [], 0
    stack = [True]  # per open group (the top level first): whether it opens where a match can begin
    leading = True
    while i < len(pattern):
        if leading:
            skipped = _OPTIONAL_GROUP.match(pattern, i)
            if skipped:
                i = skipped.end()
                continue
        char = pattern[i]
        if char == "\\":
            out.append(pattern[i:i + 2])
            i += 2
            leading = False
            continue
        if char == "(":
            plain = pattern.startswith("(?:", i) or not pattern.startswith("(?", i)
            stack.append(leading and plain)
            opened = 3 if pattern.startswith("(?:", i) else 1
            out.append(pattern[i:i + opened])
            i += opened
            leading = stack[-1]
            continue
        if char == ")":
            stack.pop()
        leading = char == "|" and stack[-1]
        out.append(char)
        i += 1
    return "".join(out)


_PREFILTERS = {flag: tuple(_prefilter(p) for p in pats) for flag, pats in PATTERNS.items()}
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


def rule_flags(text: str, hits: int | None = None) -> list[str]:
    """Flags whose patterns match a present, non-negated mention in ``text``.

    ``hits`` may pass the OR of :func:`trigger_bits` over the text's words (or token keys)
    when the caller has them: most texts hold no pattern's trigger words, and then the
    text is not scanned at all.
    """
    return screen(text, hits)[0]


def screen(text: str, hits: int | None = None) -> tuple[list[str], list[re.Pattern[str]]]:
    """:func:`rule_flags`, and the patterns that match somewhere in ``text`` (present or not).

    One scan serves both the flags and :func:`discounted_spans` (pass it the patterns).
    """
    clean = None
    if hits is None:
        clean = normalize(text)
        hits = _word_hits_of(clean.split())
    return _scan(text, _live(_code_of(hits)), clean)


def screen_many(texts: list[str], bits: np.ndarray) -> tuple[list[Sequence[str]], list[Sequence[re.Pattern[str]]]]:
    """:func:`screen` of each text, as two lists (the flags, the patterns), given each text's trigger bits as
    a row of ``bits`` (uint64 words, the lowest first: the OR of :func:`trigger_bits` over its token keys,
    as ``TokenScorer.read`` gives it).

    Which patterns each text's trigger words allow is worked out for the whole batch in numpy, so
    the texts that allow none (most) cost no Python step at all, and get the empty tuple: no new
    objects for the garbage collector to track.
    """
    codes = _codes(bits)
    flags: list[Sequence[str]] = [()] * len(texts)
    found: list[Sequence[re.Pattern[str]]] = [()] * len(texts)
    for row in [row for row, code in enumerate(codes) if code]:
        flags[row], found[row] = _scan(texts[row], _live(codes[row]), None)
    return flags, found


def _scan(text: str, triggered: _Live, clean: str | None) -> tuple[list[str], list[re.Pattern[str]]]:
    """The flags and the matching patterns of ``text`` among the ``triggered`` ones (``clean``: the text
    normalised, if the caller has it)."""
    if not triggered:
        return [], []
    clean = normalize(text) if clean is None else clean
    found = {flag: [(p, first) for p, fast, needles, openings in live
                    if any(map(clean.__contains__, needles)) and _opens(fast, clean, openings)
                    and (first := p.search(clean))]
             for flag, live in triggered.items()}
    flags = [flag for flag, hits in found.items() if any(_present(p, clean, first) for p, first in hits)]
    return flags, [p for hits in found.values() for p, _ in hits]


def trigger_bits(word: str) -> int:
    """Bit mask of the trigger words in one word or token key (``rule_flags`` takes their OR as ``hits``)."""
    return _chunk_mask(word)


# Token keys as relsignals.features makes them, one per line: a word (maybe negated "~", maybe a name "^"), or a
# clause or sentence end. Each holds at most the one word that _WORD finds in it after "~" and "^" are stripped.
_TOKEN_KEY_LINES = re.compile(r"(?:~?[a-z0-9]+(?:'[a-z]+)?\^?\n|\|\.?\n)*")


def trigger_bits_of(keys: list[str]) -> list[int]:
    """:func:`trigger_bits` of each key, worked out a list at a time: the first batch of a bulk run meets
    thousands of new token keys, and for those the work is a few C-level passes instead of a regex call each."""
    if not keys or not _TOKEN_KEY_LINES.fullmatch("\n".join(keys) + "\n"):
        return list(map(trigger_bits, keys))
    words = list(map(str.strip, keys, repeat("~^")))  # clause and sentence ends hold no trigger either way
    bits = list(map(_EXACT.get, words, repeat(0)))
    for at in [i for i, holder in enumerate(map(_stem_holder, words)) if holder]:
        bits[at] |= _stem_bits(words[at])
    return bits


def _opens(fast: re.Pattern[str], clean: str, openings: tuple[str, ...] | None) -> bool:
    """Whether the prefilter ``fast`` matches in ``clean``, tried only where one of its ``openings`` (the
    strings every match of it begins with, :func:`~relsignals.literals.match_prefixes`) occurs: a few
    substring searches beat a scan that tries the pattern's first alternatives at every letter."""
    if openings is None:
        return fast.search(clean) is not None
    for opening in openings:
        at = clean.find(opening)
        while at >= 0:
            if fast.match(clean, at):
                return True
            at = clean.find(opening, at + 1)
    return False


# Per flag, the patterns a text's trigger words allow: each with its prefilter, required literals and the
# prefilter's openings (_entry).
_Entry = tuple[re.Pattern[str], re.Pattern[str], tuple[str, ...], "tuple[str, ...] | None"]
_Live = dict[str, list[_Entry]]


@lru_cache(maxsize=4096)
def _code_of(hits: int) -> int:
    """The pattern code (:func:`_codes`) of one text's trigger bits, worked out in Python (cached): for a
    batch of a few texts this beats numpy's fixed cost per step."""
    return sum(1 << j for j, (flag, k) in enumerate(_PATTERN_IDS) if all(hits & g for g in _TRIGGER_MASKS[flag][k]))


def _codes(bits: np.ndarray) -> list[int]:
    """Per row of trigger bits, a number whose bit ``j`` says that its trigger words allow ``_PATTERN_IDS[j]``.

    A few whole-batch numpy steps: which trigger groups each row holds (an AND per group and
    word of the row), then which patterns have all their groups. No matrix product: BLAS
    threads can cost milliseconds on a busy machine.
    """
    import numpy as np

    if len(bits) <= _FEW:
        return [_code_of(int.from_bytes(row.tobytes(), "little")) for row in bits.astype("<u8")]
    group_words, pattern_groups = _matrices()
    shared = bits[:, None, 0] & group_words[:, 0]  # per row and group, the trigger words they share
    for w in range(1, min(bits.shape[1], _WIDTH)):  # a narrower row has no higher bits
        shared |= bits[:, None, w] & group_words[:, w]
    held = np.ones((len(bits), len(group_words) + 1), dtype=bool)  # the last column pads pattern_groups
    held[:, :-1] = shared != 0
    allowed = held[:, pattern_groups[:, 0]]
    for k in range(1, pattern_groups.shape[1]):
        allowed &= held[:, pattern_groups[:, k]]
    packed = np.zeros((len(bits), 8), dtype=np.uint8)
    packed[:, :-(-len(_PATTERN_IDS) // 8)] = np.packbits(allowed, axis=1, bitorder="little")
    return packed.view("<u8")[:, 0].tolist()


@cache
def _matrices() -> tuple[np.ndarray, np.ndarray]:
    """Each distinct trigger group as a row of uint64 words, and per pattern the rows of its groups (padded
    with one past the last row, a group every text holds); made on first use, as numpy loads late."""
    import numpy as np

    from .features import bit_words

    groups = sorted({g for flag, k in _PATTERN_IDS for g in _TRIGGER_MASKS[flag][k]})
    needs = [[groups.index(g) for g in _TRIGGER_MASKS[flag][k]] for flag, k in _PATTERN_IDS]
    padded = [row + [len(groups)] * (max(map(len, needs)) - len(row)) for row in needs]
    return bit_words(groups, _WIDTH), np.array(padded, dtype=np.int64)


@lru_cache(maxsize=4096)
def _live(code: int) -> _Live:
    """Per flag, the patterns that ``code`` (from :func:`_codes`) allows, each as :func:`_entry` gives it, in
    ``_PATTERN_IDS`` order. Cached, as texts share few combinations: callers must not change the result."""
    found: _Live = {}
    for j, (flag, k) in enumerate(_PATTERN_IDS):
        if code >> j & 1:
            found.setdefault(flag, []).append(_entry(flag, k))
    return found


# Each pattern (flag, index) in sorted order: bit j of a pattern code (_codes) stands for _PATTERN_IDS[j].
_PATTERN_IDS = [(flag, k) for flag in sorted(_TRIGGER_MASKS) for k in range(len(_TRIGGER_MASKS[flag]))]
assert len(_PATTERN_IDS) <= 64, "a pattern code is a uint64: split _codes' result past 64 patterns"
_WIDTH = -(-len(_TRIGGER_WORDS) // 64)  # uint64 words per row of trigger bits
_FEW = 8  # batches up to this many texts get their pattern codes one by one (_code_of)


@cache
def _entry(flag: str, k: int) -> _Entry:
    """Pattern ``k`` of ``flag``, its prefilter, literals one of which each of its matches holds, and the
    strings each match of the prefilter begins with (worked out on first use: most texts trigger few
    patterns)."""
    fast = _PREFILTERS[flag][k]
    openings = match_prefixes(fast.pattern)
    if openings is not None and len(openings) == 1:
        openings = None  # one opening: the regex engine skips to it as fast by itself
    return _COMPILED[flag][k], fast, required_literals(PATTERNS[flag][k]), openings


def _present(pattern: re.Pattern[str], clean: str, first: re.Match[str]) -> bool:
    """Whether ``pattern`` matches a present, non-negated mention somewhere in a normalised text, given its
    ``first`` match there (the scan goes on after it; no pattern matches the empty string)."""
    for match in chain([first], pattern.finditer(clean, first.end())):
        start = max(clean.rfind(c, 0, match.start()) for c in ".!?\n") + 1
        end = min((i for i in (clean.find(c, match.end()) for c in ".!?\n") if i >= 0), default=len(clean))
        if _present_in(clean[start:end], match.start() - start, match.end() - start):
            return True
    return False


def _present_in(sentence: str, start: int, end: int) -> bool:
    before, after = sentence[:start], sentence[end:]
    return not (_PAST.search(sentence) or _NEGATED.search(before) or _DENIED_AFTER.search(after)
                or _OTHERS.search(before))


def _present_match(pattern: re.Pattern[str], sentence: str) -> bool:
    return any(_present_in(sentence, *m.span()) for m in pattern.finditer(sentence))


def discounted_spans(text: str, mentioned: Sequence[re.Pattern[str]] | None = None) -> list[tuple[int, int]]:
    """Sentences (or clauses) of ``text`` whose only danger words are negated or past-and-resolved.

    "he has never hit me" and "my ex used to hit me" name danger without describing
    it; the classifier rescores a text without these spans before trusting a model flag.
    ``mentioned`` passes the patterns :func:`screen` found (else the text is screened here).
    """
    mentioned = screen(text)[1] if mentioned is None else mentioned
    if not mentioned:  # most texts the model flags name no pattern at all
        return []
    from .text import segments

    out = []
    for start, end in segments(text):
        piece = normalize(text[start:end])
        mentions = [p for p in mentioned if p.search(piece)]
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
