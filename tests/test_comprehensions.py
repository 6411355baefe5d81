"""Comprehensions and generator expressions (issue 18, item 1): written as loops before the
fence, checked against finite differences in reverse and forward mode and to second order."""
import numpy as np
import pytest

import srcad
import comprehension_programs as p

RNG = np.random.default_rng(18)


def vec(n=3, shift=0.0):
    return RNG.standard_normal(n) + shift


def check(f, args, wrt=0, order=2):
    srcad.check_grad(f, wrt=wrt, modes=("reverse", "forward"), order=order)(*args)


CASES = [
    (p.l2_penalty, lambda: ([vec(2), RNG.standard_normal((2, 3))],), 0),
    (p.scaled_list_sum, lambda: (vec(),), 0),
    (p.outer_product_grid, lambda: (vec(),), 0),
    (p.positive_squares, lambda: ([0.7, -0.3, 1.2],), 0),
    (p.dot_by_zip, lambda: ([0.5, 1.5], [2.0, -1.0]), (0, 1)),
    (p.weighted_by_position, lambda: (vec(4),), 0),
    (p.stacked_features, lambda: (vec(),), 0),
    (p.flattened, lambda: ([vec(2), RNG.standard_normal((2, 2))],), 0),
    (p.largest_and_smallest, lambda: ([0.3, -1.7, 0.9],), 0),
    (p.unpacked_tuple, lambda: (0.7,), 0),
    (p.comprehension_in_a_loop, lambda: (vec(2), [vec(2), vec(2)]), (0, 1)),
    (p.variable_named_as_outer, lambda: (0.4, [0.5, -1.1]), (0, 1)),
    (p.iterates_its_own_name, lambda: (vec(),), 0),
    (p.log_sum_exp, lambda: (vec(4),), 0),
    (p.comprehension_in_a_test, lambda: (np.array([0.5, 1.0, -0.2]),), 0),
    (p.comprehension_in_a_test, lambda: (np.array([-0.5, 0.2, -0.3]),), 0),
    (p.loop_over_a_comprehension, lambda: ([0.3, 1.1],), 0),
    (p.conditional_elements, lambda: ([0.3, -1.1, 0.8],), 0),
    (p.nested_with_filter, lambda: (vec(4),), 0),
    (p.sum_with_start, lambda: ([0.3, 1.1], 0.7), (0, 1)),
    (p.list_of_layers, lambda: (vec(2), [RNG.standard_normal((3, 2)) for _ in range(2)]),
     (0, 1)),
    (p.all_positive_then, lambda: (vec(3, 3.0),), 0),
    (p.polynomial, lambda: ([0.5, -1.0, 0.25], 1.3), (0, 1)),
]


@pytest.mark.parametrize("f, args, wrt", CASES, ids=[c[0].__name__ + str(i)
                                                      for i, c in enumerate(CASES)])
def test_against_finite_differences(f, args, wrt):
    check(f, args(), wrt)


def test_mlp_with_an_l2_penalty_over_its_layers():
    params = [(RNG.standard_normal((3, 4)) * 0.5, vec(4) * 0.1),
              (RNG.standard_normal((4, 2)) * 0.5, vec(2) * 0.1)]
    inputs, targets = RNG.standard_normal((5, 3)), RNG.standard_normal((5, 2))
    check(p.mlp_loss, (params, inputs, targets), order=1)
    grad = srcad.grad(p.mlp_loss)(params, inputs, targets)
    assert [(dW.shape, db.shape) for dW, db in grad] == [(W.shape, b.shape) for W, b in params]


def test_the_derivative_reads_as_the_loop():
    text = srcad.source(srcad.grad(p.l2_penalty), [np.ones(2), np.ones(3)])
    assert "for w in params" in text
    assert "items" not in text and "total = 0" in text or "dtotal" in text   # no list


def test_a_list_comprehension_builds_its_own_name():
    text = srcad.source(srcad.grad(p.list_of_layers), np.ones(2), [np.ones((3, 2))] * 2)
    assert "hs = []" in text and "hs.append(" in text


def gen_bound_to_a_name(xs):
    g = (v * 2.0 for v in xs)
    return sum(g)


def comp_in_while_test(x):
    while sum(v for v in [x]) < 10.0:
        x = x * 2.0
    return x


def set_comp(xs):
    return sum({v for v in xs})


def comp_on_one_path(x, xs):
    return x if x > 0 else sum([v for v in xs])


@pytest.mark.parametrize("f, what", [
    (gen_bound_to_a_name, "generator expression that is not passed straight to a call"),
    (comp_in_while_test, "comprehension in a while loop's test"),
    (set_comp, "set comprehension"),
    (comp_on_one_path, "computed only on some paths"),
])
def test_refusals_name_the_line(f, what):
    with pytest.raises(srcad.SrcadError, match=what) as err:
        srcad.grad(f)(1.0, [1.0]) if f is comp_on_one_path else srcad.grad(f)(
            [1.0] if f is not comp_in_while_test else 1.0)
    assert "test_comprehensions.py:" in str(err.value)
