"""Functions made by helpers, functions in local variables, ``zip(*rows)`` and ``f(*shape)``
(issue 18, item 2): grad, jvp and Hessian-vector products against finite differences; what
stays refused says so at the user's line."""
import numpy as np
import pytest

import factory_and_spread_programs as p
import srcad

RNG = np.random.default_rng(18)


def W(m, n):
    return RNG.standard_normal((m, n)) * 0.5


def v(n):
    return RNG.standard_normal(n)


CASES = [
    (p.two_made_layers, lambda: (W(3, 4), v(4), W(4, 2), v(3)), (0, 1, 2, 3)),
    (p.loss_of_a_made_loss, lambda: (0.3, v(3)), (0, 1)),
    (p.made_lambda, lambda: (v(3),), 0),
    (p.made_in_a_loop, lambda: ([W(3, 3), W(3, 3)], v(3)), (0, 1)),
    (p.made_update, lambda: (0.7, -0.4), (0, 1)),
    (p.local_activation, lambda: (W(3, 2), v(3)), (0, 1)),
    (p.local_user_function, lambda: (W(3, 2), v(3)), (0, 1)),
    (p.local_from_a_table, lambda: (v(4),), 0),
    (p.local_function_passed_on, lambda: (W(3, 2), v(3)), (0, 1)),
    (p.local_function_mapped, lambda: (v(3),), 0),
    (p.pairs_of_rows, lambda: (v(4),), 0),
    (p.enumerate_zip_star, lambda: (v(4),), 0),
    (p.comprehension_over_zip_star, lambda: (v(4),), 0),
    (p.transposed_table, lambda: (v(4),), 0),
    (p.unzipped_pairs, lambda: (v(4),), 0),
    (p.noise_of_the_same_shape, lambda: (v(4),), 0),
    (p.reshaped_by_a_shape_tuple, lambda: (v(4),), 0),
    (p.zeros_of_a_shape, lambda: (v(4),), 0),
    (p.list_appended_then_unpacked, lambda: (v(4),), 0),
    (p.uses_a_factory_defined_below, lambda: (v(3),), 0),
    (p.nested_targets, lambda: (v(4),), 0),
    (p.factory_passed_to_a_helper, lambda: (1.7,), 0),
    (p.starred_target, lambda: (v(4),), 0),
]


@pytest.mark.parametrize("f, args, wrt", CASES, ids=[c[0].__name__ for c in CASES])
def test_against_finite_differences(f, args, wrt):
    srcad.check_grad(f, wrt=wrt, modes=("reverse", "forward"), order=2)(*args())


def test_a_made_function_reads_like_a_helper():
    """The factory's nested function is lifted as a helper of its own, reading the caller's
    names where the caller never rebinds them (no ``W_2 = W`` copies)."""
    text = srcad.source(srcad.grad(p.two_made_layers, wrt=(0, 2)), W(3, 4), v(4), W(4, 2), v(3))
    assert "W1_2" not in text and " = W1\n" not in text
    assert "def dhidden" in text and "def dout" in text


def test_a_local_alias_is_the_function_it_names():
    text = srcad.source(srcad.grad(p.local_activation), W(3, 2), v(3))
    assert "act(" not in text and "act =" not in text and "np.tanh(" in text


def test_zip_star_in_a_loop_unpacks_the_rows_once():
    text = srcad.source(srcad.grad(p.pairs_of_rows), v(4))
    assert "rows_0, rows_1 = rows" in text


def test_zip_star_of_an_empty_list_is_python_s_zero_iterations_or_an_error():
    """``for a, b in zip(*[])`` runs no iteration in Python; srcad unpacks the rows first, so
    that program raises (never a silently different value)."""
    def f(x):
        rows = []
        total = x * 0.0
        for a, b in zip(*rows):
            total = total + a * b
        return total
    with pytest.raises(ValueError):
        srcad.grad(f)(1.0)


@pytest.mark.parametrize("f, args, words", [
    (p.power_of_a_spread_tuple, (np.ones(3),), ["factory_and_spread_programs.py:",
                                                 "spread into it"]),
    (p.function_chosen_when_it_runs, (np.ones(3),), ["factory_and_spread_programs.py:",
                                                      "its own branch"]),
    (p.recursive, (np.ones(3),), ["factory_and_spread_programs.py:", "recursive"]),
], ids=["star of a differentiated tuple", "function chosen at run time", "recursion"])
def test_what_stays_refused_says_where(f, args, words):
    with pytest.raises(srcad.SrcadError) as info:
        srcad.grad(f)(*args)
    for w in words:
        assert w in str(info.value)


def test_a_spread_that_fills_a_rule_s_named_parameter_is_refused_when_differentiated():
    def f(x):
        options = {"axis": 0}
        return np.sum(np.sum(x, **options) ** 2)
    with pytest.raises(srcad.SrcadError, match="spread into it"):
        srcad.grad(f)(np.ones((2, 3)))

    def g(x, axis):     # the same call, with nothing differentiated spread, runs
        options = {"axis": axis}
        return np.sum(x * np.sum(np.ones((2, 3)), **options))
    assert srcad.grad(g)(np.ones(3), 0) == pytest.approx(np.full(3, 2.0))
