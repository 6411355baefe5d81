"""JAX-tutorial style MLP: params a list of dicts, value_and_grad(..., has_aux=True) with accuracy
as aux. Only `import jax.numpy as jnp` -> `import numpy as jnp` and jax.nn / jax.scipy -> scipy."""
import numpy as jnp
import numpy as np
from scipy.special import logsumexp  # was: from jax.scipy.special import logsumexp
from srcad import value_and_grad


def init_mlp(sizes, seed=0):
    rng = np.random.RandomState(seed)
    return [dict(w=rng.randn(m, n) / jnp.sqrt(m), b=jnp.zeros(n)) for m, n in zip(sizes[:-1], sizes[1:])]


def relu(x):
    return jnp.maximum(x, 0.0)


def forward(params, x):
    *hidden, last = params
    for layer in hidden:
        x = relu(x @ layer["w"] + layer["b"])
    logits = x @ last["w"] + last["b"]
    return logits - logsumexp(logits, axis=-1, keepdims=True)


def loss_fn(params, batch):
    x, y = batch
    logp = forward(params, x)
    loss = -jnp.mean(jnp.sum(logp * y, axis=-1))
    acc = jnp.mean(jnp.argmax(logp, -1) == jnp.argmax(y, -1))
    return loss, {"accuracy": acc}


def loss_only(params, batch):
    return loss_fn(params, batch)[0]


def train_step(params, batch, lr=0.1):
    (loss, aux), grads = value_and_grad(loss_fn, has_aux=True)(params, batch)
    new = [{k: p[k] - lr * g[k] for k in p} for p, g in zip(params, grads)]
    return new, loss, aux


def _args():
    rng = np.random.RandomState(1)
    x = rng.randn(6, 4)
    y = np.eye(3)[rng.randint(0, 3, 6)]
    return init_mlp([4, 5, 3]), (x, y)


CASES = [(loss_only, _args, 0)]
AUX_CASES = [(loss_fn, loss_only, _args, 0)]


# The user's change after the refusal (not the tutorial's code): no starred unpacking
def forward2(params, x):
    hidden, last = params[:-1], params[-1]
    for layer in hidden:
        x = relu(x @ layer["w"] + layer["b"])
    logits = x @ last["w"] + last["b"]
    return logits - logsumexp(logits, axis=-1, keepdims=True)


def loss_fn2(params, batch):
    x, y = batch
    logp = forward2(params, x)
    loss = -jnp.mean(jnp.sum(logp * y, axis=-1))
    acc = jnp.mean(jnp.argmax(logp, -1) == jnp.argmax(y, -1))
    return loss, {"accuracy": acc}


def loss_only2(params, batch):
    return loss_fn2(params, batch)[0]


CASES.append((loss_only2, _args, 0))
AUX_CASES.append((loss_fn2, loss_only2, _args, 0))
