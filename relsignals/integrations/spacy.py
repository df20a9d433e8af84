"""A spaCy component: ``nlp.add_pipe("relsignals")`` scores each doc.

Sets ``doc.cats`` to the nine cause probabilities and ``doc._.relsignals`` to the
full :class:`relsignals.Result` (labels, safety flags, advice). Importing this
module registers the factory and the extension.

>>> import spacy, relsignals.integrations.spacy  # doctest: +SKIP
>>> nlp = spacy.blank("en"); nlp.add_pipe("relsignals")  # doctest: +SKIP
>>> nlp("he shuts down whenever I bring up moving in")._.relsignals.labels  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from spacy.language import Language
from spacy.tokens import Doc

from ..classifier import Classifier, default_classifier

if not Doc.has_extension("relsignals"):
    Doc.set_extension("relsignals", default=None)


class RelSignalsComponent:
    """Classifies ``doc.text``; ``model`` is a stored model directory or ``None`` for the bundled one."""

    def __init__(self, nlp: Language, name: str, model: str | None):
        self.name = name
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
        doc._.relsignals = result
        return doc


@Language.factory("relsignals", default_config={"model": None})
def make_relsignals(nlp: Language, name: str, model: str | None) -> RelSignalsComponent:
    """spaCy factory for :class:`RelSignalsComponent`."""
    return RelSignalsComponent(nlp, name, model)
