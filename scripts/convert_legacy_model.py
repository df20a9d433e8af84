"""Rewrite a relsignals 0.1 model directory (``model.joblib``, a pickle) as ``model.npz``.

    python scripts/convert_legacy_model.py models/my_model

Only for a model you made or trust: reading the pickle can run code. The arrays are
copied unchanged, so the converted model gives exactly the same scores; ``meta.json``
gets the new file's checksum and the old file is removed.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from relsignals.model import LEGACY_MODEL_FILE, META_FILE, MODEL_FILE, sha256_file, to_npz  # noqa: E402


def convert(directory: Path) -> None:
    import joblib

    payload = joblib.load(directory / LEGACY_MODEL_FILE)
    to_npz(payload, directory / MODEL_FILE)
    meta_path = directory / META_FILE
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    meta["model_sha256"] = sha256_file(directory / MODEL_FILE)
    meta_path.write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    (directory / LEGACY_MODEL_FILE).unlink()
    print(f"wrote {directory / MODEL_FILE}")


if __name__ == "__main__":
    convert(Path(sys.argv[1]))
