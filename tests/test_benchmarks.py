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
