"""A corpus of small user functions, each with sample arguments and the features it uses.

Functions are plain module-level Python/NumPy, as a user would write them. ``@case(*args,
tags=...)`` registers a sample point (stack several for several points) and returns the function
unchanged. Features are partly read off the source (operators, calls, statements: see
``source_features``) and partly given by hand in ``tags`` (semantics the syntax does not show,
such as broadcasting or a helper in another module).

Sample points keep away from kinks (|x| not near 0 for abs, no ties for max/min, no branch or
loop-exit test near its threshold), so that central differences are reliable.
"""
import ast
import functools
import inspect
import math
import textwrap
from dataclasses import dataclass

import numpy as np

import helpers_mod
import helpers_mod as hm
from helpers_mod import inner, poly


@dataclass
class Case:
    fn: object
    args: tuple
    tags: frozenset
    id: str

    @property
    def name(self):
        return self.fn.__name__

    @property
    def features(self):
        return self.tags | source_features(self.fn)


CASES = []
EXPLICIT_IDS = set()


def register(fn, args, tags=(), id=None):
    n = sum(1 for c in CASES if c.fn.__name__ == fn.__name__)
    cid = id or (fn.__name__ if n == 0 else f"{fn.__name__}-{n}")
    if id:
        EXPLICIT_IDS.add(id)
    CASES.append(Case(fn, tuple(args), frozenset(tags), cid))
    return fn


def case(*args, tags=(), id=None):
    def deco(fn):
        return register(fn, args, tags, id)
    return deco


def arr(*values, dtype=np.float64):
    return np.array(values, dtype=dtype)


# ================================================================================================
# arithmetic: + - * / **, unary minus, int/float mixing, constants
# ================================================================================================
@case(1.3, 0.7)
@case(-0.6, 2.1)
def arith_basic(x, y):
    return x + y * x - y / x + x * x * y - (x - y)


@case(1.3, 0.7)
def arith_div_chain(x, y):
    return (x - y) / (x + y) / y - 1.0 / (x * y)


@case(1.3, 0.7)
@case(0.4, 1.9)
def arith_power(x, y):
    return x ** y + y ** 3 + 2.0 ** x + x ** -1.5 + (x * y) ** 0.5


@case(1.3, 0.7)
def unary_minus(x, y):
    z = -x
    w = -(x * y) + (-y) ** 2
    return -z * w - -y


@case(arr(0.3, -1.2, 2.0))
def unary_minus_array(v):
    return np.sum(-v * -v + -np.sin(v))


@case(1.3)
@case(-2.2)
def int_float_mix(x):
    return 3 * x + x ** 2 + x / 2 + 2 / x - 1 + 4 * x ** 3 - x * 1


@case(0.8, arr(0.5, -1.5, 2.5))
def int_float_array(x, v):
    return np.sum(2 * v ** 2 + v / 4 + x * 3 + 1 - 5 * x * v)


@case(0.9)
def constants(x):
    a = 2.5
    b = a * 4.0
    c = math.pi
    return b * x + c * x ** 2 + 1e-3 - a + 0.0 * x


@case(0.9, 1.7)
def constants_only_some(x, y):
    one = 1.0
    two = one + one
    return two * x + one * y + two


# ================================================================================================
# augmented assignment
# ================================================================================================
@case(1.3, 0.7)
def augassign_scalar(x, y):
    z = x
    z += y
    z *= x
    z -= 0.5 * y
    z /= y
    z += z
    return z


@case(arr(0.4, 1.1, -0.8), 0.7)
def augassign_array(v, y):
    z = v * 2.0
    z += y
    z *= v
    z -= np.sin(v)
    z /= 3.0
    return np.sum(z)


@case(1.1, 0.4, 4)
def augassign_loop(x, y, n):
    s = 0.0
    p = 1.0
    for i in range(n):
        p *= x
        s += p
        s -= y * i
        s /= 1.5
    return s


@case(0.8, 1.4)
def augassign_self(x, y):
    x += y
    x *= x
    y -= x
    y /= 2
    return x * y


# ================================================================================================
# tuple packing and unpacking
# ================================================================================================
@case(1.3, 0.7)
def tuple_swap(x, y):
    a, b = x, y
    a, b = b, a
    return a * 2.0 + b ** 3


@case(0.9, 1.2, 6)
def tuple_fib(x, y, n):
    a, b = x, y
    for i in range(n):
        a, b = b, a + b
    return a * b


@case(1.3, 0.7)
def tuple_pack_unpack(x, y):
    t = (x * y, x - y)
    p, q = t
    u = p, q, 2.0
    a, b, c = u
    return a * b + c * q


@case(0.8, 0.3, 5)
def tuple_rotate(x, y, n):
    a, b = x, y
    for i in range(n):
        a, b = a * math.cos(0.3) - b * math.sin(0.3), a * math.sin(0.3) + b * math.cos(0.3)
        a, b = b, a * 1.1
    return a * a + 3.0 * b


@case(1.2, 0.5, 3)
def tuple_swap_loop(x, y, n):
    for i in range(n):
        x, y = y, x
        x = x * y + 0.1
    return x - 2.0 * y


# ================================================================================================
# conditional expressions
# ================================================================================================
@case(1.3, 0.7)
@case(0.5, 0.7)
@case(0.5, -0.7)
def ifexp_basic(x, y):
    z = x * y if x > y else x - y
    return z ** 2 + (x if y > 0 else -x)


@case(arr(0.5, -0.2, 0.9), 0.4)
@case(arr(-0.5, -0.2, 0.1), 1.4)
def ifexp_array(v, t):
    s = np.sum(v)
    w = np.sin(v) if s > 0 else np.cos(v)
    return np.sum(w * t) + (t * t if t < 1.0 else t)


@case(0.7, 3)
@case(0.7, 4)
def ifexp_in_loop(x, n):
    s = 0.0
    for i in range(n):
        s = s + (x * i if i % 2 == 0 else -x ** 2)
    return s


# ================================================================================================
# if / elif / else, nested
# ================================================================================================
@case(1.3, 0.7)
@case(0.8, 0.7)
@case(-0.8, 0.7)
def branch_elif(x, y):
    if x > 1.0:
        z = x * y
    elif x > 0.0:
        z = x + y * y
    else:
        z = -x * y ** 3
    return z * x


@case(1.2, 0.5)
@case(1.2, -0.5)
@case(-1.2, 0.5)
@case(-0.2, -1.5)
@case(-0.5, -0.7)
def branch_nested(x, y):
    if x > 0:
        if y > 0:
            z = x * y
        else:
            z = x - y
        z = z * x
    else:
        if y > x:
            z = np.sin(y) * x
        elif y < -1.0:
            z = y ** 2
        else:
            z = x / y
    return z + x


@case(0.7, 4)
@case(0.7, 3)
def branch_on_int(x, n):
    if n % 2 == 0:
        y = x * n
    else:
        y = x ** n
    if n > 3:
        y = y * x
    return y


@case(0.9, 0.4, 6)
def branch_in_loop(x, y, n):
    s = x
    for i in range(n):
        if s > 1.0:
            s = s * 0.5 + y
        elif i == 2:
            s = s * y
        else:
            s = s + x * y
    return s


@case(1.5, 2.0)
def branch_no_else(x, y):
    z = x
    if x > 1.0:
        z = z * y
    if y < 0.0:
        z = z - y
    return z * x


# ================================================================================================
# for loops over range with data-dependent bounds
# ================================================================================================
@case(0.7, 5)
@case(1.3, 0)
def for_range_n(x, n):
    s = 0.0
    for i in range(n):
        s = s + x ** i / (i + 1)
    return s


@case(0.9, 1, 8, 2)
@case(0.9, 6, 0, -2)
def for_range_step(x, a, b, step):
    y = x
    for i in range(a, b, step):
        y = y * x + i * 0.1
    return y


@case(0.4, 2, 5)
def for_range_ab(x, a, b):
    s = 0.0
    for k in range(a, b):
        s = s + math.sin(k * x)
    return s


@case(arr(0.5, -0.3, 1.2, 0.8), 0.8)
def for_range_len(xs, w):
    s = 0.0
    for i in range(len(xs)):
        s = s + xs[i] * w ** i
    return s


@case(arr(0.5, -0.3, 1.2, 0.8))
def for_range_len_pairs(xs):
    s = 0.0
    for i in range(len(xs) - 1):
        s = s + (xs[i + 1] - xs[i]) ** 2
    return s


@case(0.6, 7)
def for_range_computed(x, n):
    m = n // 2 + 1
    s = x
    for i in range(1, m, 2):
        s = s * x + i
    for j in range(m):
        s = s - 0.1 * x
    return s


# ================================================================================================
# for loops over lists, tuples, array rows; enumerate; zip
# ================================================================================================
@case(1.3, 0.7)
def for_tuple(x, y):
    s = 1.0
    for v in (x, y, 2.0):
        s = s * v + v
    return s


@case(1.3, 0.7)
def for_list(x, y):
    s = 0.0
    for v in [x, y, x * y]:
        s = s + math.sin(v) * v
    return s


@case(1.3, 0.7)
def for_list_name(x, y):
    vals = [x, y]
    s = 0.0
    for v in vals:
        s = s + v * v * x
    return s


@case(np.array([[0.5, -0.3, 1.2, 0.8], [0.1, 0.9, -0.7, 0.4], [1.1, 0.2, 0.3, -0.6]]),
      arr(0.3, -0.4, 0.5, 0.2), tags={"rows"})
def for_rows(X, w):
    s = 0.0
    for row in X:
        s = s + np.sum(row * w) ** 2
    return s


@case(np.array([[0.5, -0.3, 1.2], [0.1, 0.9, -0.7]]), arr(0.3, -0.4, 0.5), tags={"rows"})
def for_rows_overwrite(X, h):
    for row in X:
        h = np.tanh(row * h + 0.1)
    return np.sum(h)


@case(arr(0.5, -0.3, 1.2), 0.7)
def for_enumerate(xs, x):
    s = 0.0
    for i, v in enumerate(xs):
        s = s + (i + 1) * v * x
    return s


@case(1.3, 0.7)
def for_enumerate_tuple(x, y):
    s = 0.0
    for i, v in enumerate((x, y, x * y)):
        s = s + v ** (i + 1)
    return s


@case(arr(0.5, -0.3, 1.2), arr(0.2, 0.9, -0.4))
def for_zip(xs, ys):
    s = 0.0
    for a, b in zip(xs, ys):
        s = s + a * b + a ** 2
    return s


@case(1.3, 0.7)
def for_zip_tuples(x, y):
    s = 0.0
    for a, b in zip((x, y), (y, 2.0)):
        s = s + a / b
    return s


@case(np.array([[0.5, -0.3], [0.1, 0.9], [1.1, 0.2]]), arr(0.3, -0.4, 0.6), tags={"rows"})
def for_zip_rows(X, c):
    s = 0.0
    for row, k in zip(X, c):
        s = s + k * np.sum(np.sin(row))
    return s


# ================================================================================================
# while, break, continue
# ================================================================================================
@case(0.8, 4)
def while_count(x, n):
    k = 0
    y = x
    while k < n:
        y = y * x + 0.5
        k += 1
    return y


@case(0.9)
def while_threshold(x):
    t = x
    steps = 0
    while t < 10.0:
        t = t * 1.7 + x
        steps = steps + 1
    return t * steps


@case(2.0)
def while_newton(a):
    x = a
    i = 0
    while i < 6:
        x = 0.5 * (x + a / x)
        i += 1
    return x


@case(1.7, 20)
def loop_break(x, n):
    s = 1.0
    for i in range(n):
        s = s * x
        if s > 10.0:
            break
    return s


@case(1.3)
def while_break(x):
    s = x
    while True:
        s = s * s + 0.1
        if s > 5.0:
            break
    return s


@case(1.3, 0.5, 4)
def break_inner(x, y, n):
    s = 0.0
    for i in range(n):
        for j in range(n):
            if j > i:
                break
            s = s + x * y ** j
    return s


@case(0.9, 7)
def loop_continue(x, n):
    s = 0.0
    for i in range(n):
        if i % 2 == 0:
            continue
        s = s + x ** i
    return s


@case(arr(0.5, -0.3, 1.2, -0.8))
def loop_continue_value(xs):
    s = 0.0
    for v in xs:
        if v < 0:
            continue
        s = s + v * v * 3.0
    return s


@case(1.1, 6)
def break_and_continue(x, n):
    s = 0.0
    i = 0
    while i < n:
        i += 1
        if i == 2:
            continue
        s = s + x * i
        if s > 8.0:
            break
    return s * x


# ================================================================================================
# return inside loops and branches
# ================================================================================================
@case(1.5, 1.0, 10)
@case(0.5, 0.3, 4)
def return_in_loop(x, y, n):
    s = 0.0
    for i in range(n):
        s = s * x + y
        if s > 5.0:
            return s * y
    return -s


@case(1.5, 0.7)
@case(0.5, 0.7)
@case(-1.5, -0.7)
@case(0.5, -0.7)
def return_in_branches(x, y):
    if x > 1.0:
        return x * y
    elif y > 0.0:
        return x ** 2 + y
    if x < -1.0:
        return -x * y * y
    return x - y


@case(0.8)
def return_in_while(x):
    k = 0
    while True:
        x = math.sin(x) + 1.0
        k += 1
        if k >= 4:
            return x * k


@case(1.2, 5)
def return_in_nested_loop(x, n):
    s = x
    for i in range(n):
        for j in range(n):
            s = s * 1.1 + x
            if s > 12.0:
                return s - i - j
    return s


@case(0.3, arr(0.5, 1.5, 2.5))
@case(2.0, arr(0.5, 1.5, 2.5))
def return_search(t, xs):
    for v in xs:
        if t < v:
            return t * v
    return t * 10.0


# ================================================================================================
# nested loops, variables overwritten many times
# ================================================================================================
@case(0.7, 0.3, 3, 4)
def nested_loops(x, y, n, m):
    s = 0.0
    for i in range(n):
        for j in range(m):
            s = s + x * i - y * j + x * y
        s = s * 0.9
    return s


@case(np.array([[0.5, -0.3, 1.2], [0.1, 0.9, -0.7]]), arr(0.3, -0.4, 0.5))
def nested_loop_index(X, w):
    s = 0.0
    for i in range(X.shape[0]):
        for j in range(X.shape[1]):
            s = s + X[i, j] * w[j] * X[i, j]
    return s


@case(0.9, 5)
def triangular_loop(x, n):
    s = 0.0
    for i in range(n):
        for j in range(i):
            s = s * x + j
    return s


@case(0.6, 0.2, 5, tags={"overwrite"})
def overwrite_scalar(x, y, n):
    for i in range(n):
        x = math.sin(x) + y
        x = x * x * 0.5 + x
    return x


@case(arr(0.1, 0.2), np.array([[0.5, -0.3], [0.8, 0.4]]), arr(0.1, -0.2), 3,
      tags={"overwrite"})
def overwrite_array(h, W, b, n):
    for i in range(n):
        h = np.tanh(W @ h + b)
    return np.sum(h ** 2)


@case(0.7, tags={"overwrite"})
def overwrite_many(x):
    z = x
    z = z * 2.0
    z = np.sin(z)
    z = z + x
    z = z * z
    z = z - x * z
    return z


@case(0.5, 1.1, 4, tags={"overwrite"})
def overwrite_two(x, y, n):
    a = x
    b = y
    for i in range(n):
        t = a * b
        a = math.cos(t) + b
        b = t * 0.5 - a * 0.1
        t = a + b
    return a * b + t


# ================================================================================================
# helpers: same module, other module, chains, tuples, keywords, defaults
# ================================================================================================
def _square(a):
    return a * a


def _cube_plus(a, b):
    return a * _square(a) + b


def _polar(x, y):
    r = math.sqrt(x * x + y * y)
    theta = math.atan2(y, x)
    return r, theta


def _scaled(x, scale=2.0, shift=0.0):
    return scale * x + shift


def _branchy(x):
    if x > 0:
        return x * x
    return -x


@case(1.3, 0.7, tags={"helper"})
def uses_helper(x, y):
    return _square(x) + _square(x * y)


@case(1.3, 0.7, tags={"helper", "helper-chain"})
def uses_helper_chain(x, y):
    return _cube_plus(x, y) * _cube_plus(y, x)


@case(1.3, 0.7, tags={"helper", "helper-tuple"})
def uses_helper_tuple(x, y):
    r, t = _polar(x, y)
    return r * math.cos(t) + r ** 2 * t


@case(1.3, 0.7, tags={"helper", "kwargs"})
def uses_helper_kwargs(x, y):
    return _scaled(x, shift=y) + _scaled(x, scale=y) + _scaled(y, 3.0, shift=x) + _scaled(x)


@case(0.9, 3, tags={"helper", "helper-chain"})
def uses_helper_in_loop(x, n):
    for i in range(n):
        x = _cube_plus(x * 0.5, 0.1)
    return x


@case(arr(0.4, -0.9, 1.3), arr(0.5, 0.2, -0.6), tags={"helper"})
def uses_helper_array(v, w):
    return np.sum(_square(v) * w) + _square(np.sum(w))


@case(0.8, -1.1, tags={"helper"})
def uses_helper_branchy(x, y):
    return _branchy(x) * _branchy(y)


@case(1.2, 0.6, tags={"helper-mod", "kwargs", "defaults"})
def uses_mod_helper(x, c):
    return hm.poly(x, c) + hm.poly(c) + poly(x, c=c)


@case(1.2, 0.6, tags={"helper-mod", "helper-chain"})
def uses_mod_helper_chain(x, y):
    return hm.outer(x, y) + inner(x) * helpers_mod.inner(y)


@case(arr(0.4, -0.9, 1.3), tags={"helper-mod", "helper-tuple"})
def uses_mod_helper_tuple(v):
    s, m = hm.stats(v)
    return s * m + hm.softplus(s)


@case(1.2, 0.6, tags={"helper-mod", "kwargs", "defaults"})
def uses_mod_kwargs(x, w):
    return hm.affine(x, w=w) + hm.affine(x, w, b=w * 2.0) + hm.affine(w=x, x=w)


@case(np.array([[0.5, -0.3], [0.8, 0.4]]), arr(0.1, 0.2), arr(0.1, -0.2),
      tags={"helper-mod"})
def uses_mod_layer(W, h, b):
    return np.sum(hm.layer(W, h, b) ** 2)


@case(0.7, 3, tags={"helper-mod", "helper-chain"})
def uses_mod_looped(x, n):
    return hm.looped(x, n) + hm.deep(x)


@case(0.9, 2.0, tags={"helper-mod", "helper-tuple"})
@case(0.9, 20.0, tags={"helper-mod", "helper-tuple"})
def uses_mod_early(x, limit):
    y, k = hm.early(x, limit)
    return y * x + k


@case(1.3, tags={"defaults"})
@case(1.3, 0.5, tags={"defaults"})
@case(1.3, 0.5, 2, tags={"defaults"})
def with_defaults(x, y=2.0, k=3):
    s = 0.0
    for i in range(k):
        s = s + x * y ** i
    return s


@case(arr(0.3, 0.6), tags={"defaults"})
@case(arr(0.3, 0.6), 0.25, tags={"defaults"})
def with_default_scale(v, scale=1.5, power=2):
    return np.sum((scale * v) ** power)


# ================================================================================================
# closures (inner functions made by a factory) and module-level constants
# ================================================================================================
def make(scale):
    offset = scale * 0.5

    def closure_fn(x, y):
        return scale * x ** 2 + offset * y + math.sin(scale * y)
    return closure_fn


def make_array(W):
    def closure_apply(x):
        return np.sum(np.tanh(W @ x))
    return closure_apply


def make_loop(n, rate):
    def closure_loop(x):
        s = x
        for i in range(n):
            s = s * rate + x * i
        return s
    return closure_loop


CLOSURE_A = make(2.0)
CLOSURE_B = make(-0.5)
register(CLOSURE_A, (1.3, 0.7), {"closure"}, id="closure_fn-scale2")
register(CLOSURE_B, (1.3, 0.7), {"closure"}, id="closure_fn-scale-0.5")
register(make_array(np.array([[0.5, -0.3], [0.8, 0.4], [0.1, 1.0]])), (arr(0.3, -0.2),),
         {"closure"}, id="closure_apply")
register(make_loop(3, 0.5), (0.8,), {"closure"}, id="closure_loop-3")
register(make_loop(5, 1.5), (0.8,), {"closure"}, id="closure_loop-5")

K = 2.5
OFFSETS = np.array([0.1, -0.2, 0.3])
N_STEPS = 3


@case(0.7, arr(0.4, -0.9, 1.3), tags={"module-const"})
def uses_module_consts(x, v):
    return K * x ** 2 + np.sum((v + OFFSETS) ** 2) * math.e


@case(0.7, tags={"module-const"})
def uses_module_const_loop(x):
    for i in range(N_STEPS):
        x = x * K * 0.5 - 0.3 * hm.SCALE
    return x * x


# ================================================================================================
# math module, builtins
# ================================================================================================
@case(0.7, 0.4)
@case(2.1, -1.3)
def math_trig(x, y):
    return math.sin(x) * math.cos(y) + math.tan(x * 0.5) - math.atan2(y, x)


@case(0.7, 0.4)
@case(1.9, 2.3)
def math_exp_log(x, y):
    return (math.exp(x) * math.log(y) + math.sqrt(x + y) + math.log1p(x) - math.expm1(y)
            + math.log(x * y + 2.0, 3.0))


@case(0.7, 0.4)
@case(1.9, 2.3)
def math_hyper(x, y):
    return (math.tanh(x * y) + math.atan2(y, x) + math.hypot(x, y) + math.pow(x, y)
            + math.fabs(y - x))


@case(0.7, 0.4)
def math_all(x, y):
    a = math.sin(x) + math.cos(x) + math.tan(y)
    b = math.exp(-x) * math.log(1.0 + y) / math.sqrt(x)
    c = math.tanh(a) + math.atan2(a, b) + math.pow(b, 2.0) + math.hypot(a, y)
    d = math.log1p(x * y) + math.expm1(-y) + math.fabs(x - 1.0)
    return a * b + c - d


@case(0.3, 4)
def math_in_loop(x, n):
    for i in range(n):
        x = math.tanh(x) + math.exp(-x) * 0.5
    return x


@case(1.3, 0.7)
@case(-0.4, 1.1)
def builtins_abs_minmax(x, y):
    return abs(x - y) * min(x, y) + max(x * y, y) + float(x) * 2


@case(1.3, 0.7)
@case(0.2, 2.9)
def builtins_more(x, y):
    a = max(x, 0.5)
    b = min(y, 2.0)
    return abs(a * b - 3.0) + float(b) ** 2 + abs(-x) * min(a, b) + max(-y, -x)


@case(arr(0.5, -1.3, 2.0), arr(1.1, -0.2, 0.7))
def builtins_on_arrays(v, w):
    return np.sum(abs(v) * w) + float(np.sum(v * w))


# ================================================================================================
# NumPy: element-wise
# ================================================================================================
@case(arr(0.3, -0.6, 0.8))
def np_trig(v):
    return np.sum(np.sin(v) * np.cos(v) + np.tan(v) + np.arcsin(0.5 * v) + np.arccos(v * 0.9)
                  + np.arctan(2.0 * v))


@case(arr(0.3, -0.6, 0.8))
def np_hyper(v):
    return np.sum(np.sinh(v) * np.cosh(v) + np.tanh(v * 2.0))


@case(arr(0.3, 0.6, 1.8))
def np_explog(v):
    return np.sum(np.exp(v) * np.log(v) + np.log1p(v) - np.expm1(-v) + np.sqrt(v)
                  + np.square(v - 1.0) + np.abs(v - 0.5))


@case(arr(0.3, 0.6, 1.8), 1.7)
def np_power(v, w):
    return np.sum(np.power(v, 3) + np.power(v, w) + np.power(w, v) + v ** w)


@case(arr(0.3, -0.6, 1.8), arr(0.9, -0.4, 1.1))
def np_maxmin(v, w):
    return np.sum(np.maximum(v, w) * np.minimum(v, 0.2) + np.maximum(w, 0.0) ** 2
                  + np.minimum(v * w, w))


@case(arr(0.3, -0.6, 1.8, -1.2), 0.7)
def np_where_clip(v, w):
    a = np.where(v > 0, v * w, -v)
    b = np.clip(v, -0.5, 0.5)
    c = np.where(v < 1.0, w, v ** 2)
    return np.sum(a * b + c + np.clip(v * w, -1.0, 1.0) ** 2)


@case(0.7)
@case(1.9)
def np_on_scalars(x):
    return np.sin(x) * np.exp(x) + np.sqrt(x) + np.tanh(x) ** 2 + np.log(x) + np.abs(x - 1.0)


@case(arr(0.3, -0.6, 0.8), arr(0.4, 0.9, 0.2))
def np_elementwise_mix(v, w):
    a = np.arcsin(v) + np.arccos(w) + np.arctan(v * w)
    b = np.sinh(w) - np.cosh(v) + np.tanh(v - w)
    c = np.exp(w) / np.sqrt(w) + np.log(w + 1.0) + np.log1p(w) + np.expm1(v)
    d = np.square(a) + np.abs(v) + np.power(w, 2.5) + np.maximum(a, b) + np.minimum(b, c)
    e = np.where(v > 0.0, np.sin(w), np.cos(v)) + np.clip(a, -0.5, 0.9) + np.tan(v)
    return np.sum(d * e + c)


@case(arr(0.3, -0.6, 0.8), 0.7)
def np_scalar_mix(v, x):
    return np.sum(np.maximum(v, x * 0.5) + np.clip(v, -x, x) * np.power(x, 2)) + np.sin(x)


# ================================================================================================
# NumPy: reductions (axis, negative axis, keepdims), products, shapes, methods
# ================================================================================================
M23 = np.array([[0.5, -0.3, 1.2], [0.1, 0.9, -0.7]])
M34 = np.array([[0.5, -0.3, 1.2, 0.8], [0.1, 0.9, -0.7, 0.4], [1.1, 0.2, 0.3, -0.6]])


@case(M23.copy())
def reduce_basic(M):
    return np.sum(M) + np.mean(M ** 2) + np.max(M) * np.min(M) + np.prod(M + 2.0)


@case(M23.copy(), arr(0.4, -0.8))
def reduce_axis(M, w):
    a = np.sum(np.sum(M, axis=0) ** 2)
    b = np.sum(np.mean(M, axis=1) * w)
    c = np.sum(np.max(M, axis=0) * np.min(M, axis=1)[0])
    d = np.sum(np.prod(M + 2.0, axis=1) * w)
    return a + b + c + d


@case(M34.copy())
def reduce_neg_axis(M):
    a = np.sum(np.sin(np.sum(M, axis=-1)))
    b = np.sum(np.max(M, axis=-2) ** 2)
    c = np.sum(np.mean(M, axis=-1) * np.min(M, axis=-1))
    d = np.sum(np.prod(M * 0.5 + 1.0, axis=-2))
    return a + b + c + d


@case(M34.copy())
def reduce_keepdims(M):
    centered = M - np.mean(M, axis=1, keepdims=True)
    scaled = centered / np.max(M, axis=0, keepdims=True)
    a = np.sum(scaled ** 2) + np.sum(np.sum(M, axis=-1, keepdims=True) * M)
    b = np.sum(np.min(M, axis=-2, keepdims=True) * np.prod(M + 2.0, axis=1, keepdims=True))
    return a + b


@case(M34.copy())
def softmax_loss(M):
    z = M - np.max(M, axis=1, keepdims=True)
    e = np.exp(z)
    p = e / np.sum(e, axis=1, keepdims=True)
    return -np.mean(np.log(p[:, 0]))


@case(M23.copy(), arr(0.4, -0.8, 0.5))
def np_dot(A, v):
    u = np.dot(A, v)
    return np.dot(u, u) + np.dot(v, v) * 0.5 + v.dot(v * 2.0)


@case(M23.copy(), M34.copy())
def np_matmul(A, B):
    C = A @ B
    D = np.matmul(A, B)
    return np.sum(C * D) + np.sum(np.sin(A @ B[:, 0]))


@case(M23.copy())
def np_transpose(A):
    return np.sum(A.T @ A) + np.sum(np.transpose(A) * A.T) + np.sum(np.sin(A.T)[0])


@case(M23.copy())
def np_reshape(A):
    a = A.reshape(6)
    b = np.reshape(A, (3, 2))
    c = A.reshape(3, 2)
    d = A.reshape(-1)
    return np.sum(a * d) + np.sum(b @ A) + np.sum(c[0] * b[1])


@case(M23.copy(), arr(0.4, -0.8, 0.5))
def methods_basic(M, v):
    return M.sum() * M.mean() + M.max() + M.reshape(6).sum() + M.T.sum() + M.dot(v).sum()


@case(M34.copy(), arr(0.4, -0.8, 0.5, 0.3))
def methods_axis(M, v):
    a = M.sum(axis=0) * v
    b = M.mean(axis=-1) ** 2
    c = M.max(axis=1, keepdims=True) * M
    d = M.T.dot(M.sum(axis=1))
    return a.sum() + b.sum() + c.mean() + d.dot(v) + M.reshape(2, 6).T.max(axis=0).sum()


@case(M23.copy(), M34.copy(), arr(0.4, -0.8))
def linear_chain(A, B, w):
    h = np.tanh(A @ B)
    s = h.sum(axis=1)
    return np.dot(s, w) + np.sum(np.matmul(h, h.T))


# ================================================================================================
# broadcasting
# ================================================================================================
@case(np.array([[0.5], [-0.3], [1.2]]), arr(0.3, -0.4, 0.5, 0.2), tags={"broadcast"})
def bcast_col_row(c, r):
    return np.sum(np.sin(c * r) + c + r * r)


@case(0.7, arr(0.3, -0.4, 0.5), tags={"broadcast"})
def bcast_scalar(x, v):
    return np.sum(x * v + x) + np.sum(v / x - x ** 2 * v)


@case(M34.copy(), arr(0.3, -0.4, 0.5, 0.2), tags={"broadcast"})
def bcast_row(M, b):
    return np.sum(np.tanh(M + b) ** 2) + np.sum(M * b - b)


@case(np.array([[0.5], [-0.3], [1.2]]), arr(0.3, -0.4, 0.6, 0.2), 0.8, tags={"broadcast"})
def bcast_mixed(c, r, x):
    a = c + r * x
    b = np.maximum(c, r)
    return np.sum(a * b) + np.sum(np.where(c > r, c, x))


@case(M34.copy(), 0.6, tags={"broadcast"})
def bcast_keepdims(M, x):
    col = np.sum(M, axis=1, keepdims=True)
    row = np.mean(M, axis=0)
    return np.sum((col * row) ** 2 * x) + np.sum(col + x)


# ================================================================================================
# constants that carry no derivative
# ================================================================================================
@case(arr(0.5, -1.3, 2.0), tags={"nondiff"})
def nd_compare(v):
    return np.sum((v > 0.2) * v ** 2) + np.sum(np.where(v > 0, 1.0, 0.0) * v)


@case(1.3, 0.7, tags={"nondiff"})
@case(0.3, 0.7, tags={"nondiff"})
def nd_compare_scalar(x, y):
    c = x > y
    d = (x < y) * 1.0
    return c * x * y + d * y + (x != y) * x


@case(arr(0.5, -1.3, 2.0), M23.copy(), tags={"nondiff"})
def nd_len_shape(v, M):
    return len(v) * np.sum(v) + M.shape[0] * np.sum(M ** 2) / M.shape[1] + M.size * v[0]


@case(arr(0.5, -1.3, 2.0, 1.1), tags={"nondiff"})
def nd_argmax(v):
    i = np.argmax(v)
    j = np.argmin(v)
    return v[i] * 2.0 + np.sum(v) * i + v[j] ** 2 * j


@case(arr(0.4, -1.3, 2.2), tags={"nondiff"})
def nd_floor_sign(v):
    return np.sum(np.floor(v) * v + np.sign(v) * v ** 2 + np.floor(v * 2.0))


@case(0.7, 7, tags={"nondiff", "int-ops"})
@case(0.7, 4, tags={"nondiff", "int-ops"})
def nd_int_ops(x, n):
    k = n // 2 + n % 3
    m = k * 2 - 1
    j = -k + abs(m - 5)
    return x * k + x ** m + j * x


@case(1.4, 2.6, tags={"nondiff", "int-ops"})
def nd_int_of_float(x, y):
    k = int(x * 3.0)
    r = round(y)
    return x * k + y ** r + math.floor(y) * x


@case(arr(0.5, -1.3, 2.0), 0.6, tags={"nondiff"})
def nd_shape_loop(v, x):
    s = 0.0
    for i in range(v.shape[0]):
        s = s + v[i] * x * len(v)
    return s + np.sum(np.sign(v)) * x


@case(arr(0.5, -1.3, 2.0), M23.copy(), tags={"nondiff"})
def nd_argmax_floor(v, M):
    k = np.argmax(M)
    rows = np.floor(np.sum(np.abs(v)))
    return np.sum(M.reshape(-1) * k) + rows * np.sum(v ** 2) + np.max(M) * np.argmax(v)


@case(M23.copy(), M34.copy())
def np_transpose_reshape(A, B):
    C = np.transpose(np.reshape(B, (3, 4))) @ A.T
    D = np.reshape(np.transpose(A), (2, 3))
    return np.sum(C ** 2) + np.sum(D * A) + np.sum(np.matmul(np.transpose(B), A.T))


@case(1.3, 0.7)
def for_tuple_list_mix(x, y):
    s = 0.0
    for a in (x * y, 1.5, y):
        for b in [x, 2.0]:
            s = s + a * b
    for c in (x,):
        s = s * c
    return s


@case(0.4, 0.9)
def for_list_break(x, y):
    s = 1.0
    for v in [x, y, x + y, x * y]:
        if v > 1.2:
            break
        s = s * (1.0 + v)
    return s


# ================================================================================================
# edge cases of the same features
# ================================================================================================
@case(1.3, 0.7)
def names_like_adjoints(x, dx):
    dy = x * dx
    stack = dy + x
    dout = stack * stack
    dx = dout - dy
    return dx * x


@case(0.9, 4)
def loop_variable_after_loop(x, n):
    s = x
    for i in range(n):
        s = s * x
    return s * i + x * i


@case(-1.5, 3, tags={"int-ops", "intfloat"})
@case(-0.5, 2, tags={"int-ops", "intfloat"})
def negative_base_int_power(x, n):
    k = 2.0
    return x ** n + x ** k + x ** 2 + (x * 2) ** n


@case(arr(-1.5, 0.4, -0.2), 3, tags={"int-ops", "intfloat"})
def negative_base_int_power_array(v, n):
    return np.sum(v ** n + np.power(v, n) + v ** 2.0)


@case(0.7, arr(0.3, -0.4, 0.5), tags={"broadcast"})
def augassign_broadcast(x, v):
    z = np.zeros(3)
    z += x
    z *= v
    z -= x * v
    z /= 2.0
    acc = 0.0
    acc += np.sum(z * v)
    return acc


@case(1.1, 0.4, 3)
def while_in_for_with_break_continue(x, y, n):
    s = 0.0
    for i in range(n):
        k = 0
        while True:
            k += 1
            if k == 2:
                continue
            s = s + x * y ** k
            if k > i + 2:
                break
    return s


@case(0.8, 2.0)
@case(1.6, 2.0)
@case(0.8, -2.0)
def return_nested_if_in_loop(x, y):
    s = x
    for i in range(4):
        if s > 1.0:
            if y > 0:
                return s * y
            else:
                s = s - y
        else:
            s = s * 1.5
    return s + y


@case(0.6, 0.9, 3, tags={"helper", "helper-tuple"})
def helper_tuple_in_loop(x, y, n):
    for i in range(n):
        r, t = _polar(x, y)
        x, y = r * math.cos(t + 0.1), r * math.sin(t + 0.1)
    return x * y


@case(0.7, 0.4)
def max_min_same_arg(x, y):
    return max(x, x * 0.5) + min(y, y * y) + abs(x - y) * max(-x, y - 1.0)


@case(0.7)
def constant_return(x):
    y = x * 2.0
    return 3.0


@case(0.7)
def identity_return(x):
    y = x
    return y


@case(0.7, 0.4)
def unused_argument(x, y):
    return x * 2.0


@case(0.7, arr(0.3, -0.4, 0.5))
def only_nondiff_use(x, v):
    return x * len(v) + x * v.shape[0] + np.argmax(v) * x


def _with_module_default(x, c=K):
    return x * c + N_STEPS


@case(1.2, tags={"helper", "module-const", "defaults"})
def uses_helper_module_default(x):
    return _with_module_default(x) + _with_module_default(x, c=x)


@case(arr(0.5, -0.3, 1.2), tags={"helper"})
def helper_called_twice_same_args(v):
    a = _square(v)
    b = _square(v)
    return np.sum(a * b) + np.sum(_square(a))


@case(0.8, 2.0)
@case(1.6, -2.0)
@case(0.8, -0.5)
def break_nested_if(x, y):
    s = x
    for i in range(5):
        if s > 1.0:
            if y > 0:
                break
            else:
                s = s - y
        else:
            s = s * 1.5
    return s * y


@case(0.5)
@case(0.1)
def break_after_statements(x):
    s = x
    for i in range(6):
        s = math.sin(s) + x
        if s > 1.2:
            s = s * 2.0
            break
        s = s * 1.1
    return s


@case(0.5, 1.7)
@case(-0.5, 1.9)
@case(0.5, 0.3)
def two_breaks(x, y):
    s = x
    for i in range(8):
        if s > 3.0:
            break
        if s < -3.0:
            break
        s = s * y + 0.5
    return s


@case(-0.5, 0.4)
@case(-2.5, 0.4)
def return_in_else(x, y):
    for i in range(3):
        if x < 0.0:
            x = x + y
        else:
            return x * i * y
    return x


@case(0.8, 0.5)
@case(0.8, -0.5)
def continue_nested_if(x, y):
    s = x
    for i in range(5):
        if i > 1:
            if y > 0:
                s = s + y
                continue
            s = s * y
        s = s * x
    return s


@case(0.8, 0.5)
@case(0.1, 0.1)
def return_in_while_nested_if(x, y):
    s = x
    k = 0
    while k < 6:
        k += 1
        if k > 2:
            if s > 2.0:
                return s * y
        s = s * 1.4 + y
    return -s


@case(0.9, 0.6)
@case(0.1, 0.2)
def return_in_inner_loop(x, y):
    s = 0.0
    for i in range(3):
        for j in range(3):
            s = s + x * y
            if s > 1.0:
                if j == 1:
                    return s * x
    return s


@case(0.9)
@case(0.1)
def break_sets_flag(x):
    s = x
    found = 0.0
    for i in range(5):
        s = s * 1.3
        if s > 2.0:
            found = s
            break
    return found * x + s


@case(arr(0.5, -0.3, 0.9))
def while_on_array(v):
    k = 0
    while np.sum(v * v) < 10.0:
        v = v * 1.5 + 0.1
        k += 1
    return np.sum(v) * k


@case(arr(0.5, -0.3, 0.9), arr(0.2, 0.7, -0.4))
@case(arr(0.1, 0.35, -0.2), arr(0.5, -0.3, 0.9))
def branch_on_array_reduction(v, w):
    if np.max(v) > 0.5:
        z = v * w
    else:
        z = v + w
    return np.sum(z ** 2)


@case(0.7, 0.3)
@case(0.3, 0.7)
def tuple_from_ifexp(x, y):
    a, b = (x, y) if x > y else (y, x)
    return a * 2.0 + b


@case(0.3, 0.7)
@case(0.7, 0.3)
def swap_in_branch(x, y):
    a, b = x, y
    if a < b:
        a, b = b, a
    return a - 2.0 * b


@case(arr(0.5, -0.3, 0.9), arr(0.2, 0.7, -0.4))
def for_tuple_of_arrays(v, w):
    s = 0.0
    for a in (v, w, v * w):
        s = s + np.sum(a ** 2)
    return s


@case(np.array([[0.5, -0.3, 0.9], [0.2, 0.7, -0.4]]), arr(0.5, -0.3, 0.9), tags={"rows"})
def enumerate_rows(X, w):
    s = 0.0
    for i, row in enumerate(X):
        s = s + np.dot(row, w) * (i + 1)
    return s


@case(np.array([[0.5, -0.3, 0.9], [0.2, 0.7, -0.4]]), 0.7, 0.3, tags={"rows"})
def zip_rows_and_list(X, x, y):
    s = 0.0
    for row, c in zip(X, [x, y]):
        s = s + np.sum(row) * c
    return s


def _pair(a, b):
    return a * b, a + b


@case(0.7, 0.3, tags={"helper", "helper-tuple"})
def helpers_tuples_chained(x, y):
    p, q = _pair(x, y)
    r, s = _pair(p, q)
    return r * s


@case(0.7, 0.3)
@case(-0.7, 0.3)
def augassign_in_branches(x, y):
    s = x
    if x > 0:
        s += y
        s *= x
    else:
        s -= y
        s /= x
    return s


@case(0.7, 4, tags={"intfloat"})
@case(0.7, 0, tags={"intfloat"})
def int_accumulator_loop(x, n):
    s = 0
    for i in range(n):
        s = s + i * x
    return s


@case(0.7, tags={"intfloat"})
def int_accumulator(x):
    s = 0
    s += x
    s = s * 2
    return s


@case(0.7, 0.3)
def documented(x, y):
    """A docstring first.

    Spanning lines.
    """
    # a comment
    z = x * y  # trailing comment

    w = (z +
         x ** 2)
    return w


@case(0.7, arr(0.5, -0.3, 0.9))
@case(0.7, arr(0.5, -0.3, 0.9), 3)
def annotated(x: float, v: np.ndarray, n: int = 2) -> float:
    z: float = x * 2.0
    s: float = 0.0
    for i in range(n):
        s = s + np.sum(v * z)
    return s


@case(0.7)
def with_assert_pass(x):
    assert x > 0, "x must be positive"
    if x > 10.0:
        pass
    y = x * x
    return y


@case(0.7, 0.3)
@case(0.3, 0.7)
@case(-0.5, 0.2)
@case(2.5, -0.5)
def bool_conditions(x, y):
    s = x
    if x > 0 and y > 0:
        s = s * y
    if not (x > y) or y < 0:
        s = s + x * x
    if 0 < x < 2:
        s = s * 3.0
    return s


@case(0.7, 3)
@case(0.7, 10)
def while_and(x, n):
    k = 0
    s = x
    while k < n and s < 10.0:
        s = s * 1.5 + x
        k += 1
    return s


@case(1.1, tags={"int-ops"})
@case(1.5, tags={"int-ops"})
def range_of_int_of_x(x):
    s = 0.0
    for i in range(int(x * 3.0)):
        s = s + x * i
    return s


@case(0.7, 0.3)
def nested_calls(x, y):
    return math.sin(math.cos(x) * math.exp(y * 0.5)) + np.tanh(np.sin(x) * y)


@case(0.7, 0.3)
@case(0.7, 0.05)
@case(0.2, 0.5)
def flag_var(x, y):
    big = x > y
    small = y < 0.1
    if big and not small:
        return x * y
    return x + y


@case(np.array([[0.5, -0.3, 0.9], [0.2, 0.7, -0.4]]),
      np.array([[0.5, -0.3], [0.2, 0.7], [0.1, 0.4]]), arr(0.3, -0.8))
def dot_variants(A, B, u):
    a = np.dot(u, A)
    b = np.dot(A, B)
    c = np.matmul(u, A) @ B
    d = u @ A
    return np.sum(a * d) + np.sum(b ** 2) + np.sum(c)


@case(0.7)
def reductions_of_scalar(x):
    return np.sum(x * 2.0) + np.mean(x) + np.max(x * x) + np.prod(x + 1.0)


@case(arr(0.5, -0.3, 0.9), 0.7, 0.3, tags={"broadcast"})
def where_scalar_branches(v, x, y):
    return np.sum(np.where(v > 0, x, y) * v) + np.sum(np.where(v > 0.4, x * v, y))


@case(arr(0.5, -0.3, 0.9), -0.2, 0.6, tags={"broadcast"})
def clip_active_bounds(v, lo, hi):
    return np.sum(np.clip(v, lo, hi) ** 2)


@case(arr(0.5, -0.3, 0.9))
def reshape_tuple_and_T1(v):
    a = v.reshape((3, 1))
    b = v.T
    return np.sum(a * b) + np.sum(v.reshape((1, 3)) @ a)


@case(np.arange(24.0).reshape(2, 3, 4) * 0.1 - 1.13)
def reduce3d(T):
    a = np.sum(T, axis=-2)
    b = np.max(T, axis=1, keepdims=True)
    c = np.mean(T, axis=0)
    return np.sum(a ** 2) + np.sum(b * T) + np.sum(c * c)


@case(-1.5)
@case(1.5)
def math_pow_negative_base(x):
    return math.pow(x, 3.0) + math.pow(x, 2) + x ** 3.0


@case(0.7, 0.4)
def loop_variable_after_loop_stmt(x, y):
    s = x
    for i in range(4):
        s = s - y * i
    s = s - y * i
    return s + x * y


@case(0.7, 0.4)
def loop_variable_in_branch_after_loop(x, y):
    s = x
    for i in range(4):
        s = s - y * i
    if i % 2 == 0:
        s = s + y
    return s


@case(0.7, 0.4)
def loop_target_overwrites_branch_operand(x, y):
    s = x
    i = 0
    if i > 1:
        s = s * x
    else:
        s = s + y
    for i in range(4):
        continue
    return s + x * y


@case(0.7, 0.4)
@case(0.3, 0.4)
@case(0.7, 0.9)
def break_in_nested_if_after_return(x, y):
    s = x
    for i in range(2):
        if s < 0.5:
            return s * x
        if i % 2 == 0:
            if s > x:
                s = s - y * i
            if x > y:
                break
        if s > 1.0:
            continue
    return s + x * y


@case(0.7, 0.4)
@case(0.3, 0.4)
@case(0.9, 1.3)
def many_jumps(x, y):
    s = x
    i = 0
    for i in range(2):
        if s < 0.5:
            return s * x
        if i % 2 == 0:
            if s > x:
                continue
            if s > 1.0:
                break
        else:
            if s < 0.5:
                break
            if x > y:
                s = math.tanh(s) * x
                s = s + y
                s = s + y
            else:
                s = s * s * 0.3
                s = math.sin(s)
                s = s - y * i
            if x > y:
                break
        if s > 1.0:
            continue
    return s + x * y


# ================================================================================================
# a few whole programs combining many features
# ================================================================================================
@case(arr(0.5, -0.3, 1.2), 0.4, 5)
def program_rnn(xs, w, n):
    h = 0.0
    total = 0.0
    for t in range(n):
        x = xs[t % len(xs)]
        h = math.tanh(w * h + x) if t < 3 else np.tanh(w * h - x)
        if h > 0.9:
            break
        total += h * h
    return total


@case(1.2, 0.3, 8)
def program_euler(y0, k, n):
    y = y0
    t = 0.0
    dt = 1.0 / n
    for i in range(n):
        dy = -k * y + math.sin(t)
        y = y + dt * dy
        t = t + dt
    return y


@case(M34.copy(), arr(0.3, -0.4, 0.5, 0.2), arr(0.4, 0.1, -0.2), 0.01)
def program_least_squares(X, w, y, lam):
    pred = X @ w
    r = pred - y
    loss = np.mean(r ** 2) + lam * np.sum(w * w)
    for i in range(len(w)):
        if w[i] < 0:
            loss = loss + lam * abs(w[i])
    return loss


@case(0.8, 1.5, 12)
def program_bisection(a, b, n):
    lo = 0.0
    hi = 3.0
    for i in range(n):
        mid = 0.5 * (lo + hi)
        if mid * mid > a:
            hi = mid
        else:
            lo = mid
    return b * (lo + hi)


# ================================================================================================
# one primitive per function (a failure here names the primitive)
# ================================================================================================
@case(0.7, 0.4, tags={"unit"})
def u_add(x, y):
    return x + y


@case(0.7, 0.4, tags={"unit"})
def u_sub(x, y):
    return x - y


@case(0.7, 0.4, tags={"unit"})
def u_mul(x, y):
    return x * y


@case(0.7, 0.4, tags={"unit"})
def u_div(x, y):
    return x / y


@case(0.7, 0.4, tags={"unit"})
def u_pow(x, y):
    return x ** y


@case(0.7, tags={"unit"})
def u_pow_int(x):
    return x ** 3


@case(0.7, tags={"unit"})
def u_neg(x):
    return -x


@case(0.7, tags={"unit"})
def u_math_sin(x):
    return math.sin(x)


@case(0.7, tags={"unit"})
def u_math_cos(x):
    return math.cos(x)


@case(0.7, tags={"unit"})
def u_math_tan(x):
    return math.tan(x)


@case(0.7, tags={"unit"})
def u_math_exp(x):
    return math.exp(x)


@case(0.7, tags={"unit"})
def u_math_log(x):
    return math.log(x)


@case(0.7, tags={"unit"})
def u_math_sqrt(x):
    return math.sqrt(x)


@case(0.7, tags={"unit"})
def u_math_tanh(x):
    return math.tanh(x)


@case(0.7, 0.4, tags={"unit"})
def u_math_atan2(x, y):
    return math.atan2(x, y)


@case(0.7, 0.4, tags={"unit"})
def u_math_pow(x, y):
    return math.pow(x, y)


@case(0.7, 0.4, tags={"unit"})
def u_math_hypot(x, y):
    return math.hypot(x, y)


@case(0.7, tags={"unit"})
def u_math_log1p(x):
    return math.log1p(x)


@case(0.7, tags={"unit"})
def u_math_expm1(x):
    return math.expm1(x)


@case(0.7, tags={"unit"})
def u_math_fabs(x):
    return math.fabs(x - 1.0)


@case(0.7, tags={"unit"})
def u_abs(x):
    return abs(x - 1.0)


@case(0.7, 0.4, tags={"unit"})
def u_min(x, y):
    return min(x, y)


@case(0.7, 0.4, tags={"unit"})
def u_max(x, y):
    return max(x, y)


@case(0.7, tags={"unit"})
def u_float(x):
    return float(x) * x


@case(arr(0.3, -0.6, 0.8), tags={"unit"})
def u_np_sin(v):
    return np.sum(np.sin(v))


@case(arr(0.3, -0.6, 0.8), tags={"unit"})
def u_np_cos(v):
    return np.sum(np.cos(v))


@case(arr(0.3, -0.6, 0.8), tags={"unit"})
def u_np_tan(v):
    return np.sum(np.tan(v))


@case(arr(0.3, -0.6, 0.8), tags={"unit"})
def u_np_arcsin(v):
    return np.sum(np.arcsin(v))


@case(arr(0.3, -0.6, 0.8), tags={"unit"})
def u_np_arccos(v):
    return np.sum(np.arccos(v))


@case(arr(0.3, -0.6, 0.8), tags={"unit"})
def u_np_arctan(v):
    return np.sum(np.arctan(v))


@case(arr(0.3, -0.6, 0.8), tags={"unit"})
def u_np_sinh(v):
    return np.sum(np.sinh(v))


@case(arr(0.3, -0.6, 0.8), tags={"unit"})
def u_np_cosh(v):
    return np.sum(np.cosh(v))


@case(arr(0.3, -0.6, 0.8), tags={"unit"})
def u_np_tanh(v):
    return np.sum(np.tanh(v))


@case(arr(0.3, -0.6, 0.8), tags={"unit"})
def u_np_exp(v):
    return np.sum(np.exp(v))


@case(arr(0.3, 0.6, 1.8), tags={"unit"})
def u_np_log(v):
    return np.sum(np.log(v))


@case(arr(0.3, 0.6, 1.8), tags={"unit"})
def u_np_log1p(v):
    return np.sum(np.log1p(v))


@case(arr(0.3, -0.6, 0.8), tags={"unit"})
def u_np_expm1(v):
    return np.sum(np.expm1(v))


@case(arr(0.3, 0.6, 1.8), tags={"unit"})
def u_np_sqrt(v):
    return np.sum(np.sqrt(v))


@case(arr(0.3, -0.6, 0.8), tags={"unit"})
def u_np_square(v):
    return np.sum(np.square(v))


@case(arr(0.3, -0.6, 0.8), tags={"unit"})
def u_np_abs(v):
    return np.sum(np.abs(v))


@case(arr(0.3, -0.6, 0.8), tags={"unit"})
def u_np_power(v):
    return np.sum(np.power(v, 3.0))


@case(arr(0.3, 0.6, 1.8), tags={"unit"})
def u_np_power_array(v):
    return np.sum(np.power(v, v))


@case(arr(0.3, -0.6, 0.8), tags={"unit"})
def u_np_maximum(v):
    return np.sum(np.maximum(v, 0.5))


@case(arr(0.3, -0.6, 0.8), tags={"unit"})
def u_np_minimum(v):
    return np.sum(np.minimum(v, 0.5))


@case(arr(0.3, -0.6, 0.8), tags={"unit"})
def u_np_where(v):
    return np.sum(np.where(v > 0.0, v * v, -v))


@case(arr(0.3, -0.6, 0.8), tags={"unit"})
def u_np_clip(v):
    return np.sum(np.clip(v, -0.5, 0.5) * v)


@case(arr(0.3, -0.6, 0.8), tags={"unit"})
def u_np_sum(v):
    return np.sum(v * v)


@case(arr(0.3, -0.6, 0.8), tags={"unit"})
def u_np_mean(v):
    return np.mean(v * v)


@case(arr(0.3, -0.6, 0.8), tags={"unit"})
def u_np_max(v):
    return np.max(v)


@case(arr(0.3, -0.6, 0.8), tags={"unit"})
def u_np_min(v):
    return np.min(v)


@case(arr(0.3, -0.6, 0.8), tags={"unit"})
def u_np_prod(v):
    return np.prod(v)


@case(arr(0.3, -0.6, 0.8), tags={"unit"})
def u_np_dot(v):
    return np.dot(v, v)


@case(arr(0.3, -0.6, 0.8), tags={"unit"})
def u_np_matmul(v):
    return np.matmul(v, v)


@case(arr(0.3, -0.6, 0.8), tags={"unit"})
def u_matmul_op(v):
    return v @ v


@case(arr(0.3, -0.6, 0.8), tags={"unit"})
def u_np_transpose(v):
    return np.sum(np.transpose(v) * v)


@case(arr(0.3, -0.6, 0.8), tags={"unit"})
def u_dot_T(v):
    return np.sum(v.T * v)


@case(arr(0.3, -0.6, 0.8), tags={"unit"})
def u_np_reshape(v):
    return np.sum(np.reshape(v, (3, 1)) * v)


@case(arr(0.3, -0.6, 0.8), tags={"unit"})
def u_method_sum(v):
    return (v * v).sum()


@case(arr(0.3, -0.6, 0.8), tags={"unit"})
def u_method_mean(v):
    return (v * v).mean()


@case(arr(0.3, -0.6, 0.8), tags={"unit"})
def u_method_max(v):
    return v.max()


@case(arr(0.3, -0.6, 0.8), tags={"unit"})
def u_method_reshape(v):
    return (v.reshape(3, 1) * v).sum()


@case(arr(0.3, -0.6, 0.8), tags={"unit"})
def u_method_dot(v):
    return v.dot(v)


@case(arr(0.3, -0.6, 0.8), tags={"unit"})
def u_array_add(v):
    return np.sum(v + v * 2.0)


@case(arr(0.3, -0.6, 0.8), tags={"unit"})
def u_array_sub(v):
    return np.sum(v - v * v)


@case(arr(0.3, -0.6, 0.8), tags={"unit"})
def u_array_mul(v):
    return np.sum(v * v * v)


@case(arr(0.3, -0.6, 0.8), tags={"unit"})
def u_array_div(v):
    return np.sum(v / (v * v + 1.0))


@case(arr(0.3, -0.6, 0.8), tags={"unit"})
def u_array_pow(v):
    return np.sum(v ** 3)


@case(arr(0.3, -0.6, 0.8), tags={"unit"})
def u_array_neg(v):
    return np.sum(-v * v)

# ================================================================================================
# feature extraction (from the source) and the list every feature must be covered by
# ================================================================================================
BINOPS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**",
          ast.MatMult: "@", ast.FloorDiv: "//", ast.Mod: "%"}
AUGOPS = {ast.Add: "+=", ast.Sub: "-=", ast.Mult: "*=", ast.Div: "/="}
MODULES = ("np", "math")


def dotted(node):
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = dotted(node.value)
        return base and f"{base}.{node.attr}"
    return None


@functools.lru_cache(maxsize=None)
def source_features(fn):
    tree = ast.parse(textwrap.dedent(inspect.getsource(fn)))
    fdef = tree.body[0]
    feats = set()
    if fdef.args.defaults:
        feats.add("defaults")
    returns = []

    def walk(node, loops=0, ifs=0):
        for child in ast.iter_child_nodes(node):
            visit(child, loops, ifs)

    def visit(node, loops, ifs):
        t = type(node)
        if isinstance(node, ast.BinOp) and type(node.op) in BINOPS:
            feats.add(BINOPS[type(node.op)])
            consts = [isinstance(o, ast.Constant) and type(o.value) is int
                      for o in (node.left, node.right)]
            if any(consts) and not all(consts):
                feats.add("intfloat")
        elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            feats.add("unary-")
        elif isinstance(node, ast.AugAssign) and type(node.op) in AUGOPS:
            feats.add(AUGOPS[type(node.op)])
        elif isinstance(node, ast.Constant) and type(node.value) is float:
            feats.add("const")
        elif isinstance(node, ast.IfExp):
            feats.add("ifexp")
        elif isinstance(node, ast.Compare):
            feats.add("compare")
        elif isinstance(node, ast.Assign):
            if isinstance(node.targets[0], ast.Tuple):
                feats.add("unpack")
                if isinstance(node.value, ast.Tuple):
                    tnames = [dotted(e) for e in node.targets[0].elts]
                    vnames = {n.id for n in ast.walk(node.value) if isinstance(n, ast.Name)}
                    if set(tnames) & vnames:
                        feats.add("swap")
            if isinstance(node.value, ast.Tuple):
                feats.add("pack")
        elif isinstance(node, ast.Return):
            returns.append(node)
            if loops:
                feats.add("return-in-loop")
            if ifs:
                feats.add("return-in-branch")
        elif isinstance(node, ast.Break):
            feats.add("break")
        elif isinstance(node, ast.Continue):
            feats.add("continue")
        elif isinstance(node, ast.While):
            feats.add("while")
            if loops:
                feats.add("nested-loop")
            walk(node, loops + 1, ifs)
            return
        elif isinstance(node, ast.For):
            feats.add("for")
            if loops:
                feats.add("nested-loop")
            it = node.iter
            if isinstance(it, ast.Tuple):
                feats.add("for-tuple")
            elif isinstance(it, ast.List):
                feats.add("for-list")
            elif isinstance(it, ast.Name):
                feats.add("for-name")
            elif isinstance(it, ast.Call) and dotted(it.func) == "range":
                n = len(it.args)
                feats.add({1: "range(n)", 2: "range(a,b)", 3: "range(a,b,step)"}[n])
                if any(isinstance(a, ast.Call) and dotted(a.func) == "len"
                       for a in ast.walk(it)):
                    feats.add("range(len)")
                bound_names = {n.id for a in it.args for n in ast.walk(a)
                               if isinstance(n, ast.Name)} - {"len"}
                if bound_names:
                    feats.add("data-range")
            walk(node, loops + 1, ifs)
            return
        elif isinstance(node, ast.If):
            feats.add("if")
            if ifs:
                feats.add("nested-if")
            if len(node.orelse) == 1 and isinstance(node.orelse[0], ast.If):
                feats.add("elif")
            walk(node, loops, ifs + 1)
            return
        elif isinstance(node, ast.Call):
            name = dotted(node.func)
            if node.keywords:
                feats.add("kw-call")
            if name and (name.split(".")[0] in MODULES or "." not in name):
                feats.add(name)
            elif isinstance(node.func, ast.Attribute):
                feats.add("." + node.func.attr)
            for kw in node.keywords:
                if kw.arg == "axis":
                    feats.add("axis")
                    v = kw.value
                    if isinstance(v, ast.UnaryOp) and isinstance(v.op, ast.USub):
                        feats.add("neg-axis")
                if kw.arg == "keepdims":
                    feats.add("keepdims")
        elif isinstance(node, ast.Attribute) and node.attr in ("T", "shape", "size"):
            feats.add("." + node.attr)
        elif isinstance(node, ast.Subscript):
            feats.add("index")
        walk(node, loops, ifs)

    walk(fdef)
    if len(returns) > 1:
        feats.add("multi-return")
    return frozenset(feats)


REQUIRED_FEATURES = [
    # operators and statements
    "+", "-", "*", "/", "**", "unary-", "+=", "-=", "*=", "/=", "intfloat", "const",
    "pack", "unpack", "swap", "ifexp", "if", "elif", "nested-if",
    "range(n)", "range(a,b,step)", "range(len)", "data-range", "for-tuple", "for-list", "rows",
    "enumerate", "zip", "while", "break", "continue", "return-in-loop", "return-in-branch",
    "multi-return", "nested-loop", "overwrite",
    # calls
    "helper", "helper-mod", "helper-chain", "helper-tuple", "kwargs", "defaults", "closure",
    "module-const",
    "math.sin", "math.cos", "math.tan", "math.exp", "math.log", "math.sqrt", "math.tanh",
    "math.atan2", "math.pow", "math.hypot", "math.log1p", "math.expm1", "math.fabs",
    "abs", "min", "max", "float",
    "np.sin", "np.cos", "np.tan", "np.arcsin", "np.arccos", "np.arctan", "np.sinh", "np.cosh",
    "np.tanh", "np.exp", "np.log", "np.log1p", "np.expm1", "np.sqrt", "np.square", "np.abs",
    "np.power", "np.maximum", "np.minimum", "np.where", "np.clip", "np.sum", "np.mean",
    "np.max", "np.min", "np.prod", "np.dot", "np.matmul", "@", "np.transpose", ".T",
    "np.reshape", "axis", "neg-axis", "keepdims",
    ".sum", ".mean", ".max", ".reshape", ".dot",
    "broadcast",
    # constants with no derivative
    "nondiff", "compare", "len", ".shape", "np.argmax", "np.floor", "np.sign", "int-ops",
]

def _short(a):
    if isinstance(a, np.ndarray):
        return "arr" + "x".join(map(str, a.shape))
    return repr(a)


def _name_cases():
    """Ids: the function's name, plus the sample arguments (or a number) when it has several."""
    by_name = {}
    for c in CASES:
        if c.id not in EXPLICIT_IDS:
            by_name.setdefault(c.name, []).append(c)
    for cases in by_name.values():
        if len(cases) > 1:
            ids = [f"{c.name}@{','.join(_short(a) for a in c.args)}" for c in cases]
            if len(set(ids)) < len(ids):
                ids = [f"{c.name}@{k}" for k, c in enumerate(reversed(cases))][::-1]
            for c, cid in zip(cases, ids):
                c.id = cid


_name_cases()
assert len({c.id for c in CASES}) == len(CASES), "duplicate case ids"


# Control flow and program structure (tested in test_control_flow.py); every other case tests
# primitives (test_primitives.py).
CONTROL_FEATURES = frozenset({
    "if", "ifexp", "for", "while", "break", "continue", "multi-return", "helper", "helper-mod",
    "closure", "defaults", "overwrite", "swap", "unpack", "pack", "module-const"})


def control_cases():
    return [c for c in CASES if c.features & CONTROL_FEATURES]


def primitive_cases():
    return [c for c in CASES if not c.features & CONTROL_FEATURES]


def wrt_variants(c):
    """Every float argument on its own (by index), then all of them as a tuple: a list of
    (wrt, test id). The last variant (all float arguments) is the one that also checks
    value_and_grad, so each function's value is checked once."""
    names = list(inspect.signature(c.fn).parameters)
    floats = [i for i, a in enumerate(c.args)
              if isinstance(a, float) or isinstance(a, np.ndarray) and a.dtype.kind == "f"]
    out = [(i, f"{c.id}-d{names[i]}") for i in floats]
    if len(floats) > 1:
        out.append((tuple(floats), f"{c.id}-d({','.join(names[i] for i in floats)})"))
    return out
