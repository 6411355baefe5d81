"""The primitives the fuzzer's programs call, written by hand as templates over *kinds*.

Kinds are the shapes a generated value can have: ``S`` a scalar (Python float or NumPy scalar),
``V`` shape (3,), ``W`` shape (2,), ``M`` shape (2, 3), ``C`` shape (2, 1) (a column that
broadcasts against ``M`` and ``V``). Each ``Op`` has *forms* ``(operand kinds, result kind,
plain text, traced text)``; ``{0}``, ``{1}``... are the operands. The traced text is the same
computation with the argument of every non-smooth primitive passed through a recorder
(``_sign``, ``_cmp``, ...; see ``generator.RECORDERS``), so the traced twin of a program logs
which side of each kink every evaluation is on.

Domains are built into the templates so that values stay O(1) and finite differences at
h = 1e-6 are accurate: ``log``/``sqrt`` of ``1.0 + e * e``, ``exp`` of ``tanh(e)``, division by
``2.0 + cos(e)``, ``arcsin`` of ``0.5 * tanh(e)``, and so on. ``bound`` maps the operands'
magnitude bounds to the result's, which the generator uses to keep every variable O(1).

``keys`` name the registry entries an op exercises: a function (every rule of that key) or
``Variant(key, n)`` for the rule of that key with ``n`` required parameters (``math.log`` has a
1- and a 2-argument rule). ``tests/test_fuzz.py`` compares them with ``srcad.rules``.
"""
import builtins
import math
import operator
from collections import namedtuple
from dataclasses import dataclass

import numpy as np

Variant = namedtuple("Variant", "key nreq")
ARRAYS = ("V", "W", "M", "C")
KINDS = ("S",) + ARRAYS
SHAPES = {"S": (), "V": (3,), "W": (2,), "M": (2, 3), "C": (2, 1)}
# operand kind pairs whose broadcast result is the key
BROADCAST = {"S": [("S", "S")],
             "V": [("V", "V"), ("S", "V"), ("V", "S")],
             "W": [("W", "W"), ("S", "W"), ("W", "S")],
             "C": [("C", "C"), ("S", "C"), ("C", "S")],
             "M": [("M", "M"), ("S", "M"), ("M", "S"), ("V", "M"), ("M", "V"), ("C", "M"),
                   ("M", "C"), ("C", "V"), ("V", "C")]}
SIZE = {"S": 1, "V": 3, "W": 2, "M": 6, "C": 2}


@dataclass(frozen=True)
class Op:
    name: str
    keys: tuple
    forms: tuple            # (in kinds, out kind, plain, traced)
    bound: object           # callable: list of operand bounds -> result bound
    fresh: bool = True      # the result is a new array (not a view or the operand itself)
    second_order: bool = True   # srcad.hessian supports it (else: first order only)


def const(c):
    return lambda b: c


def first(b):
    return b[0]


def total(b):
    return sum(b)


def product(b):
    return math.prod(b)


def forms(kinds, plain, traced=None, arity=1):
    """Element-wise forms: unary over ``kinds``, binary over the broadcasting pairs."""
    traced = traced or plain
    if arity == 1:
        return tuple(((k,), k, plain, traced) for k in kinds)
    return tuple((pair, k, plain, traced) for k in kinds for pair in BROADCAST[k])


OPS = []


def unary(name, keys, plain, bound, kinds=KINDS, traced=None):
    OPS.append(Op(name, tuple(keys), forms(kinds, plain, traced), bound))


def binary(name, keys, plain, bound, kinds=KINDS, traced=None):
    OPS.append(Op(name, tuple(keys), forms(kinds, plain, traced, 2), bound))


def op(name, keys, table, bound, fresh=True, second_order=True):
    """``table``: (in kinds as a string, out kind, plain[, traced])."""
    rows = tuple((tuple(ins), out, plain, rest[0] if rest else plain)
                 for ins, out, plain, *rest in table)
    OPS.append(Op(name, tuple(keys), rows, bound, fresh, second_order))


S = ("S",)
# ---- element-wise: NumPy ufuncs on every kind ----------------------------------------------
unary("sin", [np.sin], "np.sin({0})", const(1.0))
unary("cos", [np.cos], "np.cos({0})", const(1.0))
unary("tan", [np.tan], "np.tan(0.5 * np.sin({0}))", const(0.55))
unary("arcsin", [np.arcsin], "np.arcsin(0.5 * np.tanh({0}))", const(0.53))
unary("arccos", [np.arccos], "np.arccos(0.5 * np.tanh({0}))", const(2.1))
unary("arctan", [np.arctan], "np.arctan({0})", const(1.6))
unary("sinh", [np.sinh], "np.sinh(np.tanh({0}))", const(1.2))
unary("cosh", [np.cosh], "np.cosh(np.sin({0}))", const(1.6))
unary("tanh", [np.tanh], "np.tanh({0})", const(1.0))
unary("exp", [np.exp], "np.exp(np.tanh({0}))", const(2.8))
unary("exp2", [np.exp2], "np.exp2(np.sin({0}))", const(2.0))
unary("expm1", [np.expm1], "np.expm1(np.sin({0}))", const(1.8))
unary("log", [np.log], "np.log(1.0 + {0} * {0})", lambda b: math.log1p(b[0] ** 2))
unary("log2", [np.log2], "np.log2(1.0 + {0} * {0})", lambda b: 1.5 * math.log1p(b[0] ** 2))
unary("log10", [np.log10], "np.log10(1.0 + {0} * {0})", lambda b: math.log1p(b[0] ** 2))
unary("log1p", [np.log1p], "np.log1p({0} * {0})", lambda b: math.log1p(b[0] ** 2))
unary("sqrt", [np.sqrt], "np.sqrt(1.0 + {0} * {0})", lambda b: 1.0 + b[0])
unary("cbrt", [np.cbrt], "np.cbrt({0} * {0} - 0.5)", lambda b: 1.0 + b[0],
      traced="np.cbrt(_root({0} * {0} - 0.5))")
unary("square", [np.square], "np.square({0})", lambda b: b[0] ** 2)
unary("reciprocal", [np.reciprocal], "np.reciprocal(2.0 + np.cos({0}))", const(1.0))
unary("arcsinh", [np.arcsinh], "np.arcsinh({0})", lambda b: math.asinh(b[0]))
unary("arccosh", [np.arccosh], "np.arccosh(1.5 + {0} * {0})", lambda b: 1.0 + b[0])
unary("arctanh", [np.arctanh], "np.arctanh(0.5 * np.sin({0}))", const(0.55))
unary("sinc", [np.sinc], "np.sinc({0})", const(1.0))
unary("deg2rad", [np.deg2rad, np.radians], "np.deg2rad(30.0 * {0})", lambda b: 0.6 * b[0])
unary("radians", [np.radians], "np.radians(30.0 * {0})", lambda b: 0.6 * b[0])
unary("rad2deg", [np.rad2deg], "np.rad2deg(0.02 * {0})", lambda b: 1.2 * b[0])
unary("degrees", [np.degrees], "np.degrees(0.02 * {0})", lambda b: 1.2 * b[0])
unary("negative", [np.negative], "np.negative({0})", first)
unary("positive", [np.positive], "np.positive({0})", first)
unary("neg", [operator.neg], "(-{0})", first)
unary("pos", [operator.pos], "(+{0})", first)
unary("square_op", [operator.pow], "({0} ** 2)", lambda b: b[0] ** 2)
unary("cube_op", [operator.pow], "({0} ** 3)", lambda b: b[0] ** 3)
unary("np_abs", [np.abs], "np.abs({0})", first, traced="np.abs(_sign({0}))")
unary("fabs", [np.fabs], "np.fabs({0})", first, traced="np.fabs(_sign({0}))")
unary("abs", [builtins.abs], "abs({0})", first, traced="abs(_sign({0}))")
# ---- element-wise: math and builtins on scalars ----------------------------------------------
unary("m.sin", [math.sin], "math.sin({0})", const(1.0), S)
unary("m.cos", [math.cos], "math.cos({0})", const(1.0), S)
unary("m.tan", [math.tan], "math.tan(0.5 * math.sin({0}))", const(0.55), S)
unary("m.exp", [math.exp], "math.exp(math.tanh({0}))", const(2.8), S)
unary("m.exp2", [math.exp2], "math.exp2(math.sin({0}))", const(2.0), S)
unary("m.expm1", [math.expm1], "math.expm1(math.sin({0}))", const(1.8), S)
unary("m.log", [Variant(math.log, 1)], "math.log(1.0 + {0} * {0})",
      lambda b: math.log1p(b[0] ** 2), S)
unary("m.log2", [math.log2], "math.log2(1.0 + {0} * {0})", lambda b: 1.5 * math.log1p(b[0] ** 2), S)
unary("m.log10", [math.log10], "math.log10(1.0 + {0} * {0})", lambda b: math.log1p(b[0] ** 2), S)
unary("m.log1p", [math.log1p], "math.log1p({0} * {0})", lambda b: math.log1p(b[0] ** 2), S)
unary("m.sqrt", [math.sqrt], "math.sqrt(1.0 + {0} * {0})", lambda b: 1.0 + b[0], S)
unary("m.cbrt", [math.cbrt], "math.cbrt({0} * {0} - 0.5)", lambda b: 1.0 + b[0], S,
      traced="math.cbrt(_root({0} * {0} - 0.5))")
unary("m.tanh", [math.tanh], "math.tanh({0})", const(1.0), S)
unary("m.asin", [math.asin], "math.asin(0.5 * math.tanh({0}))", const(0.53), S)
unary("m.acos", [math.acos], "math.acos(0.5 * math.tanh({0}))", const(2.1), S)
unary("m.atan", [math.atan], "math.atan({0})", const(1.6), S)
unary("m.sinh", [math.sinh], "math.sinh(math.tanh({0}))", const(1.2), S)
unary("m.cosh", [math.cosh], "math.cosh(math.sin({0}))", const(1.6), S)
unary("m.asinh", [math.asinh], "math.asinh({0})", lambda b: math.asinh(b[0]), S)
unary("m.acosh", [math.acosh], "math.acosh(1.5 + {0} * {0})", lambda b: 1.0 + b[0], S)
unary("m.atanh", [math.atanh], "math.atanh(0.5 * math.sin({0}))", const(0.55), S)
unary("m.erf", [math.erf], "math.erf({0})", const(1.0), S)
unary("m.erfc", [math.erfc], "math.erfc({0})", const(2.0), S)
unary("m.degrees", [math.degrees], "math.degrees(0.02 * {0})", lambda b: 1.2 * b[0], S)
unary("m.radians", [math.radians], "math.radians(30.0 * {0})", lambda b: 0.6 * b[0], S)
unary("m.fabs", [math.fabs], "math.fabs({0})", first, S, traced="math.fabs(_sign({0}))")
unary("float", [builtins.float], "float({0})", first, S)
# ---- element-wise, two operands (broadcasting) -----------------------------------------------
binary("add", [operator.add], "({0} + {1})", total)
binary("sub", [operator.sub], "({0} - {1})", total)
binary("mul", [operator.mul], "({0} * {1})", product)
binary("div", [operator.truediv], "({0} / (2.0 + np.cos({1})))", first)
binary("div2", [operator.truediv], "({0} / (1.0 + {1} * {1}))", first)
binary("pow", [operator.pow], "((1.0 + {0} * {0}) ** (0.5 * np.sin({1})))",
       lambda b: 1.0 + b[0])
binary("mod", [operator.mod], "({0} % (1.5 + np.sin({1})))", const(2.5),
       traced="operator.mod(*_floor({0}, 1.5 + np.sin({1})))")
binary("np.add", [np.add], "np.add({0}, {1})", total)
binary("np.subtract", [np.subtract], "np.subtract({0}, {1})", total)
binary("np.multiply", [np.multiply], "np.multiply({0}, {1})", product)
binary("np.divide", [np.divide], "np.divide({0}, 2.0 + np.cos({1}))", first)
binary("np.power", [np.power], "np.power(1.0 + {0} * {0}, 0.5 * np.sin({1}))",
       lambda b: 1.0 + b[0])
unary("np.power_int", [np.power], "np.power({0}, 2)", lambda b: b[0] ** 2)
binary("float_power", [np.float_power], "np.float_power(1.0 + {0} * {0}, 0.5 * np.cos({1}))",
       lambda b: 1.0 + b[0])
binary("maximum", [np.maximum], "np.maximum({0}, {1})", max,
       traced="np.maximum(*_cmp({0}, {1}))")
binary("minimum", [np.minimum], "np.minimum({0}, {1})", max,
       traced="np.minimum(*_cmp({0}, {1}))")
binary("fmax", [np.fmax], "np.fmax({0}, {1})", max, traced="np.fmax(*_cmp({0}, {1}))")
binary("fmin", [np.fmin], "np.fmin({0}, {1})", max, traced="np.fmin(*_cmp({0}, {1}))")
binary("hypot", [np.hypot], "np.hypot({0}, {1})", total, traced="np.hypot(*_apart({0}, {1}))")
binary("arctan2", [np.arctan2], "np.arctan2({0}, {1})", const(3.2),
       traced="np.arctan2(*_apart({0}, {1}))")
binary("logaddexp", [np.logaddexp], "np.logaddexp({0}, {1})", lambda b: max(b) + 0.7)
binary("logaddexp2", [np.logaddexp2], "np.logaddexp2({0}, {1})", lambda b: max(b) + 1.0)
binary("np.mod", [np.mod], "np.mod({0}, 1.5 + np.sin({1}))", const(2.5),
       traced="np.mod(*_floor({0}, 1.5 + np.sin({1})))")
binary("fmod", [np.fmod], "np.fmod({0}, 1.5 + np.sin({1}))", first,
       traced="np.fmod(*_trunc({0}, 1.5 + np.sin({1})))")
binary("copysign", [np.copysign], "np.copysign({0}, {1})", first,
       traced="np.copysign(*_signs({0}, {1}))")
binary("heaviside", [np.heaviside], "np.heaviside({0}, {1})", lambda b: max(1.0, b[1]),
       traced="np.heaviside(*_signs({0}, {1}))")
binary("b.max", [builtins.max], "max({0}, {1})", max, S, traced="max(*_cmp({0}, {1}))")
binary("b.min", [builtins.min], "min({0}, {1})", max, S, traced="min(*_cmp({0}, {1}))")
binary("m.atan2", [math.atan2], "math.atan2({0}, {1})", const(3.2), S,
       traced="math.atan2(*_apart({0}, {1}))")
binary("m.hypot", [math.hypot], "math.hypot({0}, {1})", total, S,
       traced="math.hypot(*_apart({0}, {1}))")
binary("m.pow", [math.pow], "math.pow(1.0 + {0} * {0}, 0.5 * math.sin({1}))",
       lambda b: 1.0 + b[0], S)
binary("m.log2arg", [Variant(math.log, 2)], "math.log(1.0 + {0} * {0}, 2.0 + {1} * {1})",
       lambda b: 1.5 * math.log1p(b[0] ** 2), S)
binary("m.copysign", [math.copysign], "math.copysign({0}, {1})", first, S,
       traced="math.copysign(*_signs({0}, {1}))")
binary("m.fmod", [math.fmod], "math.fmod({0}, 1.5 + math.sin({1}))", first, S,
       traced="math.fmod(*_trunc({0}, 1.5 + math.sin({1})))")
# clip: positional bounds, keyword bounds (NumPy 1 and 2 spellings), the method
CLIP = "_clip({0}, {1} - 0.6, {1} + 0.6)"
binary("clip", [Variant(np.clip, 3)], "np.clip({0}, {1} - 0.6, {1} + 0.6)", first,
       traced=f"np.clip(*{CLIP})")
binary("clip_kw", [Variant(np.clip, 1)], "np.clip({0}, a_min={1} - 0.6, a_max={1} + 0.6)",
       first, traced=f"np.clip(*{CLIP})")
binary("clip_kw2", [Variant(np.clip, 1)], "np.clip({0}, min={1} - 0.6, max={1} + 0.6)",
       first, traced=f"np.clip(*{CLIP})")
op("clip_method", [("method", "clip")],       # the receiver is an array of the result's kind
   [(k + b, k, "({0}).clip(min={1} - 0.6, max={1} + 0.6)", f"np.clip(*{CLIP})")
    for k in ARRAYS for b in ("S", k)], first)

# ---- reductions ---------------------------------------------------------------------------
AXES = [("A", "S", "", "None"), ("V", "S", ", axis=-1", "-1"), ("M", "V", ", axis=0", "0"),
        ("M", "W", ", axis=1", "1"), ("M", "C", ", axis=1, keepdims=True", "1")]


def reduction(name, func, bound, wrap="{0}", rec=None, method=False):
    """``np.<name>(wrap)`` on any array kind (no axis) and along each axis of a matrix, and
    the ndarray method ``(wrap).<name>(...)`` when ``method``. ``rec``: the recorder the traced
    twin passes the operand through (it also gets the axis)."""
    keys = [func] + ([("method", name)] if method else [])
    rows = []
    for ins, out, ax, axv in AXES:
        arg = wrap.replace("{0}", f"{rec}({{0}}, {axv})") if rec else wrap
        for k in (ARRAYS if ins == "A" else (ins,)):
            rows.append(((k,), out, f"np.{name}({wrap}{ax})", f"np.{name}({arg}{ax})"))
            if method:
                rows.append(((k,), out, f"({wrap}).{name}({ax[2:]})", f"({arg}).{name}({ax[2:]})"))
    OPS.append(Op(name, tuple(keys), tuple(rows), bound))


reduction("sum", np.sum, lambda b: 6 * b[0], method=True)
reduction("mean", np.mean, first, method=True)
reduction("nansum", np.nansum, lambda b: 6 * b[0])
reduction("nanmean", np.nanmean, first)
reduction("prod", np.prod, const(1.0), wrap="np.tanh({0})", method=True)
for f in ("max", "min", "amax", "amin"):
    reduction(f, getattr(np, f), first, rec="_ext", method=f in ("max", "min"))
reduction("var", np.var, lambda b: b[0] ** 2, method=True)
reduction("std", np.std, first, rec="_spread", method=True)
reduction("average", np.average, first)
op("average_weights", [np.average], [
    ("VV", "S", "np.average({0}, weights=1.0 + {1} * {1})"),
    ("MV", "W", "np.average({0}, axis=1, weights=1.0 + {1} * {1})"),
    ("MM", "S", "np.average({0}, weights=1.0 + {1} * {1})")], first)

# ---- scans, differences, sorting, selection ------------------------------------------------
op("cumsum", [np.cumsum, ("method", "cumsum")], [
    ("V", "V", "np.cumsum({0})"), ("W", "W", "np.cumsum({0})"),
    ("M", "M", "np.cumsum({0}, axis=1)"), ("M", "M", "({0}).cumsum(axis=0)"),
    ("V", "V", "({0}).cumsum()")], lambda b: 3 * b[0])
op("cumprod", [np.cumprod, ("method", "cumprod")], [   # entries nonzero (docs/supported.md)
    ("V", "V", "np.cumprod(1.0 + 0.3 * np.sin({0}))"),
    ("M", "M", "np.cumprod(1.0 + 0.3 * np.sin({0}), axis=1)"),
    ("W", "W", "(1.0 + 0.3 * np.sin({0})).cumprod()")], const(2.2))
op("diff", [np.diff], [("V", "W", "np.diff({0})"), ("V", "S", "np.diff({0}, n=2)[0]"),
                       ("W", "S", "np.diff({0})[0]")], lambda b: 4 * b[0])
op("sort", [np.sort], [("V", "V", "np.sort({0})", "np.sort(_order({0}, -1))"),
                       ("M", "M", "np.sort({0})", "np.sort(_order({0}, -1))"),
                       ("M", "M", "np.sort({0}, axis=0)", "np.sort(_order({0}, 0), axis=0)")],
   first)
op("take_along_axis", [np.take_along_axis],
   [("M", "M", "np.take_along_axis({0}, np.array([[2, 0, 2], [1, 1, 0]]), axis=1)"),
    ("V", "V", "np.take_along_axis({0}, np.array([2, 2, 0]), 0)")], first)
WHERE = [(c + a + b, out) for out in ARRAYS for c in ("S", out) for a in ("S", out)
         for b in ("S", out) if out in c + a + b]   # all-scalar np.where gives a 0-d array
op("where", [np.where], [(ins, out, "np.where({0} > 0.2, {1}, {2})",
                          "np.where(_test({0} > 0.2), {1}, {2})") for ins, out in WHERE],
   lambda b: max(b[1:]))
op("select", [np.select], [(out * 4, out, "np.select([{0} > 0.5, {0} < -0.5], [{1}, {2}], {3})",
                            "np.select([_test({0} > 0.5), _test({0} < -0.5)], [{1}, {2}], {3})")
                           for out in ARRAYS], lambda b: max(b[1:]))

# ---- creation and conversion ----------------------------------------------------------------
op("full", [np.full], [("S", "V", "np.full(3, {0})"), ("S", "M", "np.full((2, 3), {0})"),
                       ("S", "C", "np.full((2, 1), {0})"), ("S", "W", "np.full(2, {0})")], first)
op("full_like", [np.full_like], [("VS", "V", "np.full_like({0}, {1})"),
                                 ("MS", "M", "np.full_like({0}, {1})")], lambda b: b[1])
op("array", [np.array], [("SSS", "V", "np.array([{0}, {1}, {2}])"),
                         ("VV", "M", "np.array([{0}, {1}])"), ("W", "W", "np.array({0})")], max)
op("asarray", [np.asarray], [(k, k, "np.asarray({0})") for k in ARRAYS], first, fresh=False)
op("astype", [("method", "astype")], [(k, k, "({0}).astype(np.float64)") for k in ARRAYS], first)
op("copy", [("method", "copy"), np.copy], [(k, k, "({0}).copy()") for k in ARRAYS] +
   [(k, k, "np.copy({0})") for k in ARRAYS], first)
op("builtin_sum", [builtins.sum], [(k * 3, k, "sum([{0}, {1}, {2}])") for k in KINDS], total)
op("item", [("method", "item")], [(k, "S", "(np.mean({0}) * np.ones(1)).item()") for k in KINDS],
   first)
op("builtin_tuple", [builtins.tuple], [(k * 2, k, "tuple([{0}, {1}])[1]") for k in KINDS],
   lambda b: b[1])
op("builtin_list", [builtins.list], [(k * 2, k, "list(({0}, {1}))[0]") for k in KINDS], first)

# ---- products -----------------------------------------------------------------------------
MATMUL = [("VV", "S"), ("MV", "W"), ("WM", "V")]
op("dot", [np.dot], [(i, o, "np.dot({0}, {1})") for i, o in MATMUL], lambda b: 3 * b[0] * b[1])
op("dot_method", [("method", "dot")], [(i, o, "({0}).dot({1})") for i, o in MATMUL],
   lambda b: 3 * b[0] * b[1])
op("matmul", [np.matmul], [(i, o, "np.matmul({0}, {1})") for i, o in MATMUL],
   lambda b: 3 * b[0] * b[1])
op("@", [operator.matmul], [(i, o, "({0} @ {1})") for i, o in MATMUL] +
   [("MM", "S", "np.trace({0} @ ({1}).T)")], lambda b: 6 * b[0] * b[1])
op("vdot", [np.vdot], [(k + k, "S", "np.vdot({0}, {1})") for k in ARRAYS],
   lambda b: 6 * b[0] * b[1])
op("inner", [np.inner], [("VV", "S", "np.inner({0}, {1})"), ("MV", "W", "np.inner({0}, {1})")],
   lambda b: 3 * b[0] * b[1])
op("outer", [np.outer], [("WV", "M", "np.outer({0}, {1})")], product)
op("tensordot", [np.tensordot], [("MM", "S", "np.tensordot({0}, {1})"),
                                 ("WM", "V", "np.tensordot({0}, {1}, axes=1)"),
                                 ("MV", "W", "np.tensordot({0}, {1}, axes=([1], [0]))")],
   lambda b: 6 * b[0] * b[1])
op("kron", [np.kron], [("WV", "M", "np.reshape(np.kron({0}, {1}), (2, 3))")], product)
op("einsum", [Variant(np.einsum, n) for n in (2, 3, 4, 5)], [
    ("M", "V", "np.einsum('ij->j', {0})"),
    ("MV", "W", "np.einsum('ij,j->i', {0}, {1})"),
    ("MV", "W", "np.einsum('...j,j->...', {0}, {1})"),
    ("WMV", "S", "np.einsum('i,ij,j->', {0}, {1}, {2})"),
    ("WMMW", "S", "np.einsum('i,ij,kj,k', {0}, {1}, {2}, {3})")],
   lambda b: 6 * math.prod(b))
op("cross", [np.cross], [("VV", "V", "np.cross({0}, {1})")], lambda b: 2 * b[0] * b[1])

# ---- shape ops (mostly views: ``fresh=False``) -----------------------------------------------
op("reshape", [np.reshape], [("M", "V", "np.reshape({0}, (3, 2))[:, 0]"),
                             ("W", "C", "np.reshape({0}, (2, 1))"),
                             ("M", "M", "np.reshape({0}, (2, 3), order='F')"),
                             ("M", "V", "np.reshape({0}, (6,))[1:4]")], first, fresh=False)
op("reshape_method", [("method", "reshape")], [("M", "V", "({0}).reshape(3, 2)[:, 1]"),
                                               ("W", "C", "({0}).reshape(2, 1)"),
                                               ("M", "V", "({0}).reshape(-1)[:3]")],
   first, fresh=False)
op("ravel", [np.ravel, ("method", "ravel"), ("method", "flatten")], [
    ("M", "V", "np.ravel({0})[::2]"), ("C", "W", "np.ravel({0})"),
    ("M", "V", "({0}).ravel()[2:5]"), ("M", "V", "({0}).flatten()[3:]")], first, fresh=False)
op("squeeze", [np.squeeze, ("method", "squeeze")], [
    ("C", "W", "np.squeeze({0})"), ("C", "W", "({0}).squeeze(axis=1)")], first, fresh=False)
op("expand_dims", [np.expand_dims], [("W", "C", "np.expand_dims({0}, 1)")], first, fresh=False)
op("atleast", [np.atleast_1d, np.atleast_2d], [
    ("V", "V", "np.atleast_1d({0})"), ("V", "V", "np.atleast_2d({0})[0]"),
    ("M", "M", "np.atleast_2d({0})")], first, fresh=False)
op("broadcast_to", [np.broadcast_to], [(k, "M", "np.broadcast_to({0}, (2, 3))")
                                       for k in ("S", "V", "C")], first, fresh=False)
op("transpose", [np.transpose, ("attr", "T"), ("method", "transpose")], [
    ("MW", "V", "(({0}).T @ {1})"), ("M", "W", "np.transpose({0})[1]"),
    ("M", "W", "np.transpose({0}, (1, 0))[0]"), ("M", "W", "({0}).transpose()[2]"),
    ("M", "W", "({0}).transpose(1, 0)[1]")], lambda b: 2 * math.prod(b), fresh=False)
op("swapaxes", [np.swapaxes, ("method", "swapaxes")], [
    ("M", "W", "np.swapaxes({0}, 0, 1)[0]"), ("M", "W", "({0}).swapaxes(0, 1)[2]")], first,
   fresh=False)
op("moveaxis", [np.moveaxis], [("M", "W", "np.moveaxis({0}, 0, 1)[1]")], first, fresh=False)
op("flip", [np.flip, np.fliplr, np.flipud], [
    ("V", "V", "np.flip({0})"), ("M", "M", "np.flip({0}, axis=1)"), ("M", "M", "np.fliplr({0})"),
    ("M", "M", "np.flipud({0})"), ("C", "C", "np.flipud({0})")], first, fresh=False)
op("roll", [np.roll], [("V", "V", "np.roll({0}, 1)"), ("M", "M", "np.roll({0}, -1, axis=1)")],
   first)
op("tile", [np.tile], [("V", "V", "np.tile({0}, 2)[1:4]"), ("V", "M", "np.tile({0}, (2, 1))")],
   first)
op("repeat", [np.repeat, ("method", "repeat")], [
    ("V", "V", "np.repeat({0}, 2)[1:4]"), ("W", "V", "({0}).repeat(3)[::2]"),
    ("C", "M", "np.repeat({0}, 3, axis=1)")], first)
op("join", [np.concatenate, np.stack, np.hstack, np.vstack], [
    ("WV", "V", "np.concatenate([{0}, {1}[:1]])"), ("VV", "M", "np.stack([{0}, {1}])"),
    ("WWW", "M", "np.stack([{0}, {1}, {2}], axis=1)"), ("WV", "V", "np.hstack([{0}, {1}[2:]])"),
    ("CCC", "M", "np.hstack([{0}, {1}, {2}])"), ("VV", "M", "np.vstack([{0}, {1}])"),
    ("CM", "M", "np.concatenate([{0}, {1}[:, 1:]], axis=1)")], max)
op("split", [np.split, np.array_split], [
    ("M", "C", "np.split({0}, 3, axis=1)[1]"), ("V", "S", "np.split({0}, 3)[2][0]"),
    ("V", "W", "np.array_split({0}, 2)[0]")], first, fresh=False)
op("diag", [np.diag, np.diagonal, ("method", "diagonal")], [
    ("WM", "M", "(np.diag({0}) @ {1})"), ("M", "W", "np.diag({0})"),
    ("M", "W", "np.diagonal({0}, 1)"), ("M", "W", "({0}).diagonal()")],
   lambda b: 3 * max(b), fresh=False)
op("trace", [np.trace, ("method", "trace")], [("M", "S", "np.trace({0})"),
                                              ("M", "S", "({0}).trace(1)")],
   lambda b: 2 * b[0])
op("tri", [np.triu, np.tril], [("M", "M", "np.triu({0})"), ("M", "M", "np.tril({0}, -1)")],
   first)
op("rotate", [np.rot90, np.rollaxis, np.atleast_3d], [
    ("M", "M", "np.rot90({0}, 2)"), ("M", "M", "np.rot90({0}).T"),
    ("M", "W", "np.rollaxis({0}, 1)[0]"), ("M", "M", "np.atleast_3d({0})[:, :, 0]")], first,
   fresh=False)
op("split_more", [np.hsplit, np.vsplit, np.dsplit], [
    ("M", "C", "np.hsplit({0}, 3)[1]"), ("M", "V", "np.vsplit({0}, 2)[1][0]"),
    ("M", "C", "np.dsplit(np.atleast_3d({0}), 1)[0][:, 0]")], first, fresh=False)
op("pad", [np.pad], [("W", "V", "np.pad({0}, (1, 0))"),
                     ("V", "V", "np.pad({0}, 1, mode='edge')[1:4]"),
                     ("M", "M", "np.pad({0}, ((0, 0), (1, 1)), 'reflect')[:, 1:4]")], first)
op("partition", [np.partition], [
    ("V", "V", "np.partition({0}, 1)", "np.partition(_order({0}, -1), 1)"),
    ("M", "M", "np.partition({0}, 1, axis=1)", "np.partition(_order({0}, 1), 1, axis=1)")],
   first)
# (over every axis of an array whose rank srcad cannot tell, np.gradient is refused: the
# generator's arrays change rank in branches, so its forms pass axis=)
op("gradient", [np.gradient], [("V", "V", "np.gradient({0}, axis=0)"),
                               ("M", "M", "np.gradient({0}, 0.5, axis=1)"),
                               ("M", "M", "np.gradient({0}, axis=(0, 1))[0]")],
   lambda b: 2 * b[0])
op("bincount", [np.bincount], [("V", "W", "np.bincount(np.array([0, 1, 1]), {0})")],
   lambda b: 2 * b[0])
unary("nan_to_num", [np.nan_to_num], "np.nan_to_num({0})", first)
# indexing: core syntax, not a rule
op("index", [], [("V", "S", "{0}[1]"), ("M", "S", "{0}[1, 2]"), ("M", "V", "{0}[0]"),
                 ("M", "W", "{0}[:, 2]"), ("V", "W", "{0}[1:]"), ("M", "C", "{0}[:, 1:2]"),
                 ("C", "W", "{0}[:, 0]"), ("W", "S", "{0}[-1]"), ("V", "V", "{0}[::-1]")],
   first, fresh=False)

# ---- linalg on a well-conditioned symmetric positive definite 2x2 built from a matrix ------
SPD = "(np.diag([1.5, 3.0]) + 0.3 * np.tanh({0} @ ({0}).T))"   # eigenvalues in [0.9, 3.6]
op("linalg", [np.linalg.inv, np.linalg.solve, np.linalg.det, np.linalg.slogdet,
              np.linalg.cholesky, np.linalg.eigh], [
    ("MM", "M", f"(np.linalg.inv({SPD}) @ {{1}})"),
    ("MW", "W", f"np.linalg.solve({SPD}, {{1}})"),
    ("MM", "M", f"np.linalg.solve({SPD}, {{1}})"),
    ("M", "S", f"np.linalg.det({SPD})"),
    ("M", "S", f"np.linalg.slogdet({SPD})[1]"),
    ("MM", "M", f"(np.linalg.cholesky({SPD}) @ {{1}})"),
    ("M", "W", f"np.linalg.eigh({SPD})[0]")], lambda b: 4 * max(b))
op("norm", [np.linalg.norm], [
    ("V", "S", "np.linalg.norm({0})", "np.linalg.norm(_away({0}))"),
    ("M", "S", "np.linalg.norm({0}, 'fro')", "np.linalg.norm(_away({0}), 'fro')"),
    ("M", "W", "np.linalg.norm({0}, axis=1)", "np.linalg.norm(_away({0}, 1), axis=1)")],
   lambda b: 3 * b[0])
# ord 1 and inf: where srcad cannot tell the operand is a vector, its rule is first order only
# (docs/supported.md: by design), so programs with them get no Hessian
op("norm_ord", [np.linalg.norm], [
    ("V", "S", "np.linalg.norm({0}, 1)", "np.linalg.norm(_sign({0}), 1)"),
    ("V", "S", "np.linalg.norm({0}, np.inf)", "np.linalg.norm(_absmax({0}), np.inf)")],
   lambda b: 3 * b[0], second_order=False)

# ---- scipy.special (its rules register only when scipy imports) ----------------------------
try:
    import scipy.special as special
except ImportError:
    special = None
if special is not None:
    unary("expit", [special.expit], "scipy.special.expit({0})", const(1.0))
    unary("logit", [special.logit], "scipy.special.logit(0.5 + 0.4 * np.tanh({0}))", const(2.2))
    unary("erf", [special.erf], "scipy.special.erf({0})", const(1.0))
    unary("erfc", [special.erfc], "scipy.special.erfc({0})", const(2.0))
    unary("ndtr", [special.ndtr], "scipy.special.ndtr({0})", const(1.0))
    unary("log_ndtr", [special.log_ndtr], "scipy.special.log_ndtr(2.0 * np.tanh({0}))",
          const(3.8))
    unary("gammaln", [special.gammaln], "scipy.special.gammaln(2.0 + np.sin({0}))", const(0.7))
    unary("digamma", [special.digamma], "scipy.special.digamma(2.0 + np.sin({0}))", const(1.0))
    unary("polygamma", [Variant(special.polygamma, 2)],
          "scipy.special.polygamma(1, 2.0 + np.sin({0}))", const(1.7))
    binary("xlogy", [special.xlogy], "scipy.special.xlogy({0}, 1.5 + np.sin({1}))", first)
    binary("xlog1py", [special.xlog1py], "scipy.special.xlog1py({0}, 0.5 + 0.4 * np.sin({1}))",
           first)
    op("logsumexp", [special.logsumexp], [
        ("V", "S", "scipy.special.logsumexp({0})"),
        ("M", "C", "scipy.special.logsumexp({0}, axis=1, keepdims=True)"),
        ("M", "V", "scipy.special.logsumexp({0}, axis=0)"),
        ("VV", "S", "scipy.special.logsumexp({0}, b=1.5 + np.sin({1}))")],
        lambda b: b[0] + 2.0)
    op("softmax", [special.softmax], [("V", "V", "scipy.special.softmax({0})"),
                                      ("M", "M", "scipy.special.softmax({0}, axis=1)")],
       const(1.0))
    op("log_softmax", [special.log_softmax], [
        ("V", "V", "scipy.special.log_softmax({0})"),
        ("M", "M", "scipy.special.log_softmax({0}, axis=0)")], lambda b: 2.0 * b[0] + 2.0)

# ---- scipy.stats densities (with scipy) ------------------------------------------------------
try:
    from scipy import stats
except ImportError:
    stats = None
if stats is not None:
    binary("norm_logpdf", [stats.norm.logpdf],
           "scipy.stats.norm.logpdf({0}, {1}, 1.5 + np.sin({1}))", lambda b: 1.0 + b[0] ** 2)
    binary("norm_pdf", [stats.norm.pdf], "scipy.stats.norm.pdf({0}, 0.3, 1.5 + np.sin({1}))",
           const(0.8))
    unary("norm_cdf", [stats.norm.cdf], "scipy.stats.norm.cdf({0}, scale=2.0)", const(1.0))
    MVN_COV = "(np.diag([1.5, 3.0]) + 0.3 * np.tanh({1} @ ({1}).T))"
    op("mvn", [stats.multivariate_normal.logpdf, stats.multivariate_normal.pdf], [
        ("VV", "S", "scipy.stats.multivariate_normal.logpdf({0}, {1}, np.eye(3))"),
        ("WM", "S", f"scipy.stats.multivariate_normal.logpdf({{0}}, np.zeros(2), {MVN_COV})"),
        ("WM", "S", (f"scipy.stats.multivariate_normal.pdf({{0}}, mean=np.ones(2), "
                     f"cov={MVN_COV})"))], lambda b: 2.0 + b[0] ** 2)


BY_OUT = {k: [(o, f) for o in OPS for f in o.forms if f[1] == k] for k in KINDS}


def exercised_keys():
    """The registry keys (and variants) the generator's ops call."""
    return {k for o in OPS for k in o.keys}

