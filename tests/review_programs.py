"""Programs a review of this session's features wrote; each once gave a silently wrong number
(tests/test_review_regressions.py)."""
import numpy as np

ACTS = {"sq": lambda z: z * z, "cube": lambda z: z ** 3}


def dict_item_added_in_place(x):
    z = np.zeros(3)
    d = {"s": z}
    d["s"] += x * 2.0
    return np.sum(z * x)          # z is the array d["s"] += changed


def list_item_added_in_place(x):
    y = x * 1.0
    pair = [y, y]
    pair[0] += 1.0
    return np.sum(pair[1] * x)    # pair[1] is the array pair[0] += changed


def fresh_items_added_in_place(x):
    grads = [np.zeros(3), np.zeros(3)]
    for i in range(2):
        grads[i] += x * (i + 1)
    d = {"a": x * 0.0}
    d["a"] += x ** 2
    return np.sum(grads[0] * grads[1]) + np.sum(d["a"])


def zip_as_a_value(x):
    pairs = list(zip([0, 1, 2], [x[0], x[1] * 2, x[2] ** 2]))
    return pairs[0][1] * pairs[2][1] + pairs[1][1]


def enumerate_as_a_value(x):
    e = list(enumerate(x))
    return e[1][1] * e[2][1]


def append_in_a_comprehension(x):
    lst = []
    [lst.append(v * 2) for v in x]
    return sum(lst)


def aux_of_states_filled_in_place(x):
    hs = np.zeros((3, 3))
    h = x
    for t in range(3):
        h = np.tanh(h + t)
        hs[t] = h
    return np.sum(hs ** 2), hs


def layer(x, W, act):
    return act(x @ W)


def two_lambdas_of_one_name(x, W):
    return np.sum(layer(x, W, ACTS["sq"])) + np.sum(layer(x, W, ACTS["cube"]))
