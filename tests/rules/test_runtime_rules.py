"""The rules of srcad's runtime helpers (what derivative code calls), against finite
differences in both modes, by calling each helper directly; and second derivatives of every
NumPy sample program (forward over reverse, reverse over reverse) against finite differences of
srcad's own gradient: the helpers' rules are what makes those right."""
import ast

import numpy as np
import pytest

import srcad
from srcad import rules, runtime

from .fd import assert_close, numeric_grad, numeric_jvp
from .samples import DISTINCT, SAMPLES, SCIPY, N, P
from .test_numpy_rules import build

HELPER_SAMPLES = [
    ("unbroadcast", {"g": N(3, 4), "like": N(4)}, "unbroadcast(g, like)"),
    ("broadcast_like", {"t": N(4), "like": N(3, 4)}, "broadcast_like(t, like)"),
    ("unreduce", {"g": N(3), "like": N(3, 4)}, "unreduce(g, like, 1, False)"),
    ("added_at", {"a": N(5), "g": N(2)}, "added_at(a, [1, 3], g)"),
    ("stored_at", {"a": N(5), "v": N(2)}, "stored_at(a, [1, 3], v)"),
    ("stored_at_repeated", {"a": N(5), "v": N(3)}, "stored_at(a, [1, 3, 1], v)"),
    ("stored_at_broadcast", {"a": N(3, 4), "v": N(3)}, "stored_at(a, (slice(None), 2), v)"),
    ("stored_at_mask", {"a": N(5), "v": N()}, "stored_at(a, a > 0.0, v)"),
    ("stored_at_list", {"a": N(3), "v": N(3)}, "t = stored_at([a, v], 0, v * a); t[0] * t[1]"),
    ("zeroed_at", {"g": N(3, 4)}, "zeroed_at(g, (0, slice(1, 3)))"),
    ("last_written", {"d": N(5)}, "last_written(d, [1, 3, 1])"),
    ("add_seq", {"a": N(3), "b": N(3)}, "add_seq(a, b, -1.0)"),
    ("copied", {"x": N(3, 4)}, "copied(x[:, ::2]) * copied(x.T)[:2].T"),
    ("add_seq_lists", {"a": N(3), "b": N(3)}, "t = add_seq([a, b], [b, a]); t[0] * t[1]"),
    ("concat", {"a": N(3), "b": N(3)}, "t = concat((a, b), (b,)); t[0] * t[2] + t[1]"),
    ("repeat", {"a": N(3), "b": N(3)}, "t = repeat((a, b), 2); t[0] * t[3] + t[2]"),
    ("repeat_grad", {"x": N(3), "y": N(3)}, "t = repeat_grad([x, y, y, x], [x, y]); t[0] * t[1]"),
    ("repeat_tangent", {"x": N(3), "y": N(3)},
     "t = repeat_tangent([x, y], [x, y], 2); t[0] * t[3] + t[2]"),
    ("concat_tangent", {"x": N(3), "y": N(3)},
     "t = concat_tangent([x, y], 0.0, [x, y], [y]); t[0] * t[1] + t[2]"),
    ("reduced_max_grad", {"g": N(3), "x": DISTINCT(3, 4)},
     "peak = np.max(x, axis=1); reduced_max_grad(g, x, peak, 1, False)"),
    ("prod_grad", {"g": N(3), "x": N(3, 4)}, "prod_grad(g, x, 1, False)"),
    ("prod_grad_dot", {"x": N(3, 4), "v": N(3, 4)}, "prod_grad_dot(x, v, 1)"),
    ("dot_grad_left", {"g": N(3, 2), "a": N(3, 4), "b": N(4, 2)}, "dot_grad_left(g, a, b)"),
    ("dot_grad_right", {"g": N(3, 2), "a": N(3, 4), "b": N(4, 2)}, "dot_grad_right(g, a, b)"),
    ("matmul_grad_left", {"g": N(2, 3, 5), "a": N(2, 3, 4), "b": N(4, 5)},
     "matmul_grad_left(g, a, b)"),
    ("matmul_grad_right", {"g": N(2, 3, 5), "a": N(2, 3, 4), "b": N(4, 5)},
     "matmul_grad_right(g, a, b)"),
    ("scaled", {"g": N(3), "partial": N(3)}, "scaled(g, partial)"),
    ("with_item", {"x": N(3), "y": N(3)},
     "d = with_item({'a': x, 'b': y}, 'a', y * 2.0); d['a'] * d['b'] + x"),
    ("with_item_new_key", {"x": N(3), "y": N(3)}, "d = with_item({'a': x}, 'c', y); d['a'] * d['c']"),
    ("item_dropped", {"x": N(3), "y": N(3)},
     "d = item_dropped({'a': x, 'b': y}, {'a': x, 'b': y}, 'a'); d['b'] * y + d['a']"),
    ("item_padded", {"x": N(3), "y": N(3)},
     "d = item_padded({'a': x}, {'a': x, 'b': y}, 'b'); d['a'] * y + d['b']"),
    ("item_grad", {"x": N(3), "y": N(3)}, "t = item_grad(x, {'a': y, 'b': x}, 'a'); t['a'] * x + t['b']"),
    ("default_grad", {"x": N(3), "y": N(3)},
     "default_grad(x, {'a': y}, 'a') * y + default_grad(x * y, {'a': y}, 'b')"),
    ("got_tangent", {"x": N(3), "y": N(3)},
     "t = got_tangent({'a': x}, {'a': y}, 'a', y); t * x + got_tangent({'a': x}, {'a': y}, 'b', y)"),
    ("field_grad", {"x": N(3), "y": N(3)},
     "t = field_grad(x * y, Pair(x, y), 'b'); t[0] * y + t[1] * x"),
    ("field_tangent", {"x": N(3), "y": N(3)},
     "t = field_tangent(Pair(x, y * 2.0), Pair(y, x), 'b'); t * x"),
    ("picked", {"g": N(3), "x": N(3)},
     "t = picked(g, [x, x + 1.0, x - 1.0], x + 0.0); t[0] * t[0] + 2.0 * t[1]"),
    ("xlogy", {"x": N(3), "y": P(3)}, "xlogy(x, y)"),
    ("cumsum_grad", {"g": N(3, 4), "a": N(3, 4)}, "cumsum_grad(g, a, 1)"),
    ("cumsum_grad_flat", {"g": N(12), "a": N(3, 4)}, "cumsum_grad(g, a, None)"),
    ("sorted_like", {"t": N(3, 4), "a": DISTINCT(3, 4)}, "sorted_like(t, a, -1)"),
    ("sorted_like_flat", {"t": N(3, 4), "a": DISTINCT(3, 4)}, "sorted_like(t, a, None)"),
    ("unsorted_like", {"g": N(3, 4), "a": DISTINCT(3, 4)}, "unsorted_like(g, a, 0)"),
    ("taken_back", {"g": N(3, 2), "a": N(3, 4)},
     "taken_back(g, a, np.array([[0, 0], [3, 1], [2, 2]]), 1)"),
    ("taken_back_flat", {"g": N(4), "a": N(3, 4)},
     "taken_back(g, a, np.array([5, 0, 5, 11]), None)"),
    ("diff_grad", {"g": N(3, 2)}, "diff_grad(g, 2, 1)"),
    ("select_grad", {"g": N(3, 4), "x": N(3, 4), "y": N(4)},
     "r = select_grad(g, [x > 0.5, x < -0.5], [x, y]); r[0] + r[1]"),
    ("zeros_filled", {"t": N(3), "like": N(3)}, "z = zeros_filled([t, 0.0], [like, like]); z[0] + z[1]"),
    ("unstack_like", {"g": N(2, 3), "a": N(3), "b": N(3)}, "u = unstack_like(g, [a, b]); u[0] * u[1]"),
    ("spread", {"g": N(3, 4), "a": N(4), "b": N(3, 4)}, "s = spread(g, [a, b]); s[0] + s[1]"),
    ("joined", {"p": N(3, 2), "q": N(3, 4), "a": N(3, 2), "b": N(3, 4)},
     "joined([p, q], [a, b], 1, 'concatenate')"),
    ("joined_stack", {"p": N(3), "q": N(3)}, "joined([p, q], [p, q], 0, 'stack')"),
    ("split_like", {"g": N(3, 6), "a": N(3, 2), "b": N(3, 4)},
     "s = split_like(g, [a, b], 1, 'concatenate'); s[0] * s[1][:, :2]"),
    ("split_like_vstack", {"g": N(2, 3), "a": N(3), "b": N(3)},
     "s = split_like(g, [a, b], None, 'vstack'); s[0] * s[1]"),
    ("untile", {"g": N(6, 4), "A": N(3, 2)}, "untile(g, A, (2, 2))"),
    ("unrepeat", {"g": N(6, 4), "a": N(3, 4)}, "unrepeat(g, a, [1, 2, 3], 0)"),
    ("diagonal_grad", {"g": N(3), "a": N(3, 4)}, "diagonal_grad(g, a, 1, 0, 1)"),
    ("diag_grad_vector", {"g": N(4, 4), "v": N(4)}, "diag_grad(g, v, 0)"),
    ("diag_grad_matrix", {"g": N(3), "v": N(3, 4)}, "diag_grad(g, v, 1)"),
    ("trace_grad", {"g": N(2), "a": N(2, 3, 3)}, "trace_grad(g, a, 0, 1, 2)"),
    ("cast_grad", {"g": N(3), "a": N(3)}, "cast_grad(g, a, np.float64)"),
    ("cast_grad_int", {"g": N(3), "a": N(3)}, "cast_grad(g, a, int) + g"),
    ("cast_tangent", {"t": N(3)}, "cast_tangent(t, np.float64)"),
    ("tril_half_diag", {"x": N(3, 3)}, "tril_half_diag(x)"),
    ("norm_grad", {"g": N(3), "x": N(3, 4)},
     "out = np.linalg.norm(x, 1, axis=1); norm_grad(g, x, out, 1, 1, False)"),
    ("tensordot_grad_left", {"g": N(2, 2), "a": N(2, 3, 4), "b": N(4, 3, 2)},
     "tensordot_grad_left(g, a, b, ([1, 2], [1, 0]))"),
    ("tensordot_grad_right", {"g": N(2, 2), "a": N(2, 3, 4), "b": N(4, 3, 2)},
     "tensordot_grad_right(g, a, b, ([1, 2], [1, 0]))"),
    ("kron_grad_left", {"g": N(6, 6), "a": N(2, 3), "b": N(3, 2)}, "kron_grad_left(g, a, b)"),
    ("kron_grad_right", {"g": N(6, 6), "a": N(2, 3), "b": N(3, 2)}, "kron_grad_right(g, a, b)"),
    ("einsum_grad", {"g": N(2, 3, 5), "x": N(2, 3, 4), "y": N(2, 4, 5)},
     "einsum_grad(g, '...ij,...jk->...ik', (x, y), 0)"),
    ("einsum_grad_diagonal", {"g": N(3), "x": P(3, 3)}, "einsum_grad(g, 'ii->i', (x,), 0) * x"),
    ("einsum_replaced", {"operands": N(3, 4), "x": N(3, 4)},
     "einsum_replaced('ij,ij->i', (operands, operands), 0, x)"),
    ("einsum_grad_cross", {"g": N(3), "operands": N(3, 4), "u": N(3, 4)},
     "c = einsum_grad_cross(g, 'ij,ij->i', (operands, operands), 0, u); c[1]"),
    ("einsum_grad_tangent", {"g": N(3), "operands": N(3, 4), "tangents": N(3, 4)},
     "einsum_grad_tangent(g, 'ij,ij->i', (operands, operands), 0, (0.0, tangents))"),
]

if SCIPY is not None:   # the helper of the scipy.special rules (registered with them)
    HELPER_SAMPLES.append(("polygamma", {"x": P(3)}, "polygamma(1, x) + polygamma(0, x)"))


def helper_of(sample):
    name = sample[2].split("; ")[-1].split("(")[0].strip()
    for stmt in sample[2].split("; "):
        head = stmt.split("= ")[-1].split("(")[0].strip()
        if hasattr(runtime, head) and rules.has_rule(getattr(runtime, head)):
            return getattr(runtime, head)
    return getattr(runtime, name)


def runtime_module(sample, tmp_path):
    name, gens, body = sample
    *stmts, expr = body.split("; ")
    params = ", ".join(gens)
    lines = "".join(f"    {s}\n" for s in stmts)
    helpers = sorted(n for n in dir(runtime) if not n.startswith("_") and callable(getattr(runtime, n)))
    text = (f"from collections import namedtuple\n\nimport numpy as np\n\n"
            f"from srcad.runtime import {', '.join(helpers)}\n\nPair = namedtuple('Pair', 'a b')\n\n\n"
            f"def value({params}):\n{lines}    return {expr}\n\n\n"
            f"def weighted({params}, W):\n{lines}    return np.sum({expr} * W)\n")
    return build((name, gens, body), tmp_path, text)


@pytest.mark.parametrize("sample", HELPER_SAMPLES, ids=[s[0] for s in HELPER_SAMPLES])
def test_helper_rule(sample, tmp_path):
    module, args, W, rng = runtime_module(sample, tmp_path)
    rule = rules.lookup(helper_of(sample), 0)
    for i, param in enumerate(sample[1]):
        if param in rule.missing:   # declared missing: an error in both modes, never a zero
            with pytest.raises(srcad.SrcadError, match="no rule for that derivative"):
                srcad.grad(module.weighted, wrt=i)(*args, W)
            with pytest.raises(srcad.SrcadError, match="no rule for that derivative"):
                srcad.jvp(module.value, wrt=i)(*args, args[i])
            continue
        got = srcad.grad(module.weighted, wrt=i)(*args, W)
        assert_close(got, numeric_grad(module.weighted, args + [W], i), f"reverse d/d{param}")
        v = rng.normal(size=np.shape(args[i]))
        _, tangent = srcad.jvp(module.value, wrt=i)(*args, v)
        assert_close(tangent, numeric_jvp(module.value, args, i, v), f"forward d/d{param}")


def test_every_helper_rule_has_a_sample():
    keys = {r.key for r in rules.BUILTIN_RULES if getattr(r.key, "__module__", None) == runtime.__name__}
    sampled = {helper_of(s) for s in HELPER_SAMPLES}
    missing = sorted(k.__name__ for k in keys - sampled)
    assert not missing, f"runtime helpers with a rule but no sample: {missing}"


# ---- second order over every NumPy sample ------------------------------------------------------
# Samples whose second derivative srcad declares missing (an error, checked below)
NO_SECOND = {"norm_neg_inf_vector": "norm_grad"}
SECOND_EXTRA = [
    ("logaddexp", {"x": N(3, 4), "y": N(3, 4)}, "np.logaddexp(x, y * x)"),
    ("logaddexp2", {"x": N(4), "y": N(4)}, "np.logaddexp2(x, np.sin(y))"),
    ("cumsum_chain", {"x": N(3, 4)}, "np.cumsum(np.sin(x) * x, axis=0)"),
    ("norm_chain", {"x": N(3, 4)}, "np.linalg.norm(x * x, axis=0)"),
    ("einsum_chain", {"x": N(3, 4), "y": N(4, 3)}, "np.einsum('ij,jk->ik', np.tanh(x), y * y)"),
    ("inv_chain", {"a": P(3, 3)}, "np.linalg.inv(a + 3.0 * np.eye(3)) * a"),
]
SECOND = SAMPLES + SECOND_EXTRA


def directional(g, args, positions, vs, h):
    up = g(*[a + h * vs[positions.index(i)] if i in positions else a for i, a in enumerate(args)])
    down = g(*[a - h * vs[positions.index(i)] if i in positions else a for i, a in enumerate(args)])
    return [(np.asarray(u) - np.asarray(d)) / (2 * h) for u, d in zip(up, down)]


def inner(a, b):
    return sum(float(np.sum(np.asarray(x) * np.asarray(y))) for x, y in zip(a, b))


@pytest.mark.parametrize("combo", ["forward-over-reverse", "reverse-over-reverse"])
@pytest.mark.parametrize("sample", SECOND, ids=[s[0] for s in SECOND])
def test_second_order(sample, combo, tmp_path):
    module, args, W, rng = build(sample, tmp_path)
    f, full = module.weighted, args + [W]
    positions = tuple(range(len(args)))
    vs = [rng.normal(size=np.shape(a)) if np.ndim(a) else float(rng.normal()) for a in args]
    us = [rng.normal(size=np.shape(a)) if np.ndim(a) else float(rng.normal()) for a in args]
    g = srcad.grad(f, wrt=positions)
    if sample[0] in NO_SECOND:
        with pytest.raises(srcad.SrcadError, match=NO_SECOND[sample[0]]):
            srcad.jvp(g, wrt=positions)(*full, *vs)
        return
    fd = inner(us, directional(g, full, positions, vs, 1e-5))
    if combo == "forward-over-reverse":
        _, hv = srcad.jvp(g, wrt=positions)(*full, *vs)
        got = inner(us, hv)
    else:
        hu = srcad.vjp(g, wrt=positions)(*full, tuple(us))
        got = inner(hu, vs)
    assert np.isclose(got, fd, rtol=1e-5, atol=1e-6), (got, fd)


# ---- closure: derivative code calls only functions that have rules themselves -----------------
def _templates(rule):
    """Every template text a rule can produce (computed ones at a few kinds of call sites)."""
    import gast
    from srcad.reverse import CallInfo
    from srcad.templates import Refused

    texts = [t for t in (rule.reverse, rule.forward) if isinstance(t, str)]
    names = [p.lstrip("*") for p, _ in rule.params]
    constants = [None, gast.Constant(value="ij,jk->ik", kind=None),
                 gast.Constant(value="ii->i", kind=None), gast.Constant(value=1, kind=None),
                 gast.Attribute(value=gast.Name(id="np", ctx=gast.Load(), annotation=None,
                                                type_comment=None), attr="inf", ctx=gast.Load())]
    for kind in ("array1", "array2", "unknown", "seq"):
        for const in constants:
            bound = {p: gast.Name(id=p, ctx=gast.Load(), annotation=None, type_comment=None)
                     for p in names}
            if const is not None:
                bound.update({p: const for p in ("subscripts", "ord") if p in bound})
            for mode in ("constant", "reflect"):    # np.pad's modes (a variable is refused)
                if "mode" in bound:
                    bound["mode"] = gast.Constant(value=mode, kind=None)
                call = CallInfo(bound, {p: kind for p in names})
                for t in (rule.reverse, rule.forward):
                    if callable(t):
                        try:
                            texts.append(t(call))
                        except Refused:    # a use srcad refuses (a matrix norm ord=1)
                            pass
    return texts


def _root(func):
    """``np`` for ``np.linalg.inv``, the name for a plain call; None for a method call."""
    while isinstance(func, ast.Attribute):
        func = func.value
    return func.id if isinstance(func, ast.Name) else None


def test_templates_call_only_differentiable_functions():
    import builtins
    import math

    namespace = {"np": np, "math": math, **vars(builtins),
                 **{n: getattr(runtime, n) for n in dir(runtime) if not n.startswith("_")}}
    bad = set()
    for rule in rules.BUILTIN_RULES:
        if rule.elementwise:
            texts = [p for p in rule.partials if p]
        else:
            texts = _templates(rule)
        for text in texts:
            for node in ast.walk(ast.parse(text)):
                if isinstance(node, ast.Call) and _root(node.func) in namespace:
                    func = eval(compile(ast.Expression(node.func), "<t>", "eval"), namespace)
                    if not (rules.has_rule(func) or rules.is_nondiff(func)):
                        bad.add(ast.unparse(node.func))
    assert not bad, f"templates call functions with no rule: {sorted(bad)}"
