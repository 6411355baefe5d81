"""autograd examples/tanh.py, ported by changing only the imports (see CHANGED notes)."""
# DROPPED (plotting/data/optimizer): import matplotlib.pyplot as plt

import numpy as np
# CHANGED: autograd's elementwise_grad -> srcad.vjp with an all-ones cotangent
import srcad

"""
Mathematically we can only take gradients of scalar-valued functions, but
autograd's elementwise_grad function also handles numpy's familiar vectorization
of scalar functions, which is used in this example.

To be precise, elementwise_grad(fun)(x) always returns the value of a
vector-Jacobian product, where the Jacobian of fun is evaluated at x and the
vector is an all-ones vector with the same size as the output of fun. When
vectorizing a scalar-valued function over many arguments, the Jacobian of the
overall vector-to-vector mapping is diagonal, and so this vector-Jacobian
product simply returns the diagonal elements of the Jacobian, which is the
(elementwise) gradient of the function at each input value over which the
function is vectorized.
"""


def tanh(x):
    return (1.0 - np.exp(-2 * x)) / (1.0 + np.exp(-(2 * x)))


### plotting dropped


def egrad(f):
    """CHANGED: elementwise_grad as a vjp with ones (srcad has no elementwise_grad)"""
    return lambda x: srcad.vjp(f, wrt=0)(x, np.ones_like(x))


def _args():
    return (np.linspace(-3, 3, 7),)


def tanh_sum(x):
    return np.sum(tanh(x))


CASES = [(tanh, _args, 0), (tanh_sum, _args, 0)]
