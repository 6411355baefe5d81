"""Every control-flow / program-structure function of the corpus vs finite differences: each
float argument on its own and all of them as a tuple; value_and_grad's value is f's value."""
import math

import numpy as np
import pytest

import programs
import srcad
from oracle import assert_close, check_grad

PARAMS = [pytest.param(c, wrt, k == len(variants) - 1, id=name)
          for c in programs.control_cases()
          for variants in [programs.wrt_variants(c)]
          for k, (wrt, name) in enumerate(variants)]


@pytest.mark.parametrize("case, wrt, with_value", PARAMS)
def test_gradient_matches_finite_differences(case, wrt, with_value):
    """grad vs FD for this wrt; for the last variant (all float arguments) also value_and_grad."""
    check_grad(case.fn, case.args, wrt, value_and_grad=with_value)


def test_two_closures_with_different_captured_values_give_different_gradients():
    a, b = programs.make(2.0), programs.make(-0.5)
    x, y = 1.3, 0.7
    ga = srcad.grad(a, wrt=(0, 1))(x, y)
    gb = srcad.grad(b, wrt=(0, 1))(x, y)
    for scale, g in ((2.0, ga), (-0.5, gb)):
        want = (2.0 * scale * x, scale * 0.5 + scale * math.cos(scale * y))
        assert_close(g, want, 1e-12, 1e-12, what=f"closure scale={scale}")
    assert ga != gb
    # interleaved calls: each closure keeps its own captured values
    assert srcad.grad(a, wrt=(0, 1))(x, y) == ga
    assert srcad.grad(b, wrt=(0, 1))(x, y) == gb


def test_closure_gradients_checked_against_fd():
    for scale in (3.0, -1.25):
        check_grad(programs.make(scale), (0.4, -0.9), (0, 1))


def test_closure_over_loop_bound_and_rate():
    f3, f5 = programs.make_loop(3, 0.5), programs.make_loop(5, 1.5)
    g3 = check_grad(f3, (0.8,), 0)
    g5 = check_grad(f5, (0.8,), 0)
    assert g3 != g5


def test_zero_trip_loop_gives_zero_float_gradient():
    g = srcad.grad(programs.for_range_n)(1.3, 0)
    assert type(g) is float and g == 0.0


def test_branch_taken_changes_with_argument():
    d = srcad.grad(programs.branch_elif, wrt=0)
    y = 0.7
    assert_close(d(1.3, y), 2 * 1.3 * y, 1e-12, 1e-12)                 # x*y*x
    assert_close(d(0.8, y), 2 * 0.8 + y * y, 1e-12, 1e-12)             # (x + y*y)*x
    assert_close(d(-0.8, y), -2 * -0.8 * y ** 3, 1e-12, 1e-12)         # -x*y**3*x


def test_early_return_value_and_gradient():
    # s = 1, 2.5, 4.75, 8.125 -> returns s * y from inside the loop at i = 3
    value, (gx, gy) = srcad.value_and_grad(programs.return_in_loop, wrt=(0, 1))(1.5, 1.0, 10)
    assert_close(value, 8.125, 1e-12, 1e-12)
    check_grad(programs.return_in_loop, (1.5, 1.0, 10), (0, 1))


def test_helper_default_and_keyword_arguments():
    # _scaled(x, shift=y) + _scaled(x, scale=y) + _scaled(y, 3.0, shift=x) + _scaled(x)
    x, y = 1.3, 0.7
    gx, gy = srcad.grad(programs.uses_helper_kwargs, wrt=(0, 1))(x, y)
    assert_close(gx, 2.0 + y + 1.0 + 2.0, 1e-12, 1e-12)
    assert_close(gy, 1.0 + x + 3.0, 1e-12, 1e-12)


def test_defaults_of_the_differentiated_function():
    g1 = srcad.grad(programs.with_defaults)(1.3)              # y=2.0, k=3: 1 + y + y**2
    g2 = srcad.grad(programs.with_defaults)(1.3, 0.5)
    g3 = srcad.grad(programs.with_defaults)(1.3, 0.5, 2)
    assert_close(g1, 7.0, 1e-12, 1e-12)
    assert_close(g2, 1.75, 1e-12, 1e-12)
    assert_close(g3, 1.5, 1e-12, 1e-12)
    gy = srcad.grad(programs.with_defaults, wrt="y")(1.3, y=0.5, k=3)
    assert_close(gy, 1.3 * (1.0 + 2 * 0.5), 1e-12, 1e-12)


def test_keyword_call_of_the_derived_function():
    g = srcad.grad(programs.for_range_step, wrt="x")(0.9, a=1, b=8, step=2)
    want = srcad.grad(programs.for_range_step, wrt="x")(0.9, 1, 8, 2)
    assert_close(g, want, 0, 0)


def test_rows_loop_matches_closed_form():
    X = np.array([[0.5, -0.3, 1.2, 0.8], [0.1, 0.9, -0.7, 0.4]])
    w = np.array([0.3, -0.4, 0.5, 0.2])
    gw = srcad.grad(programs.for_rows, wrt=1)(X, w)
    assert_close(gw, 2.0 * (X @ w) @ X, 1e-12, 1e-12)
