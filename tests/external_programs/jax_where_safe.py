"""The jnp.where 'double where' trick for safe log/sqrt, and a masked mean."""
import numpy as jnp
import numpy as np


def safe_log(x):
    return jnp.where(x > 0, jnp.log(jnp.where(x > 0, x, 1.0)), 0.0)


def safe_norm(v):
    sq = jnp.sum(v**2, axis=-1)
    nonzero = sq > 0
    return jnp.where(nonzero, jnp.sqrt(jnp.where(nonzero, sq, 1.0)), 0.0)


def objective(x, v, mask):
    masked = jnp.sum(safe_log(x) * mask) / jnp.maximum(jnp.sum(mask), 1.0)
    return masked + jnp.sum(safe_norm(v))


def _args():
    rng = np.random.RandomState(0)
    v = rng.randn(4, 3)
    v[1] = 0.0
    return np.array([0.5, 2.0, -1.0, 3.0]), v, np.array([1.0, 1.0, 0.0, 1.0])


CASES = [(objective, _args, 0), (objective, _args, 1)]
