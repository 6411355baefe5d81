"""autograd examples/ode_net.py, ported by changing only the imports (see CHANGED notes)."""
# A demo of gradients through scipy.integrate.odeint,
# estimating the dynamics of a system given a trajectory.


import itertools

# DROPPED (plotting/data/optimizer): import matplotlib.pyplot as plt
import numpy as npo

import numpy as np
import numpy.random as npr
from srcad import grad
# DROPPED: from autograd.builtins import tuple (only for odeint)
# DROPPED (plotting/data/optimizer): from autograd.misc.optimizers import adam
from scipy.integrate import odeint  # CHANGED: srcad cannot differentiate odeint; only the dynamics are tested

N = 30  # Dataset size
D = 2  # Data dimension
max_T = 1.5


# Two-dimensional damped oscillator
def func(y, t0, A):
    return np.dot(y**3, A)


def nn_predict(inputs, t, params):
    for W, b in params:
        outputs = np.dot(inputs, W) + b
        inputs = np.maximum(0, outputs)
    return outputs


def init_nn_params(scale, layer_sizes, rs=None):
    """Build a list of (weights, biases) tuples, one for each layer."""
    rs = rs if rs is not None else npr.RandomState(0)
    return [
        (
            rs.randn(insize, outsize) * scale,  # weight matrix
            rs.randn(outsize) * scale,
        )  # bias vector
        for insize, outsize in itertools.pairwise(layer_sizes)
    ]


# Define neural ODE model.
def ode_pred(params, y0, t):
    return odeint(nn_predict, y0, t, tuple((params,)), rtol=0.01)


def L1_loss(pred, targets):
    return np.mean(np.abs(pred - targets))



def nn_predict_sum(inputs, t, params):
    return np.sum(nn_predict(inputs, t, params) ** 2)


def func_sum(y, t0, A):
    return np.sum(func(y, t0, A))


def _args():
    rs = npr.RandomState(0)
    return rs.randn(4, D), 0.0, init_nn_params(0.5, [D, 6, D], rs)


CASES = [(nn_predict_sum, _args, 0), (nn_predict_sum, _args, 2),
         (func_sum, lambda: (np.array([2.0, 0.5]), 0.0, np.array([[-0.1, 2.0], [-2.0, -0.1]])), 0),
         (func_sum, lambda: (np.array([2.0, 0.5]), 0.0, np.array([[-0.1, 2.0], [-2.0, -0.1]])), 2)]
