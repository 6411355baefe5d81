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
    env = dict(os.environ, MPLBACKEND="Agg", PYTHONPATH=os.pathsep.join(
        p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p))
    return subprocess.run([sys.executable, str(path), *args], capture_output=True, text=True,
                          timeout=timeout, cwd=cwd, env=env)


HAS_MATPLOTLIB = importlib.util.find_spec("matplotlib") is not None
PNG = b"\x89PNG\r\n\x1a\n"
NEEDS_EXTRA = 'figure skipped: it needs matplotlib (pip install -e ".[examples]")'


def assert_figure(done, figure):
    """The figure was written where asked (and its path printed), or skipped with the hint."""
    if HAS_MATPLOTLIB:
        assert f"figure saved to {figure}" in done.stdout, done.stdout
        assert figure.read_bytes()[:8] == PNG
    else:
        assert NEEDS_EXTRA in done.stdout, done.stdout
        assert not figure.exists()


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
    assert_figure(done, figure)
    assert not (tmp_path / "heat_inverse.png").exists()     # the argument was used


def test_tanh_derivatives_match_the_closed_forms_and_are_plotted(tmp_path):
    figure = tmp_path / "tanh.png"
    done = run_example(ROOT / "examples" / "tanh_derivatives.py", str(figure), cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "def ddtanh_dx_dx(x" in done.stdout                 # the second derivative's source
    for order in range(5):
        err = re.search(rf"order {order}: max \|srcad - closed form\| = (\S+)", done.stdout)
        assert err and float(err[1]) < 1e-12, done.stdout
    assert_figure(done, figure)
    assert "OK" in done.stdout


def test_mlp_training_learns_and_plots_its_curve(tmp_path):
    done = run_example(ROOT / "examples" / "mlp_training.py", cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    fell = re.search(r"training loss ([\d.]+) -> ([\d.]+), test accuracy ([\d.]+)", done.stdout)
    assert fell, done.stdout
    assert float(fell[2]) < 0.5 * float(fell[1]) and float(fell[3]) > 0.8, done.stdout
    assert_figure(done, tmp_path / "mlp_training.png")         # the default name, in the cwd


WITHOUT = """
import importlib.abc, runpy, sys

BLOCKED = sys.argv[1]

class Without(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] == BLOCKED:
            raise ImportError(f"No module named {name!r} (blocked)")

sys.meta_path.insert(0, Without())
sys.argv = sys.argv[2:]
runpy.run_path(sys.argv[0], run_name="__main__")
"""


def run_without(library, example, *args, tmp_path):
    """Run an example as if ``library`` were not installed."""
    script = tmp_path / "without.py"
    script.write_text(WITHOUT)
    return run_example(script, library, str(ROOT / "examples" / example), *args, cwd=tmp_path)


@pytest.mark.parametrize("name", ["tanh_derivatives", "mlp_training"])
def test_plotting_examples_run_without_matplotlib_and_name_the_extra(name, tmp_path):
    figure = tmp_path / "figure.png"
    done = run_without("matplotlib", f"{name}.py", str(figure), tmp_path=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert NEEDS_EXTRA in done.stdout and "OK" in done.stdout
    assert not figure.exists() and "matplotlib" not in done.stderr


def test_heat_inverse_without_scipy_names_the_extra(tmp_path):
    done = run_without("scipy", "heat_inverse.py", tmp_path=tmp_path)
    assert done.returncode == 1
    assert done.stderr.strip() == \
        'heat_inverse.py needs scipy (the "examples" extra): pip install -e ".[examples]"'


def test_examples_exist():
    assert {"quickstart", "mlp", "projectile", "newton", "heat_inverse", "mlp_training",
            "tanh_derivatives"} <= {p.stem for p in EXAMPLES}
