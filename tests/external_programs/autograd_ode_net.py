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


# The user's replacement for odeint (not the example's code): a fixed-step RK4 over nn_predict,
# with the example's train_loss / L1_loss on top.
def rk4(f, y0, t, params):
    ys = [y0]
    y = y0
    for i in range(len(t) - 1):
        h = t[i + 1] - t[i]
        k1 = f(y, t[i], params)
        k2 = f(y + h / 2 * k1, t[i] + h / 2, params)
        k3 = f(y + h / 2 * k2, t[i] + h / 2, params)
        k4 = f(y + h * k3, t[i] + h, params)
        y = y + h / 6 * (k1 + 2 * k2 + 2 * k3 + k4)
        ys.append(y)
    return np.array(ys)


def rk4_train_loss(params, y0, t, true_y):
    pred = rk4(nn_predict, y0, t, params)
    return L1_loss(pred, true_y)


def _rk4_args():
    rs = npr.RandomState(0)
    t = np.linspace(0.0, max_T, 6)
    true_y = rs.randn(6, D)
    return init_nn_params(0.5, [D, 6, D], rs), np.array([2.0, 0.0]), t, true_y


CASES.append((rk4_train_loss, _rk4_args, 0))
