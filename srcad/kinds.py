"""Kinds: the coarse type of a value that a derivative is specialised on (each argument's kind
is part of the cache key) and that the analysis infers for every name.

Constants and pure functions only, so the front (which lowers loops by what they iterate) and
the analysis read the same ones. ``SEQ`` is a list or a tuple: read by position, ``x[i]``. A
dict (its keys) and any other ITERABLE argument (a set, a view, a generator) are read by what
they yield; an argument of those kinds carries no derivative (``wrt`` cannot name it).
"""
SCALAR, SEQ, DICT, ITERABLE, UNKNOWN = "scalar", "seq", "dict", "iterable", "unknown"
LOCAL = object()        # frontend.Scope.resolve(): the name is a local variable of the function
UNRESOLVED = object()   # frontend.Scope.resolve(): not a name to look up at transform time


def array_kind(ndim):
    return SCALAR if ndim == 0 else f"array{ndim}"


def ndim_of(kind):
    if kind == SCALAR:
        return 0
    if kind.startswith("array"):
        return int(kind[5:])
    return None


def is_positional(kind):
    """A list, a tuple or an array of rank 1 or more: ``for x in q`` yields ``q[i]``."""
    return kind == SEQ or (ndim_of(kind or UNKNOWN) or 0) > 0


def is_keyed(kind):
    """A dict, a set, a generator...: ``for k in q`` yields what ``list(q)`` holds, not ``q[i]``."""
    return kind in (DICT, ITERABLE)
