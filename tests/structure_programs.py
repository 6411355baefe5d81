"""Parameters in namedtuples and dataclasses, and losses written as methods, as JAX and
autograd users write them (tests/test_structures_and_methods.py)."""
from collections import namedtuple
from dataclasses import dataclass

import numpy as np

Params = namedtuple("Params", "W b")


@dataclass
class Layer:
    W: np.ndarray
    b: float


def namedtuple_loss(p, x):
    return np.sum(np.tanh(x @ p.W + p.b) ** 2)


def namedtuple_indexed_and_unpacked(p, x):
    W, b = p
    return np.sum(np.sin(x @ p[0]) * b) + np.sum(W)


def layers_loss(layers, x):
    h = x
    for layer in layers:
        h = np.tanh(h @ layer.W + layer.b)
    return np.sum(h ** 2)


def dataclass_loss(layer, x):
    return np.sum(np.sin(x @ layer.W) * layer.b)


def in_a_dict(params, x):
    return namedtuple_loss(params["first"], x) + np.sum(params["second"].W ** 2)


class Model:
    def __init__(self, W, scale):
        self.W = W
        self.scale = scale

    def loss(self, w, x):
        return np.sum(np.tanh(x @ (self.W * w))) * self.scale

    def predict(self, w, x):
        return np.tanh(x @ (self.W * w))

    def loss_through_predict(self, w, x, y):
        return np.mean((Model.predict(self, w, x) - y) ** 2)

    def loss_through_a_method_of_self(self, w, x, y):
        return np.mean((self.predict(w, x) - y) ** 2)


def builds_a_namedtuple(W, b, x):
    p = Params(W * 2.0, b=b + 1.0)
    q = Params(b=np.sin(p.b), W=p.W)
    return np.sum(np.tanh(x @ q.W + q.b))


def sgd_step(p, g):
    return Params(p.W - 0.1 * g.W, p.b - 0.1 * g.b)
