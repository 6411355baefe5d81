"""Every NumPy rule (reductions, shapes, products, linalg, selection, methods) against central
finite differences, in reverse mode (the gradient of ``np.sum(expr * W)`` for a fixed random
``W``: a non-trivial cotangent) and forward mode (a random tangent of ``expr``), and a check
that every rule in the registry is exercised by some sample program."""
import ast
import zlib

import numpy as np
import pytest

import srcad
from srcad import rules, runtime

from .fd import assert_close, load, numeric_grad, numeric_jvp
from .samples import SAMPLES, SCIPY


def module_text(args, body):
    *stmts, expr = body.split("; ")
    params = ", ".join(args)
    lines = "".join(f"    {s}\n" for s in stmts)
    scipy = "import scipy.special\nimport scipy.stats\n" if "scipy." in body else ""  # optional
    return (f"import math\n\nimport numpy as np\n{scipy}\n\n"
            f"def value({params}):\n{lines}    return {expr}\n\n\n"
            f"def weighted({params}, W):\n{lines}    return np.sum({expr} * W)\n")


def build(sample, tmp_path, text=None):
    """The sample's module, its arguments, a weight array shaped like its value, and an rng."""
    name, gens, body = sample
    rng = np.random.default_rng(zlib.crc32(name.encode()))
    args = [gen(rng) for gen in gens.values()]
    module = load(text or module_text(gens, body), tmp_path, name)
    out = module.value(*args)
    W = rng.normal(size=np.shape(out)) if np.ndim(out) else float(rng.normal())
    return module, args, W, rng


@pytest.mark.parametrize("sample", SAMPLES, ids=[s[0] for s in SAMPLES])
def test_reverse(sample, tmp_path):
    module, args, W, _ = build(sample, tmp_path)
    for i in range(len(args)):
        got = srcad.grad(module.weighted, wrt=i)(*args, W)
        want = numeric_grad(module.weighted, args + [W], i)
        assert_close(got, want, f"d/d{list(sample[1])[i]}")


@pytest.mark.parametrize("sample", SAMPLES, ids=[s[0] for s in SAMPLES])
def test_forward(sample, tmp_path):
    module, args, _, rng = build(sample, tmp_path)
    for i in range(len(args)):
        v = rng.normal(size=np.shape(args[i])) if np.ndim(args[i]) else float(rng.normal())
        value, tangent = srcad.jvp(module.value, wrt=i)(*args, v)
        assert_close(value, module.value(*args), "value")
        assert_close(tangent, numeric_jvp(module.value, args, i, v), f"tangent along {i}")


def test_nan_entries_carry_no_derivative(tmp_path):
    x = np.array([[0.5, np.nan, 1.5], [np.nan, -2.0, 0.25]])
    W = np.array([0.3, -1.1, 0.7])
    module = load("import numpy as np\n\n\ndef f(x, W):\n"
                  "    return np.sum((np.nansum(x, axis=0) + np.nanmean(x, axis=0)) * W)\n",
                  tmp_path, "nan")
    got = srcad.grad(module.f)(x, W)
    want = numeric_grad(module.f, [x, W], 0)
    finite = ~np.isnan(x)
    assert_close(got[finite], want[finite], "finite entries")
    assert np.all(got[~finite] == 0.0)
    v = np.where(finite, 1.0, 0.0)
    _, tangent = srcad.jvp(module.f)(x, W, v)
    assert_close(tangent, np.sum(want[finite]), "tangent")


# ---- coverage -------------------------------------------------------------------------------
def keys_used(body, namespace):
    """Rule keys the sample's source calls: functions by their dotted names, methods and
    attributes by name, operators by their AST node."""
    keys = set()
    for stmt in body.split("; "):
        for node in ast.walk(ast.parse(stmt)):
            if isinstance(node, ast.BinOp) and isinstance(node.op, ast.MatMult):
                keys.add(__import__("operator").matmul)
            if isinstance(node, ast.Call):
                func = node.func
                try:
                    keys.add(eval(compile(ast.Expression(func), "<key>", "eval"), namespace))
                except Exception:
                    if isinstance(func, ast.Attribute):
                        keys.add(("method", func.attr))
            if isinstance(node, ast.Attribute) and node.attr == "T":
                keys.add(("attr", "T"))
    return keys


def rule_keys():
    """Every non-element-wise key (and the element-wise methods), except runtime helpers and
    rules that only declare a derivative missing (those are in test_unsupported)."""
    found = set()
    for r in rules.BUILTIN_RULES:
        if getattr(r.key, "__module__", None) == runtime.__name__ or r.forward is None:
            continue
        if not r.elementwise or isinstance(r.key, tuple):
            found.add(r.key)
    return found


def describe(key):
    return key if isinstance(key, tuple) else getattr(key, "__qualname__", repr(key))


def test_every_rule_has_a_sample():
    namespace = {"np": np, "math": __import__("math"), "sum": sum, "max": max, "min": min,
                 "tuple": tuple, "list": list, "scipy": SCIPY}
    used = set()
    for _, _, body in SAMPLES:
        used |= {k for k in keys_used(body, namespace) if rules.has_rule(k)}
    missing = [describe(k) for k in rule_keys() if k not in used]
    assert not missing, f"rules without a sample program: {missing}"
