"""autograd examples/neural_net.py, ported by changing only the imports (see CHANGED notes)."""
"""A multi-layer perceptron for classification of MNIST handwritten digits."""

import itertools

# DROPPED (plotting/data/optimizer): from data import load_mnist

import numpy as np
import numpy.random as npr
from srcad import grad
from ._harness import flatten  # CHANGED: no srcad flatten
# DROPPED (plotting/data/optimizer): from autograd.misc.optimizers import adam
from scipy.special import logsumexp


def init_random_params(scale, layer_sizes, rs=None):
    """Build a list of (weights, biases) tuples,
    one for each layer in the net."""
    rs = rs if rs is not None else npr.RandomState(0)
    return [
        (
            scale * rs.randn(m, n),  # weight matrix
            scale * rs.randn(n),
        )  # bias vector
        for m, n in itertools.pairwise(layer_sizes)
    ]


def neural_net_predict(params, inputs):
    """Implements a deep neural network for classification.
    params is a list of (weights, bias) tuples.
    inputs is an (N x D) matrix.
    returns normalized class log-probabilities."""
    for W, b in params:
        outputs = np.dot(inputs, W) + b
        inputs = np.tanh(outputs)
    return outputs - logsumexp(outputs, axis=1, keepdims=True)


def l2_norm(params):
    """Computes l2 norm of params by flattening them into a vector."""
    flattened, _ = flatten(params)
    return np.dot(flattened, flattened)


def log_posterior(params, inputs, targets, L2_reg):
    log_prior = -L2_reg * l2_norm(params)
    log_lik = np.sum(neural_net_predict(params, inputs) * targets)
    return log_prior + log_lik


def accuracy(params, inputs, targets):
    target_class = np.argmax(targets, axis=1)
    predicted_class = np.argmax(neural_net_predict(params, inputs), axis=1)
    return np.mean(predicted_class == target_class)



def _args():
    rs = npr.RandomState(1)
    params = init_random_params(0.1, [4, 5, 3], rs)
    X = rs.randn(6, 4)
    T = np.eye(3)[rs.randint(0, 3, 6)]
    return params, X, T, 0.1


CASES = [(log_posterior, _args, 0)]
