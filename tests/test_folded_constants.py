"""Constants the optimizer folds (``0.2 - 0.7`` -> ``-0.5``) must be printed as what they are:
``(-0.5) ** 2``, not ``-0.5 ** 2``, which Python reads as ``-(0.5 ** 2)``. Values and
derivatives, in every transform and to second order, against exact values: each expected
value below is the same Python arithmetic on the same constants (or exactly representable).
"""
import math

import astor
import gast
import numpy as np
import pytest
from conftest import check_round_trip

import srcad

C = (0.2 - 0.7) ** 2      # 0.24999999999999994: -0.49999999999999994 squared


def folded_pow(x):
    return x * (0.2 - 0.7) ** 2


def folded_pow_squared(x):
    return x * x * (0.2 - 0.7) ** 2


def minus_folded_cube(x):
    return x * -(0.2 - 0.7) ** 3


def negative_base(x, n):
    return (1.0 - 3.0) ** n * x


def negative_base_squared(x):
    return (1.0 - 3.0) ** 2 * x * x


def folded_exponent(x):
    return x ** (0.5 - 2.5)


def minus_folded(x):
    return -(2.0 - 5.0) * x


def nested_folds(x):
    return x * ((0.25 - 1.25) * (2.0 - 4.0) - 3.0) ** 2 + ((0.5 - 1.5) * 3.0) ** 2 * x


def minus_infinity_squared(x):
    return x * np.arctan((0.0 - 1e308 * 10.0) ** 2)


def negative_call_argument(x):
    return x * np.abs(0.25 - 1.0) + np.maximum(x, 0.5 - 4.0)


# ---- the reported case, in every transform ------------------------------------------------------
def test_value_and_grad_of_the_folded_pow():
    assert srcad.value_and_grad(folded_pow)(1.0) == (C, C)
    assert srcad.value_and_grad(folded_pow)(3.0) == (3.0 * C, C)


def test_grad_and_jvp_of_the_folded_pow():
    assert srcad.grad(folded_pow)(1.0) == C
    assert srcad.jvp(folded_pow)(2.0, 1.0) == (2.0 * C, C)
    assert srcad.jvp(folded_pow)(2.0, -3.0) == (2.0 * C, -3.0 * C)
    assert "(-0.49999999999999994) ** 2" in srcad.source(srcad.grad(folded_pow))


def test_second_order_of_the_folded_pow():
    assert srcad.grad(srcad.grad(folded_pow))(1.0) == 0.0
    assert srcad.hessian(folded_pow)(1.0) == 0.0
    assert srcad.grad(srcad.grad(folded_pow_squared))(1.5) == 2.0 * C
    assert srcad.hessian(folded_pow_squared)(1.5) == 2.0 * C
    assert srcad.grad(folded_pow_squared)(1.5) == 3.0 * C
    assert srcad.hvp(folded_pow_squared)(1.5, -2.0) == -4.0 * C


def test_second_order_of_the_folded_pow_on_arrays():
    x = np.array([1.0, -2.0])
    assert np.array_equal(srcad.grad(summed_folded_pow)(x), 2.0 * C * x)
    assert np.array_equal(srcad.hessian(summed_folded_pow)(x), 2.0 * C * np.eye(2))


def summed_folded_pow(x):
    return np.sum(x * x * (0.2 - 0.7) ** 2)


# ---- variants -----------------------------------------------------------------------------------
@pytest.mark.parametrize("fn, x, value, slope", [
    (minus_folded_cube, 2.0, 2.0 * -(0.2 - 0.7) ** 3, -(0.2 - 0.7) ** 3),
    (folded_exponent, 2.0, 0.25, -0.25),            # x ** -2.0, -2.0 * x ** -3.0
    (minus_folded, 2.0, 6.0, 3.0),
    (nested_folds, 2.0, 20.0, 10.0),                # (-1.0) ** 2 + (-3.0) ** 2
    (minus_infinity_squared, 2.0, math.pi, math.pi / 2),   # arctan(+inf), not arctan(-inf)
    (negative_call_argument, 2.0, 3.5, 1.75),
])
def test_folded_variants(fn, x, value, slope):
    assert srcad.value_and_grad(fn)(x) == (value, slope)
    assert srcad.grad(fn)(x) == slope
    assert srcad.jvp(fn)(x, 1.0) == (value, slope)


@pytest.mark.parametrize("n, power", [(2, 4.0), (3, -8.0), (0, 1.0)])
def test_negative_folded_base_with_an_integer_exponent(n, power):
    assert srcad.value_and_grad(negative_base)(1.5, n) == (power * 1.5, power)
    assert srcad.jvp(negative_base)(1.5, n, 2.0) == (power * 1.5, 2.0 * power)
    assert srcad.grad(srcad.grad(negative_base))(1.5, n) == 0.0


def test_negative_folded_base_to_second_order():
    assert srcad.value_and_grad(negative_base_squared)(1.5) == (9.0, 12.0)
    assert srcad.hessian(negative_base_squared)(1.5) == 8.0
    assert srcad.grad(srcad.grad(negative_base_squared))(-0.5) == 8.0
    assert srcad.hvp(negative_base_squared)(1.5, 0.5) == 4.0


def test_second_order_of_the_variants():
    assert srcad.hessian(folded_exponent)(2.0) == 6.0 / 16.0      # 6 x ** -4
    assert srcad.grad(srcad.grad(minus_folded))(2.0) == 0.0
    assert srcad.hessian(nested_folds)(2.0) == 0.0


# ---- the round-trip check catches the old printing ----------------------------------------------
def test_round_trip_check_rejects_a_bare_negative_constant_under_pow():
    pow_ = gast.BinOp(left=gast.Constant(value=-0.5, kind=None), op=gast.Pow(),
                      right=gast.Constant(value=2, kind=None))
    tree = gast.parse("def f(x):\n    return x * 1.0\n").body[0]
    tree.body[0].value.right = pow_
    text = astor.to_source(gast.gast_to_ast(tree))      # printed without canonical numbers
    assert "-0.5 ** 2" in text
    with pytest.raises(AssertionError, match="reads back as another tree"):
        check_round_trip(tree, text)
