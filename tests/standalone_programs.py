"""Functions whose standalone modules need more than numpy: nested functions, closures, a
parameter default read from a global, a library function imported by name, a runtime
helper's name taken by the user (tests/test_standalone.py)."""
import math

import numpy as numpy_under_another_name
from numpy import sin as sine

WEIGHTS = numpy_under_another_name.array([0.5, -1.0, 2.0])
OFFSET = 0.25


def uses_a_nested_function(x):
    def squashed(v):
        return numpy_under_another_name.tanh(v) * 2.0
    y = squashed(x)
    return numpy_under_another_name.sum(y * y * x)


def closure_over(scale):
    def scaled(x):
        return scale * numpy_under_another_name.sum(x * x)
    return scaled


def default_from_a_global(x, w=WEIGHTS):
    return numpy_under_another_name.sum(w * sine(x)) + OFFSET


def reads_constants(x):
    return numpy_under_another_name.sum(WEIGHTS * x * x) * math.pi + OFFSET


def unreduce(x):
    """The name of a runtime helper, taken by the user."""
    return x * 2.0


def calls_its_own_unreduce(x):
    return numpy_under_another_name.sum(unreduce(x) * numpy_under_another_name.sin(x))
