"""JAX 'linear regression with pytrees': params a dict with an array and a Python float."""
import numpy as jnp
import numpy as np
from srcad import grad


def model(params, x):
    return x @ params["w"] + params["b"]


def loss(params, x, y):
    pred = model(params, x)
    return jnp.mean((pred - y) ** 2)


def update(params, x, y, lr=0.01):
    g = grad(loss)(params, x, y)
    return {k: params[k] - lr * g[k] for k in params}


def _args():
    rng = np.random.RandomState(0)
    x = rng.randn(8, 3)
    return {"w": rng.randn(3), "b": 0.5}, x, x @ np.array([1.0, -2.0, 0.5]) + 0.3


CASES = [(loss, _args, 0)]
