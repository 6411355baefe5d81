"""Comprehensions and generator expressions as autograd and JAX users write them
(tests/test_comprehensions.py differentiates each against finite differences)."""
import numpy as np


def l2_penalty(params):
    return sum(np.sum(w ** 2) for w in params)


def scaled_list_sum(a):
    return np.sum([i * 3.0 for i in a])


def outer_product_grid(x):
    n = len(x)
    grid = np.array([[x[i] * x[j] for j in range(n)] for i in range(n)])
    return np.sum(np.sin(grid))


def positive_squares(xs):
    return sum(v ** 2 for v in xs if v > 0)


def dot_by_zip(xs, ys):
    return sum(a * b for a, b in zip(xs, ys))


def weighted_by_position(ws):
    return sum(i * np.tanh(w) for i, w in enumerate(ws))


def mlp_loss(params, inputs, targets):
    h = inputs
    for W, b in params[:-1]:
        h = np.tanh(h @ W + b)
    W, b = params[-1]
    pred = h @ W + b
    l2 = sum(np.sum(W ** 2) + np.sum(b ** 2) for W, b in params)
    return np.mean((pred - targets) ** 2) + 0.01 * l2


def stacked_features(x):
    feats = np.stack([np.sin(x * k) for k in range(1, 4)])
    return np.sum(feats ** 2)


def flattened(params):
    flat = np.concatenate([w.ravel() for w in params])
    return np.sum(flat ** 3)


def largest_and_smallest(xs):
    return max(x * x for x in xs) - min(np.sin(x) for x in xs)


def unpacked_tuple(x):
    a, b, c = tuple([x * k for k in range(1, 4)])
    return a * b + c


def comprehension_in_a_loop(h, W):
    for t in range(3):
        h = np.tanh(sum(W[k] * h ** (k + 1) for k in range(2)) + 0.1 * t)
    return np.sum(h)


def variable_named_as_outer(x, xs):
    x = x * 2.0
    ys = [x * v for v in xs]
    zs = [x ** 2 for x in xs]     # its own x, not the one above
    return sum(ys) + sum(zs) * x


def iterates_its_own_name(x):
    x = [v * 2.0 for v in x]
    return sum(a * a for a in x)


def log_sum_exp(logits):
    return np.log(sum(np.exp(z) for z in logits))


def comprehension_in_a_test(xs):
    if sum(v for v in xs) > 0:
        return sum(v ** 3 for v in xs)
    return sum(xs)


def loop_over_a_comprehension(xs):
    total = 0.0
    for v in [a * 2.0 for a in xs]:
        total = total + np.sin(v)
    return total


def conditional_elements(xs):
    return np.sum(np.array([v if v > 0 else 0.1 * v for v in xs]) ** 2)


def nested_with_filter(x):
    n = len(x)
    return sum(x[i] * x[j] for i in range(n) for j in range(n) if j > i)


def sum_with_start(xs, c):
    return sum((v * c for v in xs), c ** 2)


def list_of_layers(x, Ws):
    hs = [np.tanh(W @ x) for W in Ws]
    return sum(np.sum(h ** 2) for h in hs)


def all_positive_then(x):
    scale = 2.0 if all(v > 0 for v in x) else 0.5
    return np.sum(x ** 2) * scale


def polynomial(coeffs, x):
    return sum(c * x ** k for k, c in enumerate(coeffs))
