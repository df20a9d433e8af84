"""Behaviour tests in the CheckList style, on the bundled model.

Invariance: who the partner is (gender, name, pronoun) and common typos must not
change the labels. Direction: adding a clear cause raises that cause's score.
Negation: a negated cause or danger adds nothing. Robustness: a cause buried in
the middle of a long post is still found. Fixtures in ``tests/data`` were written
for these tests and reviewed; none of them is in the training data.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

import relsignals
from relsignals.abstention import NOT_RELATIONSHIP

DATA = Path(__file__).parent / "data"


def _fixture(name: str) -> list[dict]:
    return [json.loads(line) for line in (DATA / name).read_text(encoding="utf-8").splitlines() if line.strip()]


INVARIANCE = _fixture("invariance.jsonl")
LONG_POSTS = _fixture("long_posts.jsonl")


def _swap_words(text: str, mapping: dict[str, str]) -> str:
    """Replace whole words, keeping a leading capital."""
    pattern = re.compile(r"\b(" + "|".join(map(re.escape, mapping)) + r")\b", re.IGNORECASE)

    def repl(m: re.Match[str]) -> str:
        new = mapping[m.group(0).lower()]
        return new[0].upper() + new[1:] if m.group(0)[0].isupper() else new

    return pattern.sub(repl, text)


PARTNER_CYCLE = {"boyfriend": "girlfriend", "girlfriend": "husband", "husband": "wife", "wife": "partner",
                 "partner": "boyfriend"}
ALL_PARTNER = dict.fromkeys(PARTNER_CYCLE, "partner")
TO_SHE = {"he": "she", "him": "her", "his": "her", "himself": "herself", "he's": "she's", "he'd": "she'd",
          "he'll": "she'll"}
TO_HE = {"she": "he", "her": "his", "hers": "his", "herself": "himself", "she's": "he's", "she'd": "he'd",
         "she'll": "he'll"}
TO_THEY = {"he": "they", "she": "they", "him": "them", "his": "their", "her": "their", "himself": "themself",
           "herself": "themself", "he's": "they're", "she's": "they're", "he'd": "they'd", "she'd": "they'd",
           "he'll": "they'll", "she'll": "they'll"}
OTHER_NAMES = ["Oluwaseun", "Xiaoling", "Mateo", "Siobhan", "Rahul", "Keanu", "Fatima", "Dmitri", "Yuki",
               "Thandiwe", "Lucas", "Ngozi", "Emily", "Jorge"]
TYPOS = {"don't": "dont", "doesn't": "doesnt", "didn't": "didnt", "can't": "cant", "i'm": "im", "i've": "ive",
         "isn't": "isnt", "that's": "thats", "because": "becuase", "really": "realy", "their": "thier",
         "weird": "wierd", "definitely": "definately", "friend": "freind", "friends": "freinds", "until": "untill",
         "believe": "beleive", "though": "tho", "you": "u", "a lot": "alot", "he's": "hes", "she's": "shes"}


def _rename(row: dict) -> str:
    text = row["text"]
    for k, name in enumerate(row["names"]):
        text = re.sub(rf"\b{re.escape(name)}\b", OTHER_NAMES[(k + len(text)) % len(OTHER_NAMES)], text)
    return text


PERTURBATIONS = {
    "partner noun cycled": lambda row: _swap_words(row["text"], PARTNER_CYCLE),
    "partner noun -> partner": lambda row: _swap_words(row["text"], ALL_PARTNER),
    "he -> she": lambda row: _swap_words(row["text"], TO_SHE),
    "she -> he": lambda row: _swap_words(row["text"], TO_HE),
    "he/she -> they": lambda row: _swap_words(row["text"], TO_THEY),
    "names swapped": _rename,
    "common typos": lambda row: _swap_words(row["text"], TYPOS),
}


@pytest.fixture(scope="module")
def base_results():
    return relsignals.classify_many([r["text"] for r in INVARIANCE], evidence=False)


def test_invariance_set_is_big_enough_and_labeled(base_results):
    assert len(INVARIANCE) >= 40
    labeled = sum(bool(r.labels) for r in base_results)
    assert labeled >= 0.9 * len(INVARIANCE)


@pytest.mark.parametrize("name", list(PERTURBATIONS))
def test_invariance_of_labels(name, base_results):
    perturb = PERTURBATIONS[name]
    changed_texts = [perturb(row) for row in INVARIANCE]
    assert sum(t != row["text"] for t, row in zip(changed_texts, INVARIANCE)) >= 20  # the perturbation applies
    after = relsignals.classify_many(changed_texts, evidence=False)
    flipped = [row["id"] for row, a, b in zip(INVARIANCE, base_results, after) if set(a.labels) != set(b.labels)]
    assert flipped == [], f"{name} changed the labels of {flipped}"


DIRECTION = [
    ("stress", "He was laid off last month."),
    ("relationship_trauma", "His ex cheated on him for a year and he says he can't go through that again."),
    ("cultural_influences", "His parents won't accept me because I'm not from their religion."),
    ("childhood_influences", "He grew up with a dad who never said a kind word and a mom who left."),
    ("societal_expectations", "All his friends are engaged and his family keeps asking when we'll marry."),
]


@pytest.mark.parametrize("cause, sentence", DIRECTION)
def test_direction_adding_a_clear_cause_raises_its_score(cause, sentence):
    bases = [r["text"] for r in INVARIANCE if cause not in r["labels"]][:15]
    before = relsignals.classify_many(bases, evidence=False)
    after = relsignals.classify_many([f"{t} {sentence}" for t in bases], evidence=False)
    assert all(b.scores[cause] > a.scores[cause] for a, b in zip(before, after))


def test_negation_of_stress_does_not_raise_stress():
    bases = [r["text"] for r in INVARIANCE if "stress" not in r["labels"]][:20]
    before = relsignals.classify_many(bases, evidence=False)
    after = relsignals.classify_many([f"{t} He isn't stressed at all, work is easy for him." for t in bases],
                                     evidence=False)
    assert all("stress" not in b.labels for a, b in zip(before, after) if "stress" not in a.labels)
    raised = [b.scores["stress"] - a.scores["stress"] for a, b in zip(before, after)]
    assert max(raised) < 0.05


@pytest.mark.parametrize("text", [
    "he never hit me",
    "He has never hit me or threatened me, he just goes quiet for days.",
    "my ex used to hit me, my husband now is gentle and kind",
    "we argue about money but she has never once raised a hand to me",
])
def test_negated_and_past_danger_is_not_flagged(text):
    assert "abuse" not in relsignals.classify(text).safety


@pytest.mark.parametrize("text", [
    "she won't talk to me",
    "he's been so distant since he got promoted, he won't talk to me",
    "my husband",
    "my wife cheated on me",
    "we had a big fight about the dishes",
    "my gf is always on her phone lol",
])
def test_short_safe_texts_are_not_flagged(text):
    """Few-word texts weigh each word heavily; common words must not raise a safety flag."""
    assert relsignals.classify(text).safety == []


@pytest.mark.parametrize("text, flag", [
    ("I hide my phone before he gets home because he goes through everything.", "abuse"),
    ("I'm scared of what he'll do when he finds out I talked to my sister.", "abuse"),
    ("my girlfriend texted me that everyone would be better off without her", "self_harm"),
    ("since he lost the job he keeps saying he doesn't want to be here anymore", "self_harm"),
])
def test_present_danger_described_indirectly_is_flagged(text, flag):
    result = relsignals.classify(text)
    assert flag in result.safety
    assert result.advice[0].kind == "safety"


def test_robustness_cause_in_the_middle_of_a_long_post():
    """Posts of 1,600+ characters with the cause in one or two middle sentences.

    The bundled model finds 10 of these 12 (the model card reports it); the floor
    keeps that from getting worse. (0.3.1 found 9.) Every post must at least be judged to
    be about a relationship: the buried cause must not make the post look off topic.
    """
    assert len(LONG_POSTS) >= 9
    results = relsignals.classify_many([r["text"] for r in LONG_POSTS])
    found = [r["labels"][0] in res.labels for r, res in zip(LONG_POSTS, results)]
    missed = [r["id"] for r, ok in zip(LONG_POSTS, found) if not ok]
    assert sum(found) >= 10, missed
    assert all(res.reason != NOT_RELATIONSHIP for res in results)
