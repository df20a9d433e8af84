"""A spaCy component: ``nlp.add_pipe("relsignals")`` scores each doc.

Sets ``doc.cats`` and ``doc._.cause_scores`` to the nine cause probabilities and
``doc._.relsignals`` to the full :class:`relsignals.Result` (labels, reason,
safety flags, evidence, advice). The factory is registered through spaCy's entry
points, so installing relsignals is enough; the component saves with
``nlp.to_disk`` and loads back with ``spacy.load``.

>>> import spacy                                            # doctest: +SKIP
>>> nlp = spacy.blank("en"); nlp.add_pipe("relsignals")     # doctest: +SKIP
>>> nlp("he shuts down whenever I bring up moving in")._.relsignals.labels  # doctest: +SKIP
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc

from ..classifier import Classifier, default_classifier

for _name in ("relsignals", "cause_scores"):
    if not Doc.has_extension(_name):
        Doc.set_extension(_name, default=None)


class RelSignalsComponent:
    """Classifies ``doc.text``; ``model`` is a stored model directory or ``None`` for the bundled one."""

    def __init__(self, nlp: Language, name: str, model: str | None):
        self.name = name
        self.model = model
        self.classifier = Classifier.load(model) if model else default_classifier()

    def __call__(self, doc: Doc) -> Doc:
        return self._set(doc, self.classifier.classify(doc.text))

    def pipe(self, docs: Iterable[Doc], batch_size: int = 128) -> Iterator[Doc]:
        batch: list[Doc] = []
        for doc in docs:
            batch.append(doc)
            if len(batch) >= batch_size:
                yield from self._run(batch)
                batch = []
        yield from self._run(batch)

    def _run(self, docs: list[Doc]) -> Iterator[Doc]:
        for doc, result in zip(docs, self.classifier.classify_many([d.text for d in docs])):
            yield self._set(doc, result)

    @staticmethod
    def _set(doc: Doc, result) -> Doc:
        doc.cats.update(result.scores)
        doc._.cause_scores = dict(result.scores)
        doc._.relsignals = result
        return doc

    def to_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> None:
        """Save which model the component serves (the bundled one is not copied)."""
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        (path / "relsignals.json").write_text(json.dumps({"model": self.model}), encoding="utf-8")

    def from_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> RelSignalsComponent:
        """Load what :meth:`to_disk` saved."""
        saved = json.loads((Path(path) / "relsignals.json").read_text(encoding="utf-8"))
        if saved["model"] != self.model:
            self.model = saved["model"]
            self.classifier = Classifier.load(self.model) if self.model else default_classifier()
        return self


@Language.factory("relsignals", default_config={"model": None})
def make_relsignals(nlp: Language, name: str, model: str | None) -> RelSignalsComponent:
    """spaCy factory for :class:`RelSignalsComponent`."""
    return RelSignalsComponent(nlp, name, model)
