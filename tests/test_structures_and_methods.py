"""Namedtuples and dataclasses as arguments and in wrt, gradients of the same type (issue 18,
item 4), and methods (item 5): a bound method's instance held constant, wrt counting its own
parameters; a decorated method called on an instance."""
import numpy as np
import pytest

import srcad
import structure_programs as p

RNG = np.random.default_rng(8)


def check(f, args, wrt=0, order=2):
    srcad.check_grad(f, wrt=wrt, modes=("reverse", "forward"), order=order)(*args)


def params():
    return p.Params(RNG.standard_normal((3, 2)) * 0.5, RNG.standard_normal(2) * 0.1)


def test_a_namedtuple_of_parameters():
    ps, x = params(), RNG.standard_normal(3)
    check(p.namedtuple_loss, (ps, x))
    check(p.namedtuple_indexed_and_unpacked, (ps, x))
    g = srcad.grad(p.namedtuple_loss)(ps, x)
    assert type(g) is p.Params and g.W.shape == ps.W.shape and g.b.shape == ps.b.shape


def test_a_list_of_namedtuples_and_a_dict_holding_them():
    layers, x = [params(), p.Params(RNG.standard_normal((2, 2)), RNG.standard_normal(2))], \
        RNG.standard_normal(3)
    check(p.layers_loss, (layers, x))
    g = srcad.grad(p.layers_loss)(layers, x)
    assert type(g) is list and all(type(gi) is p.Params for gi in g)
    both = {"first": params(), "second": params()}
    check(p.in_a_dict, (both, x), order=1)
    assert type(srcad.grad(p.in_a_dict)(both, x)["second"]) is p.Params


def test_a_dataclass_of_parameters():
    layer, x = p.Layer(RNG.standard_normal((3, 2)), 0.7), RNG.standard_normal(3)
    check(p.dataclass_loss, (layer, x))
    g = srcad.grad(p.dataclass_loss)(layer, x)
    assert type(g) is p.Layer and g.W.shape == (3, 2) and isinstance(g.b, float)
    assert g.b == pytest.approx(np.sum(np.sin(x @ layer.W)))


def test_a_bound_method_holds_its_instance_constant():
    m, w, x = p.Model(RNG.standard_normal((3, 2)), 0.5), RNG.standard_normal(2), \
        RNG.standard_normal(3)
    check(m.loss, (w, x), wrt=(0, 1))
    g = srcad.grad(m.loss)(w, x)           # wrt=0 is w, the method's first parameter
    assert g.shape == w.shape
    check(m.loss_through_predict, (w, x, RNG.standard_normal(2)))
    with pytest.raises(srcad.SrcadError, match="predict") as err:
        srcad.grad(m.loss_through_a_method_of_self)(w, x, np.ones(2))
    assert "Model.predict" not in err.value.hint and "YourClass.predict(obj" in err.value.hint
    m.W = m.W * 2.0                          # read when the derivative runs, not when made
    np.testing.assert_allclose(srcad.grad(m.loss)(w, x), srcad.grad(p.Model.loss, wrt=1)(m, w, x))


def test_an_array_attribute_of_a_captured_object_broadcasts():
    # (t.W * w with t.W of shape (3, 2) and w of (2,): the gradient was not reduced back to w)
    t = Trainer(np.ones((3, 2)))
    g = srcad.grad(lambda w_, x_: np.sum(np.tanh(x_ @ (t.W * w_))))(np.ones(2), np.ones(3))
    assert g.shape == (2,)
    np.testing.assert_allclose(g, 3.0 * (1.0 - np.tanh(3.0) ** 2) * np.ones(2))


class Trainer:
    def __init__(self, W):
        self.W = W

    @srcad.grad(wrt="w")
    def dloss(self, w, x):
        return np.sum(np.tanh(x @ (self.W * w)))


def test_a_decorated_method_called_on_an_instance():
    t, w, x = Trainer(RNG.standard_normal((3, 2))), RNG.standard_normal(2), RNG.standard_normal(3)
    want = srcad.grad(lambda w_, x_: np.sum(np.tanh(x_ @ (t.W * w_))))(w, x)
    np.testing.assert_allclose(t.dloss(w, x), want)


def test_namedtuples_built_in_the_function():
    W, b, x = RNG.standard_normal((3, 2)), RNG.standard_normal(2), RNG.standard_normal(3)
    check(p.builds_a_namedtuple, (W, b, x), wrt=(0, 1))
    ps, gs = params(), params()
    out, tangent = srcad.jvp(p.sgd_step)(ps, gs, gs)
    assert type(out) is p.Params and type(tangent) is p.Params
    np.testing.assert_allclose(tangent.W, gs.W)
    cot = srcad.vjp(p.sgd_step, wrt=1)(ps, gs, p.Params(np.ones((3, 2)), np.ones(2)))
    assert type(cot) is p.Params and np.allclose(cot.W, -0.1) and np.allclose(cot.b, -0.1)


# ---- functools.partial, as JAX users fix hyperparameters ------------------------------------
def regularised_loss(params, x, l2=0.0):
    return np.sum((params * x - 1.0) ** 2) + l2 * np.sum(params ** 2)


def test_a_partial_is_differentiated_with_its_held_arguments_fixed():
    import functools
    import inspect
    p, x = np.array([0.5, -0.3]), np.array([1.0, 2.0])
    fixed = functools.partial(regularised_loss, l2=0.1)
    np.testing.assert_allclose(srcad.grad(fixed)(p, x), 2 * (p * x - 1) * x + 0.2 * p)
    np.testing.assert_allclose(srcad.hessian(fixed)(p, x), np.diag(2 * x * x + 0.2))
    srcad.check_grad(fixed, wrt=(0, 1), order=2)(p, x)
    assert str(inspect.signature(srcad.grad(fixed))) == "(params, x, *, l2=0.1)"
    held = functools.partial(regularised_loss, p, l2=0.1)      # a positional one too
    np.testing.assert_allclose(srcad.grad(held)(x), 2 * (p * x - 1) * p)
    np.testing.assert_allclose(srcad.hessian(held)(x), np.diag(2 * p * p))
    srcad.check_grad(held, order=2)(x)
    with pytest.raises(srcad.UsageError, match="holds fixed"):
        srcad.grad(fixed, wrt="l2")(p, x)
