"""The eight benchmark workloads, each written once as plain NumPy/``math`` code.

Peers run this same source: ``peers.py`` executes this file again with ``np`` and ``math``
bound to autograd's, JAX's or PyTorch's versions, so every tool differentiates the same
program. Keep to the functions that namespace maps (sin, cos, exp, tanh, log, sqrt, sum,
max, mean, ``@``) and to Python builtins (``abs``, ``len``, ``range``) when adding a
workload.
"""
import math

import numpy as np


# 1. a scalar loop with a branch: 1000 iterations of a contracting map
def scalar_loop(x, a, n):
    y = 0.0
    s = 0.0
    for i in range(n):
        y = math.sin(a * y + x)
        if y > 0.0:
            s = s + y * y
        else:
            s = s - x * y
    return s


# 2. an ODE (Lotka-Volterra) integrated with RK4 through a helper, 500 steps
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


# 3. a two-layer MLP with softmax cross-entropy, batch 128, 784 -> 256 -> 10
def mlp(W1, b1, W2, b2, X, Y):
    h = np.tanh(X @ W1 + b1)
    logits = h @ W2 + b2
    shifted = logits - np.max(logits, axis=1, keepdims=True)
    logp = shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))
    return -np.sum(Y * logp) / X.shape[0]


# 4. a recurrent network unrolled over time steps
def rnn(Wx, Wh, b, Wo, X, Y):
    h = np.tanh(X[0] @ Wx + b)
    for t in range(1, X.shape[0]):
        h = np.tanh(X[t] @ Wx + h @ Wh + b)
    err = h @ Wo - Y
    return np.sum(err * err)


# 5. a large vectorized function, n = 10**6
def vectorized(x, a):
    return np.sum(np.exp(-a * x * x) * np.sin(x) + np.log(1.0 + x * x))


# 6. a while loop that iterates to convergence (a fixed point of y = a cos(y) + b)
def fixed_point(a, b, tol):
    y = 0.0
    step = 1.0
    while step > tol:
        y_next = a * math.cos(y) + b
        step = abs(y_next - y)
        y = y_next
    return y * y


# 7. Newton's method per element of a Python list of floats: the real root of
#    y**3 + a*y - c for 200 targets c, iterated until the step is below 1e-12
def newton(a, targets):
    total = 0.0
    for k in range(len(targets)):
        c = targets[k]
        y = 1.0
        step = 1.0
        while abs(step) > 1e-12:
            step = (y * y * y + a * y - c) / (3.0 * y * y + a)
            y = y - step
        total = total + y * y
    return total


# 8. the Rosenbrock function on n = 10**6 elements
def rosenbrock(x):
    a = x[1:] - x[:-1] ** 2
    b = 1.0 - x[:-1]
    return np.sum(100.0 * a ** 2 + b ** 2)
