"""RelSignalsClassifier as a scikit-learn estimator: params, clone, pickle, Pipeline, GridSearchCV.

scikit-learn's own ``check_estimator`` suite feeds numeric arrays, which a text
classifier rejects by design (it raises a TypeError naming the non-text row), so
the checks that apply to text input are written out here instead.
"""

from __future__ import annotations

import pickle

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer
from sklearn.utils import estimator_checks

import relsignals
from relsignals import RelSignalsClassifier


@pytest.fixture(scope="module")
def small(small_frame):
    part = small_frame.iloc[:300]
    return list(part["text"]), [list(a) + list(b) for a, b in zip(part["labels"], part["safety"])]


@pytest.fixture(scope="module")
def fitted(small):
    return RelSignalsClassifier(cv=2).fit(*small)


def test_bundled_model_loads_into_the_estimator_and_agrees_with_classify():
    est = RelSignalsClassifier.load()
    texts = ["he lost his job and won't talk to me", "how do I fix my bike", "her parents want her to marry a Hindu"]
    pred = est.predict(texts)
    assert pred.shape == (3, 9) and list(est.classes_) == list(relsignals.CAUSE_IDS)
    for row, result in zip(pred, relsignals.classify_many(texts)):
        assert [c for c, on in zip(est.classes_, row) if on] == sorted(result.labels, key=relsignals.CAUSE_IDS.index)
    proba = est.predict_proba(texts)
    assert np.allclose(proba[0], [relsignals.classify(texts[0]).scores[c] for c in relsignals.CAUSE_IDS], atol=1e-6)
    assert est.decision_function(texts).shape == (3, 9)


def test_params_clone_and_pickle(fitted, small):
    texts, _ = small
    assert fitted.get_params()["cv"] == 2
    copy = clone(fitted).set_params(C=2.0)
    assert copy.get_params()["C"] == 2.0 and not hasattr(copy, "classifier_")
    restored = pickle.loads(pickle.dumps(fitted))
    assert np.array_equal(restored.predict_proba(texts[:20]), fitted.predict_proba(texts[:20]))


def test_runs_inside_pipeline_and_grid_search(small):
    texts, lists = small  # scikit-learn's splitters want multi-label targets as an indicator matrix
    y = np.array([[c in labels for c in relsignals.CAUSE_IDS] for labels in lists], dtype=int)
    pipe = Pipeline([("strip", FunctionTransformer(lambda xs: [x.strip() for x in xs])),
                     ("clf", RelSignalsClassifier(cv=2))])
    search = GridSearchCV(pipe, {"clf__C": [2.0, 8.0]}, cv=2).fit(texts, y)
    assert search.best_params_["clf__C"] in (2.0, 8.0)
    assert search.predict(texts[:5]).shape == (5, 9)
    assert 0.0 <= search.score(texts, y) <= 1.0


def test_indicator_matrix_targets_and_clear_errors(small):
    texts, y = small
    matrix = np.array([[c in labels for c in relsignals.CAUSE_IDS] for labels in y], dtype=int)
    est = RelSignalsClassifier(cv=2).fit(texts, matrix)
    assert est.predict(texts[:3]).shape == (3, 9)
    with pytest.raises(ValueError, match="unknown label ids"):
        RelSignalsClassifier(cv=2).fit(texts[:2], [["stress"], ["jealousy"]])
    with pytest.raises(TypeError, match="position 1"):
        est.predict(["fine", 3])


APPLICABLE_CHECKS = ["check_parameters_default_constructible", "check_no_attributes_set_in_init",
                     "check_get_params_invariance", "check_set_params", "check_estimator_repr",
                     "check_estimator_cloneable", "check_do_not_raise_errors_in_init_or_set_params",
                     "check_estimator_tags_renamed", "check_valid_tag_types"]


@pytest.mark.parametrize("check", APPLICABLE_CHECKS)
def test_scikit_learn_checks_that_apply_to_text_input(check):
    getattr(estimator_checks, check)(check, RelSignalsClassifier(cv=2))


def test_numeric_input_is_refused_with_a_clear_error():
    with pytest.raises(TypeError, match="position 0"):
        RelSignalsClassifier(cv=2).fit(np.zeros((4, 3)), np.array([0, 1, 0, 1]))
