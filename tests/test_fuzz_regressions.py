"""Bugs the differential fuzzer (tests/test_fuzz.py) found, one named test each, written as the
smallest readable program that shows the bug. Each is checked against central differences."""
import numpy as np
import pytest

import srcad
from oracle import assert_close, check_grad, check_jvp, numeric_grad

V = np.array([0.3, -1.2, 0.8])
M = np.array([[0.5, -0.4, 1.1], [-0.7, 0.2, 0.9]])


# ---- fixed ------------------------------------------------------------------------------------
def row_of_transpose_after_early_return(x, m):
    if x > 0.0:
        return x
    g = np.transpose(m)[1]
    return np.sum(np.sin(g))


@pytest.mark.parametrize("x", [0.5, -0.5])
def test_dense_adjoint_of_a_name_bound_on_one_path(x):
    """``dt = zeros_like(t)`` opened the reverse sweep even when the path that binds ``t``
    (here the fall-through after an early return) did not run: UnboundLocalError. Now ``t``
    gets a ``t = None`` placeholder (reverse.py), and zeros_like(None) is 0.0."""
    check_grad(row_of_transpose_after_early_return, (x, M), wrt=(0, 1))
    check_jvp(row_of_transpose_after_early_return, (x, M), wrt=(0, 1))


def add_in_place_through_an_alias(v):
    u = v * 1.0
    t = u           # t and u are one array
    u += v          # so this changes t too
    return np.sum(t * v)


def test_in_place_add_seen_through_an_alias():
    """normalize lowered ``u += e`` to ``u = u + e`` for arrays too, losing the in-place update
    an alias sees (value 14 and gradient 2v instead of 28 and 4v). Now the lowered statement is
    marked in place, and reading the stale alias is refused, as for ``u[i] = e``."""
    with pytest.raises(srcad.SrcadError, match=r"(?s)share memory with 'u'.*u = u\.copy\(\)"):
        srcad.grad(add_in_place_through_an_alias)(V)


def iterate_an_array_rebound_in_the_loop(v, x):
    u = v * 1.0
    s = 0.0
    for e in u:     # iterates the array u was bound to when the loop started
        u = u * x
        s = s + e
    return s


def test_for_over_an_array_rebound_in_the_loop():
    """normalize turned ``for e in u`` into ``for i in ...: e = u[i]``, which read the rebound
    u (value 3.87 instead of 6.0 at x=0.7). Now the loop iterates a name bound to u first."""
    got = srcad.value_and_grad(iterate_an_array_rebound_in_the_loop)(V, 0.7)
    assert_close(got[0], iterate_an_array_rebound_in_the_loop(V, 0.7), what="value")
    assert_close(got[1], numeric_grad(iterate_an_array_rebound_in_the_loop, [V, 0.7], 0))
