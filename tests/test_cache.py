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
