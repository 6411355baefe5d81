"""Shared helpers of the rule tests: load generated source as a module (srcad reads source),
and central finite differences in float64."""
import importlib.util
import itertools

import numpy as np

H = 1e-6
RTOL, ATOL = 1e-5, 1e-6
_count = itertools.count()


def load(text, tmp_path, name="sample"):
    """Write ``text`` to a file under ``tmp_path`` and import it as a fresh module."""
    tag = f"{name}_{next(_count)}"
    path = tmp_path / f"{tag}.py"
    path.write_text(text)
    spec = importlib.util.spec_from_file_location(tag, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _shifted(args, i, delta):
    out = list(args)
    a = args[i]
    out[i] = a + delta if isinstance(a, np.ndarray) else float(a + delta)
    return out


def numeric_grad(f, args, i, h=H):
    """d f / d args[i] by central differences; f returns a scalar."""
    a = args[i]
    if not isinstance(a, np.ndarray):
        return (f(*_shifted(args, i, h)) - f(*_shifted(args, i, -h))) / (2 * h)
    g = np.zeros(a.shape)
    for idx in np.ndindex(*a.shape):
        e = np.zeros(a.shape)
        e[idx] = h
        g[idx] = (f(*_shifted(args, i, e)) - f(*_shifted(args, i, -e))) / (2 * h)
    return g


def numeric_jvp(f, args, i, v, h=H):
    """J v by central differences along ``v`` (f may return an array or a tuple of them)."""
    up, down = f(*_shifted(args, i, h * v)), f(*_shifted(args, i, -h * v))
    if isinstance(up, (tuple, list)):
        return [(np.asarray(u) - np.asarray(d)) / (2 * h) for u, d in zip(up, down)]
    return (np.asarray(up) - np.asarray(down)) / (2 * h)


def assert_close(got, want, what="", rtol=RTOL, atol=ATOL):
    if isinstance(want, (list, tuple)):
        assert len(got) == len(want), what
        for g, w in zip(got, want):
            assert_close(g, w, what, rtol, atol)
        return
    got, want = np.asarray(got, dtype=float), np.asarray(want, dtype=float)
    assert got.shape == want.shape, f"{what}: shape {got.shape} != {want.shape}"
    assert np.allclose(got, want, rtol=rtol, atol=atol), f"{what}:\n got {got}\nwant {want}"
