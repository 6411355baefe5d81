"""Every element-wise rule in the registry against central finite differences, in reverse and
forward mode, on Python floats and (for NumPy functions and operators) on float64 arrays.

Each rule is called the way user code calls it, from a generated module (srcad reads source),
at its sample inputs (or a default sample away from every domain edge)."""
import math
import operator

import numpy as np
import pytest

import srcad
from srcad import rules

from .fd import assert_close, load, numeric_grad, numeric_jvp

DEFAULT = [0.3, 0.7, 1.9]
OPERATORS = {operator.add: "x1 + x2", operator.sub: "x1 - x2", operator.mul: "x1 * x2",
             operator.truediv: "x1 / x2", operator.pow: "x1 ** x2", operator.mod: "x1 % x2",
             operator.neg: "-x", operator.pos: "+x"}
ELEMENTWISE = [r for r in rules.BUILTIN_RULES if r.elementwise and not isinstance(r.key, tuple)]
ON_ARRAYS = [r for r in ELEMENTWISE
             if isinstance(r.key, np.ufunc) or r.key in OPERATORS or r.key in (np.clip, abs)]


def label(rule):
    key = rule.key
    name = getattr(key, "__name__", str(key))
    module = "np" if isinstance(key, np.ufunc) or getattr(key, "__module__", "") == "numpy" else \
        getattr(key, "__module__", "") or "builtins"
    return f"{module}.{name}/{len(rule.params)}"


def used(rule):
    """Indices of the parameters a call passes (a sample of None leaves a keyword out)."""
    return [i for i in range(len(rule.params)) if not rule.samples or rule.samples[i] is not None]


def call_text(rule):
    """Required parameters by position, defaulted ones by keyword (``np.clip(a, min=...)``)."""
    if rule.key in OPERATORS:
        return OPERATORS[rule.key]
    args = [p if d is rules.REQUIRED else f"{p}={p}"
            for p, d in (rule.params[i] for i in used(rule))]
    return f"RULE({', '.join(args)})"


def module_for(rule, tmp_path, weighted=False):
    params = [rule.params[i][0] for i in used(rule)]
    body = f"np.sum({call_text(rule)} * W)" if weighted else call_text(rule)
    extra = ", W" if weighted else ""
    text = f"import numpy as np\n\n\ndef f({', '.join(params)}{extra}):\n    return {body}\n"
    module = load(text, tmp_path, "rule_module")
    module.RULE = rule.key
    return module.f


def grid(rule):
    """Sample columns of equal length (each parameter's samples repeated cyclically)."""
    found = [list(s) for s in (rule.samples or [DEFAULT] * len(rule.params)) if s is not None]
    n = max(len(g) for g in found)
    return [[g[k % len(g)] for k in range(n)] for g in found]


def diff_params(rule):
    """Positions (in the generated function) of the parameters with a partial."""
    return tuple(k for k, i in enumerate(used(rule)) if rule.partials[i] is not None)


@pytest.mark.parametrize("rule", ELEMENTWISE, ids=[label(r) for r in ELEMENTWISE])
def test_reverse_on_floats(rule, tmp_path):
    f = module_for(rule, tmp_path)
    wrt = diff_params(rule)
    df = srcad.grad(f, wrt=wrt)
    for point in zip(*grid(rule)):
        args = [float(v) for v in point]
        for i, g in zip(wrt, df(*args)):
            assert g == pytest.approx(numeric_grad(f, args, i), rel=1e-6, abs=1e-8), (args, i)


@pytest.mark.parametrize("rule", ELEMENTWISE, ids=[label(r) for r in ELEMENTWISE])
def test_forward_on_floats(rule, tmp_path):
    f = module_for(rule, tmp_path)
    for i in diff_params(rule):
        jf = srcad.jvp(f, wrt=i)
        for point in zip(*grid(rule)):
            args = [float(v) for v in point]
            value, tangent = jf(*args, 1.0)
            assert value == pytest.approx(f(*args))
            assert tangent == pytest.approx(numeric_grad(f, args, i), rel=1e-6, abs=1e-8), \
                (args, i)


@pytest.mark.parametrize("rule", ON_ARRAYS, ids=[label(r) for r in ON_ARRAYS])
def test_both_modes_on_arrays(rule, tmp_path):
    f = module_for(rule, tmp_path, weighted=True)
    rng = np.random.default_rng(0)
    args = [np.array(col, dtype=float) for col in grid(rule)]
    W = rng.normal(size=args[0].shape)
    for i in diff_params(rule):
        got = srcad.grad(f, wrt=i)(*args, W)
        assert_close(got, numeric_grad(f, args + [W], i), f"reverse d/dx{i}")
        v = rng.normal(size=args[i].shape)
        _, tangent = srcad.jvp(f, wrt=i)(*args, W, v)
        assert_close(tangent, numeric_jvp(f, args + [W], i, v), f"forward d/dx{i}")


def test_every_elementwise_rule_is_listed():
    assert len(ELEMENTWISE) >= 90
    names = {getattr(r.key, "__name__", None) for r in ELEMENTWISE}
    for ufunc in ("arcsinh", "arccosh", "arctanh", "exp2", "log2", "log10", "cbrt", "reciprocal",
                  "float_power", "fmod", "hypot", "arctan2", "logaddexp", "logaddexp2", "sinc",
                  "deg2rad", "rad2deg", "degrees", "radians", "positive", "absolute", "fabs",
                  "fmax", "fmin", "divide", "heaviside", "copysign"):
        assert getattr(np, ufunc).__name__ in names, ufunc
    for fn in ("asin", "acos", "atan", "sinh", "cosh", "asinh", "acosh", "atanh", "log2",
               "log10", "erf", "erfc", "degrees", "radians", "copysign"):
        assert getattr(math, fn) in {r.key for r in ELEMENTWISE}, fn
