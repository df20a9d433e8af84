"""pandas and Dask: every row back once, in order, with the scores of in-process classification."""

from __future__ import annotations

import json
import random

import numpy as np
import pandas as pd
import pytest
from conftest import TRAIN

import relsignals
import relsignals.dask
from relsignals.errors import InputFileError
from relsignals.frame import COLUMNS, SCORE_COLUMNS


def test_classify_frame_keeps_index_order_and_missing_rows():
    df = pd.DataFrame({"text": ["he lost his job and won't talk to me", None, float("nan"), 7, "bread recipe?"]},
                      index=["e", "d", "c", "b", "a"])
    out = relsignals.classify_frame(df)
    assert list(out.index) == ["e", "d", "c", "b", "a"] and list(out.columns) == COLUMNS
    assert out["error"].tolist() == [None, "no text", "no text", "int, not text", None]
    first = relsignals.classify(df.loc["e", "text"])
    assert out.loc["e", "labels"] == first.labels
    assert out.loc["e", SCORE_COLUMNS].tolist() == [first.scores[c] for c in relsignals.CAUSE_IDS]
    assert out.loc["d", SCORE_COLUMNS].isna().all() and out.loc["d", "labels"] == []
    with pytest.raises(InputFileError, match="no column 'body'"):
        relsignals.classify_frame(df, column="body")


# the warning is about this test's own 100k in-memory rows (from_pandas), not about relsignals
@pytest.mark.filterwarnings("ignore:Sending large graph:UserWarning")
def test_dask_classifies_100k_rows_on_a_two_worker_cluster():
    import dask.dataframe as dd
    from dask.distributed import Client, LocalCluster

    corpus = [json.loads(line)["text"] for line in TRAIN.read_text(encoding="utf-8").splitlines()]
    rng = random.Random(0)
    texts = [rng.choice(corpus) for _ in range(100_000)]
    pdf = pd.DataFrame({"text": texts}, index=pd.RangeIndex(100_000, name="row"))
    ddf = dd.from_pandas(pdf, npartitions=20)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, \
            Client(cluster):
        out = relsignals.dask.classify(ddf).compute()
    assert len(out) == len(pdf) and (out.index == pdf.index).all()
    unique = sorted(set(texts))  # in-process reference: each distinct text classified once
    ref = relsignals.classify_frame(pd.DataFrame({"text": unique}, index=unique))
    expected = ref.loc[texts]
    assert np.array_equal(out[SCORE_COLUMNS].to_numpy(), expected[SCORE_COLUMNS].to_numpy())
    assert out["labels"].tolist() == expected["labels"].tolist()
    assert out["safety"].tolist() == expected["safety"].tolist()


def test_cli_csv_mode_matches_classify_frame(tmp_path):
    import csv
    import subprocess
    import sys

    texts = ["he lost his job and won't talk to me", "", "her family wants a Catholic wedding and she's pulling away"]
    src, dst = tmp_path / "in.csv", tmp_path / "out.csv"
    with open(src, "w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows([["text"], *[[t] for t in texts]])
    subprocess.run([sys.executable, "-m", "relsignals", "classify", "--input", str(src), "--output", str(dst)],
                   capture_output=True, text=True)
    rows = list(csv.DictReader(dst.read_text(encoding="utf-8").splitlines()))
    frame = relsignals.classify_frame(pd.DataFrame({"text": [t or None for t in texts]}))
    assert [r["labels"] for r in rows] == [";".join(x) for x in frame["labels"]]
    for r, (_, f) in zip(rows, frame.iterrows()):
        if not r["error"]:
            assert [float(r[c]) for c in SCORE_COLUMNS] == pytest.approx(f[SCORE_COLUMNS].tolist(), abs=1e-4)
