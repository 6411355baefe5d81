"""A view (``v = xs[1]`` of a matrix: a row; ``xs[1:3]``, ``xs[:, 0]``, ``xs.T``,
``xs.reshape(-1)``, ``np.ravel(xs)``) shares its array's memory: after ``xs[1] = e``,
``xs[1] += e`` or ``xs *= e`` the view holds the new values. srcad follows a change through the
changed name only, so reading the view after the change is refused at the line that reads it,
naming the view and the array, with a hint to copy: never a wrong number.

The bug these pin: the normalizer shared the temporary of a repeated ``v * x`` across the
change (``xs[1] = v * x`` then ``np.sum(v * x)`` became one ``v_times_x``), which hid the
stale read of ``v`` from ``aliasing.check_mutations`` and gave a silently wrong gradient when
the kinds were known (and, without kinds, a refusal naming the temporary). Hoisting ``v * x``
out of a loop that changes ``xs`` did the same. Numbers never change in place, so their
arithmetic is still shared and hoisted.

An element (``xs[1, 0]`` of a matrix, ``xs[1]`` of a vector) is a number: it is accepted, as is
a view not read after the change, a copy (``xs[1].copy()``), and a view taken again after it.
Each accepted program is checked against central differences in reverse and forward mode, with
copies of the arrays it changes."""
import inspect
import re

import astor
import gast
import numpy as np
import pytest

import srcad
from oracle import check_grad, check_jvp, fresh
from srcad.frontend import read_function
from srcad.normalize import normalize

XS = np.random.RandomState(2).randn(4, 3)
VEC = np.random.RandomState(3).randn(4)


# ---- the view is read after the change: refused ------------------------------------------------
def drift(x, xs):
    v = xs[1]          # a row of a 2-D array: a view of xs
    xs[1] = v * x      # writes into that row, so v changes too
    return np.sum(v * x)


def drift_loop(x, xs):
    total = 0.0
    for t in range(len(xs)):
        v = xs[t]
        xs[t] = v * x
        total = total + np.sum(v * x)
    return total


def slice_rows(x, xs):
    v = xs[1:3]
    xs[1:3] = v * x
    return np.sum(v * x)


def column(x, xs):
    v = xs[:, 0]
    xs[:, 0] = v * x
    return np.sum(v * x)


def column_loop(x, xs):
    total = 0.0
    for t in range(3):
        v = xs[:, t]
        xs[:, t] = v * x
        total = total + np.sum(v * x)
    return total


def transposed(x, xs):
    v = xs.T
    xs[1] = xs[1] * x
    return np.sum(v * x)


def reshaped(x, xs):
    v = xs.reshape(-1)
    xs[1] = xs[1] * x
    return np.sum(v * x)


def raveled(x, xs):
    v = np.ravel(xs)
    xs[1] = xs[1] * x
    return np.sum(v * x)


def row_then_iadd(x, xs):
    v = xs[1]
    xs += x
    return np.sum(v * x)


def row_then_imul(x, xs):
    v = xs[1]
    xs *= x
    return np.sum(v * x)


def row_then_item_iadd(x, xs):
    v = xs[1]
    xs[1] += x
    return np.sum(v * x)


def column_then_item_imul(x, xs):
    v = xs[:, 0]
    xs[:, 0] *= x
    return np.sum(v * x)


def transposed_then_imul(x, xs):
    v = xs.T
    xs *= x
    return np.sum(v * x)


def reshaped_then_iadd(x, xs):
    v = xs.reshape(2, 6)
    xs += x
    return np.sum(v * x)


def slice_loop_imul(x, xs):
    total = 0.0
    for t in range(3):
        v = xs[1:3]
        xs *= x
        total = total + np.sum(v * x)
    return total


def view_before_the_loop(x, xs):       # v * x is the same expression on every trip
    v = xs[1]
    total = 0.0
    for t in range(3):
        xs[1] = xs[1] * x
        total = total + np.sum(v * x)
    return total


def view_before_the_loop_imul(x, xs):
    v = xs[1]
    total = 0.0
    for t in range(3):
        xs *= x
        total = total + np.sum(v * x)
    return total


def raveled_before_the_loop_iadd(x, xs):
    v = np.ravel(xs)
    total = 0.0
    for t in range(3):
        xs += x
        total = total + np.sum(v * x)
    return total


def view_outside_nested_loops(x, xs):
    v = xs[0]
    total = 0.0
    for i in range(2):
        for j in range(2):
            xs[0] = xs[0] * x
        total = total + np.sum(v * x)
    return total


def repeat_on_both_sides(x, xs):       # v * x once before the change, once after
    v = xs[1]
    a = np.sum(v * x)
    xs[1] = xs[1] * 2.0
    return a + np.sum(v * x)


REFUSED = [
    (drift, "return np.sum(v * x)"),
    (drift_loop, "total = total + np.sum(v * x)"),
    (slice_rows, "return np.sum(v * x)"),
    (column, "return np.sum(v * x)"),
    (column_loop, "total = total + np.sum(v * x)"),
    (transposed, "return np.sum(v * x)"),
    (reshaped, "return np.sum(v * x)"),
    (raveled, "return np.sum(v * x)"),
    (row_then_iadd, "return np.sum(v * x)"),
    (row_then_imul, "return np.sum(v * x)"),
    (row_then_item_iadd, "return np.sum(v * x)"),
    (column_then_item_imul, "return np.sum(v * x)"),
    (transposed_then_imul, "return np.sum(v * x)"),
    (reshaped_then_iadd, "return np.sum(v * x)"),
    (slice_loop_imul, "total = total + np.sum(v * x)"),
    (view_before_the_loop, "total = total + np.sum(v * x)"),
    (view_before_the_loop_imul, "total = total + np.sum(v * x)"),
    (raveled_before_the_loop_iadd, "total = total + np.sum(v * x)"),
    (view_outside_nested_loops, "total = total + np.sum(v * x)"),
    (repeat_on_both_sides, "return a + np.sum(v * x)"),
]


def line_of(fn, text):
    lines, start = inspect.getsourcelines(fn)
    return start + next(i for i, t in enumerate(lines) if text in t)


def derive(fn, transform):
    if transform == "grad":
        return srcad.grad(fn)(0.7, XS.copy())
    if transform == "grad_xs":
        return srcad.grad(fn, wrt=1)(0.7, XS.copy())
    return srcad.jvp(fn, wrt=(0, 1))(0.7, XS.copy(), 1.0, XS.copy())


@pytest.mark.parametrize("fn, text", REFUSED, ids=lambda a: getattr(a, "__name__", ""))
@pytest.mark.parametrize("transform", ["grad", "grad_xs", "jvp"])
def test_reading_the_view_after_the_change_is_refused_at_the_line(fn, text, transform):
    with pytest.raises(srcad.SrcadError) as info:
        derive(fn, transform)
    message = str(info.value)
    assert re.match(rf"^.+test_view_aliasing\.py:{line_of(fn, text)}: cannot differentiate "
                    rf"this use of 'v': it may share memory with 'xs', which was changed in "
                    rf"place at line \d+", message), message
    assert re.search(r"hint: .*\.copy\(\)", message), message


def test_the_hint_copies_the_view_as_written():
    with pytest.raises(srcad.SrcadError) as info:
        srcad.grad(drift)(0.7, XS.copy())
    message = str(info.value)
    assert f"which was changed in place at line {line_of(drift, 'xs[1] = v * x')}" in message
    assert "v = xs[1].copy()" in message
    with pytest.raises(srcad.SrcadError) as info:
        srcad.grad(transposed)(0.7, XS.copy())
    assert "v = xs.T.copy()" in str(info.value)


@pytest.mark.parametrize("fn", [drift, drift_loop, slice_rows, column, view_before_the_loop],
                         ids=lambda f: f.__name__)
def test_without_kinds_the_view_is_named_not_a_temporary(fn):
    text = "return np.sum(v * x)" if fn in (drift, slice_rows, column) else \
        "total = total + np.sum(v * x)"
    with pytest.raises(srcad.SrcadError) as info:
        srcad.source(srcad.grad(fn))
    message = str(info.value)
    assert re.match(rf"^.+test_view_aliasing\.py:{line_of(fn, text)}: cannot differentiate "
                    rf"this use of 'v': it may share memory with 'xs'", message), message
    assert "v_times_x" not in message


# ---- accepted: right in both modes -------------------------------------------------------------
def row_not_read_after(x, xs):
    v = xs[1]
    xs[1] = v * x
    return np.sum(xs * xs)


def loop_not_read_after(x, xs):
    for t in range(len(xs)):
        v = xs[t]
        xs[t] = v * x
    return np.sum(xs * xs)


def loop_read_before_the_change(x, xs):
    total = 0.0
    for t in range(len(xs)):
        v = xs[t]
        total = total + np.sum(v * x)
        xs[t] = v * x
    return total + np.sum(xs)


def column_loop_not_read_after(x, xs):
    for t in range(3):
        v = xs[:, t]
        xs[:, t] = v * x
    return np.sum(xs * xs)


def element(x, xs):
    a = xs[1, 0]                     # a number, not a view
    xs[1, 0] = a * x
    return a * x + np.sum(xs)


def element_loop(x, xs):
    total = 0.0
    for t in range(len(xs)):
        a = xs[t, 0]
        xs[t, 0] = a * x
        total = total + a * x
    return total + np.sum(xs * xs)


def element_of_a_row_view(x, xs):
    v = xs[1]
    a = v[0]
    xs[1] = v * x
    return a * x + np.sum(xs)


def copied_row(x, xs):
    v = xs[1].copy()
    xs[1] = v * x
    return np.sum(v * x)


def copied_row_loop(x, xs):
    total = 0.0
    for t in range(len(xs)):
        v = xs[t].copy()
        xs[t] = v * x
        total = total + np.sum(v * x)
    return total


def copied_transpose_then_imul(x, xs):
    v = xs.T.copy()
    xs *= x
    return np.sum(v * x) + np.sum(xs)


def view_taken_again(x, xs):
    v = xs[1]
    xs[1] = v * x
    v = xs[1]
    return np.sum(v * x)


def transpose_taken_again(x, xs):
    v = xs.T
    xs += x
    v = xs.T
    return np.sum(v * x)


def reread_through_the_array(x, xs):
    a = np.sum(xs[1] * x)
    xs[1] = xs[1] * x
    return a + np.sum(xs[1] * x)


def reread_after_imul(x, xs):
    a = np.sum(xs.T * x)
    xs *= x
    return a + np.sum(xs.T * x)


def loop_reread_through_the_array(x, xs):
    total = 0.0
    for t in range(len(xs)):
        v = xs[t]
        total = total + np.sum(v * x)
        xs[t] = v * x
        total = total + np.sum(xs[t] * x)
    return total


def change_through_the_view(x, xs):
    v = xs[1]
    v *= x                           # written back into xs
    return np.sum(xs * v)


def number_repeat_across_the_change(x, xs):
    xs[1] = xs[1] * (x * 2.0)
    return x * 2.0 + np.sum(xs)


ACCEPTED = [row_not_read_after, loop_not_read_after, loop_read_before_the_change,
            column_loop_not_read_after, element, element_loop, element_of_a_row_view,
            copied_row, copied_row_loop, copied_transpose_then_imul, view_taken_again,
            transpose_taken_again, reread_through_the_array, reread_after_imul,
            loop_reread_through_the_array, change_through_the_view,
            number_repeat_across_the_change]


@pytest.mark.parametrize("fn", ACCEPTED, ids=lambda f: f.__name__)
def test_reverse_mode(fn):
    check_grad(fn, (0.7, XS), wrt=(0, 1))


@pytest.mark.parametrize("fn", ACCEPTED, ids=lambda f: f.__name__)
def test_forward_mode(fn):
    check_jvp(fn, (0.7, XS), wrt=(0, 1))


def vector_element(x, xs):
    a = xs[1]                        # of a vector: a number
    xs[1] = a * x
    return a * x + np.sum(xs * xs)


def vector_element_loop(x, xs):
    total = 0.0
    for t in range(len(xs)):
        a = xs[t]
        xs[t] = a * x
        total = total + a * x
    return total + np.sum(xs)


@pytest.mark.parametrize("fn", [vector_element, vector_element_loop], ids=lambda f: f.__name__)
def test_an_element_of_a_vector_is_a_number(fn):
    check_grad(fn, (0.7, VEC), wrt=(0, 1))
    check_jvp(fn, (0.7, VEC), wrt=(0, 1))


@pytest.mark.parametrize("fn", [row_not_read_after, loop_not_read_after, change_through_the_view],
                         ids=lambda f: f.__name__)
def test_derived_functions_leave_the_arguments_unchanged(fn):
    xs = XS.copy()
    value, _ = srcad.value_and_grad(fn)(0.7, xs)
    assert value == pytest.approx(fn(0.7, XS.copy()), rel=1e-12)
    np.testing.assert_array_equal(xs, XS)    # reverse mode: the sweep puts every element back
    srcad.jvp(fn, wrt=(0, 1))(0.7, xs, 1.0, *fresh([XS]))
    np.testing.assert_array_equal(xs, XS)    # forward mode: copied first


# ---- the core language: no temporary shared or hoisted across a change in place ---------------
def core(fn, kinds=None):
    lines = astor.to_source(gast.gast_to_ast(normalize(read_function(fn), kinds=kinds)))
    return [line.strip() for line in lines.splitlines()[1:]]


@pytest.mark.parametrize("kinds", [None, {"x": "scalar", "xs": "array2"}])
def test_a_repeat_across_a_change_in_place_is_computed_again(kinds):
    assert sum(line.endswith("= v * x") for line in core(drift, kinds)) == 2
    assert sum(line.endswith("= v * x") for line in core(repeat_on_both_sides, kinds)) == 2


@pytest.mark.parametrize("kinds", [None, {"x": "scalar", "xs": "array2"}])
def test_array_arithmetic_stays_in_a_loop_that_changes_memory(kinds):
    lines = core(view_before_the_loop, kinds)
    loop = lines.index("for t in range(3):")
    assert any(line.endswith("= v * x") for line in lines[loop:])
    assert not any(line.endswith("= v * x") for line in lines[:loop])


def number_hoisted(x, xs, dt):
    for t in range(3):
        xs[t] = xs[t] * (0.5 * dt) + x
    xs[0] = xs[0] * (dt * 0.5)
    return np.sum(xs) + dt * 0.5          # dt is a number: dt * 0.5 is computed once


def test_arithmetic_on_numbers_is_still_hoisted_and_shared():
    lines = core(number_hoisted, {"x": "scalar", "xs": "array2", "dt": "scalar"})
    loop = lines.index("for t in range(3):")
    assert any(line.endswith("= 0.5 * dt") for line in lines[:loop])
    assert sum(line.endswith("= dt * 0.5") for line in lines) == 1
    check_grad(number_hoisted, (0.7, XS, 0.3), wrt=(0, 1, 2))
    check_jvp(number_hoisted, (0.7, XS, 0.3), wrt=(0, 1, 2))


def number_bound_again_to_an_array(x, xs):
    x = x * xs[1]                    # x was a number; now a row's product, an array
    v = xs[1]
    a = np.sum(v * x)
    xs[1] = xs[1] * 2.0
    return a + np.sum(x * 2.0) + np.sum(xs)


def test_a_scalar_parameter_bound_again_to_an_array_is_not_a_number():
    from srcad.invariants import surely_numbers
    fn = normalize(read_function(number_bound_again_to_an_array), kinds={"x": "scalar"})
    assert "x" not in surely_numbers(fn.body, ["x", "xs"], {"x": "scalar"})
    check_grad(number_bound_again_to_an_array, (0.7, XS), wrt=(0, 1))
    check_jvp(number_bound_again_to_an_array, (0.7, XS), wrt=(0, 1))
