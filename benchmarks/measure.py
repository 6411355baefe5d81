"""Checks and timings: each gradient is checked before it is timed, then all tools of a
workload run in interleaved rounds and the median time per call is kept."""
import gc
import importlib.metadata
import platform
import statistics
import time
import tracemalloc

import numpy as np

import srcad
from srcad import frontend, pipeline


def machine(peers):
    versions = {"python": platform.python_version(), "numpy": np.__version__}
    for peer in peers:
        module = {"autograd": "autograd", "torch eager": "torch"}.get(peer.name, "jax")
        try:
            versions[module] = importlib.metadata.version(module)
        except importlib.metadata.PackageNotFoundError:
            versions[module] = "?"
    return {"platform": platform.platform(), "cpus": __import__("os").cpu_count(),
            "threads per tool": 1, "versions": versions}


# ---- checks ---------------------------------------------------------------------------------
def directional_fd(fn, args, wrt, rng, h=1e-6):
    """Central difference of ``fn`` along a random direction in each wrt argument, and the
    directions (so <gradient, direction> can be compared with it)."""
    directions = {i: rng.normal(size=np.shape(args[i])) for i in wrt}

    def shifted(sign):
        moved = list(args)
        for i, d in directions.items():
            moved[i] = args[i] + sign * h * (d if np.ndim(d) else float(d))
        return fn(*moved)
    return (shifted(1.0) - shifted(-1.0)) / (2 * h), directions


def check_hand(case):
    rng = np.random.default_rng(1)
    fd, directions = directional_fd(case.fn, case.args, case.wrt, rng)
    grads = case.hand(*case.args)
    dot = sum(float(np.sum(g * directions[i])) for g, i in zip(grads, case.wrt))
    error = abs(dot - fd) / max(abs(fd), 1e-12)
    if error > 1e-5:
        raise AssertionError(f"{case.name}: the hand-written adjoint disagrees with central "
                             f"differences ({dot!r} vs {fd!r}, relative {error:.1e})")
    return error


def same(name, got, want, rtol):
    for g, w in zip(got, want):
        if not np.allclose(g, w, rtol=rtol, atol=rtol * max(1.0, float(np.max(np.abs(w))))):
            raise AssertionError(f"{name}: gradient differs from the reference "
                                 f"(max abs diff {np.max(np.abs(np.asarray(g) - w)):.3e})")


# ---- timing -------------------------------------------------------------------------------
def per_call(call, number):
    gc.collect()
    start = time.perf_counter()
    for _ in range(number):
        call()
    return (time.perf_counter() - start) / number


def interleaved(calls, rounds, budget):
    """Median seconds per call of each callable, timed in turns round after round."""
    numbers = {}
    for name, call in calls.items():
        once = per_call(call, 1)
        if once < budget:               # size the sample from a warm call
            once = per_call(call, 1)
        numbers[name] = max(1, int(budget / max(once, 1e-9)))
    samples = {name: [] for name in calls}
    names = list(calls)
    for r in range(rounds):
        for name in names[r % len(names):] + names[:r % len(names)]:
            if numbers[name] > 1:       # one untimed call at the start of each turn
                calls[name]()
            samples[name].append(per_call(calls[name], numbers[name]))
    return {name: statistics.median(s) for name, s in samples.items()}


LARGE = {"vectorized", "rosenbrock"}     # 10**6 elements: half the rounds (at least 3)


def workload(case, peers, rounds, budget):
    fd_error = check_hand(case)
    grad = srcad.grad(case.fn, wrt=case.wrt)
    expected = [np.asarray(g) for g in case.hand(*case.args)]
    same(f"srcad on {case.name}", grad(*case.args), expected, 1e-9)
    calls = {"primal": lambda: case.fn(*case.args),
             "srcad": lambda: grad(*case.args),
             "hand": lambda: case.hand(*case.args)}
    skipped = {}
    for peer in peers:
        try:
            call, to_numpy = peer.prepare(case.name, case.args, case.wrt)
            same(f"{peer.name} on {case.name}", to_numpy(call()), expected, 1e-6)
        except AssertionError:
            raise
        except Exception as e:          # a peer that cannot trace this workload: say why
            skipped[peer.name] = f"{type(e).__name__}: {str(e).splitlines()[0][:80]}"
            continue
        calls[peer.name] = call
    times = interleaved(calls, rounds if case.name not in LARGE else max(3, rounds // 2),
                        budget)
    return {"array": case.array, "fd check (relative error)": fd_error,
            "seconds": times, "skipped": skipped}


# ---- transform time, call overhead, memory -------------------------------------------------
def tiny(x, y):
    return x * y


def transform_seconds(case, repeats):
    """srcad.grad and its first call (read the sources of rk4 and its helper, transform,
    compile, run), with every cache emptied, minus a cached call."""
    firsts = []
    for _ in range(repeats):
        pipeline._cache.clear()
        frontend._sources.clear()
        start = time.perf_counter()
        grad = srcad.grad(case.fn, wrt=case.wrt)
        grad(*case.args)
        firsts.append(time.perf_counter() - start)
    cached = per_call(lambda: grad(*case.args), 20)
    return statistics.median(firsts) - cached


def call_overhead(rounds):
    grad = srcad.grad(tiny, wrt=(0, 1))
    args = (1.5, 2.5)
    grad(*args)
    generated, _ = grad.compiled(grad._prepare(args, {}))
    times = interleaved({"cached": lambda: grad(*args), "direct": lambda: generated(*args)},
                        rounds, 0.05)
    return times["cached"] - times["direct"]


def peak_bytes(call):
    gc.collect()
    tracemalloc.start()
    tracemalloc.reset_peak()
    base = tracemalloc.get_traced_memory()[0]
    call()
    peak = tracemalloc.get_traced_memory()[1] - base
    tracemalloc.stop()
    return peak


def extras(rounds, budget, quick):
    from cases import cases
    by_name = {c.name: c for c in cases()}
    rk4, rnn = by_name["rk4"], by_name["rnn"]
    grad = srcad.grad(rnn.fn, wrt=rnn.wrt)
    grad(*rnn.args)
    memory = {"srcad": peak_bytes(lambda: grad(*rnn.args)),
              "hand": peak_bytes(lambda: rnn.hand(*rnn.args))}
    return {"transform seconds (rk4, first call)": transform_seconds(rk4, 3 if quick else 7),
            "cached call overhead seconds": call_overhead(rounds),
            "peak bytes (rnn)": memory,
            "peak ratio (rnn, srcad / hand)": memory["srcad"] / memory["hand"]}

