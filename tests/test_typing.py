"""The package type-checks with mypy (the files listed under [tool.mypy] in pyproject.toml: all of relsignals)."""

import subprocess
import sys

from conftest import ROOT


def test_package_is_mypy_clean():
    out = subprocess.run([sys.executable, "-m", "mypy", "--no-incremental"], cwd=ROOT, capture_output=True,
                         text=True, timeout=600)
    assert out.returncode == 0, out.stdout[-3000:]
    assert (ROOT / "relsignals" / "py.typed").is_file()
