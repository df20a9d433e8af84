"""The result of classifying one text."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .advice import Advice


@dataclass(frozen=True)
class Evidence:
    """A span of the input that supports a label, and how strongly.

    ``weight`` is the model's calibrated probability for the label when it reads
    the span on its own; ``start``/``end`` index into the original text.
    """

    text: str
    start: int
    end: int
    weight: float

    def to_dict(self) -> dict[str, Any]:
        """A JSON-serializable dict with the same fields."""
        return {"text": self.text, "start": self.start, "end": self.end, "weight": self.weight}


@dataclass(frozen=True)
class Result:
    """Which causes a text describes, how sure the model is, why, and what to do.

    ``labels`` are the cause ids judged present, best first (``[]`` when nothing
    fits, and then ``reason`` says why); ``scores`` holds a calibrated probability
    for each of the nine causes; ``safety`` lists safety flags; ``advice`` starts
    with safety guidance; ``evidence`` maps each label and flag to the spans of
    the text that support it most, strongest first.
    """

    labels: list[str]
    scores: dict[str, float]
    primary: str | None
    sections: list[str]
    safety: list[str]
    advice: list[Advice] = field(default_factory=list)
    reason: str | None = None
    evidence: dict[str, list[Evidence]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-serializable dict with the same fields."""
        return {
            "labels": list(self.labels),
            "scores": dict(self.scores),
            "primary": self.primary,
            "sections": list(self.sections),
            "safety": list(self.safety),
            "reason": self.reason,
            "evidence": {k: [e.to_dict() for e in v] for k, v in self.evidence.items()},
            "advice": [a.to_dict() for a in self.advice],
        }
