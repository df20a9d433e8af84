import csv
import json
import subprocess
import sys

import pytest

import relsignals


def run(*args, stdin=None):
    return subprocess.run([sys.executable, "-m", "relsignals", *args], input=stdin, capture_output=True, text=True)


def test_cli_classify_readable():
    out = run("classify", "my husband has been cold since his dad's funeral and won't talk about it")
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("causes:") and "safety:" in out.stdout


def test_cli_classify_json_matches_api():
    text = "she started a PhD and now her new friends come first"
    out = run("classify", "--json", text)
    assert out.returncode == 0
    assert json.loads(out.stdout) == relsignals.classify(text).to_dict()


@pytest.mark.parametrize("args", [["classify", "--json", "-"], ["classify", "--json"]])
def test_cli_classify_reads_stdin(args):
    out = run(*args, stdin="he won't commit and says he doesn't know if he wants kids anymore")
    assert out.returncode == 0
    assert set(json.loads(out.stdout)["scores"]) == set(relsignals.CAUSE_IDS)


def _texts():
    return ["his ex cheated on him so he checks my phone", "", "what's a good recipe for dal",
            "we fight about money every week", "she says men don't cry, so I never tell her how I feel"]


def test_cli_csv_in_csv_out_keeps_every_row_in_order(tmp_path):
    src, dst = tmp_path / "in.csv", tmp_path / "out.csv"
    with open(src, "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["id", "post"])
        w.writerows([[f"p{i}", t] for i, t in enumerate(_texts())])
    out = run("classify", "--input", str(src), "--column", "post", "--output", str(dst))
    assert out.returncode == 1 and "1 failed" in out.stderr  # the empty text is marked, not dropped
    rows = list(csv.DictReader(dst.read_text().splitlines()))
    assert [r["id"] for r in rows] == [f"p{i}" for i in range(len(_texts()))]
    assert [r["row"] for r in rows] == [str(i) for i in range(len(_texts()))]
    assert [r["error"] for r in rows] == ["", "empty text", "", "", ""]
    expected = relsignals.classify_many(_texts())
    assert [r["labels"] for r in rows] == [";".join(e.labels) for e in expected]


def test_cli_jsonl_and_txt_inputs(tmp_path):
    jl, txt, dst = tmp_path / "in.jsonl", tmp_path / "in.txt", tmp_path / "out.jsonl"
    jl.write_text("".join(json.dumps({"text": t}) + "\n" for t in _texts()))
    txt.write_text("\n".join(_texts()) + "\n")
    for src in (jl, txt):
        out = run("classify", "--input", str(src), "--output", str(dst))
        assert out.returncode == 1, out.stderr
        rows = [json.loads(x) for x in dst.read_text().splitlines()]
        assert [r["row"] for r in rows] == list(range(len(_texts())))
        assert [r.get("error") for r in rows] == [None, "empty text", None, None, None]
        assert [r.get("labels", []) for r in rows] == [e.labels for e in relsignals.classify_many(_texts())]


@pytest.mark.parametrize("args, needle", [
    (["classify", "--input", "nope.csv"], "not found"),
    (["advice", "not_a_cause"], "valid ids"),
    (["classify", "--bogus"], "unrecognized"),
    ([], "required"),
    (["classify", "--model", "/nonexistent", "hi"], "no model"),
])
def test_cli_usage_errors_exit_2_with_one_line(args, needle):
    out = run(*args)
    assert out.returncode == 2
    assert out.stderr.count("\n") == 1 and needle in out.stderr
    assert "Traceback" not in out.stderr


def test_cli_missing_column_names_columns_and_not_texts(tmp_path):
    src = tmp_path / "in.csv"
    src.write_text("id,body\n1,a very private sentence\n")
    out = run("classify", "--input", str(src))
    assert out.returncode == 2
    assert "body" in out.stderr and "private sentence" not in out.stderr


def test_cli_null_text_row_is_marked_and_counted(tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_text('{"text": "ok"}\n{"text": null}\n')
    out = run("classify", "--json", "--input", str(src))
    assert out.returncode == 1 and "1 failed" in out.stderr
    rows = [json.loads(x) for x in out.stdout.splitlines()]
    assert [r["row"] for r in rows] == [0, 1] and rows[1]["error"] == "no 'text' value"


@pytest.mark.parametrize("cmd", ["classify", "categories", "advice", "train", "evaluate"])
def test_cli_help_for_every_command(cmd):
    out = run(cmd, "--help")
    assert out.returncode == 0 and "usage:" in out.stdout


def test_cli_categories_and_advice():
    cats = json.loads(run("categories", "--json").stdout)
    assert [c["id"] for c in cats] == list(relsignals.CAUSE_IDS)
    out = run("advice", "relationship_trauma")
    assert out.returncode == 0 and "3.1" in out.stdout


def test_cli_survives_closed_pipe(tmp_path):
    src = tmp_path / "in.txt"
    src.write_text("\n".join(["he is so distant lately"] * 300))
    proc = subprocess.run(f"{sys.executable} -m relsignals classify --json --input {src} | head -n 1",
                          shell=True, capture_output=True, text=True)
    assert "Traceback" not in proc.stderr
    assert len(proc.stdout.splitlines()) == 1


def test_cli_csv_with_excel_bom_is_read(tmp_path):
    src, dst = tmp_path / "in.csv", tmp_path / "out.jsonl"
    src.write_bytes("text\nhe won't talk to me since the layoff\n".encode("utf-8-sig"))
    out = run("classify", "--input", str(src), "--output", str(dst))
    assert out.returncode == 0, out.stderr
    assert len(dst.read_text().splitlines()) == 1


def test_cli_train_and_evaluate_end_to_end(tmp_path):
    from conftest import TRAIN

    from relsignals.training import load_corpus

    frame = load_corpus(TRAIN).sample(400, random_state=1)
    frame[:300].to_json(tmp_path / "train.jsonl", orient="records", lines=True)
    frame[300:].to_json(tmp_path / "held.jsonl", orient="records", lines=True)
    shas = []
    for name in ("a", "b"):
        out = run("train", "--data", str(tmp_path / "train.jsonl"), "--out", str(tmp_path / name), "--seed", "3",
                  "--quiet")
        assert out.returncode == 0, out.stderr
        shas.append(json.loads((tmp_path / name / "meta.json").read_text())["model_sha256"])
    assert shas[0] == shas[1]  # same data and seed: the same model, byte for byte
    out = run("evaluate", "--model", str(tmp_path / "a"), "--data", str(tmp_path / "held.jsonl"),
              "--report-dir", str(tmp_path / "rep"))
    assert out.returncode == 0, out.stderr
    report = json.loads((tmp_path / "rep" / "report.json").read_text())
    assert report["overall"]["n_texts"] == 100
    for key in ("macro_f1", "micro_f1", "section_macro_f1", "top1_accuracy", "empty_stays_empty",
                "cause_gets_one", "brier", "ece", "per_label", "confused_pairs", "safety"):
        assert key in report["overall"]
    assert (tmp_path / "rep" / "report.md").read_text().startswith("# Evaluation")
    assert (tmp_path / "rep" / "report.png").read_bytes()[:4] == b"\x89PNG"
    for record in (["--record"], ["--record", "probe_short"]):
        out = run("evaluate", "--model", str(tmp_path / "a"), "--data", str(tmp_path / "held.jsonl"),
                  "--report-dir", str(tmp_path / "rep"), *record)
        assert out.returncode == 0, out.stderr
    meta = json.loads((tmp_path / "a" / "meta.json").read_text())
    assert meta["test_metrics"]["overall"] == meta["probe_short_metrics"]["overall"] == report["overall"]


def test_cli_train_rejects_unknown_candidate(tmp_path):
    out = run("train", "--candidate", "nope", "--out", str(tmp_path / "m"))
    assert out.returncode == 2 and "unknown candidate" in out.stderr


def test_cli_compare_writes_tables(tmp_path):
    from conftest import TRAIN

    from relsignals.training import load_corpus

    load_corpus(TRAIN).sample(300, random_state=2).to_json(tmp_path / "train.jsonl", orient="records", lines=True)
    out = run("compare", "--data", str(tmp_path / "train.jsonl"), "--cv", "2", "--out", str(tmp_path / "cmp"),
              "--only", "keyword baseline", "TF-IDF words + LR")
    assert out.returncode == 0, out.stderr
    results = json.loads((tmp_path / "cmp.json").read_text())
    assert list(results) == ["keyword baseline", "TF-IDF words + LR"]
    assert (tmp_path / "cmp.md").read_text().count("\n") == 4
