"""Real-shaped user functions, written the way autograd/JAX users write them.

Each one's generated gradient is pinned in tests/golden/<name>.expected, and the adjoint an
expert writes by hand for it sits in tests/golden/hand_adjoints.py under the same name
(tests/test_golden_real_shapes.py compares the two: same gradient, line counts within 1.3x).

``CASES`` maps a case name to ``(function, wrt, make_args)``; ``make_args()`` builds fresh
example arguments (small sizes, seeded) on every call, so no call sees another's mutations.
"""
import numpy as np


# ---- RK4 with a helper returning a tuple ------------------------------------------------------
def lotka_volterra(u, v, alpha, beta, delta, gamma):
    return alpha * u - beta * u * v, delta * u * v - gamma * v


def rk4(alpha, beta, delta, gamma, u0, v0, dt, n):
    u = u0
    v = v0
    for i in range(n):
        k1u, k1v = lotka_volterra(u, v, alpha, beta, delta, gamma)
        k2u, k2v = lotka_volterra(u + 0.5 * dt * k1u, v + 0.5 * dt * k1v,
                                  alpha, beta, delta, gamma)
        k3u, k3v = lotka_volterra(u + 0.5 * dt * k2u, v + 0.5 * dt * k2v,
                                  alpha, beta, delta, gamma)
        k4u, k4v = lotka_volterra(u + dt * k3u, v + dt * k3v, alpha, beta, delta, gamma)
        u = u + dt / 6.0 * (k1u + 2.0 * k2u + 2.0 * k3u + k4u)
        v = v + dt / 6.0 * (k1v + 2.0 * k2v + 2.0 * k3v + k4v)
    return u * v


# ---- an MLP over a list of (W, b) -------------------------------------------------------------
def mlp(params, X):
    h = X
    for W, b in params:
        h = np.tanh(h @ W + b)
    return np.sum(h ** 2)


# ---- an RNN over time steps -------------------------------------------------------------------
def rnn(Wx, Wh, b, xs):
    h = np.zeros(Wh.shape[0])
    for t in range(len(xs)):
        h = np.tanh(xs[t] @ Wx + h @ Wh + b)
    return np.sum(h)


# ---- an in-place loop update ------------------------------------------------------------------
def inplace(x, c):
    for i in range(1, x.shape[0]):
        x[i] = x[i] + c * x[i - 1]
    return np.sum(x)


# ---- Newton over a list of floats: solve y**3 + a*y = c for each target c ----------------------
def newton(a, targets):
    total = 0.0
    for c in targets:
        y = 1.0
        step = 1.0
        while abs(step) > 1e-12:
            step = (y ** 3 + a * y - c) / (3.0 * y ** 2 + a)
            y = y - step
        total += y * y
    return total


# ---- Rosenbrock -------------------------------------------------------------------------------
def rosenbrock(x):
    a = x[1:] - x[:-1] ** 2
    b = 1.0 - x[:-1]
    return np.sum(100.0 * a ** 2 + b ** 2)


# ---- a helper returning a tuple ---------------------------------------------------------------
def polar(x, y):
    return np.sqrt(x * x + y * y), np.arctan2(y, x)


def rose(x, y):
    r, th = polar(x, y)
    return r * np.cos(2.0 * th)


# ---- example arguments ------------------------------------------------------------------------
def rk4_args():
    return [1.1, 0.4, 0.1, 0.4, 10.0, 10.0, 0.01, 20]


def mlp_args():
    rng = np.random.default_rng(0)
    sizes = [3, 4, 2]
    params = [(0.5 * rng.normal(size=(m, k)), 0.1 * rng.normal(size=k))
              for m, k in zip(sizes[:-1], sizes[1:])]
    return [params, rng.normal(size=(5, 3))]


def rnn_args():
    rng = np.random.default_rng(1)
    return [0.5 * rng.normal(size=(3, 4)), 0.5 * rng.normal(size=(4, 4)),
            0.1 * rng.normal(size=4), rng.normal(size=(6, 3))]


def inplace_args():
    rng = np.random.default_rng(2)
    return [rng.normal(size=6), 0.7]


def newton_args():
    return [2.0, [0.5, 1.0, 3.0]]


def rosenbrock_args():
    return [np.random.default_rng(3).normal(size=5)]


def rose_args():
    return [0.8, 0.6]


CASES = {
    "rk4": (rk4, 0, rk4_args),
    "mlp": (mlp, 0, mlp_args),
    "rnn": (rnn, 0, rnn_args),
    "inplace": (inplace, 0, inplace_args),
    "newton": (newton, 0, newton_args),
    "rosenbrock": (rosenbrock, 0, rosenbrock_args),
    "rose": (rose, (0, 1), rose_args),
}
