"""``np.linalg``: inv, solve, det, slogdet, cholesky and norm.

Matrix rules are written for stacks of matrices (the last two axes); where the kind analysis
knows the operand is 2-D they read with ``.T``. Formulas: the standard matrix calculus ones
(Giles, "An extended collection of matrix derivative results", 2008; Murray, "Differentiation
of the Cholesky decomposition", 2016).
"""
import re

import gast
import numpy as np

from ..templates import Refused
from . import defrule
from .numpy import given


def matrix(template, ndim):
    """Write ``mT(x)`` (transpose of the last two axes) as ``x.T`` for 2-D operands."""
    if ndim == 2:
        return re.sub(r"mT\(([\w.]+)\)", r"\1.T", template)
    return re.sub(r"mT\(([\w.]+)\)", r"np.swapaxes(\1, -1, -2)", template)


def by_rank(param, template):
    return lambda call: matrix(template, call.ndim(param))


# d inv(A) = -inv(A) dA inv(A)
defrule(np.linalg.inv, "a", by_rank("a", "da -= mT(out) @ dout @ mT(out)"),
        "dout = -out @ da @ out")


# x = solve(A, b): db = solve(A^T, g), dA = -db x^T (matmul_grad_left handles vectors, stacks)
def solve_reverse(call):
    if call.ndim("a") == 2 and call.ndim("b") in (1, 2):
        grad_a = "np.outer(g, out)" if call.ndim("b") == 1 else "g @ out.T"
        return f"g = np.linalg.solve(a.T, dout)\ndb += g\nda -= {grad_a}"
    return ("g = np.linalg.solve(np.swapaxes(a, -1, -2), dout)\ndb += g\n"
            "da -= matmul_grad_left(g, a, out)")


defrule(np.linalg.solve, "a, b", solve_reverse,
        "dout = np.linalg.solve(a, db) - np.linalg.solve(a, da @ out)")


# d det(A) = det(A) tr(inv(A) dA); d log|det(A)| = tr(inv(A) dA). A must be invertible.
def det_reverse(call):
    if call.ndim("a") == 2:
        return "da += dout * out * np.linalg.inv(a).T"
    return ("da += np.expand_dims(dout * out, (-2, -1)) * "
            "np.swapaxes(np.linalg.inv(a), -1, -2)")


defrule(np.linalg.det, "a", det_reverse,
        "dout = out * np.trace(np.linalg.solve(a, da), axis1=-2, axis2=-1)")


def slogdet_reverse(call):
    # out is (sign, logabsdet); the sign is piecewise constant, so only dout[1] flows back
    if call.ndim("a") == 2:
        return "da += dout[1] * np.linalg.inv(a).T"
    return "da += np.expand_dims(dout[1], (-2, -1)) * np.swapaxes(np.linalg.inv(a), -1, -2)"


defrule(np.linalg.slogdet, "a", slogdet_reverse,
        "dout = (0.0, np.trace(np.linalg.solve(a, da), axis1=-2, axis2=-1))")

# L = cholesky(A) reads A's lower triangle only. With Phi = tril_half_diag and
# S = L^-T Phi(L^T dL) L^-1, dA = Phi(S + S^T) (lower triangular: the upper part of A is unread).
# Forward: dL = L Phi(L^-1 E L^-T), E = the symmetric matrix cholesky sees (tril(dA) mirrored).
CHOLESKY_REVERSE = ("p = np.linalg.solve(mT(out), tril_half_diag(mT(out) @ dout))\n"
                    "s = np.linalg.solve(mT(out), mT(p))\n"
                    "da += tril_half_diag(s + mT(s))")
CHOLESKY_FORWARD = ("dout = out @ tril_half_diag(np.linalg.solve(out, np.swapaxes(np.linalg.solve("
                    "out, np.tril(da) + np.swapaxes(np.tril(da, -1), -1, -2)), -1, -2)))")
defrule(np.linalg.cholesky, "a", by_rank("a", CHOLESKY_REVERSE), CHOLESKY_FORWARD)


# ---- norm ---------------------------------------------------------------------------------------
def _order(call):
    """The ``ord`` of a call when it is known at transform time: None, 2, 'fro', 1, -1,
    'inf'...; ``'?'`` otherwise (a variable: the runtime helper decides)."""
    if not given(call, "ord"):
        return None
    a = call.bound["ord"]
    if isinstance(a, gast.Constant):
        return a.value
    if isinstance(a, gast.Attribute) and a.attr == "inf":
        return "inf"
    if isinstance(a, gast.UnaryOp) and isinstance(a.op, gast.USub) and \
            isinstance(a.operand, gast.Constant) and isinstance(a.operand.value, (int, float)):
        return -a.operand.value      # ord=-1
    return "?"     # a variable (-np.inf too: normalizing names it)


MATRIX_NORMS = {2: "the largest singular value", -2: "the smallest singular value",
                "nuc": "the sum of the singular values", 1: "the largest column sum",
                -1: "the smallest column sum", "inf": "the largest row sum"}


def _refuse_matrix_order(call):
    """A matrix norm other than Frobenius, known at transform time, is refused here (one whose
    order is a variable is refused by the runtime helper when it runs)."""
    order, axis = _order(call), call.bound.get("axis")
    matrix = (isinstance(axis, gast.Tuple) and len(axis.elts) == 2) or (
        (not given(call, "axis")) and call.ndim("x") == 2)
    if matrix and order not in (None, "fro", "?"):
        shown = "np.inf" if order == "inf" else repr(order)
        raise Refused(f"the matrix norm ord={shown} ({MATRIX_NORMS.get(order, 'not a norm')}) "
                      "has no derivative in srcad: of matrices it has only the Frobenius norm",
                      "use ord=None or 'fro', or give the norm a rule (srcad.defrule)")


def _vector(call):
    """Whether the norm is certainly a vector norm (1-D operand, or one int axis)."""
    axis = call.bound.get("axis")
    return call.ndim("x") == 1 or (isinstance(axis, gast.Constant) and isinstance(axis.value, int)) \
        or (isinstance(axis, gast.UnaryOp) and isinstance(axis.operand, gast.Constant))


def norm_reverse(call):
    _refuse_matrix_order(call)
    order = _order(call)
    if order in (None, "fro") or (order == 2 and _vector(call)):
        return "dx += unreduce(dout / out, x, axis, keepdims) * x"
    if order == 1 and _vector(call):
        return "dx += unreduce(dout, x, axis, keepdims) * np.sign(x)"
    if order == "inf" and _vector(call):
        return "dx += reduced_max_grad(dout, np.abs(x), out, axis, keepdims) * np.sign(x)"
    return "dx += norm_grad(dout, x, out, ord, axis, keepdims)"


def norm_forward(op):
    _refuse_matrix_order(op)
    order = _order(op)
    vector = _vector(op)
    if order in (None, "fro") or (order == 2 and vector):
        return "dout = np.sum(x * dx, axis=axis, keepdims=keepdims) / out"
    if order == 1 and vector:
        return "dout = np.sum(np.sign(x) * dx, axis=axis, keepdims=keepdims)"
    if order == "inf" and vector:
        return ("dout = np.sum(reduced_max_grad(np.ones_like(out), np.abs(x), out, axis, keepdims)"
                " * np.sign(x) * dx, axis=axis, keepdims=keepdims)")
    return ("dout = np.sum(norm_grad(np.ones_like(out), x, out, ord, axis, keepdims) * dx, "
            "axis=axis, keepdims=keepdims)")


defrule(np.linalg.norm, "x, ord=None, axis=None, keepdims=False", norm_reverse, norm_forward)


# ---- eigh -------------------------------------------------------------------------------------
# w, v = eigh(a) (a's lower triangle, like cholesky). With M = v^T E v (E: the symmetric matrix
# eigh sees) and F[i, j] = 1 / (w[j] - w[i]) off the diagonal: dw = diag(M), dv = v (F * M).
# Reverse: S = v (diag(gw) + F * (v^T gv)) v^T, da = Phi(S + S^T). Eigenvalues must be distinct.
N = "np.shape(out[0])[-1]"
GAPS = (f"(1.0 - np.eye({N})) / (np.expand_dims(out[0], -2) - np.expand_dims(out[0], -1) "
        f"+ np.eye({N}))")
EIGH_REVERSE = ("g = zeros_filled(dout, out)\n"
                "w = out[0]\n"
                "v = out[1]\n"
                "eye = np.eye(np.shape(w)[-1])\n"
                "gaps = (1.0 - eye) / (np.expand_dims(w, -2) - np.expand_dims(w, -1) + eye)\n"
                "s = v @ (np.expand_dims(g[0], -1) * eye + gaps * (mT(v) @ g[1])) @ mT(v)\n"
                "da += tril_half_diag(s + mT(s))")
SEEN = "(np.tril(da) + np.swapaxes(np.tril(da, -1), -1, -2))"
M = f"(np.swapaxes(out[1], -1, -2) @ {SEEN} @ out[1])"
defrule(np.linalg.eigh, "a", by_rank("a", EIGH_REVERSE),
        f"dout = (np.diagonal({M}, axis1=-2, axis2=-1), out[1] @ ({GAPS} * {M}))")
