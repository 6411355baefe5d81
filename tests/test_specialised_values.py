"""What the values of a call let the specialised source leave out, and that it stays right
when the next call's values differ: exact shapes and container structures first, the general
version once they vary (design §2, "Specialise on what the call fixes")."""
import re

import numpy as np
import pytest

import shape_globals_mod
import srcad
from oracle import check_grad, check_jvp, numeric_grad


def numerical_grad(f, x):
    return numeric_grad(f, (x,), 0)

RUNTIME_GUARDS = ("unbroadcast", "add_seq", "assert_scalar", "shape_of")


def product_sum(x, y):
    return np.sum(x * y)


def test_same_shapes_need_no_unbroadcast():
    x, y = np.arange(1.0, 4.0), np.arange(4.0, 7.0)
    src = srcad.source(srcad.grad(product_sum, wrt=(0, 1)), x, y)
    assert "unbroadcast" not in src


@pytest.mark.parametrize("shapes", [[(3,), (3,), (1,), (3,)], [(2, 3), (2, 3), (2, 1), (1, 3)]])
def test_a_broadcast_after_an_exact_call_is_summed_back(shapes):
    """The first call fixes shapes (no unbroadcast); a later call of the same ranks that
    broadcasts must not reuse that source."""
    rs = np.random.RandomState(0)
    dfn = srcad.grad(product_sum, wrt=(0, 1))
    pairs = [(rs.randn(*shapes[0]), rs.randn(*shapes[1])), (rs.randn(*shapes[2]),
                                                           rs.randn(*shapes[3]))]
    for _ in range(2):      # twice each: the fast path of a repeated call too
        for x, y in pairs + pairs[::-1]:
            dx, dy = dfn(x, y)
            assert dx.shape == x.shape and dy.shape == y.shape
            assert np.allclose(dx, np.sum(np.broadcast_to(y, np.broadcast(x, y).shape), axis=tuple(
                i for i in range(len(x.shape)) if x.shape[i] == 1 and y.shape[i] != 1),
                keepdims=True).reshape(x.shape))
            assert np.allclose(dy, numerical_grad(lambda v: product_sum(x, v), y))


def newton(a, targets):
    total = 0.0
    for k in range(len(targets)):
        c = targets[k]
        y = 1.0
        step = 1.0
        while abs(step) > 1e-12:
            step = (y * y * y + a * y - c) / (3.0 * y * y + a)
            y = y - step
        total = total + y * y
    return total


def test_a_list_of_floats_gives_scalar_code():
    src = srcad.source(srcad.grad(newton), 2.0, [1.0, 2.0, 3.0])
    for guard in RUNTIME_GUARDS:
        assert guard not in src, src


@pytest.mark.parametrize("targets", [[1.0, 2.0, 3.0], [0.5, 1.5], [1.0, 2, 3.5],
                                     [np.float64(1.0), 2.0], (1.0, 4.0, 2.0)])
def test_lists_that_vary_keep_the_gradient_right(targets):
    dfn = srcad.grad(newton)
    for ts in ([1.0, 2.0, 3.0], targets, [1.0, 2.0, 3.0], targets):
        g = dfn(2.0, ts)
        assert np.isclose(g, numerical_grad(lambda a: newton(a, ts), 2.0), rtol=1e-6)


def test_an_array_in_a_list_of_floats_is_not_taken_for_a_float():
    def weighted(w, parts):
        total = 0.0
        for i in range(len(parts)):
            total = total + w * parts[i]
        return np.sum(total * total)
    dfn = srcad.grad(weighted)
    for parts in ([1.0, 2.0], [1.0, np.array([1.0, 2.0])], [1.0, 2.0]):
        assert np.isclose(dfn(0.7, parts), numerical_grad(lambda w: weighted(w, parts), 0.7))


def rnn(Wx, Wh, b, xs):
    h = np.zeros(Wh.shape[0])
    for t in range(len(xs)):
        h = np.tanh(xs[t] @ Wx + h @ Wh + b)
    return np.sum(h)


def test_values_read_again_from_an_unchanged_container_are_not_saved():
    rs = np.random.RandomState(1)
    args = (rs.randn(3, 4), rs.randn(4, 4) * 0.5, rs.randn(4), rs.randn(6, 3))
    src = srcad.source(srcad.grad(rnn), *args)
    forward, reverse = src.split("# reverse sweep")
    assert "xs_item" not in forward and "xs[t]" in forward and "xs[t]" in reverse, src
    assert "= None" not in src and "shape_of" not in src and "unbroadcast" not in src, src
    g = srcad.grad(rnn)(*args)
    assert np.allclose(g, numerical_grad(lambda W: rnn(W, *args[1:]), args[0]))


def test_a_container_changed_in_the_loop_is_saved():
    def drift(x, xs):
        total = 0.0
        for t in range(len(xs)):
            v = xs[t]
            xs[t] = v * x
            total = total + v * x * xs[t - 1]
        return total
    xs = [0.5, -1.0, 2.0, 0.25]
    g = srcad.grad(drift)(0.7, list(xs))
    assert np.isclose(g, numerical_grad(lambda x: drift(x, list(xs)), 0.7))


def test_index_arithmetic_is_recomputed_not_saved():
    def smooth(x, c):
        for i in range(1, x.shape[0]):
            x[i] = x[i] + c * x[i - 1]
        return np.sum(x * x)
    x = np.linspace(0.1, 1.0, 6)
    src = srcad.source(srcad.grad(smooth), x.copy(), 0.5)
    assert "stack.append(i_minus_1)" not in src and "= None" not in src, src
    g = srcad.grad(smooth)(x.copy(), 0.5)
    assert np.allclose(g, numerical_grad(lambda v: smooth(v.copy(), 0.5), x))


def lotka_volterra(u, v, alpha, beta, delta, gamma):
    return alpha * u - beta * u * v, delta * u * v - gamma * v


def rk4(alpha, beta, delta, gamma, u0, v0, dt, n):
    u, v = u0, v0
    for i in range(n):
        k1u, k1v = lotka_volterra(u, v, alpha, beta, delta, gamma)
        k2u, k2v = lotka_volterra(u + 0.5 * dt * k1u, v + 0.5 * dt * k1v, alpha, beta, delta,
                                  gamma)
        k3u, k3v = lotka_volterra(u + 0.5 * dt * k2u, v + 0.5 * dt * k2v, alpha, beta, delta,
                                  gamma)
        k4u, k4v = lotka_volterra(u + dt * k3u, v + dt * k3v, alpha, beta, delta, gamma)
        u = u + dt / 6.0 * (k1u + 2.0 * k2u + 2.0 * k3u + k4u)
        v = v + dt / 6.0 * (k1v + 2.0 * k2v + 2.0 * k3v + k4v)
    return u * v


def test_a_loop_body_saves_its_own_values_in_one_place():
    args = (1.1, 0.4, 0.1, 0.4, 10.0, 5.0, 0.01, 7)
    src = srcad.source(srcad.grad(rk4), *args)
    assert "= None" not in src and "unbroadcast" not in src, src
    for w in range(4):
        g = srcad.grad(rk4, wrt=w)(*args)
        assert np.isclose(g, numerical_grad(
            lambda p: rk4(*args[:w], p, *args[w + 1:]), args[w]), rtol=1e-6)
    hv = srcad.hessian(rk4, wrt=0)(*args)
    assert np.isclose(hv, numerical_grad(lambda p: srcad.grad(rk4)(p, *args[1:]), args[0]),
                      rtol=1e-5)


def test_a_value_carried_to_the_next_trip_is_still_saved():
    def carried(x, n):
        t = 0.0
        y = 0.0
        for i in range(n):
            y = y + t * x
            t = np.sin(x * i)
        return y
    g = srcad.grad(carried)(0.3, 5)
    assert np.isclose(g, numerical_grad(lambda x: carried(x, 5), 0.3))


def rosenbrock(x):
    a = x[1:] - x[:-1] ** 2
    b = 1.0 - x[:-1]
    return np.sum(100.0 * a ** 2 + b ** 2)


def test_no_expression_is_evaluated_only_for_its_shape():
    x = np.random.RandomState(3).randn(10)
    src = srcad.source(srcad.grad(rosenbrock), x)
    reverse = src.split("# reverse sweep")[1]
    for call in reverse.split("unreduce(")[1:]:
        assert "**" not in call.split(")")[0], src
    assert "unreduce" not in reverse, src    # every use broadcasts the scalar cotangent anyway
    assert np.allclose(srcad.grad(rosenbrock)(x), numerical_grad(rosenbrock, x))


def test_second_order_of_a_specialised_loop():
    rs = np.random.RandomState(4)
    args = (rs.randn(3, 4), rs.randn(4, 4) * 0.5, rs.randn(4), rs.randn(5, 3))
    v = rs.randn(3, 4)
    hvp = srcad.hvp(rnn)(*args, v)
    fd = (srcad.grad(rnn)(args[0] + 1e-5 * v, *args[1:]) -
          srcad.grad(rnn)(args[0] - 1e-5 * v, *args[1:])) / 2e-5
    assert np.allclose(hvp, fd, atol=1e-6)


def test_slices_that_differ_only_in_where_the_bound_is_stay_apart():
    """x[2:] and x[:2] once looked the same to the tree fingerprint: their adjoints were
    merged into one slice."""
    def halves(x):
        a = x[2:] * 2.0
        b = x[:2] * 2.0
        return np.sum(a * a) + np.sum(b)
    x = np.arange(4.0)
    assert np.allclose(srcad.grad(halves)(x), numerical_grad(halves, x))


def layers(params, x):
    for W, b in params:
        z = x @ W
        x = np.tanh(z + b)
    return np.sum(x ** 2)


def test_a_users_name_never_holds_a_shape():
    """The second layer's bias has one entry: ``z + b`` widens nothing there, but it would if
    it had one column (srcad cannot tell, so it keeps z's shape, named for people)."""
    rs = np.random.RandomState(5)
    params = [(rs.randn(4, 3), rs.randn(3)), (rs.randn(3, 2), rs.randn(1))]
    x = rs.randn(5, 4)
    src = srcad.source(srcad.grad(layers), params, x)
    assert "shape_of(z)" in src and "z_shape = stack.pop()" in src, src
    assert not re.search(r"^\s*z = stack\.pop\(\)", src, re.M), src
    g = srcad.grad(layers)(params, x)
    for (gW, gb), (W, b) in zip(g, params):
        for grad, value in ((gW, W), (gb, b)):
            def f(v, value=value):
                saved = value.copy()
                value[...] = v
                out = layers(params, x)
                value[...] = saved
                return out
            assert np.allclose(grad, numerical_grad(f, value.copy()), atol=1e-6)


# ---- dimensions named across a list's elements ------------------------------------------------
def layer_params(rs, sizes):
    return [(rs.randn(m, k), rs.randn(k)) for m, k in zip(sizes[:-1], sizes[1:])]


def test_a_bias_that_matches_its_layer_needs_no_shape():
    """Each layer's ``b`` has as many entries as its ``W`` has columns (a different number per
    layer): ``z + b`` then widens nothing, so z's shape is neither saved nor used."""
    rs = np.random.RandomState(6)
    params, x = layer_params(rs, [4, 3, 2]), rs.randn(5, 4)
    src = srcad.source(srcad.grad(layers), params, x)
    assert "shape" not in src and "unbroadcast(dz_plus_b, z" not in src, src
    check_layer_grads(layers, params, x)


def mixes_layers(params, x):
    out = 0.0
    for i in range(len(params)):
        W, b = params[i]
        if i > 0:
            y = x @ W_before + b        # this layer's bias, the previous layer's weights
            out = out + np.sum(y ** 2)
        W_before = W
    return out


def last_layer_kept(params, x):
    for i in range(len(params)):
        W, b = params[i]
        if i == 0:
            first = W
        out = x @ W + b
    return np.sum(x @ first + b) + np.sum(out ** 2)


@pytest.mark.parametrize("fn, params", [
    (mixes_layers, [(np.ones((4, 1)) * 0.3, np.full(1, 0.2)), (np.ones((4, 3)) * 0.1,
                                                               np.arange(3.0))]),
    (last_layer_kept, [(np.ones((4, 1)) * 0.3, np.full(1, 0.2)), (np.ones((4, 3)) * 0.1,
                                                                  np.arange(3.0))]),
])
def test_a_value_from_another_iteration_does_not_share_the_named_dimension(fn, params):
    """``W_before`` and ``first`` hold an earlier layer's weights where this layer's ``b`` is
    added: their columns (1) and b's entries (3) differ, though one name covers both in the
    list. The values of names a loop carries lose their named dimensions, so the bias's sum
    over the broadcast axis stays."""
    check_layer_grads(fn, params, np.random.RandomState(7).randn(5, 4))


def check_layer_grads(fn, params, x, h=1e-6):
    """grad wrt the list of (W, b) and x vs central differences, entry by entry; x's by jvp."""
    check_grad(fn, (params, x), wrt=1)
    check_jvp(fn, (params, x), wrt=1)
    got = srcad.grad(fn)(params, x)
    for (gW, gb), (W, b) in zip(got, params):
        for g, a in ((gW, W), (gb, b)):
            assert g.shape == a.shape
            for k in np.ndindex(*a.shape):
                old = a[k]
                a[k] = old + h
                up = fn(params, x)
                a[k] = old - h
                down = fn(params, x)
                a[k] = old
                assert np.isclose(g[k], (up - down) / (2 * h), rtol=1e-6, atol=1e-6), (k, g, a)


def test_a_rebound_global_that_gave_a_helpers_result_its_shape_makes_the_derivative_again(
        monkeypatch):
    """``project(x) + b`` widens nothing while W has one column, as b does; after W is rebound
    to 2 columns it does, and the derivative made for the old W (no sum over b's broadcast
    axis) must not be reused: its result's shape came from W, through the helper."""
    x, b = np.array([[0.3, -0.2, 0.5], [0.1, 0.4, -0.6]]), np.array([[0.2], [-0.1]])
    m = shape_globals_mod
    d = srcad.grad(m.loss, wrt=1)
    check_grad(m.loss, (x, b), wrt=1)
    d(x, b)
    d(x, b)                                 # the fast path is set
    monkeypatch.setattr(m, "W", np.ones((3, 2)) * 0.5)
    check_grad(m.loss, (x, b), wrt=1)
    assert d(x, b).shape == b.shape
    assert np.allclose(d(x, b), srcad.grad(m.loss, wrt=1)(x, b))
