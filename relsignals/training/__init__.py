"""The building half: corpus loading, the scikit-learn estimator, training and evaluation.

Imports scikit-learn and pandas; serving (:mod:`relsignals.classifier`) never imports this.
"""

from .corpus import load_corpus, validate_records
from .estimator import CauseClassifier

__all__ = ["CauseClassifier", "load_corpus", "validate_records"]
