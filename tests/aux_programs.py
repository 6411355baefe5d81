"""Functions that return (value, aux), as JAX users write them for has_aux=True
(tests/test_has_aux.py)."""
import numpy as np


def loss_with_metrics(w, x, y):
    pred = np.tanh(x @ w)
    err = np.mean((pred - y) ** 2)
    return err, {"pred": pred, "accuracy": np.mean((pred > 0) == (y > 0))}


def loss_and_state(params, x):
    h = x
    states = []
    for W in params:
        h = np.tanh(h @ W)
        states.append(h)
    return np.sum(h ** 2), (states, len(states))


def branches(w):
    if w > 0:
        return w ** 2, "positive"
    return -3.0 * w, "negative"


def loss_and_aux(w):
    return np.sum(np.sin(w)) * 2.0, np.cos(w)


def through_a_helper(w):
    return loss_and_aux(w * 2.0)


def inside_a_loop(w, n):
    total = 0.0
    for i in range(n):
        total = total + np.sum(w ** (i + 1))
        if total > 100.0:
            return total, i
    return total, n


def returns_three(w):
    return w, w, w


def returns_a_float(w):
    return w ** 2
