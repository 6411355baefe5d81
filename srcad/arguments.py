"""What the public transforms check and convert around a call: ``wrt`` by index or name (and
its JAX/autograd aliases), the arguments a derivative is taken with respect to, the structures
of gradients and tangents, bound methods and ``has_aux``. The transforms are in ``api``."""
from __future__ import annotations

import dataclasses
import functools
import inspect
import types

import numpy as np

from .errors import NotDifferentiable, UsageError
from .values import Array, Dict, Sequence, value_of
from .variadic import Extra, check_extras, name_hint, position_name


def wrt_names(signature, wrt, origin, fname):
    """Parameter names for ``wrt`` given as an index, a name, or a tuple of either."""
    params = list(signature.parameters)
    many = isinstance(wrt, (tuple, list))
    items = list(wrt) if many else [wrt]
    code = origin.__code__
    if not items:
        raise UsageError(f"wrt={wrt!r} names no parameter",
                         "give an index, a name, or a tuple of at least one")
    names = []
    for w in items:
        if isinstance(w, bool) or not isinstance(w, (int, str)):
            raise UsageError(f"wrt must be a parameter index, a parameter name, or a tuple of "
                            f"them; got {w!r}")
        if isinstance(w, Extra) or isinstance(w, int) and position_name(signature, w):
            names.append(position_name(signature, w))   # a call position of f(w, *args)
            continue
        if isinstance(w, int):
            if not -len(params) <= w < len(params):
                raise NotDifferentiable(
                    f"wrt={w} is out of range: {fname} has {len(params)} parameter(s) "
                    f"({', '.join(params)})", code.co_filename, code.co_firstlineno,
                    f"use an index from 0 to {len(params) - 1} or a name")
            names.append(params[w])
        else:
            if w not in params:
                raise NotDifferentiable(
                    f"wrt={w!r} is not a parameter of {fname} ({', '.join(params)})",
                    code.co_filename, code.co_firstlineno, name_hint(signature))
            names.append(w)
    if len(set(names)) != len(names):
        raise UsageError(f"wrt names a parameter twice: {wrt!r}")
    check_extras(names, signature)
    return tuple(names), many


def argument_values(arguments, params, exact=False):
    """The abstract value of each argument, as far as the fast path of a repeated call checks
    it (dispatch.py): ``exact``, every array's shape and every container's structure down to
    its elements (``dispatch.structure``); else the type, an array's rank and dtype, and a
    container's type. The first call of a derivative is specialised exactly; once its
    arguments' shapes or structures vary, it falls back to the general one."""
    values = []
    for p in params:
        if p not in arguments:
            continue
        v = value_of(arguments[p])
        if exact:
            pass
        elif isinstance(v, Array) and v.shape is not None:
            v = Array(v.dtype, (None,) * len(v.shape))
        elif isinstance(v, Sequence):
            v = Sequence(v.type)
        elif isinstance(v, Dict):
            v = Dict()
        values.append((p, v))
    return tuple(values)


def differentiable(w, v):
    """A ``wrt`` argument as srcad differentiates it: floats, float arrays (dtype kept), and
    lists, tuples and dicts of them; integers are promoted to float64 (their derivative is
    the derivative at that point)."""
    if isinstance(v, tuple) and hasattr(type(v), "_fields"):     # a namedtuple
        return type(v)._make(differentiable(w, e) for e in v)
    if is_dataclass_value(v):
        return dataclasses.replace(v, **{f.name: differentiable(w, getattr(v, f.name))
                                         for f in dataclasses.fields(v) if f.init})
    if isinstance(v, (list, tuple)):
        return type(v)(differentiable(w, e) for e in v)
    if isinstance(v, dict):
        return {k: differentiable(w, e) for k, e in v.items()}
    if isinstance(v, bool) or not isinstance(v, (int, float, np.ndarray, np.number)):
        raise UsageError(f"wrt={w!r}: srcad differentiates with respect to floats, float arrays "
                         f"and lists, tuples or dicts of them, got {type(v).__name__}",
                         f"pass a float or a float array as {w}, or choose another wrt")
    if isinstance(v, np.ndarray) and not np.issubdtype(v.dtype, np.number) or \
            isinstance(v, np.ndarray) and np.issubdtype(v.dtype, np.complexfloating):
        raise UsageError(f"wrt={w!r}: srcad differentiates real floating arrays, got dtype "
                         f"{v.dtype}", f"pass a float array as {w} (np.asarray(..., float)), or "
                         f"split a complex value into its real and imaginary parts")
    if isinstance(v, (int, np.integer)):
        return float(v)
    if isinstance(v, np.ndarray) and not np.issubdtype(v.dtype, np.inexact):
        return v.astype(np.float64)
    return v


# ``wrt``: a parameter index or name, or a sequence of them (then one derivative per item)
def raise_as_called(fn, args, kwargs):
    """Raise the TypeError ``fn(*args, **kwargs)`` raises for arguments that do not fit its
    parameters, without running ``fn``: a stub with the same parameters is called instead."""
    code, parts, star = fn.__code__, [], False
    for p in inspect.signature(fn).parameters.values():
        if p.kind is p.KEYWORD_ONLY and not star:
            parts.append("*")
        star = star or p.kind in (p.KEYWORD_ONLY, p.VAR_POSITIONAL)
        prefix = {p.VAR_POSITIONAL: "*", p.VAR_KEYWORD: "**"}.get(p.kind, "")
        parts.append(prefix + p.name + ("=None" if p.default is not p.empty else ""))
        if p.kind is p.POSITIONAL_ONLY and (p.name == code.co_varnames[code.co_posonlyargcount - 1]):
            parts.append("/")
    namespace = {}
    exec(f"def stub({', '.join(parts)}):\n    pass\n", namespace)
    stub = namespace["stub"]
    stub.__name__, stub.__qualname__ = fn.__name__, fn.__qualname__   # named in the message
    stub(*args, **kwargs)


def check_structure(given, like, what):
    """A tangent or cotangent must have the structure and shapes of what it goes with."""
    if isinstance(like, (list, tuple)) and isinstance(given, (list, tuple)) and len(given) == len(like):
        for i, (g, x) in enumerate(zip(given, like)):
            check_structure(g, x, f"{what}[{i}]")
    elif isinstance(like, dict) and isinstance(given, dict) and given.keys() == like.keys():
        for k in like:
            check_structure(given[k], like[k], f"{what}[{k!r}]")
    elif isinstance(like, (list, tuple, dict)) or isinstance(given, (list, tuple, dict)) or \
            np.shape(given) != np.shape(like):
        raise UsageError(f"{what} has {describe(given)}, but it must match {describe(like)}",
                         "pass one of the same structure and shape")


def describe(v):
    if isinstance(v, (list, tuple, dict)):
        return f"a {type(v).__name__} of {len(v)}"
    return f"shape {np.shape(v)}"


def shaped_like(tangent, value):
    """A tangent with its value's structure and shape (a constant-shaped zero is broadcast)."""
    if isinstance(value, (tuple, list)) and isinstance(tangent, (tuple, list)) and \
            len(value) == len(tangent):
        parts = [shaped_like(t, v) for t, v in zip(tangent, value)]
        return type(value)._make(parts) if hasattr(type(value), "_fields") else type(value)(parts)
    if isinstance(value, dict) and isinstance(tangent, dict):
        return {k: shaped_like(tangent[k], v) for k, v in value.items()}
    if np.ndim(tangent) != np.ndim(value) or np.shape(tangent) != np.shape(value):
        return np.broadcast_to(tangent, np.shape(value)) + 0.0
    return tangent


def check_value_and_aux(fn, args, kwargs):
    """Called when a has_aux derivative failed: run ``fn`` alone and say so if it does not
    return a pair (else the error was about something else)."""
    out = fn(*args, **kwargs)
    if not (isinstance(out, (tuple, list)) and len(out) == 2):
        what = f"a {type(out).__name__} of {len(out)}" if isinstance(out, (tuple, list)) else \
            f"a {type(out).__name__}"
        raise UsageError(f"{fn.__name__} returned {what}, but has_aux=True needs it to return "
                         f"a pair (value, aux)", "return value, aux, or drop has_aux")


def past_self(wrt, fixed=1):
    """A bound method's ``wrt`` counts its own parameters, after ``self`` (a partial's, after
    the ``fixed`` arguments it holds)."""
    if isinstance(wrt, int) and not isinstance(wrt, bool) and wrt >= 0:
        return wrt + fixed
    if isinstance(wrt, (tuple, list)):
        return type(wrt)(past_self(w, fixed) for w in wrt)
    return wrt


def unwrapped(fn, wrt):
    """``(function, arguments it holds, keyword arguments it holds, wrt)`` for a bound method
    (``model.loss``: the object first) or a ``functools.partial`` of a Python function
    (``partial(loss, l2=0.1)``, JAX's way to fix hyperparameters); ``fn`` itself otherwise."""
    if isinstance(fn, types.MethodType) and isinstance(fn.__func__, types.FunctionType):
        return fn.__func__, (fn.__self__,), {}, past_self(wrt)
    if isinstance(fn, functools.partial):
        inner, args, kwargs, wrt = unwrapped(fn.func, wrt)
        if isinstance(inner, types.FunctionType):
            args, kwargs = args + fn.args, {**kwargs, **fn.keywords}
            wrt = past_self(wrt, len(fn.args))
            names = list(inspect.signature(inner).parameters)[:len(args)] + list(kwargs)
            for w in (wrt if isinstance(wrt, (tuple, list)) else (wrt,)):
                if w in names or isinstance(w, int) and not isinstance(w, bool) and \
                        0 <= w < len(args):
                    raise UsageError(f"wrt={w!r} names an argument the partial holds fixed",
                                     "differentiate with respect to an argument the call passes")
            return inner, args, kwargs, wrt
    return fn, (), {}, wrt


def is_dataclass_value(v):
    return dataclasses.is_dataclass(v) and not isinstance(v, type)


def wrt_alias(mode, wrt, argnums, argnum):
    """``argnums`` (JAX) and ``argnum`` (autograd) name what srcad calls ``wrt``."""
    given = [(k, v) for k, v in (("argnums", argnums), ("argnum", argnum)) if v is not None]
    if len(given) > 1 or given and wrt != 0:
        names = ", ".join(["wrt"] * (wrt != 0) + [k for k, _ in given])
        raise UsageError(f"srcad.{mode} got {names}: they say the same thing, give one",
                         "wrt= is srcad's name; argnums= (JAX) and argnum= (autograd) are "
                         "accepted as its aliases")
    return given[0][1] if given else wrt
