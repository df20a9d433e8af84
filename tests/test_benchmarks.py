"""The benchmark script runs end to end (a smoke run: its figures are never asserted)."""

import subprocess
import sys

from conftest import ROOT


def test_benchmark_smoke_run_prints_its_table():
    out = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "benchmark.py"), "--quick", "--skip-training"],
                         capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr[-2000:]
    rows = [line for line in out.stdout.splitlines() if line.startswith("| ")]
    assert rows[0] == "| measure | value | target |"
    assert any(r.startswith("| cold start:") for r in rows) and any(r.startswith("| bulk:") for r in rows)
    assert any("rows written / rows read | 1.000 |" in r for r in rows)
    assert any(r.startswith("| bulk:") and "data/test.jsonl" in r for r in rows)  # texts training never saw


def test_benchmark_profile_names_every_part():
    out = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "benchmark.py"), "--profile"],
                         capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.count("%") == 5 and "classify_many over 1,000" in out.stdout


def test_first_pass_script_reports_both_passes_and_the_collector():
    out = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "first_pass.py"), "--n", "300", "--baseline",
                          "--single"], capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr[-2000:]
    lines = out.stdout.splitlines()
    assert lines[0].startswith("first pass ") and "second pass" in lines[0] and "300 train-split texts" in lines[0]
    assert lines[1].startswith("first pass collections per generation: ") and lines[1].count("s)") == 3
    assert lines[2].startswith("plain TF-IDF + LR ") and "throughput ratio" in lines[2]
    assert lines[3].startswith("classify one text at a time: ") and "evidence on" in lines[3]
