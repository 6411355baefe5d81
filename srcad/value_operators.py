"""What Python's operators give on abstract values: arithmetic and comparisons with NumPy's
dtype promotion and broadcasting, ``@``, and subscripts of arrays, sequences and dicts. The
promotion and broadcasting helpers are shared with value_calls."""
import functools
import itertools
import operator

import gast
import numpy as np

from .value_lattice import (OPAQUE, RAISES, UNKNOWN_VALUE, Array, Dim, NoneValue, Opaque, Scalar,
                            Sequence, Str, dims_of, join, numpy_result, numpy_scalar, related)


# ---- NumPy's dtype promotion and broadcasting ------------------------------------------------
def _python_types(v):
    return (type(v.value),) if v.value is not UNKNOWN_VALUE else \
        {bool: (bool,), int: (int,), float: (float, int, bool)}[v.type]


def _samples(v, ndim=0):
    """Stand-ins for ``v`` in a call that finds a result's dtype, one per type ``v`` may have (a
    Python scalar's type also decides NumPy's weak promotion); None where unknown."""
    if isinstance(v, Scalar) and v.dtype is None:
        return [t(1) for t in _python_types(v)]
    try:
        if isinstance(v, (Scalar, Array)) and isinstance(v.dtype, np.dtype):
            return [v.dtype.type(1) if isinstance(v, Scalar) and not ndim else
                    np.ones((1,) * ndim, v.dtype)]
    except Exception:       # (a datetime has no scalar 1)
        return None
    return [None] if isinstance(v, NoneValue) else None


def dtype_of(fn, values, ndim=0):
    """The dtype of ``fn(*values)``, if every type the values may have gives the same."""
    options, found = [_samples(v, ndim) for v in values], set()
    for args in itertools.product(*options) if None not in options else ():
        try:
            with np.errstate(all="ignore"):
                found.add(getattr(fn(*args), "dtype", None))
        except Exception:       # (a type that raises is not the value's, if the program runs)
            pass
    return found.pop() if len(found) == 1 else None


def result_type(dts):
    try:
        return np.result_type(*dts) if dts and all(isinstance(d, np.dtype) for d in dts) \
            else None
    except TypeError:
        return None


def as_array(v):
    """``np.asarray(v)``: (dtype, shape), or None where unknown."""
    if isinstance(v, Scalar):
        types_ = _python_types(v) if v.dtype is None else ()
        return (v.dtype if isinstance(v.dtype, np.dtype) else np.asarray(types_[0](1)).dtype
                if len(types_) == 1 else None), ()
    if isinstance(v, Array):
        return v.dtype, v.shape
    if isinstance(v, Sequence) and v.type is not range and v.elements:
        parts = [as_array(e) for e in v.elements]
        shape = RAISES if None in parts else unify([s for _, s in parts])
        return None if shape is RAISES else (result_type([d for d, _ in parts]), None if
                                             shape is None else (len(parts),) + shape)
    return None


def broadcast(shapes):
    """NumPy's broadcasting, where an unknown dimension beside a known one (not 1) is it, and
    a named one (``Dim``) beside itself or 1 stays itself."""
    if any(s is None for s in shapes):
        return None
    out = []
    for i in range(1, max(map(len, shapes), default=0) + 1):
        dims = [s[-i] for s in shapes if len(s) >= i]
        known = {d for d in dims if d is not None and type(d) is not Dim and d != 1}
        named = {d for d in dims if type(d) is Dim}
        if len(known) > 1:
            return RAISES
        out.append(known.pop() if known else None if None in dims or len(named) > 1 else
                   named.pop() if named else 1)
    return tuple(reversed(out))


def unify(shapes):
    """The one shape several must have (np.stack): what any of them knows, per dimension."""
    known = [s for s in shapes if s is not None]
    if not known or len({len(s) for s in known}) > 1:
        return RAISES if known else None
    out = [{d for d in dims if d is not None} for dims in zip(*known)]
    return RAISES if any(len(d) > 1 for d in out) else tuple(d.pop() if d else None for d in out)


# ---- Python and NumPy arithmetic -------------------------------------------------------------
BINOPS = {gast.Add: operator.add, gast.Sub: operator.sub, gast.Mult: operator.mul,
          gast.Div: operator.truediv, gast.FloorDiv: operator.floordiv, gast.Mod: operator.mod,
          gast.Pow: operator.pow, gast.MatMult: operator.matmul, gast.BitAnd: operator.and_,
          gast.BitOr: operator.or_, gast.BitXor: operator.xor, gast.LShift: operator.lshift,
          gast.RShift: operator.rshift}
UNARY = {gast.USub: operator.neg, gast.UAdd: operator.pos, gast.Invert: operator.invert}
COMPARE = {gast.Eq: operator.eq, gast.NotEq: operator.ne, gast.Lt: operator.lt,
           gast.LtE: operator.le, gast.Gt: operator.gt, gast.GtE: operator.ge}
EXACT = (operator.add, operator.sub, operator.mul, operator.floordiv, operator.mod)


def elementwise(fn, values, ndarray=False, dummies=True):
    """``fn`` applied element by element with broadcasting (None: an absent ``np.clip`` bound)."""
    if not all(isinstance(v, (Scalar, Array, NoneValue)) for v in values):
        return OPAQUE
    shape = broadcast([() if isinstance(v, NoneValue) else dims_of(v) for v in values])
    return numpy_result(dtype_of(fn, values) if dummies else None, shape, ndarray)


def _scalars(op, a, b):
    """Python arithmetic on two Python scalars, or NumPy's on scalars."""
    bits = op in (operator.and_, operator.or_, operator.xor, operator.lshift, operator.rshift)
    t = (None if float in (a.type, b.type) else bool if a.type is b.type is bool and
         op not in (operator.lshift, operator.rshift) else int) if bits else \
        float if op is operator.truediv or float in (a.type, b.type) else \
        (int if type(b.value) in (int, bool) and b.value >= 0 else float) \
        if op is operator.pow else int
    if a.dtype is None and b.dtype is None:
        x, y, value = a.value, b.value, UNKNOWN_VALUE
        if t is int and op in EXACT and {type(x), type(y)} <= {int, bool} and \
                not (op in EXACT[3:] and y == 0):
            value = op(x, y) if abs(op(x, y)) < 2 ** 31 else UNKNOWN_VALUE
        return OPAQUE if t is None else Scalar(t, value)
    dt = dtype_of(op, [a, b])
    return numpy_scalar(dt) if dt is not None else \
        Scalar(float, dtype=UNKNOWN_VALUE) if t is float else OPAQUE


def binop(op, a, b):
    if op is operator.matmul:
        return matmul(a, b)
    if isinstance(a, Sequence) or isinstance(b, Sequence):
        return _sequences(op, a, b)
    if isinstance(a, Scalar) and isinstance(b, Scalar):
        return _scalars(op, a, b)
    return elementwise(op, [a, b]) if all(isinstance(v, (Scalar, Array)) for v in (a, b)) \
        else OPAQUE


def _sequences(op, a, b):
    """``+`` and ``*`` of lists and tuples; an ndarray with a list reads it as an array."""
    seq, other = (a, b) if isinstance(a, Sequence) else (b, a)
    if seq.type is range:
        return OPAQUE
    if op is operator.add and isinstance(other, Sequence) and a.type is b.type:
        return Sequence(a.type, None if None in (a.elements, b.elements) else
                        a.elements + b.elements)
    if op is operator.mul and isinstance(other, Scalar) and other.type is int:
        n = other.value
        return Sequence(seq.type, seq.elements * max(n, 0) if type(n) is int and seq.elements
                        is not None and n * len(seq.elements) < 10 ** 4 else None)
    if isinstance(other, Array) and other.shape:        # certainly an ndarray
        conv = as_array(seq)
        return elementwise(op, [Array(*conv), other]) if conv else Array(None, None)
    return OPAQUE


def unary(op, v):
    if isinstance(op, gast.Not):
        return Scalar(bool)
    fn = UNARY[type(op)]
    if not isinstance(v, Scalar) or v.type is bool and v.dtype is not None:
        return elementwise(fn, [v]) if isinstance(v, (Scalar, Array)) else OPAQUE
    if fn is operator.invert and v.type is float:
        return OPAQUE
    value = fn(v.value) if type(v.value) in (int, float, bool) and v.dtype is None and \
        fn is not operator.invert else UNKNOWN_VALUE
    return Scalar(int if v.type is bool else v.type, value, v.dtype)


def compare(op, a, b):
    fn = COMPARE.get(type(op))
    if fn is None:                      # is, is not, in, not in
        return Scalar(bool)
    if isinstance(a, Scalar) and isinstance(b, Scalar):
        python = a.dtype is None and b.dtype is None
        known = a.dtype is not UNKNOWN_VALUE and b.dtype is not UNKNOWN_VALUE
        return Scalar(bool, dtype=None if python else np.dtype(bool) if known else UNKNOWN_VALUE)
    if isinstance(a, (Scalar, Array)) and isinstance(b, (Scalar, Array)):
        return elementwise(fn, [a, b])
    numpy_like = [isinstance(v, (Array, Opaque)) or isinstance(v, Scalar) and v.dtype is not None
                  for v in (a, b)]
    return OPAQUE if any(numpy_like) else Scalar(bool)


def matmul(a, b, fn=operator.matmul):
    """``a @ b``, ``np.matmul`` or ``np.dot``."""
    ca, cb = as_array(a), as_array(b)
    if ca is None or cb is None:
        return OPAQUE
    (da, sa), (db, sb) = ca, cb
    sa, sb = (dims_of(v) if isinstance(v, Array) else s for v, s in ((a, sa), (b, sb)))
    dt = dtype_of(fn, [Array(da, ()), Array(db, ())], ndim=1)
    if sa is None or sb is None:
        return Array(dt, None)
    if not sa or not sb:
        return elementwise(np.multiply, [a, b]) if fn is np.dot else OPAQUE
    if fn is np.dot and max(len(sa), len(sb)) > 2:
        return numpy_result(dt, sa[:-1] + sb[:-2] + sb[-1:] if len(sb) > 1 else sa[:-1])
    a2, b2 = (1,) * (len(sa) == 1) + sa, sb + (1,) * (len(sb) == 1)
    batch = broadcast([a2[:-2], b2[:-2]])
    return OPAQUE if batch is RAISES else \
        numpy_result(dt, batch + a2[-2:-1] * (len(sa) > 1) + b2[-1:] * (len(sb) > 1))


# ---- indexing --------------------------------------------------------------------------------
def index_item(v):
    """One part of an index as a tag: ("int",), ("new",) (np.newaxis), ("adv", shape) for an
    int array, ("mask", rank) for a bool array or a bool; None where unknown."""
    if isinstance(v, NoneValue):
        return ("new",)
    if isinstance(v, Scalar):
        return ("int",) if v.type is int else ("mask", 0) if v.type is bool else None
    conv = as_array(v) if isinstance(v, (Array, Sequence)) else None
    if conv is None or conv[0] is None or conv[1] is None:
        return None
    return ("adv", conv[1]) if conv[0].kind in "iu" else \
        ("mask", len(conv[1])) if conv[0].kind == "b" else None


def index_array(base, items):
    """``base[items]`` for an ndarray or a NumPy scalar: basic and advanced indexing, where a
    mask's selection has an unknown length. Items: tags of ``index_item`` and ("slice", lo, hi,
    st)."""
    dt, shape = as_array(base)
    if items is None or shape is None:
        return Array(dt, None)
    width = [1 if t[0] in ("int", "slice", "adv") else t[1] if t[0] == "mask" else 0
             for t in items]
    ellipsis = [i for i, t in enumerate(items) if t[0] == "..."]
    if len(ellipsis) > 1 or sum(width) > len(shape):
        return OPAQUE
    at = ellipsis[0] if ellipsis else len(items)
    items = items[:at] + [("slice", None, None, None)] * (len(shape) - sum(width)) + items[at + 1:]
    advanced = any(t[0] in ("adv", "mask") for t in items)
    out, marks, dim = [], [], 0
    for t in items:
        if t[0] == "new":
            out.append(1)
        elif t[0] == "slice":
            d, bounds = shape[dim], t[1:]
            out.append(d if bounds == (None, None, None) else None if d is None or
                       UNKNOWN_VALUE in bounds or bounds[2] == 0 else len(range(d)[slice(*bounds)]))
        elif advanced:      # (with an index array, an int is one too)
            marks.append(len(out))
            out.append(("adv", (None,) if t[0] == "mask" else t[1] if t[0] == "adv" else ()))
        dim += 1 if t[0] in ("int", "slice", "adv") else t[1] if t[0] == "mask" else 0
    if advanced:
        joint = broadcast([o[1] for o in out if isinstance(o, tuple)])
        if any(t[0] == "new" for t in items) or joint is RAISES:
            return Array(dt, None)
        rest = [o for o in out if not isinstance(o, tuple)]
        together = marks == list(range(marks[0], marks[0] + len(marks)))
        out = rest[:marks[0]] + list(joint) + rest[marks[0]:] if together else list(joint) + rest
    whole = not advanced and not ellipsis and all(t[0] == "int" for t in items)
    return numpy_result(dt, tuple(out), ndarray=not whole)


def item_of(seq, index, site=None):
    """``seq[index]`` of a list, a tuple or a range; ``index`` a value or ("slice", ...). At an
    unknown index, the join of the elements, their dimensions named after ``site`` (the
    subscript) when one is given."""
    if isinstance(index, tuple):
        bounds = index[1:]
        return Sequence(seq.type) if seq.type is range or seq.elements is None or \
            UNKNOWN_VALUE in bounds or bounds[2] == 0 else \
            Sequence(seq.type, seq.elements[slice(*bounds)])
    if not isinstance(index, Scalar) or index.type is float:
        return OPAQUE
    if seq.type is range or not seq.elements:
        return Scalar(int) if seq.type is range else OPAQUE
    n, i = len(seq.elements), index.value
    return seq.elements[i] if type(i) in (int, bool) and -n <= i < n else \
        functools.reduce(join, seq.elements) if site is None else related(seq.elements, site)


def key_of(d, key):
    if not d.keys:
        return OPAQUE
    known = isinstance(key, (Scalar, Str)) and key.value is not UNKNOWN_VALUE
    if known and key.value in dict.fromkeys(d.keys):
        return dict(zip(d.keys, d.values))[key.value]
    return functools.reduce(join, d.values)     # (a key not there raises)
