"""Higher order: derived functions are transformed again, in every combination of modes.

Second order runs over the whole corpus (every construct and primitive): the Hessian along a
direction, reached four ways (forward over reverse, reverse over reverse, reverse over forward,
forward over forward), against central differences of srcad's gradient (checked against finite
differences of f elsewhere). Where the gradient itself has a kink within two steps (the
differences at h and 2h disagree), the point is skipped: that is a statement about the
function, not about srcad. The default run checks every case forward over reverse and reverse
over reverse, and the control-flow cases in all four combinations; third order, the
control-flow cases forward over reverse over reverse. ``-m slow`` runs every combination (and
all six chains of three modes) on every case.
"""
import inspect
import math

import numpy as np
import pytest

import programs
import srcad
from golden.functions import for_with_if, for_with_stack, while_with_break

RTOL, ATOL = 1e-5, 1e-6


def float_positions(case):
    return tuple(i for i, a in enumerate(case.args)
                 if isinstance(a, float) or isinstance(a, np.ndarray) and a.dtype.kind == "f")


def direction(arg, rng):
    if isinstance(arg, float):
        return float(rng.normal())
    return rng.normal(size=arg.shape).astype(arg.dtype)


def moved(args, positions, tangents, h):
    out = list(args)
    for i, t in zip(positions, tangents):
        out[i] = args[i] + h * t
    return out


def inner(a, b):
    return sum(float(np.sum(np.asarray(x) * np.asarray(y))) for x, y in zip(a, b))


def directional_second(case, positions, vs, us):
    """u . (d grad / dx) v by central differences of srcad's gradient, at h and 2h."""
    g = srcad.grad(case.fn, wrt=positions)

    def at(h):
        up, down = g(*moved(case.args, positions, vs, h)), g(*moved(case.args, positions, vs, -h))
        return inner(us, [(np.asarray(a) - np.asarray(b)) / (2 * h) for a, b in zip(up, down)])
    return at(1e-5), at(2e-5)


def second_order(case, combo, positions, vs, us):
    """u . H v by one combination of modes."""
    f, args = case.fn, case.args
    if combo == "forward-over-reverse":
        _, hv = srcad.jvp(srcad.grad(f, wrt=positions), wrt=positions)(*args, *vs)
        return inner(us, hv)
    if combo == "reverse-over-reverse":
        hu = srcad.vjp(srcad.grad(f, wrt=positions), wrt=positions)(*args, tuple(us))
        return inner(hu, vs)
    if combo == "reverse-over-forward":
        hv = srcad.grad(srcad.jvp(f, wrt=positions), wrt=positions)(*args, *vs)
        return inner(us, hv)
    _, uhv = srcad.jvp(srcad.jvp(f, wrt=positions), wrt=positions)(*args, *vs, *us)
    return float(uhv)


COMBOS = ["forward-over-reverse", "reverse-over-reverse", "reverse-over-forward",
          "forward-over-forward"]
SCALAR_CASES = [c for c in programs.CASES if float_positions(c) and np.ndim(c.fn(*c.args)) == 0]
CONTROL = {c.id for c in programs.control_cases()}
SECOND = [pytest.param(c, combo, id=f"{combo}-{c.id}",
                       marks=() if combo in COMBOS[:2] or c.id in CONTROL else pytest.mark.slow)
          for c in SCALAR_CASES for combo in COMBOS]


@pytest.mark.parametrize("case, combo", SECOND)
def test_second_order_along_directions(case, combo):
    rng = np.random.default_rng(3)
    positions = float_positions(case)
    vs = [direction(case.args[i], rng) for i in positions]
    us = [direction(case.args[i], rng) for i in positions]
    fd, fd2 = directional_second(case, positions, vs, us)
    if not np.isclose(fd, fd2, rtol=RTOL, atol=ATOL):
        pytest.skip("the gradient has a kink within 2h of the sample point")
    got = second_order(case, combo, positions, vs, us)
    assert np.isclose(got, fd, rtol=RTOL, atol=ATOL), (got, fd)


def one_scalar(case):
    return next(i for i, a in enumerate(case.args) if isinstance(a, float))


THIRD_CHAINS = {
    "rrr": lambda f, w, a: srcad.grad(srcad.grad(srcad.grad(f, w), w), w)(*a),
    "frr": lambda f, w, a: srcad.jvp(srcad.grad(srcad.grad(f, w), w), w)(*a, 1.0)[1],
    "rfr": lambda f, w, a: srcad.grad(srcad.jvp(srcad.grad(f, w), w), w)(*a, 1.0),
    "ffr": lambda f, w, a: srcad.jvp(srcad.jvp(srcad.grad(f, w), w), w)(*a, 1.0, 1.0)[1],
    "rff": lambda f, w, a: srcad.grad(srcad.jvp(srcad.jvp(f, w), w), w)(*a, 1.0, 1.0),
    "fff": lambda f, w, a: srcad.jvp(srcad.jvp(srcad.jvp(f, w), w), w)(*a, 1.0, 1.0, 1.0)[1],
}
THIRD_CASES = [c for c in SCALAR_CASES if any(isinstance(a, float) for a in c.args)
               and "prod" not in inspect.getsource(c.fn)]   # no third derivative: see below
THIRD = [pytest.param(c, chain, id=f"{chain}-{c.id}",
                      marks=() if c.id in CONTROL and chain == "frr" else
                      pytest.mark.slow)
         for c in THIRD_CASES for chain in THIRD_CHAINS]


@pytest.mark.parametrize("case, chain", THIRD)
def test_third_order(case, chain):
    w = one_scalar(case)
    second = srcad.grad(srcad.grad(case.fn, w), w)

    def fd(h):
        up, down = list(case.args), list(case.args)
        up[w] += h
        down[w] -= h
        return (second(*up) - second(*down)) / (2 * h)
    if not np.isclose(fd(1e-5), fd(2e-5), rtol=RTOL, atol=ATOL):
        pytest.skip("the second derivative has a kink within 2h of the sample point")
    got = THIRD_CHAINS[chain](case.fn, w, case.args)
    assert np.isclose(got, fd(1e-5), rtol=RTOL, atol=ATOL), (got, fd(1e-5))


# ---- known values ---------------------------------------------------------------------------
def cube(x):
    return x * x * x


def sine(x):
    return math.sin(x)


def test_second_derivative_of_a_cube():
    assert srcad.grad(srcad.grad(cube))(2.0) == 12.0
    assert srcad.hessian(cube)(2.0) == 12.0
    assert srcad.hvp(cube)(2.0, 0.5) == 6.0


@pytest.mark.parametrize("x", [0.3, 1.7, -2.2])
def test_third_derivative_of_sin_is_minus_cos(x):
    d3 = srcad.grad(srcad.grad(srcad.grad(sine)))
    assert d3(x) == pytest.approx(-math.cos(x), rel=1e-12)
    d2 = srcad.grad(srcad.grad(sine))
    assert srcad.jvp(d2)(x, 1.0)[1] == pytest.approx(-math.cos(x), rel=1e-12)
    assert srcad.jvp(srcad.jvp(srcad.jvp(sine)))(x, 1.0, 1.0, 1.0)[1] == pytest.approx(
        -math.cos(x), rel=1e-12)
    assert srcad.grad(srcad.grad(srcad.grad(srcad.grad(sine))))(x) == pytest.approx(
        math.sin(x), rel=1e-12)


def quadratic_form(x, A):
    return x @ A @ x


def test_hessian_of_a_quadratic_form():
    rng = np.random.default_rng(0)
    A = rng.normal(size=(4, 4))
    x = rng.normal(size=4)
    H = srcad.hessian(quadratic_form)(x, A)
    assert H.shape == (4, 4)
    assert np.allclose(H, A + A.T, rtol=1e-12, atol=1e-12)
    v = rng.normal(size=4)
    assert np.allclose(srcad.hvp(quadratic_form)(x, A, v), (A + A.T) @ v, rtol=1e-12)


def mlp_loss(W1, b1, W2, x, y):
    h = np.tanh(x @ W1 + b1)
    out = h @ W2
    return np.mean((out - y) ** 2)


def test_mlp_hessian_is_symmetric_and_matches_differences_of_the_gradient():
    rng = np.random.default_rng(1)
    W1, b1 = 0.5 * rng.normal(size=(3, 4)), 0.1 * rng.normal(size=4)
    W2 = 0.5 * rng.normal(size=(4, 2))
    x, y = rng.normal(size=(5, 3)), rng.normal(size=(5, 2))
    H = srcad.hessian(mlp_loss, wrt=0)(W1, b1, W2, x, y)
    assert H.shape == (3, 4, 3, 4)
    flat = H.reshape(12, 12)
    assert np.allclose(flat, flat.T, rtol=1e-10, atol=1e-12)
    g = srcad.grad(mlp_loss, wrt=0)
    h = 1e-6
    for k in np.ndindex(3, 4):
        e = np.zeros((3, 4))
        e[k] = h
        column = (g(W1 + e, b1, W2, x, y) - g(W1 - e, b1, W2, x, y)) / (2 * h)
        assert np.allclose(H[(Ellipsis,) + k], column, rtol=1e-5, atol=1e-7)
    blocks = srcad.hessian(mlp_loss, wrt=(0, 1))(W1, b1, W2, x, y)
    assert np.allclose(blocks[0][0], H)
    assert blocks[0][1].shape == (3, 4, 4) and blocks[1][0].shape == (4, 3, 4)
    assert np.allclose(blocks[0][1], np.moveaxis(blocks[1][0], 0, -1), rtol=1e-10, atol=1e-12)
    v = (rng.normal(size=(3, 4)), rng.normal(size=4))
    hv = srcad.hvp(mlp_loss, wrt=(0, 1))(W1, b1, W2, x, y, v)
    assert np.allclose(hv[0], np.tensordot(blocks[0][0], v[0], 2) +
                       np.tensordot(blocks[0][1], v[1], 1), rtol=1e-10, atol=1e-12)


def test_grad_of_grad_through_for_with_if_and_through_while():
    # y = n x^2 for x > 0: d2/dx2 = 2n
    assert srcad.grad(srcad.grad(for_with_if))(0.7, 3) == pytest.approx(6.0, rel=1e-12)
    assert srcad.grad(srcad.grad(for_with_if))(-0.7, 3) == 0.0
    # x overwritten in the loop: the second derivative goes through the stack
    d2 = srcad.grad(srcad.grad(for_with_stack))
    g = srcad.grad(for_with_stack)
    fd = (g(0.7 + 1e-5, 3) - g(0.7 - 1e-5, 3)) / 2e-5
    assert d2(0.7, 3) == pytest.approx(fd, rel=1e-7)
    # x -> x/2 + 1 until x < 2.1: linear in x for a fixed trip count
    assert srcad.grad(srcad.grad(while_with_break))(7.0) == 0.0


def newton_while(x):
    y = x
    steps = 0
    while abs(y * y - x) > 1e-12 and steps < 50:
        y = 0.5 * (y + x / y)
        steps += 1
    return y * y * y


def test_second_derivative_through_a_while_loop_to_convergence():
    # the loop computes sqrt(x); the result is x ** 1.5, second derivative 0.75 / sqrt(x)
    d2 = srcad.grad(srcad.grad(newton_while))
    assert d2(2.0) == pytest.approx(0.75 / math.sqrt(2.0), rel=1e-6)


def loop_map(x, n):
    h = x
    for i in range(n):
        h = np.sin(h) * x + h[::-1]
    return h


def test_forward_and_reverse_jacobians_of_a_gradient_agree():
    x = np.array([0.3, -0.7, 1.1])

    def energy(x, n):
        return np.sum(loop_map(x, n) ** 2)
    reverse = srcad.jacobian(srcad.grad(energy), mode="reverse")(x, 3)
    forward = srcad.jacobian(srcad.grad(energy), mode="forward")(x, 3)
    assert np.allclose(reverse, forward, rtol=1e-10, atol=1e-12)
    assert np.allclose(srcad.hessian(energy)(x, 3), forward, rtol=1e-10, atol=1e-12)


# ---- refusals ---------------------------------------------------------------------------------
def prod_of(x):
    return np.prod(x)


def test_third_derivative_of_prod_is_refused_not_wrong():
    x = np.array([0.5, 2.0, -1.5])
    H = srcad.hessian(prod_of)(x)
    assert H[0, 1] == pytest.approx(-1.5) and H[0, 0] == 0.0
    with pytest.raises(srcad.SrcadError, match="prod_grad_dot.*no rule"):
        srcad.grad(srcad.grad(srcad.grad(prod_of_copies)))(0.7)


def prod_of_copies(x):
    return np.prod(x * np.ones(3))


def test_transforming_what_cannot_be_transformed_says_what_to_do():
    with pytest.raises(TypeError, match="value_and_grad.*srcad.grad"):
        srcad.grad(srcad.value_and_grad(cube))
    with pytest.raises(TypeError, match="scalar output.*hessian"):
        srcad.grad(srcad.grad(quadratic_form, wrt=(0, 1)))
    with pytest.raises(TypeError, match="cannot transform a Hessian"):
        srcad.grad(srcad.hessian(cube))


def test_a_one_tuple_wrt_keeps_its_structure():
    d = srcad.jvp(srcad.grad(cube, wrt=(0,)), wrt=(0,))
    assert d(2.0, 1.0) == ((12.0,), (12.0,))
    assert srcad.vjp(srcad.grad(cube, wrt=(0,)), wrt=0)(2.0, (1.0,)) == 12.0


def test_source_of_a_hessian_is_its_forward_over_reverse_derivative():
    text = srcad.source(srcad.hessian(cube))      # the general version says so first
    assert text.startswith("# general version: argument kinds unknown (x)")
    assert "\ndef dcube_dx_jvp(x, dout=1.0, dx_2=None):" in text
    assert srcad.source(srcad.hessian(cube), 2.0).startswith(
        "def dcube_dx_jvp(x, dout=1.0, dx_2=None):")


def split_product(x):
    parts = np.split(x, 3, axis=1)
    return np.sum(parts[0] * parts[2] * np.array([[1.0, 2.0], [3.0, 4.0]]))


def test_tangents_of_a_list_result_add_elementwise():
    """Regression: tangents of np.split's list were joined with + (concatenated)."""
    rng = np.random.default_rng(0)
    x, v = rng.normal(size=(2, 6)), rng.normal(size=(2, 6))
    hv = srcad.jvp(srcad.grad(split_product))(x, v)[1]
    g = srcad.grad(split_product)
    fd = (g(x + 1e-6 * v) - g(x - 1e-6 * v)) / 2e-6
    assert np.allclose(hv, fd, rtol=1e-5, atol=1e-6) and np.abs(fd).max() > 1.0


def rosenbrock(x):
    a = x[1:] - x[:-1] ** 2
    b = 1.0 - x[:-1]
    return np.sum(100.0 * a ** 2 + b ** 2)


def test_hessian_through_an_adjoint_subtracted_from_a_slice():
    # the gradient's source has dx[:-1] -= ...: read again as an update that subtracts (it
    # was read as one that adds, a Hessian off by 1.5e4)
    x = np.random.default_rng(3).normal(size=5)
    d = srcad.grad(rosenbrock)
    assert "dx[:-1] -= " in srcad.source(d, x)
    h = 1e-6
    want = np.array([(d(x + h * e) - d(x - h * e)) / (2 * h) for e in np.eye(5)])
    np.testing.assert_allclose(srcad.hessian(rosenbrock)(x), want, rtol=1e-6, atol=1e-5)
    np.testing.assert_allclose(srcad.jacobian(d)(x), want, rtol=1e-6, atol=1e-5)
    a = x[1:] - x[:-1] ** 2    # the analytic Hessian
    exact = np.zeros((5, 5))
    exact[range(4), range(4)] += 2.0 - 400.0 * a + 800.0 * x[:-1] ** 2
    exact[range(1, 5), range(1, 5)] += 200.0
    exact[range(4), range(1, 5)] = exact[range(1, 5), range(4)] = -400.0 * x[:-1]
    np.testing.assert_allclose(srcad.hessian(rosenbrock)(x), exact, rtol=1e-10, atol=1e-9)
