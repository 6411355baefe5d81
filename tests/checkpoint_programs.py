"""Long loops marked for checkpointing (issue 20), written as simulation users write them.
Each ``*_all`` twin is the same loop without the mark. Read by tests/test_checkpointing.py."""
import numpy as np

import srcad

SNAPSHOTS = 4


def heat_step(u, kappa):
    u = u + kappa * (np.roll(u, 1) - 2.0 * u + np.roll(u, -1))
    return u - 0.01 * u ** 3


def heat(kappa, u0, T):
    u = u0
    for t in srcad.checkpointed(range(T), snapshots=SNAPSHOTS):
        u = heat_step(u, kappa)
    return np.sum(u ** 2)


def heat_all(kappa, u0, T):
    u = u0
    for t in range(T):
        u = heat_step(u, kappa)
    return np.sum(u ** 2)


def heat_k(k):
    """The heat loop with ``k`` snapshots (a global read when srcad transforms it)."""
    def run(kappa, u0, T):
        u = u0
        for t in srcad.checkpointed(range(T), snapshots=k):
            u = heat_step(u, kappa)
        return np.sum(u ** 2)
    return run


def oscillator_step(x, v, dt, omega):
    v = v - dt * omega ** 2 * np.sin(x)
    return x + dt * v, v


def pendulum(omega, x0, T):
    x, v = x0, 0.0 * x0
    for t in srcad.checkpointed(range(T), snapshots=3):
        x, v = oscillator_step(x, v, 0.05, omega)
    return np.sum(x * x + v)


def forced(kappa, u0, T):
    u = u0
    for t in srcad.checkpointed(range(T), snapshots=3):
        u = heat_step(u, kappa * (1.0 + 0.1 * np.sin(0.3 * t)))
    return np.sum(u ** 2)


def rnn_step(h, x, W, U):
    return np.tanh(h @ W + x * U)


def rnn(W, U, xs):
    h = np.zeros(W.shape[0])
    for t in srcad.checkpointed(range(len(xs)), snapshots=3):
        h = rnn_step(h, xs[t], W, U)
    return np.sum(h ** 2)


def after_the_loop(kappa, u0, T):
    u = u0
    for t in srcad.checkpointed(range(T), snapshots=2):
        u = heat_step(u, kappa)
    v = heat_step(u, 2.0 * kappa)
    return np.sum(u * v)


# ---- refused, each at the loop's line -------------------------------------------------------
def inline_body(kappa, u0, T):
    u = u0
    for t in srcad.checkpointed(range(T), snapshots=3):
        u = u + kappa * np.sin(u)
    return np.sum(u)


def rebinds_what_the_step_reads(kappa, u0, T):
    u = u0
    for t in srcad.checkpointed(range(T), snapshots=3):
        u = heat_step(u, kappa)
    kappa = 2.0 * kappa
    return np.sum(u) * kappa


def with_break(kappa, u0, T):
    u = u0
    for t in srcad.checkpointed(range(T), snapshots=3):
        u = heat_step(u, kappa)
        if np.sum(u) > 100.0:
            break
    return np.sum(u)


def over_a_list(kappa, us):
    total = 0.0
    for u in srcad.checkpointed(us, snapshots=3):
        total = total + kappa * np.sum(u)
    return total


def snapshots_unknown(kappa, u0, T, k):
    u = u0
    for t in srcad.checkpointed(range(T), snapshots=k):
        u = heat_step(u, kappa)
    return np.sum(u)


def nested_in_a_loop(kappa, u0, T):
    u = u0
    for i in range(2):
        for t in srcad.checkpointed(range(T), snapshots=3):
            u = heat_step(u, kappa)
    return np.sum(u)
