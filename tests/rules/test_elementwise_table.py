"""Every element-wise rule in the registry against central finite differences.

Each rule is called the way user code calls it, from a generated module (srcad reads source),
at its sample inputs (or a default sample away from every domain edge)."""
import importlib.util
import math
import operator

import numpy as np
import pytest

import srcad
from srcad import rules

DEFAULT = [0.3, 0.7, 1.9]
OPERATORS = {operator.add: "x1 + x2", operator.sub: "x1 - x2", operator.mul: "x1 * x2",
             operator.truediv: "x1 / x2", operator.pow: "x1 ** x2", operator.mod: "x1 % x2",
             operator.neg: "-x", operator.pos: "+x"}
ELEMENTWISE = [r for r in rules.all_rules() if r.elementwise and not isinstance(r.key, tuple)]


def label(rule):
    key = rule.key
    name = getattr(key, "__name__", str(key))
    module = "np" if isinstance(key, np.ufunc) or getattr(key, "__module__", "") == "numpy" else \
        getattr(key, "__module__", "") or "builtins"
    return f"{module}.{name}/{len(rule.params)}"


def module_for(rule, tmp_path):
    params = [p for p, _ in rule.params]
    call = OPERATORS.get(rule.key) or f"RULE({', '.join(params)})"
    text = f"def f({', '.join(params)}):\n    return {call}\n"
    path = tmp_path / "rule_module.py"
    path.write_text(text)
    spec = importlib.util.spec_from_file_location(f"rule_module_{id(rule)}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.RULE = rule.key
    return module.f


def samples(rule):
    found = rule.samples or [DEFAULT] * len(rule.params)
    return [list(s) for s in found]


def central(f, args, i, h=1e-6):
    up, down = list(args), list(args)
    up[i] += h
    down[i] -= h
    return (f(*up) - f(*down)) / (2 * h)


@pytest.mark.parametrize("rule", ELEMENTWISE, ids=[label(r) for r in ELEMENTWISE])
def test_rule_against_finite_differences(rule, tmp_path):
    f = module_for(rule, tmp_path)
    grids = samples(rule)
    wrt = tuple(i for i, p in enumerate(rule.partials) if p is not None)
    df = srcad.grad(f, wrt=wrt)
    checked = 0
    for point in zip(*[g * (len(max(grids, key=len)) // len(g) + 1) for g in grids]):
        args = [float(v) for v in point]
        grads = df(*args)
        for i, g in zip(wrt, grads):
            assert g == pytest.approx(central(f, args, i), rel=1e-6, abs=1e-8), (args, i)
            checked += 1
    assert checked


def test_every_elementwise_rule_is_listed():
    assert len(ELEMENTWISE) >= 45
