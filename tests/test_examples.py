"""Every script in examples/ runs and passes its own checks."""
import pathlib
import subprocess
import sys

import pytest

EXAMPLES = sorted((pathlib.Path(__file__).parent.parent / "examples").glob("*.py"))


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_example_runs(path):
    done = subprocess.run([sys.executable, str(path)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "OK" in done.stdout


def test_quickstart_prints_source_and_value():
    path = pathlib.Path(__file__).parent.parent / "examples" / "quickstart.py"
    out = subprocess.run([sys.executable, str(path)], capture_output=True, text=True,
                         timeout=120).stdout
    assert "def dfdx(x" in out
    assert "-5.466781" in out


def test_examples_exist():
    assert {"quickstart", "mlp", "projectile", "newton"} <= {p.stem for p in EXAMPLES}
