"""User helpers in a module of their own, called from functions in programs.py."""
import math

import numpy as np

SCALE = 1.5


def poly(x, c=2.0):
    return c * x ** 3 - x + 1.0


def inner(x):
    return math.sin(x) * x


def outer(x, y):
    return inner(x) * y + inner(y) * SCALE


def stats(v):
    total = np.sum(v)
    spread = np.mean(v * v)
    return total, spread


def affine(x, w, b=0.5):
    return w * x + b


def softplus(a):
    return np.log1p(np.exp(a))


def layer(W, h, b):
    return np.tanh(W @ h + b)


def deep(x):
    return softplus(inner(x)) * poly(x, c=0.5)


def looped(x, n):
    s = 0.0
    for i in range(n):
        s = s + inner(x * (i + 1))
    return s


def early(x, limit):
    for i in range(10):
        x = x * 1.5
        if x > limit:
            return x, i
    return x, 10
