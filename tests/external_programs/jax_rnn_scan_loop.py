"""lax.scan written as the Python loop the README recommends: carry tuple, ys list, jnp.stack."""
import numpy as jnp
import numpy as np


def cell(carry, x, params):
    h, c = carry
    z = jnp.concatenate([x, h]) @ params["W"] + params["b"]
    i, f, o, g = jnp.split(z, 4)
    c = jax_sigmoid(f) * c + jax_sigmoid(i) * jnp.tanh(g)
    h = jax_sigmoid(o) * jnp.tanh(c)
    return (h, c), h


def jax_sigmoid(x):
    return 1.0 / (1.0 + jnp.exp(-x))


def scan(params, xs, init):
    carry = init
    ys = []
    for x in xs:
        carry, y = cell(carry, x, params)
        ys.append(y)
    return carry, jnp.stack(ys)


def loss(params, xs, targets):
    hidden = params["W"].shape[1] // 4
    init = (jnp.zeros(hidden), jnp.zeros(hidden))
    (h, c), ys = scan(params, xs, init)
    return jnp.mean((ys @ params["out"] - targets) ** 2) + 0.1 * jnp.sum(c**2)


def _args():
    rng = np.random.RandomState(0)
    params = {"W": 0.5 * rng.randn(2 + 3, 12), "b": np.zeros(12), "out": rng.randn(3)}
    return params, rng.randn(6, 2), rng.randn(6)


CASES = [(loss, _args, 0)]


# The user's change after the refusal (not the tutorial's code): one level of unpacking at a time
def loss2(params, xs, targets):
    hidden = params["W"].shape[1] // 4
    init = (jnp.zeros(hidden), jnp.zeros(hidden))
    state, ys = scan(params, xs, init)
    h, c = state
    return jnp.mean((ys @ params["out"] - targets) ** 2) + 0.1 * jnp.sum(c**2)


CASES.append((loss2, _args, 0))
