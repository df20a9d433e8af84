import subprocess
import sys

import spacy

import relsignals


def test_spacy_component_sets_cats_and_extensions_like_classify():
    nlp = spacy.blank("en")
    nlp.add_pipe("relsignals")
    texts = ["he shuts down whenever I bring up moving in", "", "my wife's parents won't accept that I'm Muslim"]
    piped = list(nlp.pipe(texts, batch_size=2))
    for text, doc in zip(texts, piped):
        expected = relsignals.classify(text)
        assert doc._.relsignals.to_dict() == expected.to_dict()
        assert doc.cats == expected.scores == doc._.cause_scores
        assert nlp(text)._.relsignals.labels == expected.labels


def test_spacy_factory_is_found_without_importing_the_integration():
    code = ("import spacy; nlp = spacy.blank('en'); nlp.add_pipe('relsignals'); "
            "print(sorted(nlp('he works all the time since the promotion')._.cause_scores)[0])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr[-1500:]
    assert out.stdout.strip() == sorted(relsignals.CAUSE_IDS)[0]


def test_spacy_pipeline_saves_and_loads_back(tmp_path):
    nlp = spacy.blank("en")
    nlp.add_pipe("relsignals")
    nlp.to_disk(tmp_path / "pipeline")
    loaded = spacy.load(tmp_path / "pipeline")
    text = "since his dad died he won't let me in"
    assert loaded(text)._.relsignals.to_dict() == relsignals.classify(text).to_dict()
