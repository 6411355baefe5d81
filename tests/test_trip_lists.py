"""While loops whose reverse sweep reads one batch of values per trip keep their trips in a list
(``trips.append((y, step))``, ``for y, step in reversed(trips):``), and a value bound once in
a loop and read only there or by its test (the Newton ``step``) is saved once per trip, not
restored. Checked in both modes and at second order, where the loops are transformed again
(read back as trip counters): against central differences, at points where every loop's trip
count stays the same within the differences' step."""
import math

import numpy as np
import pytest

import srcad
from golden.real_shapes import newton as newton_per_target
from oracle import assert_close, numeric_grad


def damped(x, n):
    # a while loop with a counter of the user's own, and a value bound before the loop
    y = x
    k = 0
    rate = 0.5
    while k < n:
        rate = 0.9 * np.sin(y) + 0.1
        y = y - rate * (y - 1.0)
        k += 1
    return y * rate


def two_loops(x):
    y = x
    step = 1.0
    while abs(step) > 1e-10:
        step = 0.5 * (y - np.cos(y))
        y = y - step
    z = y * x
    k = 0
    while k < 4:
        g = np.tanh(z)
        z = z + 0.3 * g
        k += 1
    return z


def nested_whiles(x):
    y = x
    outer = 0
    while outer < 3:
        inner = 0
        while inner < 2:
            t = np.sin(y) * x
            y = y + 0.1 * t
            inner += 1
        outer += 1
    return y


def head_statements(x):
    # the test needs a statement: a guarded loop with a head
    y = x
    step = 1.0
    while abs(step) * (1.0 + 0.0 * y) > 1e-11:
        step = (y * y - 2.0 * x) / (2.0 * y)
        y = y - step
    return y ** 3


def array_state(x):
    v = x.copy()
    k = 0
    while k < 3:
        w = np.tanh(v) * x
        v = v + 0.5 * w
        k += 1
    return np.sum(v * v)


CASES = [
    (newton_per_target, (2.0, [0.5, 1.3, 3.7]), 0),
    (damped, (0.7, 5), 0),
    (two_loops, (0.4,), 0),
    (nested_whiles, (0.6,), 0),
    (head_statements, (1.7,), 0),
    (array_state, (np.array([0.3, -0.2, 0.9]),), 0),
]
IDS = [c[0].__name__ for c in CASES]


@pytest.mark.parametrize("f, args, wrt", CASES, ids=IDS)
def test_gradient_and_jvp(f, args, wrt):
    want = numeric_grad(f, list(args), wrt)
    assert_close(srcad.grad(f, wrt=wrt)(*args), want)
    v = np.ones_like(args[wrt]) if isinstance(args[wrt], np.ndarray) else 1.0
    tangent = srcad.jvp(f, wrt=wrt)(*args, v)[1]
    assert_close(tangent, np.sum(want * v))


@pytest.mark.parametrize("f, args, wrt", CASES, ids=IDS)
def test_second_order_reads_the_lists_back(f, args, wrt):
    d = srcad.grad(f, wrt=wrt)
    if isinstance(args[wrt], np.ndarray):   # the Hessian's rows: differences of each gradient entry
        want = np.array([numeric_grad(lambda *a, k=k: d(*a)[k], list(args), wrt)
                         for k in range(args[wrt].size)])
        assert_close(srcad.hessian(f, wrt=wrt)(*args), want)
        return
    want = numeric_grad(d, list(args), wrt)
    assert_close(srcad.hessian(f, wrt=wrt)(*args), want)
    assert_close(srcad.grad(d, wrt=wrt)(*args), want)


def test_the_newton_loop_keeps_one_list_per_solve():
    d = srcad.grad(newton_per_target)
    args = (2.0, [0.5, 1.3, 3.7])
    source = srcad.source(d, *args)
    assert "trips = []" in source and "trips.append((y, step))" in source
    assert "for y, step in reversed(trips):" in source
    assert "trips += 1" not in source and "stack.append(step)" not in source
    d(*args)
    assert_close(srcad.grad(srcad.grad(newton_per_target))(*args),
                 numeric_grad(d, list(args), 0))


def test_a_solve_that_converges_at_once():
    # c = a + 1 has the root y = 1: one trip, whose step is 0; dy/da = -y / (3 y**2 + a)
    d = srcad.grad(newton_per_target)
    assert_close(d(2.0, [3.0]), 2.0 * -1.0 / 5.0)
    assert_close(d(2.0, []), 0.0)


def test_a_loop_with_a_break_keeps_its_counter():
    def f(x):
        y = x
        k = 0
        while True:
            y = np.sin(y) + x
            k += 1
            if k > 3:
                break
        return y
    d = srcad.grad(f)
    assert_close(d(0.3), numeric_grad(f, [0.3], 0))
    assert_close(srcad.grad(d)(0.3), numeric_grad(d, [0.3], 0))


def test_sqrt_by_newton_has_the_right_second_derivative():
    def root(x):
        y = x
        step = 1.0
        while abs(step) > 1e-13:
            step = 0.5 * (y - x / y)
            y = y - step
        return y
    assert srcad.grad(srcad.grad(root))(2.0) == pytest.approx(-0.25 * 2.0 ** -1.5, rel=1e-6)
    assert srcad.hessian(root)(2.0) == pytest.approx(-0.25 * 2.0 ** -1.5, rel=1e-6)
    assert math.isfinite(srcad.grad(root)(3.0))


# ---- found by a review of this change -----------------------------------------------------------
def set_before_the_break(a):
    y = a
    t = 1.0
    while True:
        z = y * t           # read after the loop: the head's reads of t are real ones
        if z < 0.3:
            break
        t = np.cos(y) * a
        y = y * 0.5
    return z + y


def stepped_after_element_updates(x):
    y = x * 1.0
    step = y * 0.5
    w = y[1] * y[0]
    total = np.sum(y[1:] * y[:-1])
    y = y - step            # dstep = -dy, then dy[0] += ..., dy[1:] += ...: -dy read before those
    return np.sum(np.sin(y)) + w + total


def a_users_list_named_trips(a):
    s = 0.0
    for j in range(2):
        trips = []
        trips = trips + [np.sin(a * j)]
        trips = trips + [np.cos(a + j)]
        s = s + trips[0] * trips[1] * s + trips[1]
    return s


@pytest.mark.parametrize("f, x", [
    (set_before_the_break, 2.1),
    (stepped_after_element_updates, np.array([0.3, 0.5, 0.9])),
    (a_users_list_named_trips, 0.7),
])
def test_shapes_a_review_found(f, x):
    """A value set in a guarded loop's head and read after the loop is not a test-only read
    (the gradient was -0.03 for -2.46); a negated adjoint is not written in past changes to the
    elements of what it negates; a user's list called trips is not srcad's list of trips (its
    second derivative crashed)."""
    d = srcad.grad(f)
    assert_close(d(x), numeric_grad(f, [x], 0))
    if not isinstance(x, np.ndarray):
        assert_close(srcad.grad(d)(x), numeric_grad(d, [x], 0))
        assert_close(srcad.hessian(f)(x), numeric_grad(d, [x], 0))
