"""NumPy rules that are not element-wise: reductions, scans, selection, sorting, and the
functions whose results are constants (creation, comparisons, shapes).

Products live in ``products.py``, shape ops in ``shapes.py``, ``np.linalg`` in ``linalg.py``.
Linear ops write their transpose; the forward rule is the op applied to the tangent.
"""
import gast
import numpy as np

from ..templates import Refused
from . import defrule, nondiff

REDUCE = "a, axis=None, dtype=None, _out=None, keepdims=False"
REDUCE_MAX = "a, axis=None, _out=None, keepdims=False"
STATISTIC = "a, axis=None, dtype=None, _out=None, ddof=0, keepdims=False"


def given(call, param):
    """Whether ``param`` was passed at the call site (a CallInfo in reverse mode, the call's
    Op in forward mode: both have ``bound``)."""
    a = call.bound.get(param)
    return isinstance(a, gast.AST) and not (isinstance(a, gast.Constant) and a.value is None)


def is_sequence(call, param):
    """Whether the argument is a list or tuple (``np.sum([a, b])``)."""
    a = call.bound.get(param)
    return isinstance(a, gast.Name) and call.kinds.get(a.id) == "seq"


def both(key, *args, **kwargs):
    """Register the same rule for ``np.<name>`` and the ndarray method ``.<name>()``."""
    defrule(key, *args, **kwargs)
    defrule(("method", key.__name__), *args, **kwargs)


# ---- reductions ----------------------------------------------------------------------------
def over_lists(reverse):
    """A reduction's reverse rule that also takes a list (``np.mean([a, b])``: NumPy stacks it
    first): the stacked cotangent is split back into the list's items."""
    def rule(call):
        src = reverse(call) if callable(reverse) else reverse
        if is_sequence(call, "a"):
            target, value = src.split(" += ", 1)
            return f"{target} += unstack_like({value}, a)"
        return src
    return rule


def reduction(key, spec, reverse, forward, method=True):
    defrule(key, spec, over_lists(reverse), forward)
    if method:
        defrule(("method", key.__name__), spec, reverse, forward)


reduction(np.sum, REDUCE, "da += unreduce(dout, a, axis, keepdims)",
          "dout = np.sum(da, axis=axis, keepdims=keepdims)")
reduction(np.mean, REDUCE,
          "da += unreduce(dout, a, axis, keepdims) * (np.size(dout) / np.size(a))",
          "dout = np.mean(da, axis=axis, keepdims=keepdims)")

# Ties share the cotangent equally (NumPy has no subgradient convention; autograd's choice).
EXTREMUM = "da += reduced_max_grad(dout, a, out, axis, keepdims)"
EXTREMUM_FORWARD = ("dout = np.sum(reduced_max_grad(np.ones_like(out), a, out, axis, keepdims) "
                    "* da, axis=axis, keepdims=keepdims)")
for f in (np.max, np.min, np.amax, np.amin):
    reduction(f, REDUCE_MAX, EXTREMUM, EXTREMUM_FORWARD, method=f in (np.max, np.min))

reduction(np.prod, REDUCE, "da += prod_grad(dout, a, axis, keepdims)",
          "dout = np.sum(prod_grad(np.ones_like(out), a, axis, keepdims) * da, axis=axis, "
          "keepdims=keepdims)")

# var = sum((a - mean)^2) / (N - ddof), N = size(a) / size(out); std = sqrt(var)
CENTERED = "(a - np.mean(a, axis=axis, keepdims=True))"


def statistic(reverse, forward):
    """Templates of var/std; ``{count}`` is N - ddof (just N when ddof is not given)."""
    def count(call):
        return "(np.size(a) / np.size(out) - ddof)" if given(call, "ddof") else \
            "(np.size(a) / np.size(out))"
    def centered(call):   # of a list: np.asarray keeps the cotangent of a list a list
        return CENTERED.replace("(a -", "(np.asarray(a) -") if is_sequence(call, "a") else CENTERED
    return (lambda call: reverse.format(c=centered(call), count=count(call)),
            lambda op: forward.format(c=CENTERED, count=count(op)))


reduction(np.var, STATISTIC, *statistic(
    "da += unreduce(dout, a, axis, keepdims) * 2.0 * {c} / {count}",
    "dout = np.sum(da * {c}, axis=axis, keepdims=keepdims) * 2.0 / {count}"))
reduction(np.std, STATISTIC, *statistic(
    "da += unreduce(dout / out, a, axis, keepdims) * {c} / {count}",
    "dout = np.sum(da * {c}, axis=axis, keepdims=keepdims) / (out * {count})"))


def average_reverse(call):
    if not given(call, "weights"):
        return "da += unreduce(dout, a, axis, keepdims) * (np.size(dout) / np.size(a))"
    return ("w = np.reshape(weights, weights_shape(weights, a, axis))\n"
            "share = unreduce(dout / np.sum(broadcast_like(w, a), axis=axis, keepdims=keepdims),"
            " a, axis, keepdims)\n"
            "da += share * w\n"
            "dweights += np.reshape(unbroadcast(share * (a - unreduce(out, a, axis, keepdims)), w),"
            " np.shape(weights))")


def average_forward(op):
    if not given(op, "weights"):
        return "dout = np.mean(da, axis=axis, keepdims=keepdims)"
    w = "np.reshape(weights, weights_shape(weights, a, axis))"
    return (f"dout = np.average(da, axis=axis, weights=weights, keepdims=keepdims) + "
            f"np.sum((a - unreduce(out, a, axis, keepdims)) * "
            f"np.reshape(dweights, weights_shape(weights, a, axis)), axis=axis, "
            f"keepdims=keepdims) / np.sum(broadcast_like({w}, a), axis=axis, keepdims=keepdims)")


defrule(np.average, "a, axis=None, weights=None, keepdims=False", average_reverse,
        average_forward)

# NaN entries carry no derivative (they are skipped by the reduction)
defrule(np.nansum, REDUCE,
        over_lists("da += np.where(np.isnan(a), 0.0, unreduce(dout, a, axis, keepdims))"),
        "dout = np.sum(np.where(np.isnan(a), 0.0, da), axis=axis, keepdims=keepdims)")
defrule(np.nanmean, REDUCE, over_lists(
        "da += np.where(np.isnan(a), 0.0, unreduce(dout, a, axis, keepdims) / "
        "np.sum(np.logical_not(np.isnan(a)), axis=axis, keepdims=True))"),
        "dout = np.nanmean(np.where(np.isnan(a), np.nan, da), axis=axis, keepdims=keepdims)")

# ---- scans and differences -------------------------------------------------------------------
both(np.cumsum, "a, axis=None, dtype=None, _out=None", "da += cumsum_grad(dout, a, axis)",
     "dout = np.cumsum(da, axis=axis)")
# d out_i = out_i * sum_{j <= i} da_j / a_j: needs a without zeros (autograd's rule too)
both(np.cumprod, "a, axis=None, dtype=None, _out=None",
     "da += cumsum_grad(dout * out, a, axis) / a", "dout = out * np.cumsum(da / a, axis=axis)")
defrule(np.diff, "a, n=1, axis=-1", "da += diff_grad(dout, n, axis)",
        "dout = np.diff(da, n=n, axis=axis)")

# ---- selection and sorting ------------------------------------------------------------------
defrule(np.where, "condition, x, y",
        "dx += unbroadcast(np.where(condition, dout, 0.0), x)\n"
        "dy += unbroadcast(np.where(condition, 0.0, dout), y)",
        "dout = broadcast_like(np.where(condition, dx, dy), out)")  # dy may be 0.0
defrule(np.select, "condlist, choicelist, default=0",
        "dchoicelist += select_grad(dout, condlist, choicelist)\n"
        "ddefault += unbroadcast(np.where(none_of(condlist), dout, 0.0), default)",
        "dout = np.select(condlist, zeros_filled(dchoicelist, choicelist)) + "
        "np.where(none_of(condlist), ddefault, 0.0)")
# Sorting permutes: the cotangent goes back through the inverse permutation. Ties keep the
# stable order (each tied value gets the cotangent of one output position).
defrule(np.sort, "a, axis=-1, kind=None, order=None", "da += unsorted_like(dout, a, axis)",
        "dout = sorted_like(da, a, axis)")
# Gathering along an axis (cross-entropy of integer labels): the cotangent goes back where each
# element was taken from.
defrule(np.take_along_axis, "arr, indices, axis=-1", "darr += taken_back(dout, arr, indices, axis)",
        "dout = np.take_along_axis(broadcast_like(darr, arr), indices, axis)")

def flat_if_no_axis(call, name):
    """``name``, raveled where the call passes ``axis=None`` (the op works on the flat array)."""
    axis = call.bound.get("axis")
    return f"np.ravel({name})" if isinstance(axis, gast.Constant) and axis.value is None \
        else name


# Partitioning permutes too. The position each element goes to, argsort(argpartition(a)), is a
# key whose sort order is the partition's: the sort's helpers then move tangents both ways.
DESTINATION = "np.argsort(np.argpartition(a, kth, axis), axis)"
defrule(np.partition, "a, kth, axis=-1, kind='introselect', order=None",
        f"da += np.reshape(unsorted_like(dout, {DESTINATION}, axis), np.shape(a))",
        lambda op: f"dout = sorted_like({flat_if_no_axis(op, 'da')}, {DESTINATION}, axis)")
# bincount sums weights by bin: its transpose reads each weight's bin
defrule(np.bincount, "x, weights=None, minlength=0", "dweights += dout[x]",
        "dout = np.bincount(x, dweights, minlength)")
# replacing NaN and infinities by numbers: the derivative passes where x is finite (the
# replacement values' own derivative is not implemented: an error, not a zero)
defrule(np.nan_to_num, "x, copy=True, nan=0.0, posinf=None, neginf=None",
        "dx += np.where(np.isfinite(x), dout, 0.0)", "dout = np.where(np.isfinite(x), dx, 0.0)",
        missing=("nan", "posinf", "neginf"))


# np.gradient is linear along each axis: the matrix G = gradient(eye(n)) (any spacing, either
# edge order) holds it, and its transpose applied along the axis is the cotangent. Over several
# axes the result is a list: the cotangents of its items add up. The spacing carries no
# derivative.
def gradient_axes(call):
    """The axes of a gradient call known at transform time; None for one axis (the 1-D case
    or an int axis), a tuple for several (a list result)."""
    axis, ndim = call.bound.get("axis"), call.ndim("f")
    if isinstance(axis, gast.Constant) and axis.value is None or not isinstance(axis, gast.AST):
        if ndim == 1:
            return None
        if ndim is None:
            raise Refused("np.gradient over every axis of an array whose rank srcad cannot "
                          "tell", "pass axis=")
        return tuple(range(ndim))
    if isinstance(axis, gast.Tuple):
        return tuple(range(len(axis.elts)))
    return None


def along(k, g, h):
    """G^T applied along axis ``k`` of ``g`` (``h``: the spacing arguments of that axis)."""
    matrix = f"np.gradient(np.eye(np.shape(f)[{k}]), {h}, axis=0, edge_order=edge_order)"
    if k == "0":
        return f"np.tensordot({matrix}, {g}, axes=(0, 0))"
    return f"np.moveaxis(np.tensordot({matrix}, {g}, axes=(0, {k})), 0, {k})"


def gradient_reverse(call):
    axes = gradient_axes(call)
    spacing = call.bound.get("varargs")
    per_axis = isinstance(spacing, list) and len(spacing) > 1    # one spacing for each axis
    if axes is None:
        k = "0" if call.ndim("f") == 1 or not given(call, "axis") else "axis"
        return "df += " + along(k, "dout", "*varargs")
    tuple_axis = isinstance(call.bound.get("axis"), gast.Tuple)
    terms = [along(f"axis[{i}]" if tuple_axis else str(i), f"g[{i}]",
                   f"varargs[{i}]" if per_axis else "*varargs") for i in axes]
    return "g = zeros_filled(dout, out)\ndf += " + " + ".join(terms)


defrule(np.gradient, "f, *varargs, axis=None, edge_order=1", gradient_reverse,
        "dout = np.gradient(df, *varargs, axis=axis, edge_order=edge_order)")

# ---- creation ---------------------------------------------------------------------------------
defrule(np.full, "shape, fill_value, dtype=None", "dfill_value += unbroadcast(dout, fill_value)",
        "dout = np.full(np.shape(out), dfill_value)")
defrule(np.full_like, "a, fill_value, dtype=None",
        "dfill_value += unbroadcast(dout, fill_value)",
        "dout = np.full(np.shape(out), dfill_value)")
# start and stop of linspace carry a derivative srcad does not implement: an error, not a zero
defrule(np.linspace, "start, stop, num=50, endpoint=True, retstep=False, dtype=None, axis=0",
        lambda call: "", missing=("start", "stop"))

# ---- dtype ------------------------------------------------------------------------------------
defrule(("method", "astype"), "a, dtype", "da += cast_grad(dout, a, dtype)",
        "dout = cast_tangent(da, dtype)")

nondiff(np.argmax, np.argmin, np.floor, np.ceil, np.sign, np.shape, np.ndim, np.size,
        np.zeros, np.ones, np.zeros_like, np.ones_like, np.empty, np.empty_like,
        np.arange, np.eye, np.identity, np.tri, np.isnan, np.isinf,
        np.isfinite, np.round, np.rint, np.trunc, np.fix, np.floor_divide, np.argsort,
        np.count_nonzero, np.any, np.all, np.equal, np.not_equal, np.less, np.less_equal,
        np.greater, np.greater_equal, np.logical_and, np.logical_or, np.logical_not,
        np.logical_xor, np.signbit, np.isclose, np.allclose, np.array_equal, np.nonzero,
        np.flatnonzero, np.argpartition, np.searchsorted, np.digitize, np.iscomplexobj,
        np.isscalar,
        ("attr", "shape"), ("attr", "ndim"), ("attr", "size"), ("attr", "dtype"),
        ("method", "argmax"), ("method", "argmin"), ("method", "argsort"),
        ("method", "nonzero"), ("method", "all"), ("method", "any"))
