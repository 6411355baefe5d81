"""Rules for the runtime helpers that generated code calls, so a derivative can be
differentiated again (``grad(grad(f))``, ``jvp(grad(f))``).

Most helpers are linear in their first argument: the reverse rule is the transpose, the forward
rule the helper itself applied to the tangent.
"""
import numpy as np

from .. import runtime as rt
from . import defrule, nondiff

nondiff(rt.zeros_like, rt.assert_scalar)

defrule(rt.unbroadcast, "g, like", "dg += broadcast_like(dout, g)", "dout = unbroadcast(dg, like)")
defrule(rt.broadcast_like, "t, like", "dt += unbroadcast(dout, t)",
        "dout = broadcast_like(dt, like)")
defrule(rt.unreduce, "g, like, axis=None, keepdims=False",
        "dg += np.sum(dout, axis=axis, keepdims=keepdims)",
        "dout = unreduce(dg, like, axis, keepdims)")
defrule(rt.added_at, "a, index, g", "da += dout\ndg += unbroadcast(dout[index], g)",
        "dout = da + added_at(zeros_like(a), index, dg)")

defrule(rt.add_seq, "a, b, sign=1.0", "da += dout\ndb += add_seq(0.0, dout, sign)",
        "dout = add_seq(da, db, sign)")

# Linear in g; piecewise constant in x and the extremum (their derivative is zero).
defrule(rt.reduced_max_grad, "g, x, peak, axis, keepdims",
        "dg += np.sum(dout * reduced_max_grad(np.ones_like(g), x, peak, axis, keepdims), "
        "axis=axis, keepdims=keepdims)",
        "dout = reduced_max_grad(dg, x, peak, axis, keepdims)")
defrule(rt.prod_grad, "g, x, axis, keepdims",
        "dg += np.sum(dout * prod_grad(np.ones_like(g), x, axis, keepdims), axis=axis, "
        "keepdims=keepdims)\n"
        "dx += unreduce(g, x, axis, keepdims) * prod_grad_dot(x, dout, axis)",
        "dout = prod_grad(dg, x, axis, keepdims) + "
        "unreduce(g, x, axis, keepdims) * prod_grad_dot(x, dx, axis)")
defrule(rt.prod_grad_dot, "x, v, axis", "dv += prod_grad_dot(x, dout, axis)",
        "dout = prod_grad_dot(x, dv, axis)", missing=("x",))

# Bilinear adjoints of products: <u, grad_left(g, a, b)> = <g, u . b>, and so on.
defrule(rt.dot_grad_left, "g, a, b", "dg += np.dot(dout, b)\ndb += dot_grad_right(g, dout, b)",
        "dout = dot_grad_left(dg, a, b) + dot_grad_left(g, a, db)")
defrule(rt.dot_grad_right, "g, a, b", "dg += np.dot(a, dout)\nda += dot_grad_left(g, a, dout)",
        "dout = dot_grad_right(dg, a, b) + dot_grad_right(g, da, b)")
defrule(rt.matmul_grad_left, "g, a, b",
        "dg += np.matmul(dout, b)\ndb += matmul_grad_right(g, dout, b)",
        "dout = matmul_grad_left(dg, a, b) + matmul_grad_left(g, a, db)")
defrule(rt.matmul_grad_right, "g, a, b",
        "dg += np.matmul(a, dout)\nda += matmul_grad_left(g, a, dout)",
        "dout = matmul_grad_right(dg, a, b) + matmul_grad_right(g, da, b)")

# Used by the reverse rules of products and shapes.
defrule(np.outer, "a, b",
        "da += np.reshape(np.dot(dout, np.ravel(b)), np.shape(a))\n"
        "db += np.reshape(np.dot(np.ravel(a), dout), np.shape(b))",
        "dout = np.outer(da, b) + np.outer(a, db)")
defrule(np.ravel, "a, order='C'", "da += np.reshape(dout, np.shape(a))", "dout = np.ravel(da)")
