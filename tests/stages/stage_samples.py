"""Small functions for the stage tests (they need real source files)."""
import numpy as np


def anf(x, y):
    return np.sin(x * y) + 2.0 * x


def aug(x):
    x += 1.0
    x *= x
    return x


def early(x):
    if x > 0:
        return x * 2.0
    return -x


def loop_return(x, n):
    for i in range(n):
        x = x * 0.5
        if x < 0.1:
            return x
    return x + 1.0


def rows(X):
    s = 0.0
    for row in X:
        s = s + row[0]
    return s


def swap(a, b):
    a, b = b, a
    return a - b


def activity(x, n):
    k = n * 2
    unused = np.cos(x)
    y = x * k
    z = np.floor(x)
    return y + z


# invariants: temporaries hoisted out of loops and shared
def hoistable(x, dt, n):
    for i in range(n):
        x = x + 0.5 * dt * x
        x = x - 0.5 * dt * x * x
    return x


def not_hoistable(x, dt, n):
    for i in range(n):
        x = x + 1.0 / dt * x      # 1.0 / dt could raise in a loop that never runs
        dt = dt * 0.9             # and dt changes in the loop anyway
        h = 0.5 * x               # a user's variable stays where it was written
        x = x + h
    return x


def nested_invariant(x, a, n, m):
    for i in range(n):
        for j in range(m):
            x = x * (a * 2.0) + i * 3.0    # a * 2.0 leaves both loops, i * 3.0 only the inner
    return x


def repeat_after_write(x, a):
    y = x + a * 2.0
    a = y * 1.5
    return y + a * 2.0                     # a changed: the second a * 2.0 is computed again


# iteration and variadic calls
def enumerate_zip(ws, xs):
    s = 0.0
    for i, (w, x) in enumerate(zip(ws, xs)):
        s = s + i * w * x
    return s


def weight_tuples(params, h):
    for W, b in params:
        h = h @ W + b
    return h


def two_of(a, b):
    return a * b


def star_of(x, *xs):
    return x


def variadic_calls(w, *args):
    return two_of(*args) + star_of(w, w, *args) + star_of(*args)
