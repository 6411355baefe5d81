"""Integer index arrays built inside the function (``np.floor(x).astype(int)``, ``np.mod``,
``np.meshgrid``, ``np.arange``, ``np.indices``, ``.astype(np.int64)``) used to gather
``f[ix, iy]``. An index may repeat: the adjoint of a gather scatters with accumulation
(``np.add.at``), and the adjoint of ``f[idx] = v`` keeps only the last write of a repeated
index, as NumPy does. Both modes against central differences, and second order where srcad
supports it (gathers: yes; stores into elements: refused by design)."""

import numpy as np
import pytest

import srcad
from oracle import assert_close, check_grad, check_jvp, fresh

F = np.sin(np.arange(20.0)).reshape(4, 5) + 1.5
X = np.array([0.3, 1.7, 0.2, 2.6, 0.1, 3.4])       # away from integers: floor is locally constant
XS = np.array([0.35, 0.4, 0.45, 1.5, 2.2])          # floor: 0, 0, 0, 1, 2 (index 0 three times)


def floor_gather(f, x):
    ix = np.floor(x).astype(int)
    return np.sum(f[ix, 1] ** 2 * x)


def repeated_three_times(f, xs):
    ix = np.floor(xs).astype(int)                     # [0, 0, 0, 1, 2]
    iy = np.array([1, 1, 1, 3, 4])
    return np.sum(np.sin(f[ix, iy]) * xs)


def mod_wraps(f, x):
    ix = np.mod(np.floor(x * 3.0).astype(np.int64), 4)
    iy = np.mod(ix + 2, 5)
    return np.sum(f[ix, iy] * f[iy % 4, ix])


def meshgrid_gather(f, x):
    ii, jj = np.meshgrid(np.arange(3), np.arange(2), indexing="ij")
    patch = f[ii + 1, jj * 2]                         # a 3 x 2 gather
    return np.sum(patch ** 2) * x[0]


def indices_gather(f, x):
    rows, cols = np.indices((2, 3))
    shifted = f[(rows + 2) % 4, (cols * 2 + 1) % 5]
    return np.sum(shifted * shifted) + np.sum(f[rows, rows]) * x[1]


def astype_gather(f, x):
    k = (x * 2.0).astype(np.int64) % 5
    return np.sum(f[1][k] * x) + np.sum(f[:, k] ** 2)


def gather_in_a_loop(f, x):
    total = 0.0
    for t in range(4):
        ix = np.floor(x + 0.5 * t).astype(int) % 4
        total = total + np.sum(f[ix, t] * f[ix, t + 1])
    return total


def gather_then_store_in_a_loop(f, x):
    out = np.zeros(6)
    for t in range(6):
        i = int(np.floor(x[t])) % 4
        out[t] = f[i, t % 5] * x[t]
    return np.sum(out ** 2)


def negative_indices(f, x):
    ix = np.array([-1, -4, -1, 0, -2])
    iy = np.array([-5, 2, -5, -1, 0])
    return np.sum(np.exp(-f[ix, iy]) * x[:5])


def mixed_with_slices(f, x):
    idx = np.array([0, 2, 0, 3])
    block = f[idx, 1:4]                               # fancy rows, sliced columns
    return np.sum(block ** 2) * np.sum(x) + np.sum(f[1:3, idx])


def argsort_gather(f, x):
    order = np.argsort(x)
    return np.sum(x[order] * np.arange(6.0)) + np.sum(f[order[:4] % 4, 0] ** 2)


def repeated_index_store(f, x):
    g = f * 1.0
    ix = np.floor(x).astype(int) % 4                  # [0, 1, 0, 2, 0, 3]: row 0 three times
    g[ix, 0] = x * np.arange(1.0, 7.0)                # only the last write to g[0, 0] stays
    return np.sum(g ** 2)


def repeated_index_add(f, x):
    g = np.tanh(f)
    ix = np.floor(x).astype(int) % 4
    g[ix, 2] += x                                     # not accumulated: one update per index
    return np.sum(g * f)


def add_at_histogram(f, x):
    bins = np.floor(x).astype(int) % 4
    hist = np.zeros(4)
    np.add.at(hist, bins, x * x)                      # accumulated
    return np.sum(hist * f[:, 0])


GATHERS = [floor_gather, mod_wraps, meshgrid_gather, indices_gather, astype_gather,
           gather_in_a_loop, negative_indices, mixed_with_slices, argsort_gather,
           add_at_histogram]
STORES = [gather_then_store_in_a_loop, repeated_index_store, repeated_index_add]
CASES = [pytest.param(fn, (F, X), id=fn.__name__) for fn in GATHERS + STORES] + \
    [pytest.param(repeated_three_times, (F, XS), id="repeated_three_times")]


@pytest.mark.parametrize("fn, args", CASES)
@pytest.mark.parametrize("wrt", [0, 1])
def test_reverse_mode(fn, args, wrt):
    check_grad(fn, args, wrt=wrt)


@pytest.mark.parametrize("fn, args", CASES)
@pytest.mark.parametrize("wrt", [0, 1])
def test_forward_mode(fn, args, wrt):
    check_jvp(fn, args, wrt=wrt)


@pytest.mark.parametrize("fn, args", CASES)
def test_check_grad(fn, args):
    srcad.check_grad(fn, wrt=(0, 1), modes=("reverse", "forward"))(*fresh(args))


@pytest.mark.parametrize("fn, args", [pytest.param(fn, (F, X), id=fn.__name__) for fn in GATHERS]
                         + [pytest.param(repeated_three_times, (F, XS), id="repeated_three_times")])
def test_second_order(fn, args):
    srcad.check_grad(fn, wrt=(0, 1), modes=("reverse", "forward"), order=2)(*fresh(args))


def test_a_repeated_gather_accumulates():
    """f[0, 1] is read three times: its gradient is the sum of the three contributions."""
    g = srcad.grad(repeated_three_times)(F, XS)
    want = np.zeros_like(F)
    np.add.at(want, (np.array([0, 0, 0, 1, 2]), np.array([1, 1, 1, 3, 4])),
              np.cos(F[[0, 0, 0, 1, 2], [1, 1, 1, 3, 4]]) * XS)
    assert_close(g, want)
    assert g[0, 1] == pytest.approx(np.cos(F[0, 1]) * (0.35 + 0.4 + 0.45))


def test_a_repeated_store_keeps_the_last_write():
    g = F * 1.0
    ix = np.floor(X).astype(int) % 4
    g[ix, 0] = X * np.arange(1.0, 7.0)
    assert g[0, 0] == X[4] * 5.0                       # NumPy: the last of the three writes
    gx = srcad.grad(repeated_index_store, wrt=1)(F, X)
    want = np.zeros(6)
    for k in (1, 3, 4, 5):                             # the writes that stay
        want[k] = 2 * g[ix[k], 0] * (k + 1.0)
    assert_close(gx, want)


def test_the_generated_adjoint_accumulates():
    df = srcad.grad(repeated_three_times)
    df(F, XS)
    assert "add_at(" in srcad.source(df)
    ds = srcad.grad(repeated_index_store, wrt=1)
    ds(F, X)
    assert "last_written(" in srcad.source(ds)


def test_second_order_through_a_store():
    """A store with a repeated index: NumPy keeps the last write, at second order too."""
    srcad.check_grad(repeated_index_store, wrt=(0, 1), modes=("reverse", "forward"),
                     order=2)(F, X)
    h = srcad.hessian(repeated_index_store, wrt=1)(F, X)
    assert_close(h, srcad.jacobian(srcad.grad(repeated_index_store, wrt=1), wrt=1)(F, X))


def test_an_index_computed_from_a_differentiated_value_carries_no_derivative():
    """``np.floor(x).astype(int)`` is piecewise constant: its derivative is zero, and the
    gradient wrt x comes only from x's other uses."""
    g = srcad.grad(floor_gather, wrt=1)(F, X)
    assert_close(g, F[np.floor(X).astype(int), 1] ** 2)
