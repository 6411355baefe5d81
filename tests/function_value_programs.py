"""Lambdas and functions as values, as autograd and JAX users write them
(tests/test_function_values.py differentiates each against finite differences)."""
import functools

import numpy as np


def relu(z):
    return np.maximum(z, 0.0)


def softplus(z):
    return np.log1p(np.exp(z))


def layer(x, W, act):
    return act(x @ W)


def two_layer_net(W1, W2, x):
    h = layer(x, W1, np.tanh)
    return np.sum(layer(h, W2, softplus))


def block(x, W, act=np.tanh):
    return layer(x, W, act) + x @ W


def passes_the_function_along(W, x):
    return np.sum(block(x, W, act=softplus) ** 2)


ACTIVATIONS = {"tanh": np.tanh, "softplus": softplus, "square": lambda z: z * z}


def activation_from_a_table(x):
    return np.sum(ACTIVATIONS["softplus"](x) + ACTIVATIONS["square"](x) * ACTIVATIONS["tanh"](x))


def table_entry_as_argument(W, x):
    return np.sum(layer(x, W, ACTIVATIONS["square"]))


def lambda_as_argument(W, x):
    return np.sum(layer(x, W, lambda z: np.sin(z) * 2.0))


def nested_function_as_argument(W, x):
    def cube(z):
        return z ** 3
    return np.sum(layer(x, W, cube))


def map_with_a_lambda(xs):
    return sum(map(lambda v: v ** 2 * 0.5, xs))


def map_with_a_function(xs):
    return np.sum(np.array(list(map(softplus, xs))))


def map_over_two_lists(xs, ys):
    return sum(map(lambda a, b: a * np.sin(b), xs, ys))


def filter_then_sum(xs, c):
    return sum(filter(lambda v: v > c, xs)) * c


def lambda_reads_a_local(xs, scale):
    return sum(map(lambda v: v * scale, xs))


def sorted_with_a_key(xs):
    ordered = sorted(range(len(xs)), key=lambda i: -i)
    return xs[ordered[0]] * 3.0 + xs[ordered[-1]]


def loop_over_map(xs):
    total = 0.0
    for y in map(np.tanh, xs):
        total = total + y ** 2
    return total


SQUARE = lambda x: np.sum(x ** 2)   # noqa: E731  (srcad reads a lambda assigned to a name)


def partial_called(x):
    g = functools.partial(np.power, x)
    return g(3.0)


def closure_passed_as_value(W, x, c):
    def shifted(z):
        return z + c
    return np.sum(layer(x, W, shifted))


def partial_of_a_numpy_function(x):
    g = functools.partial(np.power, x)
    return g(3.0)


def scale_add(a, b, c=1.0):
    return a * b + c


def partial_of_a_helper(x, y):
    h = functools.partial(scale_add, x, c=y)
    return h(2.0) + h(x)


SCALED = functools.partial(scale_add, 3.0, c=np.array([1.0, 2.0]))


def global_partial(x):
    return np.sum(SCALED(x) ** 2)


def apply(g, v):
    return g(v)


def partial_passed_on(x):
    g = functools.partial(np.power, x)
    h = g
    return h(3.0)
