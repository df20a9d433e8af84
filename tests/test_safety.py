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
])
def test_safety_rules_ignore_negated_past_and_figurative(text):
    assert rule_flags(text) == []


def test_safety_combine_uses_rules_or_model():
    assert combine(["abuse"], {"abuse": 0.0, "self_harm": 0.9}, {"abuse": 0.5, "self_harm": 0.5}) == [
        "abuse", "self_harm"]
    assert combine([], {"abuse": 0.2}, {"abuse": 0.5}) == []


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
