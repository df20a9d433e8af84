"""Shared fixtures (a small model trained on a slice of the real training split) and a regex match sampler."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from relsignals.literals import sre_parse as _parser

ROOT = Path(__file__).resolve().parents[1]
TRAIN = ROOT / "data" / "train.jsonl"
TEST = ROOT / "data" / "test.jsonl"


def sample_match(items, rng: random.Random) -> str:
    """A random string that the parsed ``items`` match, or nearly (assertions are left out, so check it)."""
    out = []
    for op, av in items:
        if op is _parser.LITERAL:
            out.append(chr(av))
        elif op is _parser.IN:
            choices = [chr(code) for kind, code in av if kind is _parser.LITERAL] or list("ab1 ")
            out.append(rng.choice(choices))
        elif op is _parser.BRANCH:
            out.append(sample_match(rng.choice(av[1]), rng))
        elif op is _parser.SUBPATTERN:
            out.append(sample_match(av[-1], rng))
        elif op in (_parser.MAX_REPEAT, _parser.MIN_REPEAT):
            low, high, item = av
            out.extend(sample_match(item, rng) for _ in range(rng.randint(low, min(high, low + 2))))
        elif op in (_parser.ANY, _parser.NOT_LITERAL, _parser.CATEGORY):
            out.append(rng.choice("ab1"))
    return "".join(out)


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
