"""Fresh memory: a copy (``np.copy``, ``x.copy()``, ``np.array(x)``), an arithmetic or ufunc
result, a helper's new array or an item appended to a list shares memory with nothing, so
changing it in place changes nothing else, and reading the array it came from is fine. Each
program is checked against central differences in reverse and forward mode (and to second order
where srcad allows it). A change that does reach another name (a view, ``np.asarray``, a helper
that returns its argument or an item of it, a list that holds the array) is written back or
refused at the line, never a wrong derivative. Programs: ``fresh_memory_programs.py``."""
import inspect
import re

import numpy as np
import pytest

pytest.importorskip("scipy")

import srcad  # noqa: E402
import fresh_memory_programs as p  # noqa: E402
from oracle import (assert_close, check_grad, check_jvp, fresh, numeric_grad,  # noqa: E402
                    numeric_jvp)

P = np.array([0.3, -0.7, 1.2, 0.5, 2.0])
M = np.arange(6.0).reshape(2, 3) / 5.0 + 0.1
RNG = np.random.default_rng(5)

FRESH = [p.copy_function, p.copy_method, p.array_of_an_array, p.copy_keywords,
         p.arithmetic_result, p.ufunc_result, p.helper_result, p.helper_tuple_items,
         p.helper_tuple_with_a_number, p.appended_products, p.list_items_apart,
         p.view_bound_again, p.second_order_copy, p.slice_written_back,
         p.item_of_a_list_of_the_argument]


@pytest.mark.parametrize("fn", FRESH, ids=lambda f: f.__name__)
def test_reverse_mode(fn):
    check_grad(fn, (P,))


@pytest.mark.parametrize("fn", FRESH, ids=lambda f: f.__name__)
def test_forward_mode(fn):
    check_jvp(fn, (P,))


@pytest.mark.parametrize("fn", FRESH, ids=lambda f: f.__name__)
def test_both_modes_agree(fn):
    srcad.check_grad(fn, wrt=0, modes=("reverse", "forward"))(P.copy())


def test_the_copy_is_changed_and_the_original_is_not():
    """q = np.copy(p); q[0] = 3.0; sum(q * p): the gradient is q + p with q[0]'s term 3."""
    g = srcad.grad(p.copy_function)(P.copy())
    want = 2.0 * P
    want[0] = 3.0
    assert_close(g, want)
    value, tangent = srcad.jvp(p.copy_function)(P.copy(), np.ones(5))
    assert value == p.copy_function(P.copy())
    assert_close(tangent, np.sum(want))


@pytest.mark.parametrize("fn", [p.copy_function, p.appended_products, p.slice_written_back,
                                p.item_of_a_list_of_the_argument], ids=lambda f: f.__name__)
def test_the_callers_array_is_left_unchanged(fn):
    given = P.copy()
    srcad.grad(fn)(given)
    srcad.jvp(fn)(given, np.ones(5))
    assert np.array_equal(given, P)


def test_a_slice_is_still_written_back():
    """q = p[1:] is a view: q[0] = 3.0 changes p[1], as NumPy does."""
    g = srcad.grad(p.slice_written_back)(P.copy())
    want = 2.0 * P
    want[1] = 0.0
    assert_close(g, want)
    df = srcad.grad(p.slice_written_back)
    df(P.copy())
    assert "p[1:] = q" in srcad.source(df)


# ---- second order -------------------------------------------------------------------------------
def test_second_order_through_a_copy_changed_as_a_whole():
    srcad.check_grad(p.second_order_copy, wrt=0, modes=("reverse", "forward"), order=2)(P.copy())
    h = srcad.hessian(p.second_order_copy)(P.copy())
    assert h.shape == (5, 5)


@pytest.mark.parametrize("fn", [p.copy_function, p.arithmetic_result, p.helper_result],
                         ids=lambda f: f.__name__)
def test_second_order_through_an_element_store(fn):
    srcad.check_grad(fn, wrt=0, modes=("reverse", "forward"), order=2)(P.copy())
    h = srcad.hessian(fn)(P.copy())
    assert_close(h, srcad.jacobian(srcad.grad(fn))(P.copy()))


# ---- autograd's recurrent network: outputs appended to a list ---------------------------------
def rnn_data(hidden=3, inputs=2, outputs=2, steps=4, batch=2):
    params = {"init hiddens": RNG.standard_normal((1, hidden)) * 0.1,
              "change": RNG.standard_normal((inputs + hidden + 1, hidden)) * 0.3,
              "predict": RNG.standard_normal((hidden + 1, outputs)) * 0.3}
    xs = RNG.standard_normal((steps, batch, inputs))
    targets = np.eye(outputs)[RNG.integers(0, outputs, (steps, batch))]
    return params, xs, targets


@pytest.mark.parametrize("fn", [p.rnn_log_likelihood, p.rnn_written_out],
                         ids=lambda f: f.__name__)
def test_rnn_with_outputs_appended_to_a_list(fn):
    params, xs, targets = rnn_data()
    grad = srcad.grad(fn)(params, xs, targets)
    assert set(grad) == set(params)
    for key in params:
        def along(w, key=key):
            return fn({**params, key: w}, xs, targets)
        assert_close(grad[key], numeric_grad(along, [params[key]], 0), what=f"d/d{key}")
    directions = {k: RNG.standard_normal(v.shape) for k, v in params.items()}
    value, tangent = srcad.jvp(fn)(params, xs, targets, directions)
    assert_close(value, fn(params, xs, targets), 1e-12, 1e-12)
    keys = list(params)

    def flat(*ws):
        return fn(dict(zip(keys, ws)), xs, targets)
    want = numeric_jvp(flat, [params[k] for k in keys], list(range(len(keys))),
                       [directions[k] for k in keys])
    assert_close(tangent, want, what="jvp tangent")
    srcad.check_grad(fn, wrt=0, modes=("reverse", "forward"))(params, xs, targets)


def test_rnn_predictions_are_those_of_the_program():
    params, xs, targets = rnn_data()
    value, _ = srcad.value_and_grad(p.rnn_log_likelihood)(params, xs, targets)
    assert value == p.rnn_log_likelihood(params, xs, targets)


# ---- shared memory: refused at the line ---------------------------------------------------------
REFUSED = [
    (p.asarray_alias, (P,), "return np.sum(p", "'p': it may share memory with 'q'"),
    (p.array_without_copy, (P,), "return np.sum(p", "'p': it may share memory with 'q'"),
    (p.helper_returns_a_view, (M,), "return np.sum(m", "'m': it may share memory with 'q'"),
    (p.helper_returns_its_argument_in_a_tuple, (P,), "return np.sum(q",
     "'p': it may share memory with 'q'"),
    (p.appended_then_changed, (P,), "return np.sum(", "'outs': it may share memory with 'h'"),
    (p.item_of_a_list_changed, (P,), "return np.sum(", "'outs': it may share memory with 'last'"),
    (p.concatenated_lists, (P,), "return np.sum(c", "'c': it may share memory with 'y'"),
    (p.repeated_list, (P,), "return np.sum(c", "'c': it may share memory with 'y'"),
    (p.elementwise_alias, (P, -1.0), "return np.sum(z", "'z': it may share memory with 'y'"),
    (p.helper_alias, (P, -1.0), "return np.sum(z", "'z': it may share memory with 'y'"),
    (p.rows_of_a_rebound_argument, (M, 0.7), "for row in m",
     "'m': it may share memory with 'row'"),
]


@pytest.mark.parametrize("fn, args, text, words", REFUSED, ids=[c[0].__name__ for c in REFUSED])
@pytest.mark.parametrize("transform", ["grad", "jvp"])
def test_refused_at_the_line(fn, args, text, words, transform):
    lines, start = inspect.getsourcelines(fn)
    line = start + next(i for i, t in enumerate(lines) if text in t)
    with pytest.raises(srcad.SrcadError) as info:
        if transform == "grad":
            srcad.grad(fn)(*fresh(args))
        else:
            srcad.jvp(fn)(*fresh(args), np.ones_like(args[0]))
    message = str(info.value)
    assert re.match(rf"^.+fresh_memory_programs\.py:{line}: ", message), message
    assert words in message
    assert "hint: " in message and ".copy()" in message


def test_an_item_of_a_dict_changed_by_a_helper_is_refused():
    params = {"W": M.copy()}
    with pytest.raises(srcad.SrcadError, match="'params': it may share memory with 'w'"):
        srcad.grad(p.helper_returns_an_item)(params, M)
