"""``srcad.source(df, standalone=True)``: every golden function and every example, written as a
module and run in a fresh Python process where srcad cannot be used, gives the gradient srcad
computes in-process.

The fresh process gets a stand-in ``srcad`` in ``sys.modules`` whose every attribute raises,
and an import hook that refuses ``srcad.*``: the examples' own ``import srcad`` line (they are
the user's modules the standalone modules import) still runs, but any use of srcad from a
standalone module fails. All modules run in one process, so the test takes a second or two.
"""
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
    assert "# ---- srcad runtime helpers (copied from srcad/runtime.py) ----" in text
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
