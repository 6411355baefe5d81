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
    x = np.asarray(x)
    if axis is None:
        flat = x.reshape(-1)
        others = _exclusive_prod(flat[None, :])[0].reshape(x.shape)
        return unreduce(g, x, None, keepdims) * others
    axes = (axis,) if np.ndim(axis) == 0 else tuple(axis)
    axes = tuple(sorted(a % x.ndim for a in axes))
    keep = tuple(i for i in range(x.ndim) if i not in axes)
    moved = np.transpose(x, keep + axes)
    lead = moved.shape[:len(keep)]
    others = _exclusive_prod(moved.reshape(lead + (-1,)).reshape(-1, int(np.prod(moved.shape[len(keep):]))))
    others = others.reshape(moved.shape)
    others = np.transpose(others, np.argsort(keep + axes))
    return unreduce(g, x, axis, keepdims) * others


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
