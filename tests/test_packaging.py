"""What people check first about a package: its version, license, Python versions, extras, type
hints and docstrings (each public function's example is run here, as a doctest)."""
import doctest
import email
import inspect
import pathlib
import re
import shutil
import subprocess
import sys
import tomllib
import typing
import zipfile

import pytest

import srcad
from srcad import _version, rules

ROOT = pathlib.Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
PROJECT = PYPROJECT["project"]
PUBLIC_FUNCTIONS = [name for name in srcad.__all__
                    if inspect.isfunction(getattr(srcad, name))]


def requirement_names(requirements):
    return {re.match(r"[A-Za-z0-9_.-]+", r)[0].lower() for r in requirements}


# ---- version ------------------------------------------------------------------------------
def test_version_has_one_source_of_truth():
    assert "version" not in PROJECT
    assert "version" in PROJECT["dynamic"]
    assert PYPROJECT["tool"]["setuptools"]["dynamic"]["version"] == {
        "attr": "srcad._version.__version__"}
    assert srcad.__version__ == _version.__version__
    assert re.fullmatch(r"\d+\.\d+\.\d+([ab]|rc|\.dev|\.post)?\d*", srcad.__version__)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    """The wheel setuptools builds from this checkout (in a copy: nothing written here)."""
    setuptools = pytest.importorskip("setuptools")
    if int(setuptools.__version__.split(".")[0]) < 77:
        pytest.skip("pyproject's license expression needs setuptools>=77 (pip install -e . "
                    "fetches one into its build environment)")
    source = tmp_path_factory.mktemp("source")
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy(ROOT / name, source / name)
    shutil.copytree(ROOT / "srcad", source / "srcad",
                    ignore=shutil.ignore_patterns("__pycache__"))
    out = tmp_path_factory.mktemp("wheel")
    done = subprocess.run(
        [sys.executable, "-c", "import sys; from setuptools import build_meta; "
                               "print(build_meta.build_wheel(sys.argv[1]))", str(out)],
        cwd=source, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    return zipfile.ZipFile(out / done.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def metadata(wheel):
    name = next(n for n in wheel.namelist() if n.endswith(".dist-info/METADATA"))
    return email.message_from_bytes(wheel.read(name))


def test_built_metadata(metadata):
    assert metadata["Version"] == srcad.__version__
    assert metadata["License-Expression"] == "MIT"
    assert metadata["License-File"] == "LICENSE"
    assert metadata["Requires-Python"] == ">=3.11"
    assert "Programming Language :: Python :: 3.11" in metadata.get_all("Classifier")
    assert {"examples", "notebook", "all", "test"} <= set(metadata.get_all("Provides-Extra"))


def test_wheel_holds_py_typed_and_the_license(wheel):
    names = wheel.namelist()
    assert "srcad/py.typed" in names
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names)


# ---- license, Python, classifiers, extras ---------------------------------------------------
def test_license_file():
    text = (ROOT / "LICENSE").read_text()
    assert text.startswith("MIT License\n")
    assert "Copyright (c) 2026 the srcad authors" in text
    assert PROJECT["license"] == "MIT" and PROJECT["license-files"] == ["LICENSE"]


def test_requires_python_is_what_the_code_needs():
    assert PROJECT["requires-python"] == ">=3.11"
    assert hasattr(compile("0", "", "eval"), "co_positions")    # frontend reads lambdas with it
    assert "Programming Language :: Python :: 3.11" in PROJECT["classifiers"]
    assert "Typing :: Typed" in PROJECT["classifiers"]
    # the license expression replaces license classifiers (setuptools refuses both)
    assert not any(c.startswith("License ::") for c in PROJECT["classifiers"])


def test_extras():
    extras = {k: requirement_names(v) for k, v in PROJECT["optional-dependencies"].items()}
    assert {"scipy", "matplotlib"} <= extras["examples"]
    assert {"ipython", "pygments"} <= extras["notebook"]
    assert "ipython" in extras["test"]           # CI installs .[test]: the notebook tests run
    everything = set().union(*(v for k, v in extras.items() if k not in ("all", "bench")))
    assert everything <= extras["all"]
    assert not extras["bench"] & extras["all"]   # the benchmark peers stay out of all
    assert requirement_names(PROJECT["dependencies"]) == {"gast", "astor", "numpy"}


def test_py_typed_is_package_data():
    assert (ROOT / "srcad" / "py.typed").is_file()
    assert "py.typed" in PYPROJECT["tool"]["setuptools"]["package-data"]["srcad"]


# ---- type hints and docstrings of the public API ---------------------------------------------
@pytest.mark.parametrize("name", PUBLIC_FUNCTIONS)
def test_public_function_is_typed(name):
    fn = getattr(srcad, name)
    hints = typing.get_type_hints(fn)       # they resolve, too
    parameters = inspect.signature(fn).parameters
    assert set(parameters) <= set(hints), f"srcad.{name}: no hint for " \
        f"{sorted(set(parameters) - set(hints))}"
    assert "return" in hints, f"srcad.{name} has no return type"


def test_transforms_show_their_own_signature_in_help():
    for name in ("grad", "value_and_grad", "vjp", "jvp"):
        fn = getattr(srcad, name)
        assert fn.__name__ == name
        assert list(inspect.signature(fn).parameters) == ["fn", "wrt", "argnums", "argnum",
                                                          "has_aux"]
        assert fn.__doc__.startswith(("Gradient", "``(f(*args)", "Vector-Jacobian", "Forward"))


@pytest.fixture
def rules_restored():
    """Doctests register rules for functions of their own: taken out again afterwards."""
    registry = {key: list(entries) for key, entries in rules.REGISTRY.items()}
    nondiff = set(rules.NONDIFF)
    yield
    rules.REGISTRY.clear()
    rules.REGISTRY.update(registry)
    rules.NONDIFF.clear()
    rules.NONDIFF.update(nondiff)
    rules.CHANGES[0] += 1


@pytest.mark.parametrize("name", PUBLIC_FUNCTIONS)
def test_public_function_has_a_docstring_with_a_runnable_example(name, rules_restored):
    fn = getattr(srcad, name)
    assert fn.__doc__ and ">>> " in fn.__doc__, f"srcad.{name} has no example in its docstring"
    tests = doctest.DocTestFinder(recurse=False).find(fn, f"srcad.{name}", globs={})
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    report = []
    for test in tests:
        runner.run(test, out=report.append)
    assert runner.failures == 0, "".join(report)
    assert runner.tries > 0


def test_errors_say_what_they_are():
    for cls in (srcad.SrcadError, srcad.UsageError):
        assert cls.__doc__
