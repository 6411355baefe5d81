"""Programs written the way autograd and JAX users write them, with functions made by other
functions, functions held in local variables, ``zip(*rows)`` and ``f(*shape)`` (issue 18,
item 2). Read by tests/test_factories_and_spreads.py."""
import numpy as np


# ---- a helper that returns a nested function ------------------------------------------------
def make_layer(W, b):
    def layer(x):
        return np.tanh(x @ W + b)
    return layer


def two_made_layers(W1, b1, W2, x):
    hidden = make_layer(W1, b1)
    out = make_layer(W2, 0.0)
    return np.sum(out(hidden(x)) ** 2)


def make_scaled_loss(log_scale, target):
    scale = np.exp(log_scale)         # computed once, when the loss is made

    def loss(pred):
        return np.sum((scale * pred - target) ** 2)
    return loss


def loss_of_a_made_loss(log_scale, pred):
    target = np.array([0.5, -1.0, 2.0])
    loss = make_scaled_loss(log_scale, target)
    return loss(pred) + loss(2.0 * pred)


def make_power(p):
    return lambda v: v ** p


def made_lambda(x):
    cube = make_power(3)
    return np.sum(cube(x)) + make_power(2)(x[0])


def made_in_a_loop(Ws, x):
    h = x
    for W in Ws:
        layer = make_layer(W, 0.1)
        h = layer(h)
    return np.sum(h)


def make_step(rate):
    def step(params, grad):
        return [p - rate * g for p, g in zip(params, grad)]
    return step


def made_update(w, v):
    update = make_step(0.5)
    new = update([w, v], [w * w, np.sin(v)])
    return new[0] * new[1]


# ---- functions held in local variables ------------------------------------------------------
def relu(z):
    return np.maximum(z, 0.0)


ACTS = {"relu": relu, "tanh": np.tanh}


def local_activation(W, x):
    act = np.tanh
    return np.sum(act(x @ W))


def local_user_function(W, x):
    nonlin = relu
    h = nonlin(x @ W)
    return np.sum(nonlin(h - 0.1) ** 2)


def local_from_a_table(x):
    act = ACTS["tanh"]
    return np.sum(act(x) * x)


def apply_layer(x, W, act):
    return act(x @ W)


def local_function_passed_on(W, x):
    act = relu
    return np.sum(apply_layer(x, W, act) ** 2)


def local_function_mapped(xs):
    square = np.square
    return sum(map(square, xs))


# ---- zip(*rows) and f(*shape) --------------------------------------------------------------
def pairs_of_rows(x):
    rows = [x[0:2], x[2:4]]
    total = 0.0
    for a, b in zip(*rows):
        total = total + a * b
    return total


def enumerate_zip_star(x):
    rows = [x[0:3], x[1:4], x[0:3] ** 2]
    total = 0.0
    for i, (a, b, c) in enumerate(zip(*rows)):
        total = total + (i + 1.0) * a * b * c
    return total


def comprehension_over_zip_star(x):
    rows = [x[0:2], x[2:4]]
    return sum([a * b for a, b in zip(*rows)])


def transposed_table(x):
    rows = [[x[0], x[1], x[2]], [x[3], x[2] * x[0], x[1]]]
    cols = list(zip(*rows))
    return sum(c[0] * np.sin(c[1]) for c in cols)


def unzipped_pairs(x):
    pairs = [(x[0], x[1]), (x[2], x[3]), (x[1], x[2] ** 2)]
    firsts, seconds = zip(*pairs)
    return sum(firsts) * seconds[2] + np.sum(np.array(seconds))


def noise_of_the_same_shape(x):
    rs = np.random.RandomState(0)
    noise = rs.randn(*x.shape)
    return np.sum((x + 0.1 * noise) ** 2)


def reshaped_by_a_shape_tuple(x):
    shape = (2, 2)
    m = x.reshape(*shape)
    return np.sum(m @ m)


def zeros_of_a_shape(x):
    shape = x.shape
    acc = np.zeros(*shape)
    return np.sum((acc + x) ** 3)


def list_appended_then_unpacked(x):
    items = []
    for v in x:
        items.append(v * 2.0)
    a, b, c, d = items
    return a * b + c * d


# ---- refused, each with its line -------------------------------------------------------------
def power_of_a_spread_tuple(x):
    args = (x, 2.0)
    return np.sum(np.power(*args))


def function_chosen_when_it_runs(x):
    act = np.tanh if x.shape[0] > 2 else np.sin
    return np.sum(act(x))


def factorial_like(x, n):
    if n == 0:
        return x
    return x * factorial_like(x, n - 1)


def recursive(x):
    return np.sum(factorial_like(x, 3))


def uses_a_factory_defined_below(x):
    step = make_scaled_step_below(0.5)
    return np.sum(step(x) ** 2)


def make_scaled_step_below(rate):
    return lambda v: v - rate * np.sin(v)


# ---- unpacking into nested and starred targets ----------------------------------------------
def lstm_like_cell(h, c, x):
    return (np.tanh(h + x), c * 0.5 + h), h * c


def nested_targets(x):
    state = (x[0:2], x[2:4])
    ys = []
    for t in range(3):
        (h, c), y = lstm_like_cell(state[0], state[1], x[0:2] * t)
        state = (h, c)
        ys.append(y)
    return np.sum(np.stack(ys) ** 2)


def starred_target(x):
    params = [x[0:2], x[2:4], x[1:3]]
    *hidden, last = params
    first, *rest = params
    h = x[0:2]
    for w in hidden:
        h = np.tanh(w * h)
    return np.sum(h * last) + np.sum(first * rest[1])


def apply_a_factory(factory, a, x):
    step = factory(a)
    return step(x)


def factory_passed_to_a_helper(a):
    return apply_a_factory(make_step_below, a, 3.0)


def make_step_below(a):                 # defined below the helper that calls it
    return lambda x: x * a
