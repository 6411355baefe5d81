"""Abstract values of a core function's names: the shape, dtype and small constants each holds,
as far as the call's specialisation fixes them. The public entry point; the lattice is in
value_lattice, what each operation gives in value_operators and value_calls, the walk in value_flow.

Names are flow-insensitive (the join over every binding). A list or a dict that may be changed
in place (``append``, ``d[k] = v``, a call that may change its arguments) is known by its type
only, and so is every container that may share memory with it.
"""
import collections.abc

import numpy as np

from .kinds import DICT, SCALAR, SEQ, UNKNOWN, array_kind
from .value_flow import infer_env
from .value_lattice import (NONE, OPAQUE, UNKNOWN_VALUE, Array, Dict, Func, NoneValue, Opaque,
                            Scalar, Sequence, Str, Value, dims_of, join, shape_of, value_of)

__all__ = ["NONE", "OPAQUE", "UNKNOWN_VALUE", "Array", "Dict", "Func", "NoneValue", "Opaque",
           "Scalar", "Sequence", "Str", "Value", "Values", "infer_values", "join",
           "kind_of_abstract", "value_of"]


def kind_of_abstract(v):
    """The coarse kind (kinds.py) of a value, as the front lowers loops by it."""
    if isinstance(v, Scalar):
        return SCALAR
    if isinstance(v, Array) and v.shape:
        return array_kind(len(v.shape))
    if isinstance(v, Sequence) and v.type in (list, tuple):
        return SEQ
    return DICT if isinstance(v, Dict) else UNKNOWN


def infer_values(fn, arguments, scope, helper_values=None, pure=None):
    """The value of every name of the core function ``fn`` called with ``arguments`` (name ->
    value, see ``value_of``); ``scope`` resolves its free names. Optional:
    ``helper_values(func, args, kwargs)``, the value of a user helper's call (None: unknown);
    ``pure(func)``, true when ``func`` changes none of its arguments in place (else the lists and
    dicts passed to it are known by their type only)."""
    return Values(infer_env(fn, arguments, scope, helper_values, pure))


class Values(collections.abc.Mapping):
    """Frozen: name -> value, the join over every binding of the name; Opaque if unbound."""

    def __init__(self, env):
        self._env = dict(env)

    def __getitem__(self, name):
        return self._env[name]

    def __iter__(self):
        return iter(self._env)

    def __len__(self):
        return len(self._env)

    def __hash__(self):
        return hash(frozenset(self._env.items()))

    def __repr__(self):
        return f"Values({self._env!r})"

    def get(self, name, default=OPAQUE):
        return self._env.get(name, default)

    def shape(self, name):
        """The shape when every dimension is known (() for any scalar), else None."""
        shape = shape_of(self.get(name))
        return shape if shape is not None and None not in shape else None

    def rank(self, name):
        shape = shape_of(self.get(name))
        return None if shape is None else len(shape)

    def dims(self, name):
        """The shape, with ``Dim``s for unknown dimensions that are named, else None."""
        return dims_of(self.get(name))

    def same_shape(self, a, b):
        """Surely one shape: every dimension known, or named by one ``Dim``."""
        dims = dims_of(self.get(a))
        return dims is not None and None not in dims and dims == dims_of(self.get(b))

    def is_scalar(self, name):
        """A Python or NumPy scalar, never an ndarray (``x += v`` rebinds it). A 0-d array
        is not one: ``shape(name) == ()`` is "broadcasts as a scalar"."""
        return isinstance(self.get(name), Scalar)

    def is_python_scalar(self, name):
        v = self.get(name)
        return isinstance(v, Scalar) and v.dtype is None

    def dtype(self, name):
        """The dtype of an array or a NumPy scalar, when known."""
        dt = getattr(self.get(name), "dtype", None)
        return dt if isinstance(dt, np.dtype) else None

    def leading_axes(self, a, b):
        """The axes that broadcasting ``a`` to ``b`` surely put in front (b's shape is a's
        after them), "all" for a number ``a`` and an array ``b``, or None: the sum over them
        undoes it."""
        dims, wide = self.dims(a), self.dims(b)
        if dims == () and wide:
            return "all"
        if not dims or not wide or None in wide or len(wide) <= len(dims) or \
                wide[len(wide) - len(dims):] != dims:
            return None
        return tuple(range(len(wide) - len(dims)))
