"""Loops over dicts, sets, views and iterators, as autograd and JAX users write them (tested by
test_dict_iteration.py). Python's ``for k in d`` yields d's keys in insertion order."""
import collections

import numpy as np


# ---- the reported bug: a loop over a dict read by position ----------------------------------
def weighted_squares(x, weights):
    t = 0.0
    for k in weights:
        w = weights[k] * x
        t += (k + 1) * w ** 2
    return t


def named_weights(x, weights):
    t = 0.0
    for name in weights:
        t = t + weights[name] * np.sin(x * len(name)) ** 2
    return t


def keys_as_numbers(x, weights):
    t = 0.0
    for k in weights:          # the keys only: nothing tells srcad it is a dict but its kind
        t = t + k * np.cos(k * x)
    return t


def horner(x, coefficients):
    """Depends on the order of the keys: insertion order, as Python iterates."""
    t = 0.0
    for name in coefficients:
        t = t * x + coefficients[name]
    return t


def horner_keys(x, coefficients):
    t = 0.0
    for name in coefficients.keys():
        t = t * x + coefficients[name]
    return t


def horner_backwards(x, coefficients):
    t = 0.0
    for name in reversed(coefficients):
        t = t * x + coefficients[name]
    return t


def enumerated_keys(x, coefficients):
    t = 0.0
    for i, name in enumerate(coefficients):
        t = t + i * coefficients[name] * x ** 2
    return t


def zipped_with_a_list(xs, coefficients):
    t = 0.0
    for x, name in zip(xs, coefficients):
        t = t + coefficients[name] * np.sum(x ** 2)
    return t


def sum_of_squares(x, q):
    """Iterates a list's items or a dict's keys: the same code, two specialisations."""
    t = 0.0
    for v in q:
        t = t + v * x ** 2
    return t


# ---- dict parameters ----------------------------------------------------------------------------
def l2(params):
    total = 0.0
    for name in params:
        total = total + np.sum(params[name] ** 2)
    return total


def nested_l2(params):
    total = 0.0
    for layer in params:
        for name in params[layer]:
            total = total + np.sum(np.sin(params[layer][name]) ** 2)
    return total


def sorted_chain(params):
    total = 0.0
    for name in sorted(params):
        total = total * 0.5 + np.sum(params[name] ** 3)
    return total


def penalty(p):
    t = 0.0
    for k in p:
        t = t + np.sum(p[k] ** 2)
    return t


def penalised(params, x):
    return penalty(params) * x + np.sum(params["w"]) * x ** 2


def penalised_list(ws, x):
    return penalty_list(ws) * x


def penalty_list(ws):
    t = 0.0
    for w in ws:
        t = t + np.sum(w ** 2)
    return t


# ---- dicts built in the function or returned by a helper --------------------------------------
def built_with_dict(x):
    d = dict(a=2.0, b=3.0)
    t = 0.0
    for k in d:
        t = t * 0.5 + d[k] * x ** 2
    return t


def built_from_zip(x, names, values):
    d = dict(zip(names, values))
    t = 0.0
    for k in d:
        t = t + d[k] * np.tanh(x * len(k))
    return t


def built_ordered(x):
    d = collections.OrderedDict(b=1.5, a=-0.5)
    t = 0.0
    for k in d:
        t = t * x + d[k]
    return t


def built_with_a_differentiated_value(x):
    d = dict(a=x, b=2.0 * x)
    t = 0.0
    for k in d:
        t = t + d[k] ** 2
    return t


def weight_table():
    return {"short": 0.5, "longer": -1.5, "longest": 2.0}


def from_a_helper(x):
    table = weight_table()
    t = 0.0
    for name in table:
        t = t + table[name] * np.sin(x) ** len(name)
    return t


def keys_from_a_helper(x):
    table = weight_table()
    t = 0.0
    for name in table:      # keys only, of a value whose kind only the analysis sees
        t = t + len(name) * x
    return t


WEIGHTS = {"a": 1.0, "bb": -2.0}


def over_a_global(x):
    t = 0.0
    for name in WEIGHTS:
        t = t + WEIGHTS[name] * x ** len(name)
    return t


# ---- sets, views, iterators -------------------------------------------------------------------
def over_a_set(x, names, scale):
    t = 0.0
    for n in names:
        t = t + scale[n] * x ** 2
    return t


def over_a_set_of_indices(xs, idx):
    t = 0.0
    for i in set(idx):
        t = t + np.sum(xs[i] ** 2)
    return t


def over_a_set_of_values(xs):
    t = 0.0
    for v in set(xs):
        t = t + v ** 2
    return t


def keys_view_named(x, d):
    ks = d.keys()
    t = 0.0
    for k in ks:
        t = t * 0.5 + d[k] * x
    return t


def values_view_named(params):
    vs = params.values()
    t = 0.0
    for v in vs:
        t = t + np.sum(v ** 3)
    return t


def items_view_named(params):
    its = params.items()
    t = 0.0
    for name, v in its:
        t = t + len(name) * np.sum(np.sin(v))
    return t


def over_iter(xs):
    t = 0.0
    for x in iter(xs):
        t = t + np.sum(x ** 2)
    return t


def over_map(xs):
    t = 0.0
    for y in map(np.sin, xs):
        t = t + y
    return t


def over_filter(xs):
    t = 0.0
    for y in filter(None, xs):
        t = t + y
    return t


def squares_of(n):
    for i in range(n):
        yield i * i


def over_a_generator(x):
    t = 0.0
    for v in squares_of(3):
        t = t + v * x
    return t


def squares_until(n):
    for i in range(n):
        if i * i > 3:
            return
        yield i * i


def over_a_stopping_generator(x):
    t = 0.0
    for v in squares_until(4):
        t = t + v * x
    return t


def over_an_argument(x, items):
    t = 0.0
    for v in items:
        t = t + v * x ** 2
    return t


# ---- programs in the style of autograd and JAX ------------------------------------------------
def linear_regression(params, x, y, reg):
    pred = x @ params["w"] + params["b"]
    penalty_ = 0.0
    for name in params:
        penalty_ = penalty_ + np.sum(params[name] ** 2)
    return np.mean((pred - y) ** 2) + reg * penalty_


def lookahead_loss(params, grads, lr):
    """The loss after one SGD step: ``params[name] - lr * grads[name]`` for every name."""
    total = 0.0
    for name in params:
        stepped = params[name] - lr * grads[name]
        total = total + np.sum(np.tanh(stepped) ** 2)
    return total


def weighted_objectives(params, x, weights):
    """A weighted sum of named objectives, the weights in a dict."""
    h = np.tanh(x @ params["W"])
    total = 0.0
    for name in weights:
        if name == "l2":
            term = np.sum(params["W"] ** 2)
        elif name == "activity":
            term = np.sum(h ** 2)
        else:
            term = np.mean(h)
        total = total + weights[name] * term
    return total


def mlp(params, x):
    """Layers in a dict, applied in insertion order."""
    h = x
    for name in params:
        layer = params[name]
        h = np.tanh(h @ layer["W"] + layer["b"])
    return np.sum(h ** 2)


def mlp_items(params, x):
    h = x
    for name, (W, b) in params.items():
        h = np.tanh(h @ W + b)
    return np.sum(h ** 2)
