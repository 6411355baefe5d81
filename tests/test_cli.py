"""The command line, through a subprocess as a user runs it."""
import re
import shutil
import subprocess
import sys
import textwrap

import pytest

SOURCE = textwrap.dedent("""
    import numpy as np

    def f(x, n):
        y = 0.0
        for i in range(n):
            if x > 0:
                y = y + x * x
            else:
                y = y - x
        return y

    def two(x, y):
        return np.sin(x) * y

    def square(a):
        return a * a

    def calls(x):
        return square(x) + 1.0

    def bad(x):
        try:
            return x
        except ValueError:
            return 0.0
""")


@pytest.fixture
def module(tmp_path):
    path = tmp_path / "user_code.py"
    path.write_text(SOURCE)
    return path


def run(*args, exe=None):
    command = [exe] if exe else [sys.executable, "-m", "srcad"]
    return subprocess.run(command + [str(a) for a in args], capture_output=True, text=True,
                          timeout=60)


def test_prints_derivative_source(module):
    done = run(f"{module}:f", "--args", "0.7, 3")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("def dfdx(x, n, dy=1.0):")
    assert "dx += 2.0 * x * dy" in done.stdout
    assert "return dx" in done.stdout


def test_without_example_arguments(module):
    done = run(f"{module}:f")
    assert done.returncode == 0, done.stderr
    assert "def dfdx" in done.stdout and "return dx" in done.stdout


def test_wrt_names(module):
    done = run(f"{module}:two", "--wrt", "x,y")
    assert done.returncode == 0, done.stderr
    assert "dx" in done.stdout and "dy" in done.stdout
    assert "return dx, dy" in done.stdout


def test_prints_helper_derivatives_too(module):
    done = run(f"{module}:calls", "--args", "2.0")
    assert done.returncode == 0, done.stderr
    assert done.stdout.index("def dsquare_da(") < done.stdout.index("def dcalls_dx(")


def test_unsupported_code_is_one_line_with_location(module):
    done = run(f"{module}:bad")
    assert done.returncode == 1
    first = done.stderr.splitlines()[0]
    assert re.match(r"^.*user_code\.py:\d+: cannot differentiate try/except", first)
    line = [i for i, text in enumerate(SOURCE.splitlines(), 1) if text.strip() == "try:"][0]
    assert f"user_code.py:{line}: " in first
    assert "Traceback" not in done.stderr


def test_unknown_file():
    done = run("/nonexistent/nowhere.py:f")
    assert done.returncode != 0
    assert "nowhere.py" in done.stderr and "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_unknown_function(module):
    done = run(f"{module}:missing")
    assert done.returncode != 0
    assert "missing" in done.stderr and "Traceback" not in done.stderr


def test_console_script_matches_module(module):
    exe = shutil.which("srcad")
    if exe is None:
        pytest.skip("the srcad console script is not installed in this environment")
    assert run(f"{module}:f", "--args", "0.7, 3", exe=exe).stdout == run(
        f"{module}:f", "--args", "0.7, 3").stdout


def test_console_script_matches_module_on_errors(module):
    exe = shutil.which("srcad")
    if exe is None:
        pytest.skip("the srcad console script is not installed in this environment")
    for target in (f"{module}:bad", f"{module}:missing"):
        script, as_module = run(target, exe=exe), run(target)
        assert script.returncode == as_module.returncode != 0
        assert script.stderr == as_module.stderr
        assert "Traceback" not in script.stderr


def test_forward_mode(module):
    done = run(f"{module}:f", "--mode", "forward", "--args", "0.7, 3")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("def f_jvp(x, n, dx):")
    assert "dy = dy + 2.0 * x * dx" in done.stdout
