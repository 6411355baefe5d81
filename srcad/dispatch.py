"""The fast path of a repeated call: a small generated guard that checks the arguments have
the types (array ranks and dtypes; for an exact specialisation, array shapes and the
structure of containers) of the call the derivative was specialised for, then
calls the generated function directly. Binding by signature and inspecting kinds costs tens
of microseconds, more than a small derivative itself."""
import dataclasses

import numpy as np

from . import rules
from .errors import SrcadError

FAST_TYPES = (float, int, bool, np.float64, np.float32, np.int64, np.ndarray,
              list, tuple, dict, str, type(None))


CONTAINERS = frozenset((np.ndarray, list, tuple, dict))


def structure(x):
    """What an exact specialisation fixes of a container argument: its type and length, each
    element's type, and an array element's shape and dtype (a dict: its keys too)."""
    t = type(x)
    if t is np.ndarray:
        return (x.dtype, x.shape)
    if t is list or t is tuple:
        kinds = tuple(map(type, x))
        if CONTAINERS.isdisjoint(kinds):    # scalars (or objects): their types say it all
            return (t, kinds)
        return (t, tuple(map(structure, x)))
    if t is dict:
        return (t, tuple(x), tuple(map(structure, x.values())))
    return t


def fast_caller(fn, gen, args, positions, many, with_value, exact=False):
    """``caller(args)``: ``fn``'s result in the public form (each gradient of its argument's
    type), or None when ``args`` are not of the same kinds, or ``gen`` is stale. None when
    these arguments are not a plain case (a wrt argument that needs promoting, an unusual
    type); those calls always take the general path."""
    if not all(type(a) in FAST_TYPES for a in args):
        return None
    if not all(type(args[i]) is float or type(args[i]) is np.ndarray and args[i].dtype.kind == "f"
               for i in positions):
        return None
    names = [f"a{i}" for i in range(len(args))]
    guards = []
    env = {"fn": fn, "valid": gen.valid, "match": match, "ndarray": np.ndarray,
           "structure": structure, "changes": rules.CHANGES, "missing": _MISSING}
    for i, a in enumerate(args):
        env[f"t{i}"] = type(a)
        if type(a) is np.ndarray:
            env[f"k{i}"] = a.dtype
            fixed = f"a{i}.shape != {a.shape!r}" if exact else f"a{i}.ndim != {a.ndim}"
            guards.append(f"type(a{i}) is not ndarray or {fixed} or a{i}.dtype is not k{i}")
        elif exact and type(a) in (list, tuple, dict):
            env[f"s{i}"] = structure(a)
            guards.append(f"structure(a{i}) != s{i}")
        else:
            guards.append(f"type(a{i}) is not t{i}")

    def finished(g, i):
        return f"float({g})" if type(args[i]) is float else f"match({g}, a{i})"
    if many:
        grads = [f"g{i}" for i in positions]
        result = f"({', '.join(finished(g, i) for g, i in zip(grads, positions))},)"
        unpack = grads[0] if len(grads) == 1 else f"({', '.join(grads)})"   # a bare one
    else:
        result, unpack = finished("g", positions[0]), "g"
    if with_value:
        unpack, result = f"value, {unpack}", f"value, {result}"
    source = (f"def caller(args):\n"
              f"    if len(args) != {len(args)}:\n"
              f"        return None\n"
              f"    {', '.join(names)}, = args\n"
              f"    if {' or '.join(guards + stale_checks(gen, env))}:\n"
              f"        return None\n"
              f"    {unpack} = fn({', '.join(names)})\n"
              f"    return {result}\n")
    exec(compile(source, f"<srcad fast call of {gen.name}>", "exec"), env)
    return env["caller"]


_MISSING = object()


def stale_checks(gen, env):
    """``gen.valid()`` written out (a global rebound, a rule registered since), so a repeated
    call spends no method calls on it; ``not valid()`` itself where a closure cell is read."""
    if any(key is None for _, key, _ in gen.depends):
        return ["not valid()"]
    checks = [f"changes[0] != {gen.rules_seen!r}"]
    for k, (where, key, obj) in enumerate(gen.depends):
        env[f"w{k}"], env[f"o{k}"] = where, obj
        checks.append(f"w{k}.get({key!r}, missing) is not o{k}")
    return checks


def match(g, x):
    """A gradient as its array argument wants it: same shape and dtype, and its own memory
    (not a view the caller could see change)."""
    if type(g) is np.ndarray and g.shape == x.shape and g.dtype == x.dtype and \
            g.base is None and g.flags.writeable:
        return g
    return like_argument(g, x)


def like_argument(g, x):
    """The gradient in the structure and type of its argument."""
    if isinstance(x, (list, tuple)):
        parts = [like_argument(gi, xi) for gi, xi in zip(g, x)]
        if hasattr(type(x), "_fields") and isinstance(x, tuple):    # a namedtuple
            return type(x)._make(parts)
        return parts if isinstance(x, list) else tuple(parts)
    if dataclasses.is_dataclass(x) and not isinstance(x, type):
        return dataclasses.replace(x, **{f.name: like_argument(g[f.name], getattr(x, f.name))
                                         for f in dataclasses.fields(x) if f.init})
    if isinstance(x, dict):
        return {k: like_argument(g[k], v) for k, v in x.items()}
    if isinstance(x, np.generic):       # a NumPy scalar keeps its type (np.float32...)
        return x.dtype.type(g)
    if isinstance(x, float):
        return float(g)
    if isinstance(x, np.ndarray):
        g = np.asarray(g)
        if g.shape != x.shape:
            raise SrcadError(f"internal error: a gradient of shape {g.shape} for an argument of "
                             f"shape {x.shape}", "<srcad>", 0,
                             "this is a bug in srcad; please report it with the function")
        if g.dtype != x.dtype:
            g = g.astype(x.dtype)
        elif not g.flags.writeable or g.base is not None and not g.flags.owndata:
            g = np.array(g)
    return g
