"""The building half: corpus loading, the scikit-learn estimator, training, selection, evaluation.

Imports scikit-learn and pandas; serving (:mod:`relsignals.classifier`) never imports this.

>>> from relsignals.training import load_corpus, train, evaluate_model   # doctest: +SKIP
>>> meta = train("data/train.jsonl", "models/mine")                     # doctest: +SKIP
>>> evaluate_model("models/mine", "data/test.jsonl")["overall"]["macro_f1"]  # doctest: +SKIP
"""

from .corpus import load_corpus, targets, validate_records
from .estimator import CauseClassifier
from .evaluate import evaluate_frame, evaluate_model
from .train import save, train

__all__ = ["CauseClassifier", "evaluate_frame", "evaluate_model", "load_corpus", "save", "targets", "train",
           "validate_records"]
