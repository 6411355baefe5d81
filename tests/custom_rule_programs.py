"""Programs written the way JAX and autograd users write custom derivatives: the rule is a
Python function decorated with ``srcad.defvjp(f)`` / ``srcad.defjvp(f)``."""
import numpy as np

import srcad


# ---- softplus: a numerically stable derivative ---------------------------------------------
def softplus(x):
    return np.log1p(np.exp(x))


@srcad.defvjp(softplus)
def softplus_vjp(dout, out, x):
    return dout / (1.0 + np.exp(-x))


@srcad.defjvp(softplus)
def softplus_jvp(dx, out, x):
    return dx / (1.0 + np.exp(-x))


def softplus_loss(w, x):
    return np.mean(softplus(x @ w) ** 2)


# ---- log-sum-exp: the vjp reads the result, so it never overflows ---------------------------
def logsumexp(x):
    m = np.max(x)
    return m + np.log(np.sum(np.exp(x - m)))


@srcad.defvjp(logsumexp)
def logsumexp_vjp(g, ans, x):
    """The softmax weights, against the result."""
    weights = np.exp(x - ans)
    return g * weights


@srcad.defjvp(logsumexp)
def logsumexp_jvp(x_dot, ans, x):
    weights = np.exp(x - ans)
    return np.sum(weights * x_dot)


def log_likelihood(logits, label):
    return logits[label] - logsumexp(logits)


# ---- two parameters, one without a derivative; a default -------------------------------------
def shifted_power(x, n):
    return np.roll(x, n) ** 2


@srcad.defvjp(shifted_power)
def shifted_power_vjp(dout, out, x, n):
    return np.roll(2.0 * dout * np.roll(x, n), -n), None


@srcad.defjvp(shifted_power)
def shifted_power_jvp(dx, dn, out, x, n):
    return 2.0 * np.roll(x, n) * np.roll(dx, n)


def smooth(x, alpha=0.5):
    return alpha * x + (1.0 - alpha) * np.cumsum(x)


@srcad.defvjp(smooth)
def smooth_vjp(dout, out, x, alpha=0.5):
    return alpha * dout + (1.0 - alpha) * np.cumsum(dout[::-1])[::-1]    # no entry for alpha


@srcad.defjvp(smooth)
def smooth_jvp(dx, out, x, alpha=0.5):                                   # no tangent for alpha
    return alpha * dx + (1.0 - alpha) * np.cumsum(dx)


def uses_shifted_power(x):
    return np.sum(shifted_power(x, 1) * x)


def uses_smooth(x, alpha):
    return np.sum(smooth(x, alpha) ** 2)


# ---- a rule inside a loop and a helper --------------------------------------------------------
def cell(h, w):
    return np.tanh(h * w)


@srcad.defvjp(cell)
def cell_vjp(dout, out, h, w):
    local = dout * (1.0 - out ** 2)
    return local * w, local * h


@srcad.defjvp(cell)
def cell_jvp(dh, dw, out, h, w):
    return (1.0 - out ** 2) * (dh * w + h * dw)


def step(h, w):
    return cell(h, w) + 0.1 * h


def unrolled(w, h0, n):
    h = h0
    for _ in range(n):
        h = step(h, w)
    return np.sum(h ** 2)


# ---- a rule srcad's own table could have, checked with check_rule ------------------------------
def wrong_softplus(x):
    return np.log1p(np.exp(x))


@srcad.defvjp(wrong_softplus)
def wrong_softplus_vjp(dout, out, x):
    return dout / (1.0 + np.exp(x))         # the sign of x is wrong


@srcad.defjvp(wrong_softplus)
def wrong_softplus_jvp(dx, out, x):
    return dx / (1.0 + np.exp(-x))          # right


def wrong_tangent(x, y):
    return x * np.sin(y)


@srcad.defvjp(wrong_tangent)
def wrong_tangent_vjp(dout, out, x, y):
    return dout * np.sin(y), dout * x * np.cos(y)


@srcad.defjvp(wrong_tangent)
def wrong_tangent_jvp(dx, dy, out, x, y):
    return dx * np.sin(y) + dy * x * np.sin(y)      # cos, not sin
