"""Rules for the runtime helpers that generated code calls, so a derivative can be
differentiated again (``grad(grad(f))``, ``jvp(grad(f))``).

Most helpers are linear in their first argument: the reverse rule is the transpose, the forward
rule the helper itself applied to the tangent.
"""
import numpy as np

from .. import runtime as rt
from . import defelementwise, defrule, nondiff

nondiff(rt.zeros_like, rt.assert_scalar, rt.shape_of, rt.keys_of, rt.require_view,
        rt.loop_keys, rt.require_sequence)

defrule(rt.unbroadcast, "g, like", "dg += broadcast_like(dout, g)", "dout = unbroadcast(dg, like)")
defrule(rt.broadcast_like, "t, like", "dt += unbroadcast(dout, t)",
        "dout = broadcast_like(dt, like)")
defrule(rt.unreduce, "g, like, axis=None, keepdims=False",
        "dg += np.sum(dout, axis=axis, keepdims=keepdims)",
        "dout = unreduce(dg, like, axis, keepdims)")
defrule(rt.added_at, "a, index, g", "da += dout\ndg += unbroadcast(dout[index], g)",
        "dout = add_seq(da, added_at(zeros_like(a), index, dg))")  # a may be a list
# A store into an element, read as a pure update (x[index] = v in a derivative differentiated
# again): linear in (a, v); the overwritten elements of a get nothing, v the last write's part.
defrule(rt.stored_at, "a, index, v",
        "da += zeroed_at(dout, index)\ndv += unbroadcast(last_written(dout, index), v)",
        "dout = stored_at(zeros_filled(da, a), index, dv)")
defrule(rt.zeroed_at, "g, index", "dg += zeroed_at(dout, index)", "dout = zeroed_at(dg, index)")
defrule(rt.last_written, "d, index", "dd += stored_at(zeros_like(d), index, dout)",
        "dout = last_written(dd, index)")

defrule(rt.copied, "x", "dx += dout", "dout = dx")
defrule(rt.add_seq, "a, b, sign=1.0", "da += dout\ndb += add_seq(0.0, dout, sign)",
        "dout = add_seq(da, db, sign)")
# Tuples or lists concatenated: the derivative splits at len(a), the tangents concatenate.
defrule(rt.concat, "a, b", "da += dout[:len(a)]\ndb += dout[len(a):]",
        "dout = concat_tangent(da, db, a, b)")
defrule(rt.concat_tangent, "x, y, a, b", "dx += dout[:len(a)]\ndy += dout[len(a):]",
        "dout = concat_tangent(dx, dy, a, b)")
# A tuple or list repeated: the derivative sums the copies, the tangent repeats.
defrule(rt.repeat, "a, n", "da += repeat_grad(dout, a)", "dout = repeat_tangent(da, a, n)")
defrule(rt.repeat_grad, "g, a", "dg += repeat_tangent(dout, a, len(g) // max(len(a), 1))",
        "dout = repeat_grad(dg, a)")
defrule(rt.repeat_tangent, "x, a, n", "dx += repeat_grad(dout, a)",
        "dout = repeat_tangent(dx, a, n)")

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
# (np.ravel, which the rules of products and shapes use, is in shapes.py)

# scaled(g, p) = g * p with zeros of g kept: bilinear, so each side's derivative is the other.
defrule(rt.scaled, "g, partial",
        "dg += unbroadcast(scaled(dout, partial), g)\ndpartial += unbroadcast(scaled(dout, g), partial)",
        "dout = scaled(dg, partial) + scaled(g, dpartial)")

# ---- helpers of the NumPy rules: each linear helper is paired with its transpose ---------------
defelementwise(rt.xlogy, "x, y", "np.log(y)", "x / y")
nondiff(rt.none_of, rt.weights_shape, rt.transpose_axes, rt.inverse_axes)

defrule(rt.cumsum_grad, "g, a, axis", "dg += np.cumsum(dout, axis=axis)",
        "dout = cumsum_grad(dg, a, axis)")
defrule(rt.sorted_like, "t, a, axis", "dt += unsorted_like(dout, a, axis)",
        "dout = sorted_like(dt, a, axis)")
defrule(rt.unsorted_like, "g, a, axis", "dg += sorted_like(dout, a, axis)",
        "dout = unsorted_like(dg, a, axis)")
defrule(rt.taken_back, "g, a, indices, axis",
        "dg += np.take_along_axis(dout, indices, axis)",
        "dout = taken_back(dg, a, indices, axis)")
defrule(rt.diff_grad, "g, n, axis", "dg += np.diff(dout, n=n, axis=axis)",
        "dout = diff_grad(dg, n, axis)")
defrule(rt.select_grad, "g, condlist, choicelist",
        "dg += broadcast_like(np.select(condlist, zeros_filled(dout, choicelist)), g)",
        "dout = select_grad(dg, condlist, choicelist)")
defrule(rt.zeros_filled, "t, like", "dt += dout", "dout = zeros_filled(dt, like)")
defrule(rt.unstack_like, "g, like", "dg += np.array(zeros_filled(dout, like))",
        "dout = unstack_like(dg, like)")
defrule(rt.spread, "g, like", "dg += broadcast_like(sum(dout), g)", "dout = spread(dg, like)")
defrule(rt.joined, "parts, arrays, axis, how", "dparts += split_like(dout, arrays, axis, how)",
        "dout = joined(dparts, arrays, axis, how)")
defrule(rt.split_like, "g, arrays, axis, how", "dg += joined(dout, arrays, axis, how)",
        "dout = split_like(dg, arrays, axis, how)")
defrule(rt.untile, "g, A, reps", "dg += np.tile(dout, reps)", "dout = untile(dg, A, reps)")
defrule(rt.unrepeat, "g, a, repeats, axis", "dg += np.repeat(dout, repeats, axis)",
        "dout = unrepeat(dg, a, repeats, axis)")
defrule(rt.diagonal_grad, "g, a, offset=0, axis1=0, axis2=1",
        "dg += np.diagonal(dout, offset, axis1, axis2)",
        "dout = diagonal_grad(dg, a, offset, axis1, axis2)")
defrule(rt.diag_grad, "g, v, k=0", "dg += np.diag(dout, k)", "dout = diag_grad(dg, v, k)")
defrule(rt.trace_grad, "g, a, offset=0, axis1=0, axis2=1",
        "dg += np.trace(dout, offset, axis1, axis2)",
        "dout = trace_grad(dg, a, offset, axis1, axis2)")
defrule(rt.cast_grad, "g, a, dtype", "dg += cast_tangent(dout, dtype)",
        "dout = cast_grad(dg, a, dtype)")
defrule(rt.cast_tangent, "t, dtype", "dt += cast_grad(dout, t, dtype)",
        "dout = cast_tangent(dt, dtype)")
defrule(rt.tril_half_diag, "x", "dx += tril_half_diag(dout)", "dout = tril_half_diag(dx)")
# Linear in g; in x and the norm only for ord 2 (that derivative is not implemented)
defrule(rt.norm_grad, "g, x, out, ord=None, axis=None, keepdims=False",
        "dg += np.sum(dout * norm_grad(np.ones_like(g), x, out, ord, axis, keepdims), "
        "axis=axis, keepdims=keepdims)",
        "dout = norm_grad(dg, x, out, ord, axis, keepdims)", missing=("x", "out"))


def bilinear_helpers(product, left, right, extra=None):
    """Rules of the cotangent helpers of a bilinear ``product(a, b)``: ``left(g, a, b)`` is
    linear in ``g`` and ``b`` (``a`` gives only its shape), with <u, left(g, a, b)> =
    <g, product(u, b)>; ``right`` likewise."""
    x = f", {extra.split('=')[0]}" if extra else ""
    spec = f"g, a, b, {extra}" if extra else "g, a, b"
    ln, rn = left.__name__, right.__name__
    defrule(left, spec, f"dg += {product}(dout, b{x})\ndb += {rn}(g, dout, b{x})",
            f"dout = {ln}(dg, a, b{x}) + {ln}(g, a, db{x})")
    defrule(right, spec, f"dg += {product}(a, dout{x})\nda += {ln}(g, a, dout{x})",
            f"dout = {rn}(dg, a, b{x}) + {rn}(g, da, b{x})")


bilinear_helpers("np.tensordot", rt.tensordot_grad_left, rt.tensordot_grad_right, "axes=2")
bilinear_helpers("np.kron", rt.kron_grad_left, rt.kron_grad_right)

# einsum's general cotangent (``...`` or a repeated letter): second order only along g and
# the replaced operand; deeper derivatives are declared missing (an error, not a zero)
defrule(rt.einsum_grad, "g, subscripts, operands, i",
        "dg += einsum_replaced(subscripts, operands, i, dout)\n"
        "doperands += einsum_grad_cross(g, subscripts, operands, i, dout)",
        "dout = einsum_grad(dg, subscripts, operands, i) + "
        "einsum_grad_tangent(g, subscripts, operands, i, doperands)")
defrule(rt.einsum_replaced, "subscripts, operands, i, x",
        "dx += einsum_grad(dout, subscripts, operands, i)",
        "dout = einsum_replaced(subscripts, operands, i, dx)", missing=("operands",))
defrule(rt.einsum_grad_cross, "g, subscripts, operands, i, u", lambda call: "",
        missing=("g", "operands", "u"))
defrule(rt.einsum_grad_tangent, "g, subscripts, operands, i, tangents", lambda call: "",
        missing=("g", "operands", "tangents"))
