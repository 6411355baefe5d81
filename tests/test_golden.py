"""Generated source pinned byte for byte; every pinned source is also run and checked against
finite differences, so a golden file can never pin a wrong gradient."""
import math
import pathlib

import numpy as np
import pytest

import srcad
from srcad import runtime

from golden.functions import ARRAY_CASES, CASES, SECOND_ORDER

HERE = pathlib.Path(__file__).parent / "golden"


def generated(name):
    fn, wrt, args = CASES[name] if name in CASES else ARRAY_CASES[name]
    df = srcad.grad(fn, wrt=wrt)
    df(*args)
    return srcad.source(df)


def central_difference(fn, args, i, h=1e-6):
    up, down = list(args), list(args)
    up[i] += h
    down[i] -= h
    return (fn(*up) - fn(*down)) / (2 * h)


def load_golden(name, fn):
    """The last function defined in a golden file, run in ``fn``'s module with the runtime."""
    namespace = dict(fn.__globals__)
    namespace.update({n: getattr(runtime, n) for n in dir(runtime) if not n.startswith("_")})
    namespace.update(np=np, math=math)
    text = (HERE / f"{name}.expected").read_text()
    exec(compile(text, str(HERE / f"{name}.expected"), "exec"), namespace)
    last_def = [line for line in text.splitlines() if line.startswith("def ")][-1]
    return namespace[last_def[4:last_def.index("(")]]


@pytest.mark.parametrize("name", sorted(CASES) + sorted(ARRAY_CASES))
def test_source_matches_golden(name, request):
    path = HERE / f"{name}.expected"
    text = generated(name)
    if request.config.getoption("--update-golden") or not path.exists():
        path.write_text(text)
    assert text == path.read_text()


@pytest.mark.parametrize("name", sorted(CASES))
def test_golden_source_is_a_correct_gradient(name):
    fn, wrt, args = CASES[name]
    grads = load_golden(name, fn)(*args)
    wrts = wrt if isinstance(wrt, tuple) else (wrt,)
    grads = grads if isinstance(wrt, tuple) else (grads,)
    for g, i in zip(grads, wrts):
        assert g == pytest.approx(central_difference(fn, args, i), rel=1e-6, abs=1e-8)


def test_design_example_is_what_an_expert_writes():
    assert generated("for_with_if") == (
        "def dfor_with_if_dx(x, n, dy=1.0):\n"
        "    dx = 0.0\n"
        "    for i in reversed(range(n)):\n"
        "        if x > 0:\n"
        "            dx += 2.0 * x * dy\n"
        "        else:\n"
        "            dx -= dy\n"
        "    return dx\n")


def second_derivative(name):
    fn, wrt, args, modes = SECOND_ORDER[name]
    outer = srcad.grad if modes == "grad-grad" else srcad.jvp
    d2 = outer(srcad.grad(fn, wrt=wrt), wrt=wrt)
    d2(*args) if modes == "grad-grad" else d2(*args, 1.0)
    return d2


@pytest.mark.parametrize("name", sorted(SECOND_ORDER))
def test_second_derivative_source_matches_golden(name, request):
    path = HERE / f"{name}.expected"
    text = srcad.source(second_derivative(name))
    if request.config.getoption("--update-golden") or not path.exists():
        path.write_text(text)
    assert text == path.read_text()


@pytest.mark.parametrize("name", sorted(SECOND_ORDER))
def test_golden_second_derivative_is_correct(name):
    fn, wrt, args, modes = SECOND_ORDER[name]
    derived = load_golden(name, fn)
    value = derived(*args) if modes == "grad-grad" else derived(*args, dx_2=1.0)[1]
    first = srcad.grad(fn, wrt=wrt)
    assert value == pytest.approx(central_difference(first, args, wrt), rel=1e-6, abs=1e-8)


@pytest.mark.parametrize("name", sorted(ARRAY_CASES))
def test_golden_array_source_is_a_correct_gradient(name):
    """<gradient, v> against a central difference along a random direction v."""
    fn, wrt, args = ARRAY_CASES[name]
    grads = load_golden(name, fn)(*args)
    rng = np.random.default_rng(1)
    directions = {i: rng.normal(size=np.shape(args[i])) for i in wrt}

    def moved(h):
        return fn(*[a + h * directions[i] if i in directions else a for i, a in enumerate(args)])
    fd = (moved(1e-6) - moved(-1e-6)) / 2e-6
    dot = sum(float(np.sum(g * directions[i])) for g, i in zip(grads, wrt))
    assert dot == pytest.approx(fd, rel=1e-6, abs=1e-8)
