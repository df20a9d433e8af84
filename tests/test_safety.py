import pytest

from relsignals.safety import combine, rule_flags


@pytest.mark.parametrize("text, flags", [
    ("he slapped me last night and I don't know what to do", ["abuse"]),
    ("she goes through my phone every night and took my bank card", ["abuse"]),
    ("he said he'd kill me if I ever left", ["abuse"]),
    ("honestly I want to die, nothing matters since he left", ["self_harm"]),
    ("my gf told me she's been cutting herself again", ["self_harm"]),
    ("I don't want to be here anymore", ["self_harm"]),
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
])
def test_safety_rules_ignore_negated_past_and_figurative(text):
    assert rule_flags(text) == []


def test_safety_combine_uses_rules_or_model():
    assert combine(["abuse"], {"abuse": 0.0, "self_harm": 0.9}, {"abuse": 0.5, "self_harm": 0.5}) == [
        "abuse", "self_harm"]
    assert combine([], {"abuse": 0.2}, {"abuse": 0.5}) == []
