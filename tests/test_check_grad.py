"""srcad.check_grad: passes on right derivatives of any argument structure, in both modes and
at second order, and names the argument, the mode and the two numbers when one is wrong."""
import math
import re

import numpy as np
import pytest

import srcad

RNG = np.random.default_rng(3)
W1, B1, W2, B2 = RNG.normal(size=(4, 3)), RNG.normal(size=3), RNG.normal(size=(3, 2)), RNG.normal(size=2)
X = RNG.normal(size=(5, 4))


def mlp_loss(params, X):
    h = X
    for i in range(len(params)):
        W, b = params[i]
        h = np.tanh(h @ W + b)
    return np.sum(h * h)


def dict_loss(params, X):
    h = np.tanh(X @ params["W"] + params["b"])
    return np.mean(h ** 2) * params["scale"]


def vector_out(x, a):
    return np.sin(x) * a


def scalar(x, y):
    return math.exp(-x * y) * math.cos(x)


_namespace = {"np": np}
exec("def wrongly_ruled(x):\n    return np.sum(x ** 3)\n", _namespace)
wrongly_ruled = _namespace["wrongly_ruled"]
srcad.defrule(wrongly_ruled, "x", reverse="dx += dout * 2.0 * x ** 2",          # should be 3.0
              forward="dout = np.sum(3.0 * x ** 2 * dx)")


def uses_wrong_rule(x):
    return wrongly_ruled(x) + np.sum(x)


@pytest.mark.parametrize("fn, args, wrt", [
    (mlp_loss, ([(W1, B1), (W2, B2)], X), 0),
    (dict_loss, ({"W": W1, "b": B1, "scale": 1.5}, X), "params"),
    (vector_out, (RNG.normal(size=4), 0.7), (0, 1)),
    (scalar, (0.4, 1.3), (0, 1)),
])
def test_right_derivatives_pass(fn, args, wrt):
    assert srcad.check_grad(fn, wrt=wrt)(*args) is None
    assert srcad.check_grad(fn, wrt=wrt, modes="forward")(*args) is None


@pytest.mark.parametrize("fn, args, wrt", [(scalar, (0.4, 1.3), (0, 1)),
                                           (dict_loss, ({"W": W1, "b": B1, "scale": 1.5}, X), 0)])
def test_second_order(fn, args, wrt):
    assert srcad.check_grad(fn, wrt=wrt, order=2)(*args) is None


def test_a_wrong_reverse_rule_is_named():
    with pytest.raises(AssertionError) as info:
        srcad.check_grad(uses_wrong_rule, modes=("reverse",))(RNG.normal(size=3))
    msg = str(info.value)
    assert "reverse" in msg and "respect to x" in msg and "FD along v" in msg
    assert re.search(r"= -?\d", msg)


def test_forward_alone_passes_and_both_modes_catch_the_wrong_rule():
    x = RNG.normal(size=3)
    srcad.check_grad(uses_wrong_rule, modes="forward")(x)
    with pytest.raises(AssertionError, match="reverse"):
        srcad.check_grad(uses_wrong_rule)(x)


def test_bad_modes_and_order_are_usage_errors():
    with pytest.raises(srcad.UsageError, match="modes"):
        srcad.check_grad(scalar, modes=("sideways",))
    with pytest.raises(srcad.UsageError, match="order"):
        srcad.check_grad(scalar, order=3)
    with pytest.raises(srcad.UsageError, match="scalar output"):
        srcad.check_grad(vector_out, order=2)(np.ones(2), 0.5)


