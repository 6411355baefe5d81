"""Parameters in dicts built inside the function, as JAX and autograd users write them
(tests/test_pytrees.py differentiates each against finite differences)."""
import numpy as np


def sgd_step_then_loss(params, grads):
    new = {k: v - 0.1 * grads[k] for k, v in params.items()}
    return np.sum(new["W"] ** 2) * new["b"]


def dict_of_layers(W1, W2, x):
    params = {"layer1": W1, "layer2": W2}
    h = np.tanh(x @ params["layer1"])
    return np.sum(np.sin(h @ params["layer2"]))


def dict_built_by_keywords(a, b):
    d = dict(weight=a, bias=b)
    return d["weight"] * np.sin(d["bias"])


def filled_in_a_loop(xs):
    table = {}
    for i, x in enumerate(xs):
        table[i] = x ** 2
    return sum(table[i] * (i + 1.0) for i in range(len(xs)))


def updated_twice(p):
    d = {"w": p["w"] * 2.0, "b": p["b"]}
    d["w"] = d["w"] + d["b"]
    d["b"] += 1.0
    return d["w"] * d["b"]


def returns_a_dict(x):
    return {"square": x ** 2, "cube": x ** 3}


def lookup_with_get(p, x):
    scale = p.get("scale", 1.0)
    shift = p.get("shift", 0.5 * x)
    return scale * x ** 2 + shift


def values_and_items(p):
    total = 0.0
    for k, v in p.items():
        total = total + np.sum(v ** 2)
    return total + sum(np.sum(v) for v in p.values())
