"""Second order and refusals of the NumPy rules added from autograd's table (atleast_3d, pad,
rot90, rollaxis, nan_to_num, partition, gradient, bincount, hsplit/vsplit/dsplit); their first
order is checked with every other rule in test_numpy_rules (samples.py)."""
import re

import numpy as np
import pytest

import srcad

from .fd import assert_close, numeric_grad

RNG = np.random.default_rng(7)
X = RNG.normal(size=(3, 4))
X3 = RNG.normal(size=(2, 3, 4))
DISTINCT = RNG.permutation(12).reshape(3, 4) * 0.5 + 0.05


def padded(x, c):
    return np.sum(np.pad(x, ((1, 0), (2, 1)), constant_values=c) ** 3)


def reflected(x):
    edge = np.pad(x, 1, "edge")[1:-1, 1:-1]
    return np.sum(np.sin(np.pad(x, ((2, 1), (0, 3)), mode="reflect")) * edge.sum())


def rotated(x):
    return np.sum(np.rot90(x, 3) ** 3 * np.arange(3.0))


def rolled(x):
    return np.sum(np.rollaxis(x, 2, 0) ** 3 * np.arange(3.0).reshape(3, 1, 1)) + \
        np.sum(np.atleast_3d(x[0]) ** 3)


def partitioned(x):
    return np.sum(np.partition(x, (0, 2), axis=1) ** 3 * np.arange(4.0))


def gradients(x):
    g = np.gradient(x, 0.5, 2.0)
    return np.sum(g[0] * g[1] ** 2) + np.sum(np.gradient(x[0], edge_order=2) ** 3)


def splits(x):
    a, b = np.hsplit(x, 2)
    top, bottom = np.vsplit(x, [1])
    return np.sum(a ** 2 * b) + np.sum(top ** 3) + np.sum(bottom * bottom[::-1])


def deep_splits(x):
    parts = np.dsplit(x, 2)
    return np.sum(parts[0] ** 2 * parts[1])


def binned(w):
    return np.sum(np.bincount(np.array([0, 2, 2, 1]), w ** 2) ** 2)


def cleaned(x):
    return np.sum(np.nan_to_num(x) ** 3)


@pytest.mark.parametrize("f, args", [
    (padded, (X, 0.7)), (reflected, (X,)), (rotated, (np.ones((3, 3)) + X[:, :3],)),
    (rolled, (X3.reshape(2, 4, 3),)), (partitioned, (DISTINCT,)), (gradients, (X,)),
    (splits, (X,)), (deep_splits, (X3,)), (binned, (X[0],)), (cleaned, (X,)),
])
def test_first_and_second_order(f, args):
    for wrt in range(len(args)):
        srcad.check_grad(f, wrt=wrt, order=2)(*args)


def weighted_clean(x, w):
    return np.sum(np.nan_to_num(x) * w)


def test_nan_entries_of_nan_to_num_carry_no_derivative():
    x = np.array([0.5, np.nan, np.inf, -2.0, -np.inf])
    w = np.array([1.0, 2.0, 3.0, 4.0, 5.0])
    assert_close(srcad.grad(weighted_clean)(x, w), [1.0, 0.0, 0.0, 4.0, 0.0])
    _, t = srcad.jvp(weighted_clean)(x, w, np.ones(5))
    assert t == pytest.approx(5.0)


def replaced(x, v):
    return np.sum(np.nan_to_num(x, nan=v))


def test_nan_to_num_refuses_a_derivative_in_its_replacement_values():
    with pytest.raises(srcad.SrcadError, match="nan"):
        srcad.grad(replaced, wrt=1)(np.array([np.nan, 1.0]), 2.0)
    assert_close(srcad.grad(replaced)(np.array([np.nan, 1.0]), 2.0), [0.0, 1.0])


def averaged_border(x):
    return np.sum(np.pad(x, 1, mode="mean"))


def chosen_mode(x, mode):
    return np.sum(np.pad(x, 1, mode=mode))


@pytest.mark.parametrize("f, args", [(averaged_border, (X,)), (chosen_mode, (X, "edge"))])
def test_pad_modes_without_a_rule_are_refused(f, args):
    with pytest.raises(srcad.SrcadError, match="np.pad with mode=") as info:
        srcad.grad(f)(*args)
    assert "internal error" not in str(info.value)
    assert f"{__file__}:{f.__code__.co_firstlineno + 1}:" in str(info.value)


def spacing_gradient(x):
    return np.sum(np.gradient(x, np.array([0.0, 0.3, 1.0, 1.2])) ** 2)


def test_gradient_with_coordinates():
    x = X[0]
    assert_close(srcad.grad(spacing_gradient)(x), numeric_grad(spacing_gradient, [x], 0))


def unpacked_eigh(a):
    w, v = np.linalg.eigh(a)
    return np.sum(w * w) + np.sum(v[:, 0] ** 2 * w[0])


def unpacked_split(x):
    top, bottom = np.split(x, [1])
    return np.sum(top ** 3) + np.sum(bottom * bottom[::-1])


@pytest.mark.parametrize("f, x", [(unpacked_eigh, X.T @ X + 3.0 * np.eye(4)), (unpacked_split, X)])
def test_a_result_unpacked_into_names_is_the_rule_s_out(f, x):
    """``w, v = eigh(a)``: the rule's ``out`` is the pair ``(w, v)`` (it was ``w`` alone)."""
    srcad.check_grad(f, order=2)(x)


# ---- matrix norms other than Frobenius: refused when the derivative is made ----------------
def spectral(a):
    return np.linalg.norm(a, 2)


def nuclear(a):
    return np.linalg.norm(a, ord="nuc") * 2.0


def max_row_sum(a):
    return np.linalg.norm(a, np.inf)


def min_col_sum_of_stack(a):
    return np.sum(np.linalg.norm(a, -1, axis=(1, 2)))


def variable_order(a, order):
    return np.linalg.norm(a, order)


@pytest.mark.parametrize("f, what", [(spectral, "ord=2"), (nuclear, "ord='nuc'"),
                                     (max_row_sum, "ord=np.inf"),
                                     (min_col_sum_of_stack, "ord=-1")])
@pytest.mark.parametrize("mode", ["grad", "jvp"])
def test_matrix_norms_other_than_frobenius_are_refused_at_transform_time(f, what, mode):
    a = X3 if f is min_col_sum_of_stack else X
    derived = srcad.grad(f) if mode == "grad" else srcad.jvp(f)
    message = f"matrix norm {re.escape(what)} .*Frobenius"
    with pytest.raises(srcad.SrcadError, match=message) as info:
        srcad.source(derived, *((a,) if mode == "grad" else (a, a)))    # no call: made only
    assert str(info.value).startswith(f"{__file__}:{f.__code__.co_firstlineno + 1}: ")
    assert "numpy.linalg.norm" in str(info.value)


def negative_infinite(a):
    return np.linalg.norm(a, -np.inf)


def test_a_matrix_norm_order_in_a_variable_is_a_clear_error_when_it_runs():
    with pytest.raises(srcad.SrcadError, match="ord=2 of a matrix") as info:
        srcad.grad(variable_order)(X, 2)
    assert "internal error" not in str(info.value)
    with pytest.raises(srcad.SrcadError, match="ord=-inf of a matrix"):
        srcad.jvp(negative_infinite)(X, X)
    assert_close(srcad.grad(variable_order)(X, "fro"), X / np.linalg.norm(X))


# ---- complex numbers: no rules (srcad's adjoints are real), a clear error at the call ----------
def power_spectrum(x):
    return np.sum(np.abs(np.fft.rfft(x)) ** 2)


def real_part_energy(x):
    return np.sum(np.real(np.fft.fft(x)) ** 2)


def phase(x):
    z = x * np.exp(0.5j)
    return np.sum(np.angle(z))


@pytest.mark.parametrize("f, name", [(power_spectrum, "numpy.fft.rfft"),
                                     (real_part_energy, "numpy.fft.fft"), (phase, "numpy.angle")])
@pytest.mark.parametrize("mode", ["grad", "jvp"])
def test_complex_valued_steps_are_refused_at_their_line(f, name, mode):
    x = X[0]
    derived = srcad.grad(f) if mode == "grad" else srcad.jvp(f)
    with pytest.raises(srcad.SrcadError, match=re.escape(name)) as info:
        derived(*((x,) if mode == "grad" else (x, x)))
    assert str(info.value).startswith(f"{__file__}:")
