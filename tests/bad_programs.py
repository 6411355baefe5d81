"""Functions srcad must refuse. A comment ``ERR:<key>`` marks each line an error may point at."""
import numpy as np

G = 0.0


def passthrough(*args, **kwargs):
    def deco(fn):
        return fn
    return deco


def uses_try(x):
    y = x * 2.0
    try:  # ERR:try
        y = y * x
    except ValueError:
        y = x
    return y


def uses_with(x):
    y = x * 2.0
    with open(__file__) as fh:  # ERR:with
        y = y + len(fh.read()) * x
    return y


def uses_yield(x):
    for i in range(3):
        yield x * i  # ERR:yield


def global_write(x):
    global G  # ERR:global
    G = x * 2.0  # ERR:global
    return G * x


def make_nonlocal():
    total = 0.0

    def nonlocal_write(x):
        nonlocal total  # ERR:nonlocal
        total = total + x  # ERR:nonlocal
        return total * x
    return nonlocal_write


NONLOCAL_WRITE = make_nonlocal()


def class_inside(x):
    y = x * x

    class Box:  # ERR:class
        value = 1.0
    return y * Box.value


async def async_fn(x):  # ERR:async
    return x * 2.0


def uses_median(x):
    y = np.sin(x)
    z = np.median(y) * y  # ERR:median
    return np.sum(z)


def uses_fft(x):
    y = x * 2.0
    z = np.fft.fft(y)  # ERR:fft
    return np.sum(np.abs(z))


def uses_eigvals(A):
    B = A * 2.0
    return np.sum(np.linalg.eigvals(B).real)  # ERR:eigvals


def multiline_no_rule(x):
    y = (x * 2.0
         + np.median(x))  # ERR:multiline
    return np.sum(y)


def helper_with_median(v):
    w = v * v
    for i in range(2):
        w = w - np.median(w)  # ERR:nested_helper
    return w


def calls_median_helper(v):
    return np.sum(helper_with_median(v * 2.0))


def median_of_constant(x):
    c = np.median(np.arange(4.0)) * np.ones(4)
    return np.sum(c) * x


def two_args(x, y):  # ERR:wrt
    return x * y


def helper_with_try(x):
    try:  # ERR:helper
        return x * 2.0
    except ZeroDivisionError:
        return x


def calls_bad_helper(x):
    return helper_with_try(x) * x  # ERR:helper


@passthrough(
    "a multi-line decorator",
    shift=2,
)
def decorated_with(x):
    y = x
    for i in range(3):
        if i > 1:
            with open(__file__):  # ERR:decorated
                y = y * x
    return y
