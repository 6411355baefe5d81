"""functools.partial to bind hyperparameters, as in grad(partial(loss, l2=1e-3))."""
import functools

import numpy as jnp
import numpy as np
import srcad


def loss(w, x, y, l2=0.0, delta=1.0):
    r = x @ w - y
    huber = jnp.where(jnp.abs(r) < delta, 0.5 * r**2, delta * (jnp.abs(r) - 0.5 * delta))
    return jnp.mean(huber) + l2 * jnp.sum(w**2)


def regularized(w, x, y):
    f = functools.partial(loss, l2=1e-2, delta=0.5)
    return f(w, x, y)


partial_loss = functools.partial(loss, l2=1e-2, delta=0.5)


def _args():
    rng = np.random.RandomState(0)
    x = rng.randn(10, 3)
    return rng.randn(3), x, x @ np.array([1.0, 2.0, -1.0]) + rng.randn(10)


CASES = [(loss, _args, 0), (regularized, _args, 0), (partial_loss, _args, 0)]
