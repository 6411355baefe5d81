"""srcad.jacobian: reverse and forward sweeps agree to 1e-10 and match finite differences."""
import numpy as np
import pytest

import srcad


def loop_map(x, W, n):
    h = x
    for i in range(n):
        if i % 2 == 0:
            h = np.tanh(W @ h) + 0.1 * h
        else:
            h = h * np.sin(h)
    return h


BASIS = np.array([1.0, -2.0, 0.5])


def scalar_pair(a, b):
    return np.sin(a * BASIS) * b + np.exp(BASIS * b - a)


def matrix_out(x):
    return x.reshape(3, 1) * x * np.sum(x)


def finite_jacobian(fn, args, i, h=1e-6):
    x = np.asarray(args[i], dtype=float)
    value = np.asarray(fn(*args))
    out = np.zeros(value.shape + x.shape)
    for k in np.ndindex(x.shape):
        up, down = list(args), list(args)
        if x.ndim:
            e = np.zeros(x.shape)
            e[k] = h
            up[i], down[i] = x + e, x - e
        else:
            up[i], down[i] = float(x) + h, float(x) - h
        out[(Ellipsis,) + k] = (np.asarray(fn(*up)) - np.asarray(fn(*down))) / (2 * h)
    return out


rng = np.random.default_rng(3)
CASES = [
    (loop_map, (rng.normal(size=3), 0.5 * rng.normal(size=(3, 3)), 4), (0, 1)),
    (scalar_pair, (0.7, 1.3), (0, 1)),
    (matrix_out, (rng.normal(size=3),), 0),
]


@pytest.mark.parametrize("fn, args, wrt", CASES, ids=[c[0].__name__ for c in CASES])
def test_modes_agree_and_match_finite_differences(fn, args, wrt):
    rev = srcad.jacobian(fn, wrt=wrt, mode="reverse")(*args)
    fwd = srcad.jacobian(fn, wrt=wrt, mode="forward")(*args)
    auto = srcad.jacobian(fn, wrt=wrt, mode="auto")(*args)
    rev, fwd, auto = [r if isinstance(wrt, tuple) else (r,) for r in (rev, fwd, auto)]
    for i, r, f, a in zip(wrt if isinstance(wrt, tuple) else (wrt,), rev, fwd, auto):
        out = np.asarray(fn(*args))
        assert r.shape == out.shape + np.shape(args[i])
        np.testing.assert_allclose(r, f, rtol=1e-10, atol=1e-10)
        np.testing.assert_allclose(a, r, rtol=1e-10, atol=1e-10)
        np.testing.assert_allclose(r, finite_jacobian(fn, args, i), rtol=1e-5, atol=1e-6)


def test_bad_mode():
    with pytest.raises(ValueError, match="mode"):
        srcad.jacobian(scalar_pair, mode="sideways")
