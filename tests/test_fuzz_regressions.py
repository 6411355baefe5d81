"""Bugs the differential fuzzer (tests/test_fuzz.py) found, one named test each, written as the
smallest readable program that shows the bug. Each is checked against central differences."""
import numpy as np
import pytest

import srcad

try:
    import scipy.special as scipy_special
except ImportError:     # the test that needs it skips
    scipy_special = None
from oracle import assert_close, check_grad, check_jvp, numeric_grad

V = np.array([0.3, -1.2, 0.8])
M = np.array([[0.5, -0.4, 1.1], [-0.7, 0.2, 0.9]])


# ---- fixed ------------------------------------------------------------------------------------
def row_of_transpose_after_early_return(x, m):
    if x > 0.0:
        return x
    g = np.transpose(m)[1]
    return np.sum(np.sin(g))


@pytest.mark.parametrize("x", [0.5, -0.5])
def test_dense_adjoint_of_a_name_bound_on_one_path(x):
    """``dt = zeros_like(t)`` opened the reverse sweep even when the path that binds ``t``
    (here the fall-through after an early return) did not run: UnboundLocalError. Now ``t``
    gets a ``t = None`` placeholder (reverse.py), and zeros_like(None) is 0.0."""
    check_grad(row_of_transpose_after_early_return, (x, M), wrt=(0, 1))
    check_jvp(row_of_transpose_after_early_return, (x, M), wrt=(0, 1))


def add_in_place_through_an_alias(v):
    u = v * 1.0
    t = u           # t and u are one array
    u += v          # so this changes t too
    return np.sum(t * v)


def test_in_place_add_seen_through_an_alias():
    """normalize lowered ``u += e`` to ``u = u + e`` for arrays too, losing the in-place update
    an alias sees (value 14 and gradient 2v instead of 28 and 4v). Now the lowered statement is
    marked in place, and reading the stale alias is refused, as for ``u[i] = e``."""
    with pytest.raises(srcad.SrcadError, match=r"(?s)share memory with 'u'.*u = u\.copy\(\)"):
        srcad.grad(add_in_place_through_an_alias)(V)


def iterate_an_array_rebound_in_the_loop(v, x):
    u = v * 1.0
    s = 0.0
    for e in u:     # iterates the array u was bound to when the loop started
        u = u * x
        s = s + e
    return s


def test_for_over_an_array_rebound_in_the_loop():
    """normalize turned ``for e in u`` into ``for i in ...: e = u[i]``, which read the rebound
    u (value 3.87 instead of 6.0 at x=0.7). Now the loop iterates a name bound to u first."""
    got = srcad.value_and_grad(iterate_an_array_rebound_in_the_loop)(V, 0.7)
    assert_close(got[0], iterate_an_array_rebound_in_the_loop(V, 0.7), what="value")
    assert_close(got[1], numeric_grad(iterate_an_array_rebound_in_the_loop, [V, 0.7], 0))


def kron_with_a_rebound_parameter(x, w, v):
    a = np.var(w, axis=1)       # w is not differentiated here...
    w = np.kron(a, v * x)       # ...but the name w is rebound to a differentiated value
    return np.sum(w * w)


def matmul_with_a_rebound_parameter(x, m, v):
    a = m * 2.0
    m = a @ (v * x)
    return np.sum(m * m)


@pytest.mark.parametrize("fn", [kron_with_a_rebound_parameter, matmul_with_a_rebound_parameter])
def test_zero_tangent_term_of_a_product_rule(fn):
    """A parameter outside ``wrt`` that the function rebinds has a tangent, zero until the
    rebinding; the product rule's term of that zero (``np.kron(da, b)``, ``da @ b`` with
    ``da = 0.0``) was kept and failed on its shape (ValueError in jvp, and in the Hessian of any
    program with such a product). Now optimize drops the zero terms of a sum."""
    check_jvp(fn, (0.6, M, V), wrt=0)
    check_grad(fn, (0.6, M, V), wrt=0)
    h = srcad.hessian(fn, wrt=0)(0.6, M, V)
    g = srcad.grad(fn, wrt=0)
    assert_close(h, (g(0.6 + 1e-6, M, V) - g(0.6 - 1e-6, M, V)) / 2e-6, what="hessian")


def swap_after_reading_a_rebound_matrix(x, y, m):
    r = np.sin(np.sum(m))
    m = m * 1.0         # rebinds m (a dead value): the gradient of m is zero everywhere
    if y < 0.0:
        y = y * r
        x, y = y, x     # the result is x or y, so nothing depends on m
    return y


@pytest.mark.parametrize("y", [0.3, -0.3])
def test_zero_gradient_of_a_matrix_keeps_its_shape(y):
    """The adjoint update of ``m = m * 1.0`` read only zeros, and optimize rewrote it to the
    scalar ``dm = 0.0``: the gradient wrt the matrix came back as a scalar (internal error).
    Now a returned array derivative keeps its shaped zero."""
    gx, gy, gm = check_grad(swap_after_reading_a_rebound_matrix, (0.6, y, M), wrt=(0, 1, 2))
    assert gm.shape == M.shape and not gm.any()
    check_jvp(swap_after_reading_a_rebound_matrix, (0.6, y, M), wrt=(0, 1, 2))


def cumsum_read_in_one_branch(y, m):
    out = 0.5 * np.cumsum(np.diagonal(m))
    if y > 0.0:
        return y + np.max(out)
    return y


def cumsum_read_on_the_last_trip(y, m, n):
    s = 0.0
    for i in range(n):
        out = np.cumsum(m[0] * y)
        if i == n - 1:
            s = s + np.max(out)
    return s


def reshape_in_a_loop_whose_last_value_is_unused(y, v):
    g = np.sin(v) * y
    for k in range(3):
        v = v / (2.0 + np.sin(g))
        g = np.reshape(g, (3,))     # the last g is never read: its adjoint is zero
    return np.sum(v)


@pytest.mark.parametrize("fn, args", [(cumsum_read_in_one_branch, (0.3, M)),
                                      (cumsum_read_in_one_branch, (-0.3, M)),
                                      (cumsum_read_on_the_last_trip, (0.7, M, 3)),
                                      (reshape_in_a_loop_whose_last_value_is_unused, (0.6, V))])
def test_zero_adjoint_of_a_shape_op_on_a_path_that_does_not_read_it(fn, args):
    """An adjoint started (and, after each binding in a loop, restarted) as the scalar 0.0,
    and stayed so on the paths that do not read the value; the reverse rules of cumsum,
    diagonal and reshape cannot take a scalar (ValueError: cannot reshape array of size 1).
    Now the adjoint of a result of a non-element-wise rule (or of an element-wise result of
    one, like ``0.5 * np.cumsum(...)``) starts as ``zeros_like(out)`` and restarts as
    ``zeros_like`` of the binding before, whose shape (not value) is saved where needed."""
    check_grad(fn, args, wrt=(0, 1))
    check_jvp(fn, args, wrt=(0, 1))


def column_of_a_rebound_matrix(v, m, n):
    m = m * 2.0
    for i in range(2):
        if n < 2:
            m = m - v           # only this path makes m depend on v
        else:
            m = m[:, 1:2] * m   # a subscript of m's derivative, zero on this path
    return np.sum(m * m)


@pytest.mark.parametrize("n", [1, 3])
def test_subscript_of_a_derivative_that_is_zero_on_some_paths(n):
    """optimize rewrote the derivative of ``m = m * 2.0`` (zero: m is not differentiated yet)
    as the scalar 0.0, and on the path that never makes m depend on v, ``dm[:, 1:2]`` failed
    ('float' object is not subscriptable) in jvp and in the Hessian. Now a zero derivative of
    an array keeps the (shaped) zero it computes."""
    args = (V, M, n)
    check_jvp(column_of_a_rebound_matrix, args, wrt=0)
    check_grad(column_of_a_rebound_matrix, args, wrt=(0, 1))
    h = srcad.hessian(column_of_a_rebound_matrix, wrt=0)(*args)
    g = srcad.grad(column_of_a_rebound_matrix, wrt=0)
    want = np.stack([(g(V + 1e-6 * e, M, n) - g(V - 1e-6 * e, M, n)) / 2e-6
                     for e in np.eye(3)], axis=-1)
    assert_close(h, want, what="hessian")


def alias_of_a_matrix_read_on_one_path(x, m, n):
    z = m
    if n % 2 == 0:
        return x
    return np.min(z)


@pytest.mark.parametrize("n", [1, 2])
def test_gradient_through_an_alias_read_on_one_path(n):
    """``dz`` started as the scalar 0.0 and, on the path that returns x, the gradient of the
    matrix was ``dm = dz``: a scalar (internal error: a gradient of shape ()). Now the adjoint
    of a copy or element-wise result of an array argument starts shaped."""
    check_grad(alias_of_a_matrix_read_on_one_path, (0.5, M, n), wrt=(0, 1))
    check_jvp(alias_of_a_matrix_read_on_one_path, (0.5, M, n), wrt=(0, 1))


def square_in_place(a):
    a *= a              # changes the caller's array
    return np.sum(a)


def caller_of_square_in_place(v):
    u = v * 2.0
    s = square_in_place(u)
    return s + np.sum(np.sin(u))    # reads u after the helper squared it


def square_a_copy(a):
    a = a.copy()
    a *= a
    return np.sum(a)


def caller_of_square_a_copy(v):
    u = v * 2.0
    return square_a_copy(u) + np.sum(np.sin(u))


def scale_each_entry(a):
    s = 0.0
    for e in a:         # the entries of a vector are scalars: e *= 2.0 rebinds e
        e *= 2.0
        s = s + e * e
    return s


def scale_each_row(a):
    for row in a:       # the rows of a matrix are views: row *= 2.0 changes a
        row *= 2.0
    return np.sum(a)


def caller_of_scale_each_entry(v):
    return scale_each_entry(v * 1.0) + np.sum(v)


def caller_of_scale_each_row(m):
    u = m * 1.0
    return scale_each_row(u) + np.sum(u)


def test_helper_that_changes_its_argument_in_place_is_refused():
    """srcad differentiates a helper on its own, so ``a *= a`` inside it was a rebinding there
    while the caller's array changed: the value was right, the gradient silently wrong
    ([3.31, 5.08, 7.08] instead of [4.65, -6.16, 3.48] at v = [0.3, -0.5, 0.7]). Now such a
    call is refused at the caller's line (srcad/analysis.py); a helper that copies first is
    differentiated."""
    with pytest.raises(srcad.SrcadError, match="changes its argument 'a' in place"):
        srcad.grad(caller_of_square_in_place)(V)
    check_grad(caller_of_square_a_copy, (V,))
    check_jvp(caller_of_square_a_copy, (V,))
    check_grad(caller_of_scale_each_entry, (V,))
    with pytest.raises(srcad.SrcadError, match="changes its argument 'a' in place"):
        srcad.grad(caller_of_scale_each_row)(M)


def square_the_first_half_in_place(v):
    half = np.array_split(v, 2)[0]      # a view of v[:2]
    v[:2] = np.square(half)
    return np.sum(v)


def read_the_half_after_the_change(v):
    half = np.array_split(v, 2)[0]
    v[:2] = np.square(half)
    return np.sum(v) + np.sum(half)     # half changed with v


def test_split_returns_views():
    """srcad did not know that ``np.split``/``np.array_split`` return views: jvp computed the
    tangent of ``v[:2] = np.square(half)`` after the store, from the squared ``half`` (in fuzz
    program 949 a tangent of 0.86 instead of 0.63), and grad differentiated a read of the
    changed ``half`` as if it were the old one. Now they are views like ``v[:2]`` (analysis.py, optimize.py): the tangent is
    computed before the store, and reading the changed view is refused."""
    check_grad(square_the_first_half_in_place, (V,))
    check_jvp(square_the_first_half_in_place, (V,))
    with pytest.raises(srcad.SrcadError, match="may share memory with 'v'"):
        srcad.grad(read_the_half_after_the_change)(V.copy())


def add_into_a_column_then_rebind(m, n):
    q = np.sum(m, axis=1, keepdims=True) * 0.5
    for k in range(n):
        q[:, 0] += np.max(m, axis=1)
        q = 0.5 * np.sum(m, axis=1, keepdims=True)
    return np.prod(np.tanh(q))


def test_element_restore_into_an_array_saved_for_its_shape():
    """(Found after ``zeros_like(v)`` became a read of v's shape alone, in this change.) q is
    saved on the stack at its rebinding; when every other reverse read of q wants only its
    shape it was saved as ``shape_of(q)``, and restoring ``q[:, 0]`` wrote into that shape
    (TypeError: '_Shape' object does not support item assignment). An array whose elements
    the reverse sweep restores is saved as itself."""
    check_grad(add_into_a_column_then_rebind, (M, 2), wrt=0)
    check_jvp(add_into_a_column_then_rebind, (M, 2), wrt=0)


def step_of_itself(v):
    v = np.heaviside(v, 0.5)    # constant in v (away from 0): the gradient is zero
    return np.sum(v)


def test_self_rebinding_through_a_function_constant_in_it():
    """The adjoint of ``v = f(v, ...)`` with no partial in v was the scalar ``dv = 0.0``: the
    gradient of an array came back as a scalar (internal error: a gradient of shape ()). Now
    it is the shaped zero."""
    g = check_grad(step_of_itself, (V,))
    assert g.shape == V.shape and not g.any()
    check_jvp(step_of_itself, (V,))


def store_after_a_loop_that_may_not_run(x, v, m, n):
    k = 0
    while x < -0.15 and k < 4:      # does not run for x = 1.2
        k += 1
        m[k % 2] = v.copy()
    m[n % 2, n % 3] += float(x)
    return x + np.sum(m) + np.sum(v)


def test_jvp_leaves_the_callers_tangent_alone():
    """The jvp copies the tangent ``dm`` before its first element store, but the copy was put
    in the loop only, so when the loop did not run ``dm[...] = ...`` wrote into the caller's
    direction array (the tangent was right; the caller's array, and in the fuzzer the finite
    differences along it, were not). Now a loop body counts as maybe not run."""
    dm = np.ones_like(M)
    _, tangent = srcad.jvp(store_after_a_loop_that_may_not_run, wrt=(0, 1, 2))(
        1.2, V, M.copy(), 0, 1.0, np.zeros(3), dm)
    assert_close(tangent, 8.0)
    assert np.array_equal(dm, np.ones_like(M)), "jvp changed the caller's tangent"
    check_jvp(store_after_a_loop_that_may_not_run, (1.2, V, M.copy(), 0), wrt=(0, 1, 2))


def column_from_the_diagonal(m):
    m[:, 1] = np.sin(np.diag(m))    # np.diag(m) is a view: m[1, 1] is on it
    return np.min(m) + np.sum(m * m)


def test_diag_of_a_matrix_is_a_view():
    """``np.diag`` of a matrix returns a view of its diagonal (as ``np.diagonal`` does), which
    srcad did not know: jvp computed the tangent of the store after it, from the changed
    diagonal (fuzz seed 7, program 78: tangent -0.361 instead of -0.337)."""
    check_grad(column_from_the_diagonal, (M.copy(),))
    check_jvp(column_from_the_diagonal, (M.copy(),))


def reversed_loop_after_a_while(x, v, m, n):
    k = 0
    while k < 3:
        k = k + 1
        for s, r in zip(v, m):
            x = np.tanh(x * s)
    for i in reversed(range(n)):
        for row in m:
            m = m if x > 0.24 else np.outer(np.sum(m, axis=1), row)
    return x + np.sum(m)


def test_second_derivative_through_a_saved_reversed_range():
    """grad saves a reversed loop's range as ``i_range = range(n)[::-1]`` and iterates
    ``reversed(i_range)``; differentiating that again took ``i_range`` for an iterable of
    unknown length (TypeError: object of type 'range_iterator' has no len()): a slice of a
    range is a range too."""
    args = (0.9588, np.array([0.15, 1.22, -0.40]), np.array([[-0.82, -0.71, 1.49],
                                                            [-2.24, -1.16, -0.43]]), 1)
    check_grad(reversed_loop_after_a_while, args, wrt=0)
    h = srcad.hessian(reversed_loop_after_a_while, wrt=0)(*args)
    g = srcad.grad(reversed_loop_after_a_while, wrt=0)
    x = args[0]
    assert_close(h, (g(x + 1e-6, *args[1:]) - g(x - 1e-6, *args[1:])) / 2e-6, what="hessian")


def weighted_logsumexp(x, y, v, m):
    m = np.tanh(m)
    x = 0.66 * scipy_special.logsumexp(np.arctan2(x, v), b=1.5 + np.sin(
        abs(m.max(axis=1)).repeat(3)[::2]))
    dx = np.max(m, axis=1) if y < 1.0 else m[0]
    return y + x + np.min(dx)


def test_a_derivative_held_by_a_rules_own_temporary():
    """logsumexp's reverse rule keeps its weights' derivative in a temporary of its own
    (``g``); the optimizer took a sum that read only ``g`` and a zero for zero, and dropped
    the gradient through ``b`` (fuzz seed 3, program 5: df/dm 0.920 instead of 0.851)."""
    pytest.importorskip("scipy")
    args = (-0.3832, -0.9335, np.array([0.35, 1.12, 0.41]),
            np.array([[2.06, 0.23, -0.87], [-0.57, -0.47, -0.45]]))
    check_grad(weighted_logsumexp, args, wrt=(0, 1, 2, 3))
    check_jvp(weighted_logsumexp, args, wrt=(0, 1, 2, 3))


def test_a_copy_is_not_forwarded_into_a_push():
    """Fuzz 13:579: ``seq_v = v`` forwarded into the loop block's ``stack.append(seq_v)``
    left a push of ``v`` paired with a pop into ``seq_v``; the Hessian's forward sweep then
    saved the wrong tangent (a ValueError in ``added_at``)."""
    def f(x, v, m, n):
        for j in range(n):
            for q in v:
                m = m / (2.0 + np.sin(m))
                x = x - 0.3 * np.sin(np.degrees(0.02 * q))
                if q < -0.39:
                    v = v * 1.0
                    break
            q = q - 0.3 * np.sin(x)
        return x * x + np.sum(v * v) + np.sum(m)
    v = np.array([-0.36, -0.69, 1.82])
    m = np.array([[-0.1, -0.4, 0.03], [0.8, -1.25, 0.16]])
    g = srcad.grad(f, wrt=1)
    h = srcad.hessian(f, wrt=1)(1.1, v, m, 3)
    e = 1e-6
    fd = np.array([(g(1.1, v + e * u, m, 3) - g(1.1, v - e * u, m, 3)) / (2 * e)
                   for u in np.eye(3)])
    assert np.allclose(h, fd, atol=1e-6)
    assert "stack.append(v)" not in srcad.source(g, 1.1, v, m, 3)


def where_of_a_scalar_and_a_matrix(x, y, m):
    return x * np.sum(np.tanh(np.where(y > 0.2, x, m).diagonal()))


@pytest.mark.parametrize("y", [0.5, -0.4])
def test_the_tangent_of_where_has_the_shape_of_its_result(y):
    """Fuzz 11:540: the tangent of ``np.where(c, x, m)`` with only the scalar ``x``
    differentiated was ``np.where(c, dx, 0.0)``, a 0-d array, and ``.diagonal()`` of it failed
    in the Hessian's forward-over-reverse sweep."""
    m = np.array([[1.45, 0.9, -1.3], [0.35, 0.56, 1.07]])
    check_jvp(where_of_a_scalar_and_a_matrix, (-0.13, y, m), 0)
    g = srcad.grad(where_of_a_scalar_and_a_matrix)
    e = 1e-6
    fd = (g(-0.13 + e, y, m) - g(-0.13 - e, y, m)) / (2 * e)
    assert np.isclose(srcad.hessian(where_of_a_scalar_and_a_matrix)(-0.13, y, m), fd, atol=1e-6)


def shape_and_value(x, y, v, m):
    m = np.cosh(np.full_like(m, x))
    for i in range(2):
        v = v + float(x / (2.0 + np.cos(y)))
        x = np.square(0.3)
    return np.sum(v) + np.mean(m) + x


def test_a_value_computed_again_from_a_saved_number_saves_the_number_not_its_shape():
    """Fuzz 46:701: ``x`` was saved as its shape only (``np.full_like(m, x)`` reads its shape),
    though the reverse sweep computes ``x / (2.0 + cos y)`` again from it: ``()`` divided by a
    number is an empty array, and the gradient had the wrong shape."""
    args = (0.7, 0.4, np.array([1.0, 2.0]), np.ones((2, 3)))
    check_grad(shape_and_value, args, wrt=(0, 1, 2, 3))
    check_jvp(shape_and_value, args, wrt=(0, 1, 2, 3))


def overwritten_in_a_loop(a, b, n):
    for i in range(n):
        a = b * 2.0         # the argument a is never read: its derivative is zero
        b = np.sin(a)
    return np.sum(b)


def overwritten_in_a_loop_of_a_helper(m, n):
    return overwritten_in_a_loop(np.log1p(m * m), np.logaddexp2(m, m), n)


@pytest.mark.parametrize("n", [0, 1, 3])
def test_an_argument_a_loop_overwrites_before_reading_it_has_a_zero_derivative(n):
    """Fuzz 48:732: the adjoint of a name each trip binds before reading was zeroed where a
    trip's reverse starts, not where it ends, so after the first trip's reverse it still held
    that trip's adjoint, returned as the argument's derivative."""
    a, b = np.array([0.3, -0.2, 0.5]), np.array([0.7, 0.1, -0.4])
    check_grad(overwritten_in_a_loop, (a, b, n), wrt=(0, 1))
    check_jvp(overwritten_in_a_loop, (a, b, n), wrt=(0, 1))
    if n:
        assert np.all(srcad.grad(overwritten_in_a_loop)(a, b, n) == 0.0)
    check_grad(overwritten_in_a_loop_of_a_helper, (np.array([[0.8, -1.2], [0.4, 0.1]]), n))


def stored_into_once(x, m, n):
    res = np.tanh(np.atleast_2d(np.maximum(m, x)))
    res[:, n % 3] = (0.49 * m.T[2]).copy()      # res is read nowhere else
    return x + np.mean(np.nanmean(m, axis=1, keepdims=True))


def test_an_array_stored_into_stays_a_name():
    """Fuzz 58:258: an array read once is made where it is read, but the one read of ``res``
    was the base of ``res[:, k] = v``: ``np.tanh(...)[:, k] = v`` was written, and reading which
    arguments the function changes failed inside srcad."""
    args = (0.3, np.array([[0.8, 2.2, 0.8], [0.1, -0.8, 1.3]]), 3)
    check_grad(stored_into_once, args, wrt=(0, 1))
    check_jvp(stored_into_once, args, wrt=(0, 1))
    assert "res[:, n % 3] = " in srcad.source(srcad.grad(stored_into_once, wrt=(0, 1)), *args)


def last_row_and_count(a, b):
    for i, g in enumerate(a):
        if b > 0:
            break
    return g, b * 2.0


def last_of_a_loop(a, b):
    for g in a:
        b = b + 1.0
    return g, b


def last_of_a_while(a, b):
    k = 0
    while k < 3:
        w = a[k % 2] * b
        k += 1
    return w, b


def through_tuple_helpers(m, y):
    r, s = last_row_and_count(np.sin(m), y)
    t, u = last_of_a_loop(np.cos(m), y)
    w, _ = last_of_a_while(m * m, y)
    return np.sum(r * r) + np.sum(t * s) * u + np.sum(w)


def test_a_tuple_part_bound_in_a_loop_keeps_its_seed():
    """Fuzz 60:447 (a silent wrong gradient, there before this session): a helper returning
    ``(g, ...)`` takes the adjoint of each part as a parameter; ``g``, bound in a loop and read
    by nothing after it but the (dropped) tuple, was taken for a value local to each trip, whose
    adjoint starts each reverse trip at zero: the seed was zeroed before it was used and the
    gradient through ``g`` was 0."""
    m = np.array([[0.34, 0.80, -0.27], [0.46, -1.54, -0.67]])
    for y in (1.4, -0.3):
        check_grad(through_tuple_helpers, (m, y), wrt=(0, 1))
        check_jvp(through_tuple_helpers, (m, y), wrt=(0, 1))
