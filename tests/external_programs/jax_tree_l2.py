"""L2 penalty over a pytree with generator expressions (what tree_leaves does by hand), and a
loss over a list of (W, b) tuples with a dict of hyperparameters."""
import numpy as jnp
import numpy as np


def leaves(params):
    return [p for layer in params for p in layer.values()]


def l2(params):
    return sum(jnp.sum(p**2) for p in leaves(params))


def predict(params, x):
    for i, layer in enumerate(params):
        x = x @ layer["w"] + layer["b"]
        if i < len(params) - 1:
            x = jnp.tanh(x)
    return x


def loss(params, x, y, hp):
    return jnp.mean((predict(params, x) - y) ** 2) + hp["l2"] * l2(params)


def _args():
    rng = np.random.RandomState(0)
    params = [{"w": rng.randn(3, 4) * 0.5, "b": np.zeros(4)}, {"w": rng.randn(4, 1) * 0.5, "b": np.zeros(1)}]
    return params, rng.randn(6, 3), rng.randn(6, 1), {"l2": 1e-2}


CASES = [(loss, _args, 0)]
