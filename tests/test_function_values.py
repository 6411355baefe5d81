"""Lambdas and functions as values (issue 18, item 2): checked against finite differences in
reverse and forward mode, and to second order."""
import numpy as np
import pytest

import function_value_programs as p
import srcad

RNG = np.random.default_rng(21)


def check(f, args, wrt=0, order=2):
    srcad.check_grad(f, wrt=wrt, modes=("reverse", "forward"), order=order)(*args)


def W(m, n):
    return RNG.standard_normal((m, n)) * 0.5


CASES = [
    (p.two_layer_net, lambda: (W(3, 4), W(4, 2), RNG.standard_normal(3)), (0, 1)),
    (p.passes_the_function_along, lambda: (W(3, 3), RNG.standard_normal(3)), (0, 1)),
    (p.activation_from_a_table, lambda: (RNG.standard_normal(4),), 0),
    (p.table_entry_as_argument, lambda: (W(3, 2), RNG.standard_normal(3)), (0, 1)),
    (p.lambda_as_argument, lambda: (W(3, 2), RNG.standard_normal(3)), (0, 1)),
    (p.nested_function_as_argument, lambda: (W(3, 2), RNG.standard_normal(3)), (0, 1)),
    (p.map_with_a_lambda, lambda: ([0.3, -1.2, 2.0],), 0),
    (p.map_with_a_function, lambda: (RNG.standard_normal(3),), 0),
    (p.map_over_two_lists, lambda: ([0.3, -1.2], [0.7, 0.1]), (0, 1)),
    (p.filter_then_sum, lambda: ([0.3, -1.2, 2.0], 0.1), (0, 1)),
    (p.lambda_reads_a_local, lambda: ([0.3, -1.2, 2.0], 1.5), (0, 1)),
    (p.sorted_with_a_key, lambda: (np.array([0.3, -1.2, 2.0]),), 0),
    (p.loop_over_map, lambda: (RNG.standard_normal(3),), 0),
    (p.SQUARE, lambda: (RNG.standard_normal(3),), 0),
]


@pytest.mark.parametrize("f, args, wrt", CASES, ids=[getattr(c[0], "__name__", "lambda") + str(i)
                                                      for i, c in enumerate(CASES)])
def test_against_finite_differences(f, args, wrt):
    check(f, args(), wrt)


def test_lambdas_given_to_the_transforms():
    assert srcad.grad(lambda x: x ** 3)(2.0) == pytest.approx(12.0)
    assert srcad.grad(lambda x, y: x * y ** 2, wrt=1)(2.0, 3.0) == pytest.approx(12.0)
    assert srcad.jvp(lambda x: np.sin(x) * x)(0.5, 1.0)[1] == pytest.approx(
        np.cos(0.5) * 0.5 + np.sin(0.5))
    assert srcad.hessian(lambda x: x ** 3)(2.0) == pytest.approx(12.0)
    assert srcad.grad(srcad.grad(lambda x: x ** 4))(1.5) == pytest.approx(12 * 1.5 ** 2)
    fs = [lambda x: x * 2.0, lambda x: x ** 3]    # two on one line: told apart by their bodies
    assert [srcad.grad(g)(2.0) for g in fs] == [pytest.approx(2.0), pytest.approx(12.0)]


def test_a_lambda_is_named_after_its_variable():
    assert srcad.source(srcad.grad(p.SQUARE), np.ones(2)).startswith("def dSQUARE_dx(")
    text = srcad.source(srcad.grad(lambda x: x * 2.0), 1.0)
    assert text.startswith("def danonymous_dx(")


def test_the_specialised_helper_is_named_after_the_function():
    text = srcad.source(srcad.grad(p.two_layer_net, wrt=(0, 1)), W(3, 4), W(4, 2), np.ones(3))
    assert "layer_tanh(" in text and "dlayer_softplus_" in text


def test_a_map_reads_as_its_loop():
    text = srcad.source(srcad.grad(p.map_with_a_lambda), [1.0, 2.0])
    assert "for i in reversed(range(len(xs)))" in text and "lambda v" not in text


def test_partials():
    # (a partial called used to give 0.0: the call of the local g was not taken to depend on x)
    assert srcad.grad(p.partial_called)(2.0) == pytest.approx(12.0)
    check(p.partial_of_a_numpy_function, (1.3,))
    check(p.partial_of_a_helper, (1.5, 0.5), wrt=(0, 1))
    check(p.global_partial, (np.array([0.5, 1.0]),))
    text = srcad.source(srcad.grad(p.global_partial), np.ones(2))
    assert "scale_add_arg0, x, c=scale_add_c" in text


def test_a_partial_that_escapes_is_refused_not_a_silent_zero():
    with pytest.raises(srcad.SrcadError, match="partial") as err:
        srcad.grad(p.partial_passed_on)(2.0)
    assert "function_value_programs.py:" in str(err.value)


def test_a_nested_function_that_reads_local_variables_passed_as_a_value_is_refused():
    with pytest.raises(srcad.SrcadError, match="reads the variables c") as err:
        srcad.grad(p.closure_passed_as_value)(W(3, 2), np.ones(3), 0.5)
    assert "function_value_programs.py:" in str(err.value)


def test_a_lambda_without_a_source_file_is_refused_clearly():
    namespace = {}
    exec("f = lambda x: x * 2.0", namespace)
    with pytest.raises(srcad.SrcadError, match="source is not available"):
        srcad.grad(namespace["f"])(1.0)
