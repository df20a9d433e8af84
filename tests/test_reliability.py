"""Reliability and security: any input, bad batches, determinism, model integrity, privacy."""

from __future__ import annotations

import json
import logging
import socket
import subprocess
import sys
import warnings
from concurrent.futures import ThreadPoolExecutor

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import relsignals
from relsignals.cli import main as cli_main
from relsignals.errors import ModelLoadError

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SECRET = "Zephyrine told me her husband Quillon hides the car keys"


def _check(result: relsignals.Result) -> None:
    assert list(result.scores) == list(relsignals.CAUSE_IDS)
    assert all(0.0 <= s <= 1.0 for s in result.scores.values())
    assert (result.reason is None) == bool(result.labels)
    assert set(result.safety) <= set(relsignals.SAFETY_FLAGS)


@SETTINGS
@given(st.text(max_size=400))
@example("\x00\x01\x1b[31m\x7f control")
@example("💔😭 he left 🙃🙃")
@example("زوجي لا يتحدث معي منذ أن فقد وظيفته")  # right-to-left
@example("\u202eevil override\u202c he won't talk")
@example(" \t\n\r\u00a0\u2003 ")
@example("a" * 100_000)
@example("he won't talk to me. " * 5_000)
def test_any_string_gives_a_result_with_nine_scores_in_range(text):
    _check(relsignals.classify(text))


SPACES_AND_LOOKALIKES = " \n\t\r\x0b\x0c\x1c\x1f\x00\u00a0\u2003\u2028\u3000\x85\u200d aB.é\u0301'`"


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(SPACES_AND_LOOKALIKES), max_size=40) | st.text(max_size=60))
@example("  two  spaces \n\n and a break ")
def test_normalize_collapses_whitespace_as_split_and_join_would(text):
    from relsignals.text import fold, normalize

    assert normalize(text) == " ".join(fold(text).split())


@SETTINGS
@given(st.lists(st.text(max_size=200), max_size=8))
def test_batch_results_equal_single_results(texts):
    batch = relsignals.classify_many(texts)
    assert [r.to_dict() for r in batch] == [relsignals.classify(t).to_dict() for t in texts]


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                   HealthCheck.function_scoped_fixture])
@given(st.lists(st.one_of(st.text(max_size=80), st.none(), st.integers()), min_size=1, max_size=12))
def test_cli_writes_exactly_one_row_per_input_row(tmp_path, values):
    src, dst = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    src.write_text("".join(json.dumps({"id": i, "text": v}) + "\n" for i, v in enumerate(values)), encoding="utf-8")
    code = cli_main(["classify", "--input", str(src), "--output", str(dst), "--no-evidence"])
    rows = [json.loads(line) for line in dst.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in rows] == list(range(len(values)))
    bad = [not isinstance(v, str) or not v.strip() for v in values]
    assert [("error" in r) for r in rows] == bad
    assert code == (1 if any(bad) else 0)


def test_same_result_in_separate_processes_and_from_eight_threads():
    texts = ["my wife has been cold since her promotion and won't talk about it",
             "his ex cheated on him and now he checks my phone", "how do I fix a bike chain"]
    code = ("import json, sys, relsignals; "
            "print(json.dumps([r.to_dict() for r in relsignals.classify_many(json.loads(sys.argv[1]))]))")
    runs = [subprocess.run([sys.executable, "-c", code, json.dumps(texts)], capture_output=True, text=True,
                           check=True).stdout for _ in range(2)]
    assert runs[0] == runs[1]
    expected = json.loads(runs[0])
    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(lambda i: relsignals.classify(texts[i % 3]).to_dict(), range(48)))
    assert results == [json.loads(json.dumps(expected[i % 3])) for i in range(48)]


def _run(*args):
    return subprocess.run([sys.executable, "-m", "relsignals", *args], capture_output=True, text=True)


def test_bad_csv_and_jsonl_rows_are_marked_not_dropped(tmp_path):
    csv_path = tmp_path / "in.csv"
    csv_path.write_bytes(b"id,text\n1,he won't talk to me\n2,\n3\n4,caf\xe9 date went badly\n5,she left\n")
    out = _run("classify", "--input", str(csv_path), "--output", str(tmp_path / "out.jsonl"), "--no-evidence")
    rows = [json.loads(x) for x in (tmp_path / "out.jsonl").read_text().splitlines()]
    assert [r["id"] for r in rows] == ["1", "2", "3", "4", "5"]
    assert [r.get("error") for r in rows] == [None, "empty text", "no 'text' value", "not UTF-8", None]
    assert out.returncode == 1 and out.stderr.count("\n") == 1 and "3 failed" in out.stderr

    jsonl = tmp_path / "in.jsonl"
    jsonl.write_bytes(b'{"text": "ok then"}\n{"text": 42}\nnot json\n{"body": "x"}\n\xff\xfe\n["a list"]\n')
    out = _run("classify", "--json", "--input", str(jsonl), "--no-evidence")
    rows = [json.loads(x) for x in out.stdout.splitlines()]
    assert [r["row"] for r in rows] == list(range(6))
    assert [r.get("error") for r in rows] == [None, "'text' is int, not text", "not valid JSON", "no 'text' value",
                                              "not UTF-8", "not a JSON object with a 'text' field"]
    assert out.returncode == 1 and "5 failed" in out.stderr


@pytest.mark.parametrize("make, needle", [
    (lambda d: d / "missing.csv", "not found"),
    (lambda d: d, "directory"),
])
def test_unreadable_input_is_a_one_line_error(tmp_path, make, needle):
    out = _run("classify", "--input", str(make(tmp_path)))
    assert out.returncode == 2 and out.stderr.count("\n") == 1 and needle in out.stderr


def test_modified_bundled_model_is_refused(tmp_path):
    import shutil

    from relsignals.model import default_model_path, load

    copy = tmp_path / "model"
    shutil.copytree(default_model_path(), copy)
    meta = json.loads((copy / "meta.json").read_text())
    meta["model_sha256"] = "0" * 64
    (copy / "meta.json").write_text(json.dumps(meta))
    with pytest.raises(ModelLoadError, match="checksum"):
        load(copy)


def test_pickled_model_needs_trusted(tmp_path, small_model_dir):
    import joblib

    from relsignals.model import from_npz, load

    legacy = tmp_path / "legacy"
    legacy.mkdir()
    joblib.dump(from_npz(small_model_dir / "model.npz"), legacy / "model.joblib")
    meta = json.loads((small_model_dir / "meta.json").read_text())
    from relsignals.model import sha256_file

    meta["model_sha256"] = sha256_file(legacy / "model.joblib")
    (legacy / "meta.json").write_text(json.dumps(meta))
    with pytest.raises(ModelLoadError, match="trusted=True"):
        load(legacy)
    assert load(legacy, trusted=True).labels == load(small_model_dir).labels


def test_model_file_holds_no_pickles(tmp_path):
    import numpy as np

    from relsignals.model import default_model_path

    with np.load(default_model_path() / "model.npz", allow_pickle=False) as data:
        assert all(data[k].dtype != object for k in data.files)


def test_serving_does_not_depend_on_the_training_library_version():
    meta = relsignals.Classifier.load().model.meta
    assert "scikit-learn" in meta["library_versions"]  # recorded, but serving never unpickles its objects
    code = "import sys; sys.modules['sklearn'] = None; import relsignals; print(relsignals.classify('he left').scores)"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).returncode == 0


def test_classifying_opens_no_network_connection(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("relsignals tried to open a network connection")

    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    clf = relsignals.Classifier.load()
    _check(clf.classify("since her promotion she's never home and won't talk to me"))


def test_texts_never_reach_logs_warnings_or_errors(caplog, tmp_path, capsys):
    caplog.set_level(logging.DEBUG)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        relsignals.classify_many([SECRET, SECRET.upper()])
        for bad in ([SECRET, None], [SECRET, b"bytes"]):
            with pytest.raises(TypeError) as err:
                relsignals.classify_many(bad)
            assert "Quillon" not in str(err.value)
    src = tmp_path / "in.csv"
    src.write_text(f"id,body\n1,{SECRET}\n")
    out = _run("classify", "--input", str(src))  # no 'text' column
    seen = " ".join([r.getMessage() for r in caplog.records] + [str(w.message) for w in caught]
                    + [out.stderr, capsys.readouterr().err])
    assert "Quillon" not in seen and "Zephyrine" not in seen


def test_cli_piped_into_head_exits_quietly(tmp_path):
    src = tmp_path / "in.txt"
    src.write_text("\n".join(["he is so distant lately"] * 3000))
    proc = subprocess.run(f"{sys.executable} -m relsignals classify --json --input {src} | head -1",
                          shell=True, capture_output=True, text=True)
    assert proc.stderr == "" and len(proc.stdout.splitlines()) == 1
