"""invariants: loop-invariant temporaries hoisted, repeated ones shared, and gradients unchanged."""
import math

import pytest

import srcad

from . import stage_samples as s
from .test_normalize import body


def central(fn, args, i, h=1e-6):
    up, down = list(args), list(args)
    up[i] += h
    down[i] -= h
    return (fn(*up) - fn(*down)) / (2 * h)


def test_invariant_temporary_computed_once_before_the_loop():
    lines = body(s.hoistable)
    assert lines[0] == "dt_times_0_5 = 0.5 * dt"
    assert lines[1] == "for i in range(n):"
    assert sum("0.5 * dt" in line for line in lines) == 1
    assert not any("dt_times_0_5_2" in line for line in lines)   # the repeat reads the first


def test_what_may_not_move_stays_in_the_loop():
    lines = body(s.not_hoistable)
    loop = lines.index("for i in range(n):")
    assert "1.0 / dt" in " ".join(lines[loop:])
    assert "h = 0.5 * x" in lines[loop:]


def test_nested_loops_hoist_as_far_as_each_temporary_is_invariant():
    lines = body(s.nested_invariant)
    outer, inner = lines.index("for i in range(n):"), lines.index("for j in range(m):")
    assert lines.index("a_times_2 = a * 2.0") < outer
    assert outer < lines.index("i_times_3 = i * 3.0") < inner


def test_a_repeat_after_its_operand_changed_is_computed_again():
    assert sum("a * 2.0" in line for line in body(s.repeat_after_write)) == 2


@pytest.mark.parametrize("fn, args", [
    (s.hoistable, (0.3, 0.1, 4)), (s.not_hoistable, (0.3, 0.7, 3)),
    (s.nested_invariant, (0.3, 0.4, 3, 2)), (s.repeat_after_write, (0.3, 0.6))])
def test_gradients_through_hoisted_temporaries(fn, args):
    grads = srcad.grad(fn, wrt=(0, 1))(*args)
    for g, i in zip(grads, (0, 1)):
        assert g == pytest.approx(central(fn, args, i), rel=1e-6, abs=1e-9)
    value, tangent = srcad.jvp(fn, wrt=1)(*args, 1.0)
    assert value == fn(*args)
    assert tangent == pytest.approx(grads[1], rel=1e-12)


def test_zero_trip_loop_with_hoisted_temporary():
    assert srcad.grad(s.hoistable, wrt=(0, 1))(0.3, 0.1, 0) == (1.0, 0.0)
    assert srcad.grad(s.nested_invariant, wrt=(0, 1))(0.3, 0.4, 2, 0) == (1.0, 0.0)
    assert math.isfinite(srcad.grad(s.hoistable, wrt=1)(0.3, 0.0, 3))
