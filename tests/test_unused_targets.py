"""``_, y = h(y)`` and tuple targets no one reads: their derivative is a zero of the right
shape, in both modes and to second order, in and out of loops."""
import re

import numpy as np
import pytest

import srcad
import unused_target_programs as p
from oracle import assert_close, check_grad, check_jvp

RNG = np.random.default_rng(17)
VECTOR = np.array([0.3, -0.4, 0.8])
MATRIX = np.array([[2.0, 0.3], [0.1, 1.5]])

CASES = [
    (p.underscore, (0.5,)),
    (p.unused_name, (0.5,)),
    (p.unused_name_in_a_loop, (0.5, 3)),
    (p.underscore_in_a_loop, (0.5, 4)),
    (p.unused_array_part, (VECTOR,)),
    (p.unused_second_part, (VECTOR,)),
    (p.array_self_update_in_a_loop, (VECTOR, 3)),
    (p.unused_rule_result, (MATRIX,)),
    (p.unused_pack, (0.7,)),
    (p.both_unused_but_one, (0.7,)),
]


@pytest.mark.parametrize("f, args", CASES, ids=lambda v: getattr(v, "__name__", ""))
def test_both_modes(f, args):
    check_grad(f, args)
    check_jvp(f, args)


@pytest.mark.parametrize("f, args", CASES, ids=lambda v: getattr(v, "__name__", ""))
def test_second_order(f, args):
    srcad.check_grad(f, wrt=0, modes=("reverse", "forward"), order=2)(*args)


def test_the_generated_zero_is_plain():
    d = srcad.grad(p.unused_name)
    assert_close(d(0.5), 2 * 0.67 * 0.67 * 0.5 * 0.67 * 0.67)
    text = srcad.source(d)
    assert not re.search(r"\b(dt1|d_)\b", text)      # no adjoint for what no one reads
    assert "dh1_da(y, 0.0, dy)" in text       # one seed per part of h1's result
