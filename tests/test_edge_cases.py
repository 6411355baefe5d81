"""Numeric edge cases, each a documented choice (docs/supported.md, "Numeric edge cases"):

* ``sqrt`` at 0: the derivative is +inf (NumPy's 1/0); ``abs`` at 0: 0 (a subgradient).
* ``np.where`` whose unselected branch is inf or NaN: the gradient is the selected branch's,
  finite where it is (a zero cotangent times an infinite partial stays zero).
* ties: ``np.max``/``np.min`` share the derivative equally among tied elements;
  ``np.maximum``/``max`` (and the ``min`` forms) give it to their first argument.
* ``x ** y`` with x < 0: fine in x (integer y); in y it is NaN (no real derivative); at x = 0
  the derivative in y is 0.
* integer arguments are promoted to float64 (a float or float64 gradient); float32 arguments
  keep float32 gradients; NumPy scalars keep their type; 0-d arrays stay 0-d arrays.
"""
import math
import warnings

import numpy as np
import pytest

import srcad
from oracle import check_grad, check_jvp


def np_sqrt(x):
    return np.sum(np.sqrt(x))


def np_abs(x):
    return np.sum(np.abs(x) * 2.0)


def builtin_abs(x):
    return abs(x) * 3.0


def test_sqrt_at_zero_is_infinite():
    with np.errstate(divide="ignore"):
        g = srcad.grad(np_sqrt)(np.array([0.0, 4.0]))
        _, t = srcad.jvp(np_sqrt)(np.array([0.0, 4.0]), np.array([1.0, 1.0]))
    assert g[0] == np.inf and g[1] == 0.25
    assert t == np.inf


@pytest.mark.parametrize("fn, arg", [(np_abs, np.array([0.0, -2.0, 3.0])), (builtin_abs, 0.0)])
def test_abs_at_zero_is_zero(fn, arg):
    g = srcad.grad(fn)(arg)
    assert np.all(np.asarray(g) == np.asarray(srcad.grad(fn)(arg)))
    assert np.ravel(g)[0] == 0.0
    assert srcad.jvp(fn)(arg, np.ones_like(arg) if isinstance(arg, np.ndarray) else 1.0)[1] == \
        pytest.approx(np.sum(g))


# ---- np.where with an inf/NaN branch -----------------------------------------------------------
def safe_sqrt(x):
    return np.sum(np.where(x > 0, np.sqrt(x), 0.0))


def safe_log_and_reciprocal(x):
    return np.sum(np.where(x != 0, 1.0 / x, 1.0) + np.where(x > 0, np.log(x) * x, x))


def test_where_keeps_the_gradient_of_the_selected_branch():
    x = np.array([-1.0, 0.0, 4.0])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)     # the primal's own sqrt(-1)
        g = srcad.grad(safe_sqrt)(x)
        _, t = srcad.jvp(safe_sqrt)(x, np.array([1.0, 1.0, 1.0]))
        g2 = srcad.grad(safe_log_and_reciprocal)(x)
        _, t2 = srcad.jvp(safe_log_and_reciprocal)(x, np.array([1.0, 1.0, 1.0]))
    assert np.array_equal(g, [0.0, 0.0, 0.25]) and t == 0.25
    assert np.allclose(g2, [0.0, 1.0, -1 / 16 + math.log(4.0) + 1.0]) and np.isclose(t2, np.sum(g2))


def test_where_with_finite_branches_checks_out():
    x = np.array([-1.0, 0.5, 4.0])
    check_grad(safe_sqrt, (np.array([0.3, 1.5, 4.0]),))
    check_grad(safe_log_and_reciprocal, (x,))
    check_jvp(safe_log_and_reciprocal, (x,))


# ---- ties ----------------------------------------------------------------------------------
def reduce_max(x):
    return np.max(x) + np.min(x) * 2.0


def pairwise(x, y):
    return np.sum(np.maximum(x, y)) + max(float(x[0]), float(y[0])) * 0.0 + \
        np.sum(np.minimum(x, y) * 3.0)


def builtin_max(x, y):
    return max(x, y) + 2.0 * min(x, y)


def test_reduction_ties_share_equally():
    g = srcad.grad(reduce_max)(np.array([2.0, 2.0, 1.0, 1.0, 1.0]))
    assert np.allclose(g, [0.5, 0.5, 2 / 3, 2 / 3, 2 / 3])
    assert srcad.jvp(reduce_max)(np.array([2.0, 2.0, 1.0]), np.array([1.0, 3.0, 5.0]))[1] == \
        pytest.approx(2.0 + 10.0)


def test_elementwise_ties_go_to_the_first_argument():
    x, y = np.array([1.0, 2.0]), np.array([1.0, 0.0])
    gx, gy = srcad.grad(pairwise, wrt=(0, 1))(x, y)
    assert np.array_equal(gx, [4.0, 1.0]) and np.array_equal(gy, [0.0, 3.0])
    assert srcad.grad(builtin_max, wrt=(0, 1))(1.5, 1.5) == (3.0, 0.0)


# ---- powers of non-positive bases -------------------------------------------------------------
def int_power(x):
    return x ** 3 + x ** 2


def real_power(x, y):
    return x ** y


def test_negative_base_with_integer_exponent():
    check_grad(int_power, (-1.5,))
    check_jvp(int_power, (-1.5,))
    assert srcad.grad(int_power)(0.0) == 0.0


def test_exponent_derivative_at_zero_and_negative_bases():
    assert srcad.grad(real_power, wrt=1)(0.0, 2.0) == 0.0      # 0 ** y is 0 near y = 2
    with np.errstate(invalid="ignore"):
        assert math.isnan(srcad.grad(real_power, wrt=1)(-2.0, 2.0))   # (-2) ** y: not real
    assert srcad.grad(real_power, wrt=0)(-2.0, 2.0) == -4.0


# ---- argument types ----------------------------------------------------------------------------
def cubic(x):
    return np.sum(x ** 3 - 2.0 * x)


def test_integers_are_promoted():
    g = srcad.grad(cubic)(2)
    assert g == 10.0 and type(g) is float
    ga = srcad.grad(cubic)(np.array([1, 2]))
    assert ga.dtype == np.float64 and np.array_equal(ga, [1.0, 10.0])
    value, t = srcad.jvp(cubic)(2, 1)
    assert (value, t) == (4.0, 10.0)


def test_float32_stays_float32():
    x = np.array([0.5, -1.25, 2.0], dtype=np.float32)
    g = srcad.grad(cubic)(x)
    assert g.dtype == np.float32
    check_grad(cubic, (x,))
    _, t = srcad.jvp(cubic)(x, np.ones(3, dtype=np.float32))
    assert np.asarray(t).dtype == np.float32


@pytest.mark.parametrize("x", [np.float64(1.5), np.float32(1.5)])
def test_numpy_scalars_keep_their_type(x):
    g = srcad.grad(cubic)(x)
    assert type(g) is type(x) and g == pytest.approx(3 * 1.5 ** 2 - 2)


def test_zero_dimensional_arrays():
    x = np.array(1.5)
    g = srcad.grad(cubic)(x)
    assert isinstance(g, np.ndarray) and g.shape == () and g == pytest.approx(4.75)
    check_grad(cubic, (x,))
    check_jvp(cubic, (x,))


def math_sqrt(x):
    return math.sqrt(x) * 2.0


def test_math_sqrt_at_zero_is_infinite_too():
    assert srcad.grad(math_sqrt)(0.0) == math.inf
    assert srcad.jvp(math_sqrt)(0.0, 1.0) == (0.0, math.inf)
    check_grad(math_sqrt, (2.25,))
    check_jvp(math_sqrt, (2.25,))
