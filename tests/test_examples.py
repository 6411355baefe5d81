"""Every script in examples/ runs and passes its own checks."""
import importlib.util
import os
import pathlib
import re
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).parent.parent
EXAMPLES = sorted((ROOT / "examples").glob("*.py"))


def run_example(path, *args, cwd, timeout=300):
    """Run an example in ``cwd`` (files it writes land there), with srcad importable."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p))
    return subprocess.run([sys.executable, str(path), *args], capture_output=True, text=True,
                          timeout=timeout, cwd=cwd, env=env)


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_example_runs(path, tmp_path):
    done = run_example(path, cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "OK" in done.stdout


def test_quickstart_prints_source_and_value():
    path = pathlib.Path(__file__).parent.parent / "examples" / "quickstart.py"
    out = subprocess.run([sys.executable, str(path)], capture_output=True, text=True,
                         timeout=120).stdout
    assert "def dfdx(x" in out
    assert "-5.466781" in out


def test_heat_inverse_recovers_field_and_saves_figure(tmp_path):
    figure = tmp_path / "fields.png"
    done = run_example(ROOT / "examples" / "heat_inverse.py", str(figure), cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "gradient of the loss checked against finite differences" in done.stdout
    fell = re.search(r"relative error fell from ([\d.]+) to ([\d.]+)", done.stdout)
    assert fell, done.stdout
    assert float(fell[2]) < 0.1 < float(fell[1]), done.stdout
    assert "OK" in done.stdout
    if importlib.util.find_spec("matplotlib") is None:
        assert "figure skipped" in done.stdout
        assert not figure.exists()
    else:
        assert f"figure saved to {figure}" in done.stdout
        assert figure.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert not (tmp_path / "heat_inverse.png").exists()     # the argument was used


def test_examples_exist():
    assert {"quickstart", "mlp", "projectile", "newton", "heat_inverse"} <= {
        p.stem for p in EXAMPLES}
