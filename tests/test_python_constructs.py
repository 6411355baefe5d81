"""for/while ... else, del, .item(), and srcad's own derivatives called inside a
differentiated function (issue 18, items 2 and 4)."""
import numpy as np
import pytest

import construct_programs as p
import srcad


def check(f, args, wrt=0, order=2):
    srcad.check_grad(f, wrt=wrt, modes=("reverse", "forward"), order=order)(*args)


@pytest.mark.parametrize("xs", [[1.0, 2.0], [1.0, 7.0, 2.0]])
def test_for_else_runs_the_else_block_only_without_a_break(xs):
    check(p.search_with_else, (0.5, xs))
    assert srcad.value_and_grad(p.search_with_else)(0.5, xs)[0] == \
        pytest.approx(p.search_with_else(0.5, xs))


def test_while_else_and_nested_loops_with_else():
    check(p.while_with_else, (0.5,))
    check(p.nested_loops_with_else, (0.7, 3))
    assert srcad.value_and_grad(p.nested_loops_with_else)(0.7, 3)[0] == \
        pytest.approx(p.nested_loops_with_else(0.7, 3))


def test_del_and_item():
    check(p.deletes_a_temporary, (0.8,))
    check(p.item_of_an_array, (np.array([0.5, -1.5, 1.0]),))


def test_a_derivative_called_inside_a_differentiated_function():
    assert srcad.grad(p.times_its_slope)(2.0) == pytest.approx(9 * 2.0 ** 2)
    q = np.array([0.5, -1.0, 0.8])
    check(p.force_norm, (q,))
    check(p.through_a_global_derivative, (q,), order=1)
    np.testing.assert_allclose(srcad.grad(p.force_norm)(q), 6 * q ** 5)


def test_loops_over_generator_functions():
    xs = np.array([0.5, 1.0, -0.3, 0.8])
    check(p.chain_energy, (xs,))
    check(p.nested_generators, (0.7,))
    check(p.generator_consumed_by_sum, (0.7,))
    check(p.loop_changes_the_argument, (0.7,))
    assert srcad.value_and_grad(p.loop_changes_the_argument)(0.7)[0] == \
        pytest.approx(p.loop_changes_the_argument(0.7))
    w = np.linspace(-1.0, 1.0, 3 * 4 + 4 * 2)
    check(p.predict_with_a_closure_generator, (w, np.array([0.3, -0.2, 0.9])))
    text = srcad.source(srcad.grad(p.chain_energy), xs)
    assert "neighbour_products" not in text and "for i in reversed(range(len(xs) - 1))" in text


def test_a_generator_that_returns_early_is_refused_at_its_line():
    with pytest.raises(srcad.SrcadError, match="loop over the generator stops_early") as err:
        srcad.grad(p.generator_with_an_early_return)(0.7)
    assert "construct_programs.py:" in str(err.value)


def test_nonlocal_updates_of_a_nested_function():
    assert srcad.grad(p.running_total)(2.0) == pytest.approx(5.0)
    check(p.running_total, (0.7,))
    check(p.running_mean, (0.7, [0.5, 1.5, -0.3]), wrt=(0, 1))
    with pytest.raises(srcad.SrcadError, match="inside the nested function add_twice") as err:
        srcad.grad(p.updater_called_by_another)(1.0)
    assert "construct_programs.py:" in str(err.value)
