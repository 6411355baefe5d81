"""autograd examples/fixed_points.py, ported by changing only the imports (see CHANGED notes)."""
import numpy as np
from srcad import grad


# CHANGED: autograd.misc.fixed_points.fixed_point has no srcad equivalent; the plain loop a user writes
def fixed_point(f, a, x0, distance, tol):
    _f = f(a)
    x, x_prev = _f(x0), x0
    while distance(x, x_prev) > tol:
        x, x_prev = _f(x), x
    return x



def newton_sqrt_iter(a):
    return lambda x: 0.5 * (x + a / x)


def grad_descent_sqrt_iter(a):
    return lambda x: x - 0.05 * (x**2 - a)


def sqrt(a, guess=10.0):
    # return fixed_point(newton_sqrt_iter, a, guess, distance, 1e-4)
    return fixed_point(grad_descent_sqrt_iter, a, guess, distance, 1e-4)


def distance(x, y):
    return np.abs(x - y)




CASES = [(sqrt, lambda: (2.0,), 0)]


# The user's change after the refusal (not the example's code): the iteration written inline
def sqrt_inline(a, guess=10.0):
    x, x_prev = guess - 0.05 * (guess**2 - a), guess
    while distance(x, x_prev) > 1e-4:
        x, x_prev = x - 0.05 * (x**2 - a), x
    return x


CASES.append((sqrt_inline, lambda: (2.0,), 0))
