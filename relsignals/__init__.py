"""relsignals: which causes from the article are at work in someone's words about a partner.

>>> import relsignals
>>> r = relsignals.classify("my bf got laid off and now he won't talk to me")
>>> r.labels, r.primary, r.safety          # doctest: +SKIP

The classifier lives in :mod:`relsignals.classifier`; the model loads on first use.
This is not therapy and not a diagnosis.
"""

__version__ = "0.3.5"

from .advice import Advice, Resource, advice, crisis_resources, set_crisis_resources  # noqa: E402
from .classifier import Classifier, classify, classify_many  # noqa: E402
from .errors import (  # noqa: E402
    ConfigError,
    DataError,
    InputFileError,
    ModelLoadError,
    RelSignalsError,
    TextTypeError,
    UnknownIdError,
)
from .frame import classify_frame  # noqa: E402
from .result import Evidence, Result  # noqa: E402
from .taxonomy import CAUSE_IDS, CAUSES, SAFETY_FLAGS, SECTIONS, categories  # noqa: E402


def __getattr__(name: str):  # RelSignalsClassifier needs scikit-learn: import it only when asked for
    if name == "RelSignalsClassifier":
        from .training.sklearn_api import RelSignalsClassifier

        return RelSignalsClassifier
    raise AttributeError(f"module 'relsignals' has no attribute {name!r}")


__all__ = [
    "CAUSES", "CAUSE_IDS", "SECTIONS", "SAFETY_FLAGS", "categories",
    "classify", "classify_many", "classify_frame", "Classifier", "Result", "Evidence", "RelSignalsClassifier",
    "advice", "Advice", "Resource", "crisis_resources", "set_crisis_resources",
    "RelSignalsError", "UnknownIdError", "TextTypeError", "ModelLoadError", "InputFileError",
    "DataError", "ConfigError", "__version__",
]
