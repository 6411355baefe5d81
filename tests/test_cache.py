"""The transform cache never confuses two functions with equal code."""
import importlib.util
import math

import numpy as np
import pytest

import srcad


def load(tmp_path, name, text):
    path = tmp_path / f"{name}.py"
    path.write_text(text)
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_equal_code_in_two_modules_with_different_globals(tmp_path):
    text = "def f(x):\n    return OP(x)\n"
    first_dir = tmp_path / "a"
    second_dir = tmp_path / "b"
    first_dir.mkdir()
    second_dir.mkdir()
    one = load(first_dir, "equal_one", text)
    two = load(second_dir, "equal_two", text)
    one.OP, two.OP = math.sin, math.cos
    assert srcad.grad(one.f)(0.3) == pytest.approx(math.cos(0.3))
    assert srcad.grad(two.f)(0.3) == pytest.approx(-math.sin(0.3))


def make(op):
    def inner(x):
        return op(x) * 2.0
    return inner


def test_closures_over_different_functions():
    assert srcad.grad(make(np.sin))(0.3) == pytest.approx(2 * math.cos(0.3))
    assert srcad.grad(make(np.exp))(0.3) == pytest.approx(2 * math.exp(0.3))


def test_redefinition_is_picked_up(tmp_path):
    one = load(tmp_path, "redefined", "def f(x):\n    return x * x\n")
    assert srcad.grad(one.f)(3.0) == pytest.approx(6.0)
    (tmp_path / "redefined.py").write_text("def f(x):\n    return x * x * x\n")
    two = load(tmp_path, "redefined", (tmp_path / "redefined.py").read_text())
    assert srcad.grad(two.f)(3.0) == pytest.approx(27.0)


def passthrough(X):
    first = X[0] * 2.0
    return X + first


def test_vjp_never_mutates_the_callers_cotangent():
    X = np.arange(6.0).reshape(2, 3)
    dout = np.ones((2, 3))
    g = srcad.vjp(passthrough)(X, dout)
    assert np.array_equal(dout, np.ones((2, 3)))
    assert np.allclose(g, [[5.0, 5.0, 5.0], [1.0, 1.0, 1.0]])


# ---- the fast path of a repeated call (srcad/dispatch.py) ----------------------------------
def scale_sum(x, w, n):
    return np.sum(x * w) * n


def twice(x):
    return 2.0 * x


def through_helper(x):
    return twice(x) * x


def test_repeated_calls_give_what_the_first_gave_for_every_kind():
    grad = srcad.grad(scale_sum, wrt=(0, 1))
    calls = [(0.5, 2.0, 3), (0.5, 2.0, 3), (np.arange(3.0), 2.0, 3), (np.arange(3.0), 2.0, 3),
             (np.arange(3.0), np.ones(3), 3), (np.ones((2, 2)), 2.0, 3),
             (np.ones((2, 2)), 2.0, 3), (np.float32([1, 2]), 2.0, 3), (np.float32([1, 2]), 2.0, 3),
             (1, 2.0, 3), (0.5, 2.0, 3.0)]
    for x, w, n in calls:
        dx, dw = grad(x, w, n)
        assert type(dx) is type(x if not isinstance(x, int) else 1.0)
        assert np.shape(dx) == np.shape(x) and np.shape(dw) == np.shape(w)
        assert np.allclose(dx, np.broadcast_to(w * n, np.shape(x)))
        assert np.allclose(np.sum(dw), np.sum(x * np.ones(np.shape(w))) * n)
        if isinstance(x, np.ndarray):
            assert dx.dtype == x.dtype


def test_repeated_value_and_grad_and_single_wrt():
    vg = srcad.value_and_grad(scale_sum, wrt=(0,))
    for _ in range(3):
        value, (dx,) = vg(np.arange(3.0), 2.0, 2)
        assert value == 12.0 and np.array_equal(dx, [4.0, 4.0, 4.0])
    g = srcad.grad(scale_sum, wrt="w")
    assert g(0.5, 2.0, 3) == g(0.5, 2.0, 3) == 1.5


def test_a_repeated_call_returns_fresh_writable_arrays():
    g = srcad.grad(identity_sum)
    first = g(np.ones(3))
    second = g(np.ones(3))
    assert first is not second
    second[0] = 5.0
    assert g(np.ones(3))[0] == 1.0 and second.flags.writeable


def identity_sum(x):
    return np.sum(x)


def test_a_repeated_call_sees_a_rebound_helper(monkeypatch):
    g = srcad.grad(through_helper)
    assert g(3.0) == g(3.0) == 12.0
    monkeypatch.setitem(through_helper.__globals__, "twice", lambda x: 3.0 * x)
    assert g(3.0) == 18.0       # re-derived through the lambda now bound to the name


def test_keyword_and_default_calls_take_the_general_path():
    g = srcad.grad(scale_sum, wrt=0)
    assert g(0.5, 2.0, 3) == g(0.5, w=2.0, n=3) == g(x=0.5, w=2.0, n=3) == 6.0
