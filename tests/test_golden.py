"""Approval test: the bundled model's predictions on fixed texts. A silent model change fails here.

After an intended retrain, run ``python scripts/update_golden.py`` and review the diff.
"""

import json

import pytest
from conftest import ROOT

import relsignals

GOLDEN = [json.loads(x) for x in (ROOT / "tests" / "golden" / "predictions.jsonl").read_text().splitlines()]


@pytest.mark.parametrize("expected", GOLDEN, ids=[str(i) for i in range(len(GOLDEN))])
def test_golden_predictions_unchanged(expected):
    r = relsignals.classify(expected["text"])
    assert r.labels == expected["labels"]
    assert r.safety == expected["safety"]
    assert r.scores == pytest.approx(expected["scores"], abs=1e-5)
