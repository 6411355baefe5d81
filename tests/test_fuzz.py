"""Differential fuzzing: random programs from ``tests/fuzz/generator.py``, differentiated by
srcad and checked against central finite differences and against each other.

For every program ``f(x, y, v, m, n)`` (x, y floats, v shape (3,), m shape (2, 3), n an int):

* ``srcad.grad(f, wrt=(0, 1, 2, 3))`` against central differences (``oracle.numeric_grad``),
  with the gradient's type and shape those of its argument;
* ``srcad.jvp(f, wrt=(0, 1, 2, 3))`` along a random direction: its value is ``f``'s, its
  tangent the central difference along the direction (``oracle.numeric_jvp``), and equal to
  ``sum <grad_i, d_i>`` up to rounding (|difference| <= 1e-9 (1 + sum |grad_i d_i|));
* for every third program, and every one that changes an array in place, without a
  first-order-only construct (an ``ord`` of
  ``np.linalg.norm`` that srcad differentiates once; see ``fuzz/generator.py``; element stores
  ``u[i] = e`` and in-place updates are checked too): ``srcad.hessian``
  with respect to ``x`` or ``v`` against central differences of ``srcad.grad`` and against
  ``srcad.hvp``.

Tolerances are ``oracle``'s (RTOL=1e-5, ATOL=1e-6, float64), never loosened per program.

**Kink rule** (when finite differences are not a valid oracle, the program is skipped, and the
skip is counted): each program has a *traced twin* that records every branch test, every loop's
trip count and the argument of every non-smooth primitive (abs/fabs, max/min/maximum/minimum/
fmax/fmin, clip, mod/fmod, copysign/heaviside, np.max/np.min and the like, sort, np.where's
condition, norms, std, hypot/arctan2). A program is skipped when

1. its value at the base point is not finite, or
2. the base point lies exactly on a kink (a norm or std at zero, hypot/arctan2 at (0, 0)), or
3. the trace at any point a central difference evaluates differs from the trace at the base
   point: the difference straddles a branch switch or a kink.

Fewer than ``MAX_SKIPPED`` of the programs may be skipped, so the fuzzer cannot pass by
skipping everything; the last test checks that and prints the counts.

The default run checks 300 programs from seed 0 (about a minute on one core). Run more::

    PYTHONPATH=. python -m pytest tests/test_fuzz.py -p no:cacheprovider -q --fuzz 2000
    PYTHONPATH=. python -m pytest tests/test_fuzz.py --fuzz 500 --fuzz-seed 7
    SRCAD_FUZZ=2000 SRCAD_FUZZ_SEED=7 PYTHONPATH=. python -m pytest tests/test_fuzz.py

One program again: ``tests/test_fuzz.py::test_program[s0-123]`` (seed 0, index 123); a failure
prints the program. Bugs the fuzzer found are in ``tests/test_fuzz_regressions.py``.
"""
import importlib.util
import os
from collections import Counter

import numpy as np
import pytest

import srcad
from fuzz.generator import generate
from fuzz.primitives import OPS, Variant, exercised_keys
from oracle import assert_close, assert_matches_arg, fresh, numeric_grad, numeric_jvp
from srcad import rules, runtime

DEFAULT_COUNT = 300
MAX_SKIPPED = 0.2
WRT = (0, 1, 2, 3)
STATS = Counter()
FEATURES = Counter()


def settings(config):
    count = config.getoption("--fuzz")
    seed = config.getoption("--fuzz-seed")
    if count is None:
        count = int(os.environ.get("SRCAD_FUZZ", DEFAULT_COUNT))
    if seed is None:
        seed = int(os.environ.get("SRCAD_FUZZ_SEED", 0))
    return count, seed


def pytest_generate_tests(metafunc):
    if "fuzz_case" in metafunc.fixturenames:
        count, seed = settings(metafunc.config)
        metafunc.parametrize("fuzz_case", [(seed, i) for i in range(count)],
                             ids=[f"s{seed}-{i}" for i in range(count)])


def load(program, directory, tag):
    """Write the program to a file and import it (srcad reads the functions' source)."""
    path = directory / f"fuzz_{tag}.py"
    path.write_text(program.source)
    spec = importlib.util.spec_from_file_location(f"fuzz_{tag}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module, path


class Kink(Exception):
    """Finite differences are not a valid oracle here (see the kink rule)."""


class Traced:
    """The traced twin as a function of the arguments, remembering each evaluation's trace."""

    def __init__(self, module):
        self.module, self.traces = module, []

    def __call__(self, *args):
        del self.module.TRACE[:]
        value = self.module.f_traced(*args)
        self.traces.append(list(self.module.TRACE))
        return value

    def check_same(self, base):
        """Kink rule 3: every evaluation since the base point took the base point's path."""
        if any(t != base for t in self.traces):
            raise Kink("a finite difference straddles a branch switch or a kink")
        self.traces.clear()


def base_point(module, args):
    """f's value and trace at the base point; Kink by rules 1 and 2."""
    twin = Traced(module)
    value = twin(*fresh(args))
    plain = module.f(*fresh(args))
    assert np.array_equal(np.asarray(plain), np.asarray(value), equal_nan=True), \
        f"the traced twin computes {value!r}, f computes {plain!r}"
    trace = twin.traces[0]
    if not np.all(np.isfinite(value)):
        raise Kink("the value is not finite")
    if ("away", False) in trace:
        raise Kink("the base point is on a kink")
    return value, trace


def check_grad_and_jvp(module, args, seed):
    f = module.f
    value, base = base_point(module, args)
    grads = srcad.grad(f, wrt=WRT)(*fresh(args))
    rng = np.random.default_rng(seed)
    dirs = [float(rng.standard_normal()), float(rng.standard_normal()),
            rng.standard_normal(3), rng.standard_normal((2, 3))]
    kept = fresh(dirs)
    jvalue, tangent = srcad.jvp(f, wrt=WRT)(*fresh(args), *dirs)
    assert all(np.array_equal(d, k) for d, k in zip(dirs, kept)), "jvp changed its tangents"

    twin = Traced(module)
    want = [numeric_grad(twin, fresh(args), i) for i in WRT]
    want_tangent = numeric_jvp(twin, fresh(args), list(WRT), dirs)
    twin.check_same(base)

    names = ["x", "y", "v", "m"]
    for i, g, w in zip(WRT, grads, want):
        assert_matches_arg(g, args[i], what=f"df/d{names[i]}")
        assert_close(g, w, what=f"grad: df/d{names[i]} vs finite differences")
    assert_close(jvalue, value, 1e-12, 1e-12, what="jvp value vs f")
    assert np.shape(tangent) == (), f"jvp tangent of a scalar function has shape {np.shape(tangent)}"
    assert_close(tangent, want_tangent, what="jvp tangent vs finite differences")
    terms = [np.asarray(g, dtype=float) * d for g, d in zip(grads, dirs)]
    dot = sum(float(np.sum(t)) for t in terms)
    scale = 1.0 + sum(float(np.sum(np.abs(t))) for t in terms)
    assert abs(float(tangent) - dot) <= 1e-9 * scale, \
        f"jvp tangent {float(tangent)!r} != <grad, direction> {dot!r}"
    return base


def check_hessian(module, args, wrt, base, seed):
    """srcad.hessian vs central differences of srcad.grad, and vs srcad.hvp."""
    f, x = module.f, args[wrt]
    hess = srcad.hessian(f, wrt=wrt)(*fresh(args))
    g = srcad.grad(f, wrt=wrt)
    twin = Traced(module)

    def traced_grad(*a):
        twin(*fresh(a))
        return g(*a)

    shape = np.shape(x)
    columns = []
    for idx in np.ndindex(*shape):
        e = np.zeros(shape)
        e[idx] = 1.0
        direction = float(e) if isinstance(x, float) else e
        columns.append(numeric_jvp(traced_grad, fresh(args), [wrt], [direction]))
    twin.check_same(base)
    want = np.stack(columns, axis=-1).reshape(shape + shape) if shape else columns[0]
    assert_close(hess, want, what=f"hessian wrt {['x', 'y', 'v', 'm'][wrt]} vs finite "
                                  f"differences of grad")
    u = float(np.random.default_rng(seed).standard_normal()) if not shape else \
        np.random.default_rng(seed).standard_normal(shape)
    hv = srcad.hvp(f, wrt=wrt)(*fresh(args), u)
    want_hv = np.tensordot(np.asarray(hess), u, axes=len(shape)) if shape else float(hess) * u
    assert_close(hv, want_hv, 1e-8, 1e-8, what="hvp vs hessian @ u")


IN_PLACE = {"setitem", "augassign array"}   # programs that change arrays in place: every one
# gets its Hessian checked (their first derivatives store into elements)


MAX_REFUSED = 0.01


def refused_alias(err, program):
    """The one refusal a Hessian of a program that changes arrays in place may meet
    (docs/supported.md): srcad's alias analysis cannot tell that a value its first derivative
    saves shares no memory with an array changed in place. A clear error at the user's line,
    never a number; at most MAX_REFUSED of the programs (test_skip_fraction)."""
    message = str(err)
    return bool(program.features & IN_PLACE) and "may share memory with" in message and \
        "<srcad" not in message and str(getattr(err, "filename", "")).endswith(".py")


def test_program(fuzz_case, tmp_path):
    seed, index = fuzz_case
    program = generate(f"{seed}:{index}")
    module, path = load(program, tmp_path, f"s{seed}_{index}")
    STATS["run"] += 1
    try:
        base = check_grad_and_jvp(module, program.args, index)
        if program.second_order and (index % 3 == 0 or program.features & IN_PLACE):
            try:
                check_hessian(module, program.args, 2 if index % 2 else 0, base, index)
                STATS["hessian"] += 1
            except srcad.SrcadError as err:
                if not refused_alias(err, program):
                    raise
                STATS["refused"] += 1
    except Kink as why:
        STATS["skipped"] += 1
        pytest.skip(f"kink rule: {why}")
    except Exception as exc:
        raise AssertionError(f"{type(exc).__name__}: {exc}\n\nprogram {seed}:{index} "
                             f"(f{program.args!r}):\n{program.plain}") from exc
    STATS["checked"] += 1
    FEATURES.update(program.features)


# ---- the registry: every rule the fuzzer should exercise, or why not --------------------------
EXCLUDED = {
    # start and stop of np.linspace carry a derivative srcad declares missing: differentiating
    # through them is an error by design (docs/supported.md), so a program cannot vary them
    Variant(np.linspace, 2): "start/stop: no derivative, an error by design",
    # a dict's method: the fuzzer's values are floats and arrays (tests/test_pytrees.py)
    Variant(("method", "get"), 2): "a dict method: tests/test_pytrees.py checks it",
}


def registry():
    """(key, number of required parameters) of srcad's own rules, its runtime helpers left
    out: they are what generated code calls, exercised here by every Hessian (second order)."""
    out = set()
    for rule in rules.BUILTIN_RULES:
        if getattr(rule.key, "__module__", None) == runtime.__name__:
            continue
        out.add(Variant(rule.key, sum(1 for _, d in rule.params if d is rules.REQUIRED)))
    return out


def covers(spec, variant):
    if isinstance(spec, Variant):
        return spec == variant
    return spec is variant.key or spec == variant.key


def test_every_rule_is_exercised():
    """A rule added to srcad's table is reported here until the generator calls it (add it to
    ``fuzz/primitives.py``) or ``EXCLUDED`` says why it does not fit."""
    specs = exercised_keys()
    missing = [v for v in registry() if v not in EXCLUDED and not any(covers(s, v) for s in specs)]
    assert not missing, "rules the fuzzer does not exercise: " + ", ".join(
        f"{getattr(v.key, '__name__', v.key)}/{v.nreq}" for v in missing)
    stale = [v for v in EXCLUDED if v not in registry()]
    assert not stale, f"excluded rules that are no longer registered: {stale}"


def test_skip_fraction(capsys):
    """Runs after the programs: at most MAX_SKIPPED of them skipped by the kink rule, and every
    primitive of the table used by some checked program. Prints the counts."""
    run, skipped = STATS["run"], STATS["skipped"]
    if run < 100:
        pytest.skip(f"only {run} programs ran here: the fraction needs a full run")
    line = (f"fuzz: {run} programs, {STATS['checked']} checked ({STATS['hessian']} with a "
            f"Hessian, {STATS['refused']} refused), {skipped} skipped by the kink rule "
            f"({skipped / run:.1%})")
    with capsys.disabled():
        print("\n" + line)
    assert skipped <= MAX_SKIPPED * run, line
    refused = STATS["refused"]
    assert refused <= MAX_REFUSED * run, f"{line}; {refused} Hessians refused (alias analysis)"
    if run >= 300:
        unused = [op.name for op in OPS if op.name not in FEATURES]
        assert not unused, f"primitives no checked program used: {unused}"
