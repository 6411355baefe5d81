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
