"""Memory and time of gradients through long loops, with and without checkpointing.

    python benchmarks/checkpointing.py [--points 100000] [--steps 1000,10000] [--snapshots 10,50]
                                       [--rnn-steps 10000] [--unmarked-limit 2e9]

For the explicit heat/reaction step of issue 20 on ``--points`` points and an RNN (hidden size
64) over ``--rnn-steps`` inputs: the peak memory (tracemalloc) and the time of srcad's gradient
of the loop as written (every state saved) and marked ``srcad.checkpointed(..., snapshots=k)``,
against the primal run, and the steps the schedule recomputed against revolve's bound. The
unmarked loop is skipped where its states alone would pass ``--unmarked-limit`` bytes. Prints a
markdown table (benchmarks/README.md keeps one).
"""
import argparse
import os
import sys
import time
import tracemalloc

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import numpy as np  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import srcad  # noqa: E402
from srcad import checkpointing  # noqa: E402


def heat_step(u, kappa):
    u = u + kappa * (np.roll(u, 1) - 2.0 * u + np.roll(u, -1))
    return u - 0.01 * u ** 3


def heat_all(kappa, u0, T):
    u = u0
    for t in range(T):
        u = heat_step(u, kappa)
    return np.sum(u ** 2)


def heat_marked(k):
    def heat(kappa, u0, T):
        u = u0
        for t in srcad.checkpointed(range(T), snapshots=k):
            u = heat_step(u, kappa)
        return np.sum(u ** 2)
    return heat


def rnn_step(h, x, W, U):
    return np.tanh(h @ W + x * U)


def rnn_all(W, U, xs):
    h = np.zeros(W.shape[0])
    for t in range(len(xs)):
        h = rnn_step(h, xs[t], W, U)
    return np.sum(h ** 2)


def rnn_marked(k):
    def rnn(W, U, xs):
        h = np.zeros(W.shape[0])
        for t in srcad.checkpointed(range(len(xs)), snapshots=k):
            h = rnn_step(h, xs[t], W, U)
        return np.sum(h ** 2)
    return rnn


class Counting(checkpointing.Checkpoints):
    """The schedule, remembering how many steps its last use recomputed."""
    last = None

    def __init__(self, steps, snapshots):
        super().__init__(steps, snapshots)
        Counting.last = self


def measured(f, args, small):
    grad = srcad.grad(f)
    grad(*small)        # made (transformed, compiled) before measuring
    start = time.perf_counter()
    grad(*args)
    seconds = time.perf_counter() - start
    tracemalloc.start()     # (a run of its own: tracing slows every allocation)
    grad(*args)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak, seconds


def primal_seconds(f, args):
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        f(*args)
        best = min(best, time.perf_counter() - start)
    return best


def rows(name, unmarked, marked, args, small, steps, state_bytes, snapshots, limit):
    base = primal_seconds(unmarked, args)
    out = []
    if steps * state_bytes <= limit:
        peak, seconds = measured(unmarked, args, small)
        out.append((name, steps, "every state", peak, seconds / base, "—"))
    else:
        out.append((name, steps, "every state", None, None, "skipped: states alone "
                    f"{steps * state_bytes / 1e9:.1f} GB"))
    for k in snapshots:
        Counting.last = None
        peak, seconds = measured(marked(k), args, small)
        done = Counting.last.advances if Counting.last else 0
        bound = checkpointing.advances(steps, k - 1)
        out.append((name, steps, f"k = {k}", peak, seconds / base,
                    f"{done:,} steps recomputed ({done / steps:.2f} per step; revolve's "
                    f"count with the first pass: {bound:,})"))
    return out


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=100_000)
    parser.add_argument("--steps", default="1000,10000")
    parser.add_argument("--snapshots", default="10,50")
    parser.add_argument("--rnn-steps", type=int, default=10_000)
    parser.add_argument("--unmarked-limit", type=float, default=2e9)
    options = parser.parse_args(argv)
    srcad.pipeline.RUNTIME["Checkpoints"] = Counting     # (counts; the same schedule)
    snapshots = [int(k) for k in options.snapshots.split(",")]
    u0 = np.sin(np.linspace(0.0, 2 * np.pi, options.points))
    table = []
    for T in [int(t) for t in options.steps.split(",")]:
        table += rows(f"heat, {options.points:,} points", heat_all, heat_marked,
                      (0.1, u0, T), (0.1, u0, 3), T, u0.nbytes, snapshots,
                      options.unmarked_limit)
    rng = np.random.default_rng(0)
    W, U = 0.3 * rng.standard_normal((64, 64)) / 8, rng.standard_normal(64)
    xs = rng.standard_normal(options.rnn_steps)
    table += rows("rnn, hidden 64", rnn_all, rnn_marked, (W, U, xs), (W, U, xs[:3]),
                  options.rnn_steps, 64 * 8, snapshots, options.unmarked_limit)
    print("| loop | steps | saved | peak memory | gradient / primal time | schedule |")
    print("|---|---|---|---|---|---|")
    for name, steps, how, peak, ratio, note in table:
        mem = "—" if peak is None else f"{peak / 1e6:,.1f} MB"
        time_ratio = "—" if ratio is None else f"{ratio:.1f}×"
        print(f"| {name} | {steps:,} | {how} | {mem} | {time_ratio} | {note} |")


if __name__ == "__main__":
    main()
