"""The public API: gradient types, shapes and dtypes; decorator forms; ``wrt`` by index, name,
tuple and a mix; vjp (dot-product test); srcad.source; the cache."""
import ast
import importlib
import importlib.util
import math
import sys
import textwrap

import numpy as np
import pytest

import programs
import srcad
from oracle import assert_close, assert_matches_arg, check_grad, check_vjp, numeric_grad


def f_mixed(x, v, n, y):
    s = 0.0
    for i in range(n):
        s = s + np.sum(np.sin(v) * x) * y ** i
    return s


def f_array(v):
    return np.sum(np.tanh(v) * v) + np.mean(v ** 2)


def f_scalar(x, y):
    return math.sin(x) * y + x ** 3


X64 = 0.7
V64 = np.array([0.3, -0.6, 0.8])
ARGS = (X64, V64, 3, 1.1)


# ---- gradient types, shapes, dtypes ------------------------------------------------------------
def test_float_in_float_out():
    g = srcad.grad(f_scalar)(0.7, 1.2)
    assert type(g) is float
    gx, gy = srcad.grad(f_scalar, wrt=(0, 1))(0.7, 1.2)
    assert type(gx) is float and type(gy) is float
    assert_close(gx, math.cos(0.7) * 1.2 + 3 * 0.7 ** 2, 1e-12, 1e-12)
    assert_close(gy, math.sin(0.7), 1e-12, 1e-12)


def test_float_in_float_out_through_numpy():
    g = srcad.grad(programs.np_on_scalars)(0.7)
    assert type(g) is float


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("shape", [(3,), (2, 3), (1,), ()])
def test_array_in_same_shape_and_dtype_out(dtype, shape):
    v = np.array(np.arange(int(np.prod(shape))) * 0.3 - 0.4, dtype=dtype).reshape(shape)
    assert isinstance(v, np.ndarray) and v.shape == shape
    g = srcad.grad(f_array)(v)
    assert_matches_arg(g, v)
    want = numeric_grad(f_array, [v.astype(np.float64)], 0)
    tol = 1e-5 if dtype == np.float64 else 1e-3
    assert_close(g, want, tol, tol)


def test_float32_array_with_float64_scalar_and_loop():
    v = V64.astype(np.float32)
    gx, gv, gy = srcad.grad(f_mixed, wrt=(0, 1, 3))(X64, v, 3, 1.1)
    assert type(gx) is float and type(gy) is float
    assert isinstance(gv, np.ndarray) and gv.dtype == np.float32 and gv.shape == (3,)
    check_grad(f_mixed, (X64, v, 3, 1.1), (0, 1, 3))


def test_float32_matrix_through_corpus_functions():
    M = programs.M34.astype(np.float32)
    for fn in (programs.reduce_keepdims, programs.softmax_loss, programs.reduce_neg_axis):
        g = check_grad(fn, (M,), 0)
        assert g.dtype == np.float32


def test_gradient_is_a_fresh_writable_array():
    v = V64.copy()
    g = srcad.grad(programs.u_np_sum)(v)
    assert g.flags.writeable
    g[0] = 123.0
    assert srcad.grad(programs.u_np_sum)(v)[0] != 123.0


def test_arguments_are_not_modified():
    v, W = V64.copy(), programs.M23.copy()
    srcad.grad(programs.augassign_array, wrt=(0, 1))(v, 0.7)
    srcad.grad(programs.np_dot, wrt=(0, 1))(W, v)
    assert np.array_equal(v, V64) and np.array_equal(W, programs.M23)


# ---- decorator forms -------------------------------------------------------------------------
@srcad.grad
def dec_plain(x, y):
    return x * x * y


@srcad.grad(wrt=(0, 1))
def dec_tuple(x, y):
    return x * x * y


@srcad.grad(wrt="y")
def dec_name(x, y):
    return x * x * y


@srcad.value_and_grad(wrt=("x", 1))
def dec_value(x, y):
    return x * x * y


@srcad.vjp(wrt=0)
def dec_vjp(v, w):
    return np.sin(v) * w


def test_decorator_plain():
    assert_close(dec_plain(1.5, 2.0), 6.0, 1e-12, 1e-12)


def test_decorator_with_wrt_tuple():
    g = dec_tuple(1.5, 2.0)
    assert isinstance(g, tuple) and len(g) == 2
    assert_close(g, (6.0, 2.25), 1e-12, 1e-12)


def test_decorator_with_wrt_name():
    assert_close(dec_name(1.5, 2.0), 2.25, 1e-12, 1e-12)


def test_decorator_value_and_grad():
    value, (gx, gy) = dec_value(1.5, 2.0)
    assert value == 4.5
    assert_close((gx, gy), (6.0, 2.25), 1e-12, 1e-12)


def test_decorator_vjp():
    v, u = np.array([0.1, 0.4]), np.array([1.0, -2.0])
    assert_close(dec_vjp(v, 3.0, u), u * np.cos(v) * 3.0, 1e-12, 1e-12)


def test_decorated_function_keeps_name():
    assert "dec_plain" in dec_plain.__name__


# ---- wrt forms ----------------------------------------------------------------------------------
@pytest.mark.parametrize("wrt", [0, "x", -4])
def test_wrt_single_index_name_negative(wrt):
    g = srcad.grad(f_mixed, wrt=wrt)(*ARGS)
    assert type(g) is float
    assert_close(g, numeric_grad(f_mixed, list(ARGS), 0))


@pytest.mark.parametrize("wrt", [1, "v", -3])
def test_wrt_array_index_name_negative(wrt):
    g = srcad.grad(f_mixed, wrt=wrt)(*ARGS)
    assert isinstance(g, np.ndarray) and g.shape == V64.shape
    assert_close(g, numeric_grad(f_mixed, list(ARGS), 1))


@pytest.mark.parametrize("wrt", [(0, 1, 3), ("x", "v", "y"), ("x", 1, "y"), (0, "v", -1)])
def test_wrt_tuples_and_mixes(wrt):
    g = srcad.grad(f_mixed, wrt=wrt)(*ARGS)
    assert isinstance(g, tuple) and len(g) == 3
    for gi, i in zip(g, (0, 1, 3)):
        assert_close(gi, numeric_grad(f_mixed, list(ARGS), i))


def test_wrt_order_is_kept():
    g31 = srcad.grad(f_mixed, wrt=("y", "x"))(*ARGS)
    g13 = srcad.grad(f_mixed, wrt=("x", "y"))(*ARGS)
    assert g31 == (g13[1], g13[0])


def test_wrt_one_tuple_gives_one_tuple():
    g = srcad.grad(f_scalar, wrt=(1,))(0.7, 1.2)
    assert isinstance(g, tuple) and len(g) == 1 and type(g[0]) is float
    g = srcad.grad(f_scalar, wrt=["y"])(0.7, 1.2)
    assert isinstance(g, tuple) and len(g) == 1


def test_value_and_grad_wrt_forms():
    value, g = srcad.value_and_grad(f_mixed, wrt=("v", 3))(*ARGS)
    assert_close(value, f_mixed(*ARGS), 1e-12, 1e-12)
    assert isinstance(g, tuple) and len(g) == 2
    value, g = srcad.value_and_grad(f_mixed)(*ARGS)
    assert type(g) is float


def test_wrt_naming_an_int_argument_is_an_error():
    # design.md section 1: wrt must name float or float-array arguments; anything else is a
    # clear TypeError/SrcadError (n is an int used as a loop bound)
    with pytest.raises((TypeError, srcad.SrcadError)):
        srcad.grad(f_mixed, wrt="n")(*ARGS)


def test_wrt_naming_a_string_argument_is_an_error():
    with pytest.raises((TypeError, srcad.SrcadError)) as info:
        srcad.grad(programs.u_np_sum)("abc")
    assert "str" in str(info.value)


# ---- vjp ----------------------------------------------------------------------------------------
def vec_tanh_layer(x, W, b):
    return np.tanh(W @ x + b)


def vec_elementwise(v, y):
    return np.sin(v) * y + v ** 2


def vec_matrix_out(A, v):
    return A * np.sum(v) + np.exp(A) * v


def vec_loop(v, n):
    out = v
    for i in range(n):
        out = np.tanh(out * 1.3) + v
    return out


W = np.array([[0.5, -0.3, 1.2], [0.1, 0.9, -0.7]])
B = np.array([0.2, -0.1])
XV = np.array([0.4, -0.8, 0.5])


@pytest.mark.parametrize("wrt", [0, 1, 2, (0, 1, 2), ("W", "x")])
def test_vjp_dot_product_layer(wrt):
    check_vjp(vec_tanh_layer, (XV, W, B), wrt, np.array([1.0, -2.0]))


@pytest.mark.parametrize("wrt", [0, 1, (0, 1)])
def test_vjp_dot_product_elementwise_with_scalar(wrt):
    check_vjp(vec_elementwise, (XV, 0.7), wrt, np.array([0.3, 1.0, -0.5]))


def test_vjp_dot_product_matrix_output():
    A = np.array([[0.2, 0.3, -0.4], [0.5, -0.6, 0.1], [0.0, 0.3, 0.9]])
    check_vjp(vec_matrix_out, (A, XV), (0, 1), np.arange(9.0).reshape(3, 3) - 4.0)


def test_vjp_dot_product_loop():
    check_vjp(vec_loop, (XV, 3), 0, np.array([0.3, 1.0, -0.5]))


def test_vjp_of_scalar_output_is_scaled_gradient():
    g = srcad.grad(f_scalar, wrt=(0, 1))(0.7, 1.2)
    v = srcad.vjp(f_scalar, wrt=(0, 1))(0.7, 1.2, 2.5)
    assert_close(v, tuple(2.5 * gi for gi in g), 1e-12, 1e-12)


def test_vjp_matches_closed_form():
    u = np.array([1.0, -2.0])
    gx = srcad.vjp(vec_tanh_layer, wrt="x")(XV, W, B, u)
    t = np.tanh(W @ XV + B)
    assert_close(gx, W.T @ (u * (1 - t * t)), 1e-12, 1e-12)


# ---- srcad.source -------------------------------------------------------------------------------
def test_source_is_python_and_deterministic():
    d = srcad.grad(programs.overwrite_scalar, wrt=(0, 1))
    d(0.6, 0.2, 5)
    text = srcad.source(d)
    assert isinstance(text, str) and "def " in text
    ast.parse(text)
    assert srcad.source(d) == text
    d2 = srcad.grad(programs.overwrite_scalar, wrt=(0, 1))
    d2(0.6, 0.2, 5)
    assert srcad.source(d2) == text


def test_source_rejects_non_derived():
    with pytest.raises(TypeError):
        srcad.source(f_scalar)


# ---- cache --------------------------------------------------------------------------------------
def test_same_derived_object_called_twice():
    d = srcad.grad(programs.program_rnn, wrt=(0, 1))
    args = (np.array([0.5, -0.3, 1.2]), 0.4, 5)
    g1 = d(*args)
    g2 = d(*args)
    assert np.array_equal(g1[0], g2[0]) and g1[1] == g2[1]
    assert g1[0] is not g2[0]


def test_same_derived_object_with_different_arguments():
    d = srcad.grad(programs.tuple_fib, wrt=(0, 1))
    a = d(0.9, 1.2, 6)
    b = d(0.5, 0.3, 3)
    c = d(0.9, 1.2, 6)
    assert a == c and a != b
    check_grad(programs.tuple_fib, (0.5, 0.3, 3), (0, 1))


def test_same_derived_object_float_then_array():
    d = srcad.grad(programs.bcast_scalar, wrt=(0, 1))
    g_float = d(0.7, np.array([0.3, -0.4, 0.5]))
    g_arr = d(np.array(0.7), np.array([0.3, -0.4, 0.5]))
    g_float2 = d(0.7, np.array([0.3, -0.4, 0.5]))
    assert type(g_float[0]) is float
    assert isinstance(g_arr[0], np.ndarray) and g_arr[0].shape == ()
    assert_close(g_arr[0], g_float[0], 1e-12, 1e-12)
    assert g_float2[0] == g_float[0]


def test_same_derived_object_array_ranks():
    d = srcad.grad(f_array)
    for v in (V64, programs.M23, np.array(0.5), programs.M23[0]):
        assert_close(d(v), numeric_grad(f_array, [v], 0))


def _load(path, name):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def test_redefined_function_with_same_name_gets_new_gradient(tmp_path):
    path = tmp_path / "srcad_cache_victim.py"
    path.write_text("def f(x):\n    return x ** 2\n")
    importlib.invalidate_caches()
    m1 = _load(path, "srcad_cache_victim")
    assert srcad.grad(m1.f)(3.0) == 6.0
    path.write_text(textwrap.dedent("""\
        import math


        def f(x):
            y = x * x * x
            return 2.0 * y + math.sin(x)
        """))
    importlib.invalidate_caches()
    m2 = _load(path, "srcad_cache_victim")
    assert_close(srcad.grad(m2.f)(3.0), 6.0 * 9.0 + math.cos(3.0), 1e-12, 1e-12)
    # the old function's source is gone from the file: its own gradient or a SrcadError,
    # never the new function's gradient
    try:
        g_old = srcad.grad(m1.f)(3.0)
    except srcad.SrcadError:
        pass
    else:
        assert g_old == 6.0


def test_redefined_function_via_exec_of_module_source(tmp_path):
    path = tmp_path / "srcad_exec_victim.py"
    ns = {}
    for k, (src, want) in enumerate([("def g(x):\n    return x * 5.0\n", 5.0),
                                     ("def g(x):\n    return x * x * 4.0 + 1.0\n", 16.0)]):
        path.write_text(src)
        code = compile(src, str(path), "exec")
        exec(code, ns)
        assert srcad.grad(ns["g"])(2.0) == want, f"version {k}"


def test_non_function_raises_type_error():
    for transform in (srcad.grad, srcad.value_and_grad, srcad.vjp):
        with pytest.raises(TypeError) as info:
            transform(3)
        msg = str(info.value)
        assert "function" in msg and "int" in msg


# ---- the cache must not outlive what the derivative was built from --------------------------
ACT = np.tanh


def uses_global_act(x):
    return np.sum(ACT(x) * x)


def test_rebinding_a_module_level_function_name_gives_the_new_gradient():
    global ACT
    v = np.array([0.5, -0.3, 0.9])
    try:
        ACT = np.tanh
        assert_close(srcad.grad(uses_global_act)(v), (1 - np.tanh(v) ** 2) * v + np.tanh(v),
                     1e-12, 1e-12, what="with ACT = np.tanh")
        ACT = np.sin
        assert_close(srcad.grad(uses_global_act)(v), np.cos(v) * v + np.sin(v),
                     1e-12, 1e-12, what="after rebinding ACT = np.sin")
    finally:
        ACT = np.tanh


def make_switchable():
    act = np.tanh

    def switchable(x):
        return np.sum(act(x) * x)

    def switch(fn):
        nonlocal act
        act = fn
    return switchable, switch


def test_rebinding_a_captured_function_gives_the_new_gradient():
    f, switch = make_switchable()
    v = np.array([0.5, -0.3, 0.9])
    d = srcad.grad(f)
    assert_close(d(v), (1 - np.tanh(v) ** 2) * v + np.tanh(v), 1e-12, 1e-12)
    switch(np.sin)
    assert_close(srcad.grad(f)(v), np.cos(v) * v + np.sin(v), 1e-12, 1e-12,
                 what="new srcad.grad after the captured function changed")
    assert_close(d(v), np.cos(v) * v + np.sin(v), 1e-12, 1e-12,
                 what="same derived object after the captured function changed")


def make_apply(fn):
    def apply_fn(x):
        return fn(x) * x
    return apply_fn


def test_closures_capturing_different_functions():
    for fn, dfn in [(np.sin, np.cos), (np.cos, lambda t: -np.sin(t)), (np.exp, np.exp),
                    (programs._square, lambda t: 2 * t)]:
        g = srcad.grad(make_apply(fn))(0.7)
        assert_close(g, dfn(0.7) * 0.7 + fn(0.7), 1e-12, 1e-12, what=f"captured {fn.__name__}")


def make_mutable():
    scale = 1.0

    def scaled_sq(x):
        return scale * x * x

    def set_scale(v):
        nonlocal scale
        scale = v
    return scaled_sq, set_scale


def test_closure_reads_the_current_value_of_its_cell():
    f, set_scale = make_mutable()
    d = srcad.grad(f)
    assert d(2.0) == 4.0
    set_scale(3.0)
    assert d(2.0) == 12.0
    assert srcad.grad(f)(2.0) == 12.0


def test_module_constant_changed_between_calls():
    old = programs.K
    try:
        d = srcad.grad(programs.uses_module_consts)
        assert_close(d(0.7, programs.OFFSETS * 0.0), 2 * old * 0.7, 1e-12, 1e-12)
        programs.K = 4.0
        assert_close(d(0.7, programs.OFFSETS * 0.0), 2 * 4.0 * 0.7, 1e-12, 1e-12)
    finally:
        programs.K = old


def test_many_exec_redefinitions_never_reuse_a_stale_derivative(tmp_path):
    path = tmp_path / "srcad_exec_many.py"
    for k in range(12):
        src = f"def h(x):\n    return x * {k}.5 + x * x\n"
        path.write_text(src)
        ns = {}
        exec(compile(src, str(path), "exec"), ns)
        assert srcad.grad(ns["h"])(1.0) == k + 0.5 + 2.0, f"version {k}"
        del ns


def test_called_with_keywords_only():
    g = srcad.grad(f_scalar, wrt=("x", "y"))(x=0.7, y=1.2)
    assert g == srcad.grad(f_scalar, wrt=(0, 1))(0.7, 1.2)


def test_unused_and_nondiff_only_arguments_get_zero_gradients():
    v32 = V64.astype(np.float32)
    gx, gy = srcad.grad(programs.unused_argument, wrt=(0, 1))(0.7, 0.4)
    assert (gx, gy) == (2.0, 0.0) and type(gy) is float
    gv = srcad.grad(programs.only_nondiff_use, wrt=1)(0.7, v32)
    assert gv.dtype == np.float32 and gv.shape == (3,) and not np.any(gv)
    g = srcad.grad(programs.constant_return)(0.7)
    assert g == 0.0 and type(g) is float


# ---- parameter structures ------------------------------------------------------------------------
def dict_loss(params, x):
    h = np.tanh(x @ params["W1"] + params["b1"])
    return np.sum((h @ params["W2"]) ** 2)


def tuple_loss(layer, x):
    W, b = layer
    return np.sum(np.sin(x @ W + b))


def _leaf_fd(f, structure, x, get, set_, h=1e-6):
    leaf = get(structure)
    g = np.zeros_like(leaf)
    for idx in np.ndindex(leaf.shape):
        for sign in (1, -1):
            moved = {k: v.copy() for k, v in structure.items()} if isinstance(structure, dict) \
                else tuple(v.copy() for v in structure)
            get(moved)[idx] += sign * h
            g[idx] += sign * f(moved, x) / (2 * h)
    return g


def test_gradient_of_a_dict_of_arrays_is_a_dict():
    rng = np.random.default_rng(3)
    params = {"W1": rng.normal(size=(4, 3)), "b1": rng.normal(size=3), "W2": rng.normal(size=(3, 2))}
    x = rng.normal(size=(5, 4))
    g = srcad.grad(dict_loss)(params, x)
    assert isinstance(g, dict) and list(g) == list(params)
    for k in params:
        assert_close(g[k], _leaf_fd(dict_loss, params, x, lambda p, k=k: p[k], None),
                     what=f"d/d{k}")
    tangent = {k: rng.normal(size=v.shape) for k, v in params.items()}
    _, t = srcad.jvp(dict_loss)(params, x, tangent)
    assert_close(t, sum(np.sum(g[k] * tangent[k]) for k in params), 1e-9, 1e-9)


def test_gradient_of_a_tuple_is_a_tuple():
    rng = np.random.default_rng(4)
    layer = (rng.normal(size=(4, 3)), rng.normal(size=3))
    x = rng.normal(size=(2, 4))
    g = srcad.grad(tuple_loss)(layer, x)
    assert isinstance(g, tuple) and [a.shape for a in g] == [(4, 3), (3,)]
    for i in range(2):
        assert_close(g[i], _leaf_fd(tuple_loss, layer, x, lambda p, i=i: p[i], None),
                     what=f"d/dlayer[{i}]")


def unpacked_slogdet(a):
    sign, logdet = np.linalg.slogdet(a)
    return sign * logdet * 2.0


def test_a_rule_with_a_tuple_result_unpacked():
    a = np.array([[2.0, 0.3], [0.1, 1.5]])
    g = srcad.grad(unpacked_slogdet)(a)
    assert_close(g, 2.0 * np.linalg.inv(a).T, 1e-12, 1e-12)
    _, t = srcad.jvp(unpacked_slogdet)(a, np.eye(2))
    assert_close(t, 2.0 * np.trace(np.linalg.inv(a)), 1e-12, 1e-12)


# ---- names people bring from JAX and autograd ----------------------------------------------------
def test_argnums_and_argnum_are_aliases_of_wrt():
    want = srcad.grad(f_mixed, wrt=(0, 1))(*ARGS)
    for got in (srcad.grad(f_mixed, argnums=(0, 1))(*ARGS),
                srcad.grad(f_mixed, argnum=(0, 1))(*ARGS),
                srcad.grad(argnums=(0, 1))(f_mixed)(*ARGS)):
        assert_close(got[0], want[0])
        assert_close(got[1], want[1])
    assert_close(srcad.value_and_grad(f_scalar, argnums=1)(0.3, 0.8)[1],
                 srcad.grad(f_scalar, wrt=1)(0.3, 0.8))
    assert_close(srcad.jvp(f_scalar, argnum=1)(0.3, 0.8, 1.0)[1],
                 srcad.grad(f_scalar, wrt=1)(0.3, 0.8))
    assert_close(srcad.hessian(f_scalar, argnums=1)(0.3, 0.8), 0.0)
    assert_close(srcad.hvp(f_scalar, argnums=0)(0.3, 0.8, 1.0), 6 * 0.3 - math.sin(0.3) * 0.8)
    assert_close(srcad.jacobian(f_array, argnums=0)(V64), srcad.grad(f_array)(V64))


def test_wrt_given_twice_or_has_aux_where_it_does_not_apply_is_a_usage_error():
    with pytest.raises(srcad.UsageError, match="argnums") as err:
        srcad.grad(f_scalar, wrt=1, argnums=1)
    assert "aliases" in str(err.value)
    with pytest.raises(srcad.UsageError, match="argnum"):
        srcad.grad(f_scalar, argnums=0, argnum=0)
    with pytest.raises(srcad.UsageError, match="has_aux") as err:
        srcad.vjp(f_scalar, has_aux=True)
    assert "the value alone" in str(err.value)
    with pytest.raises(srcad.UsageError, match="returned a .* pair"):   # f_scalar returns a float
        srcad.value_and_grad(f_scalar, has_aux=True)(1.0, 2.0)


def test_transforms_say_their_name_in_help():
    assert srcad.grad.__name__ == "grad" and srcad.value_and_grad.__name__ == "value_and_grad"
