import json
import subprocess
import sys

import pytest

import relsignals


def test_api_import_is_light():
    code = "import relsignals, sys; print(any(m in sys.modules for m in ('numpy', 'sklearn', 'pandas', 'spacy')))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_api_result_contract(bundled):
    r = relsignals.classify("my bf got laid off and now he won't talk to me, he just plays games all night")
    assert set(r.scores) == set(relsignals.CAUSE_IDS)
    assert all(0.0 <= s <= 1.0 for s in r.scores.values())
    assert r.labels == sorted(r.labels, key=lambda c: -r.scores[c])
    thresholds = bundled.model.thresholds
    above = sorted((c for c in relsignals.CAUSE_IDS if r.scores[c] >= thresholds[c] - 1e-6), key=lambda c: -r.scores[c])
    best = max(relsignals.CAUSE_IDS, key=lambda c: r.scores[c])
    assert r.labels in (above, [best], [])  # thresholds, the gate's fallback to the best cause, or abstention
    assert (r.reason is None) == bool(r.labels)
    assert r.primary == (r.labels[0] if r.labels else None)
    assert r.sections == list(dict.fromkeys(relsignals.CAUSES[c].section for c in r.labels))
    assert set(r.safety) <= set(relsignals.SAFETY_FLAGS)
    assert [a.id for a in r.advice] == r.safety + r.labels
    assert json.loads(json.dumps(r.to_dict()))["labels"] == r.labels


def test_api_classify_many_keeps_length_and_order():
    texts = ["she moved to Berlin for her masters and now calls once a week",
             "", "how do I fix a flat bike tyre", "his ex cheated on him and now he checks my location",
             "   "]
    many = relsignals.classify_many(texts)
    assert len(many) == len(texts)
    for text, result in zip(texts, many):
        assert result.to_dict() == relsignals.classify(text).to_dict()


@pytest.mark.parametrize("bad", [None, b"bytes text", 42, 3.5, ["a list"]])
def test_api_non_string_raises_type_error_naming_type(bad):
    with pytest.raises(TypeError) as err:
        relsignals.classify(bad)
    assert type(bad).__name__ in str(err.value)


def test_api_classify_many_rejects_bad_row_with_position():
    with pytest.raises(TypeError, match="position 1"):
        relsignals.classify_many(["fine", None])
    with pytest.raises(TypeError, match="single str"):
        relsignals.classify_many("one text")


@pytest.mark.parametrize("text", ["", "   ", "\n\t "])
def test_api_empty_text_has_no_labels(text):
    r = relsignals.classify(text)
    assert r.labels == [] and r.primary is None and r.safety == [] and r.advice == []


def test_api_one_megabyte_text_works():
    chunk = "We used to talk every night. Since the baby came he works doubles and barely says a word. "
    text = chunk * (1_000_000 // len(chunk) + 1)
    r = relsignals.classify(text)
    assert len(text) >= 1_000_000
    assert set(r.scores) == set(relsignals.CAUSE_IDS)


def test_api_safety_flag_puts_safety_advice_first():
    r = relsignals.classify("since he lost his job he shoves me when he's angry and checks my phone every night")
    assert "abuse" in r.safety
    assert r.advice[0].id == "abuse" and r.advice[0].kind == "safety"
