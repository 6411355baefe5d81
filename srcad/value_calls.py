"""What calls give on abstract values: NumPy's functions, the methods and attributes of arrays,
Python's builtins and srcad's runtime helpers; for other NumPy functions, a call on stand-ins."""
import functools
import math

import numpy as np

from . import rules
from .value_lattice import (NONE, OPAQUE, RAISES, UNKNOWN_VALUE, Array, Dict, Func, NoneValue,
                            Scalar, Sequence, Str, array, dims_of, join, numpy_result,
                            numpy_scalar, related, shape_of, size_of)
from .value_operators import (as_array, dtype_of, elementwise, index_array, matmul, result_type,
                              unify)


# ---- NumPy functions -------------------------------------------------------------------------
def _ints(v):
    """A constant int or tuple of ints (an axis, a permutation), or None."""
    items = (v,) if isinstance(v, Scalar) else v.elements if isinstance(v, Sequence) else None
    if items is None or not all(isinstance(e, Scalar) and e.type is int and
                                type(e.value) is int for e in items):
        return None
    return tuple(e.value for e in items)


def _dims(v):
    """A shape argument: an int or None (unknown) per dimension, or None if even the rank is
    unknown. (An unknown int may be -1 where -1 is allowed: it stays unknown.)"""
    if isinstance(v, Scalar) and v.type is int:
        return (v.value if type(v.value) is int else None,)
    if isinstance(v, Sequence) and v.type is not range and v.elements is not None:
        dims = [_dims(e) if isinstance(e, Scalar) else None for e in v.elements]
        return None if None in dims else tuple(d[0] for d in dims)
    return None


def _axes(axis, rank):
    """Sorted non-negative axes; None where unknown, RAISES where NumPy raises."""
    axes = _ints(axis)
    if axes is None or rank is None:
        return None
    bad = any(not -rank <= a < rank for a in axes) or len({a % rank for a in axes}) < len(axes)
    return RAISES if bad else tuple(sorted(a % rank for a in axes))


def _reduced(dt, shape, axis, keep):
    if isinstance(axis, NoneValue):
        if shape is None:
            return Array(dt, None) if keep else numpy_result(dt, ())
        return numpy_result(dt, (1,) * len(shape) if keep else (), ndarray=keep)
    axes = _axes(axis, None if shape is None else len(shape))
    if axes is None and shape and isinstance(axis, Scalar) and axis.type is int:
        return Array(dt, (None,) * (len(shape) - (not keep)))     # one axis, not known which
    if axes is None or axes is RAISES:
        return Array(dt, None) if axes is None else OPAQUE
    out = tuple(1 if i in axes else d for i, d in enumerate(shape) if keep or i not in axes)
    return numpy_result(dt, out, ndarray=keep)


def reduction(fn, args, kw):
    """np.sum, np.mean, ... (and the methods): with ``axis`` and ``keepdims``."""
    norm = fn is np.linalg.norm
    conv = as_array(args[0]) if args else None
    if conv is None or len(args) > 2 - norm or \
            set(kw) - ({"keepdims"} if norm else {"axis", "keepdims", "ddof"}):
        return OPAQUE
    dt, shape = conv[0], dims_of(args[0]) if isinstance(args[0], Array) else conv[1]
    dt = dtype_of(fn, [Array(dt, ())], ndim=1)
    axis = args[1] if len(args) > 1 else kw.get("axis", NONE)
    keep = kw.get("keepdims", Scalar(bool, False))
    if isinstance(keep, Scalar) and type(keep.value) in (bool, int):
        return _reduced(dt, shape, axis, bool(keep.value))
    return join(_reduced(dt, shape, axis, True), _reduced(dt, shape, axis, False))


def _dtype_arg(v, default):
    if v is None or isinstance(v, NoneValue):
        return default
    try:
        return np.dtype(v.obj) if isinstance(v, Func) else np.dtype(v.value) if \
            isinstance(v, Str) and isinstance(v.value, str) else None
    except Exception:
        return None


def _takes(args, kw, n, names):
    return len(args) <= n and not set(kw) - set(names)


def creation(fn, args, kw):
    """np.zeros, ones, empty, full (shape, [fill], dtype) and np.arange."""
    full = fn is np.full
    if fn is np.arange:
        ints = [a.value for a in args if isinstance(a, Scalar) and type(a.value) is int]
        n = len(range(*ints)) if len(ints) == len(args) and ints[2:] != [0] else None
        return numpy_result(_dtype_arg(kw.get("dtype"), dtype_of(fn, args)), (n,), True) \
            if 1 <= len(args) <= 3 and _takes(args, kw, 3, ("dtype",)) else OPAQUE
    if len(args) < 1 + full or not _takes(args, kw, 2 + full, ("dtype", "order")):
        return OPAQUE
    fill = as_array(args[1]) if full else (np.dtype(float), ())
    dt = _dtype_arg(args[-1] if len(args) == 2 + full else kw.get("dtype"), fill and fill[0])
    dims = _dims(args[0])
    return numpy_result(dt, None if dims is None else tuple(d if d is None or d >= 0 else None
                                                            for d in dims), True)


def like(fn, args, kw):
    """zeros_like & co., np.copy, np.array, np.asarray: an ndarray like the argument."""
    conv = as_array(args[0]) if args else None
    takes = 2 if fn in (np.full_like, np.array, np.asarray) else 1
    if conv is None or not _takes(args, kw, takes, ("dtype", "order", "copy", "subok")):
        return OPAQUE
    given = args[1] if fn in (np.array, np.asarray) and len(args) > 1 else kw.get("dtype")
    shape = dims_of(args[0]) if isinstance(args[0], Array) else conv[1]
    return numpy_result(_dtype_arg(given, conv[0]), shape, True)


def reshape(v, target):
    conv, dims = as_array(v), _dims(target)
    if conv is None or dims is None:
        return OPAQUE if conv is None else Array(conv[0], None)
    size, rest = size_of(conv[1]), [d for d in dims if d != -1]
    if dims.count(-1) == 1:
        whole = None if size is None or None in rest or not math.prod(rest) else \
            size // math.prod(rest)
        dims = tuple(whole if d == -1 else d for d in dims)
    return numpy_result(conv[0], dims, True)


def transpose(v, axes=NONE):
    conv = as_array(v)
    if conv is None:
        return OPAQUE
    dt, shape = conv[0], dims_of(v) if isinstance(v, Array) else conv[1]
    if shape is None or isinstance(axes, NoneValue):
        return array(dt, None if shape is None else shape[::-1])
    perm = _ints(axes)
    if perm is None or sorted(p % max(len(shape), 1) for p in perm) != list(range(len(shape))):
        return Array(dt, None)
    return array(dt, tuple(shape[p] for p in perm))


def _stacked(fn, args, kw):
    """np.stack, np.concatenate, np.vstack, np.hstack of a known list or tuple (or array)."""
    seq = args[0] if args else None
    parts = [as_array(e) for e in seq.elements] if isinstance(seq, Sequence) and \
        seq.type is not range and seq.elements else [(seq.dtype, seq.shape[1:])] * seq.shape[0] \
        if isinstance(seq, Array) and seq.shape and 0 < (seq.shape[0] or 0) <= 10 ** 4 else None
    if not parts or None in parts or not _takes(args, kw, 2, ("axis",)):
        return OPAQUE
    dt, shapes = result_type([d for d, _ in parts]), [s for _, s in parts]
    axis = args[1] if len(args) > 1 else kw.get("axis", Scalar(int, 0))
    if fn in (np.vstack, np.hstack):
        least = 2 if fn is np.vstack else 1
        shapes = [s if s is None or len(s) >= least else (1,) * (least - len(s)) + s
                  for s in shapes]
        axis = Scalar(int, 1 if fn is np.hstack and shapes[0] and len(shapes[0]) > 1 else 0)
        if fn is np.hstack and shapes[0] is None:
            return Array(dt, None)
    if fn is np.stack:
        shape = unify(shapes)
        ax = _axes(axis, None if shape in (None, RAISES) else len(shape) + 1)
        return Array(dt, None) if shape is None or ax is None else OPAQUE if RAISES in (
            shape, ax) else Array(dt, shape[:ax[0]] + (len(parts),) + shape[ax[0]:])
    if isinstance(axis, NoneValue):
        sizes = [size_of(s) for s in shapes]
        return Array(dt, (None if None in sizes else sum(sizes),))
    ax = _axes(axis, next((len(s) for s in shapes if s is not None), None))
    if ax is None or ax is RAISES:
        return Array(dt, None)
    k = ax[0]
    shape = unify([None if s is None else s[:k] + (None,) + s[k + 1:] for s in shapes])
    along = [None if s is None else s[k] for s in shapes]
    return Array(dt, None) if shape in (None, RAISES) else \
        Array(dt, shape[:k] + (None if None in along else sum(along),) + shape[k + 1:])


def _outer(fn, args, kw):
    convs = [as_array(a) for a in args]
    if len(args) != 2 or kw or None in convs:
        return OPAQUE
    dt = dtype_of(fn, [Array(d, ()) for d, _ in convs], ndim=1)
    return numpy_result(dt, tuple(size_of(s) for _, s in convs), True)


def _eye(fn, args, kw):
    names = ("M", "k", "dtype") if fn is np.eye else ("dtype",)
    if not args or not _takes(args, kw, 2 if fn is np.eye else 1, names):
        return OPAQUE
    n = _dims(args[0]) or (None,)
    m = _dims(args[1] if len(args) > 1 else kw.get("M", NONE)) or n
    return numpy_result(_dtype_arg(kw.get("dtype"), np.dtype(float)), n[:1] + m[:1], True)


def _fixed(n):
    """The handler of a function applied element by element to ``n`` arguments."""
    return lambda fn, args, kw: elementwise(fn, args, ndarray=fn is np.where) \
        if len(args) == n and not kw else OPAQUE


HANDLERS = {
    **dict.fromkeys((np.sum, np.mean, np.max, np.min, np.amax, np.amin, np.prod, np.std, np.var,
                     np.any, np.all, np.argmax, np.argmin, np.nansum, np.nanmean, np.nanmax,
                     np.nanmin, np.median, np.linalg.norm), reduction),
    **dict.fromkeys((np.zeros, np.ones, np.empty, np.full, np.arange), creation),
    **dict.fromkeys((np.zeros_like, np.ones_like, np.empty_like, np.full_like, np.copy, np.array,
                     np.asarray, np.ascontiguousarray), like),
    **dict.fromkeys((np.stack, np.concatenate, np.vstack, np.hstack), _stacked),
    **dict.fromkeys((np.shape, np.ndim, np.size), lambda fn, args, kw: attribute(
        args[0], fn.__name__) if len(args) == 1 and not kw else OPAQUE),
    np.where: _fixed(3), np.clip: _fixed(3), np.outer: _outer, np.eye: _eye, np.identity: _eye,
    np.dot: lambda fn, args, kw: matmul(*args, fn) if len(args) == 2 and not kw else OPAQUE,
    np.reshape: lambda fn, args, kw: reshape(args[0], args[1] if len(args) > 1 else kw.get(
        "shape", kw.get("newshape"))) if args and _takes(args, kw, 2, (
            "shape", "newshape", "order")) else OPAQUE,
    np.transpose: lambda fn, args, kw: transpose(
        args[0], args[1] if len(args) > 1 else kw.get("axes", NONE)) if 1 <= len(
        args) <= 2 and _takes(args, kw, 2, ("axes",)) else OPAQUE,
    np.ravel: lambda fn, args, kw: method("ravel", args[0], [], {}) if len(args) == 1 and
    not kw else OPAQUE,
}
HANDLERS[np.matmul] = HANDLERS[np.dot]


# ---- the fallback for other NumPy functions ----------------------------------------------
# Results read from a call on stand-ins (broadcast views of one number): functions whose result's
# shape depends only on the shapes of their float arrays and on their other arguments' values,
# and whose result is no larger than the product of their arrays' sizes and their counts.
DUMMY_FUNCTIONS = {getattr(np, n) for n in (
    "diff", "cumsum", "cumprod", "flip", "fliplr", "flipud", "rot90", "tril", "triu",
    "diagonal", "trace", "tile", "repeat", "kron", "cross", "roll", "sort", "einsum", "squeeze",
    "atleast_1d", "atleast_2d", "atleast_3d", "expand_dims", "swapaxes", "moveaxis", "inner",
    "broadcast_to", "tensordot", "vdot", "append", "trapezoid", "average", "linspace")
    if hasattr(np, n)}
DUMMY_METHODS = {"cumsum", "cumprod", "clip", "squeeze", "swapaxes", "diagonal", "trace",
                 "round", "conj", "conjugate", "repeat"}
_NO = object()


def _dummy(v, budget):
    """A stand-in for ``v``, or _NO: an int or bool array may be an index or a size, and only
    numbers whose value (or, for NumPy floats, whose dtype) is known have one."""
    if isinstance(v, Scalar):
        if v.dtype is None and v.value is not UNKNOWN_VALUE:
            return v.value if _spend(budget, abs(v.value) if isinstance(v.value, int) else 1) \
                else _NO
        return v.dtype.type(1) if isinstance(v.dtype, np.dtype) and v.type is float else _NO
    if isinstance(v, Array):
        ok = v.dtype is not None and v.dtype.kind in "fc" and _spend(budget, size_of(v.shape))
        return np.broadcast_to(np.ones((), v.dtype), v.shape) if ok else _NO
    if isinstance(v, Sequence) and v.type is not range and v.elements is not None:
        items = [_dummy(e, budget) for e in v.elements]
        return _NO if any(i is _NO for i in items) else v.type(items)
    if isinstance(v, Str) and isinstance(v.value, str):
        return v.value
    return v.obj if isinstance(v, Func) else None if isinstance(v, NoneValue) else _NO


def _spend(budget, size):
    """The product of the sizes and counts of a call on stand-ins stays under 10**5, and so
    does its result (the functions below make nothing larger than that product)."""
    if size is None or size > budget[0]:
        return False
    budget[0] //= max(size, 1)
    return True


def _from_dummy(out, maybe_scalar):
    if isinstance(out, (np.ndarray, np.generic)):
        return numpy_result(out.dtype, out.shape, isinstance(out, np.ndarray) or maybe_scalar)
    if isinstance(out, (tuple, list)):
        return Sequence(type(out), tuple(_from_dummy(o, maybe_scalar) for o in out))
    return Scalar(type(out)) if type(out) in (bool, int, float) else OPAQUE


def by_dummies(fn, args, kw, receiver=None):
    """``fn(*args, **kw)``, or ``receiver.fn(...)``, read from a call on stand-ins."""
    budget = [10 ** 5]
    this = NONE if receiver is None else _dummy(receiver, budget)
    dummies = [_dummy(a, budget) for a in args]
    named = {k: _dummy(v, budget) for k, v in kw.items()}
    if any(d is _NO for d in [this] + dummies + list(named.values())):
        return OPAQUE
    try:
        with np.errstate(all="ignore"):
            out = (fn if receiver is None else getattr(this, fn))(*dummies, **named)
    except Exception:
        return OPAQUE
    return _from_dummy(out, any(shape_of(a) == () for a in args + list(kw.values()) + [receiver]))


# ---- Python's builtins, srcad's runtime helpers: any known function --------------------------
KEEPS_ARGUMENTS = {len, range, min, max, abs, float, int, bool, tuple, list, dict, sorted, zip,
                   enumerate, reversed, isinstance, sum, round, str, repr, print, type}
MATH_INT = {getattr(math, n) for n in ("floor", "ceil", "trunc", "factorial", "gcd", "isqrt",
                                       "comb", "perm", "lcm") if hasattr(math, n)}
MATH_BOOL = {math.isnan, math.isinf, math.isfinite, math.isclose}


def length(v):
    if isinstance(v, Sequence) and v.elements is not None:
        return len(v.elements)
    if isinstance(v, Array) and v.shape and v.shape[0] is not None:
        return v.shape[0]
    return len(v.keys) if isinstance(v, Dict) and v.keys is not None else UNKNOWN_VALUE


def element_of(v, site=None):
    """What ``for x in v`` binds to ``x`` (its dimensions named after ``site``, the loop)."""
    if isinstance(v, Sequence):
        return Scalar(int) if v.type is range else OPAQUE if not v.elements else \
            functools.reduce(join, v.elements) if site is None else related(v.elements, site)
    if isinstance(v, Array) and v.shape:
        return index_array(v, [("int",)])
    return Str() if isinstance(v, Str) else OPAQUE


def builtin(fn, args, kw):
    a = args[0] if len(args) == 1 and not kw else None
    number = isinstance(a, Scalar) and type(a.value) in (bool, int, float)
    if fn is len and a is not None:
        return Scalar(int, length(a))
    if fn in (float, int, bool) and not kw and len(args) <= 1:
        if number and not (fn is int and not math.isfinite(a.value)):
            return Scalar(fn, fn(a.value))
        return Scalar(fn, fn()) if not args else Scalar(fn)
    if fn is abs and a is not None:
        return Scalar(int if a.type is bool else a.type, abs(a.value) if number else
                      UNKNOWN_VALUE) if isinstance(a, Scalar) and a.dtype is None else \
            elementwise(np.absolute, [a])
    if fn in (min, max) and args and not kw:
        if a is not None:
            return element_of(a)
        if all(isinstance(v, Scalar) and type(v.value) in (bool, int, float) for v in args):
            return fn(args, key=lambda v: v.value)      # (the first of the extreme ones)
        return functools.reduce(join, args)
    if fn in (tuple, list) and a is not None:
        if isinstance(a, Sequence) and a.type is not range:
            return Sequence(fn, a.elements)
        n = length(a)
        return Sequence(fn, (element_of(a),) * n if type(n) is int and n < 10 ** 4 else None)
    if fn is round and a is not None:
        return Scalar(int) if isinstance(a, Scalar) else OPAQUE
    return {range: Sequence(range), isinstance: Scalar(bool), sorted: Sequence(list),
            str: Str(), repr: Str(), print: NONE}.get(fn, OPAQUE)


def call_function(fn, args, kw):
    """The value of ``fn(*args, **kw)`` for a known function ``fn``."""
    try:
        handler, is_builtin = HANDLERS.get(fn), fn in KEEPS_ARGUMENTS
    except TypeError:       # unhashable
        return OPAQUE
    module = getattr(fn, "__module__", None) or ""
    if handler is not None or is_builtin:
        return (handler or builtin)(fn, args, kw)
    if isinstance(fn, np.ufunc):
        return elementwise(fn, args) if fn.signature is None and fn.nout == 1 and \
            len(args) == fn.nin and not kw else OPAQUE
    if isinstance(fn, type) and issubclass(fn, np.generic) and len(args) <= 1 and not kw:
        conv = as_array(args[0]) if args else (None, ())
        return OPAQUE if conv is None else numpy_result(_dtype_arg(Func(fn), None), conv[1])
    if module == "math":
        return Scalar(int if fn in MATH_INT else bool if fn in MATH_BOOL else float)
    if module == "srcad.runtime":
        return runtime_call(fn.__name__, args)
    if fn in DUMMY_FUNCTIONS:
        return by_dummies(fn, args, kw)
    rule = rules.lookup(fn, len(args))
    if rule is not None and rule.elementwise and len(rule.params) == len(args) and not kw:
        return elementwise(fn, args, dummies=module.split(".")[0] in ("numpy", "scipy"))
    return OPAQUE


def runtime_call(name, args):
    """srcad's own helpers, as the core language writes ``lst.append(v)``, a loop over a dict's
    keys, and a change in place of an array (what derivatives call is Opaque)."""
    seq = args[0] if args else None
    if name == "appended" and len(args) == 2:
        known = isinstance(seq, Sequence) and seq.type is list and seq.elements is not None
        return Sequence(list, seq.elements + (args[1],) if known else None)
    if name in ("copied", "added_at", "stored_at") and isinstance(seq, Array) and seq.shape:
        return seq
    if name in ("keys_of", "loop_keys"):
        return Sequence(list)
    return NONE if name in ("require_sequence", "require_view") else OPAQUE


# ---- methods and attributes of arrays --------------------------------------------------------
METHOD_REDUCTIONS = {"sum": np.sum, "mean": np.mean, "max": np.max, "min": np.min,
                     "prod": np.prod, "std": np.std, "var": np.var, "any": np.any, "all": np.all,
                     "argmax": np.argmax, "argmin": np.argmin}


def method(name, recv, args, kw):
    """``recv.name(*args, **kw)``: methods of arrays and NumPy scalars (a few of lists)."""
    if not isinstance(recv, Array) and not (isinstance(recv, Scalar) and
                                            isinstance(recv.dtype, np.dtype)):
        counts = isinstance(recv, (Sequence, Dict)) and name in ("count", "index")
        return Scalar(int) if counts else recv if name == "copy" and isinstance(
            recv, (Sequence, Dict)) else OPAQUE
    dt, shape = as_array(recv)
    several = args[0] if len(args) == 1 else Sequence(tuple, tuple(args))     # x.reshape(2, 3)
    if name in METHOD_REDUCTIONS:
        return reduction(METHOD_REDUCTIONS[name], [recv] + args, kw)
    if name == "reshape" and args and set(kw) <= {"order"}:
        return reshape(recv, several)
    if name == "transpose" and not kw:
        return transpose(recv, several if args else NONE)
    if name == "astype" and len(args) == 1:
        new = _dtype_arg(args[0], None)
        return numpy_scalar(new) if isinstance(recv, Scalar) and new else Array(new, shape)
    if name in ("ravel", "flatten") and not args:
        return Array(dt, None if shape is None else (size_of(shape),))
    if name == "dot" and len(args) == 1 and not kw:
        return matmul(recv, args[0], np.dot)
    if name == "copy" and not args:
        return recv
    if name == "item" and not args and not kw and dt is not None and \
            isinstance(numpy_scalar(dt), Scalar):
        return Scalar(numpy_scalar(dt).type)       # a Python number
    return by_dummies(name, args, kw, recv) if name in DUMMY_METHODS else OPAQUE


def attribute(v, name):
    """``v.shape``, ``v.ndim``, ``v.size``, ``v.T``, ``v.dtype`` of an array or a scalar."""
    conv = as_array(v) if isinstance(v, (Scalar, Array)) else None
    if conv is None:
        return OPAQUE
    dt, shape = conv
    if name == "shape":
        return Sequence(tuple, None if shape is None else tuple(
            Scalar(int, UNKNOWN_VALUE if d is None else d) for d in shape))
    if name in ("ndim", "size"):
        n = None if shape is None else len(shape) if name == "ndim" else size_of(shape)
        return Scalar(int, UNKNOWN_VALUE if n is None else n)
    if name == "T" and isinstance(v, Array):
        return transpose(v)
    return Func(dt) if name == "dtype" and dt is not None else OPAQUE
