import spacy

import relsignals
import relsignals.integrations.spacy  # noqa: F401  (registers the factory)


def test_spacy_component_sets_cats_and_extension_like_classify():
    nlp = spacy.blank("en")
    nlp.add_pipe("relsignals")
    texts = ["he shuts down whenever I bring up moving in", "", "my wife's parents won't accept that I'm Muslim"]
    piped = list(nlp.pipe(texts, batch_size=2))
    for text, doc in zip(texts, piped):
        expected = relsignals.classify(text)
        assert doc._.relsignals.to_dict() == expected.to_dict()
        assert doc.cats == expected.scores
        assert nlp(text)._.relsignals.labels == expected.labels
