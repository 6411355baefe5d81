"""has_aux=True (issue 18, item 3): the value differentiated, the aux returned untouched."""
import numpy as np
import pytest

import aux_programs as p
import srcad

RNG = np.random.default_rng(3)


def numeric_grad(f, x, h=1e-6):
    x = np.asarray(x, dtype=float)
    g = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        e = np.zeros_like(x)
        e[i] = h
        g[i] = (f(x + e) - f(x - e)) / (2 * h)
    return g


def test_a_loss_with_a_dict_of_metrics():
    w, x = RNG.standard_normal(3) * 0.3, RNG.standard_normal((6, 3))
    y = np.sign(x[:, 0])
    g, aux = srcad.grad(p.loss_with_metrics, has_aux=True)(w, x, y)
    value, want_aux = p.loss_with_metrics(w, x, y)
    np.testing.assert_allclose(g, numeric_grad(lambda v: p.loss_with_metrics(v, x, y)[0], w),
                               rtol=1e-6, atol=1e-8)
    assert set(aux) == {"pred", "accuracy"} and aux["accuracy"] == want_aux["accuracy"]
    np.testing.assert_array_equal(aux["pred"], want_aux["pred"])
    (v, aux2), g2 = srcad.value_and_grad(p.loss_with_metrics, has_aux=True)(w, x, y)
    assert v == pytest.approx(value) and aux2["accuracy"] == want_aux["accuracy"]
    np.testing.assert_allclose(g2, g)


def test_with_respect_to_several_arguments_and_a_state_in_the_aux():
    params = [RNG.standard_normal((3, 3)) * 0.5 for _ in range(2)]
    x = RNG.standard_normal(3)
    grads, (states, n) = srcad.grad(p.loss_and_state, wrt=(0, 1), has_aux=True)(params, x)
    assert n == 2 and len(states) == 2
    np.testing.assert_allclose(states[-1], np.tanh(np.tanh(x @ params[0]) @ params[1]))
    for i in range(2):
        def f(W, i=i):
            ps = list(params)
            ps[i] = W
            return p.loss_and_state(ps, x)[0]
        np.testing.assert_allclose(grads[0][i], numeric_grad(f, params[i]), rtol=1e-6,
                                   atol=1e-8)


@pytest.mark.parametrize("w, want", [(2.0, (4.0, "positive")), (-2.0, (-3.0, "negative"))])
def test_each_return_keeps_its_own_aux(w, want):
    assert srcad.grad(p.branches, has_aux=True)(w) == want


def test_the_aux_of_a_helper_and_of_a_loop():
    w = RNG.standard_normal(3)
    g, aux = srcad.grad(p.through_a_helper, has_aux=True)(w)
    np.testing.assert_allclose(g, 4.0 * np.cos(2.0 * w))
    np.testing.assert_allclose(aux, np.cos(2.0 * w))
    g, i = srcad.grad(p.inside_a_loop, has_aux=True)(np.full(2, 1.5), 20)
    assert i == p.inside_a_loop(np.full(2, 1.5), 20)[1]
    np.testing.assert_allclose(g, numeric_grad(lambda v: p.inside_a_loop(v, 20)[0],
                                               np.full(2, 1.5)), rtol=1e-6)


def test_as_a_decorator_and_the_generated_code():
    deco = srcad.grad(has_aux=True)(p.loss_and_aux)
    g, aux = deco(np.ones(2))
    np.testing.assert_allclose(g, 2.0 * np.cos(np.ones(2)))
    text = srcad.source(deco, np.ones(2))
    assert "keep_aux(aux_box, " in text and "aux_box=None" in text


def test_the_aux_is_computed_once_from_the_same_draws():
    rs = np.random.RandomState(0)

    g, aux = srcad.grad(noisy, has_aux=True)(0.5, rs)
    assert g == pytest.approx(2.0 * 0.5 * aux)


def noisy(w, rs):
    eps = rs.randn()
    return w ** 2 * eps, eps


def test_misuse_is_a_clear_error():
    with pytest.raises(srcad.UsageError, match="has_aux"):
        srcad.jvp(p.loss_and_aux, has_aux=True)
    with pytest.raises(srcad.UsageError, match="has_aux"):
        srcad.grad(srcad.grad(p.loss_and_aux, has_aux=True))
    with pytest.raises(srcad.SrcadError) as err:
        srcad.grad(p.returns_three, has_aux=True)(1.0)
    assert "aux_programs.py:" in str(err.value)


def test_a_function_that_returns_no_pair_is_told_so():
    with pytest.raises(srcad.UsageError, match="returned a float.*pair"):
        srcad.grad(p.returns_a_float, has_aux=True)(1.5)
