"""Arrays and lists changed in place: ``x[i] = v``, ``x[i] += v``, slices with steps, rows,
columns and masks, ``np.zeros`` filled in a loop, ``lst.append(v)`` then ``np.array(lst)`` or
``sum(lst)``. The reverse sweep saves the overwritten element and puts it back; both modes are
checked against central differences. A name that may share memory with a changed array is an
error when read after the change, never a wrong number."""
import re

import numpy as np
import pytest

import srcad
from oracle import assert_close, check_grad, check_jvp

X = np.array([0.3, -0.7, 1.2, 0.5, 2.0])
M = np.arange(12.0).reshape(3, 4) / 10.0 + 0.1


def element_recurrence(x):
    y = x.copy()
    for i in range(1, 5):
        y[i] = y[i - 1] * y[i]
    return np.sum(y)


def accumulate_into_zeros(x):
    y = np.zeros(5)
    for i in range(5):
        y[i] += x[i] * x[i - 1]
    return np.sum(y * y)


def fill_from_neighbours(x):
    out = np.zeros(4)
    for i in range(4):
        out[i] = np.sin(x[i]) * x[i + 1]
    return np.dot(out, out)


def negative_indices(x):
    y = x * 1.0
    y[-1] = y[-2] * y[0]
    y[-2] -= x[1]
    return np.sum(y ** 2)


def stepped_slices(x):
    y = x * 2
    y[1:3] = x[0] ** 2
    y[::2] *= x[1:4] + 1.0
    y[::-2] /= 3.0 + x[:3]
    return np.sum(y ** 2)


def rows_and_columns(m):
    a = np.zeros((3, 4))
    for i in range(3):
        a[i, :] = m[i] * m[i, 0]
        a[i, 1] += a[i, 0]
    a[:, 2] = np.tanh(a[:, 3])
    return np.sum(a * a)


def element_pairs(m):
    a = m.copy()
    for i in range(3):
        for j in range(1, 4):
            a[i, j] = a[i, j - 1] * 0.5 + np.cos(a[i, j])
    return np.sum(a)


def masked_store(x):
    y = x.copy()
    y[y > 0.4] = 0.0
    y[x < 0.0] *= 3.0
    return np.sum(y * x)


def integer_array_store(x):
    y = np.zeros(7)
    idx = np.array([0, 3, 6])
    y[idx] = x[:3] ** 2
    y[1:3] = x[3:]
    return np.sum(np.sin(y))


def store_in_branch(x):
    y = x.copy()
    for i in range(5):
        if y[i] > 0.4:
            y[i] = y[i] ** 2
        else:
            y[i] = -y[i]
    return np.sum(y * x)


def store_in_while(x):
    y = x.copy()
    k = 0
    while np.max(np.abs(y)) > 0.45:
        y[k % 5] = y[k % 5] * 0.5
        k = k + 1
    return np.sum(y * y) + k


def rebind_and_store(x):
    y = x.copy()
    for k in range(3):
        y = y * 1.1
        y[k] = np.sin(y[k + 1])
    return np.sum(y ** 2)


def read_view_before_store(x):
    y = x * 1.0
    z = y[1:3]
    s = np.sum(z * z)
    y[1] = 5.0
    return s + np.sum(y)


def scalar_list_store(x):
    lst = [x, x * x, 2.0]
    lst[2] = lst[0] * lst[1]
    lst[0] = 1.0
    return lst[0] + lst[1] * lst[2]


def append_then_loop(x):
    lst = []
    for i in range(4):
        lst.append(x[i] * x[i + 1])
    s = 0.0
    for v in lst:
        s = s + v * v
    return s


def append_then_array(x):
    lst = []
    for i in range(4):
        lst.append(np.sin(x[i]) * x[i + 1])
    return np.sum(np.array(lst) ** 2)


def append_then_sum(x):
    lst = []
    for i in range(4):
        lst.append(x[i] * x[i + 1])
    return sum(lst)


def append_arrays(m):
    rows = []
    for i in range(3):
        rows.append(np.tanh(m[i] * 2.0))
    return np.sum(np.array(rows) * m)


ARRAY_CASES = [element_recurrence, accumulate_into_zeros, fill_from_neighbours, negative_indices,
               stepped_slices, masked_store, integer_array_store, store_in_branch, store_in_while,
               rebind_and_store, read_view_before_store, append_then_loop, append_then_array,
               append_then_sum]
MATRIX_CASES = [rows_and_columns, element_pairs, append_arrays]
CASES = [pytest.param(f, (X,), id=f.__name__) for f in ARRAY_CASES] + \
    [pytest.param(f, (M,), id=f.__name__) for f in MATRIX_CASES] + \
    [pytest.param(scalar_list_store, (0.7,), id="scalar_list_store")]


@pytest.mark.parametrize("fn, args", CASES)
def test_reverse_mode(fn, args):
    check_grad(fn, args)


@pytest.mark.parametrize("fn, args", CASES)
def test_forward_mode(fn, args):
    check_jvp(fn, args)


def test_the_callers_array_is_left_as_numpy_leaves_it():
    x = X.copy()
    srcad.grad(element_recurrence)(x)
    assert np.array_equal(x, X)          # y = x.copy(): x itself never changes


def test_generated_source_saves_only_the_overwritten_element():
    df = srcad.grad(fill_from_neighbours)
    df(X)
    text = srcad.source(df)
    assert "stack.append(out[i])" in text
    assert "out[i] = stack.pop()" in text
    assert "dout[i] = 0.0" in text
    assert ".copy()" not in text         # no array copied per element
    jf = srcad.jvp(fill_from_neighbours)
    jf(X, X)
    assert "dout[i] = " in srcad.source(jf)


# ---- refused: a name that may share memory with the changed array ------------------------------
def stale_view(x):
    y = x * 2.0
    head = y[:2]
    y[0] = 1.0
    return np.sum(head * x[:2])


def stale_alias(x):
    y = x * 2.0
    z = y
    z[0] = 1.0
    return np.sum(y)


def stale_list_item(m):
    rows = [m[0] * 1.0, m[1] * 2.0]
    first = rows[0]
    first[0] = 3.0
    return np.sum(rows[0])


def store_into_expression(x):
    y = [x * 1.0]
    y[0][1] = 2.0
    return np.sum(y[0])


@pytest.mark.parametrize("fn, arg, text, words", [
    (stale_view, X, "return np.sum(head", "'head': it may share memory with 'y'"),
    (stale_alias, X, "return np.sum(y)", "'y': it may share memory with 'z'"),
    (stale_list_item, M, "return np.sum(rows", "'rows': it may share memory with 'first'"),
    (store_into_expression, X, "y[0][1] = 2.0", "assignment into an element of an expression"),
])
@pytest.mark.parametrize("transform", [srcad.grad, srcad.jvp])
def test_refused_at_the_line(fn, arg, text, words, transform):
    import inspect
    lines, start = inspect.getsourcelines(fn)
    line = start + next(i for i, t in enumerate(lines) if text in t)
    args = (arg,) if transform is srcad.grad else (arg, arg)
    with pytest.raises(srcad.SrcadError) as info:
        transform(fn)(*args)
    message = str(info.value)
    assert re.match(rf"^.+test_mutation\.py:{line}: ", message), message
    assert words in message
    assert "hint: " in message


def test_second_derivatives_through_a_store():
    srcad.check_grad(element_recurrence, wrt=0, modes=("reverse", "forward"), order=2)(X)
    h = srcad.hessian(element_recurrence)(X)
    assert_close(h, srcad.jacobian(srcad.grad(element_recurrence))(X))
