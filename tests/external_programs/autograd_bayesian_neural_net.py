"""autograd examples/bayesian_neural_net.py, ported by changing only the imports (see CHANGED notes)."""
import itertools

# DROPPED (plotting/data/optimizer): import matplotlib.pyplot as plt
from .autograd_black_box_svi import black_box_variational_inference

import numpy as np
import numpy.random as npr
# DROPPED (plotting/data/optimizer): from autograd.misc.optimizers import adam


def make_nn_funs(layer_sizes, L2_reg, noise_variance, nonlinearity=np.tanh):
    """These functions implement a standard multi-layer perceptron,
    vectorized over both training examples and weight samples."""
    shapes = list(itertools.pairwise(layer_sizes))
    num_weights = sum((m + 1) * n for m, n in shapes)

    def unpack_layers(weights):
        num_weight_sets = len(weights)
        for m, n in shapes:
            yield (
                weights[:, : m * n].reshape((num_weight_sets, m, n)),
                weights[:, m * n : m * n + n].reshape((num_weight_sets, 1, n)),
            )
            weights = weights[:, (m + 1) * n :]

    def predictions(weights, inputs):
        """weights is shape (num_weight_samples x num_weights)
        inputs  is shape (num_datapoints x D)"""
        inputs = np.expand_dims(inputs, 0)
        for W, b in unpack_layers(weights):
            outputs = np.einsum("mnd,mdo->mno", inputs, W) + b
            inputs = nonlinearity(outputs)
        return outputs

    def logprob(weights, inputs, targets):
        log_prior = -L2_reg * np.sum(weights**2, axis=1)
        preds = predictions(weights, inputs)
        log_lik = -np.sum((preds - targets) ** 2, axis=1)[:, 0] / noise_variance
        return log_prior + log_lik

    return num_weights, predictions, logprob


def build_toy_dataset(n_data=40, noise_std=0.1):
    D = 1
    rs = npr.RandomState(0)
    inputs = np.concatenate([np.linspace(0, 2, num=n_data // 2), np.linspace(6, 8, num=n_data // 2)])
    targets = np.cos(inputs) + rs.randn(n_data) * noise_std
    inputs = (inputs - 4.0) / 4.0
    inputs = inputs.reshape((len(inputs), D))
    targets = targets.reshape((len(targets), D))
    return inputs, targets


from ._harness import fix_closure_rs

rbf = lambda x: np.exp(-(x**2))  # from the example's __main__
num_weights, bnn_predictions, bnn_logprob = make_nn_funs(layer_sizes=[1, 4, 4, 1], L2_reg=0.1,
                                                         noise_variance=0.01, nonlinearity=rbf)
_inputs, _targets = build_toy_dataset(n_data=10)
log_posterior = lambda weights, t: bnn_logprob(weights, _inputs, _targets)
bnn_objective, _gradient, _unpack = black_box_variational_inference(log_posterior, num_weights, num_samples=3)
fix_closure_rs(bnn_objective)


def _w():
    return (0.3 * npr.RandomState(0).randn(3, num_weights), _inputs, _targets)


CASES = [(bnn_logprob, _w, 0),
         (bnn_objective, lambda: (0.1 * npr.RandomState(1).randn(2 * num_weights), 0), 0)]


# The user's change after the refusal's hint (not the example's code): unpack_layers returns a list.
_shapes = list(itertools.pairwise([1, 4, 4, 1]))


def unpack_layers_list(weights):
    num_weight_sets = len(weights)
    layers = []
    for m, n in _shapes:
        layers.append((
            weights[:, : m * n].reshape((num_weight_sets, m, n)),
            weights[:, m * n : m * n + n].reshape((num_weight_sets, 1, n)),
        ))
        weights = weights[:, (m + 1) * n :]
    return layers


def workaround_logprob(weights, inputs, targets):
    inputs = np.expand_dims(inputs, 0)
    for W, b in unpack_layers_list(weights):
        outputs = np.einsum("mnd,mdo->mno", inputs, W) + b
        inputs = rbf(outputs)
    log_prior = -0.1 * np.sum(weights**2, axis=1)
    log_lik = -np.sum((outputs - targets) ** 2, axis=1)[:, 0] / 0.01
    return log_prior + log_lik


def workaround_total(weights, inputs, targets):
    return np.sum(workaround_logprob(weights, inputs, targets))


CASES.append((workaround_total, _w, 0))
