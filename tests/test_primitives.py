"""Every primitive of the corpus (operators, math, builtins, NumPy element-wise, reductions,
products, shapes, broadcasting, non-differentiable constants) vs finite differences, and a few
exact known values."""
import math

import numpy as np
import pytest

import programs
import srcad
from oracle import assert_close, check_grad

PARAMS = [pytest.param(c, wrt, k == len(variants) - 1, id=name)
          for c in programs.primitive_cases()
          for variants in [programs.wrt_variants(c)]
          for k, (wrt, name) in enumerate(variants)]


@pytest.mark.parametrize("case, wrt, with_value", PARAMS)
def test_gradient_matches_finite_differences(case, wrt, with_value):
    """grad vs FD for this wrt; for the last variant (all float arguments) also value_and_grad."""
    check_grad(case.fn, case.args, wrt, value_and_grad=with_value)


@pytest.mark.parametrize("feature", programs.REQUIRED_FEATURES)
def test_corpus_covers_feature(feature):
    functions = {c.name for c in programs.CASES if feature in c.features}
    assert len(functions) >= 2, f"only {sorted(functions)} use {feature!r}"


# ---- exact known values ------------------------------------------------------------------------
def sum_squared(x, y):
    return (x + y) ** 2


def sum_of_squares(x, y):
    return x ** 2 + y ** 2


def quadratic(x):
    return 3 * x ** 2 + 2


def sin_of_poly(x):
    return math.sin(x ** 2 + 2 * x + 1)


def np_sin_of_poly(x):
    return np.sin(x ** 2 + 2 * x + 1)


def test_known_sum_squared():
    g = srcad.grad(sum_squared, wrt=(0, 1))(2.0, 3.0)
    assert g == (10.0, 10.0)
    assert all(type(v) is float for v in g)


def test_known_sum_of_squares():
    assert srcad.grad(sum_of_squares, wrt=(0, 1))(2.0, 3.0) == (4.0, 6.0)


def test_known_quadratic():
    g = srcad.grad(quadratic)(2.0)
    assert g == 12.0 and type(g) is float


@pytest.mark.parametrize("fn", [sin_of_poly, np_sin_of_poly])
def test_known_sin_of_poly(fn):
    g = srcad.grad(fn)(2.0)
    assert type(g) is float
    assert g == pytest.approx(math.cos(9.0) * 6.0, rel=1e-14, abs=1e-14)


def test_known_values_with_value_and_grad():
    value, g = srcad.value_and_grad(sum_squared, wrt=(0, 1))(2.0, 3.0)
    assert value == 25.0 and g == (10.0, 10.0)
    value, g = srcad.value_and_grad(quadratic)(2.0)
    assert value == 14.0 and g == 12.0


# ---- primitives with closed-form gradients ------------------------------------------------------
def test_max_reduction_gradient_is_indicator_of_argmax():
    v = np.array([0.3, -0.6, 0.8])
    assert_close(srcad.grad(programs.u_np_max)(v), [0.0, 0.0, 1.0], 0, 0)
    assert_close(srcad.grad(programs.u_np_min)(v), [0.0, 1.0, 0.0], 0, 0)


def test_nondiff_constants_give_exact_gradients():
    v = np.array([0.4, -1.3, 2.2])
    # sum(floor(v) * v + sign(v) * v**2 + floor(2 v))
    want = np.floor(v) + 2.0 * np.sign(v) * v
    assert_close(srcad.grad(programs.nd_floor_sign)(v), want, 1e-12, 1e-12)
    w = np.array([0.5, -1.3, 2.0, 1.1])
    # v[argmax] * 2 + sum(v) * argmax + v[argmin]**2 * argmin ; argmax = 2, argmin = 1
    assert_close(srcad.grad(programs.nd_argmax)(w), [2.0, 2.0 + 2 * -1.3, 4.0, 2.0], 1e-12, 1e-12)


def test_broadcast_gradients_have_argument_shapes():
    c = np.array([[0.5], [-0.3], [1.2]])
    r = np.array([0.3, -0.4, 0.5, 0.2])
    gc, gr = srcad.grad(programs.bcast_col_row, wrt=(0, 1))(c, r)
    assert gc.shape == (3, 1) and gr.shape == (4,)
    assert_close(gc, (np.cos(c * r) * r).sum(axis=1, keepdims=True) + 4.0, 1e-12, 1e-12)
    assert_close(gr, (np.cos(c * r) * c).sum(axis=0) + 2 * 3 * r, 1e-12, 1e-12)
