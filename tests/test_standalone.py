"""``srcad.source(df, standalone=True)``: every golden function and every example, written as a
module and run in a fresh Python process where srcad cannot be used, gives the gradient srcad
computes in-process.

The fresh process gets a stand-in ``srcad`` in ``sys.modules`` whose every attribute raises,
and an import hook that refuses ``srcad.*``: the examples' own ``import srcad`` line (they are
the user's modules the standalone modules import) still runs, but any use of srcad from a
standalone module fails. All modules run in one process, so the test takes a second or two.
"""
import importlib
import importlib.util
import json
import os
import pathlib
import pickle
import re
import subprocess
import sys

import numpy as np
import pytest

import srcad
from srcad.api import bound_function

import standalone_programs as programs
from golden.functions import ARRAY_CASES, CASES, SECOND_ORDER
from golden.real_shapes import CASES as REAL_CASES

ROOT = pathlib.Path(__file__).parent.parent
TESTS = pathlib.Path(__file__).parent
EXAMPLES = ROOT / "examples"

RUNNER = r'''
import importlib.abc, importlib.util, json, pickle, sys, traceback, types

class NoSrcad(types.ModuleType):
    def __getattr__(self, name):
        raise ImportError(f"srcad.{name} used: a standalone module must not need srcad")

class RefuseSrcad(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name == "srcad" or name.startswith("srcad."):
            raise ImportError(f"{name} imported: a standalone module must not need srcad")

sys.modules["srcad"] = NoSrcad("srcad")
sys.meta_path.insert(0, RefuseSrcad())

def leaves(x):
    if isinstance(x, dict):
        return [v for k in x for v in leaves(x[k])]
    if isinstance(x, (list, tuple)):
        return [v for e in x for v in leaves(e)]
    return [x]

cases = pickle.load(open(sys.argv[1], "rb"))
results = {}
for name, path, args, expected in cases:
    try:
        spec = importlib.util.spec_from_file_location("standalone_" + name, path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        got = leaves(getattr(module, module.__all__[0])(**args))
        import numpy as np
        ok = len(got) == len(expected) and all(
            np.shape(g) == np.shape(e) and np.allclose(g, e, rtol=1e-12, atol=0.0)
            for g, e in zip(got, expected))
        results[name] = "ok" if ok else f"different: {got!r} != {expected!r}"
    except BaseException:
        results[name] = traceback.format_exc()
leaked = sorted(n for n, m in sys.modules.items()
                if n.startswith("srcad") and not isinstance(m, NoSrcad))
print(json.dumps({"results": results, "leaked": leaked}))
'''


def leaves(x):
    if isinstance(x, dict):
        return [v for k in x for v in leaves(x[k])]
    if isinstance(x, (list, tuple)):
        return [v for e in x for v in leaves(e)]
    return [x]


def load_example(stem):
    """An example as the importable module ``stem`` (as `python -c "import stem"` next to it)."""
    if stem in sys.modules:
        return sys.modules[stem]
    spec = importlib.util.spec_from_file_location(stem, EXAMPLES / f"{stem}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[stem] = module
    spec.loader.exec_module(module)
    return module


def golden_cases():
    """name -> (derived function, the generated function's call arguments)."""
    cases = {}
    for name, (fn, wrt, args) in {**CASES, **ARRAY_CASES}.items():
        cases[name] = (srcad.grad(fn, wrt=wrt), tuple(args))
    for name, (fn, wrt, make_args) in REAL_CASES.items():
        cases["real_" + name] = (srcad.grad(fn, wrt=wrt), tuple(make_args()))
    for name, (fn, wrt, args, modes) in SECOND_ORDER.items():
        if modes == "grad-grad":
            cases[name] = (srcad.grad(srcad.grad(fn, wrt=wrt), wrt=wrt), tuple(args))
        else:
            cases[name] = (srcad.jvp(srcad.grad(fn, wrt=wrt), wrt=wrt), tuple(args) + (1.0,))
    x = np.array([0.3, -0.8, 1.1])
    cases.update({
        "nested_function": (srcad.value_and_grad(programs.uses_a_nested_function), (x,)),
        "closure": (srcad.grad(programs.closure_over(3.0)), (x,)),
        "default_from_a_global": (srcad.grad(programs.default_from_a_global), (x,)),
        "constants": (srcad.grad(programs.reads_constants), (x,)),
        "users_unreduce": (srcad.grad(programs.calls_its_own_unreduce), (x,)),
    })
    return cases


def example_cases():
    rng = np.random.default_rng(5)
    quickstart, mlp, projectile = (load_example(s) for s in ("quickstart", "mlp", "projectile"))
    newton, heat = load_example("newton"), load_example("heat_inverse")
    X, Y = mlp.make_data(rng, n=20)
    params = [0.5 * rng.normal(size=(2, 16)), np.zeros(16), 0.5 * rng.normal(size=(16, 3)),
              np.zeros(3)]
    v = np.array([1.2, 0.7, -0.4])
    u0 = rng.standard_normal((heat.N, heat.N))
    measured = heat.simulate(heat.true_initial_field(), heat.R, heat.N_STEPS)
    return {
        "quickstart": (srcad.grad(quickstart.f), (2.0,)),
        "mlp": (srcad.value_and_grad(mlp.loss, wrt=(0, 1, 2, 3)), (*params, X, Y)),
        "projectile": (srcad.grad(projectile.distance, wrt=(0, 2)), (0.5, 20.0, 0.02)),
        "newton_gradient": (srcad.grad(newton.rosenbrock), (v,)),
        "newton_jacobian": (srcad.jacobian(newton.residual), (v, np.array([0.3, -1.0, 2.0]))),
        "newton_hessian": (srcad.hessian(newton.rosenbrock), (v, np.array([0.0, 1.0, 0.0]))),
        "heat_inverse": (srcad.value_and_grad(heat.loss),
                         (u0, measured, heat.R, heat.N_STEPS, heat.LAM)),
    }


def generated_call(d, call_args):
    """The generated function's arguments by name, for the call ``d(*call_args)``."""
    arguments = d.bind_call(call_args, {})
    names = d.generated_names(d.last)
    return {names[k]: v for k, v in arguments.items() if k in names}


def sweep(derived):
    return getattr(derived, "sweeps_with", derived)


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    """Write every case's standalone module, run them all in one fresh process: name ->
    "ok" or what went wrong; and each case's module text."""
    out = tmp_path_factory.mktemp("standalone")
    cases, texts = [], {}
    for name, (derived, call_args) in {**golden_cases(), **example_cases()}.items():
        d = sweep(derived)
        d(*call_args)                           # specialised to these arguments
        text = srcad.source(d, standalone=True)
        texts[name] = text
        path = out / f"d_{name}.py"
        path.write_text(text)
        call = generated_call(d, call_args)
        expected = leaves(bound_function(d, d.last)(**call))    # srcad's, in-process
        cases.append((name, str(path), call, expected))
    with open(out / "cases.pickle", "wb") as f:
        pickle.dump(cases, f)
    (out / "runner.py").write_text(RUNNER)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(TESTS), str(EXAMPLES)]))
    done = subprocess.run([sys.executable, str(out / "runner.py"), str(out / "cases.pickle")],
                          capture_output=True, text=True, cwd=out, env=env, timeout=300)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout.splitlines()[-1])
    return report, texts


ALL = sorted([*CASES, *ARRAY_CASES, *("real_" + n for n in REAL_CASES), *SECOND_ORDER,
              "nested_function", "closure", "default_from_a_global", "constants",
              "users_unreduce",
              "quickstart", "mlp", "projectile", "newton_gradient", "newton_jacobian",
              "newton_hessian", "heat_inverse"])


@pytest.mark.parametrize("name", ALL)
def test_standalone_module_gives_srcads_gradient_without_srcad(run, name):
    report, texts = run
    assert report["results"][name] == "ok", texts[name] + "\n" + report["results"][name]


def test_no_srcad_module_was_loaded(run):
    report, texts = run
    assert report["leaked"] == []
    for name, text in texts.items():
        assert not re.search(r"^\s*(import srcad|from srcad)", text, re.MULTILINE), name


def test_module_starts_with_its_imports_under_the_users_names(run):
    _, texts = run
    text = texts["real_rose"]
    head = text[:text.index("\ndef ")]
    assert "import numpy as np\n" in head
    assert "from golden.real_shapes import polar\n" in head      # the helper the code calls
    assert "__all__ = ['drose_dx_dy']" in head
    assert texts["projectile"].count("from projectile import ") == 1
    assert "GRAVITY" in texts["projectile"] or "accel" in texts["projectile"]


def test_runtime_helpers_are_copied_with_what_they_call(run):
    _, texts = run
    text = texts["real_inplace"]
    assert "# ---- srcad runtime helpers (copied from srcad) ----" in text
    for name in ("def unreduce(", "def zeros_like(", "class _Shape(tuple):"):
        assert text.count(name) == 1, name
    assert "def unbroadcast(" not in text      # only what it calls


def test_source_of_derived_helpers_is_in_the_module(run):
    _, texts = run
    text = texts["helper_call"]
    assert text.index("def dscaled_square_da_db(") < text.index("def dhelper_call_dx_dy(")


def test_module_of_a_function_that_reads_nothing_imports_nothing(run):
    _, texts = run
    text = texts["for_with_if"]
    assert "import" not in text.split('"""')[2].split("def ")[0]


# ---- what a module cannot hold, and the CLI -------------------------------------------------------
def notebook_function(source, **names):
    """A function defined as a notebook cell defines it: source in linecache, no file."""
    import linecache
    filename = f"<cell-{abs(hash(source))}>"
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    namespace = {"np": np, "__name__": "__main__", **names}
    exec(compile(source, filename, "exec"), namespace)
    return namespace["f"]


def test_function_without_a_file_gets_its_literal_constants_written_in():
    f = notebook_function("def f(x):\n    return np.sum(np.sin(x)) * C\n", C=2.5)
    df = srcad.grad(f)
    x = np.array([0.1, 0.2])
    text = srcad.source(df, x, standalone=True)
    assert "C = 2.5\n" in text and "import numpy as np\n" in text
    namespace = {}
    exec(text, namespace)
    assert np.allclose(namespace["dfdx"](x), df(x), rtol=1e-14)


def test_a_value_no_module_can_hold_is_refused_with_its_name():
    f = notebook_function("def f(x):\n    return np.sum(np.sin(x) * W)\n", W=np.ones(2))
    with pytest.raises(srcad.UsageError) as info:
        srcad.source(srcad.grad(f), np.ones(2), standalone=True)
    message = str(info.value)
    assert "reads a global 'W' (a ndarray)" in message
    assert "define it at module level in an importable module" in message


def test_a_closure_over_an_array_is_refused_with_its_name():
    f = programs.closure_over(np.ones(3))
    with pytest.raises(srcad.UsageError, match="reads a closure variable 'scale' "):
        srcad.source(srcad.grad(f), np.ones(3), standalone=True)


def test_general_version_says_so_in_the_docstring():
    text = srcad.source(srcad.grad(CASES["straight_line"][0], wrt=(0, 1)), standalone=True)
    assert text.startswith('"""dstraight_line_dx_dy: a derivative srcad generated from '
                           'functions.py:')
    assert "general version" in text.split('"""')[1]
    namespace = {}
    exec(text, namespace)
    assert namespace["dstraight_line_dx_dy"](0.7, 1.3) == pytest.approx(
        srcad.grad(CASES["straight_line"][0], wrt=(0, 1))(0.7, 1.3), rel=1e-14)


def test_cli_writes_a_module_that_finds_the_users_module_from_elsewhere(tmp_path):
    """``srcad model.py:f --standalone -o out/df.py``: df.py imports model through a sys.path
    line relative to its own directory, so it runs from anywhere, without srcad."""
    (tmp_path / "src").mkdir()
    (tmp_path / "out").mkdir()
    (tmp_path / "src" / "model.py").write_text(
        "import numpy as onp\n\nSCALE = 2.0\n\n\ndef layer(x):\n    return onp.tanh(x) * SCALE\n"
        "\n\ndef loss(x):\n    h = layer(x)\n    return onp.sum(h * h)\n")
    target = tmp_path / "out" / "dloss.py"
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    done = subprocess.run([sys.executable, "-m", "srcad", str(tmp_path / "src" / "model.py")
                           + ":loss", "--args", "np.ones(3)", "--standalone", "-o", str(target)],
                          capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""
    text = target.read_text()
    assert "sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), " \
           "'../src'))\nfrom model import layer, SCALE\n" in text
    assert "import numpy as onp\n" in text
    check = ("import sys, runpy\nsys.modules['srcad'] = None\n"     # import srcad fails
             "ns = runpy.run_path(sys.argv[1])\nimport numpy as np\n"
             "print(repr(ns['dloss_dx'](np.ones(3)).tolist()))\n")
    ran = subprocess.run([sys.executable, "-c", check, str(target)], capture_output=True,
                         text=True, cwd=tmp_path, env={k: v for k, v in os.environ.items()
                                                      if k != "PYTHONPATH"}, timeout=120)
    assert ran.returncode == 0, ran.stderr
    sys.path.insert(0, str(tmp_path / "src"))
    try:
        model = importlib.import_module("model")
        want = srcad.grad(model.loss)(np.ones(3))
    finally:
        sys.path.remove(str(tmp_path / "src"))
        sys.modules.pop("model", None)
    assert np.allclose(eval(ran.stdout), want, rtol=1e-14)


def test_cli_output_that_cannot_be_written_is_a_usage_error(tmp_path):
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    done = subprocess.run([sys.executable, "-m", "srcad", str(TESTS / "golden" / "functions.py")
                           + ":if_else", "--standalone", "-o", str(tmp_path / "no" / "d.py")],
                          capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 2
    assert "cannot write it" in done.stderr and "Traceback" not in done.stderr


@pytest.mark.slow
def test_every_program_of_the_corpus_as_a_module():
    """Each program of tests/programs.py, its gradient and its jvp, as a standalone module
    run in this process (srcad's own names are not in its namespace): the same result as the
    function srcad compiled. Only a closure over an array is refused (no module holds it)."""
    import copy
    import programs as corpus
    failures = []
    for case in corpus.CASES:
        for d, extra in ((srcad.grad(case.fn), ()), (srcad.jvp(case.fn), ("tangent",))):
            args = copy.deepcopy(case.args)
            if extra:
                if not isinstance(args[0], (float, np.ndarray)):
                    continue
                args += (np.ones_like(args[0]) if isinstance(args[0], np.ndarray) else 1.0,)
            try:
                d(*copy.deepcopy(args))
            except Exception:       # programs srcad refuses, or arguments a jvp does not take
                continue
            call = generated_call(d, copy.deepcopy(args))
            want = leaves(bound_function(d, d.last)(**copy.deepcopy(call)))
            try:
                text = srcad.source(d, standalone=True)
            except srcad.UsageError as err:
                if "closure variable" not in str(err):
                    failures.append((case.id, d.mode, str(err)))
                continue
            namespace = {"__name__": "standalone"}
            exec(compile(text, f"<standalone {case.id}>", "exec"), namespace)
            got = leaves(namespace[namespace["__all__"][0]](**copy.deepcopy(call)))
            if len(got) != len(want) or not all(
                    np.shape(g) == np.shape(w) and np.allclose(g, w, rtol=1e-12, equal_nan=True)
                    for g, w in zip(got, want)):
                failures.append((case.id, d.mode, "a different result"))
            assert not re.search(r"^\s*(import|from) srcad", text, re.MULTILINE), case.id
    assert failures == []


def test_runtime_helpers_that_raise_srcads_errors_get_local_ones():
    """``require_view`` and ``loop_keys`` import srcad.errors lazily; copied, they raise the
    module's own SrcadError (a located message, as srcad's)."""
    from srcad import runtime
    from srcad.standalone import Module, _runtime_source
    module = Module()
    for name in ("require_view", "loop_keys"):
        module.names[name] = getattr(runtime, name)
        module.runtime[name] = {name}
    text = _runtime_source(module)
    assert "from .errors" not in text and "class SrcadError(Exception):" in text
    namespace = {}
    exec("\n".join(module.imports) + "\n" + text, namespace)
    with pytest.raises(namespace["SrcadError"], match=r"^model\.py:7: cannot differentiate "
                                                      r"this loop over a set"):
        namespace["loop_keys"]({1.5, 2.5}, "model.py:7")
    with pytest.raises(namespace["SrcadError"], match=r"^model\.py:3: cannot differentiate this "
                                                      r"change in place"):
        namespace["require_view"](np.ones(2), np.ones(2), "model.py:3")
