"""Params as a NamedTuple (flax/haiku-free JAX code), a nested tuple of them."""
from typing import NamedTuple

import numpy as jnp
import numpy as np


class Linear(NamedTuple):
    w: np.ndarray
    b: np.ndarray


class Params(NamedTuple):
    enc: Linear
    dec: Linear
    scale: float


def apply(p: Params, x):
    h = jnp.tanh(x @ p.enc.w + p.enc.b)
    return p.scale * (h @ p.dec.w + p.dec.b)


def loss(p: Params, x):
    recon = apply(p, x)
    return jnp.mean(jnp.sum((recon - x) ** 2, axis=1))


def _args():
    rng = np.random.RandomState(0)
    p = Params(Linear(rng.randn(4, 2) * 0.5, np.zeros(2)), Linear(rng.randn(2, 4) * 0.5, np.zeros(4)), 1.2)
    return p, rng.randn(5, 4)


CASES = [(loss, _args, 0)]
