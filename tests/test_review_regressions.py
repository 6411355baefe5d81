"""Findings of a review of comprehensions, functions as values, dicts and has_aux: each gave a
silently wrong number, a wrong aux or a crash; each is now right or a located refusal."""
import numpy as np
import pytest

import review_programs as p
import srcad

X = np.array([0.3, -0.7, 1.1])


def check(f, args, wrt=0, order=2):
    srcad.check_grad(f, wrt=wrt, modes=("reverse", "forward"), order=order)(*args)


@pytest.mark.parametrize("f, words", [
    (p.dict_item_added_in_place, "an item of d"),
    (p.list_item_added_in_place, "an item of pair"),
    (p.zip_as_a_value, "zip(...) used as a value"),
    (p.enumerate_as_a_value, "enumerate(...) used as a value"),
    (p.append_in_a_comprehension, ".append() inside an expression"),
])
def test_refused_at_the_users_line_not_a_silent_zero(f, words):
    for transform in (lambda: srcad.grad(f)(X), lambda: srcad.jvp(f)(X, X)):
        with pytest.raises(srcad.SrcadError, match=words.replace("(", r"\(").replace(
                ")", r"\)").replace(".", r"\.")) as err:
            transform()
        assert "review_programs.py:" in str(err.value)


def test_items_no_other_name_holds_are_added_in_place():
    check(p.fresh_items_added_in_place, (X,), order=1)


def test_the_aux_is_what_the_function_returned():
    g, aux = srcad.grad(p.aux_of_states_filled_in_place, has_aux=True)(X)
    np.testing.assert_allclose(aux, p.aux_of_states_filled_in_place(X)[1])
    (value, aux2), g2 = srcad.value_and_grad(p.aux_of_states_filled_in_place, has_aux=True)(X)
    np.testing.assert_allclose(aux2, aux)


def test_one_helper_specialised_on_two_lambdas():
    check(p.two_lambdas_of_one_name, (X * 0.3, np.ones((3, 2)) * 0.5), wrt=(0, 1))
