"""Functions whose generated derivative source is pinned byte for byte."""
import math

import numpy as np


def straight_line(x, y):
    z = x * y + np.sin(x)
    return z * z


def if_else(x):
    if x > 1.0:
        y = x * x
    else:
        y = math.exp(x)
    return 3.0 * y


def for_with_if(x, n):
    y = 0.0
    for i in range(n):
        if x > 0:
            y = y + x * x
        else:
            y = y - x
    return y


def for_with_stack(x, n):
    y = 0.0
    for i in range(n):
        if x > 0:
            y = y + x * x
        else:
            y = y - x
        x = np.sin(x) - 0.5
    return y


def while_with_break(x):
    steps = 0
    while True:
        x = x * 0.5 + 1.0
        steps += 1
        if x < 2.1:
            break
    return x * steps


def scaled_square(a, b):
    return a * a * b


def helper_call(x, y):
    s = scaled_square(x, y)
    return s + scaled_square(y, 2.0)


def activity(x, y):
    scale = y * y + 1.0          # does not depend on x: no derivative computed for it
    unused = np.cos(x)           # does not reach the result: not computed at all
    return np.sin(x) * scale


def invariant_in_loop(x, dt, n):
    for i in range(n):
        h = 0.5 * dt             # the same value every trip: never saved
        x = x + h * np.sin(x)
    return x


def repeated_invariant(x, dt, n):
    for i in range(n):
        k1 = np.sin(x)
        k2 = np.sin(x + 0.5 * dt * k1)  # 0.5 * dt: computed once, before the loop, and shared
        x = x + 0.5 * dt * (k1 + k2)
    return x


def shape_only_sum(x, a):
    # the reverse sweep needs the summand's shape, not the summand: no log in the forward sweep
    return np.sum(np.exp(-a * x * x) * np.sin(x) + np.log(1.0 + x * x))


def shape_saved_in_loop(W, U, X):
    h = np.tanh(X[0] @ W)
    for t in range(1, X.shape[0]):
        h = np.tanh(X[t] @ W + h @ U)   # X[t] @ W and h @ U are saved as their shapes only
    return np.sum(h * h)


# name -> (function, wrt, example arguments)
CASES = {
    "straight_line": (straight_line, (0, 1), (0.7, 1.3)),
    "if_else": (if_else, 0, (1.5,)),
    "for_with_if": (for_with_if, 0, (0.7, 3)),
    "for_with_stack": (for_with_stack, 0, (0.7, 3)),
    "while_with_break": (while_with_break, 0, (7.0,)),
    "helper_call": (helper_call, (0, 1), (0.7, 1.3)),
    "activity": (activity, 0, (0.7, 1.3)),
    "invariant_in_loop": (invariant_in_loop, 0, (0.7, 0.1, 3)),
    "repeated_invariant": (repeated_invariant, (0, 1), (0.7, 0.1, 3)),
}

_rng = np.random.default_rng(0)
# array functions, checked along a random direction: name -> (function, wrt, arguments)
ARRAY_CASES = {
    "shape_only_sum": (shape_only_sum, (0, 1), (_rng.normal(size=5), 0.5)),
    "shape_saved_in_loop": (shape_saved_in_loop, (0, 1),
                            (_rng.normal(size=(3, 4)) * 0.3, _rng.normal(size=(4, 4)) * 0.3,
                             _rng.normal(size=(5, 2, 3)))),
}

# second derivatives: name -> (function, wrt, example arguments, modes outer-over-inner)
SECOND_ORDER = {
    "second_for_with_stack": (for_with_stack, 0, (0.7, 3), "grad-grad"),
    "second_straight_line": (straight_line, 0, (0.7, 1.3), "jvp-grad"),
}
