"""Python statements people write in numerical code: for/while ... else, del, x.item(), and
derivatives called inside a differentiated function (tests/test_python_constructs.py)."""
import numpy as np

import srcad


def search_with_else(x, xs):
    for v in xs:
        if v > 5.0:
            x = x * v
            break
        x = x + v * x
    else:
        x = x ** 2
    return x


def while_with_else(x):
    while x < 10.0:
        x = x * 1.5
    else:
        x = x + np.sin(x)
    return x


def nested_loops_with_else(x, n):
    for i in range(n):
        for j in range(n):
            if j > i:
                break
            x = x * 1.1
        else:
            x = x + 0.5
    return x


def deletes_a_temporary(x):
    t = x * 2.0
    y = np.sin(t)
    del t
    return y * x


def item_of_an_array(x):
    peak = np.max(x * x).item()
    return peak * np.sum(x)


def energy(q):
    return np.sum(q ** 4) / 4.0


def force_norm(q):
    return np.sum(srcad.grad(energy)(q) ** 2)


d_energy = srcad.grad(energy)


def through_a_global_derivative(q):
    return np.sum(np.sin(d_energy(q)))


def cube(x):
    return x ** 3


def times_its_slope(x):
    return srcad.grad(cube)(x) * x
