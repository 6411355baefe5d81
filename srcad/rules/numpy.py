"""NumPy rules that are not element-wise: reductions, products, shape ops, selection.

Linear ops write their transpose; ``dot``/``matmul`` specialise on the ranks the kind
analysis knows, so 2-D code reads ``dout @ b.T``.
"""
import numpy as np

from . import defrule, nondiff

REDUCE = "a, axis=None, dtype=None, _out=None, keepdims=False"
REDUCE_MAX = "a, axis=None, _out=None, keepdims=False"

for f, method in [(np.sum, "sum")]:
    defrule(f, REDUCE, "da += unreduce(dout, a, axis, keepdims)",
            "dout = np.sum(da, axis=axis, keepdims=keepdims)")
    defrule(("method", method), REDUCE, "da += unreduce(dout, a, axis, keepdims)",
            "dout = np.sum(da, axis=axis, keepdims=keepdims)")

MEAN = "da += unreduce(dout, a, axis, keepdims) * (np.size(dout) / np.size(a))"
defrule(np.mean, REDUCE, MEAN, "dout = np.mean(da, axis=axis, keepdims=keepdims)")
defrule(("method", "mean"), REDUCE, MEAN, "dout = np.mean(da, axis=axis, keepdims=keepdims)")

EXTREMUM = "da += reduced_max_grad(dout, a, out, axis, keepdims)"
EXTREMUM_FORWARD = ("dout = np.sum(reduced_max_grad(np.ones_like(out), a, out, axis, keepdims) * da, "
                    "axis=axis, keepdims=keepdims)")
for f in (np.max, np.min, np.amax, np.amin):
    defrule(f, REDUCE_MAX, EXTREMUM, EXTREMUM_FORWARD)
for method in ("max", "min"):
    defrule(("method", method), REDUCE_MAX, EXTREMUM, EXTREMUM_FORWARD)

PROD = "da += prod_grad(dout, a, axis, keepdims)"
PROD_FORWARD = ("dout = np.sum(prod_grad(np.ones_like(out), a, axis, keepdims) * da, axis=axis, "
                "keepdims=keepdims)")
defrule(np.prod, REDUCE, PROD, PROD_FORWARD)
defrule(("method", "prod"), REDUCE, PROD, PROD_FORWARD)


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
import operator  # noqa: E402
defrule(np.matmul, "a, b", matmul_reverse, "dout = da @ b + a @ db")
defrule(operator.matmul, "a, b", matmul_reverse, "dout = da @ b + a @ db")


def transpose_reverse(call):
    if call.given("axes"):
        return "da += np.transpose(dout, np.argsort(axes))"
    return "da += np.transpose(dout)"


defrule(np.transpose, "a, axes=None", transpose_reverse, "dout = np.transpose(da, axes)")
defrule(("attr", "T"), "a", "da += np.transpose(dout)", "dout = np.transpose(da)")
defrule(("method", "transpose"), "a", "da += np.transpose(dout)", "dout = np.transpose(da)")
defrule(np.reshape, "a, shape=None, order='C'", "da += np.reshape(dout, np.shape(a))",
        "dout = np.reshape(da, np.shape(out))")
defrule(("method", "reshape"), "a, *shape", "da += np.reshape(dout, np.shape(a))",
        "dout = np.reshape(da, np.shape(out))")
defrule(("method", "copy"), "a", "da += dout", "dout = da")
defrule(np.where, "condition, x, y",
        "dx += unbroadcast(np.where(condition, dout, 0.0), x)\n"
        "dy += unbroadcast(np.where(condition, 0.0, dout), y)",
        "dout = np.where(condition, dx, dy)")

nondiff(np.argmax, np.argmin, np.floor, np.ceil, np.sign, np.shape, np.ndim, np.size,
        np.zeros, np.ones, np.zeros_like, np.ones_like, np.empty, np.empty_like, np.full,
        np.full_like, np.arange, np.linspace, np.eye, np.identity, np.isnan, np.isinf,
        np.isfinite, np.round, np.rint, np.trunc, np.floor_divide, np.argsort,
        np.count_nonzero, np.any, np.all, np.equal, np.not_equal, np.less, np.less_equal,
        np.greater, np.greater_equal, np.logical_and, np.logical_or, np.logical_not,
        ("attr", "shape"), ("attr", "ndim"), ("attr", "size"), ("attr", "dtype"),
        ("method", "argmax"), ("method", "argmin"))
