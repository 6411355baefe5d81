"""Forward mode over the whole corpus: jvp's value is f's value, and its directional derivative
equals <grad f, t> (reverse mode, itself checked against finite differences elsewhere) and
central differences along t."""
import numpy as np
import pytest

import programs
import srcad
from golden.functions import for_with_if


def float_positions(case):
    return [i for i, a in enumerate(case.args)
            if isinstance(a, float) or isinstance(a, np.ndarray) and a.dtype.kind == "f"]


def direction(arg, rng):
    if isinstance(arg, float):
        return float(rng.normal())
    return rng.normal(size=arg.shape).astype(arg.dtype)


def along(fn, args, positions, tangents, h):
    moved = list(args)
    for i, t in zip(positions, tangents):
        moved[i] = args[i] + h * t
    return fn(*moved)


CASES = [c for c in programs.CASES if float_positions(c)
         and np.ndim(c.fn(*c.args)) == 0]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_jvp_matches_reverse_mode_and_finite_differences(case):
    rng = np.random.default_rng(7)
    positions = float_positions(case)
    tangents = [direction(case.args[i], rng) for i in positions]
    value, tangent = srcad.jvp(case.fn, wrt=tuple(positions))(*case.args, *tangents)
    assert np.allclose(value, case.fn(*case.args), rtol=1e-12, atol=1e-12)
    grads = srcad.grad(case.fn, wrt=tuple(positions))(*case.args)
    expected = sum(float(np.sum(g * t)) for g, t in zip(grads, tangents))
    assert np.isclose(tangent, expected, rtol=1e-9, atol=1e-9), (tangent, expected)
    h = 1e-6
    fd = (along(case.fn, case.args, positions, tangents, h)
          - along(case.fn, case.args, positions, tangents, -h)) / (2 * h)
    assert np.isclose(tangent, fd, rtol=1e-5, atol=1e-6), (tangent, fd)


def test_forward_source_of_the_design_example():
    j = srcad.jvp(for_with_if)
    assert j(0.7, 3, 1.0) == pytest.approx((1.47, 4.2))
    assert srcad.source(j) == (
        "def for_with_if_jvp(x, n, dx):\n"
        "    y = 0.0\n"
        "    dy = 0.0\n"
        "    for i in range(n):\n"
        "        if x > 0:\n"
        "            y = y + x * x\n"
        "            dy = dy + 2.0 * x * dx\n"
        "        else:\n"
        "            y = y - x\n"
        "            dy = dy - dx\n"
        "    return y, dy\n")


def vector(x, W):
    return np.tanh(W @ x) * x[0]


def test_jvp_of_a_vector_function_against_vjp():
    rng = np.random.default_rng(1)
    x, W = rng.normal(size=3), rng.normal(size=(3, 3))
    t, u = rng.normal(size=3), rng.normal(size=3)
    value, tangent = srcad.jvp(vector)(x, W, t)
    assert np.allclose(value, vector(x, W))
    assert np.dot(u, tangent) == pytest.approx(np.dot(srcad.vjp(vector)(x, W, u), t), rel=1e-10)
