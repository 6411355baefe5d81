"""values: snippets in, abstract values (shapes, dtypes, small constants) out; and soundness:
every value a name takes when the core function really runs is one its inferred value allows."""
import ast
import copy
import importlib.util
import inspect
import random
import sys

import autograd_style_programs  # noqa: F401  (they add their cases to programs.CASES)
import gallery_programs  # noqa: F401
import gast
import numpy as np
import programs
import pytest

from srcad.pipeline import RUNTIME, helper_results
from srcad.frontend import read_function
from srcad.naming import Namer
from srcad.normalize import normalize
from srcad.values import (NONE, OPAQUE, UNKNOWN_VALUE, Array, Dict, Func, NoneValue, Opaque,
                          Scalar, Sequence, Str, Values, infer_values, join, value_of)

F64, F32, I64 = np.dtype(float), np.dtype(np.float32), np.arange(1).dtype   # (NumPy's int)


def lowered(fn):
    parsed = read_function(fn)
    parsed.scope.runtime = dict(RUNTIME)
    return normalize(parsed, Namer(parsed.scope.locals), None), parsed


def infer(fn, *args, **options):
    core, parsed = lowered(fn)
    names = list(inspect.signature(fn).parameters)
    return infer_values(core, {n: value_of(a) for n, a in zip(names, args)}, parsed.scope,
                        **options)


# ---- snippets ------------------------------------------------------------------------------
def rosenbrock(x):
    a = x[1:] - x[:-1] ** 2
    b = 1.0 - x[:-1]
    return np.sum(100.0 * a ** 2 + b ** 2)


def test_rosenbrock():
    v = infer(rosenbrock, np.ones(6))
    for name in ("a", "b", "a_pow_2_plus_b_pow_2"):
        assert v[name] == Array(F64, (5,))
    assert v.shape("out") == () and v.is_scalar("out") and not v.is_python_scalar("out")
    assert v.same_shape("a", "b") and not v.same_shape("a", "x")


def rnn(W, hs, xs):
    h = hs
    rows, cols = W.shape
    for t in range(len(xs)):
        h = np.tanh(W @ h + xs[t])
    return np.sum(h.reshape((rows, 1)))


def test_rnn_keeps_the_state_shape_through_the_loop():
    v = infer(rnn, np.ones((3, 3)), np.ones(3), np.ones((7, 3)))
    assert v["h"] == Array(F64, (3,))
    assert v["rows"] == Scalar(int, 3) and v["t"] == Scalar(int)
    assert v["rows_c1_tuple"] == Sequence(tuple, (Scalar(int, 3), Scalar(int, 1)))
    assert v.shape("reshape") == (3, 1)
    assert v["xs_item"] == Array(F64, (3,))


def broadcasting(a, b):
    return a + b


def test_broadcasting():
    assert infer(broadcasting, np.ones((3, 1)), np.ones(4))["out"] == Array(F64, (3, 4))
    assert infer(broadcasting, np.ones(3, np.float32), 2.0)["out"] == Array(F32, (3,))
    assert infer(broadcasting, np.ones(3, np.float32), np.float64(2.0))["out"] == Array(F64, (3,))
    assert infer(broadcasting, 1, 2)["out"] == Scalar(int)
    assert infer(broadcasting, 1.5, np.float32(2.0))["out"] == Scalar(float, dtype=F32)


def shrinking(x, n):
    for i in range(n):
        x = x[1:]
    return x


def test_a_name_that_changes_shape_in_a_loop_joins_to_unknown_dims():
    v = infer(shrinking, np.ones((5, 2)), 3)
    assert v["x"] == Array(F64, (None, 2)) and v.shape("x") is None and v.rank("x") == 2


def branches(x, flag):
    if flag:
        y = x
    else:
        y = x.sum(axis=0)
    return y


def test_branches_of_different_ranks_join_to_an_unknown_rank():
    assert infer(branches, np.ones((2, 3)), True)["y"] == Array(F64, None)


def reductions(M):
    a = np.sum(M, axis=0)
    b = M.mean(axis=-1, keepdims=True)
    c = np.max(M, axis=(0, 1), keepdims=True)
    d = M.std()
    e = np.linalg.norm(M)
    f = M.argmax(axis=1)
    return a, b, c, d, e, f


def test_reductions():
    v = infer(reductions, np.ones((3, 4)))
    assert v["a"] == Array(F64, (4,)) and v["b"] == Array(F64, (3, 1))
    assert v["c"] == Array(F64, (1, 1)) and v["d"] == Scalar(float, dtype=F64)
    assert v["e"] == Scalar(float, dtype=F64) and v["f"] == Array(np.dtype(np.intp), (3,))


def products(M, x, y):
    a = M @ x
    b = y @ M
    c = x @ x
    d = np.dot(M, M.T)
    e = np.outer(x, y)
    f = M.dot(x)
    return a, b, c, d, e, f


def test_matmul_variants():
    v = infer(products, np.ones((3, 4)), np.ones(4), np.ones(3))
    assert v["a"] == Array(F64, (3,)) and v["b"] == Array(F64, (4,))
    assert v["c"] == Scalar(float, dtype=F64) and v["d"] == Array(F64, (3, 3))
    assert v["e"] == Array(F64, (4, 3)) and v["f"] == Array(F64, (3,))


def slices(x, M):
    a = x[-3:]
    b = x[::-2]
    c = x[1:-1:2]
    d = M[1:, :-1]
    e = M[:, 2]
    f = M[-1]
    g = M[..., None]
    return a, b, c, d, e, f, g


def test_slices_with_negative_bounds_and_steps():
    v = infer(slices, np.ones(7), np.ones((3, 4)))
    assert [v.shape(n) for n in "abcdefg"] == [(3,), (4,), (3,), (2, 3), (3,), (4,), (3, 4, 1)]


def rows(X):
    s = 0.0
    for row in X:
        s = s + row[0]
    return s


def test_rows_of_a_matrix():
    v = infer(rows, np.ones((5, 2)))
    assert v["row"] == Array(F64, (2,)) and v["row_item"] == Scalar(float, dtype=F64)
    assert v["s"] == Scalar(float, dtype=UNKNOWN_VALUE) and v.is_scalar("s")


def unpack_shape(W):
    n, m = W.shape
    k = n * m + 1
    z = np.zeros((k, n))
    return z


def test_shape_unpacking_and_int_arithmetic():
    v = infer(unpack_shape, np.ones((2, 5)))
    assert v["n"] == Scalar(int, 2) and v["k"] == Scalar(int, 11)
    assert v["z"] == Array(F64, (11, 2))


def int_argument(x, n):
    return np.zeros(n) + x.reshape(n, -1)


def test_an_int_argument_value_is_not_known():
    v = infer(int_argument, np.ones(6), 3)
    assert v["n"] == Scalar(int) and v["zeros_n"] == Array(F64, (None,))
    assert v.rank("reshape_n") == 2 and v.shape("reshape_n") is None


def float32_kept(x):
    y = 2.0 * x + 1
    return np.exp(y).sum()


def test_float32_stays_float32():
    v = infer(float32_kept, np.ones(4, np.float32))
    assert v["y"] == Array(F32, (4,)) and v["out"] == Scalar(float, dtype=F32)


def mask(x):
    return x[x > 0]


def nonzero(x):
    return np.nonzero(x)


def helper(x):
    return x


def calls_helper(x):
    return helper(x)


def test_data_dependent_results_stay_unknown():
    assert infer(mask, np.ones(4))["out"] == Array(F64, (None,))
    assert infer(nonzero, np.ones(4))["out"] == OPAQUE
    assert infer(calls_helper, np.ones(4))["out"] == OPAQUE


def test_a_helper_callback_gives_helper_values():
    seen = []
    v = infer(calls_helper, np.ones(4), helper_values=lambda f, a, kw: seen.append(f) or a[0])
    assert v["out"] == Array(F64, (4,)) and set(seen) == {helper}   # once a round


def creation(x, n):
    a = np.zeros(x.shape)
    b = np.ones((3, len(x)), dtype=np.float32)
    c = np.full((2, 2), 7)
    d = np.arange(1, 10, 3)
    e = np.zeros_like(x, dtype=int)
    f = np.stack([x, x], axis=1)
    g = np.concatenate([x, x, x])
    h = np.where(x > 0, x, 0.0)
    i = np.eye(n)
    return a, b, c, d, e, f, g, h, i


def test_creation_and_joining():
    v = infer(creation, np.ones(4), 2)
    assert v["a"] == Array(F64, (4,)) and v["b"] == Array(F32, (3, 4))
    assert v["c"] == Array(I64, (2, 2)) and v["d"] == Array(I64, (3,))
    assert v["e"] == Array(I64, (4,)) and v["f"] == Array(F64, (4, 2))
    assert v["g"] == Array(F64, (12,)) and v["h"] == Array(F64, (4,))
    assert v["i"] == Array(F64, (None, None))     # (n's value is not known)


def containers(xs, d):
    first = xs[0]
    pair = first, xs[1]
    p, q = pair
    w = d["w"]
    total = 0.0
    for k, val in d.items():
        total = total + val
    return p @ q + w


def test_lists_tuples_and_dicts():
    v = infer(containers, [np.ones(3), np.ones(3)], {"w": 2.0, "b": np.ones(3)})
    assert v["first"] == Array(F64, (3,)) and v["p"] == v["q"] == Array(F64, (3,))
    assert v["w"] == Scalar(float) and v["val"] == Array(None, None)  # a float joined with (3,)
    assert v["d"] == Dict(("w", "b"), (Scalar(float), Array(F64, (3,))))


def appends(xs, x):
    hs = []
    for i in range(3):
        hs.append(x * i)
    alias = xs
    alias.append(x)
    return hs, xs[0]


def test_a_list_changed_in_place_and_its_aliases_lose_their_elements():
    v = infer(appends, [np.ones(2)], np.ones(2))
    assert v["hs"] == Sequence(list) and v["xs"] == Sequence(list) and v["alias"] == Sequence(list)
    assert v["xs_item"] == OPAQUE and v["x"] == Array(F64, (2,))


def untouched(xs, x):
    hs = []
    hs.append(x)
    return xs[0] + x


def test_a_list_not_shared_with_the_changed_one_stays_known():
    v = infer(untouched, [np.ones(2)], np.ones(2))
    assert v["xs"] == Sequence(list, (Array(F64, (2,)),)) and v["hs"] == Sequence(list)


def passed_to_helper(xs):
    helper(xs)
    return xs[0]


def test_a_list_a_helper_may_change_is_unknown_unless_it_is_pure():
    assert infer(passed_to_helper, [np.ones(2)])["out"] == OPAQUE
    pure = infer(passed_to_helper, [np.ones(2)], pure=lambda f: f is helper)
    assert pure["out"] == Array(F64, (2,))


def in_place(x, s):
    x += 1.0
    s += x
    return s


def test_plus_equals_keeps_an_arrays_dtype_and_rebinds_a_scalar():
    v = infer(in_place, np.ones(3, np.float32), 2.0)
    assert v["x"] == Array(F32, (3,)) and v["s"] == Array(None, None)   # a float, then an array


def scalars(n):
    a = 3
    b = a * 4 - 1
    c = b / 2
    d = b // 2
    e = -a
    f = a < b
    g = a ** 2
    h = n % 2
    return a, b, c, d, e, f, g, h


def test_python_scalars_and_small_constants():
    v = infer(scalars, 5)
    assert v["b"] == Scalar(int, 11) and v["c"] == Scalar(float) and v["d"] == Scalar(int, 5)
    assert v["e"] == Scalar(int, -3) and v["f"] == Scalar(bool) and v["g"] == Scalar(int)
    assert v["h"] == Scalar(int) and v.is_python_scalar("h")


def test_value_of_and_join():
    assert value_of(np.ones((2, 3), np.float32)) == Array(F32, (2, 3))
    assert value_of(3) == Scalar(int) and value_of(True) == Scalar(bool)
    assert value_of(np.float32(1)) == Scalar(float, dtype=F32)
    assert value_of((1.0, [None, "s"])) == Sequence(tuple, (Scalar(float), Sequence(
        list, (NONE, Str()))))
    assert value_of(np.sin) == Func(np.sin) and value_of(object()) == OPAQUE
    assert join(Array(F64, (3, 4)), Array(F64, (3, 5))) == Array(F64, (3, None))
    assert join(Array(F64, (3,)), Array(F32, (3, 1))) == Array(None, None)
    assert join(Scalar(int, 1), Scalar(float)) == Scalar(float)
    assert join(Scalar(int), Scalar(bool)) == OPAQUE    # x[i] drops a dimension, x[True] adds one
    assert join(Scalar(float), Array(F64, ())) == Array(None, ())
    assert join(Sequence(tuple, (NONE,)), Sequence(tuple, (NONE, NONE))) == Sequence(tuple)
    assert Array(F64, (2,)) != Array(None, (2,))      # (np.dtype("float64") == None is True)
    assert len({Array(F64, (2,)), Array(F64, (2,)), Array(None, (2,))}) == 2
    assert repr(Array(F64, (3, None))) == "Array(float64, (3, None))"
    assert repr(Scalar(int, 3)) == "Scalar(int, 3)" and repr(Sequence(list)) == "Sequence(list, ?)"


def test_values_is_a_frozen_mapping():
    v = infer(rosenbrock, np.ones(3))
    assert isinstance(v, Values) and v.get("nothing") == OPAQUE and "a" in v
    assert hash(v) == hash(infer(rosenbrock, np.ones(3)))
    with pytest.raises(TypeError):
        v["a"] = OPAQUE


# ---- soundness: run the core function and compare --------------------------------------------
def covers(v, c):
    """Does the abstract value ``v`` allow the concrete value ``c``?"""
    if isinstance(v, Opaque):
        return True
    if isinstance(v, Scalar):
        types_ = {bool: (bool, np.bool_), int: (int, np.integer),
                  float: (bool, int, float, np.bool_, np.integer, np.floating)}[v.type]
        if isinstance(c, np.ndarray) or not isinstance(c, types_) or \
                v.type is int and isinstance(c, (bool, np.bool_)):
            return False
        if v.dtype is None and type(c) not in (bool, int, float) or isinstance(
                v.dtype, np.dtype) and not (isinstance(c, np.generic) and c.dtype == v.dtype):
            return False
        return v.value is UNKNOWN_VALUE or c == v.value
    if isinstance(v, Array):
        if not isinstance(c, (np.ndarray, np.generic, bool, int, float)) or \
                v.shape != () and v.shape is not None and type(c) is not np.ndarray:
            return False
        shape = np.shape(c)
        if v.shape is not None and (len(shape) != len(v.shape) or any(
                d is not None and d != s for d, s in zip(v.shape, shape))):
            return False
        return v.dtype is None or isinstance(c, (np.ndarray, np.generic)) and c.dtype == v.dtype
    if isinstance(v, Sequence):
        return type(c) is v.type and (v.elements is None or len(c) == len(v.elements) and all(
            covers(e, x) for e, x in zip(v.elements, c)))
    if isinstance(v, Dict):
        return type(c) is dict and (v.keys is None or list(c) == list(v.keys) and all(
            covers(e, x) for e, x in zip(v.values, c.values())))
    if isinstance(v, NoneValue):
        return c is None
    if isinstance(v, Str):
        return isinstance(c, str) and (v.value is UNKNOWN_VALUE or c == v.value)
    return isinstance(v, Func) and c is v.obj


def run_core(fn, args):
    """Run ``fn``'s core form; return its inferred values and every (name, value) seen."""
    core, parsed = lowered(fn)
    names = list(inspect.signature(fn).parameters)
    values = infer_values(core, {n: value_of(a) for n, a in zip(names, args)}, parsed.scope)
    filename = f"<core of {fn.__name__}>"
    module = ast.fix_missing_locations(gast.gast_to_ast(gast.Module(body=[core], type_ignores=[])))
    for node in ast.walk(module):       # (moved statements may end before they start)
        if hasattr(node, "end_lineno"):
            node.end_lineno, node.end_col_offset = node.lineno, node.col_offset
        if getattr(node, "body", None) == []:
            node.body = [ast.Pass(lineno=node.lineno, col_offset=0)]
    cells = {n: c.cell_contents for n, c in parsed.scope.cells.items()}
    namespace = {**fn.__globals__, **cells, **parsed.scope.nested, **parsed.scope.runtime}
    exec(compile(module, filename, "exec"), namespace)
    seen = []

    def local(frame, event, arg):
        if event in ("line", "return"):
            seen.extend(frame.f_locals.items())
        return local

    def tracer(frame, event, arg):
        return local if frame.f_code.co_filename == filename else None

    before = sys.gettrace()
    sys.settrace(tracer)
    try:
        namespace[core.name](*args)
    finally:
        sys.settrace(before)
    return values, seen


def check_sound(fn, args):
    values, seen = run_core(fn, args)
    wrong = [(n, values.get(n), c) for n, c in seen if not covers(values.get(n), c)]
    assert not wrong, f"{fn.__name__}: {wrong[0][0]} inferred {wrong[0][1]!r}, ran {wrong[0][2]!r}"
    return values, seen


def test_covers():
    assert covers(Array(F64, (2, None)), np.ones((2, 5)))
    assert not covers(Array(F64, (2, 3)), np.ones((2, 5)))
    assert not covers(Array(F64, (2,)), np.ones(2, np.float32))
    assert covers(Array(F64, ()), np.float64(1)) and not covers(Scalar(float), np.ones(()))
    assert not covers(Scalar(int), True) and covers(Scalar(float), 1)
    assert not covers(Scalar(float), np.float64(1.0))   # a Python scalar, not a NumPy one


GROWN = [np.ones(2)]


def alias_in_tuple(xs, x):
    t = (xs, 1)
    inner = t[0]
    inner.append(x)
    return np.zeros(len(xs))


def list_setitem(x):
    lst = [x, x]
    lst[0] = x[None]
    return lst[0]


def dict_setitem(d, x):
    d["w"] = x[None]
    return d["w"]


def global_list(x):
    GROWN.append(x)
    return GROWN[-1] + len(GROWN)


def int_or_bool(x, flag):
    i = 0
    if flag:
        i = True
    return x[i]


def float_or_int(I, n):
    t = 0
    for j in range(n):
        t = t + 0.5
    return I * t


def numpy_scalars(x):
    a = np.float32(1.5)
    b = a * 2.0 + x[0]
    c = np.sum(x) * a
    return b, c


def in_place_dtype(x, y):
    x += y
    x *= 2
    return x


def length_after_append(x):
    hs = [x]
    hs.append(x)
    return np.zeros(len(hs))


def helper_keeps_list(xs):
    first = _first(xs)
    return xs[1] + first


def _first(lst):
    lst.append(lst[0])
    return lst.pop()


def shape_from_loop(x, n):
    m = 1
    for i in range(n):
        m = m * 2
    return np.zeros(m) + x.sum()


def reshape_unknown(x, n):
    return x.reshape(n, 2, -1)


def zero_d(x):
    a = np.zeros(())
    b = a + 1.0
    c = np.array(2.0)
    d = c[()]
    e = x[..., 0]
    a += b
    return a, b, c, d, e


ADVERSARIAL = [
    (alias_in_tuple, ([np.ones(2)], np.ones(2))), (list_setitem, (np.ones(3),)),
    (dict_setitem, ({"w": np.ones(3)}, np.ones(3))), (global_list, (np.ones(2),)),
    (int_or_bool, (np.ones((2, 3)), True)), (float_or_int, (np.arange(3), 2)),
    (numpy_scalars, (np.ones(3, np.float32),)), (in_place_dtype, (np.ones(3, np.float32), 2.0)),
    (length_after_append, (np.ones(2),)), (helper_keeps_list, ([np.ones(2), np.ones(2)],)),
    (shape_from_loop, (np.ones(2), 3)), (reshape_unknown, (np.ones(12), 3)),
    (zero_d, (np.ones((2, 3)),)), (rows, (np.ones((4, 2)),)), (appends, ([np.ones(2)], np.ones(2))),
    (containers, ([np.ones(3), np.ones(3)], {"w": 2.0, "b": np.ones(3)})),
    (in_place, (np.ones(3, np.float32), 2.0)), (scalars, (5,)), (creation, (np.ones(4), 2)),
]


@pytest.mark.parametrize("fn, args", ADVERSARIAL, ids=[f.__name__ for f, _ in ADVERSARIAL])
def test_tricky_functions_are_sound(fn, args):
    check_sound(fn, args)


def big_repeat(x):
    return np.repeat(x, 5000) + x.repeat(5000)


def test_stand_in_calls_stay_small():
    assert infer(big_repeat, np.ones(10))["out"] == Array(F64, (50000,))
    assert infer(big_repeat, np.ones(1000))["out"] == OPAQUE    # 5 * 10**6 elements: not made


def test_tricky_functions_know_what_they_can():
    v = infer(numpy_scalars, np.ones(3, np.float32))
    assert v["a"] == Scalar(float, dtype=F32) and v["b"] == Scalar(float, dtype=F32)
    assert infer(in_place_dtype, np.ones(3, np.float32), 2.0)["x"] == Array(F32, (3,))
    assert infer(zero_d, np.ones((2, 3)))["b"] == Scalar(float, dtype=F64)
    assert infer(list_setitem, np.ones(3))["out"] == OPAQUE
    assert infer(length_after_append, np.ones(2))["out"] == Array(F64, (None,))
    assert infer(int_or_bool, np.ones((2, 3)), True)["out"] == Array(F64, None)


EXPRESSIONS = [
    "x[1:] - x[:-1] ** 2", "M @ x", "y @ M", "M.T @ y", "np.dot(M, x)", "np.dot(y, M)",
    "x @ x", "np.outer(x, y)", "M[:, None, :] + M[None, :, :]", "np.matmul(M[None], x)",
    "np.sum(M, axis=0)", "np.sum(M, axis=-1, keepdims=True)", "M.sum(axis=(0, 1))",
    "np.mean(M, 1)", "np.max(M, axis=0, keepdims=True)", "np.linalg.norm(x)",
    "M.std(axis=1, ddof=1)", "np.argmax(M, axis=1)", "M.prod()", "np.any(M > 0, axis=0)",
    "M.reshape(-1)", "M.reshape(5, 3)", "np.reshape(M, (n, -1))",
    "M.reshape((M.shape[1], M.shape[0]))", "M.reshape(n, 5, 1)", "np.ravel(M)", "M.flatten()",
    "M.T", "np.transpose(M)", "M.transpose(1, 0)", "M[None].transpose((2, 0, 1))",
    "x[::-2]", "x[-3:]", "x[1:-1:2]", "M[1:, :-1]", "M[::-1, ::2]", "M[-1]", "M[:, 2]",
    "M[n - 1]", "M[..., None]", "x[None, :]", "M[0, ...]", "M[1, 2]", "x[n:]", "M[:n, k]",
    "x[x > 0]", "np.nonzero(x)[0]", "M[I]", "M[:, I]", "M[I, I]", "M[[0, 1]]", "M[0, I]",
    "M[I, :, None]", "M[M > 0]", "x[True]",
    "np.zeros(M.shape)", "np.ones((n, 2))", "np.full((2, 3), 1.5)", "np.zeros_like(x)",
    "np.ones_like(M, dtype=np.float32)", "np.empty(4)", "np.arange(5)", "np.arange(1, 7, 2)",
    "np.arange(n)", "np.arange(0.0, 1.0, 0.25)", "np.linspace(0, 1, 7)", "np.eye(3)",
    "np.identity(n)",
    "np.stack([x, x])", "np.stack((y, y, y), axis=1)", "np.concatenate([x, y])",
    "np.concatenate([M, M], axis=1)", "np.concatenate([M, M], axis=None)", "np.vstack([x, x])",
    "np.hstack([x, y])", "np.vstack([M, x])", "np.hstack([M, M])", "np.stack(M)",
    "np.where(x > 0, x, 0.0)", "np.where(M > 0, M, x)", "np.where(s > 0, 1.0, 2.0)",
    "f32 * 2.0", "f32 + x[:4]", "np.exp(f32)", "f32.sum()", "f32 @ f32", "np.float32(2.0) * x",
    "f32 * np.float64(2)", "f32 // 2", "I * 2.5", "I + True", "I / (I + 1)", "-I",
    "len(x)", "x.shape[0] * 2", "M.size", "M.ndim", "len(lst)", "lst[1]", "tup[0] @ x",
    "lst[n - 2]", "tup[-1][1:]", "tup[:1]", "d['b'] * 2", "d[key]",
    "n * 2", "n // 2", "s + n", "n / 2", "-n", "n ** 2", "True + True", "2 ** -1", "n % 0.5",
    "k - 1", "(k + 1) * 3", "float(k)", "int(s)", "abs(-k)", "max(s, 1.0)", "min(k, 2)",
    "np.clip(x, -0.5, 0.5)", "np.clip(M, None, x)", "np.maximum(M, 0.0)", "abs(x)",
    "np.cumsum(M, axis=1)", "np.diff(x)", "np.tile(y, 2)", "np.tile(y, n)", "np.flip(M, 0)",
    "np.einsum('ij,j->i', M, x)", "np.triu(M)", "np.diag(x)", "np.squeeze(M[:, None])",
    "np.expand_dims(x, 0)", "np.repeat(x, 2)", "np.repeat(x, I[:1] + 1)", "np.roll(x, n)",
    "x.astype(np.float32)", "M.copy()", "np.copy(x)", "np.array([1.0, 2.0])", "np.asarray(lst)",
    "np.array(lst, dtype=np.float32)", "M.cumsum(1)", "M.clip(0, 1)", "x.round(1)",
    "(x > 0).astype(float)", "x == y[0]", "x < s", "s < n", "x[0] < y[0] < s",
    "tuple(y)", "list(M)", "np.sin(M) * np.cos(x)", "np.tanh(M @ x + y[0])", "x.item(0)",
    "np.divmod(x, 2.0)", "np.modf(M)", "np.float64(s)", "np.int32(I)", "[x, y] * 2",
    "(x, y) + (M,)", "x + [1.0] * 5", "x.dtype", "np.shape(s)", "np.ndim(M)",
    "M.max(axis=0)[I]", "np.sum(M, axis=k - 1)", "np.sum(M, keepdims=flag)",
    "M.sum(axis=0, keepdims=True) / M.shape[0]", "x if flag else M", "flag and s",
]
PARAMETERS = "x, y, M, f32, I, n, k, s, lst, tup, d, key, flag"


def arguments():
    x = np.linspace(-1.0, 1.0, 5)
    return (x, np.array([0.5, -1.0, 2.0]), np.arange(15.0).reshape(3, 5) - 7.0,
            np.ones(4, np.float32), np.array([0, 2, 1]), 3, 2, 2.5, [x, 2.0 * x],
            (np.ones((2, 5)), np.zeros(4)), {"a": 1.0, "b": np.ones(2)}, "a", True)


def write_module(tmp_path_factory, name, source):
    path = tmp_path_factory.mktemp("values") / f"{name}.py"
    path.write_text(source)
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def expressions(tmp_path_factory):
    source = "import numpy as np\n\n" + "".join(
        f"def e{i}({PARAMETERS}):\n    out = {e}\n    return out\n\n"
        for i, e in enumerate(EXPRESSIONS))
    return write_module(tmp_path_factory, "value_expressions", source)


@pytest.mark.parametrize("i", range(len(EXPRESSIONS)), ids=EXPRESSIONS)
def test_expression_values_are_sound(expressions, i):
    fn = getattr(expressions, f"e{i}")
    args = arguments()
    try:
        fn(*args)
    except Exception:
        pytest.skip("the expression raises")
    check_sound(fn, args)


def test_most_expressions_have_a_known_shape(expressions):
    known = sum(infer(getattr(expressions, f"e{i}"), *arguments()).shape("out") is not None
                for i in range(len(EXPRESSIONS)))
    assert known >= 0.8 * len(EXPRESSIONS)


# ---- random programs -------------------------------------------------------------------------
class Program:
    """A random straight-line-and-loops program over arrays whose shapes it tracks (None: a
    shape it does not know any more, after a branch, a shrinking loop or a mask)."""

    def __init__(self, seed):
        self.rng = random.Random(seed)
        p, q = self.rng.randint(2, 4), self.rng.randint(2, 4)
        dtype = self.rng.choice([float, np.float32])
        self.args = (np.linspace(-1.0, 1.0, p, dtype=dtype), np.cos(np.arange(q * p)).reshape(q, p),
                     np.sin(np.arange(p * q)).reshape(p, q), q,
                     [np.full(p, 0.5 * i) for i in range(q)], 0.75)
        self.pool = {"a": (p,), "B": (q, p), "C": (p, q)}
        self.lines, self.count = [], 0

    def fresh(self):
        self.count += 1
        return f"v{self.count}"

    def pick(self, known=True, test=lambda s: True):
        names = [n for n, s in self.pool.items() if (s is not None or not known) and
                 (s is None or test(s))]
        return self.rng.choice(names) if names else "a"

    def emit(self, *lines, shape=None, name=None):
        self.lines.extend(lines)
        if name:
            self.pool[name] = shape

    def step(self):
        r, v = self.rng, self.fresh()
        x = self.pick(known=r.random() < 0.7)
        sx = self.pool[x]
        choice = r.randrange(24)
        if choice == 0:
            self.emit(f"{v} = np.{r.choice(['sin', 'exp', 'tanh'])}({x})", name=v, shape=sx)
        elif choice == 1 and sx is not None:
            y = self.pick(test=lambda s: _fits(sx, s))
            op = r.choice(["+", "-", "*"])
            self.emit(f"{v} = {x} {op} {y}", name=v, shape=_fits(sx, self.pool[y]))
        elif choice == 2 and sx:
            axis, keep = r.randrange(len(sx)), r.random() < 0.5
            out = tuple(1 if i == axis else d for i, d in enumerate(sx) if keep or i != axis)
            self.emit(f"{v} = np.{r.choice(['sum', 'mean', 'max'])}({x}, axis={axis - len(sx)}"
                      f", keepdims={keep})", name=v, shape=out)
        elif choice == 3 and sx:
            y = self.pick(test=lambda s: len(s) in (1, 2) and s[0] == sx[-1])
            if self.pool[y] and self.pool[y][0] == sx[-1]:
                self.emit(f"{v} = {x} @ {y}", name=v, shape=sx[:-1] + self.pool[y][1:])
        elif choice == 4 and sx:
            self.emit(f"{v} = {x}.reshape(-1)", f"{v} = {v}.T",
                      name=v, shape=(int(np.prod(sx)),))
        elif choice == 5 and sx:
            part = r.choice(["1:", "::-1", ":-1", "-2:", "::2"])
            idx = part if len(sx) == 1 else r.choice([f"{part}, 0", f":, {part}", f"..., None"])
            self.emit(f"{v} = {x}[{idx}]", name=v, shape=np.empty(sx)[eval(f"np.s_[{idx}]")].shape)
        elif choice == 6 and sx:
            self.emit(f"{v} = np.stack([{x}, {x} * 2.0], axis={r.randrange(len(sx) + 1)})",
                      name=v, shape=None)
        elif choice == 7 and sx:
            self.emit(f"{v}_n = {x}.shape[0]", f"{v}_m = len({x}) + 1",
                      f"{v} = np.zeros(({v}_n, {v}_m))", name=v, shape=(sx[0], sx[0] + 1))
        elif choice == 8:
            self.emit(f"{v} = {x} * 1.0", f"for i in range(n):",
                      f"    {v} = {v} * 0.5 + np.sin({x})", name=v, shape=sx)
        elif choice == 9 and sx:
            self.emit(f"{v} = {x}", "for i in range(2):", f"    {v} = {v}[1:]", name=v,
                      shape=None)
        elif choice == 10:
            y = self.pick(known=False)
            self.emit(f"if np.sum({x}) > s:", f"    {v} = {x}", "else:", f"    {v} = {y}",
                      name=v, shape=None)
        elif choice == 11:
            self.emit(f"{v} = {x}[{x} > 0]", name=v, shape=None)
        elif choice == 12:
            y = self.pick(known=False)
            self.emit(f"{v}_l = [{x}, {y}]", f"{v}_l.append({x})", f"{v} = {v}_l[2]",
                      f"{v}_t = 0.0", "for w in xs:", f"    {v}_t = {v}_t + w", name=v, shape=sx)
        elif choice == 13:
            self.emit(f"{v}_s = np.sum({x})", f"{v}, {v}_u = ({x} * {v}_s, {v}_s)",
                      f"{v}_k = int({v}_s > 0) + n", name=v, shape=sx)
        elif choice == 14 and sx:
            self.emit(f"{v} = {x}.copy()", f"{v} += s", f"{v}[0] = 2.0", name=v, shape=sx)
        elif choice == 15:
            self.emit(f"{v} = np.where({x} > 0, {x}, 0.0)", name=v, shape=sx)
        elif choice == 16:
            self.emit(f"{v} = {x}.astype(np.float32) * s", name=v, shape=sx)
        elif choice == 17 and sx:
            self.emit(f"{v}_n = {x}.shape[-1] * 2 - 1", f"{v} = np.ones({v}_n)[::2]", name=v,
                      shape=(sx[-1],))
        elif choice == 18:
            self.emit(f"{v}_l = [{x}]", f"{v}_a = {v}_l", f"{v}_a.append({x}.sum())",
                      f"{v} = {v}_l[-1]", name=v, shape=())
        elif choice == 19:
            self.emit(f"{v} = {x}", f"{v}_i = 0", f"while {v}_i < n:", f"    {v} = {v} + 1.0",
                      f"    {v}_i += 1", name=v, shape=sx)
        elif choice == 20:
            self.emit(f"{v}_s = 0", "for w in xs:", f"    {v}_s = {v}_s + np.sum(w)",
                      f"{v} = {x} * {v}_s", name=v, shape=sx)
        elif choice == 21 and sx:
            self.emit(f"{v} = {x}.reshape(1, -1)", name=v, shape=(1, int(np.prod(sx))))
        elif choice == 22 and sx:
            self.emit(f"{v} = np.concatenate([{x}, {x}], axis={r.randrange(len(sx))})",
                      name=v, shape=None)
        elif choice == 23:
            self.emit(f"{v}_l = [{x}, {x}]", f"{v} = _grow({v}_l) + _double({x})", name=v,
                      shape=sx)

    def source(self, name):
        while len(self.lines) < self.rng.randint(4, 14):
            self.step()
        body = "".join(f"    {line}\n" for line in self.lines)
        return f"def {name}(a, B, C, n, xs, s):\n{body}    return a\n\n"


def _fits(sx, sy):
    try:
        return np.broadcast_shapes(sx, sy) if sy is not None else None
    except ValueError:
        return None


SEEDS = range(200)
HELPERS = """import numpy as np


def _grow(lst):
    lst.append(lst[0] * 2.0)
    return lst[-1]


def _double(v):
    return v * 2.0


"""


@pytest.fixture(scope="module")
def random_programs(tmp_path_factory):
    made = {seed: Program(seed) for seed in SEEDS}
    source = HELPERS + "".join(p.source(f"p{seed}") for seed, p in made.items())
    return write_module(tmp_path_factory, "value_programs", source), made


@pytest.mark.parametrize("seed", SEEDS)
def test_random_programs_are_sound(random_programs, seed):
    module, made = random_programs
    fn, args = getattr(module, f"p{seed}"), made[seed].args
    try:
        fn(*args)
    except Exception:
        pytest.skip("the program raises")
    check_sound(fn, args)


def test_random_programs_mostly_run_and_know_shapes(random_programs):
    module, made = random_programs
    ran = known = names = 0
    for seed in SEEDS:
        fn, args = getattr(module, f"p{seed}"), made[seed].args
        try:
            fn(*args)
        except Exception:
            continue
        ran += 1
        values = infer(fn, *args)
        names += len(values)
        known += sum(values.shape(n) is not None for n in values)
    assert ran >= 0.9 * len(SEEDS) and known >= 0.5 * names


# ---- the test corpus -------------------------------------------------------------------------
CORPUS = list(programs.CASES)


@pytest.mark.parametrize("case", CORPUS, ids=[f"{c.fn.__module__}.{c.id}" for c in CORPUS])
def test_corpus_programs_are_sound(case):
    try:
        case.fn(*copy.deepcopy(case.args))
    except Exception:
        pytest.skip("the program raises")
    check_sound(case.fn, copy.deepcopy(case.args))


# ---- dimensions named across a list's elements ----------------------------------------------
def layers(params, x):
    for W, b in params:
        z = x @ W
        x = np.tanh(z + b)
    return np.sum(x)


def previous_layer(params, x):
    out = 0.0
    for i in range(len(params)):
        W, b = params[i]
        if i > 0:
            out = out + np.sum(x @ W_before + b)
        W_before = W
    return out


def test_a_layers_columns_and_its_bias_share_one_named_dimension():
    params = [(np.ones((4, 3)), np.ones(3)), (np.ones((3, 2)), np.ones(2))]
    v = infer(layers, params, np.ones((5, 4)))
    assert v.shape("W") is None and v["W"].shape == (None, None)
    (rows, cols), (entries,) = v.dims("W"), v.dims("b")
    assert cols == entries and cols != rows
    assert v.dims("z") == (5, cols) and v.same_shape("z", "z_plus_b")
    assert v["x"] == Array(F64, (5, None))      # carried by the loop: nothing named


def test_a_name_read_in_a_later_iteration_keeps_no_named_dimension():
    """``W_before`` holds the previous layer's weights where this layer's ``b`` is added."""
    params = [(np.ones((4, 1)), np.ones(1)), (np.ones((4, 3)), np.ones(3))]
    v = infer(previous_layer, params, np.ones((5, 4)))
    assert v.dims("W")[1] == v.dims("b")[0]
    assert v.dims("W_before") == (4, None)


# ---- what a user helper's call returns ------------------------------------------------------
def _outer_scaled(a, b, scale=2.0):
    return scale * np.outer(a, b), a.sum()


def _recursive(x, n):
    return x if n == 0 else _recursive(x, n - 1)


def calls_helpers(x, y):
    m, s = _outer_scaled(x, y)
    r = _recursive(x, 2)
    return np.sum(m) * s + np.sum(r)


def test_a_helpers_result_has_the_shape_its_arguments_give_it():
    v = infer(calls_helpers, np.ones(3), np.ones(4), helper_values=helper_results((), []))
    assert v["m"] == Array(F64, (3, 4)) and v.is_scalar("s")
    assert v["r"] == OPAQUE         # a recursion is not followed
