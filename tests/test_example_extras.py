"""Every example runs with what ``pip install -e ".[examples]"`` installs, and when a library of
that extra is missing it says which extra to install: a clear message and an exit status, or
the part that needs it skipped with that message, never a traceback."""
import ast
import os
import pathlib
import re
import subprocess
import sys
import tomllib

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples").glob("*.py"))
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
EXTRA = {re.match(r"[A-Za-z0-9_.-]+", r)[0].lower()
         for r in PROJECT["optional-dependencies"]["examples"]}
INSTALL = 'pip install -e ".[examples]"'

# Runs an example as ``python example.py`` would, with the libraries named in argv[1] (comma
# separated) made impossible to import, as when they are not installed.
BLOCKED_RUN = """
import runpy, sys
blocked = set(sys.argv[1].split(","))

class NotInstalled:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in blocked:
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None

sys.meta_path.insert(0, NotInstalled())
sys.argv = sys.argv[2:]
runpy.run_path(sys.argv[0], run_name="__main__")
"""


def imported(path):
    """The top-level names of the modules ``path`` imports, at any depth."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def run_without(libraries, path, cwd):
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p), MPLBACKEND="Agg")
    return subprocess.run([sys.executable, "-c", BLOCKED_RUN, ",".join(libraries), str(path)],
                          capture_output=True, text=True, timeout=300, cwd=cwd, env=env)


def test_examples_need_only_srcad_numpy_and_the_examples_extra():
    allowed = EXTRA | {"numpy", "srcad"} | set(sys.stdlib_module_names) | \
        {p.stem for p in EXAMPLES}      # (an example may build on another: mlp_training, mlp)
    for path in EXAMPLES:
        assert imported(path) <= allowed, f"{path.name} imports {imported(path) - allowed}, " \
            f"which the examples extra does not install"


NEEDS = [(path, library) for path in EXAMPLES for library in sorted(imported(path) & EXTRA)]


@pytest.mark.parametrize("path, library", NEEDS,
                         ids=[f"{path.stem}-without-{library}" for path, library in NEEDS])
def test_a_missing_library_names_the_extra(path, library, tmp_path):
    done = run_without([library], path, tmp_path)
    assert "Traceback" not in done.stderr, done.stderr
    said = done.stdout + done.stderr
    assert library in said and INSTALL in said, said
    if done.returncode == 0:        # the part that needs it was skipped, the rest ran
        assert "OK" in done.stdout
    else:
        assert done.returncode == 1
        assert done.stderr.strip().splitlines()[-1].endswith(INSTALL)


def test_heat_inverse_without_scipy_stops_at_once(tmp_path):
    done = run_without(["scipy"], ROOT / "examples" / "heat_inverse.py", tmp_path)
    assert done.returncode == 1
    assert done.stdout == ""
    assert done.stderr == f'heat_inverse.py needs scipy (the "examples" extra): {INSTALL}\n'


def test_the_blocker_blocks(tmp_path):
    script = tmp_path / "uses_scipy.py"
    script.write_text("import scipy\n")
    done = run_without(["scipy"], script, tmp_path)
    assert done.returncode == 1 and "No module named 'scipy'" in done.stderr
