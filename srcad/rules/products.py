"""Products: ``dot``, ``matmul``, ``vdot``, ``inner``, ``tensordot``, ``einsum``, ``kron``.

Bilinear: the reverse rule has one transpose per operand, the forward rule is the product rule.
Where the kind analysis knows the ranks, the output reads like hand-written code
(``dout @ b.T``); otherwise a runtime helper handles any rank.
"""
import operator

import gast
import numpy as np

from . import defrule


def _products(kind_left, kind_right, general):
    """Reverse templates of ``dot``/``matmul`` by the ranks of their operands."""
    table = {
        (2, 2): "da += dout @ b.T\ndb += a.T @ dout",
        (2, 1): "da += np.outer(dout, b)\ndb += dout @ a",
        (1, 2): "da += b @ dout\ndb += np.outer(a, dout)",
        (1, 1): "da += dout * b\ndb += dout * a",
    }
    return table.get((kind_left, kind_right), general)


def dot_reverse(call):
    return _products(call.ndim("a"), call.ndim("b"),
                     "da += dot_grad_left(dout, a, b)\ndb += dot_grad_right(dout, a, b)")


def matmul_reverse(call):
    return _products(call.ndim("a"), call.ndim("b"),
                     "da += matmul_grad_left(dout, a, b)\ndb += matmul_grad_right(dout, a, b)")


PRODUCT_FORWARD = "dout = np.dot(da, b) + np.dot(a, db)"
defrule(np.dot, "a, b", dot_reverse, PRODUCT_FORWARD)
defrule(("method", "dot"), "a, b", dot_reverse, PRODUCT_FORWARD)
defrule(np.matmul, "a, b", matmul_reverse, "dout = da @ b + a @ db")
defrule(operator.matmul, "a, b", matmul_reverse, "dout = da @ b + a @ db")

# vdot flattens both operands (real arrays: no conjugation)
defrule(np.vdot, "a, b",
        "da += dout * np.reshape(b, np.shape(a))\ndb += dout * np.reshape(a, np.shape(b))",
        "dout = np.vdot(da, b) + np.vdot(a, db)")

INNER_AXES = "((-1,), (-1,))"   # np.inner contracts the last axes of both operands


def inner_reverse(call):
    if call.ndim("a") == 1 and call.ndim("b") == 1:
        return "da += dout * b\ndb += dout * a"
    return (f"da += tensordot_grad_left(dout, a, b, {INNER_AXES})\n"
            f"db += tensordot_grad_right(dout, a, b, {INNER_AXES})")


defrule(np.inner, "a, b", inner_reverse, "dout = np.inner(da, b) + np.inner(a, db)")
defrule(np.tensordot, "a, b, axes=2",
        "da += tensordot_grad_left(dout, a, b, axes)\ndb += tensordot_grad_right(dout, a, b, axes)",
        "dout = np.tensordot(da, b, axes) + np.tensordot(a, db, axes)")
defrule(np.kron, "a, b", "da += kron_grad_left(dout, a, b)\ndb += kron_grad_right(dout, a, b)",
        "dout = np.kron(da, b) + np.kron(a, db)")


# ---- einsum -------------------------------------------------------------------------------------
OPERANDS = "abcd"     # einsum takes *operands: one rule per count (up to four)


def einsum_cotangent(spec, names, i):
    """The einsum that gives operand ``i``'s cotangent, when the subscripts are a literal
    without ``...`` and operand ``i`` repeats no letter: letters only operand ``i`` has are
    broadcast back. ``None`` when the runtime helper is needed."""
    if "..." in spec or spec.count("->") > 1:
        return None
    ins, arrow, out = spec.replace(" ", "").partition("->")
    ins = ins.split(",")
    if len(ins) != len(names):
        return None
    if not arrow:
        letters = "".join(ins)
        out = "".join(sorted(c for c in set(letters) if letters.count(c) == 1))
    target = ins[i]
    if len(set(target)) != len(target):
        return None
    others = [s for j, s in enumerate(ins) if j != i]
    known = "".join(c for c in target if c in out or any(c in s for s in others))
    args = ", ".join(["dout"] + [n for j, n in enumerate(names) if j != i])
    src = f"np.einsum({','.join([out] + others) + '->' + known!r}, {args})"
    if known != target:
        missing = tuple(k for k, c in enumerate(target) if c not in known)
        src = f"np.broadcast_to(np.expand_dims({src}, {missing}), np.shape({names[i]}))"
    return src


def einsum_reverse(n):
    names = OPERANDS[:n]

    def reverse(call):
        sub = call.bound.get("subscripts")
        spec = sub.value if isinstance(sub, gast.Constant) and isinstance(sub.value, str) else None
        lines = []
        for i, a in enumerate(names):
            src = einsum_cotangent(spec, names, i) if spec else None
            if src is None:
                src = f"einsum_grad(dout, subscripts, ({', '.join(names)},), {i})"
            lines.append(f"d{a} += {src}")
        return "\n".join(lines)
    return reverse


def einsum_forward(n):
    names = OPERANDS[:n]
    terms = [f"np.einsum(subscripts, {', '.join('d' + m if m == a else m for m in names)})"
             for a in names]
    return "dout = " + " + ".join(terms)


for count in range(1, len(OPERANDS) + 1):
    defrule(np.einsum, "subscripts, " + ", ".join(OPERANDS[:count]) + ", optimize=False",
            einsum_reverse(count), einsum_forward(count))

# cross products of 3-vectors (along the last axis): <g, a x b> = <a, b x g> = <b, g x a>
defrule(np.cross, "a, b",
        "da += unbroadcast(np.cross(b, dout), a)\ndb += unbroadcast(np.cross(dout, a), b)",
        "dout = np.cross(da, b) + np.cross(a, db)")
