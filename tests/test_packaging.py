import json
import subprocess
import sys
import zipfile

from conftest import ROOT


def test_packaging_wheel_contains_model_and_advice(tmp_path):
    subprocess.run([sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "--no-build-isolation",
                    "-w", str(tmp_path), "-q"], check=True, capture_output=True)
    wheel = next(tmp_path.glob("relsignals-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    for needed in ("relsignals/models/default/model.npz", "relsignals/models/default/meta.json",
                   "relsignals/resources/advice.json", "relsignals/models/MODEL_CARD.md", "relsignals/__main__.py"):
        assert needed in names
    meta = json.loads(zipfile.ZipFile(wheel).read("relsignals/models/default/meta.json"))
    assert meta["labels"][:9] == ["stress", "communication", "emotional_baggage", "personal_growth",
                                  "shifting_priorities", "relationship_trauma", "childhood_influences",
                                  "societal_expectations", "cultural_influences"]


def test_packaging_bundled_model_works_from_another_directory(tmp_path):
    out = subprocess.run([sys.executable, "-m", "relsignals", "classify", "--json", "he never talks to me"],
                         capture_output=True, text=True, cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert "scores" in json.loads(out.stdout)
