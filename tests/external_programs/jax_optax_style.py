"""Optax-like code around a loss: grads mapped with dict/list comprehensions; the differentiated
part is a softplus-logistic loss with a dict of params and a Python float temperature."""
import numpy as jnp
import numpy as np


def softplus(x):
    return jnp.logaddexp(x, 0.0)


def logistic_loss(params, x, y, temperature=1.0):
    logits = (x @ params["w"] + params["b"]) / temperature
    return jnp.mean(softplus(logits) - y * logits)


def loss_with_temp(params, temperature, x, y):
    return logistic_loss(params, x, y, temperature=temperature)


def _args():
    rng = np.random.RandomState(0)
    return {"w": rng.randn(3), "b": np.array(0.1)}, 0.7, rng.randn(9, 3), (rng.rand(9) > 0.5).astype(float)


CASES = [(loss_with_temp, _args, 0), (loss_with_temp, _args, 1)]
