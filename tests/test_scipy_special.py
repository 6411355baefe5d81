"""The scipy.special rules (srcad/rules/scipy_special.py): every function in reverse and forward
mode against central differences on floats and arrays, the axis / keepdims / b variants of the
reductions, numerically hard points (far tails, large values, x = 0 of xlogy), second order
against differences of srcad's own gradient, and srcad without scipy installed."""
import importlib
import pathlib
import subprocess
import sys

import numpy as np
import pytest

sc = pytest.importorskip("scipy.special")

import srcad  # noqa: E402
from oracle import assert_close, check_grad, check_jvp, numeric_grad, numeric_jvp  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module", autouse=True)
def builtin_rules():
    """The rules under test are srcad's own: a test that ran before may have registered its
    own (tests/test_custom_rules.py runs the first example of docs/custom-rules.md, which
    gives logsumexp and expit rules of its own, and a later registration wins). Registering the
    table again puts srcad's first."""
    from srcad.rules import scipy_special
    importlib.reload(scipy_special)
RNG = np.random.default_rng(7)
W3 = RNG.normal(size=3)             # weights: a non-trivial cotangent of an element-wise result


# ---- one user function per element-wise primitive: a weighted sum of its values --------------
def expit_sum(x, w):
    return np.sum(sc.expit(x) * w)


def logit_sum(x, w):
    return np.sum(sc.logit(x) * w)


def gammaln_sum(x, w):
    return np.sum(sc.gammaln(x) * w)


def digamma_sum(x, w):
    return np.sum(sc.digamma(x) * w)


def psi_sum(x, w):
    return np.sum(sc.psi(x) * w)


def polygamma1_sum(x, w):
    return np.sum(sc.polygamma(1, x) * w)


def polygamma3_sum(x, w):
    return np.sum(sc.polygamma(3, x) * w)


def erf_sum(x, w):
    return np.sum(sc.erf(x) * w)


def erfc_sum(x, w):
    return np.sum(sc.erfc(x) * w)


def ndtr_sum(x, w):
    return np.sum(sc.ndtr(x) * w)


def log_ndtr_sum(x, w):
    return np.sum(sc.log_ndtr(x) * w)


def xlogy_sum(x, y):
    return np.sum(sc.xlogy(x, y) * W3)


def xlog1py_sum(x, y):
    return np.sum(sc.xlog1py(x, y) * W3)


# (function, points inside its domain: floats, then an array)
UNARY = [
    (expit_sum, [-2.0, 0.3, 1.9], [-3.0, 0.1, 2.5]),
    (logit_sum, [0.2, 0.5, 0.85], [0.1, 0.45, 0.9]),
    (gammaln_sum, [0.3, 1.7, 4.5, -1.5], [0.4, 2.5, 7.0]),
    (digamma_sum, [0.3, 1.7, 4.5], [0.6, 2.2, 5.0]),
    (psi_sum, [0.8], [0.6, 2.2, 5.0]),
    (polygamma1_sum, [0.3, 1.7], [0.6, 2.2, 5.0]),
    (polygamma3_sum, [0.9, 2.5], [0.6, 2.2, 5.0]),
    (erf_sum, [-1.2, 0.0, 0.7], [-0.8, 0.3, 1.6]),
    (erfc_sum, [-1.2, 0.0, 0.7], [-0.8, 0.3, 1.6]),
    (ndtr_sum, [-2.5, 0.0, 1.1], [-1.0, 0.4, 2.0]),
    (log_ndtr_sum, [-6.0, -0.5, 2.0], [-8.0, 0.3, 3.0]),
]
UNARY_IDS = [f.__name__ for f, _, _ in UNARY]


@pytest.mark.parametrize("f, floats, array", UNARY, ids=UNARY_IDS)
def test_unary_on_floats(f, floats, array):
    for x in floats:
        check_grad(f, (x, 1.0))
        check_jvp(f, (x, 1.0))


@pytest.mark.parametrize("f, floats, array", UNARY, ids=UNARY_IDS)
def test_unary_on_arrays(f, floats, array):
    args = (np.array(array), W3)
    check_grad(f, args)
    check_jvp(f, args)


@pytest.mark.parametrize("f, floats, array", UNARY, ids=UNARY_IDS)
def test_unary_second_order(f, floats, array):
    """grad of grad on a float, the Hessian (diagonal here) on an array: against central
    differences of srcad's gradient, itself checked against f above."""
    g = srcad.grad(f)
    for x in floats:
        h = 1e-5 * max(1.0, abs(x))
        want = (g(x + h, 1.0) - g(x - h, 1.0)) / (2 * h)
        assert_close(srcad.grad(g)(x, 1.0), want, 1e-5, 1e-6, what=f"{f.__name__}'' at {x}")
    x = np.array(array)
    assert_close(srcad.hessian(f)(x, W3), fd_jacobian(lambda v: g(v, W3), x), 1e-5, 1e-6,
                 what=f"hessian of {f.__name__}")


def fd_jacobian(g, x, h=1e-5):
    """d g / d x by central differences (g: array -> array), shape g(x).shape + x.shape."""
    cols = []
    for idx in np.ndindex(*x.shape):
        e = np.zeros_like(x)
        e[idx] = h * max(1.0, abs(x[idx]))
        cols.append((np.asarray(g(x + e)) - np.asarray(g(x - e))) / (2 * e[idx]))
    out = np.stack(cols, axis=-1)
    return out.reshape(np.shape(g(x)) + x.shape)


# ---- xlogy, xlog1py: both arguments, and x = 0 ---------------------------------------------------
XLOG = [
    (xlogy_sum, np.array([0.7, -1.3, 2.0]), np.array([0.3, 1.5, 2.5])),
    (xlogy_sum, np.array([0.0, 0.0, 1.2]), np.array([0.4, 2.0, 0.9])),      # x = 0, y > 0
    (xlog1py_sum, np.array([0.7, -1.3, 2.0]), np.array([-0.5, 0.4, 2.0])),
    (xlog1py_sum, np.array([0.0, 0.0, 1.2]), np.array([-0.6, 1.5, 0.2])),
]


@pytest.mark.parametrize("f, x, y", XLOG, ids=["xlogy", "xlogy_x0", "xlog1py", "xlog1py_x0"])
def test_xlog_both_arguments(f, x, y):
    check_grad(f, (x, y), wrt=(0, 1))
    check_jvp(f, (x, y), wrt=(0, 1))
    check_grad(f, (float(x[0]), float(y[0])), wrt=(0, 1))   # floats
    check_jvp(f, (float(x[1]), float(y[1])), wrt=(0, 1))


def test_xlog_at_x_zero():
    """At x = 0 the function is 0 for every y: the derivative in y is 0, also where y / (1 + y)
    is 0 (no 0/0); the derivative in x is the slope log(y) (log1p(y))."""
    x, y = np.array([0.0, 0.0, 0.0]), np.array([0.0, 2.0, 0.5])
    dx, dy = srcad.grad(xlogy_sum, wrt=(0, 1))(x, y)
    assert np.all(dy == 0.0)
    assert_close(dx[1:], W3[1:] * np.log(y[1:]))
    dx, dy = srcad.grad(xlog1py_sum, wrt=(0, 1))(x, np.array([-1.0, 2.0, 0.5]))
    assert np.all(dy == 0.0)
    assert_close(dx[1:], W3[1:] * np.log1p([2.0, 0.5]))
    _, t = srcad.jvp(xlogy_sum, wrt=1)(x, y, np.ones(3))
    assert t == 0.0


@pytest.mark.parametrize("f, x, y", XLOG[:1] + XLOG[2:3], ids=["xlogy", "xlog1py"])
def test_xlog_second_order(f, x, y):
    """Mixed second derivatives (d/dx d/dy x log y = 1/y) through both modes."""
    g = srcad.grad(f, wrt=(0, 1))
    v = (RNG.normal(size=3), RNG.normal(size=3))
    h = 1e-5
    up, down = g(x + h * v[0], y + h * v[1]), g(x - h * v[0], y - h * v[1])
    want = [(a - b) / (2 * h) for a, b in zip(up, down)]
    _, got = srcad.jvp(g, wrt=(0, 1))(x, y, *v)
    for a, b in zip(got, want):
        assert_close(a, b, 1e-5, 1e-6, what="forward over reverse")


# ---- logsumexp: axis, keepdims, b -------------------------------------------------------------
def lse_all(a):
    return sc.logsumexp(a)


def lse_axis(a, w):
    return np.sum(sc.logsumexp(a, axis=1) * w)


def lse_negative_axis_keepdims(a, w):
    return np.sum(sc.logsumexp(a, axis=-1, keepdims=True) * w)


def lse_tuple_axis(a, w):
    return np.sum(sc.logsumexp(a, axis=(0, 2)) * w)


def lse_b(a, b):
    return sc.logsumexp(a, b=b)


def lse_b_axis(a, b, w):
    return np.sum(sc.logsumexp(a, axis=0, b=b) * w)


def lse_b_keepdims(a, b, w):
    return np.sum(sc.logsumexp(a, axis=1, b=b, keepdims=True) * w)


def lse_positional(a, b, w):
    return np.sum(sc.logsumexp(a, 0, b, True) * w)


A = RNG.normal(size=(3, 4))
A3 = RNG.normal(size=(2, 3, 4))
LSE = [
    ("all", lse_all, (A,), 0),
    ("all_float", lse_all, (0.7,), 0),
    ("axis", lse_axis, (A, RNG.normal(size=3)), 0),
    ("negative_axis_keepdims", lse_negative_axis_keepdims, (A, RNG.normal(size=(3, 1))), 0),
    ("tuple_axis", lse_tuple_axis, (A3, RNG.normal(size=3)), 0),
    ("b_same_shape", lse_b, (A, RNG.uniform(0.5, 1.5, size=(3, 4))), (0, 1)),
    ("b_broadcast_row", lse_b_axis, (A, RNG.uniform(0.5, 1.5, size=4), RNG.normal(size=4)),
     (0, 1)),
    ("b_broadcast_column", lse_b_axis,
     (A, RNG.uniform(0.5, 1.5, size=(3, 1)), RNG.normal(size=4)), (0, 1)),
    ("b_keepdims", lse_b_keepdims,
     (A, RNG.uniform(0.5, 1.5, size=(3, 4)), RNG.normal(size=(3, 1))), (0, 1)),
    ("b_float", lse_b_axis, (A, 1.7, RNG.normal(size=4)), (0, 1)),
    ("b_positional", lse_positional, (A, RNG.uniform(0.5, 1.5, size=4), RNG.normal(size=(1, 4))),
     (0, 1)),
    ("b_with_zeros", lse_b, (A, np.array([[0.0, 1.0, 0.5, 0.0]] * 3)), (0, 1)),
]


@pytest.mark.parametrize("name, f, args, wrt", LSE, ids=[c[0] for c in LSE])
def test_logsumexp(name, f, args, wrt):
    check_grad(f, args, wrt)
    check_jvp(f, args, wrt)
    for i in (wrt if isinstance(wrt, tuple) else (wrt,)):
        check_grad(f, args, i, value_and_grad=False)   # each argument alone
        check_jvp(f, args, i)


@pytest.mark.parametrize("name, f, args, wrt", LSE, ids=[c[0] for c in LSE])
def test_logsumexp_second_order(name, f, args, wrt):
    if isinstance(args[0], float):
        g = srcad.grad(f)
        want = (g(0.7 + 1e-5) - g(0.7 - 1e-5)) / 2e-5
        assert_close(srcad.grad(g)(0.7), want, what="second derivative")
        return
    positions = wrt if isinstance(wrt, tuple) else (wrt,)
    g = srcad.grad(f, wrt=positions)
    vs = [RNG.normal(size=np.shape(args[i])) if np.ndim(args[i]) else float(RNG.normal())
          for i in positions]

    def moved(h):
        out = list(args)
        for i, v in zip(positions, vs):
            out[i] = args[i] + h * v
        return g(*out)
    h = 1e-5
    want = [(a - b) / (2 * h) for a, b in zip(moved(h), moved(-h))]
    _, got = srcad.jvp(g, wrt=positions)(*args, *vs)
    for a, b in zip(got, want):
        assert_close(a, b, 1e-5, 1e-6, what="forward over reverse")
    us = tuple(RNG.normal(size=np.shape(a)) if np.ndim(a) else float(RNG.normal()) for a in want)
    back = srcad.vjp(g, wrt=positions)(*args, us)
    lhs = sum(float(np.sum(a * v)) for a, v in zip(back, vs))
    rhs = sum(float(np.sum(u * w)) for u, w in zip(us, want))
    assert_close(lhs, rhs, 1e-5, 1e-6, what="reverse over reverse")


def test_logsumexp_hessian_is_softmax_covariance():
    a = RNG.normal(size=5)
    p = sc.softmax(a)
    assert_close(srcad.hessian(lse_all)(a), np.diag(p) - np.outer(p, p), 1e-10, 1e-12)


def test_logsumexp_of_large_values():
    """exp(1000) overflows; the weights exp(a - out) do not."""
    a = np.array([[1000.0, 1001.0, 999.0], [-1000.0, -1001.0, -999.5]])
    g = srcad.grad(lse_all)(a)
    assert np.all(np.isfinite(g))
    assert_close(g, sc.softmax(a), 1e-12, 1e-15)
    w = np.array([0.5, -2.0])
    g = srcad.grad(lse_axis)(a, w)
    assert_close(g, w[:, None] * sc.softmax(a, axis=1), 1e-12, 1e-15)
    _, t = srcad.jvp(lse_axis)(a, w, np.ones_like(a))
    assert_close(t, np.sum(w), 1e-12, 1e-15)
    b = np.array([2.0, 0.0, 1.0])
    da, db = srcad.grad(lse_b_axis, wrt=(0, 1))(a.T, b[:, None], w)
    assert np.all(np.isfinite(da)) and np.all(np.isfinite(db))


def test_logsumexp_b_zero_entries_have_a_derivative_in_b():
    a, b = np.array([0.3, -0.2, 1.1]), np.array([1.0, 0.0, 2.0])
    da, db = srcad.grad(lse_b, wrt=(0, 1))(a, b)
    out = sc.logsumexp(a, b=b)
    assert_close(db, np.exp(a - out), 1e-12, 1e-15)
    assert da[1] == 0.0
    assert_close(db, numeric_grad(lse_b, [a, b], 1))


def lse_sign(a):
    out, sign = sc.logsumexp(a, b=-np.ones_like(a), return_sign=True)
    return out * sign


def lse_sign_false(a):
    return sc.logsumexp(a, return_sign=False)


@pytest.mark.parametrize("f", [lse_sign, lse_sign_false])
@pytest.mark.parametrize("mode", ["grad", "jvp"])
def test_logsumexp_return_sign_is_refused(f, mode):
    """return_sign is not a parameter of the rule: a clear error at the user's call (never a
    derivative of the wrong value). return_sign=False is refused too: leave it out."""
    x = np.array([0.2, 0.5])
    with pytest.raises(srcad.SrcadError) as info:
        srcad.grad(f)(x) if mode == "grad" else srcad.jvp(f)(x, x)
    message = str(info.value)
    line = f.__code__.co_firstlineno + 1
    assert message.startswith(f"{__file__}:{line}: "), message
    assert "logsumexp" in message and "do not match" in message, message


# ---- softmax, log_softmax ------------------------------------------------------------------
def softmax_all(x, w):
    return np.sum(sc.softmax(x) * w)


def softmax_axis0(x, w):
    return np.sum(sc.softmax(x, axis=0) * w)


def softmax_last(x, w):
    return np.sum(sc.softmax(x, axis=-1) * w)


def softmax_tuple(x, w):
    return np.sum(sc.softmax(x, axis=(0, 2)) * w)


def log_softmax_all(x, w):
    return np.sum(sc.log_softmax(x) * w)


def log_softmax_axis1(x, w):
    return np.sum(sc.log_softmax(x, axis=1) * w)


def log_softmax_positional(x, w):
    return np.sum(sc.log_softmax(x, 0) * w)


def cross_entropy(logits, labels):
    return -np.mean(np.sum(labels * sc.log_softmax(logits, axis=1), axis=1))


S34 = (A, RNG.normal(size=(3, 4)))
SOFTMAX = [
    ("softmax_all", softmax_all, S34),
    ("softmax_vector", softmax_all, (RNG.normal(size=5), RNG.normal(size=5))),
    ("softmax_axis0", softmax_axis0, S34),
    ("softmax_last", softmax_last, S34),
    ("softmax_tuple", softmax_tuple, (A3, RNG.normal(size=(2, 3, 4)))),
    ("log_softmax_all", log_softmax_all, S34),
    ("log_softmax_axis1", log_softmax_axis1, S34),
    ("log_softmax_positional", log_softmax_positional, S34),
    ("cross_entropy", cross_entropy, (A, np.eye(4)[[0, 3, 1]])),
]


@pytest.mark.parametrize("name, f, args", SOFTMAX, ids=[c[0] for c in SOFTMAX])
def test_softmax(name, f, args):
    check_grad(f, args)
    check_jvp(f, args)


@pytest.mark.parametrize("name, f, args", SOFTMAX, ids=[c[0] for c in SOFTMAX])
def test_softmax_second_order(name, f, args):
    x, w = args
    g = srcad.grad(f)
    assert_close(srcad.hessian(f)(x, w), fd_jacobian(lambda v: g(v, w), x), 1e-5, 1e-6,
                 what=f"hessian of {name}")


def test_softmax_of_large_values():
    x = np.array([[800.0, 801.0, 799.0], [-700.0, 5.0, 0.0]])
    w = np.array([[1.0, -1.0, 0.5], [0.3, 0.2, -2.0]])
    for f in (softmax_last, log_softmax_axis1):
        g = srcad.grad(f)(x, w)
        assert np.all(np.isfinite(g))
        assert_close(g, numeric_grad(f, [x, w], 0))
        _, t = srcad.jvp(f)(x, w, np.ones_like(x))
        assert abs(t) < 1e-9      # both are invariant to a shift along the axis


# ---- numerically hard points of the element-wise rules ---------------------------------------
def test_log_ndtr_far_left_tail():
    """ndtr(-30) is 5e-198 and ndtr(-40) underflows to 0: the ratio pdf / ndtr is taken in log
    space, d/dx log_ndtr(x) ~ -x there."""
    for x in (-30.0, -40.0):
        g = srcad.grad(log_ndtr_sum)(x, 1.0)
        assert np.isfinite(g) and abs(g + x) < 0.05 * abs(x)
        assert_close(g, numeric_grad(log_ndtr_sum, [x, 1.0], 0), 1e-6, 1e-8)
        _, t = srcad.jvp(log_ndtr_sum)(x, 1.0, 1.0)
        assert_close(t, g, 1e-12, 0.0)
    x = np.array([-30.0, -40.0, -5.0, 30.0])
    g = srcad.grad(log_ndtr_sum)(x, np.ones(4))
    assert np.all(np.isfinite(g)) and g[3] >= 0.0
    assert_close(g, numeric_grad(log_ndtr_sum, [x, np.ones(4)], 0), 1e-6, 1e-8)
    second = srcad.grad(srcad.grad(log_ndtr_sum))(-30.0, 1.0)
    assert np.isfinite(second) and abs(second + 1.0) < 0.01      # d/dx (-x) = -1


def test_expit_far_tails():
    for x in (-40.0, 40.0):
        g = srcad.grad(expit_sum)(x, 1.0)
        assert np.isfinite(g) and 0.0 <= g <= 5e-18
        _, t = srcad.jvp(expit_sum)(x, 1.0, 1.0)
        assert t == g
    exact = np.exp(-40.0) / (1.0 + np.exp(-40.0)) ** 2    # the left tail keeps its digits
    assert_close(srcad.grad(expit_sum)(-40.0, 1.0), exact, 1e-12, 0.0)
    assert np.isfinite(srcad.grad(srcad.grad(expit_sum))(40.0, 1.0))


def test_readable_source():
    srcad.grad(digamma_sum)(1.5, 1.0)
    assert "polygamma(1, x)" in srcad.source(srcad.grad(digamma_sum))
    srcad.grad(expit_sum)(1.5, 1.0)
    text = srcad.source(srcad.grad(expit_sum))
    assert "expit_x * (1.0 - expit_x)" in text and "np.exp" not in text


# ---- docs/supported.md lists these rules --------------------------------------------------------
def test_the_docs_list_the_scipy_rules():
    from srcad.rules import surface
    section = surface.page_section((ROOT / surface.DOCS_PAGE).read_text(), surface.SCIPY_BEGIN,
                                   surface.SCIPY_END)
    assert section == surface.scipy_table(), \
        f"{surface.DOCS_PAGE} is out of date: run python -m srcad.rules.surface --write"
    for name in ("logsumexp", "expit", "logit", "softmax", "log_softmax", "gammaln", "digamma",
                 "polygamma", "erf", "erfc", "xlogy", "xlog1py", "ndtr", "log_ndtr"):
        assert f"`scipy.special.{name}`" in section, name


# ---- without scipy --------------------------------------------------------------------------
NO_SCIPY = '''
import importlib.abc
import sys


class NoScipy(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name == "scipy" or name.startswith("scipy."):
            raise ImportError(f"No module named {name!r} (blocked)")
        return None


sys.meta_path.insert(0, NoScipy())
import pathlib

import numpy as np

import srcad
from srcad.rules import BUILTIN_RULES, surface


def f(x):
    return np.sum(np.tanh(x) * x)


x = np.array([0.3, -1.2])
g = srcad.grad(f)(x)
assert np.allclose(g, np.tanh(x) + x * (1.0 - np.tanh(x) ** 2)), g
_, t = srcad.jvp(f)(x, np.ones(2))
assert np.isclose(t, np.sum(g)), t
assert "scipy" not in sys.modules and "scipy.special" not in sys.modules
assert not any(surface.is_scipy(r.key) for r in BUILTIN_RULES)
assert surface.scipy_table() is None
page = pathlib.Path(sys.argv[1]).read_text()
assert surface.page_section(page) == surface.markdown_table()
print("ok")
'''


def test_srcad_works_without_scipy(tmp_path):
    script = tmp_path / "no_scipy.py"
    script.write_text(NO_SCIPY)
    env = {"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}
    page = str(ROOT / "docs" / "supported.md")
    done = subprocess.run([sys.executable, str(script), page], env=env, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"
