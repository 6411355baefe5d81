"""``for k in d`` over a dict yields its keys, in insertion order, never ``d[0], d[1], ...``:
derivatives through loops over dicts (int keys, string keys, dicts of parameters, nested),
``.keys()``, ``reversed``, ``enumerate``, ``zip``, ``sorted``, dicts built in the function or
returned by a helper, sets, views, ``iter``; and the refusals (``map``, ``filter``, generators,
values srcad cannot read without a wrong number), each a ``SrcadError`` at the loop's line.

Every number is checked against central finite differences: grad, value_and_grad and jvp
(their values against the function's), and second order (Hessians, or Hessian-vector products
through ``srcad.check_grad(order=2)``) where the construct allows."""
import collections.abc
import inspect

import numpy as np
import pytest

import dict_iteration_programs as p
import srcad
from oracle import assert_close, check_grad, check_jvp, numeric_grad
from srcad.analysis import kind_of_value

RNG = np.random.default_rng(11)
BOTH = ("reverse", "forward")


def check(f, args, wrt=0, order=2):
    srcad.check_grad(f, wrt=wrt, modes=BOTH, order=order)(*args)


def check_float(f, x, *rest):
    """With respect to the float ``x``: grad, value_and_grad, jvp and the Hessian vs FD."""
    check_grad(f, (x,) + rest, wrt=0)
    check_jvp(f, (x,) + rest, wrt=0)
    hessian = srcad.hessian(f, wrt=0)(x, *rest)
    want = numeric_grad(lambda y, *r: srcad.grad(f)(y, *r), [x, *rest], 0)
    assert_close(hessian, want, 1e-5, 1e-6, what=f"hessian of {f.__name__}")
    check(f, (x,) + rest, wrt=0, order=2)


def line_of(fn, text):
    lines, start = inspect.getsourcelines(fn)
    return start + next(i for i, line in enumerate(lines) if text in line)


def refused(action, fn, text, *words):
    """``action()`` raises a SrcadError at the line of ``fn`` holding ``text``, naming the
    construct (``words``), with a hint."""
    with pytest.raises(srcad.SrcadError) as info:
        action()
    msg = str(info.value)
    assert msg.startswith(f"{inspect.getsourcefile(fn)}:{line_of(fn, text)}: "), msg
    assert all(w in msg for w in words), msg
    assert "\n  hint: " in msg, msg
    return msg


def vec(n=3):
    return RNG.standard_normal(n)


# ---- the reported bug ---------------------------------------------------------------------------
@pytest.mark.parametrize("weights", [{0: 5.0, 1: 7.0}, {3: 5.0, 1: 7.0, 0: -2.0}])
def test_a_dict_with_int_keys_is_iterated_by_key(weights):
    x = 0.5
    assert_close(srcad.grad(p.weighted_squares)(x, weights),
                 numeric_grad(p.weighted_squares, [x, weights], 0), what="the reported case")
    value, _ = srcad.value_and_grad(p.weighted_squares)(x, weights)
    assert value == p.weighted_squares(x, weights)
    value, _ = srcad.jvp(p.weighted_squares)(x, weights, 1.0)
    assert value == p.weighted_squares(x, weights)
    check_float(p.weighted_squares, x, weights)
    check(p.weighted_squares, (x, weights), wrt=1)     # and with respect to the dict
    df = srcad.grad(p.weighted_squares)
    df(x, weights)
    assert "weights_keys = keys_of(weights)" in srcad.source(df)


def test_a_dict_with_string_keys():
    check_float(p.named_weights, 0.3, {"a": 1.5, "bcd": -0.5, "ef": 2.0})
    check(p.named_weights, (0.3, {"a": 1.5, "bcd": -0.5}), wrt=1)


def test_keys_read_only_as_numbers():
    """Nothing but the argument's kind says this loop is over a dict."""
    check_float(p.keys_as_numbers, 0.7, {2.0: "two", 0.5: "half", 3.0: "three"})


@pytest.mark.parametrize("f", [p.horner, p.horner_keys, p.horner_backwards, p.enumerated_keys])
def test_keys_come_in_insertion_order(f):
    one = {"c": 1.0, "a": -2.0, "b": 0.5}
    other = dict(reversed(list(one.items())))
    assert f(0.8, one) != f(0.8, other)         # the order shows in the value
    for d in (one, other):
        value, g = srcad.value_and_grad(f)(0.8, d)
        assert value == f(0.8, d)
        assert_close(g, numeric_grad(f, [0.8, d], 0), what=f.__name__)
        check_float(f, 0.8, d)
        check(f, (0.8, d), wrt=1)


def test_a_dict_zipped_with_a_list():
    check(p.zipped_with_a_list, ([vec(), vec(), vec()], {"b": 2.0, "a": -1.0}), wrt=0)
    check(p.zipped_with_a_list, ([vec(), vec()], {"b": 2.0, "a": -1.0, "c": 3.0}), wrt=1)


# ---- specialisation: a dict is not a list -------------------------------------------------------
def test_a_dict_has_its_own_kind():
    assert kind_of_value({}) != kind_of_value([]) == kind_of_value(())
    assert kind_of_value({}) != kind_of_value({1}) != kind_of_value([])


def test_one_derivative_for_a_list_another_for_a_dict():
    """``sum_of_squares`` iterates a list's items but a dict's keys; read by position, the dict
    {0: 5.0, 1: 7.0} would give the list's 12 x**2 instead of 1 x**2."""
    df = srcad.grad(p.sum_of_squares)
    for q in ([5.0, 7.0], {0: 5.0, 1: 7.0}, (5.0, 7.0), {0: 5.0, 1: 7.0}, [5.0, 7.0]):
        value, g = srcad.value_and_grad(p.sum_of_squares)(0.5, q)
        assert value == p.sum_of_squares(0.5, q)
        assert_close(df(0.5, q), numeric_grad(p.sum_of_squares, [0.5, q], 0), what=repr(q))
        source = srcad.source(df)
        assert ("q_keys = keys_of(q)" in source) == isinstance(q, dict), source
    check_float(p.sum_of_squares, 0.5, {0: 5.0, 1: 7.0})


def test_a_helper_given_a_dict_or_a_list():
    params = {"w": vec(), "b": vec(2)}
    check(p.penalised, (params, 0.3), wrt=0)
    check(p.penalised, (params, 0.3), wrt=1)
    check(p.penalised_list, ([vec(), vec(2)], 0.3), wrt=0)
    check(p.penalised, (params, 0.3), wrt=0)


# ---- dicts of parameters ------------------------------------------------------------------------
def test_the_gradient_of_a_dict_is_a_dict_with_its_keys_in_order():
    params = {"W": RNG.standard_normal((2, 3)), "b": vec(), "a": 0.5}
    check(p.l2, (params,))
    grads = srcad.grad(p.l2)(params)
    assert type(grads) is dict and list(grads) == list(params)
    for k in params:
        assert_close(grads[k], 2 * np.asarray(params[k]), what=k)
    value, tangent = srcad.jvp(p.l2)(params, params)
    assert value == p.l2(params)
    assert_close(tangent, 2 * p.l2(params), what="jvp along the parameters")


def test_nested_dicts_of_parameters():
    params = {"enc": {"W": RNG.standard_normal((2, 2)), "b": 0.3}, "dec": {"W": vec()}}
    check(p.nested_l2, (params,))
    grads = srcad.grad(p.nested_l2)(params)
    assert list(grads) == ["enc", "dec"] and list(grads["enc"]) == ["W", "b"]


def test_sorted_keys():
    params = {"b": vec(), "a": vec(2), "c": 0.7}
    check(p.sorted_chain, (params,))
    assert list(srcad.grad(p.sorted_chain)(params)) == ["b", "a", "c"]


# ---- dicts built in the function, returned by a helper, global ---------------------------------
def test_a_dict_built_in_the_function():
    check_float(p.built_with_dict, 0.4)
    check_float(p.built_from_zip, 0.4, ["a", "bb"], [2.0, -1.0])
    check_float(p.built_ordered, 0.4)


def test_a_dict_of_differentiated_values_built_in_the_function():
    srcad.check_grad(p.built_with_a_differentiated_value, modes=("reverse", "forward"),
                     order=2)(0.4)


def test_a_dict_returned_by_a_helper_and_a_global_dict():
    check_float(p.from_a_helper, 0.4)
    check_float(p.over_a_global, 0.4)
    df = srcad.grad(p.from_a_helper)
    df(0.4)
    assert "table_keys = loop_keys(table," in srcad.source(df)


def test_a_dict_whose_kind_only_the_analysis_knows_is_refused_where_it_is_iterated():
    """A helper's result read only by its keys: srcad cannot tell at transform time that it
    is a dict, and refuses it at run time, at the loop, instead of reading table[0]."""
    for action in (lambda: srcad.grad(p.keys_from_a_helper)(0.4),
                   lambda: srcad.jvp(p.keys_from_a_helper)(0.4, 1.0)):
        refused(action, p.keys_from_a_helper, "for name in table", "loop over a dict",
                "d.keys()")


# ---- sets, views, iterators ---------------------------------------------------------------------
def test_sets():
    check_float(p.over_a_set, 0.3, {"a", "b", "c"}, {"a": 1.0, "b": -2.0, "c": 0.5})
    check_float(p.over_an_argument, 0.3, {1.5, -2.0})
    check(p.over_a_set_of_indices, ([vec(), vec(), vec()], [2, 0, 2]), wrt=0)
    for action in (lambda: srcad.grad(p.over_a_set_of_values)([0.5, 1.5]),
                   lambda: srcad.jvp(p.over_a_set_of_values)([0.5, 1.5], [1.0, 1.0])):
        refused(action, p.over_a_set_of_values, "for v in set(xs)", "loop over a set",
                "list or a tuple")


def test_views_bound_to_names():
    d = {"b": 2.0, "a": -3.0, "c": 0.5}
    check_float(p.keys_view_named, 0.7, d)
    check(p.keys_view_named, (0.7, d), wrt=1)
    params = {"b": vec(), "a": vec(2)}
    check(p.values_view_named, (params,))
    check(p.items_view_named, (params,))
    view = d.values()       # a view passed in: its values (a view cannot be copied for FD)
    value, g = srcad.value_and_grad(p.over_an_argument)(0.3, view)
    assert value == p.over_an_argument(0.3, view)
    assert_close(g, 2 * 0.3 * sum(d.values()), what="a view's values")
    assert_close(srcad.jvp(p.over_an_argument)(0.3, view, 1.0)[1], g, what="jvp over a view")


def test_iter_of_a_sequence_and_of_a_dict():
    check(p.over_iter, ([vec(), vec(2)],))
    keyed = {0.5: 1.0, 1.5: 2.0}     # iter(d) yields the keys: the values have no say
    assert srcad.value_and_grad(p.over_iter)(keyed) == (p.over_iter(keyed), {0.5: 0.0, 1.5: 0.0})
    check(p.over_iter, (keyed,))


def test_a_generator_argument():
    value, g = srcad.value_and_grad(p.over_an_argument)(0.3, (v for v in [1.5, -2.0]))
    assert_close(value, p.over_an_argument(0.3, (v for v in [1.5, -2.0])))
    assert_close(g, 2 * 0.3 * (1.5 - 2.0), what="a generator's values")
    _, t = srcad.jvp(p.over_an_argument)(0.3, iter([1.5, -2.0]), 1.0)
    assert_close(t, 2 * 0.3 * (1.5 - 2.0), what="jvp over an iterator")


@pytest.mark.parametrize("f", [p.over_map, p.over_filter])
def test_loops_over_map_and_filter(f):
    srcad.check_grad(f, modes=("reverse", "forward"), order=2)([0.5, -0.3, 1.5])


def test_a_loop_over_a_generator_function_is_the_generator_written_out():
    srcad.check_grad(p.over_a_generator, modes=("reverse", "forward"), order=2)(0.3)


@pytest.mark.parametrize("f, text, words", [
    (p.over_a_stopping_generator, "in squares_until(", ("generator squares_until",
                                                        "return a list")),
])
def test_iterators_srcad_cannot_index_are_refused_at_transform_time(f, text, words):
    refused(lambda: srcad.grad(f)(0.3), f, text, *words)
    refused(lambda: srcad.jvp(f)(0.3, 1.0), f, text, *words)


def test_a_custom_mapping_argument():
    class Table(collections.abc.Mapping):
        def __init__(self, d):
            self.d = d

        def __getitem__(self, k):
            return self.d[k]

        def __iter__(self):
            return iter(self.d)

        def __len__(self):
            return len(self.d)
    table = Table({"b": 2.0, "a": -1.0})
    check_float(p.horner, 0.6, table)


# ---- programs in the style of autograd and JAX --------------------------------------------------
def test_linear_regression_with_a_dict_of_parameters():
    params = {"w": vec(), "b": 0.2}
    x, y = RNG.standard_normal((5, 3)), vec(5)
    check(p.linear_regression, (params, x, y, 0.1), wrt=0)
    check(p.linear_regression, (params, x, y, 0.1), wrt=3)
    grads = srcad.grad(p.linear_regression)(params, x, y, 0.1)
    assert list(grads) == ["w", "b"] and type(grads["b"]) is float


def test_a_lookahead_loss_after_an_sgd_step():
    params = {"W": RNG.standard_normal((3, 2)), "b": vec(2)}
    grads = {"W": RNG.standard_normal((3, 2)), "b": vec(2)}
    for wrt in (0, 1, 2):
        check(p.lookahead_loss, (params, grads, 0.1), wrt=wrt)


def test_a_weighted_sum_of_named_objectives():
    params = {"W": RNG.standard_normal((3, 2))}
    weights = {"activity": 0.5, "l2": 1e-2, "mean": -1.0}
    x = RNG.standard_normal((4, 3))
    check(p.weighted_objectives, (params, x, weights), wrt=0)
    check(p.weighted_objectives, (params, x, weights), wrt=2)


@pytest.mark.parametrize("f", [p.mlp, p.mlp_items])
def test_an_mlp_whose_layers_are_a_dict(f):
    if f is p.mlp:
        params = {"hidden": {"W": RNG.standard_normal((3, 4)), "b": vec(4)},
                  "out": {"W": RNG.standard_normal((4, 2)), "b": vec(2)}}
    else:
        params = {"hidden": (RNG.standard_normal((3, 4)), vec(4)),
                  "out": (RNG.standard_normal((4, 2)), vec(2))}
    x = RNG.standard_normal((5, 3))
    check(f, (params, x), wrt=0)
    check(f, (params, x), wrt=1)
    grads = srcad.grad(f)(params, x)
    assert list(grads) == ["hidden", "out"]
