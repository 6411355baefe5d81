"""Programs written the way autograd's users write them (tests/autograd_style_programs.py),
differentiated by srcad unchanged: each gradient against finite differences along random
directions, in reverse and forward mode (srcad.check_grad), and to second order where the
program allows it."""
import numpy as np
import pytest

pytest.importorskip("scipy")

import srcad  # noqa: E402
import autograd_style_programs as p  # noqa: E402

RNG = np.random.default_rng(11)


def check(f, args, wrt=0, order=1, rtol=1e-5):
    srcad.check_grad(f, wrt=wrt, modes=("reverse", "forward"), order=order, rtol=rtol)(*args)


def test_logistic_regression():
    inputs = RNG.standard_normal((6, 3))
    targets = (RNG.random(6) > 0.5).astype(float)
    check(p.logistic_loss, (RNG.standard_normal(3) * 0.5, inputs, targets), order=2)


def mlp_params():
    sizes = [3, 4, 2]
    return [(RNG.standard_normal((m, n)) * 0.5, RNG.standard_normal(n) * 0.1)
            for m, n in zip(sizes[:-1], sizes[1:])]


def test_mlp_with_a_list_of_weight_tuples():
    params = mlp_params()
    inputs = RNG.standard_normal((5, 3))
    targets = np.eye(2)[RNG.integers(0, 2, 5)]
    check(p.mlp_objective, (params, inputs, targets))
    grad = srcad.grad(p.mlp_objective)(params, inputs, targets)
    assert type(grad) is list and all(type(layer) is tuple for layer in grad)
    assert [(dW.shape, db.shape) for dW, db in grad] == [(W.shape, b.shape) for W, b in params]


def test_rnn_with_a_dict_of_parameters_and_nested_functions():
    hidden, inp, out, steps, seqs = 3, 2, 2, 4, 2
    params = {"init hiddens": RNG.standard_normal((1, hidden)) * 0.1,
              "change": RNG.standard_normal((inp + hidden + 1, hidden)) * 0.3,
              "predict": RNG.standard_normal((hidden + 1, out)) * 0.3}
    inputs = RNG.standard_normal((steps, seqs, inp))
    targets = np.eye(out)[RNG.integers(0, out, (steps, seqs))]
    check(p.rnn_log_likelihood, (params, inputs, targets))
    grad = srcad.grad(p.rnn_log_likelihood)(params, inputs, targets)
    assert list(grad) == list(params) and all(grad[k].shape == params[k].shape for k in params)


def test_mixture_of_gaussians():
    params = {"means": np.array([-1.0, 0.5, 2.0]), "log_stds": np.array([0.1, -0.2, 0.3]),
              "logits": np.array([0.2, -0.1, 0.4])}
    check(p.mixture_log_likelihood, (params, RNG.standard_normal(7)))


def test_gaussian_process_marginal_likelihood():
    x = np.linspace(-2, 2, 6)
    y = np.sin(x) + 0.1 * RNG.standard_normal(6)
    check(p.gp_negative_log_marginal_likelihood, (np.array([0.1, -0.2, -1.5]), x, y), order=2)


def test_black_box_variational_inference_closure():
    objective = p.make_variational_objective(p.banana_log_density, RNG.standard_normal((20, 2)))
    check(objective, (np.array([0.3, -0.2, -0.5, 0.1]),), order=2)


def test_tanh_to_third_order():
    d3 = srcad.grad(srcad.grad(srcad.grad(p.tanh)))
    for x in (-1.3, 0.0, 0.7):
        t = np.tanh(x)
        assert abs(d3(x) - (-2.0 * (1 - t * t) * (1 - 3 * t * t))) < 1e-10
    check(p.tanh, (0.4,), order=2)


def test_softmax_regression_with_integer_labels():
    X = RNG.standard_normal((8, 3))
    labels = RNG.integers(0, 4, 8)
    check(p.softmax_regression_loss, (RNG.standard_normal((3, 4)) * 0.3,
                                      RNG.standard_normal(4) * 0.1, X, labels), wrt=(0, 1),
          order=2)


def test_advection_with_integer_index_arrays():
    f0 = RNG.standard_normal((5, 4))
    check(p.advection_loss, (f0, 0.3, -0.45), wrt=(0, 1, 2))


def test_filter_with_in_place_updates():
    check(p.smoothed_energy, (np.array([0.4, -0.3]), RNG.standard_normal(6)))


def test_physics_loop_with_a_data_dependent_stop():
    check(p.bounce_height, (3.0, 0.05), wrt=(0, 1), order=2)


def test_variadic_arrays_through_enumerate_and_zip():
    arrays = [RNG.standard_normal(3) for _ in range(3)]
    check(p.ensemble_loss, (np.array([0.5, -0.2, 0.9]), *arrays), wrt=(0, 1, 2, 3), order=2)


# ---- lists of layers of different widths (their W and b share a dimension srcad names) -------
def layers_of(sizes, extra=()):
    out = []
    for m, n in zip(sizes[:-1], sizes[1:]):
        layer = (RNG.standard_normal((m, n)) * 0.5, RNG.standard_normal(n) * 0.1)
        out.append(layer + tuple(1.0 + 0.2 * RNG.standard_normal(n) for _ in extra))
    return out


def test_layers_with_a_gain_per_unit():
    check(p.scaled_net, (layers_of([3, 5, 2], extra=("gamma",)), RNG.standard_normal((4, 3))),
          wrt=(0, 1), order=2)


def test_batch_normalised_layers():
    check(p.normalised_net, (layers_of([3, 4, 2]), RNG.standard_normal((6, 3))), wrt=(0, 1))


def test_weights_and_biases_in_two_lists():
    layers = layers_of([3, 4, 2])
    params = {"W": [W for W, _ in layers], "b": [b for _, b in layers]}
    check(p.split_params_net, (params, RNG.standard_normal((5, 3))), wrt=(0, 1), order=2)


def test_biases_that_broadcast_differently_per_layer():
    params = [(RNG.standard_normal((3, 4)) * 0.5, RNG.standard_normal((1, 4)) * 0.1),
              (RNG.standard_normal((4, 2)) * 0.5, RNG.standard_normal(1) * 0.1),
              (RNG.standard_normal((2, 2)) * 0.5, RNG.standard_normal(2) * 0.1)]
    check(p.mixed_bias_net, (params, RNG.standard_normal((5, 3))), wrt=(0, 1), order=2)


def test_skip_connections_to_every_layer():
    check(p.skip_net, (layers_of([3, 3, 3, 3]), RNG.standard_normal((4, 3))), wrt=(0, 1),
          order=2)
