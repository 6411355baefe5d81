"""Derived functions and transforms used from many threads at once: every call has its own
stack, the transform cache is shared safely, and each thread gets the gradient it asked for."""
import math
import threading

import numpy as np
import pytest

import srcad
from srcad import pipeline

THREADS = 8


def looped(x, a, n):
    y = x
    for i in range(n):
        if y > 0.0:
            y = math.sin(a * y) + x
        else:
            y = math.cos(y) * a
    return y * y


def arrays(W, x):
    h = np.tanh(W @ x)
    k = 0
    while np.sum(h * h) > 0.01 and k < 20:
        h = h * 0.5
        k += 1
    return np.sum(h * h) + np.sum(W * W)


def helper(x, a):
    return math.exp(-a * x) * x


def with_helper(x, a):
    return helper(x, a) + helper(a, x)


def run_together(work):
    """``work(k)`` in THREADS threads started at the same moment; results by thread index."""
    barrier = threading.Barrier(THREADS)
    results, errors = [None] * THREADS, []

    def body(k):
        try:
            barrier.wait()
            results[k] = work(k)
        except BaseException as exc:   # reported below, not lost in the thread
            errors.append(exc)
    threads = [threading.Thread(target=body, args=(k,)) for k in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]
    return results


def test_one_derived_function_called_from_eight_threads():
    dlooped = srcad.grad(looped, wrt=(0, 1))
    points = [(0.3 + 0.1 * k, 0.9 - 0.05 * k, 50 + 10 * k) for k in range(THREADS)]
    expected = [dlooped(*p) for p in points]

    def work(k):
        return [dlooped(*points[k]) for _ in range(40)]
    for k, repeats in enumerate(run_together(work)):
        assert all(r == expected[k] for r in repeats)


def test_array_gradients_from_eight_threads():
    rng = np.random.default_rng(0)
    cases = [(rng.normal(size=(3, 4)), rng.normal(size=4)) for _ in range(THREADS)]
    darrays = srcad.grad(arrays, wrt=(0, 1))
    expected = [darrays(*c) for c in cases]

    def work(k):
        return [darrays(*cases[k]) for _ in range(20)]
    for k, repeats in enumerate(run_together(work)):
        for got in repeats:
            assert all(np.array_equal(g, e) for g, e in zip(got, expected[k]))


def test_transforming_from_eight_threads_at_once():
    pipeline._cache.clear()
    expected_source = None

    def work(k):
        # every thread transforms the same functions (and their helper) for the first time
        g = srcad.grad(with_helper, wrt=(0, 1))(0.5 + 0.1 * k, 0.7)
        v, dv = srcad.value_and_grad(looped, wrt=0)(0.2 * k - 0.5, 0.8, 30)
        return g, v, dv, srcad.source(srcad.grad(with_helper, wrt=(0, 1)))
    results = run_together(work)
    for k, (g, v, dv, source) in enumerate(results):
        x, a = 0.5 + 0.1 * k, 0.7
        h = 1e-6
        fd_x = (with_helper(x + h, a) - with_helper(x - h, a)) / (2 * h)
        fd_a = (with_helper(x, a + h) - with_helper(x, a - h)) / (2 * h)
        assert g == pytest.approx((fd_x, fd_a), rel=1e-6)
        assert v == looped(0.2 * k - 0.5, 0.8, 30)
        assert dv == srcad.grad(looped)(0.2 * k - 0.5, 0.8, 30)
        expected_source = expected_source or source
        assert source == expected_source


def test_distinct_functions_transformed_concurrently_are_not_confused():
    pipeline._cache.clear()
    fns = [looped, with_helper, helper]
    args = [(0.4, 0.8, 20), (0.5, 0.7), (0.5, 0.7)]
    expected = [srcad.grad(f, wrt=(0, 1))(*a) for f, a in zip(fns, args)]
    pipeline._cache.clear()

    def work(k):
        i = k % len(fns)
        return i, srcad.grad(fns[i], wrt=(0, 1))(*args[i])
    for i, got in run_together(work):
        assert got == expected[i]
