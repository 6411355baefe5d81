"""Functions for the bad-input gallery (tests/test_bad_input.py): odd but legal user code."""
import functools
import math

import numpy as np


def two(x, y):
    return x * y


def vector(x):
    return x * 2.0


def pair(x):
    return x, x * 2.0


def text(x):
    return "not a number"


def no_return(x):
    y = x * 2.0


def positional_only(x, /, y):
    return x * y


def factorial(x, n):
    if n <= 0:
        return 1.0
    return x * factorial(x, n - 1)


def scalar_math(x):
    return math.sin(x) * x


def array_sum(v):
    return np.sum(np.sin(v) * v)


def long_for(x, n):
    s = 0.0
    for i in range(n):
        s = s + math.sin(x + i * 1e-6)
    return s


def long_while(x, n):
    s = 0.0
    k = 0
    while k < n:
        s = s + x * 1e-6
        k += 1
    return s


class Model:
    def loss(self, x):
        return x * x

    def __call__(self, x):
        return x * x


PARTIAL = functools.partial(two, 2.0)
PARTIAL_OF_A_BUILTIN = functools.partial(np.sum, axis=0)
LAMBDA = lambda x: x * x  # noqa: E731  (read as def LAMBDA(x): return x * x)


def deep_source(depth, terms):
    """Source of ``deep(x)``: ``depth`` nested ifs, then one sum of ``terms`` products."""
    lines, indent = ["import math", "", "", "def deep(x):", "    y = x"], "    "
    for d in range(depth):
        lines.append(f"{indent}if y > -{d + 100}.0:")
        indent += "    "
        lines.append(f"{indent}y = y * 1.01 + {d}.0 * 0.001")
    lines.append("    return " + " + ".join(f"y * {i % 7 + 1}.0" for i in range(terms)))
    return "\n".join(lines) + "\n"


def long_source(lines_wanted):
    """Source of ``long(x, y)``: a straight-line function of about ``lines_wanted`` lines."""
    lines = ["import math", "", "", "def long(x, y):"]
    i = 0
    while len(lines) < lines_wanted:
        lines.append(f"    x = x + 0.001 * math.sin(y * {i % 5 + 1}.0)")
        lines.append("    y = y * 0.999 + 0.001 * math.cos(x)")
        lines.append(f"    t{i} = x * y")
        i += 1
    lines.append(f"    return x * y + t0 + t{i - 1}")
    return "\n".join(lines) + "\n"
