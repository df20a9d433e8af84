"""Abstention (gates and reasons) and evidence (spans scored by the model)."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

import relsignals
from relsignals.abstention import (
    NO_CAUSE,
    NOT_RELATIONSHIP,
    abstention_rates,
    blended_gates,
    decide,
    strong_causes,
    tune_gates,
)


def test_decide_applies_gates_and_falls_back_to_the_best_cause():
    causes = np.array([[0.9, 0.1, 0.0], [0.9, 0.1, 0.0], [0.2, 0.3, 0.1], [0.2, 0.3, 0.1]])
    thresholds = np.array([0.5, 0.5, 0.5])
    gates = np.array([[0.1, 0.9], [0.9, 0.1], [0.9, 0.9], [0.9, 0.2]])
    pred, reasons = decide(causes, thresholds, gates, np.array([0.5, 0.5]))
    assert reasons == [NOT_RELATIONSHIP, NO_CAUSE, None, NO_CAUSE]
    assert pred.tolist() == [[False] * 3, [False] * 3, [False, True, False], [False] * 3]


def test_strong_causes_drops_weak_extra_causes_but_keeps_the_surest():
    chosen = np.array([[True, True, True], [False, True, True], [False, False, False]])
    proba = np.array([[0.9, 0.5, 0.3], [0.95, 0.4, 0.3], [0.2, 0.1, 0.0]])
    kept = strong_causes(chosen, proba, 0.5)
    np.testing.assert_array_equal(kept, [[True, True, False], [False, True, True], [False, False, False]])
    np.testing.assert_array_equal(strong_causes(chosen, proba, 0.0), chosen)
    assert (kept.any(axis=1) == chosen.any(axis=1)).all()  # abstention never changes
    pred, _ = decide(proba, np.full(3, 0.25), share=0.5)
    np.testing.assert_array_equal(pred, [[True, True, False], [True, False, False], [False, False, False]])


def test_blended_gate_mixes_the_surest_cause_into_has_cause_only():
    causes = np.array([[0.9, 0.1, 0.0], [0.2, 0.3, 0.1]])
    gates = np.array([[0.8, 0.3], [0.8, 0.7]])
    np.testing.assert_allclose(blended_gates(gates, causes, 0.5), [[0.8, 0.6], [0.8, 0.5]])
    assert blended_gates(gates, causes, 0.0) is gates and gates.tolist() == [[0.8, 0.3], [0.8, 0.7]]
    thresholds = np.array([0.5, 0.55])
    assert decide(causes, np.full(3, 0.5), gates, thresholds)[1] == [NO_CAUSE, None]  # the head alone
    assert decide(causes, np.full(3, 0.5), gates, thresholds, gate_blend=0.5)[1] == [None, NO_CAUSE]


def test_decide_without_gates_uses_thresholds_only():
    pred, reasons = decide(np.array([[0.6, 0.1], [0.1, 0.1]]), np.array([0.5, 0.5]))
    assert pred.tolist() == [[True, False], [False, False]] and reasons == [None, NO_CAUSE]


def test_tune_gates_meets_both_targets_when_the_scores_allow_it():
    rng = np.random.default_rng(0)
    has = rng.random(400) < 0.6
    causes = np.where(has[:, None], rng.uniform(0.3, 1, (400, 3)), rng.uniform(0, 0.7, (400, 3)))
    gates = np.column_stack([np.where(has, 0.9, rng.uniform(0, 1, 400)),
                             np.where(has, rng.uniform(0.5, 1, 400), rng.uniform(0, 0.6, 400))])
    thresholds = tune_gates(causes, np.full(3, 0.5), gates, has)
    empty, labeled = abstention_rates(has, decide(causes, np.full(3, 0.5), gates, thresholds)[0])
    assert empty >= 0.85 and labeled >= 0.90


def test_off_topic_text_abstains_with_reason_and_scores():
    r = relsignals.classify("My bike chain keeps slipping off the back gear when I climb hills. How do I fix it?")
    assert r.labels == [] and r.primary is None
    assert r.reason == NOT_RELATIONSHIP
    assert set(r.scores) == set(relsignals.CAUSE_IDS)


def test_reason_is_set_exactly_when_labels_are_empty():
    texts = ["my wife and I can't agree on paint colours for the nursery lol",
             "he got laid off in march and since then he barely speaks to me",
             "what's a good recipe for banana bread", ""]
    for r in relsignals.classify_many(texts):
        assert (r.reason is None) == bool(r.labels)
        assert r.reason in (None, NOT_RELATIONSHIP, NO_CAUSE, "empty text")


def test_every_label_and_flag_has_evidence_from_the_model(bundled):
    text = ("We've been together six years. Since his company did layoffs in March he works until ten. "
            "When I try to talk about it he shuts down and walks out. His ex cheated on him, "
            "and he still checks out whenever I mention moving in.")
    r = bundled.classify(text)
    assert r.labels
    assert set(r.evidence) == set(r.labels) | set(r.safety)
    for label, spans in r.evidence.items():
        assert 1 <= len(spans) <= 2
        assert [e.weight for e in spans] == sorted((e.weight for e in spans), reverse=True)
        column = bundled.model.labels.index(label)
        for e in spans:
            assert text[e.start:e.end] == e.text
            assert e.weight == pytest.approx(float(bundled.model.predict_proba([e.text])[0, column]), abs=1e-6)


@pytest.mark.parametrize("text, clauses", [
    ("he's been so distant since he got promoted, he won't talk to me",
     ["he's been so distant", "he got promoted", "he won't talk to me"]),
    ("i was tired so i left and she cried", ["i was tired", "i left", "she cried"]),
    ("He is so stressed. So he yells.", ["He is so stressed.", "So he yells."]),
])
def test_evidence_units_are_sentences_or_clauses(text, clauses):
    """A one-sentence text is cut into clauses; "so" cuts only before a new subject, not in "so distant"."""
    from relsignals.text import segments

    assert [text[a:b] for a, b in segments(text)] == clauses


def test_evidence_can_be_skipped_for_bulk_work():
    text = "she moved abroad for a new job and now she never has time for me"
    assert relsignals.classify(text, evidence=False).evidence == {}
    assert relsignals.classify(text, evidence=False).labels == relsignals.classify(text).labels


def run(*args):
    return subprocess.run([sys.executable, "-m", "relsignals", *args], capture_output=True, text=True)


def test_cli_shows_evidence_and_reasons():
    out = run("classify", "he got laid off in march and since then he barely speaks to me")
    assert out.returncode == 0 and "evidence:" in out.stdout
    out = run("classify", "what's a good recipe for banana bread")
    assert "none (" in out.stdout.splitlines()[0]
    text = "he got laid off in march and since then he barely speaks to me"
    data = json.loads(run("classify", "--json", text).stdout)
    assert data["reason"] is None and set(data["evidence"]) == set(data["labels"]) | set(data["safety"])
    assert all({"text", "start", "end", "weight"} == set(e) for spans in data["evidence"].values() for e in spans)
    quick = json.loads(run("classify", "--json", "--no-evidence", text).stdout)
    assert quick["evidence"] == {} and quick["labels"] == data["labels"]
