"""In-place array updates as programs migrated from autograd/JAX write them: ``a -= e``,
``a *= e``, ``a[mask] = v``, ``a[a > 0] = 0``, ``a[idx] += v`` with repeated indices (NumPy
does not accumulate them), ``np.add.at`` (it does), and all of these on a *view* of an argument
or of another array (``v = np.reshape(params[:4], (2, 2)); v -= e`` changes ``params``). Each
is checked against central differences in both modes, its value against NumPy's. Derived
functions leave the caller's arrays unchanged. What srcad cannot follow is an error at the
line, with a hint: never a wrong number."""
import inspect
import re

import numpy as np
import pytest

import srcad
from oracle import assert_close, check_grad, check_jvp, fresh

X = np.array([0.3, -0.7, 1.2, 0.5, 2.0, -1.1])
M = np.arange(12.0).reshape(3, 4) / 10.0 - 0.45
E = np.array([[0.2, -0.4], [0.9, 0.1]])
IDX = np.array([1, 1, 3, 1, 0])           # index 1 three times


# ---- whole arrays and masks ---------------------------------------------------------------------
def whole_array_updates(x, e):
    a = x * 1.0
    a -= e
    a += x * x
    a *= e
    a /= 1.5 + x * x
    return np.sum(a ** 2)


def update_the_argument_itself(x, e):
    x -= e
    x *= x
    return np.sum(x * e)


def boolean_mask_store(x, e):
    a = x * e
    a[a > 0] = 0.0
    mask = x < 1.0
    a[mask] = a[mask] * 3.0 + e
    return np.sum(a * x)


def square_itself(x, e):
    a = x + e
    a *= a
    return np.sum(a)


def repeated_index_add(x, e):
    a = x * 1.0
    a[IDX] += e * np.arange(5.0)         # a[1] gets only the last of its three updates
    return np.sum(a ** 2)


def repeated_index_store(x, e):
    a = np.sin(x)
    a[IDX] = e * np.array([1.0, 2.0, 3.0, 4.0, 5.0])
    return np.sum(a * x)


def add_at(x, e):
    a = x * 1.0
    np.add.at(a, IDX, e * np.arange(5.0))   # a[1] gets all three
    return np.sum(a ** 3)


def add_at_2d(m, e):
    f = m * m
    rows = np.array([0, 2, 0, 0])
    cols = np.array([1, 3, 1, 1])
    np.add.at(f, (rows, cols), e * np.array([1.0, 2.0, 3.0, 4.0]))
    return np.sum(np.sin(f))


def add_at_in_a_loop(x, e):
    a = np.zeros(4)
    for k in range(6):
        np.add.at(a, np.array([k % 4, (k * 3) % 4]), x[k] * e)
    return np.sum(a * a)


def add_at_on_the_argument(x, e):
    np.add.at(x, IDX, e)
    return np.sum(x ** 2)


WHOLE = [whole_array_updates, update_the_argument_itself, boolean_mask_store, square_itself,
         repeated_index_add, repeated_index_store, add_at, add_at_in_a_loop, add_at_on_the_argument]


# ---- views of arguments ------------------------------------------------------------------------
def reshape_of_a_slice(params, e):
    v = np.reshape(params[:4], (2, 2))
    v -= e
    return np.sum(params ** 2)


def reshape_all(params, e):
    v = np.reshape(params, (2, 3))
    v[:, :2] -= e
    return np.sum(np.sin(params))


def reshape_method(params, e):
    v = params.reshape(2, 3)
    v *= 1.0 + e[0, 0]
    return np.sum(params ** 2)


def transposed(params, e):
    w = np.reshape(params, (2, 3))
    v = w.T
    v[:2] += e
    return np.sum(w * params.reshape(2, 3)) + np.sum(params)


def ravelled(params, e):
    v = np.ravel(params)
    v[1:5] /= 2.0 + np.ravel(e)
    u = params.ravel()
    u += 0.5
    return np.sum(params ** 3)


def squeezed_and_expanded(params, e):
    v = np.expand_dims(params, 0)
    v -= e[0, 0]
    w = np.squeeze(v)
    w *= e[1, 1]
    z = np.atleast_2d(params)
    z[0, :2] += e[0]
    return np.sum(params ** 2)


def permuted(m, e):
    a = np.transpose(m, (1, 0))
    a[1:3, :2] -= e
    b = np.swapaxes(m, 0, 1)
    b[0] *= 2.0
    c = np.moveaxis(m, 0, 1)
    c[3] += 1.0
    d = np.flip(m, 0)
    d[0] /= 3.0
    return np.sum(m ** 2)


def basic_slices(m, e):
    v = m[1:, ::2]
    v -= e
    w = m[0, None, 1:3]
    w *= e[0]
    z = m[..., 3]
    z += 1.0
    return np.sum(np.tanh(m))


def row_and_column(m, e):
    row = m[1]
    row *= e[0, 1]
    col = m[:, 2]
    col[col > 0.0] = e[1, 0]
    return np.sum(m ** 2)


def view_of_a_view(params, e):
    v = params.reshape(2, 3)[:, 1:]
    w = v.T[0]
    w -= e[0]
    v[1] *= e[1, 1]
    return np.sum(params ** 2)


def view_read_after(params, e):
    v = np.reshape(params[:4], (2, 2))
    v -= e
    v *= v
    return np.sum(v) + np.sum(params * params)


def view_returned(params, e):
    v = params[1:5]
    v *= e.ravel()
    return np.sum(np.exp(v))


def view_in_a_branch(params, e):
    v = params[:4]
    if np.sum(params) > 0.0:
        v -= e.ravel()
    else:
        v *= 2.0
    return np.sum(params ** 2)


def view_made_in_a_branch(params, e):
    if params[0] > 0.0:
        v = params[:4]
        v -= e.ravel()
        s = np.sum(params)
    else:
        s = np.sum(params ** 2)
    return s * np.sum(params)


def updates_in_a_loop(params, e):
    v = params[:4]
    for k in range(3):
        v *= 1.0 + 0.1 * k
        v -= e.ravel() * params[4]
    return np.sum(params ** 2)


def views_made_in_a_loop(m, e):
    for i in range(3):
        row = m[i]
        row *= e[0, 0] + i
        row[1:3] -= e[1]
    return np.sum(m ** 2)


def rows_of_the_argument(m, e):
    for row in m:
        row -= np.mean(row)
        row *= e[0, 1]
    return np.sum(m ** 3)


def updates_in_a_while(params, e):
    v = params[2:]
    k = 0
    while np.max(np.abs(v)) > 0.5 and k < 4:
        v *= 0.5 + e[0, 0] * 0.1
        k = k + 1
    return np.sum(params ** 2)


def view_of_a_local(params, e):
    a = np.sin(params)
    v = a.reshape(3, 2)
    v[:, 0] -= e[:, 0].sum()
    return np.sum(a ** 2) + np.sum(params)


def masked_view_store(params, e):
    v = params[1:]
    v[v > 0.4] = e[0, 0]
    return np.sum(params * params)


def add_at_on_a_view(params, e):
    v = params[:4]
    np.add.at(v, np.array([0, 0, 2]), np.ravel(e)[:3])
    return np.sum(params ** 2)


def view_changed_by_its_root(params, e):
    v = params[:4]
    v -= e.ravel()
    params *= 2.0
    return np.sum(params ** 2)


VIEWS = [reshape_of_a_slice, reshape_all, reshape_method, transposed, ravelled,
         squeezed_and_expanded, view_of_a_view, view_read_after, view_returned, view_in_a_branch,
         view_made_in_a_branch, updates_in_a_loop, updates_in_a_while, view_of_a_local,
         masked_view_store, add_at_on_a_view, view_changed_by_its_root]
MATRIX_VIEWS = [permuted, basic_slices, row_and_column, views_made_in_a_loop,
                rows_of_the_argument]

CASES = [pytest.param(f, (X, 0.7), id=f.__name__) for f in WHOLE] + \
    [pytest.param(add_at_2d, (M, 0.7), id="add_at_2d")] + \
    [pytest.param(f, (X, E), id=f.__name__) for f in VIEWS] + \
    [pytest.param(f, (M, E), id=f.__name__) for f in MATRIX_VIEWS] + \
    [pytest.param(view_made_in_a_branch, (-X, E), id="view_made_in_a_branch_else")]


@pytest.mark.parametrize("fn, args", CASES)
@pytest.mark.parametrize("wrt", [0, 1])
def test_reverse_mode(fn, args, wrt):
    check_grad(fn, args, wrt=wrt)


@pytest.mark.parametrize("fn, args", CASES)
@pytest.mark.parametrize("wrt", [0, 1])
def test_forward_mode(fn, args, wrt):
    check_jvp(fn, args, wrt=wrt)


@pytest.mark.parametrize("fn, args", CASES)
def test_check_grad_both_modes(fn, args):
    srcad.check_grad(fn, wrt=(0, 1), modes=("reverse", "forward"))(*fresh(args))


def test_the_top_example_was_a_wrong_gradient():
    """The update through the view changes params: the gradient is 2 * (params - e)."""
    g = srcad.grad(reshape_of_a_slice)(X.copy(), E)
    want = 2 * X
    want[:4] -= 2 * E.ravel()
    assert_close(g, want)
    value, _ = srcad.jvp(reshape_of_a_slice)(X.copy(), E, np.ones(6))
    assert value == reshape_of_a_slice(X.copy(), E)


@pytest.mark.parametrize("fn, args", CASES)
@pytest.mark.parametrize("transform", ["grad", "value_and_grad", "vjp", "jvp", "jacobian"])
def test_the_callers_arrays_are_left_unchanged(fn, args, transform):
    """A derived function computes what the original computes, but never changes the arrays
    it is given (the original may: ``v -= e`` on a view of an argument)."""
    given = fresh(args)
    kept = fresh(args)
    if transform == "grad":
        srcad.grad(fn, wrt=(0, 1))(*given)
    elif transform == "value_and_grad":
        srcad.value_and_grad(fn)(*given)
    elif transform == "vjp":
        srcad.vjp(fn)(*given, 1.0)
    elif transform == "jvp":
        srcad.jvp(fn, wrt=(0, 1))(*given, *fresh(args))
    else:
        srcad.jacobian(fn, mode="forward")(*given)
    for a, b in zip(given, kept):
        assert np.array_equal(a, b)


def test_repeated_indices_follow_numpy():
    """``a[i] += v`` keeps one update per repeated index; ``np.add.at`` adds them all."""
    a = X.copy()
    a[IDX] += 0.7 * np.arange(5.0)
    assert a[1] == X[1] + 0.7 * 3.0
    value, (gx, ge) = srcad.value_and_grad(repeated_index_add, wrt=(0, 1))(X, 0.7)
    assert value == repeated_index_add(X, 0.7)
    assert ge == pytest.approx(2 * (a[1] * 3.0 + a[3] * 2.0 + a[0] * 4.0))
    b = X.copy()
    np.add.at(b, IDX, 0.7 * np.arange(5.0))
    assert b[1] == pytest.approx(X[1] + 0.7 * (0.0 + 1.0 + 3.0))
    assert srcad.value_and_grad(add_at)(X, 0.7)[0] == add_at(X.copy(), 0.7)


def test_add_at_keeps_the_dtype():
    def count(x, idx):
        counts = np.zeros(3, dtype=int)
        np.add.at(counts, idx, 1)
        return np.sum(x * counts)
    idx = np.array([0, 2, 2])
    assert srcad.value_and_grad(count)(np.ones(3), idx) == (3.0, pytest.approx([1.0, 0.0, 2.0]))
    x32 = X.astype(np.float32)
    g = srcad.grad(add_at)(x32, 0.7)
    assert g.dtype == np.float32


def test_generated_source_writes_the_change_back():
    df = srcad.grad(reshape_of_a_slice)
    df(X, E)
    text = srcad.source(df)
    assert "params[:4] = np.reshape(v, np.shape(params_item))" in text
    assert "require_view(v, params_item," in text    # (astor may wrap the file name)
    jf = srcad.jvp(rows_of_the_argument)
    jf(M, E, M)
    text = srcad.source(jf)
    assert text.splitlines()[1].strip() == "m = copied(m)"    # forward mode: the caller's is kept
    assert "m[i] = row" in text


@pytest.mark.parametrize("fn, args", [(whole_array_updates, (X, 0.7)), (square_itself, (X, 0.7)),
                                      (add_at, (X, 0.7)), (add_at_in_a_loop, (X, 0.7))])
def test_second_order_without_element_stores(fn, args):
    srcad.check_grad(fn, wrt=(0, 1), modes=("reverse", "forward"), order=2)(*fresh(args))


@pytest.mark.parametrize("fn", [reshape_of_a_slice, masked_view_store, rows_of_the_argument])
def test_second_order_through_the_write_back(fn):
    """The first derivative's element stores read as pure updates (stored_at), its
    write-backs through views as the updates that keep the array in step."""
    args = (M, E) if fn is rows_of_the_argument else (X, E)
    srcad.check_grad(fn, wrt=(0, 1), modes=("reverse", "forward"), order=2)(*fresh(args))
    h = srcad.hessian(fn)(*fresh(args))
    assert_close(h, srcad.jacobian(srcad.grad(fn))(*fresh(args)))


# ---- refused: what srcad cannot follow ---------------------------------------------------------
G = np.arange(4.0)


def sibling_view_read(params, e):
    a = params[:3]
    b = params[2:]
    a -= e
    return np.sum(b ** 2)


def alias_of_the_argument(params, e):
    z = np.asarray(params)
    z -= e
    return np.sum(params ** 2)


def split_piece(params, e):
    head = np.split(params, 2)[0]
    head -= e
    return np.sum(params ** 2)


def read_only_diagonal(m, e):
    d = np.diagonal(m)
    d += e
    return np.sum(m ** 2)


def broadcast_view(params, e):
    b = np.broadcast_to(params, (2, 6))
    b *= e
    return np.sum(params)


def view_of_a_global(params, e):
    v = G[1:3]
    v -= e
    return np.sum(G * params[:4])


def root_changed_then_view_read(params, e):
    v = params[:4]
    params -= e
    return np.sum(v ** 2)


def view_from_one_of_two_branches(params, e):
    if e > 0.0:
        v = params[:3]
    else:
        v = params[3:]
    v -= e
    return np.sum(params ** 2)


def subtract_at(params, e):
    np.subtract.at(params, np.array([0, 0]), e)
    return np.sum(params ** 2)


@pytest.mark.parametrize("fn, arg, text, words, hint", [
    (sibling_view_read, X, "return np.sum(b", "'b': it may share memory with 'a'", "copy"),
    (alias_of_the_argument, X, "return np.sum(params", "it may share memory with 'z'", "copy"),
    (split_piece, X, "return np.sum(params", "it may share memory with 'head'", "copy"),
    (read_only_diagonal, M, "d += e", "read-only view of 'm' (NumPy raises here)", "copy"),
    (broadcast_view, X, "b *= e", "read-only view of 'params'", "copy"),
    (view_of_a_global, X, "v -= e", "a view of 'G', a global or closure array", "copy"),
    (root_changed_then_view_read, X, "return np.sum(v", "'v': it may share memory with "
                                                       "'params'", "copy"),
    (view_from_one_of_two_branches, X, "return np.sum(params", "it may share memory with 'v'",
     "copy"),
    (subtract_at, X, "np.subtract.at", "the call at whose result is discarded", "new value"),
])
@pytest.mark.parametrize("transform", ["grad", "jvp"])
def test_refused_at_the_line(fn, arg, text, words, hint, transform):
    lines, start = inspect.getsourcelines(fn)
    line = start + next(i for i, t in enumerate(lines) if text in t)
    with pytest.raises(srcad.SrcadError) as info:
        if transform == "grad":
            srcad.grad(fn)(arg.copy(), 0.7)
        else:
            srcad.jvp(fn)(arg.copy(), 0.7, arg.copy())
    message = str(info.value)
    assert re.match(rf"^.+test_inplace_arrays\.py:{line}: ", message), message
    assert words in message
    assert re.search(rf"hint: .*{hint}", message), message


def ravel_of_a_matrix(m, e):
    v = m.ravel()
    v -= e[0, 0]
    return np.sum(m ** 2)


def test_ravel_of_a_matrix_writes_back():
    check_grad(ravel_of_a_matrix, (M, E))
    check_jvp(ravel_of_a_matrix, (M, E))


@pytest.mark.parametrize("transform", ["grad", "jvp"])
def test_a_ravel_that_copies_is_refused_when_called(transform):
    """``ravel`` (or ``np.reshape``) of an array it cannot view returns a copy, and ``v -= e``
    then leaves the original alone: srcad wrote the change back, assuming a view, so the
    derived function raises instead."""
    m = M.T                                          # not C-contiguous: ravel copies
    assert not np.may_share_memory(m.ravel(), m)
    lines, start = inspect.getsourcelines(ravel_of_a_matrix)
    line = start + next(i for i, t in enumerate(lines) if "v -= e" in t)
    with pytest.raises(srcad.SrcadError) as info:
        if transform == "grad":
            srcad.grad(ravel_of_a_matrix)(m, E)
        else:
            srcad.jvp(ravel_of_a_matrix)(m, E, m)
    message = str(info.value)
    assert re.match(rf"^.+test_inplace_arrays\.py:{line}: cannot differentiate this change in "
                    rf"place: np.reshape or ravel made a copy", message), message
    assert "hint: " in message


# ---- adversarial: each is right (against NumPy and FD) or refused ------------------------------
def old_view_read_by_the_reverse_sweep(x, e):
    a = np.sin(x)
    b = a[1:4]
    y = np.sum(b ** 3)              # the reverse sweep needs b as it was here
    v = a[:3]
    v *= e
    return y + np.sum(a ** 2)


def view_of_a_constant_read_by_the_reverse_sweep(x, c):
    y = c * 1.0
    z = y[1:3]
    s = np.sum(z * x[1:3])          # the reverse sweep reads z after y[1] changed
    y[1] = 5.0
    return s + y[0]


def overlapping_read(x, e):
    v = x[1:]
    v -= x[:-1] * e                 # NumPy reads x[:-1] as it was before the update
    return np.sum(x ** 2)


def boolean_selection_is_a_copy(x, e):
    v = x[x > 0.0]
    v -= e                          # changes the copy only
    return np.sum(x ** 2) + np.sum(v)


def scalar_element_is_a_copy(x, e):
    v = x[2]
    v -= e
    return np.sum(x ** 2) + v


def overlapping_views_in_a_loop(x, e):
    for i in range(3):
        v = x[i:i + 2]
        v += e * x[5]
    return np.sum(x ** 2)


def loop_with_break(x, e):
    v = x[:3]
    for k in range(5):
        v *= e
        if np.sum(v) > 10.0:
            break
    return np.sum(x ** 2)


ADVERSARIAL = [old_view_read_by_the_reverse_sweep, overlapping_read, boolean_selection_is_a_copy,
               scalar_element_is_a_copy, overlapping_views_in_a_loop, loop_with_break]


@pytest.mark.parametrize("fn", ADVERSARIAL + [view_of_a_constant_read_by_the_reverse_sweep],
                         ids=lambda f: f.__name__)
@pytest.mark.parametrize("e", [0.7, -0.6])
def test_adversarial(fn, e):
    args = (X, X * 0.5 + 0.1) if fn is view_of_a_constant_read_by_the_reverse_sweep else (X, e)
    srcad.check_grad(fn, wrt=(0, 1), modes=("reverse", "forward"))(*fresh(args))
    check_grad(fn, args)
    check_jvp(fn, args)


def stale_view_stored_into(x):
    y = x * 1.0
    z = y[:2]
    y[0] = 5.0
    z[1] = 3.0                      # keeps z[0], which y[0] = 5.0 changed
    return np.sum(z * x[:2])


def sibling_stored_into(x, e):
    p = x[0:4]
    a = p[0:2]
    v = p[1:3]
    a += e
    v[1] = 2.0 * e
    return np.sum(x ** 2)


def piece_of_a_list(x, e):
    parts = [x[:3], x[3:]]
    p = parts[0]
    p *= e
    return np.sum(x ** 2)


@pytest.mark.parametrize("fn, args, text", [
    (stale_view_stored_into, (X,), "z[1] = 3.0"),
    (sibling_stored_into, (X, 0.7), "v[1] = 2.0 * e"),
    (piece_of_a_list, (X, 0.7), "return np.sum(x"),
])
def test_adversarial_refused(fn, args, text):
    lines, start = inspect.getsourcelines(fn)
    line = start + next(i for i, t in enumerate(lines) if text in t)
    for transform in (srcad.grad, srcad.value_and_grad):
        with pytest.raises(srcad.SrcadError, match=rf"test_inplace_arrays\.py:{line}: cannot "
                                                   rf"differentiate this use of .* it may share "
                                                   rf"memory with"):
            transform(fn)(*fresh(args))


def ufunc_out(x, e):
    y = x * 1.0
    np.multiply(y, e, out=y)
    v = y[1:4]
    np.add(v, x[:3], out=v)
    return np.sum(y ** 2)


def reduction_out(x, e):
    y = np.zeros(1)
    np.sum(x * e, axis=0, keepdims=True, out=y)
    return np.sum(y ** 2)


def bump(a, e):
    np.add.at(a, np.array([0, 0]), e)
    return np.sum(a)


def helper_adds_at_its_argument(x, e):
    s = bump(x, e)
    return s + np.sum(x ** 2)


def test_ufunc_out_is_a_change_in_place():
    check_grad(ufunc_out, (X, 0.7), wrt=(0, 1))
    check_jvp(ufunc_out, (X, 0.7), wrt=(0, 1))


@pytest.mark.parametrize("fn, text, words", [
    (reduction_out, "np.sum(x * e", "the call sum whose result is discarded"),
    (helper_adds_at_its_argument, "s = bump(x, e)", "it changes its argument 'a' in place"),
])
def test_other_calls_in_place_are_refused(fn, text, words):
    lines, start = inspect.getsourcelines(fn)
    line = start + next(i for i, t in enumerate(lines) if text in t)
    with pytest.raises(srcad.SrcadError) as info:
        srcad.grad(fn)(X.copy(), 0.7)
    assert re.match(rf"^.+test_inplace_arrays\.py:{line}: .*{words}", str(info.value))
    assert "hint: " in str(info.value)


def read_only_view_alone(m, e):
    d = np.diagonal(m)
    d *= e
    return np.sum(d)


def view_of_a_global_alone(params, e):
    v = G.T[1:3]
    v -= e
    return np.sum(v * params[:2])


@pytest.mark.parametrize("fn, arg, words", [
    (read_only_view_alone, M, "read-only view of 'm'"),
    (view_of_a_global_alone, X, "a global or closure array"),
])
def test_refused_even_when_the_array_is_not_read_again(fn, arg, words):
    """NumPy raises on the first; the second changes a global, which srcad would not."""
    with pytest.raises(srcad.SrcadError, match=words):
        srcad.grad(fn)(arg.copy(), 0.7)


# ---- an argument changed in place that shares memory with another one ----------------------
def scale_first_then_dot(a, b):
    a[0] = a[0] * 3.0
    return np.sum(a * b)


def dot_only(a, b):
    return np.sum(a * b)


@pytest.mark.parametrize("transform", ["grad", "value_and_grad", "jvp"])
def test_an_argument_changed_in_place_may_not_share_memory_with_another(transform):
    x = np.array([1.0, 2.0, 3.0])
    d = getattr(srcad, transform)(scale_first_then_dot, wrt=(0, 1))
    extra = (np.ones(3), np.ones(3)) if transform == "jvp" else ()
    d(x.copy(), x.copy(), *extra)          # separate arrays: fine, and remembered
    for b in (x, x[::-1], x.reshape(1, 3)[0]):      # the array itself, or views of it
        with pytest.raises(srcad.UsageError, match="shares memory with the argument 'b'"):
            d(x, b, *extra)
    assert np.array_equal(x, [1.0, 2.0, 3.0])


def test_arguments_that_share_memory_are_fine_when_none_is_changed():
    x = np.array([1.0, 2.0, 3.0])
    da, db = srcad.grad(dot_only, wrt=(0, 1))(x, x)
    assert np.allclose(da, x) and np.allclose(db, x)


# ---- a helper that changes an argument in place, its result not differentiated --------------
def fill_first(buf, v):
    buf[0] = v * 2.0
    return 0.0


def fills_a_buffer(x):
    buf = np.zeros(3)
    unused = fill_first(buf, x)         # the result is not read; buf now depends on x
    return np.sum(buf) * x


def fills_a_buffer_and_reads_the_flag(x):
    buf = np.zeros(3)
    flag = fill_first(buf, x)
    return np.sum(buf) * x + flag


@pytest.mark.parametrize("fn", [fills_a_buffer, fills_a_buffer_and_reads_the_flag])
@pytest.mark.parametrize("transform", ["grad", "jvp"])
def test_a_helper_changing_an_argument_in_place_is_refused_even_when_its_result_is_unused(
        fn, transform):
    d = getattr(srcad, transform)(fn)
    with pytest.raises(srcad.SrcadError, match=r"changes its argument 'buf' in place \(line"):
        d(1.5, 1.0) if transform == "jvp" else d(1.5)


def shrink_in_place(a):
    a /= 2.0 + np.sin(a)
    return 0.0


def calls_shrink(s):
    out = np.sin(s)
    shrink_in_place(s)
    return out * 1.0


def calls_shrink_and_keeps_the_result(s):
    t = np.sin(s)
    u = shrink_in_place(s)
    return t + u


@pytest.mark.parametrize("fn", [calls_shrink, calls_shrink_and_keeps_the_result])
def test_a_helper_dividing_a_0d_array_in_place_is_refused(fn):
    """``a /= c`` changes a 0-d array in place (a float it rebinds): the reverse sweep would
    read the changed value (fuzz 21:19's np.tensordot result passed to a helper)."""
    with pytest.raises(srcad.SrcadError, match=r"in place"):
        srcad.grad(fn)(np.array(0.3))


def test_a_helper_dividing_a_float_in_place_rebinds_it():
    assert np.isclose(srcad.grad(calls_shrink_and_keeps_the_result)(0.3), np.cos(0.3))


def halve_and_square(a):
    for _ in range(2):
        a /= 2.0 + np.sin(a)
    return a * a


def contracts_then_calls(v, m):
    c = np.vstack([v, m])
    t = halve_and_square(np.tensordot(m, c[:2]))     # a 0-d ndarray, fresh
    return t * 1.0


def test_a_helper_dividing_a_contraction_in_place_is_refused_when_differentiated():
    """Fuzz 21:19: the helper's result carries the derivative and its argument, a full
    contraction (a 0-d ndarray), is changed in place: the reverse sweep would read the changed
    value, so srcad refuses, where it gave a gradient 8x too large."""
    m = np.array([[0.5, 1.0, 0.2], [1.3, -0.5, -1.3]])
    with pytest.raises(srcad.SrcadError, match=r"changes its argument 'a' in place"):
        srcad.grad(contracts_then_calls)(np.array([0.6, -0.3, 1.2]), m)
    with pytest.raises(srcad.SrcadError, match=r"changes its argument 'a' in place"):
        srcad.jvp(contracts_then_calls)(np.array([0.6, -0.3, 1.2]), m, np.ones(3))
