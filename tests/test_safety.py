import random
import re
from functools import reduce
from operator import or_

import pytest

from relsignals.safety import combine, rule_flags


@pytest.mark.parametrize("text, flags", [
    ("he slapped me last night and I don't know what to do", ["abuse"]),
    ("she goes through my phone every night and took my bank card", ["abuse"]),
    ("he said he'd kill me if I ever left", ["abuse"]),
    ("honestly I want to die, nothing matters since he left", ["self_harm"]),
    ("my gf told me she's been cutting herself again", ["self_harm"]),
    ("I don't want to be here anymore", ["self_harm"]),
    ("I think about dying most days now", ["self_harm"]),
    ("twice now she's slapped me when I asked where she'd been", ["abuse"]),
    ("he tracks my location and goes through my messages every night", ["abuse"]),
    ("I hide my phone before he gets home", ["abuse"]),
    ("she won't let me see my friends unless she comes too", ["abuse"]),
    ("on the right days of my cycle he doesn't take no for an answer", ["abuse"]),
    ("my girlfriend hides my meds when we fight", ["abuse"]),
    ("I don't want to live anymore.", ["self_harm"]),
    ("I think about death all the time because I feel so alone", ["self_harm"]),
    ("ngl i've lost my will to live since she moved out", ["self_harm"]),  # its trigger once asked for "want"
])
def test_safety_rules_flag_present_danger(text, flags):
    assert rule_flags(text) == flags


@pytest.mark.parametrize("text", [
    "he has never hit me, he just goes quiet",
    "years ago my ex hit me, my boyfriend now is gentle",
    "this silence is killing me lol",
    "it hit me that we hadn't talked in a week",
    "she threatened to leave if I keep gaming all night",
    "I'm not suicidal, just tired of fighting",
    "my mom kicked me out after the baby was born",
    "I keep pushing him away and I don't want to",
    "it hurt my feelings that she forgot",
    "things went wrong after his brother's suicide last year",
    "I self-harmed as a teenager, that was 15 years ago",
    "my therapist asked if I had thoughts of hurting myself and I said no",
    "she'd kill me if she saw this post lol",
    "I don't want to live in a pigsty and he doesn't want to live together",
])
def test_safety_rules_ignore_negated_past_and_figurative(text):
    assert rule_flags(text) == []


def test_safety_combine_uses_rules_or_model():
    assert combine(["abuse"], {"abuse": 0.0, "self_harm": 0.9}, {"abuse": 0.5, "self_harm": 0.5}) == [
        "abuse", "self_harm"]
    assert combine([], {"abuse": 0.2}, {"abuse": 0.5}) == []


def test_classifier_safety_raises_what_combine_raises():
    # _safety compares each probability with its threshold in numpy and combines cached pairs of
    # (rule flags, flags over): the same flags as combine() with each text's probabilities and thresholds
    import itertools

    import numpy as np

    from relsignals.classifier import Classifier
    from relsignals.taxonomy import SAFETY_FLAGS

    rng = np.random.default_rng(0)
    danger = rng.choice([0.0, 0.02, 0.05, 0.3, 0.5, 1.0], size=(400, len(SAFETY_FLAGS)))
    limits = rng.choice([0.02, 0.05, 0.3, 0.5, 1.0], size=danger.shape)
    rule_sets = [list(c) for n in range(len(SAFETY_FLAGS) + 1) for c in itertools.combinations(SAFETY_FLAGS, n)]
    rules = [rule_sets[i % len(rule_sets)] for i in range(len(danger))]
    expected = [tuple(combine(r, dict(zip(SAFETY_FLAGS, p)), dict(zip(SAFETY_FLAGS, t))))
                for r, p, t in zip(rules, danger.tolist(), limits.tolist())]
    assert Classifier._safety(rules, danger, limits) == expected
    assert {len(flags) for flags in expected} == set(range(len(SAFETY_FLAGS) + 1))


def test_classifier_safety_thresholds_override(bundled):
    from relsignals import Classifier, UnknownIdError

    text = "he gets so angry lately, I'm careful about everything I say around him"
    strict = Classifier(bundled.model, safety_thresholds={"abuse": 1.0, "self_harm": 1.0})
    assert strict.classify(text).safety == rule_flags(text) == []
    lenient = Classifier(bundled.model, safety_thresholds={"abuse": 0.0})
    assert "abuse" in lenient.classify(text).safety
    with pytest.raises(UnknownIdError):
        Classifier(bundled.model, safety_thresholds={"violence": 0.5})
    with pytest.raises(ValueError, match="from 0 to 1"):
        Classifier(bundled.model, safety_thresholds={"abuse": 2})


def _scan_every_pattern(text):
    """The screen's meaning without its shortcuts: every pattern over every sentence."""
    from relsignals.safety import _COMPILED, _SENTENCE, _present_match
    from relsignals.text import normalize

    clean = normalize(text)
    return [flag for flag, patterns in _COMPILED.items()
            if any(_present_match(p, s) for s in _SENTENCE.findall(clean) for p in patterns)]


def _corpus_texts():
    import json

    from conftest import TEST, TRAIN

    rows = [json.loads(line) for path in (TRAIN, TEST) for line in path.read_text(encoding="utf-8").splitlines()]
    return [r["text"] for r in rows]


def test_safety_shortcuts_change_no_flag_on_the_corpus():
    # trigger words and prefilters only skip work: on every corpus text (and the parametrised
    # examples) the screen flags exactly what scanning every pattern over every sentence flags
    from relsignals.classifier import default_classifier
    from relsignals.features import marked_keys
    from relsignals.safety import screen_many, trigger_bits, trigger_bits_of

    extra = ["I hide my phone", "he kicked me. she'd kill me lol", "self-harm again", "dont want to exist"]
    texts = _corpus_texts() + extra
    scorer = default_classifier().model._scorer
    batches = [texts[start:start + 256] for start in range(0, len(texts), 256)]
    screened = [screen_many(batch, scorer.read(batch, trigger_bits_of).bits) for batch in batches]
    batched = [list(flags) for flags_of_batch, _ in screened for flags in flags_of_batch]
    assert len(batched) == len(texts)
    for text, flags in zip(texts, batched):
        expected = _scan_every_pattern(text)
        assert rule_flags(text) == expected
        assert rule_flags(text, reduce(or_, map(trigger_bits, marked_keys(text)), 0)) == expected
        assert flags == expected


def test_safety_triggers_hold_for_every_pattern_match():
    from relsignals.safety import _COMPILED, _PREFILTERS, _TRIGGER_MASKS, PATTERNS, TRIGGERS, _word_hits_of
    from relsignals.text import normalize

    assert {f: len(p) for f, p in PATTERNS.items()} == {f: len(t) for f, t in TRIGGERS.items()}
    matched = 0
    for text in _corpus_texts():
        clean = normalize(text)
        hits = _word_hits_of(clean.split())
        for flag, patterns in _COMPILED.items():
            for pattern, fast, groups in zip(patterns, _PREFILTERS[flag], _TRIGGER_MASKS[flag]):
                if pattern.search(clean):
                    matched += 1
                    assert fast.search(clean) and all(hits & g for g in groups), (flag, pattern.pattern[:40])
    assert matched > 200


def test_every_sampled_match_of_each_safety_pattern_holds_its_trigger_words():
    # the trigger words are read off the normalised text's words or off its token keys (who-words
    # rewritten, negated words marked): a match must meet every trigger group either way
    from conftest import sample_match

    from relsignals.features import marked_keys
    from relsignals.literals import sre_parse
    from relsignals.safety import _TRIGGER_MASKS, PATTERNS, TRIGGERS, _word_hits_of, trigger_bits
    from relsignals.text import normalize

    rng = random.Random(1)
    matched = 0
    for flag, patterns in PATTERNS.items():
        for pattern, groups, trigger in zip(patterns, _TRIGGER_MASKS[flag], TRIGGERS[flag]):
            compiled, parsed = re.compile(pattern), list(sre_parse.parse(pattern))
            for _ in range(200):
                match = sample_match(parsed, rng)
                text = f"{rng.choice(['', 'so ', 'and then '])}{match}{rng.choice(['', ' now', '.'])}"
                if compiled.search(normalize(text)):
                    matched += 1
                    words = _word_hits_of(normalize(text).split())
                    keys = reduce(or_, map(trigger_bits, marked_keys(text)), 0)
                    assert all(words & g and keys & g for g in groups), (trigger, text)
    assert matched > 4_000


def test_batch_trigger_check_allows_the_patterns_whose_groups_all_hold():
    # screen_many decides in numpy which patterns a text's trigger bits allow; a loop over the groups agrees
    from relsignals.features import bit_words
    from relsignals.safety import _PATTERN_IDS, _TRIGGER_MASKS, _TRIGGER_WORDS, _WIDTH, _code_of, _codes, _live

    rng = random.Random(2)
    group_bits = [g for masks in _TRIGGER_MASKS.values() for groups in masks for g in groups]
    n = len(_TRIGGER_WORDS)
    hits = [0, (1 << n) - 1] + [sum(1 << w for w in rng.sample(range(n), rng.randint(1, 12))) for _ in range(3_000)]
    hits += [reduce(or_, rng.sample(group_bits, rng.randint(1, 8))) for _ in range(3_000)]  # whole groups: many allowed
    codes = _codes(bit_words(hits, _WIDTH))
    allowed = 0
    for h, code in zip(hits, codes):
        expected = [(flag, k) for flag, k in _PATTERN_IDS if all(h & g for g in _TRIGGER_MASKS[flag][k])]
        assert [(flag, k) for flag, k in _PATTERN_IDS if code >> _PATTERN_IDS.index((flag, k)) & 1] == expected
        assert sum(map(len, _live(code).values())) == len(expected)
        allowed += bool(expected)
    assert 1_000 < allowed < len(hits)
    narrow = [h & ((1 << 64) - 1) for h in hits]  # rows with no high bits may come one word wide
    assert _codes(bit_words(narrow, 1)) == _codes(bit_words(narrow, _WIDTH))
    # a few rows (classify) take the scalar path: the same codes
    few = [code for start in range(0, 600, 3) for code in _codes(bit_words(hits[start:start + 3], _WIDTH))]
    assert few == codes[:600]
    assert [_code_of(h) for h in hits] == codes


def test_no_safety_pattern_matches_the_empty_string():
    # _present goes on scanning after a pattern's first match; an empty match would make that loop stall
    from relsignals.literals import sre_parse
    from relsignals.safety import PATTERNS

    assert min(sre_parse.parse(p).getwidth()[0] for patterns in PATTERNS.values() for p in patterns) > 0


def test_trigger_bits_of_a_list_equal_each_keys_trigger_bits(train_frame):
    # the list path reads token keys as one word each; anything else takes the word-by-word path
    from relsignals.features import marked_keys
    from relsignals.safety import trigger_bits, trigger_bits_of

    keys = sorted({k for text in train_frame["text"] for k in marked_keys(text)})
    assert any(k.startswith("~") for k in keys) and any(k.endswith("^") for k in keys) and "|." in keys
    found = trigger_bits_of(keys)
    assert found == list(map(trigger_bits, keys)) and sum(map(bool, found)) > 300
    odd = ["(hit", "self-harm", "Hit", "~~kill", "hit^^", "kill-myself", "", "don't", "x" * 300, "suicidal!"]
    assert trigger_bits_of(keys[:50] + odd) == list(map(trigger_bits, keys[:50] + odd))
    assert trigger_bits_of([]) == []


def test_safety_trigger_words_survive_token_keys():
    # token keys drop first names and rewrite who-words: no trigger may be a first name, and
    # a trigger word that is rewritten must still meet its group in the rewritten form
    from relsignals.safety import TRIGGERS, _holds
    from relsignals.text import _CANONICAL, _first_names

    for trigger in (t for triggers in TRIGGERS.values() for t in triggers):
        for group in trigger.split(" & "):
            words = group.split("|")
            for word in (w for w in words if "*" not in w):
                assert word not in _first_names()
                if word in _CANONICAL:
                    assert any(_holds(_CANONICAL[word], w) for w in words), (word, group)


def test_screen_patterns_give_the_same_discounted_spans_as_a_fresh_scan():
    # the classifier hands discounted_spans the patterns screen found (one scan per text)
    from relsignals.safety import discounted_spans, screen

    texts = _corpus_texts()[::3] + ["He has never hit me.", "my ex used to hit me. now he yells", ""]
    mentioned = 0
    for text in texts:
        flags, patterns = screen(text)
        mentioned += bool(patterns)
        assert flags == rule_flags(text)
        assert discounted_spans(text, mentioned=patterns) == discounted_spans(text)
    assert mentioned > 50


def test_prefilters_drop_only_optional_groups_a_match_can_open_with():
    # "(?:even )?" before the take-no alternatives left the scan no literal to skip to
    from relsignals.safety import _PREFILTERS, PATTERNS, _drop_leading_options

    assert _drop_leading_options(r"(?:won't take no|(?:even )?(?:after|when) i said no)") == (
        r"(?:won't take no|(?:after|when) i said no)")
    assert _drop_leading_options(r"(?:a )?(?:b )?x|(?:c)?y(?:d)?") == r"x|y(?:d)?"
    for kept in (r"foo (?:(?:a )?b|c)", r"\(?:a)?b", r"(?<!(?:a)?)b|(?=(?:q)?)z", r"(?:(?:a(?:b))?c)"):
        assert _drop_leading_options(kept) == kept
    fast = dict(zip(PATTERNS["abuse"], _PREFILTERS["abuse"]))
    take_no = next(p for p in PATTERNS["abuse"] if "take no|" in p)
    assert "even" not in fast[take_no].pattern and fast[take_no].search("and even after i said no")
