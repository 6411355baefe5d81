"""Tuple results unpacked into names no one reads (``_``, or a name left unused), the way
people write ``_, y = h(y)``: in and out of loops, scalars and arrays, helpers and rules."""
import numpy as np


def h1(a):
    return 1.37 * a, 0.67 * a


def h_arrays(a):
    return np.sin(a), a * 2.0 + np.cos(a)


def underscore(y):
    _, y = h1(y)
    return y * y


def unused_name(y):
    _, y = h1(y)
    t1, y = h1(y)
    return y * y


def unused_name_in_a_loop(y, n):
    for i in range(n):
        t1, y = h1(y)
    return y * y


def underscore_in_a_loop(y, n):
    total = 0.0
    for i in range(n):
        _, y = h1(y)
        total = total + np.sin(y)
    return total


def unused_array_part(x):
    s, y = h_arrays(x)
    return np.sum(y ** 2)


def unused_second_part(x):
    y, _ = h_arrays(x)
    return np.sum(y * x)


def array_self_update_in_a_loop(x, n):
    for i in range(n):
        _, x = h_arrays(x)
        x = x * 0.3
    return np.sum(x ** 2)


def unused_rule_result(a):
    sign, logdet = np.linalg.slogdet(a)
    return logdet


def unused_pack(x):
    a, _ = x * 2.0, x * 3.0
    return a * x


def both_unused_but_one(x):
    a, b = h1(x)
    c, _ = h1(a)
    return c
