"""Second derivatives of programs that store into elements (x[i] = v, x[i] += v, slices,
masks, index arrays, list elements, a view changed and written back) and that append to lists
in loops: hessian, hvp and grad(grad(f)) against central differences. And errors found while a
derivative is transformed again name the user's file and line, never srcad's generated code."""
import inspect
import re

import numpy as np
import pytest

import srcad
import second_order_store_programs as p
from oracle import assert_close

X = np.array([0.6, 1.3, -0.4, 0.9, 1.1])


def args_of(fn):
    if fn is p.rk4_step:
        return (np.array([0.4, -0.3]), 0.1)
    if fn is p.newton_sqrt:
        return (np.array([0.7, 1.6, 2.5]),)
    return (X.copy(),)


@pytest.mark.parametrize("fn", p.PROGRAMS + [p.rk4_step], ids=lambda f: f.__name__)
def test_second_derivatives_match_finite_differences(fn):
    args = args_of(fn)
    srcad.check_grad(fn, wrt=0, modes=("reverse", "forward"), order=2)(*args)


@pytest.mark.parametrize("fn", p.PROGRAMS, ids=lambda f: f.__name__)
def test_hessian_hvp_and_grad_of_grad_agree(fn):
    x = args_of(fn)[0]
    h = srcad.hessian(fn)(x.copy())
    want = srcad.jacobian(srcad.grad(fn))(x.copy())     # reverse over reverse, row by row
    assert_close(h, want)
    assert_close(h, h.T)
    v = np.linspace(-1.0, 1.0, x.size)
    assert_close(srcad.hvp(fn)(x.copy(), v), h @ v)


def test_the_caller_arrays_are_left_unchanged():
    x = X.copy()
    srcad.hessian(p.newton_sqrt)(x[:3])
    srcad.hvp(p.cumulative_sum)(x, np.ones(5))
    assert np.array_equal(x, X)


def last_write_by_hand(x):
    """p.repeated_index_store with its store written out: y[0] = x[2] ** 2, y[2] = x[1] ** 2."""
    return x[2] ** 2 * np.cos(x[0]) + x[1] ** 2 * np.cos(x[2])


def test_repeated_indices_keep_the_last_write():
    """y[[0, 2, 0]] = x[:3] ** 2 keeps the last write at 0: x[0] ** 2 reaches nothing."""
    want = srcad.hessian(last_write_by_hand)(X.copy())
    assert_close(srcad.hessian(p.repeated_index_store)(X.copy()), want)
    assert_close(srcad.jacobian(srcad.grad(p.repeated_index_store))(X.copy()), want)


def test_first_order_code_keeps_its_element_stores():
    """The pure updates are how srcad reads its own output again: the first derivative is as
    before (stores in place, the overwritten element saved)."""
    df = srcad.grad(p.squares_in_a_loop)
    df(X.copy())
    text = srcad.source(df)
    assert "y[i] = x_item ** 2" in text and "stored_at" not in text
    dh = srcad.jvp(srcad.grad(p.squares_in_a_loop))
    dh(X.copy(), np.ones(5))
    assert "stored_at(" in srcad.source(dh)


# ---- errors at second order point at the user's line ------------------------------------------
def norm_by_a_variable(x, o):
    y = np.zeros(x.shape[0])
    y[1:] = x[:-1] * 2.0
    return np.linalg.norm(y, o) + np.sum(y ** 2)


def norm_in_a_loop(x, o):
    total = 0.0
    for i in range(2):
        total = total + np.linalg.norm(x * i, o)
    return total


def lines_of(fn):
    lines, start = inspect.getsourcelines(fn)
    return range(start, start + len(lines))


@pytest.mark.parametrize("fn", [norm_by_a_variable, norm_in_a_loop])
@pytest.mark.parametrize("how", ["hessian", "grad_of_grad", "hvp"])
def test_a_second_order_refusal_names_the_users_line(fn, how):
    x = X.copy()
    srcad.grad(fn)(x, 1)        # first order works
    with pytest.raises(srcad.SrcadError) as info:
        if how == "hessian":
            srcad.hessian(fn)(x, 1)
        elif how == "hvp":
            srcad.hvp(fn)(x, 1, np.ones(5))
        else:
            srcad.jacobian(srcad.grad(fn))(x, 1)    # reverse over reverse
    message = str(info.value)
    assert "<srcad" not in message, message
    match = re.match(r"^(.+):(\d+): ", message)
    assert match and match.group(1) == __file__, message
    assert int(match.group(2)) in lines_of(fn), message


V = np.array([0.9, 0.07, -0.44])
M = np.array([[1.17, -1.37, 1.11], [0.28, 0.05, -2.33]])


@pytest.mark.parametrize("fn, args", [(p.store_reads_its_array, (V, M)),
                                      (p.store_in_a_branch, (0.1, V, M)),
                                      (p.store_in_a_branch, (0.5, V, M))])
def test_stores_the_fuzzer_found(fn, args):
    def fresh():
        return tuple(a.copy() if isinstance(a, np.ndarray) else a for a in args)
    wrt = len(args) - 2     # v
    srcad.check_grad(fn, wrt=wrt, modes=("reverse", "forward"), order=2)(*fresh())
    h = srcad.hessian(fn, wrt=wrt)(*fresh())
    assert_close(h, srcad.jacobian(srcad.grad(fn, wrt=wrt), wrt=wrt)(*fresh()))
