"""The few helpers generated derivative code calls: shape bookkeeping that has no one-line form."""
import collections.abc
import dataclasses
import numbers

import numpy as np


class _Shape(tuple):
    """A shape saved in place of a value whose shape alone the reverse sweep reads (with the
    dtype of an array, for ``zeros_like``)."""
    dtype = None


def shape_of(x):
    if isinstance(x, (list, tuple, dict)):
        return x        # a structure: its zero has its items' structure
    shape = _Shape(np.shape(x))
    if isinstance(x, np.ndarray):
        shape.dtype = x.dtype
    return shape


def unbroadcast(g, x):
    """Sum ``g`` down to the shape of ``x`` (undo NumPy broadcasting in a reverse sweep)."""
    shape = x if type(x) is _Shape else np.shape(x)
    gshape = np.shape(g)
    if gshape == shape:
        return g
    extra = len(gshape) - len(shape)
    if extra > 0:
        g = np.sum(g, axis=tuple(range(extra)))
    axes = tuple(i for i, n in enumerate(shape) if n == 1 and np.shape(g)[i] != 1)
    if axes:
        g = np.sum(g, axis=axes, keepdims=True)
    if not shape:
        return g[()] if isinstance(g, np.ndarray) else g
    return g


def unreduce(g, x, axis=None, keepdims=False):
    """Spread the cotangent of a reduction of ``x`` back over ``x``'s shape (a broadcast view)."""
    shape = x if type(x) is _Shape else np.shape(x)
    if shape == ():     # a scalar: immutable, so ``d += e`` on it never meets a read-only view
        return np.reshape(g, ())[()]
    if axis is not None and not keepdims:
        axes = (axis,) if np.ndim(axis) == 0 else tuple(axis)
        axes = sorted(a % len(shape) for a in axes)
        g = np.expand_dims(g, tuple(axes))
    elif axis is None and not keepdims:
        g = np.reshape(g, (1,) * len(shape))
    return np.broadcast_to(g, shape)


def broadcast_like(t, out):
    """A tangent with the shape of ``out`` (an operand was broadcast to make ``out``)."""
    shape = np.shape(out)
    return t if np.shape(t) == shape else np.broadcast_to(t, shape)


def zeros_like(x):
    """A zero cotangent with the structure of ``x``: 0.0, an array of zeros, or a list of them
    (``x`` may be a value or its saved ``shape_of``)."""
    if type(x) is _Shape:
        if x.dtype is None:
            return np.zeros(x) if x else 0.0
        return np.zeros(x, dtype=x.dtype if np.issubdtype(x.dtype, np.inexact) else float)
    if isinstance(x, (list, tuple)):
        return [zeros_like(v) for v in x]
    if isinstance(x, dict):
        return {k: zeros_like(v) for k, v in x.items()}
    if dataclasses.is_dataclass(x) and not isinstance(x, type):
        return {f.name: zeros_like(getattr(x, f.name)) for f in dataclasses.fields(x)}
    if isinstance(x, np.ndarray):
        return np.zeros(x.shape, dtype=x.dtype if np.issubdtype(x.dtype, np.inexact) else float)
    return 0.0


def appended(seq, value):
    """``seq.append(value)`` as an expression (how the core language writes it; the generated
    source prints it back as ``seq.append(value)``): the same list, changed in place."""
    seq.append(value)
    return seq


def scaled(g, partial):
    """``g * partial`` where ``g`` is 0 even if ``partial`` is inf or NaN: the branch
    np.where did not select contributes nothing (0 * inf would be NaN)."""
    with np.errstate(invalid="ignore", over="ignore"):
        return np.where(g == 0, 0.0, g * partial)


def add_seq(a, b, sign=1.0):
    """``a + sign * b`` element by element for the derivative of a list or tuple (where
    ``+`` would concatenate)."""
    if isinstance(a, dict) or isinstance(b, dict):   # parameters in a dict
        keys = a.keys() if isinstance(a, dict) else b.keys()
        pick = lambda d, k: d[k] if isinstance(d, dict) else d
        return {k: add_seq(pick(a, k), pick(b, k), sign) for k in keys}
    seq_a, seq_b = isinstance(a, (list, tuple)), isinstance(b, (list, tuple))
    if seq_a and seq_b:
        return [add_seq(x, y, sign) for x, y in zip(a, b)]
    if seq_a:       # b is a zero written as a scalar
        return [add_seq(x, b, sign) for x in a]
    if seq_b:
        return [add_seq(a, y, sign) for y in b]
    return a + b if sign == 1.0 else a - b


def add_at(dx, index, g):
    """``dx[index] += g`` that also accumulates over repeated integer indices."""
    if isinstance(dx, (list, dict)):
        dx[index] = add_seq(dx[index], g)    # an element may be a list: + would concatenate
    else:
        np.add.at(dx, index, g)
    return dx


def added_at(a, index, g):
    """``a`` with ``g`` added at ``index`` (repeated indices accumulate), as a new value: the
    pure form of ``add_at`` used when a derivative is differentiated again, and how the core
    language writes the user's ``np.add.at(a, index, g)`` (an array keeps its dtype)."""
    if isinstance(a, (list, dict)):
        a = type(a)(a)
        a[index] = add_seq(a[index], g)
        return a
    if isinstance(a, np.ndarray):
        a = a.copy()
    else:
        dtype = np.result_type(a, g)
        a = np.array(a, dtype=dtype if np.issubdtype(dtype, np.inexact) else float)
    np.add.at(a, index, g)
    return a


def copied(x):
    """A copy of the array ``x`` with ``x``'s strides, so that ``np.reshape`` and ``ravel`` view
    it or copy it as they would ``x``: how forward mode keeps an argument the original changes
    in place."""
    if x.flags.c_contiguous or x.flags.f_contiguous or x.size == 0:
        return x.copy(order="K")
    low, high = getattr(np.lib, "array_utils", np).byte_bounds(x)
    memory = np.empty(high - low, dtype=np.uint8)
    y = np.ndarray(x.shape, x.dtype, memory, x.__array_interface__["data"][0] - low, x.strides)
    y[...] = x
    return y


def last_written(d, index):
    """The cotangent of ``v`` in ``x[index] = v`` (before unbroadcasting): ``d[index]``, with
    zeros where a repeated integer index is written again later (NumPy keeps the last write)."""
    if _is_zero(d):
        return d
    if isinstance(d, (list, dict)):
        return d[index]
    part = np.array(d[index])
    order = np.arange(part.size).reshape(part.shape)
    writer = np.empty(np.shape(d), dtype=np.intp)
    writer[index] = order
    part[writer[index] != order] = 0.0
    return part


def stored_at(a, index, v):
    """``a`` with ``a[index] = v`` applied, as a new value: how a store into an element of a
    derivative's own array reads when the derivative is differentiated again (NumPy keeps the
    last of repeated integer indices, as ``a[index] = v`` does)."""
    if isinstance(a, (list, dict)):
        a = type(a)(a)
    else:
        a = np.array(a)     # a copy, of a's dtype (as the store keeps it)
    a[index] = v
    return a


def zeroed_at(g, index):
    """``g`` with zeros at ``index``: the cotangent of the array a store into ``index``
    overwrote (the old elements there reach nothing)."""
    if _is_zero(g):
        return g
    if isinstance(g, (list, dict)):
        g = type(g)(g)
        g[index] = zeros_like(g[index])
        return g
    g = np.array(g)
    g[index] = 0.0
    return g


def require_view(view, base, where):
    """srcad writes a change in place of ``view`` back into ``base``, as NumPy makes it when
    ``np.reshape`` or ``ravel`` returns a view; they return a copy of an array whose memory
    they cannot view, and then srcad cannot follow the change."""
    if not np.may_share_memory(view, base):
        from .errors import SrcadError
        filename, _, line = where.rpartition(":")
        raise SrcadError("cannot differentiate this change in place: np.reshape or ravel made "
                         "a copy here, not a view, of an array that is not contiguous",
                         filename, int(line), "make the copy explicit (.copy()) if the change "
                         "should not reach the original array, or pass a contiguous array "
                         "(np.ascontiguousarray)")


def reduced_max_grad(g, x, out, axis, keepdims):
    """Cotangent of ``max``/``min`` of ``x``: shared equally among tied maxima."""
    mask = x == unreduce(out, x, axis, keepdims)
    count = np.sum(mask, axis=axis, keepdims=True)
    return unreduce(g, x, axis, keepdims) * mask / count


def prod_grad(g, x, axis, keepdims):
    """Cotangent of ``np.prod``: the product of the other factors, exact even with zeros."""
    rows, restore = _groups(x, axis)
    return unreduce(g, x, axis, keepdims) * restore(_exclusive_prod(rows))


def prod_grad_dot(x, v, axis):
    """``M v`` where ``M[i, j]`` is the product of the factors other than ``i`` and ``j`` of
    each reduced group (zero on the diagonal): the derivative of the exclusive products along
    ``v``, for second derivatives of ``np.prod``. Exact with zeros."""
    rows, restore = _groups(x, axis)
    vrows, _ = _groups(v, axis)
    m = rows.shape[1]
    left, dleft = np.ones(rows.shape[0]), np.zeros(rows.shape[0])
    lefts, dlefts = [], []
    for i in range(m):
        lefts.append(left)
        dlefts.append(dleft)
        left, dleft = left * rows[:, i], dleft * rows[:, i] + left * vrows[:, i]
    right, dright = np.ones(rows.shape[0]), np.zeros(rows.shape[0])
    out = np.zeros(rows.shape)
    for i in reversed(range(m)):
        out[:, i] = dlefts[i] * right + lefts[i] * dright
        right, dright = right * rows[:, i], dright * rows[:, i] + right * vrows[:, i]
    return restore(out)


def _groups(x, axis):
    """``x`` as rows, one per reduced group, and the function that puts rows back in place."""
    x = np.asarray(x, dtype=np.result_type(x, float))
    if axis is None:
        return x.reshape(1, -1), lambda rows: rows.reshape(x.shape)
    axes = (axis,) if np.ndim(axis) == 0 else tuple(axis)
    axes = tuple(sorted(a % x.ndim for a in axes))
    keep = tuple(i for i in range(x.ndim) if i not in axes)
    moved = np.transpose(x, keep + axes)
    size = int(np.prod([x.shape[a] for a in axes]))
    rows = moved.reshape(-1, size)
    return rows, lambda r: np.transpose(r.reshape(moved.shape), np.argsort(keep + axes))


def _exclusive_prod(rows):
    left = np.cumprod(np.concatenate([np.ones((rows.shape[0], 1)), rows[:, :-1]], axis=1), axis=1)
    right = np.cumprod(np.concatenate([np.ones((rows.shape[0], 1)), rows[:, :0:-1]], axis=1), axis=1)[:, ::-1]
    return left * right


def dot_grad_left(g, a, b):
    """Cotangent of ``a`` in ``np.dot(a, b)`` for any ranks."""
    a_nd, b_nd = np.ndim(a), np.ndim(b)
    if a_nd == 0 or b_nd == 0:
        return unbroadcast(g * b, a)
    if b_nd == 1:
        return np.multiply.outer(g, b) if a_nd > 1 else g * b
    # g has shape a.shape[:-1] + b.shape[:-2] + b.shape[-1:]
    g_axes = tuple(range(a_nd - 1, np.ndim(g)))
    b_axes = tuple(i for i in range(b_nd) if i != b_nd - 2)
    return np.tensordot(g, b, (g_axes, b_axes))


def dot_grad_right(g, a, b):
    """Cotangent of ``b`` in ``np.dot(a, b)`` for any ranks."""
    a_nd, b_nd = np.ndim(a), np.ndim(b)
    if a_nd == 0 or b_nd == 0:
        return unbroadcast(g * a, b)
    if b_nd == 1:
        return np.tensordot(a, g, (tuple(range(a_nd - 1)), tuple(range(a_nd - 1))))
    g_axes = tuple(range(a_nd - 1))
    out = np.tensordot(a, g, (tuple(range(a_nd - 1)), g_axes))
    # out has shape (a.shape[-1],) + b.shape[:-2] + (b.shape[-1],): move the first axis to -2
    return np.moveaxis(out, 0, -2)


def matmul_grad_left(g, a, b):
    """Cotangent of ``a`` in ``a @ b`` (batched, broadcasting matmul)."""
    if np.ndim(b) == 1:
        ga = np.expand_dims(g, -1) * b if np.ndim(a) > 1 else g * b
    elif np.ndim(a) == 1:
        ga = np.matmul(np.expand_dims(g, -2), np.swapaxes(b, -1, -2))[..., 0, :]
    else:
        ga = np.matmul(g, np.swapaxes(b, -1, -2))
    return unbroadcast(ga, a)


def matmul_grad_right(g, a, b):
    """Cotangent of ``b`` in ``a @ b`` (batched, broadcasting matmul)."""
    if np.ndim(a) == 1:
        gb = np.expand_dims(a, -1) * np.expand_dims(g, -2) if np.ndim(b) > 1 else g * a
    elif np.ndim(b) == 1:
        gb = np.matmul(np.swapaxes(a, -1, -2), np.expand_dims(g, -1))[..., 0]
    else:
        gb = np.matmul(np.swapaxes(a, -1, -2), g)
    return unbroadcast(gb, b)


def assert_scalar(value):
    """``grad`` needs a scalar output; point array outputs at ``vjp`` and ``jacobian``."""
    if np.ndim(value) != 0 or not isinstance(value, (numbers.Number, np.generic, np.ndarray)):
        from .errors import UsageError
        if isinstance(value, (tuple, list)):
            what = f"a {type(value).__name__} of {len(value)} values"
        elif isinstance(value, (numbers.Number, np.generic, np.ndarray)):
            what = f"an array of shape {np.shape(value)}"
        else:
            what = f"{type(value).__name__} {value!r:.40}"
        raise UsageError(
            f"srcad.grad needs a function with a scalar output, but it returned {what}; use "
            f"srcad.vjp(f)(..., dout) for a vector-Jacobian product or srcad.jacobian (or "
            f"sum the output first)")


# ---- helpers of the NumPy rules -----------------------------------------------------------
# Most are the transposes of linear NumPy functions (their own rules, in srcad/rules/runtime.py,
# pair each with its transpose so derivatives can be differentiated again).

def _axes(axis, ndim):
    """``axis`` (None, an int or a sequence) as a sorted tuple of non-negative axes."""
    if axis is None:
        return tuple(range(ndim))
    axes = (axis,) if np.ndim(axis) == 0 else tuple(axis)
    return tuple(sorted(int(a) % ndim for a in axes))


def cumsum_grad(g, a, axis):
    """Cotangent of ``np.cumsum(a, axis)``: sums from the end (over the flattened ``a`` when
    ``axis`` is None)."""
    g = np.asarray(g)
    if axis is None:
        return np.reshape(np.flip(np.cumsum(np.flip(np.ravel(g)))), np.shape(a))
    return np.flip(np.cumsum(np.flip(g, axis), axis), axis)


def _sort_order(a, axis):
    return np.argsort(a, axis=axis, kind="stable")


def sorted_like(t, a, axis):
    """``t`` permuted the way ``np.sort(a, axis)`` permutes ``a`` (ties: stable order)."""
    t = np.broadcast_to(t, np.shape(a)) if np.shape(t) != np.shape(a) else t
    return np.take_along_axis(np.asarray(t), _sort_order(a, axis), axis=axis)


def taken_back(g, a, indices, axis):
    """Cotangent of ``np.take_along_axis(a, indices, axis)``: each element of ``g`` added back
    where it was taken from (a repeated index accumulates; a broadcast axis of ``a`` sums)."""
    out = np.zeros(np.shape(a), dtype=np.result_type(g, float))
    g = np.asarray(g)
    if axis is None:
        np.add.at(out.reshape(-1), np.ravel(indices), np.ravel(g))
        return out
    axis = axis % out.ndim
    mesh = np.ix_(*[np.arange(n) if out.shape[d] != 1 else np.zeros(n, dtype=np.intp)
                    for d, n in enumerate(g.shape)])
    index = list(np.broadcast_arrays(*mesh))
    index[axis] = np.broadcast_to(indices, g.shape)
    np.add.at(out, tuple(index), g)
    return out


def unsorted_like(g, a, axis):
    """The inverse permutation of ``sorted_like``: a sorted cotangent back in ``a``'s order."""
    order = _sort_order(a, axis)
    out = np.zeros(np.shape(a), dtype=np.result_type(g, float))
    g = np.broadcast_to(g, order.shape) if np.shape(g) != order.shape else g
    np.put_along_axis(out.reshape(-1) if axis is None else out, order, g, axis=axis)
    return out


def diff_grad(g, n, axis):
    """Cotangent of ``np.diff(a, n, axis)``: the transpose of differencing, ``n`` times."""
    for _ in range(n):
        g = np.asarray(g)
        zero = np.zeros_like(np.take(g, [0], axis=axis))
        g = np.diff(np.concatenate([zero, g, zero], axis=axis), axis=axis) * -1.0
    return g


def _first_true(condlist):
    """Index of the first true condition at each position (len(condlist) where none is)."""
    conds = np.broadcast_arrays(*[np.asarray(c, dtype=bool) for c in condlist])
    which = np.full(conds[0].shape, len(conds))
    for k in reversed(range(len(conds))):
        which = np.where(conds[k], k, which)
    return which


def none_of(condlist):
    """Where no condition of ``np.select`` holds (the default is chosen)."""
    return _first_true(condlist) == len(condlist)


def select_grad(g, condlist, choicelist):
    """Cotangents of ``np.select``'s choices: each gets ``g`` where it was chosen."""
    which = _first_true(condlist)
    return [unbroadcast(np.where(which == k, g, 0.0), c) for k, c in enumerate(choicelist)]


def weights_shape(weights, a, axis):
    """The shape that makes ``np.average``'s ``weights`` broadcast against ``a``."""
    if np.shape(weights) == np.shape(a) or axis is None:
        return np.shape(weights)
    shape = [1] * np.ndim(a)
    shape[_axes(axis, np.ndim(a))[0]] = -1
    return tuple(shape)


def _is_zero(t):
    """A scalar zero standing for a derivative that was never set."""
    return isinstance(t, (int, float, np.number)) and t == 0


def zeros_filled(t, like):
    """A tangent or cotangent with ``like``'s structure: scalar zeros (inactive parts) become
    zero arrays of the right shape, so that NumPy can stack or concatenate them."""
    if isinstance(like, (list, tuple)):
        if _is_zero(t):
            t = [0.0] * len(like)
        return [zeros_filled(x, y) for x, y in zip(t, like)]
    if isinstance(like, dict):
        return zeros_like(like) if _is_zero(t) else t
    if _is_zero(t) and np.ndim(like) > 0:
        return np.zeros(np.shape(like))
    return t


def unstack_like(g, like):
    """Split the cotangent of ``np.array(like)`` back into ``like``'s (nested) structure."""
    if isinstance(like, (list, tuple)):
        g = np.broadcast_to(g, (len(like),) + np.shape(g)[1:]) if np.ndim(g) == 0 else g
        return [unstack_like(g[i], x) for i, x in enumerate(like)]
    if np.ndim(like) == 0 and not isinstance(like, np.ndarray):
        return g[()] if isinstance(g, np.ndarray) else g
    return unbroadcast(g, like)


def spread(g, like):
    """Cotangents of the items of ``sum(like)``: ``g`` reduced to each item's shape."""
    return [unbroadcast(g, x) for x in like]


def _field_index(a, name):
    fields = getattr(type(a), "_fields", None)
    if fields is None or name not in fields:
        raise TypeError(f"srcad differentiates the fields of namedtuples and dataclasses, not "
                        f"the attribute .{name} of a {type(a).__name__}")
    return fields.index(name)


def field_grad(g, a, name):
    """The cotangent of ``a`` for ``a.<name>``: a namedtuple's as a list (its fields in
    order), a dataclass's as a dict of its fields, ``g`` at ``name``, zeros elsewhere."""
    if dataclasses.is_dataclass(a) and not isinstance(a, type):
        return {f.name: g if f.name == name else zeros_like(getattr(a, f.name))
                for f in dataclasses.fields(a)}
    at = _field_index(a, name)
    return [g if i == at else zeros_like(v) for i, v in enumerate(a)]


def field_tangent(da, a, name):
    """The tangent of ``a.<name>`` from ``a``'s (a list, a dict, the structure itself, or a
    scalar zero for a structure with no derivative)."""
    if isinstance(da, dict):
        return da[name]
    if isinstance(da, (list, tuple)):
        return da[_field_index(a, name)] if not hasattr(da, name) else getattr(da, name)
    if dataclasses.is_dataclass(da) and not isinstance(da, type):
        return getattr(da, name)
    return zeros_like(getattr(a, name))


def keep_aux(box, aux):
    """``has_aux``: put the function's aux where its derivative's caller finds it, as it is
    now (a copy of its arrays and containers: the reverse sweep puts back what the forward
    sweep changed in place, which would change an aux that shares their memory)."""
    if box is not None:
        box.append(_snapshot(aux))


def _snapshot(v):
    if isinstance(v, np.ndarray):
        return v.copy()
    if isinstance(v, list):
        return [_snapshot(e) for e in v]
    if isinstance(v, tuple):
        items = [_snapshot(e) for e in v]
        return type(v)._make(items) if hasattr(type(v), "_fields") else type(v)(items)
    if isinstance(v, dict):
        return {k: _snapshot(e) for k, e in v.items()}
    return v


def with_item(d, key, value):
    """``d[key] = value`` as a new dict (how the core language writes a store into a dict no
    other name holds: the reverse sweep needs no old value put back, the key may be new)."""
    new = dict(d)
    new[key] = value
    return new


def item_dropped(g, like, key):
    """The cotangent of the dict before ``with_item(like, key, ...)``: ``g`` on ``like``'s keys,
    zero at ``key`` (its old value, if it had one, was overwritten)."""
    return {k: zeros_like(g[k]) if k == key else g[k] for k in like}


def item_padded(g, like, key):
    """The transpose of ``item_dropped``: ``g`` on ``like``'s keys, zero at ``key``."""
    return {k: zeros_like(v) if k == key or k not in g else g[k] for k, v in like.items()}


def got_tangent(da, d, key, ddefault):
    """The tangent of ``d.get(key, default)``."""
    if key not in d:
        return ddefault
    return da[key] if isinstance(da, dict) else zeros_like(d[key])


def item_grad(g, d, key):
    """The cotangent of ``d`` for ``d.get(key, ...)``: ``g`` at ``key`` if ``d`` has it."""
    return {k: g if k == key else zeros_like(v) for k, v in d.items()}


def default_grad(g, d, key):
    """The cotangent of the default of ``d.get(key, default)``: ``g`` if ``d`` lacks ``key``."""
    return zeros_like(g) if key in d else g


def picked_index(seq, chosen):
    """Where ``max(seq)`` (or ``min``) found what it returned: the first item that is it."""
    items = list(seq)
    for i, v in enumerate(items):
        if v is chosen:
            return i
    for i, v in enumerate(items):
        if np.all(v == chosen):
            return i
    raise ValueError("max/min: the result is not an item of the sequence")


def picked(g, seq, chosen):
    """Cotangents of ``seq``'s items for ``max(seq)``: ``g`` for the item it returned."""
    at = picked_index(seq, chosen)
    return [g if i == at else 0.0 for i in range(len(seq))]


def _join(how, parts, axis):
    if how == "stack":
        return np.stack(parts, axis)
    if how == "hstack":
        return np.hstack(parts)
    if how == "vstack":
        return np.vstack(parts)
    return np.concatenate(parts, axis)


def joined(parts, arrays, axis, how):
    """``np.concatenate``/``stack``/``hstack``/``vstack`` of ``parts`` (shaped like
    ``arrays``), with scalar zero parts filled in."""
    return _join(how, zeros_filled(parts, list(arrays)), axis)


def split_like(g, arrays, axis, how):
    """The transpose of ``joined``: the pieces of ``g`` that came from each of ``arrays``."""
    shapes = [np.shape(x) for x in arrays]
    if np.ndim(g) == 0:
        return [np.broadcast_to(g, s) for s in shapes]
    if how == "stack":
        return [np.take(g, i, axis=axis) for i in range(len(shapes))]
    if how == "hstack":
        flat = [np.atleast_1d(np.zeros(s)) for s in shapes]
        axis = 0 if flat[0].ndim == 1 else 1
    elif how == "vstack":
        flat, axis = [np.atleast_2d(np.zeros(s)) for s in shapes], 0
    else:
        flat = [np.zeros(s) for s in shapes]
    if axis is None:
        g, flat, axis = np.ravel(g), [x.ravel() for x in flat], 0
    bounds = np.cumsum([x.shape[axis] for x in flat])[:-1]
    return [np.reshape(p, s) for p, s in zip(np.split(g, bounds, axis=axis), shapes)]


def untile(g, A, reps):
    """Cotangent of ``np.tile(A, reps)``: the sum over the copies."""
    reps = (reps,) if np.ndim(reps) == 0 else tuple(reps)
    shape = np.shape(A)
    d = max(len(shape), len(reps))
    shape_d, reps_d = (1,) * (d - len(shape)) + shape, (1,) * (d - len(reps)) + reps
    split = [n for pair in zip(reps_d, shape_d) for n in pair]
    g = np.reshape(np.broadcast_to(g, tuple(r * s for r, s in zip(reps_d, shape_d))), split)
    return np.reshape(np.sum(g, axis=tuple(range(0, 2 * d, 2))), shape)


def unrepeat(g, a, repeats, axis):
    """Cotangent of ``np.repeat(a, repeats, axis)``: each element sums its copies."""
    a_shape = np.shape(a)
    if axis is None:
        g, axis, n = np.ravel(g), 0, int(np.prod(a_shape))
    else:
        axis = axis % len(a_shape)
        n = a_shape[axis]
    counts = np.broadcast_to(repeats, (n,))
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(int)
    out = np.add.reduceat(g, np.minimum(starts, max(np.shape(g)[axis] - 1, 0)), axis=axis) \
        if np.shape(g)[axis] else np.zeros(np.shape(g)[:axis] + (n,) + np.shape(g)[axis + 1:])
    empty = np.reshape(counts == 0, [n if i == axis else 1 for i in range(np.ndim(out))])
    return np.reshape(np.where(empty, 0.0, out), a_shape)


def diagonal_grad(g, a, offset=0, axis1=0, axis2=1):
    """Cotangent of ``np.diagonal(a, offset, axis1, axis2)``: ``g`` written on that diagonal."""
    shape = np.shape(a)
    nd = len(shape)
    axis1, axis2 = axis1 % nd, axis2 % nd
    rest = [i for i in range(nd) if i not in (axis1, axis2)]
    moved = np.zeros(tuple(shape[i] for i in rest) + (shape[axis1], shape[axis2]),
                     dtype=np.result_type(g, float))
    count = np.shape(np.diagonal(moved, offset, -2, -1))[-1]
    rows = np.arange(count) + max(-offset, 0)
    cols = np.arange(count) + max(offset, 0)
    moved[..., rows, cols] = g
    return np.moveaxis(moved, (-2, -1), (axis1, axis2))


def diag_grad(g, v, k=0):
    """Cotangent of ``np.diag(v, k)``: the k-th diagonal of ``g`` (``v`` 1-D) or ``g`` placed
    on the k-th diagonal of a matrix shaped like ``v`` (``v`` 2-D)."""
    if np.ndim(v) == 1:
        return np.diagonal(g, k)
    return diagonal_grad(g, v, k, 0, 1)


def trace_grad(g, a, offset=0, axis1=0, axis2=1):
    """Cotangent of ``np.trace(a, offset, axis1, axis2)``: ``g`` along the diagonal."""
    count = np.shape(np.diagonal(np.empty(np.shape(a)), offset, axis1, axis2))[-1]
    g = np.asarray(g)
    return diagonal_grad(np.broadcast_to(g[..., None], g.shape + (count,)), a, offset, axis1, axis2)


def _tensordot_axes(a, b, axes):
    na, nb = np.ndim(a), np.ndim(b)
    if np.ndim(axes) == 0:
        return list(range(na - axes, na)), list(range(axes))
    left, right = axes
    left = [left] if np.ndim(left) == 0 else list(left)
    right = [right] if np.ndim(right) == 0 else list(right)
    return [x % na for x in left], [x % nb for x in right]


def tensordot_grad_left(g, a, b, axes=2):
    """Cotangent of ``a`` in ``np.tensordot(a, b, axes)``."""
    left, right = _tensordot_axes(a, b, axes)
    free_a = [i for i in range(np.ndim(a)) if i not in left]
    free_b = [i for i in range(np.ndim(b)) if i not in right]
    g_axes = list(range(len(free_a), len(free_a) + len(free_b)))
    out = np.tensordot(g, b, (g_axes, free_b))
    # axes: free_a, then b's contracted axes in b's order (matched to a's through `left`)
    order = free_a + [left[right.index(q)] for q in sorted(right)]
    return np.transpose(out, np.argsort(order))


def tensordot_grad_right(g, a, b, axes=2):
    """Cotangent of ``b`` in ``np.tensordot(a, b, axes)``."""
    left, right = _tensordot_axes(a, b, axes)
    free_a = [i for i in range(np.ndim(a)) if i not in left]
    free_b = [i for i in range(np.ndim(b)) if i not in right]
    out = np.tensordot(a, g, (free_a, list(range(len(free_a)))))
    # axes: a's contracted axes in a's order (matched to b's through `right`), then free_b
    order = [right[left.index(p)] for p in sorted(left)] + free_b
    return np.transpose(out, np.argsort(order))


def kron_grad_left(g, a, b):
    """Cotangent of ``a`` in ``np.kron(a, b)``."""
    return _kron_grad(g, a, b, True)


def kron_grad_right(g, a, b):
    """Cotangent of ``b`` in ``np.kron(a, b)``."""
    return _kron_grad(g, a, b, False)


def _kron_grad(g, a, b, left):
    d = max(np.ndim(a), np.ndim(b))
    sa = (1,) * (d - np.ndim(a)) + np.shape(a)
    sb = (1,) * (d - np.ndim(b)) + np.shape(b)
    g4 = np.reshape(g, [n for pair in zip(sa, sb) for n in pair])
    letters = "abcdefghijklmnopqrstuvwxyz"
    ia, ib = letters[:d], letters[d:2 * d]
    gi = "".join(x + y for x, y in zip(ia, ib))
    if left:
        return np.reshape(np.einsum(f"{gi},{ib}->{ia}", g4, np.reshape(b, sb)), np.shape(a))
    return np.reshape(np.einsum(f"{gi},{ia}->{ib}", g4, np.reshape(a, sa)), np.shape(b))


def _einsum_parse(subscripts, operands):
    """Input and output subscripts of an einsum, with ``...`` spelled out as letters."""
    spec = subscripts.replace(" ", "")
    ins, _, out = spec.partition("->")
    ins = ins.split(",")
    spare = [c for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz" if c not in spec]
    width = max([np.ndim(x) - len(s.replace("...", "")) for s, x in zip(ins, operands)
                 if "..." in s] or [0])
    ell = "".join(spare[:width])
    ins = [s.replace("...", ell[width - (np.ndim(x) - len(s.replace("...", ""))):])
           for s, x in zip(ins, operands)]
    if "->" not in spec:
        counts = {c: "".join(ins).count(c) for c in "".join(ins)}
        out = ell + "".join(sorted(c for c, n in counts.items() if n == 1 and c not in ell))
    else:
        out = out.replace("...", ell)
    return ins, out


def einsum_grad(g, subscripts, operands, i):
    """Cotangent of ``operands[i]`` in ``np.einsum(subscripts, *operands)``: the einsum of the
    cotangent with the other operands, broadcast over letters only operand ``i`` has, and put on
    the diagonal where operand ``i`` repeats a letter."""
    ins, out = _einsum_parse(subscripts, operands)
    target = ins[i]
    others = [s for j, s in enumerate(ins) if j != i]
    unique = "".join(dict.fromkeys(target))
    known = "".join(c for c in unique if c in out or any(c in s for s in others))
    r = np.einsum(",".join([out] + others) + "->" + known, g,
                  *[x for j, x in enumerate(operands) if j != i])
    sizes = dict(zip(target, np.shape(operands[i])))
    r = np.reshape(r, [sizes[c] if c in known else 1 for c in unique])
    r = np.broadcast_to(r, [sizes[c] for c in unique])
    if unique == target:
        return r
    full = np.zeros(np.shape(operands[i]), dtype=np.result_type(r, float))
    np.einsum(f"{target}->{unique}", full)[...] = r
    return full


def einsum_replaced(subscripts, operands, i, x):
    """``np.einsum(subscripts, *operands)`` with ``operands[i]`` replaced by ``x``."""
    return np.einsum(subscripts, *[x if j == i else y for j, y in enumerate(operands)])


def einsum_grad_cross(g, subscripts, operands, i, u):
    """Cotangents of the other operands in ``<u, einsum_grad(g, subscripts, operands, i)>``."""
    replaced = [u if j == i else y for j, y in enumerate(operands)]
    return [np.zeros(np.shape(operands[i])) if j == i else einsum_grad(g, subscripts, replaced, j)
            for j in range(len(operands))]


def cast_grad(g, a, dtype):
    """Cotangent of ``a.astype(dtype)``: passes through a float cast, zero through an
    integer or boolean one."""
    if np.issubdtype(np.dtype(dtype), np.inexact):
        return np.asarray(g).astype(np.result_type(a, float)) if isinstance(a, np.ndarray) else g
    return np.zeros(np.shape(a))


def cast_tangent(t, dtype):
    """Tangent of ``a.astype(dtype)`` (zero for an integer or boolean cast)."""
    if np.issubdtype(np.dtype(dtype), np.inexact):
        return np.asarray(t).astype(dtype)
    return np.zeros(np.shape(t))


def tril_half_diag(x):
    """The lower triangle of ``x`` with its diagonal halved (Phi in the Cholesky rules)."""
    return np.tril(x) - 0.5 * x * np.eye(np.shape(x)[-1])


def norm_grad(g, x, out, ord=None, axis=None, keepdims=False):
    """Cotangent of a vector norm ``np.linalg.norm(x, ord, axis, keepdims)`` for the orders
    srcad supports (None, 2, 1, inf, -inf; 'fro' and None for matrices)."""
    matrix = (axis is None and np.ndim(x) == 2) or (axis is not None and np.ndim(axis) == 1
                                                     and len(axis) == 2)
    if ord in (None, "fro") or (ord == 2 and not matrix):
        return unreduce(g / out, x, axis, keepdims) * x
    if not matrix and ord == 1:
        return unreduce(g, x, axis, keepdims) * np.sign(x)
    if not matrix and ord in (np.inf, -np.inf):
        return reduced_max_grad(g, np.abs(x), out, axis, keepdims) * np.sign(x)
    from .errors import NoRule, call_site  # the order was a variable: known only now
    raise NoRule(f"cannot differentiate np.linalg.norm with ord={ord!r} of a "
                 f"{'matrix' if matrix else 'vector'}: srcad has only ord None/2/1/inf/-inf "
                 "of vectors and None/'fro' of matrices", *call_site(),
                 "use one of those orders, or give the norm a rule (srcad.defrule)")


def transpose_axes(axes):
    """The permutation of ``a.transpose(*axes)`` (``()``, ``(p,)`` or ``(i, j, ...)``)."""
    if len(axes) == 1 and np.ndim(axes[0]) == 1:
        axes = tuple(axes[0])
    return tuple(axes) if len(axes) and axes[0] is not None else None


def inverse_axes(axes, ndim):
    """The permutation that undoes ``transpose_axes(axes)`` on a rank-``ndim`` array."""
    perm = transpose_axes(axes)
    return tuple(np.argsort(perm if perm is not None else tuple(range(ndim))[::-1]))


def einsum_grad_tangent(g, subscripts, operands, i, tangents):
    """Tangent of ``einsum_grad(g, subscripts, operands, i)`` along the other operands'
    ``tangents`` (scalar zeros skipped)."""
    total = 0.0
    for j, t in enumerate(tangents):
        if j != i and not _is_zero(t):
            replaced = [t if k == j else y for k, y in enumerate(operands)]
            total = total + einsum_grad(g, subscripts, replaced, i)
    return total


def xlogy(x, y):
    """``x * log(y)``, and 0 where ``x`` is 0: the derivative of ``y ** p`` in ``p`` is
    ``xlogy(y ** p, y)``, which is 0 at ``y = 0`` (where ``log`` alone gives ``0 * -inf``)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        r = np.where(np.equal(x, 0), 0.0, np.multiply(x, np.log(y)))
    return r[()] if r.ndim == 0 else r


def polygamma(n, x):
    """``scipy.special.polygamma(n, x)`` (``digamma`` for n = 0): the derivatives of the
    scipy.special rules call it. scipy is an optional extra, imported on the first call."""
    from scipy import special
    r = special.digamma(x) if np.ndim(n) == 0 and n == 0 else special.polygamma(n, x)
    return r[()] if np.ndim(r) == 0 else r


def concat(a, b):
    """``a + b`` on tuples or lists: the key of the rule of a concatenation (generated code
    writes ``a + b`` itself)."""
    return a + b


def concat_tangent(x, y, a, b):
    """The derivative of ``a + b`` (tuples or lists) from ``x`` and ``y``, those of ``a`` and
    ``b``; a scalar zero stands for a sequence of zeros."""
    x = x if isinstance(x, (list, tuple)) else zeros_like(a)
    y = y if isinstance(y, (list, tuple)) else zeros_like(b)
    return list(x) + list(y)


def repeat(a, n):
    """``a * n`` on a tuple or a list: the key of the rule of a repetition (generated code
    writes ``a * n`` itself)."""
    return a * n


def repeat_grad(g, a):
    """The derivative of ``a`` from that of ``a * n``: the sum over the n copies (a scalar
    zero stands for a sequence of zeros)."""
    if not isinstance(g, (list, tuple)):
        return g
    k = len(a)
    if k == 0 or not g:
        return zeros_like(a)
    total = list(g[:k])
    for start in range(k, len(g), k):
        total = [add_seq(x, y) for x, y in zip(total, g[start:start + k])]
    return total


def repeat_tangent(x, a, n):
    """The derivative of ``a * n`` from ``x``, that of ``a``."""
    return list(x if isinstance(x, (list, tuple)) else zeros_like(a)) * n


def keys_of(d):
    """The keys of the dict ``d``, in order, as a list: a loop over ``d.items()`` reads them."""
    return list(d)


def loop_keys(q, where):
    """What ``for k in q`` yields, as a list, where the loop reads ``q`` by what it yields (a
    dict's keys, a set's items; or ``q`` the body indexes with them, ``q[k]``, as a dict is).
    The index loop reads this list, so no derivative flows from it: a dict's keys never carry
    one, but a float or an array from anything else might, and is refused, not dropped."""
    if isinstance(q, collections.abc.Mapping):
        return list(q)
    try:
        items = list(q)
    except TypeError:
        _refuse_loop(q, where, "it is not iterable", "loop over a list, a tuple or an array")
    if any(_may_carry_derivative(v) for v in items):
        if isinstance(q, collections.abc.Set):
            _refuse_loop(q, where, "its numbers may carry a derivative, which srcad cannot "
                         "follow through a set", "loop over a list or a tuple of them")
        _refuse_loop(q, where, "srcad read it by what it yields, as a dict (the loop indexes "
                     "it with those values), and its numbers may carry a derivative that "
                     "this would lose", "loop over positions to read it by position (for i "
                     "in range(len(q)): x = q[i]), or over d.keys() if it is a dict")
    return items


def require_sequence(q, where):
    """srcad reads ``for x in q`` as ``x = q[i]`` where it could not tell at transform time what
    ``q`` holds (a helper's result, a global, an argument of another kind): that is Python's
    loop for a list, a tuple, an array, a range or a string only. Anything else is refused at
    the loop's line, never read by position (``d[0]`` of a dict is a wrong value)."""
    if isinstance(q, collections.abc.Sequence) or isinstance(q, np.ndarray) and q.ndim:
        return
    if isinstance(q, collections.abc.Mapping):
        _refuse_loop(q, where, "srcad did not know at transform time that it is a dict, and "
                     "reads a loop by position where it cannot tell",
                     "loop over d.keys() or d.items(), or read d[k] in the loop, so srcad "
                     "sees it is a dict")
    if isinstance(q, (collections.abc.KeysView, collections.abc.ValuesView)):
        _refuse_loop(q, where, "a view bound to a name passed from elsewhere is read by "
                     "position", "write the view in the for statement (for k in d.keys()) or "
                     "make a list of it first (list(d.keys()))")
    if isinstance(q, collections.abc.Set):
        _refuse_loop(q, where, "srcad did not know at transform time that it is a set",
                     "loop over sorted(s), or pass a list or a tuple")
    if isinstance(q, collections.abc.Iterator):
        _refuse_loop(q, where, "an iterator (a generator, map, filter or iter) yields its "
                     "values once, and srcad reads a loop by position",
                     "loop over the iterable it is made from, or make the list with a comprehension "
                     "([v for v in it])")
    _refuse_loop(q, where, "srcad reads a loop by position, and this value is not a list, "
                 "a tuple or an array", "loop over a list, a tuple or an array")


def _refuse_loop(q, where, why, hint):
    from .errors import UnsupportedSyntax
    filename, _, line = where.rpartition(":")
    raise UnsupportedSyntax(f"cannot differentiate this loop over a {type(q).__name__}: {why}",
                            filename, int(line), hint)


def _may_carry_derivative(value):
    """A float, or an array or a structure that holds one."""
    if isinstance(value, (float, complex, np.inexact)):
        return True
    if isinstance(value, np.ndarray):
        return value.dtype.kind in "fc"
    if isinstance(value, (list, tuple)):
        return any(_may_carry_derivative(v) for v in value)
    return False
