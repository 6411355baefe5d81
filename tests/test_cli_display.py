"""The command line's --color, --version and --check, through a subprocess as a user runs it."""
import os
import pathlib
import shutil
import subprocess
import sys
import textwrap

import pytest

import srcad

SOURCE = textwrap.dedent("""
    import numpy as np
    import srcad

    def f(x, n):
        y = 0.0
        for i in range(n):
            y = y + x * x
        return y

    def vector(x):
        return np.sin(x) * 2.0

    def two(x, y):
        return np.sin(x) * y

    def halved(x):
        return x * 0.5

    @srcad.defvjp(halved)          # a wrong rule: the derivative of x * 0.5 is 0.5
    def halved_vjp(dout, out, x):
        return dout * 2.0

    def uses_wrong_rule(x):
        return halved(x) + x

    def divides(x):
        return 1.0 / x
""")
ANSI = "\x1b["
ROOT = pathlib.Path(__file__).resolve().parent.parent


@pytest.fixture
def module(tmp_path):
    path = tmp_path / "user_code.py"
    path.write_text(SOURCE)
    return path


def run(*args, env=None, exe=None):
    command = [exe] if exe else [sys.executable, "-m", "srcad"]
    return subprocess.run(command + [str(a) for a in args], capture_output=True, text=True,
                          timeout=120, env=dict(os.environ, **(env or {})))


def test_version():
    done = run("--version")
    assert done.returncode == 0, done.stderr
    assert done.stdout == f"srcad {srcad.__version__}\n"


def test_version_of_the_console_script():
    exe = shutil.which("srcad")
    if exe is None:
        pytest.skip("the srcad console script is not installed in this environment")
    # this checkout's srcad, wherever the installed script points
    done = run("--version", exe=exe, env={"PYTHONPATH": str(ROOT)})
    assert done.stdout == f"srcad {srcad.__version__}\n", done.stderr


def test_color_always_colours_the_source(module):
    pytest.importorskip("pygments")
    done = run(f"{module}:f", "--args", "0.7, 3", "--color", "always", env={"NO_COLOR": "1"})
    assert done.returncode == 0, done.stderr
    assert ANSI in done.stdout
    plain = run(f"{module}:f", "--args", "0.7, 3").stdout
    assert "dx" in done.stdout and done.stdout != plain


def test_color_auto_is_plain_on_a_pipe_and_never_is_plain(module):
    for choice in ("auto", "never"):
        done = run(f"{module}:f", "--args", "0.7, 3", "--color", choice)
        assert done.returncode == 0, done.stderr
        assert ANSI not in done.stdout
        assert done.stdout.startswith("def dfdx(x, n, dy=1.0):")


def test_an_unknown_color_choice_is_a_usage_error(module):
    done = run(f"{module}:f", "--color", "sometimes")
    assert done.returncode == 2
    assert "--color" in done.stderr and "'always'" in done.stderr
    assert "Traceback" not in done.stderr


def test_check_passes(module):
    done = run(f"{module}:f", "--args", "0.7, 3", "--check")
    assert done.returncode == 0, done.stderr
    assert done.stdout == ("check_grad: the derivative of f with respect to x at (0.7, 3) agrees "
                           "with finite differences (reverse and forward mode): OK\n")


def test_check_of_an_array_function(module):
    done = run(f"{module}:vector", "--args", "np.linspace(0.0, 1.0, 4)", "--check")
    assert done.returncode == 0, done.stderr
    assert "with respect to x at" in done.stdout and done.stdout.endswith("OK\n")


def test_check_of_several_wrt(module):
    done = run(f"{module}:two", "--wrt", "x,y", "--args", "0.3, 2.0", "--check")
    assert done.returncode == 0, done.stderr
    assert "with respect to x, y at (0.3, 2.0)" in done.stdout


def test_check_fails_with_status_1_naming_what_is_wrong(module):
    done = run(f"{module}:uses_wrong_rule", "--args", "0.5", "--check")
    assert done.returncode == 1, done.stdout + done.stderr
    assert done.stdout == ""
    assert done.stderr.startswith("srcad: check_grad: reverse (grad) derivative with respect to "
                                  "x is wrong")
    assert "Traceback" not in done.stderr


def test_check_needs_args(module):
    done = run(f"{module}:f", "--check")
    assert done.returncode == 2
    assert done.stderr == "srcad: --check needs --args: the point to check the derivative at, " \
                          "e.g. --args '0.7, 3'\n"


def test_check_does_not_print_the_source(module):
    done = run(f"{module}:divides", "--args", "2.0", "--check")
    assert done.returncode == 0, done.stderr
    assert "def " not in done.stdout


def test_help_lists_the_new_options():
    done = run("--help")
    assert done.returncode == 0
    for option in ("--color", "--check", "--version"):
        assert option in done.stdout


def test_check_shortens_long_arguments_in_its_report(module):
    args = "np.linspace(0.0, 1.0, 4) + 0.0 * np.arange(4.0) + np.zeros(4) * 3.0 + np.ones(4)"
    done = run(f"{module}:vector", "--args", args, "--check")
    assert done.returncode == 0, done.stderr
    assert "at (np.linspace(0.0, 1.0, 4) + 0.0 * np.arange(4.0) + ...) agrees" in done.stdout
