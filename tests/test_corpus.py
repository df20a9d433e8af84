"""The corpus checks of the data issue: schema, duplicates, leakage, template smell, floors."""

import json

import pytest
from conftest import TEST, TRAIN

from relsignals.errors import DataError
from relsignals.training import load_corpus, validate_records
from relsignals.training.checks import exact_duplicates, near_duplicate_pairs, template_smell


@pytest.fixture(scope="module")
def corpus():
    import pandas as pd

    return pd.concat([load_corpus(TRAIN).assign(split="train"), load_corpus(TEST).assign(split="test")],
                     ignore_index=True)


@pytest.mark.parametrize("record, needle", [
    ({"id": "a", "text": "x", "labels": ["jealousy"], "primary": "jealousy"}, "labels"),
    ({"id": "a", "text": "x", "labels": ["stress"], "primary": "communication"}, "primary"),
    ({"id": "a", "text": None, "labels": []}, "text"),
    ({"id": "a", "labels": []}, "missing"),
    ({"id": "a", "text": "x", "labels": [], "safety": ["violence"]}, "safety"),
])
def test_corpus_validation_rejects_bad_records(record, needle):
    with pytest.raises(DataError, match=needle):
        validate_records([record])


def test_corpus_validation_rejects_duplicate_ids():
    rec = {"id": "a", "text": "x", "labels": []}
    with pytest.raises(DataError, match="duplicate id"):
        validate_records([rec, dict(rec)])


def test_corpus_files_follow_the_schema():
    for path in (TRAIN, TEST):
        for line in path.read_text(encoding="utf-8").splitlines():
            rec = json.loads(line)
            assert set(rec) == {"id", "text", "labels", "primary", "safety", "source", "notes", "relationship"}
            assert rec["relationship"] is True or (rec["relationship"] is False and not rec["labels"])


def test_corpus_has_texts_off_the_topic_and_on_it_without_a_cause(corpus):
    no_cause = corpus[corpus["labels"].map(len) == 0]
    for source in ("written", "counsel_chat"):
        part = no_cause[no_cause["source"] == source]
        assert (~part["relationship"]).sum() >= 50, source  # "not about a relationship"
        assert part["relationship"].sum() >= 50, source     # about one, but no cause fits


def test_relationship_column_is_validated(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps({"id": "a", "text": "t", "labels": ["stress"], "primary": "stress",
                               "relationship": False}) + "\n", encoding="utf-8")
    with pytest.raises(DataError, match="relationship is false"):
        load_corpus(bad)
    csv_path = tmp_path / "ok.csv"
    csv_path.write_text("id,text,labels,primary,relationship\na,t,,,no\nb,u,stress,stress,\n", encoding="utf-8")
    assert list(load_corpus(csv_path)["relationship"]) == [False, True]


def test_corpus_has_no_exact_duplicates(corpus):
    assert exact_duplicates(list(corpus["text"])) == []
    assert corpus["id"].is_unique


def test_corpus_no_near_duplicates_across_train_and_test(corpus):
    train = list(corpus.loc[corpus.split == "train", "text"])
    test = list(corpus.loc[corpus.split == "test", "text"])
    assert near_duplicate_pairs(train, test, threshold=0.8) == []


def test_short_probe_set_is_valid_short_and_apart_from_both_splits(corpus):
    from conftest import ROOT

    probe = load_corpus(ROOT / "data" / "probes" / "short.jsonl")
    assert len(probe) >= 150
    assert probe["text"].map(lambda t: len(t.split()) <= 30).all()
    assert probe["safety"].map(bool).sum() >= 30 and (~probe["safety"].map(bool)).sum() >= 100
    both = list(corpus["text"])
    assert set(probe["text"]).isdisjoint(both)
    assert near_duplicate_pairs(list(probe["text"]), both, threshold=0.6) == []


def test_corpus_checks_catch_planted_problems():
    text = "my boyfriend has been distant ever since he started the new job at the warehouse"
    assert exact_duplicates([text, text.upper()]) != []
    assert near_duplicate_pairs([text], [text.replace("warehouse", "warehouses")]) != []
    assert template_smell([f"so my boyfriend is {i}" for i in range(5)] + ["x"] * 95) != []


def test_corpus_no_template_smell_in_written_texts(corpus):
    assert template_smell(list(corpus.loc[corpus.source == "written", "text"]), share=0.02) == []


def test_corpus_meets_written_floors(corpus):
    w = corpus[corpus.source == "written"]
    n = len(w)
    assert n >= 2500
    for cause in ("stress", "communication", "emotional_baggage", "personal_growth", "shifting_priorities",
                  "relationship_trauma", "childhood_influences", "societal_expectations", "cultural_influences"):
        assert sum(cause in ls for ls in w["labels"]) >= 220, cause
    assert sum(len(ls) >= 2 for ls in w["labels"]) >= 400
    assert sum(not ls for ls in w["labels"]) >= 300
    flagged = w[w["safety"].map(bool)]
    assert len(flagged) >= 200
    assert sum("abuse" in s for s in w["safety"]) >= 80 and sum("self_harm" in s for s in w["safety"]) >= 80
    assert sum(bool(ls) for ls in flagged["labels"]) > len(flagged) / 2
    unflagged = w[~w["safety"].map(bool)]
    assert sum("no flag" in str(x).lower() for x in unflagged["notes"]) >= 60  # negated or past mentions
    lengths = w["text"].str.len()
    assert (lengths < 120).mean() >= 0.25 and (lengths > 400).mean() >= 0.25
    assert (lengths > 1500).sum() >= 300


def test_corpus_counsel_chat_fully_labeled(corpus):
    cc = corpus[corpus.source == "counsel_chat"]
    assert len(cc) + _dropped_cc() == 815


def _dropped_cc():
    from conftest import ROOT

    path = ROOT / "data" / "counsel_chat" / "dropped.json"
    return len(json.loads(path.read_text())) if path.exists() else 0


def test_corpus_test_split_is_big_enough_per_source(corpus):
    # the test split is frozen at its 0.1 build while training data grows, so its size is
    # fixed in counts, not shares: enough texts of each source to report figures per source
    for source, count in (("written", 500), ("counsel_chat", 250)):
        part = corpus[corpus.source == source]
        assert (part.split == "test").sum() >= count


def test_corpus_audit_resolutions_are_what_landed(corpus):
    from conftest import ROOT

    landed = {r.id: (list(r.labels), list(r.safety)) for r in corpus.itertuples()}
    for name in ("counsel_chat_audit.jsonl", "written_audit.jsonl"):
        rows = [json.loads(x) for x in (ROOT / "data" / "audit" / name).read_text().splitlines()]
        assert rows
        for row in rows:
            assert landed[row["id"]] == (row["resolved"]["labels"], row["resolved"]["safety"])
