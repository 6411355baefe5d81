"""The lattice of abstract values: the shape, dtype and small constants each name of a core
function holds, as far as the call's specialisation fixes them (design §2, "Specialise on what
the call fixes").

* ``Scalar(type, value, dtype)``: a Python or NumPy scalar, never an ndarray. ``type`` is bool,
  int or float: bool and int are exact, float is an upper bound (an int or a bool joined with a
  float). ``value`` is known for literals, ints read from shapes, ``len`` of what has a known
  length and small int arithmetic on those; never for an int argument (the cache key does not
  hold it). ``dtype``: None for a Python scalar, a NumPy scalar's dtype, UNKNOWN_VALUE if either.
* ``Array(dtype, shape, dims)``: an ndarray; one whose shape may be () (it is (), or None) may
  also be a scalar, as NumPy returns for most 0-d results. ``dtype`` None: unknown. ``shape``
  None: even the rank is unknown, else an int or None (unknown) per dimension. ``dims``: None,
  or per dimension a ``Dim`` that names an unknown one (else None): two dimensions with one
  ``Dim`` are equal, though neither is known (a layer's ``W`` and ``b`` read from one
  ``params[i]``: ``W.shape[1] == b.shape[0]`` for every i).
* ``Sequence(type, elements)`` (a list, tuple or range; elements None: unknown length),
  ``Dict(keys, values)``, ``NoneValue()``, ``Str(value)``, ``Func(obj)`` (a known function,
  class, module or dtype) and ``Opaque()``: anything.

Soundness first: a known dimension is the real one on every run the specialisation serves.
"""
import functools
import math
import types
from dataclasses import dataclass, fields

import numpy as np


class _Unknown:
    def __repr__(self):
        return "?"


UNKNOWN_VALUE = _Unknown()
RAISES = object()       # what NumPy would raise on (such a statement never binds anything)


def _key(x):
    if isinstance(x, np.dtype):         # (np.dtype("float64") == None is True)
        return ("dtype", x.str, str(x))
    if isinstance(x, tuple):
        return tuple(map(_key, x))
    return (type(x), x) if isinstance(x, (bool, int, float, str)) else x


def _show(x):
    return "?" if x is None or x is UNKNOWN_VALUE else x.__name__ if isinstance(x, type) else \
        x.name if isinstance(x, np.dtype) else repr(x)


class Value:
    """Frozen and hashable, equal when the fields are; printed without unknown defaults."""

    def _fields(self):
        return tuple(_key(getattr(self, f.name)) for f in fields(self))

    def __eq__(self, other):
        return type(self) is type(other) and self._fields() == other._fields()

    def __hash__(self):
        return hash((type(self).__name__, self._fields()))

    def __repr__(self):
        shown = [("dtype=" if f.name == "dtype" and f.default is None else "") + _show(v)
                 for f in fields(self) for v in [getattr(self, f.name)]
                 if not (v is f.default and (v is UNKNOWN_VALUE or f.name in ("dtype", "dims")))]
        return f"{type(self).__name__}({', '.join(shown)})"


def _value(cls):
    return dataclass(frozen=True, eq=False, repr=False)(cls)


@_value
class Scalar(Value):
    type: type
    value: object = UNKNOWN_VALUE
    dtype: object = None


class Dim:
    """An unknown dimension, the same wherever it appears: the one read at ``site`` (an
    element of a list read at an unknown index) that is ``column[i]`` when element i is read.
    Two with one site and one column are equal on every run."""
    __slots__ = ("site", "column")

    def __init__(self, site, column):
        self.site, self.column = site, column

    def __eq__(self, other):
        return type(other) is Dim and other.site is self.site and other.column == self.column

    def __hash__(self):
        return hash((id(self.site), self.column))

    def __repr__(self):
        return f"Dim{self.column}"


@_value
class Array(Value):
    dtype: object
    shape: object
    dims: object = None


@_value
class Sequence(Value):
    type: type
    elements: object = None     # (printed ?: the length is unknown)


@_value
class Dict(Value):
    keys: object = None         # (None: any keys; then values is None too)
    values: object = None


@_value
class Str(Value):
    value: object = UNKNOWN_VALUE


@_value
class Func(Value):
    obj: object

    def _fields(self):
        return (id(self.obj),)

    def __repr__(self):
        return f"Func({getattr(self.obj, '__name__', self.obj)})"


@_value
class NoneValue(Value):
    pass


@_value
class Opaque(Value):
    pass


OPAQUE, NONE = Opaque(), NoneValue()
CALLABLE = (types.FunctionType, types.BuiltinFunctionType, types.MethodType, types.ModuleType,
            type, np.ufunc, np.dtype)


def value_of(x, trusted=False):
    """The value of a call's argument; ``trusted``: of a global the cache follows by identity
    (its number is known then; an argument's is not)."""
    t = type(x)
    if t in (bool, int, float):
        return Scalar(t, x if trusted else UNKNOWN_VALUE)
    if isinstance(x, np.generic):
        return numpy_scalar(x.dtype)
    if t is np.ndarray:
        return numpy_result(x.dtype, x.shape, ndarray=True)
    if t in (list, tuple):
        return Sequence(t, tuple(map(value_of, x)))
    if t is dict:
        return Dict(tuple(x), tuple(map(value_of, x.values())))
    if t in (range, str):
        return Sequence(range) if t is range else Str()
    return NONE if x is None else Func(x) if isinstance(x, CALLABLE) else OPAQUE


def global_value(obj, tracked, library=False):
    """A module constant, a closure value or a library attribute. The cache follows ints,
    floats, arrays and callables by identity (``tracked``: a global name, a library's name):
    anything else may be rebound between calls unseen."""
    if isinstance(obj, CALLABLE):
        return Func(obj)
    if tracked and (type(obj) in (bool, int, float, np.ndarray) or isinstance(obj, np.generic)):
        return value_of(obj, trusted=True)
    return NONE if obj is None and library else OPAQUE


# ---- the lattice -----------------------------------------------------------------------------
def join(a, b):
    """The least upper bound: equal dimensions kept, others None; a float absorbs an int or a
    bool; an int and a bool do not mix (``x[i]`` drops a dimension, ``x[True]`` adds one)."""
    if a == b:
        return a
    if isinstance(a, Scalar) and isinstance(b, Scalar):
        if {a.type, b.type} == {bool, int}:
            return OPAQUE
        same = a.type is b.type and _key(a.value) == _key(b.value)
        return Scalar(max(a.type, b.type, key=[bool, int, float].index),
                      a.value if same else UNKNOWN_VALUE,
                      a.dtype if _key(a.dtype) == _key(b.dtype) else UNKNOWN_VALUE)
    if isinstance(a, (Scalar, Array)) and isinstance(b, (Scalar, Array)):
        (da, sa), (db, sb) = _dtype_shape(a), _dtype_shape(b)
        dims = None if sa is None or sb is None or len(sa) != len(sb) else \
            tuple(x if x == y else None for x, y in zip(dims_of(a), dims_of(b)))
        return array(da if isinstance(da, np.dtype) and _key(da) == _key(db) else None, dims)
    if isinstance(a, Sequence) and isinstance(b, Sequence) and a.type is b.type:
        same = None not in (a.elements, b.elements) and len(a.elements) == len(b.elements)
        return Sequence(a.type, tuple(map(join, a.elements, b.elements)) if same else None)
    if isinstance(a, Dict) and isinstance(b, Dict):
        same = a.keys is not None and a.keys == b.keys
        return Dict(a.keys, tuple(map(join, a.values, b.values))) if same else Dict()
    return Str() if isinstance(a, Str) and isinstance(b, Str) else OPAQUE


def _dtype_shape(v):
    """(dtype, shape) for joining: a Python scalar's dtype is "python" (weak in promotion)."""
    if isinstance(v, Scalar):
        return "python" if v.dtype is None else v.dtype, ()
    return v.dtype, v.shape


def shape_of(v):
    return () if isinstance(v, Scalar) else v.shape if isinstance(v, Array) else None


def dims_of(v):
    """The shape, with a ``Dim`` where the dimension is unknown but named."""
    shape = shape_of(v)
    if shape is None or not isinstance(v, Array) or v.dims is None:
        return shape
    return tuple(d if n is None else n for d, n in zip(shape, v.dims))


def array(dt, dims):
    """``Array`` from a shape that may hold ``Dim``s."""
    if dims is None or not any(type(d) is Dim for d in dims):
        return Array(dt, dims)
    return Array(dt, tuple(None if type(d) is Dim else d for d in dims),
                 tuple(d if type(d) is Dim else None for d in dims))


def unnamed(v):
    """``v`` without ``Dim``s: a value that may come from another evaluation of their site
    (a loop's earlier iteration) than the values it meets."""
    if isinstance(v, Array) and v.dims is not None:
        return Array(v.dtype, v.shape)
    if isinstance(v, Sequence) and v.elements is not None:
        return Sequence(v.type, tuple(map(unnamed, v.elements)))
    if isinstance(v, Dict) and v.values is not None:
        return Dict(v.keys, tuple(map(unnamed, v.values)))
    return v


def related(parts, site):
    """The join of ``parts`` (a list's elements, read at an unknown index at ``site``), where a
    dimension they do not share is named by its column, ``Dim(site, (d0, d1, ...))``: equal
    columns, equal dimensions, whichever element is read."""
    joined = functools.reduce(join, parts)
    if isinstance(joined, Sequence) and joined.elements is not None and all(
            isinstance(p, Sequence) and p.elements is not None and
            len(p.elements) == len(joined.elements) for p in parts):
        return Sequence(joined.type, tuple(
            _named(j, [p.elements[k] for p in parts], site)
            for k, j in enumerate(joined.elements)))
    return _named(joined, parts, site)


def _named(joined, parts, site):
    if not isinstance(joined, Array) or joined.shape is None or None not in joined.shape:
        return joined
    shapes = [dims_of(p) for p in parts]
    if any(s is None or len(s) != len(joined.shape) for s in shapes):
        return joined
    dims = list(dims_of(joined))
    for k, d in enumerate(joined.shape):
        column = tuple(s[k] for s in shapes)
        if d is None and all(type(c) is int for c in column):
            dims[k] = Dim(site, column)
    return array(joined.dtype, tuple(dims))


def size_of(shape):
    return None if shape is None or None in shape else math.prod(shape)


def numpy_scalar(dt):
    kind = {"b": bool, "i": int, "u": int, "f": float}.get(dt.kind)
    return Scalar(kind, dtype=dt) if kind else Array(dt, ())


def numpy_result(dt, shape, ndarray=False):
    """A NumPy result: an ndarray, or a NumPy scalar for a 0-d result of a ufunc, a reduction
    or an integer index (``ndarray`` false)."""
    if shape is RAISES or dt is not None and dt.kind in "OV":
        return OPAQUE
    return numpy_scalar(dt) if shape == () and not ndarray and dt is not None else \
        array(dt, shape)
