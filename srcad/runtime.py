"""The few helpers generated derivative code calls: shape bookkeeping that has no one-line form."""
import numpy as np


def unbroadcast(g, x):
    """Sum ``g`` down to the shape of ``x`` (undo NumPy broadcasting in a reverse sweep)."""
    shape = np.shape(x)
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
    shape = np.shape(x)
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
    """A zero cotangent with the structure of ``x``: 0.0, an array of zeros, or a list of them."""
    if isinstance(x, (list, tuple)):
        return [zeros_like(v) for v in x]
    if isinstance(x, np.ndarray):
        return np.zeros(x.shape, dtype=x.dtype if np.issubdtype(x.dtype, np.inexact) else float)
    return 0.0


def add_seq(a, b, sign=1.0):
    """``a + sign * b`` element by element for the derivative of a list or tuple (where
    ``+`` would concatenate)."""
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
    if isinstance(dx, list):
        dx[index] = dx[index] + g
    else:
        np.add.at(dx, index, g)
    return dx


def added_at(a, index, g):
    """``a`` with ``g`` added at ``index`` (repeated indices accumulate), as a new value: the
    pure form of ``add_at`` used when a derivative is differentiated again."""
    if isinstance(a, list):
        a = list(a)
        a[index] = a[index] + g
        return a
    dtype = np.result_type(a, g)
    a = np.array(a, dtype=dtype if np.issubdtype(dtype, np.inexact) else float)
    np.add.at(a, index, g)
    return a


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
    if np.ndim(value) != 0:
        raise TypeError(
            f"srcad.grad needs a function with a scalar output, but it returned an array of "
            f"shape {np.shape(value)}; use srcad.vjp(f)(..., dout) for a vector-Jacobian "
            f"product (or sum the output first)")
