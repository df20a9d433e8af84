"""The result of classifying one text."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .advice import Advice


@dataclass(frozen=True)
class Result:
    """Which causes a text describes, how sure the model is, and what to do.

    ``labels`` are the cause ids judged present, best first (``[]`` when nothing
    fits); ``scores`` holds a calibrated probability for each of the nine causes;
    ``safety`` lists safety flags; ``advice`` starts with safety guidance.
    """

    labels: list[str]
    scores: dict[str, float]
    primary: str | None
    sections: list[str]
    safety: list[str]
    advice: list[Advice] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-serializable dict with the same fields."""
        return {
            "labels": list(self.labels),
            "scores": dict(self.scores),
            "primary": self.primary,
            "sections": list(self.sections),
            "safety": list(self.safety),
            "advice": [a.to_dict() for a in self.advice],
        }
