"""Test oracles: central finite differences in float64, closeness helpers, and the checks
every gradient test goes through.

* ``numeric_grad(f, args, i)``   d f / d args[i] by central differences (float or array arg)
* ``numeric_jvp(f, args, i, v)`` J v by central differences along the direction ``v``
* ``assert_close(got, want)``    relative + absolute tolerance, with a readable message
* ``check_grad(f, args, wrt)``   srcad.grad and srcad.value_and_grad vs FD; returns srcad's grad
* ``check_vjp(f, args, wrt, u)`` dot-product test for vector outputs: <vjp(u), v> = <u, J v>
"""
import copy
import inspect

import numpy as np

import srcad

H = 1e-6          # relative step of the central differences
RTOL = 1e-5       # srcad vs FD, float64
ATOL = 1e-6
RTOL32 = 2e-3     # srcad (computed in float32) vs FD (float64)
ATOL32 = 2e-3


# ---- argument helpers -------------------------------------------------------------------------
def is_float_arg(v):
    """Arguments srcad differentiates with respect to: Python floats and float arrays."""
    if isinstance(v, bool):
        return False
    if isinstance(v, float):
        return True
    return isinstance(v, np.ndarray) and np.issubdtype(v.dtype, np.floating)


def float_arg_indices(args):
    return [i for i, a in enumerate(args) if is_float_arg(a)]


def fresh(args):
    """Deep copies, so that no call can see another's (possibly mutated) arguments."""
    return [copy.deepcopy(a) for a in args]


def to64(v):
    if isinstance(v, np.ndarray) and np.issubdtype(v.dtype, np.floating):
        return v.astype(np.float64)
    return copy.deepcopy(v)


def param_names(f):
    return list(inspect.signature(f).parameters)


def wrt_indices(f, args, wrt):
    """Positional indices of ``wrt`` (index, name, or tuple of either), and whether it's a tuple."""
    names = param_names(f)
    many = isinstance(wrt, (tuple, list))
    items = list(wrt) if many else [wrt]
    out = []
    for w in items:
        out.append(names.index(w) if isinstance(w, str) else w % len(names))
    return out, many


def as_scalar(out):
    """A scalar function's value as a Python float (accepts 0-d arrays and numpy scalars)."""
    arr = np.asarray(out)
    assert arr.shape == (), f"function output is not a scalar: shape {arr.shape}"
    return float(arr)


# ---- finite differences -----------------------------------------------------------------------
def _shifted(args, i, delta):
    new = [to64(a) for a in args]
    new[i] = new[i] + delta
    return new


def numeric_grad(f, args, i, h=H):
    """Central-difference derivative of scalar ``f(*args)`` wrt ``args[i]``, in float64."""
    x = args[i]
    if isinstance(x, float):
        step = h * max(1.0, abs(x))
        fp = as_scalar(f(*_shifted(args, i, step)))
        fm = as_scalar(f(*_shifted(args, i, -step)))
        return (fp - fm) / (2.0 * step)
    x = np.asarray(x, dtype=np.float64)
    g = np.zeros(x.shape, dtype=np.float64)
    for idx in np.ndindex(*x.shape):
        step = h * max(1.0, abs(x[idx]))
        e = np.zeros_like(x)
        e[idx] = step
        fp = as_scalar(f(*_shifted(args, i, e)))
        fm = as_scalar(f(*_shifted(args, i, -e)))
        g[idx] = (fp - fm) / (2.0 * step)
    return g


def numeric_jvp(f, args, indices, directions, h=H):
    """Central-difference J v of (vector-valued) ``f`` along ``directions`` for ``args[indices]``."""
    scale = max([1.0] + [float(np.max(np.abs(np.asarray(args[i], dtype=float))))
                         for i in indices])
    step = h * scale

    def at(sign):
        new = [to64(a) for a in args]
        for i, v in zip(indices, directions):
            if isinstance(new[i], np.ndarray):
                new[i] = new[i] + sign * step * np.asarray(v, dtype=np.float64)
            else:
                new[i] = new[i] + sign * step * float(v)
        return np.asarray(f(*new), dtype=np.float64)
    return (at(1.0) - at(-1.0)) / (2.0 * step)


# ---- closeness --------------------------------------------------------------------------------
def close(got, want, rtol=RTOL, atol=ATOL):
    got = np.asarray(got, dtype=np.float64)
    want = np.asarray(want, dtype=np.float64)
    if got.shape != want.shape:
        return False
    return bool(np.all(np.abs(got - want) <= atol + rtol * np.abs(want)))


def assert_close(got, want, rtol=RTOL, atol=ATOL, what="value"):
    g = np.asarray(got, dtype=np.float64)
    w = np.asarray(want, dtype=np.float64)
    assert g.shape == w.shape, f"{what}: shape {g.shape}, expected {w.shape}"
    if not close(g, w, rtol, atol):
        err = np.max(np.abs(g - w)) if g.size else 0.0
        raise AssertionError(f"{what}: srcad gives\n{got!r}\nexpected\n{want!r}\n"
                             f"(max abs error {err:.3g}, rtol={rtol}, atol={atol})")


def tolerances(x):
    if isinstance(x, np.ndarray) and x.dtype == np.float32:
        return RTOL32, ATOL32
    return RTOL, ATOL


def assert_matches_arg(g, x, what="gradient"):
    """A gradient wrt a Python float is a float; wrt an array, an array of its shape and dtype."""
    if isinstance(x, float):
        assert type(g) is float, f"{what}: expected a Python float, got {type(g).__name__}: {g!r}"
    else:
        assert isinstance(g, np.ndarray), \
            f"{what}: expected an ndarray, got {type(g).__name__}: {g!r}"
        assert g.shape == x.shape, f"{what}: shape {g.shape}, expected {x.shape}"
        assert g.dtype == x.dtype, f"{what}: dtype {g.dtype}, expected {x.dtype}"


# ---- the checks -------------------------------------------------------------------------------
def check_grad(f, args, wrt=0, value_and_grad=True):
    """srcad.grad(f, wrt)(*args) vs central differences, plus (unless ``value_and_grad`` is
    false) srcad.value_and_grad: its value must equal f(*args) and its gradient srcad.grad's.
    Returns srcad's gradient (a tuple if wrt is one)."""
    args = list(args)
    indices, many = wrt_indices(f, args, wrt)
    got = srcad.grad(f, wrt=wrt)(*fresh(args))
    grads = list(got) if many else [got]
    if many:
        assert isinstance(got, tuple) and len(got) == len(indices), \
            f"wrt={wrt!r}: expected a tuple of {len(indices)} gradients, got {got!r}"
    for i, g in zip(indices, grads):
        name = param_names(f)[i]
        assert_matches_arg(g, args[i], what=f"d{f.__name__}/d{name}")
        want = numeric_grad(f, fresh(args), i)
        rtol, atol = tolerances(args[i])
        assert_close(g, want, rtol, atol, what=f"d{f.__name__}/d{name} at {args!r}")
    if not value_and_grad:
        return got

    value, vgot = srcad.value_and_grad(f, wrt=wrt)(*fresh(args))
    want_value = f(*fresh(args))
    assert_close(value, want_value, 1e-12, 1e-12, what=f"value_and_grad({f.__name__}) value")
    vgrads = list(vgot) if many else [vgot]
    assert len(vgrads) == len(grads)
    for i, g, vg in zip(indices, grads, vgrads):
        assert_matches_arg(vg, args[i], what="value_and_grad gradient")
        assert_close(vg, g, 1e-10, 1e-12, what="value_and_grad gradient vs grad")
    return got


def check_vjp(f, args, wrt, u, seed=0):
    """Dot-product test of srcad.vjp: <vjp(u), v> == <u, J v> for random directions v."""
    args = list(args)
    indices, many = wrt_indices(f, args, wrt)
    got = srcad.vjp(f, wrt=wrt)(*fresh(args), u)
    cots = list(got) if many else [got]
    assert len(cots) == len(indices)
    rng = np.random.default_rng(seed)
    directions = []
    for i, c in zip(indices, cots):
        assert_matches_arg(c, args[i], what="vjp cotangent")
        x = args[i]
        directions.append(float(rng.standard_normal()) if isinstance(x, float)
                          else rng.standard_normal(np.shape(x)))
    lhs = sum(float(np.sum(np.asarray(c, dtype=float) * v)) for c, v in zip(cots, directions))
    jv = numeric_jvp(f, fresh(args), indices, directions)
    rhs = float(np.sum(np.asarray(u, dtype=float) * jv))
    assert_close(lhs, rhs, 1e-5, 1e-6, what=f"<vjp(u), v> vs <u, J v> for {f.__name__}")
    return got


def check_jvp(f, args, wrt=0, seed=0):
    """srcad.jvp(f, wrt)(*args, *tangents) along random directions: its value is f's, its
    tangent the central difference of f along them. Returns the tangent."""
    args = list(args)
    indices, many = wrt_indices(f, args, wrt)
    rng = np.random.default_rng(seed)
    directions = [float(rng.standard_normal()) if isinstance(args[i], float)
                  else rng.standard_normal(np.shape(args[i])) for i in indices]
    value, tangent = srcad.jvp(f, wrt=wrt)(*fresh(args), *directions)
    assert_close(value, f(*fresh(args)), 1e-12, 1e-12, what=f"jvp({f.__name__}) value")
    want = numeric_jvp(f, fresh(args), indices, directions)
    assert_close(tangent, want, 1e-5, 1e-6, what=f"jvp({f.__name__}) tangent at {args!r}")
    return tangent
