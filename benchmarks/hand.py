"""Hand-written adjoints of the workloads: what an expert writes for each, by hand.

Each returns the gradient in the same order as the ``wrt`` of its workload. They store only
what their reverse sweep reads and are checked against finite differences before timing.
"""
import math

import numpy as np


def scalar_loop(x, a, n):
    ys = [0.0]
    y = 0.0
    for i in range(n):
        y = math.sin(a * y + x)
        ys.append(y)
    dx = 0.0
    da = 0.0
    dy = 0.0
    for i in range(n, 0, -1):
        y = ys[i]
        if y > 0.0:
            dy += 2.0 * y
        else:
            dx -= y
            dy -= x
        y_old = ys[i - 1]
        dz = dy * math.cos(a * y_old + x)
        dx += dz
        da += dz * y_old
        dy = dz * a
    return dx, da


def lotka_volterra_vjp(u, v, alpha, beta, delta, gamma, gu, gv):
    """The adjoint of workloads.lotka_volterra: (du, dv) and the parameters' contributions."""
    return (gu * (alpha - beta * v) + gv * delta * v,
            gv * (delta * u - gamma) - gu * beta * u,
            gu * u, -gu * u * v, gv * u * v, -gv * v)


def rk4(alpha, beta, delta, gamma, u0, v0, dt, n):
    h = 0.5 * dt
    c = dt / 6.0
    states = []
    u = u0
    v = v0
    for i in range(n):
        k1u = alpha * u - beta * u * v
        k1v = delta * u * v - gamma * v
        u2 = u + h * k1u
        v2 = v + h * k1v
        k2u = alpha * u2 - beta * u2 * v2
        k2v = delta * u2 * v2 - gamma * v2
        u3 = u + h * k2u
        v3 = v + h * k2v
        k3u = alpha * u3 - beta * u3 * v3
        k3v = delta * u3 * v3 - gamma * v3
        u4 = u + dt * k3u
        v4 = v + dt * k3v
        k4u = alpha * u4 - beta * u4 * v4
        k4v = delta * u4 * v4 - gamma * v4
        states.append((u, v, u2, v2, u3, v3, u4, v4))
        u = u + c * (k1u + 2.0 * k2u + 2.0 * k3u + k4u)
        v = v + c * (k1v + 2.0 * k2v + 2.0 * k3v + k4v)
    du = v
    dv = u
    da = db = dd = dg = 0.0
    for i in range(n - 1, -1, -1):
        u, v, u2, v2, u3, v3, u4, v4 = states[i]
        g4u = c * du
        g4v = c * dv
        g3u = 2.0 * g4u
        g3v = 2.0 * g4v
        wu, wv, a_, b_, d_, g_ = lotka_volterra_vjp(u4, v4, alpha, beta, delta, gamma, g4u, g4v)
        du += wu
        dv += wv
        da += a_
        db += b_
        dd += d_
        dg += g_
        g3u += dt * wu
        g3v += dt * wv
        wu, wv, a_, b_, d_, g_ = lotka_volterra_vjp(u3, v3, alpha, beta, delta, gamma, g3u, g3v)
        du += wu
        dv += wv
        da += a_
        db += b_
        dd += d_
        dg += g_
        g2u = 2.0 * g4u + h * wu
        g2v = 2.0 * g4v + h * wv
        wu, wv, a_, b_, d_, g_ = lotka_volterra_vjp(u2, v2, alpha, beta, delta, gamma, g2u, g2v)
        du += wu
        dv += wv
        da += a_
        db += b_
        dd += d_
        dg += g_
        g1u = g4u + h * wu
        g1v = g4v + h * wv
        wu, wv, a_, b_, d_, g_ = lotka_volterra_vjp(u, v, alpha, beta, delta, gamma, g1u, g1v)
        du += wu
        dv += wv
        da += a_
        db += b_
        dd += d_
        dg += g_
    return da, db, dd, dg


def mlp(W1, b1, W2, b2, X, Y):
    h = np.tanh(X @ W1 + b1)
    logits = h @ W2 + b2
    shifted = logits - np.max(logits, axis=1, keepdims=True)
    e = np.exp(shifted)
    p = e / np.sum(e, axis=1, keepdims=True)
    dlogits = (p * np.sum(Y, axis=1, keepdims=True) - Y) / X.shape[0]
    dW2 = h.T @ dlogits
    db2 = np.sum(dlogits, axis=0)
    dz = (dlogits @ W2.T) * (1.0 - h * h)
    dW1 = X.T @ dz
    db1 = np.sum(dz, axis=0)
    return dW1, db1, dW2, db2


def rnn(Wx, Wh, b, Wo, X, Y):
    hs = [np.tanh(X[0] @ Wx + b)]
    for t in range(1, X.shape[0]):
        hs.append(np.tanh(X[t] @ Wx + hs[-1] @ Wh + b))
    h = hs[-1]
    derr = 2.0 * (h @ Wo - Y)
    dWo = h.T @ derr
    dh = derr @ Wo.T
    dWx = np.zeros_like(Wx)
    dWh = np.zeros_like(Wh)
    db = np.zeros_like(b)
    for t in range(X.shape[0] - 1, 0, -1):
        dz = dh * (1.0 - hs[t] * hs[t])
        dWx += X[t].T @ dz
        dWh += hs[t - 1].T @ dz
        db += np.sum(dz, axis=0)
        dh = dz @ Wh.T
    dz = dh * (1.0 - hs[0] * hs[0])
    dWx += X[0].T @ dz
    db += np.sum(dz, axis=0)
    return dWx, dWh, db, dWo


def vectorized(x, a):
    x2 = x * x
    e = np.exp(-a * x2)
    s = np.sin(x)
    es = e * s
    dx = e * np.cos(x) - 2.0 * a * x * es + 2.0 * x / (1.0 + x2)
    da = -np.sum(x2 * es)
    return dx, da


def fixed_point(a, b, tol):
    ys = [0.0]
    y = 0.0
    step = 1.0
    while step > tol:
        y_next = a * math.cos(y) + b
        step = abs(y_next - y)
        y = y_next
        ys.append(y)
    dy = 2.0 * y
    da = 0.0
    db = 0.0
    for i in range(len(ys) - 1, 0, -1):
        y_old = ys[i - 1]
        da += dy * math.cos(y_old)
        db += dy
        dy = -dy * a * math.sin(y_old)
    return da, db


def newton(a, targets):
    # each target's root depends on a alone, so each is differentiated on its own: forward
    # through its Newton iterations keeping each iterate y and its step, then back through them
    da = 0.0
    for k in range(len(targets)):
        c = targets[k]
        y = 1.0
        step = 1.0
        ys = []
        steps = []
        while abs(step) > 1e-12:
            step = (y * y * y + a * y - c) / (3.0 * y * y + a)
            ys.append(y)
            steps.append(step)
            y = y - step
        dy = 2.0 * y
        for i in range(len(ys) - 1, -1, -1):
            # y' = y - f / g, f = y**3 + a y - c, g = 3 y**2 + a = df/dy
            y = ys[i]
            step = steps[i]
            g = 3.0 * y * y + a
            da -= dy * (y - step) / g
            dy = dy * 6.0 * y * step / g
    return (da,)


def rosenbrock(x):
    head = x[:-1]
    a = x[1:] - head * head
    da = 200.0 * a
    dx = np.empty_like(x)
    dx[:-1] = -2.0 * (head * da + (1.0 - head))
    dx[-1] = 0.0
    dx[1:] += da
    return (dx,)
