"""Dicts built inside the differentiated function (issue 18, item 4): literals, dict(...),
comprehensions, stores into new keys, .get, and dicts returned."""
import numpy as np
import pytest

import pytree_programs as p
import srcad

RNG = np.random.default_rng(4)


def check(f, args, wrt=0, order=2):
    srcad.check_grad(f, wrt=wrt, modes=("reverse", "forward"), order=order)(*args)


CASES = [
    (p.sgd_step_then_loss, lambda: ({"W": RNG.standard_normal(3), "b": 0.7},
                                    {"W": RNG.standard_normal(3), "b": 0.2}), (0, 1), 2),
    (p.dict_of_layers, lambda: (RNG.standard_normal((3, 4)), RNG.standard_normal((4, 2)),
                                RNG.standard_normal(3)), (0, 1), 2),
    (p.dict_built_by_keywords, lambda: (0.4, 1.1), (0, 1), 2),
    (p.filled_in_a_loop, lambda: ([0.5, -1.2, 0.3],), 0, 2),
    (p.updated_twice, lambda: ({"w": 0.5, "b": -1.5},), 0, 2),
    (p.lookup_with_get, lambda: ({"scale": 1.5}, 0.7), (0, 1), 2),
    (p.values_and_items, lambda: ({"a": RNG.standard_normal(2), "b": RNG.standard_normal(3)},),
     0, 2),
]


@pytest.mark.parametrize("f, args, wrt, order", CASES,
                         ids=[c[0].__name__ for c in CASES])
def test_against_finite_differences(f, args, wrt, order):
    check(f, args(), wrt, order)


def test_a_dict_comprehension_builds_its_own_name():
    params = {"W": np.ones(2), "b": 0.5}
    text = srcad.source(srcad.grad(p.sgd_step_then_loss), params, params)
    assert "new = {}" in text and "new = with_item(new, k," in text


def test_a_function_that_returns_a_dict():
    value, tangent = srcad.jvp(p.returns_a_dict)(1.5, 1.0)
    assert value == {"square": 2.25, "cube": 3.375}
    assert tangent["square"] == pytest.approx(3.0) and tangent["cube"] == pytest.approx(6.75)
    assert srcad.vjp(p.returns_a_dict)(1.5, {"square": 1.0, "cube": 2.0}) == \
        pytest.approx(3.0 + 2.0 * 6.75)


def test_get_falls_back_to_its_default():
    g = srcad.grad(p.lookup_with_get, wrt=(0, 1))({"shift": 0.3}, 0.7)
    assert g[0] == {"shift": 1.0} and g[1] == pytest.approx(2 * 0.7)
