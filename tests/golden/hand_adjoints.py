"""The adjoints an expert writes by hand for the functions of tests/golden/real_shapes.py.

Each has the signature of srcad's generated gradient, ``(args..., dout=1.0)``, and returns the
gradient in the same form (a float, an array, a tuple of them, or a list of ``(dW, db)``). Each
runs a forward sweep saving only what its reverse sweep reads and cannot cheaply recompute, then
the reverse sweep. A helper's adjoint is written beside the adjoint that calls it.

``HAND[name]`` is ``(adjoint, functions)``: the adjoint to call and every function of this file it
needs (the adjoint itself included), whose lines the line-count comparison counts. Comments and
blank lines are not counted, so the explanations below cost nothing.
"""
import numpy as np

from golden.real_shapes import lotka_volterra, polar


# ---- rk4 (wrt alpha) --------------------------------------------------------------------------
def dlotka_volterra(u, v, alpha, beta, delta, gamma, dku, dkv):
    # (du, dv, dalpha) of (ku, kv) = lotka_volterra(u, v, ...) given (dku, dkv)
    du = dku * (alpha - beta * v) + dkv * delta * v
    dv = dkv * (delta * u - gamma) - dku * beta * u
    return du, dv, dku * u


def drk4dalpha(alpha, beta, delta, gamma, u0, v0, dt, n, dout=1.0):
    h = 0.5 * dt
    c = dt / 6.0
    states = []
    u = u0
    v = v0
    for i in range(n):
        k1u, k1v = lotka_volterra(u, v, alpha, beta, delta, gamma)
        u2 = u + h * k1u
        v2 = v + h * k1v
        k2u, k2v = lotka_volterra(u2, v2, alpha, beta, delta, gamma)
        u3 = u + h * k2u
        v3 = v + h * k2v
        k3u, k3v = lotka_volterra(u3, v3, alpha, beta, delta, gamma)
        u4 = u + dt * k3u
        v4 = v + dt * k3v
        k4u, k4v = lotka_volterra(u4, v4, alpha, beta, delta, gamma)
        states.append((u, v, u2, v2, u3, v3, u4, v4))
        u = u + c * (k1u + 2.0 * k2u + 2.0 * k3u + k4u)
        v = v + c * (k1v + 2.0 * k2v + 2.0 * k3v + k4v)
    du = dout * v
    dv = dout * u
    dalpha = 0.0
    for i in reversed(range(n)):
        u, v, u2, v2, u3, v3, u4, v4 = states.pop()
        # stage 4: k4 = f(u4, v4), u4 = u + dt k3
        g4u = c * du
        g4v = c * dv
        wu, wv, wa = dlotka_volterra(u4, v4, alpha, beta, delta, gamma, g4u, g4v)
        du += wu
        dv += wv
        dalpha += wa
        # stage 3: k3 = f(u3, v3), u3 = u + h k2
        g3u = 2.0 * g4u + dt * wu
        g3v = 2.0 * g4v + dt * wv
        wu, wv, wa = dlotka_volterra(u3, v3, alpha, beta, delta, gamma, g3u, g3v)
        du += wu
        dv += wv
        dalpha += wa
        # stage 2: k2 = f(u2, v2), u2 = u + h k1
        g2u = 2.0 * g4u + h * wu
        g2v = 2.0 * g4v + h * wv
        wu, wv, wa = dlotka_volterra(u2, v2, alpha, beta, delta, gamma, g2u, g2v)
        du += wu
        dv += wv
        dalpha += wa
        # stage 1: k1 = f(u, v)
        g1u = g4u + h * wu
        g1v = g4v + h * wv
        wu, wv, wa = dlotka_volterra(u, v, alpha, beta, delta, gamma, g1u, g1v)
        du += wu
        dv += wv
        dalpha += wa
    return dalpha


# ---- mlp (wrt params, a list of (W, b)) -------------------------------------------------------
def dmlpdparams(params, X, dout=1.0):
    hs = [X]
    for W, b in params:
        hs.append(np.tanh(hs[-1] @ W + b))
    dh = 2.0 * dout * hs[-1]
    dparams = [None] * len(params)
    for i in reversed(range(len(params))):
        W, b = params[i]
        dz = dh * (1.0 - hs[i + 1] ** 2)
        dparams[i] = (hs[i].T @ dz, np.sum(dz, axis=0))
        dh = dz @ W.T
    return dparams


# ---- rnn (wrt Wx) -----------------------------------------------------------------------------
def drnndWx(Wx, Wh, b, xs, dout=1.0):
    hs = [np.zeros(Wh.shape[0])]
    for t in range(len(xs)):
        hs.append(np.tanh(xs[t] @ Wx + hs[-1] @ Wh + b))
    dWx = np.zeros_like(Wx)
    dh = np.full_like(b, dout)
    for t in reversed(range(len(xs))):
        dz = dh * (1.0 - hs[t + 1] ** 2)
        dWx += np.outer(xs[t], dz)
        dh = Wh @ dz
    return dWx


# ---- inplace (wrt x) --------------------------------------------------------------------------
def dinplacedx(x, c, dout=1.0):
    # x[i] += c x[i-1] is linear in x: nothing of the forward sweep is needed
    dx = np.full_like(x, dout)
    for i in reversed(range(1, x.shape[0])):
        dx[i - 1] += c * dx[i]
    return dx


# ---- newton (wrt a) ---------------------------------------------------------------------------
def dnewtonda(a, targets, dtotal=1.0):
    # the targets' terms are independent: each one's reverse sweep follows its forward sweep
    da = 0.0
    for c in targets:
        ys = []
        y = 1.0
        step = 1.0
        while abs(step) > 1e-12:
            ys.append(y)
            step = (y ** 3 + a * y - c) / (3.0 * y ** 2 + a)
            y = y - step
        dy = 2.0 * y * dtotal
        for y in reversed(ys):
            # y_next = y - f / g with f = y**3 + a y - c, g = 3 y**2 + a
            f = y ** 3 + a * y - c
            g = 3.0 * y ** 2 + a
            da += dy * (f / g - y) / g
            dy *= 6.0 * y * f / g ** 2
    return da


# ---- rosenbrock (wrt x) -----------------------------------------------------------------------
def drosenbrockdx(x, dout=1.0):
    a = x[1:] - x[:-1] ** 2
    b = 1.0 - x[:-1]
    da = 200.0 * dout * a
    db = 2.0 * dout * b
    dx = np.zeros_like(x)
    dx[1:] += da
    dx[:-1] -= 2.0 * x[:-1] * da + db
    return dx


# ---- rose, through the tuple-returning helper polar (wrt x and y) ------------------------------
def dpolar(x, y, dr, dth):
    # (dx, dy) of (r, th) = polar(x, y) given (dr, dth)
    r2 = x * x + y * y
    r = np.sqrt(r2)
    dx = dr * x / r - dth * y / r2
    dy = dr * y / r + dth * x / r2
    return dx, dy


def drosedx_y(x, y, dout=1.0):
    r, th = polar(x, y)
    dr = dout * np.cos(2.0 * th)
    dth = -2.0 * dout * r * np.sin(2.0 * th)
    return dpolar(x, y, dr, dth)


HAND = {
    "rk4": (drk4dalpha, [dlotka_volterra, drk4dalpha]),
    "mlp": (dmlpdparams, [dmlpdparams]),
    "rnn": (drnndWx, [drnndWx]),
    "inplace": (dinplacedx, [dinplacedx]),
    "newton": (dnewtonda, [dnewtonda]),
    "rosenbrock": (drosenbrockdx, [drosenbrockdx]),
    "rose": (drosedx_y, [dpolar, drosedx_y]),
}
