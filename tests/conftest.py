"""Shared fixtures: a small model trained on a slice of the real training split."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
TRAIN = ROOT / "data" / "train.jsonl"
TEST = ROOT / "data" / "test.jsonl"


@pytest.fixture(scope="session")
def train_frame():
    from relsignals.training import load_corpus

    return load_corpus(TRAIN)


@pytest.fixture(scope="session")
def small_frame(train_frame):
    """600 training rows: enough for every label to have positives, fast to fit."""
    return train_frame.sample(600, random_state=0).reset_index(drop=True)


@pytest.fixture(scope="session")
def small_estimator(small_frame):
    from relsignals.training import CauseClassifier
    from relsignals.training.corpus import targets

    est = CauseClassifier(cv=3, use_chars=False, pooling="max", token_features=False, random_state=0)
    return est.fit(list(small_frame["text"]), targets(small_frame))


@pytest.fixture(scope="session")
def small_model_dir(small_estimator, tmp_path_factory):
    from relsignals.training.train import save

    return save(small_estimator, tmp_path_factory.mktemp("model"), {"name": "test"})


@pytest.fixture(scope="session")
def bundled():
    from relsignals.classifier import default_classifier

    return default_classifier()
