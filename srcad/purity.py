"""Which calls are pure: the same arguments give the same value, and nothing else changes.

A derivative may recompute a pure call, move it, or drop it when its value is not needed. A
call not known to be pure (a random draw, a method of an object srcad does not know, a user
helper that makes one) runs exactly once per call of the derivative, where the user's code ran
it: the reverse sweep reads what it needs from it as a saved value, never by calling it again.
"""
import builtins
import math
import types

import gast
import numpy as np

from . import rules, runtime as _rt
from .frontend import LOCAL, UNRESOLVED, Method
from .walk import walk

PURE_BUILTINS = frozenset(getattr(builtins, n) for n in (
    "abs", "all", "any", "bool", "complex", "dict", "divmod", "enumerate", "float", "int",
    "isinstance", "len", "list", "max", "min", "pow", "range", "reversed", "round", "set",
    "sorted", "str", "sum", "tuple", "type", "zip", "frozenset"))
# methods of arrays, lists and dicts that only read (changes in place of a local value, like
# ``append``, are the transform's business, not an effect outside the function)
PURE_METHODS = frozenset((
    "copy", "astype", "reshape", "ravel", "flatten", "transpose", "swapaxes", "squeeze", "sum",
    "mean", "max", "min", "prod", "std", "var", "dot", "item", "tolist", "keys", "values",
    "items", "get", "index", "count", "conj", "conjugate", "clip", "round", "cumsum", "cumprod",
    "argmax", "argmin", "argsort", "nonzero", "any", "all", "trace", "diagonal", "view",
    "startswith", "endswith", "format", "join", "split", "strip", "lower", "upper", "replace"))
LOCAL_CHANGES = frozenset(("append", "pop", "extend", "insert", "remove", "clear", "update",
                           "sort", "reverse", "fill", "setdefault", "popitem", "add", "discard"))
CHANGES_ARGUMENTS = frozenset(getattr(np, n) for n in (
    "copyto", "put", "place", "putmask", "fill_diagonal", "put_along_axis") if hasattr(np, n))
PURE_MODULES = ("numpy", "scipy", "math", "cmath", "operator", "functools", "itertools")


def is_random(func):
    """NumPy's and Python's random draws: functions of numpy.random, methods of a
    RandomState, Generator or random.Random."""
    owner = getattr(func, "__self__", None)
    if isinstance(owner, (np.random.RandomState, np.random.Generator)) or \
            type(owner).__module__ == "random":
        return True
    module = getattr(func, "__module__", None) or ""
    return module.startswith("numpy.random") or module == "random"


class Purity:
    """Pure or not, for calls resolved in a scope; a user helper is pure when every call in
    its body is. ``parse(func)`` reads a helper (``frontend.read_function``): given by the
    caller, so that this stage parses nothing itself."""

    def __init__(self, parse, is_user_function):
        self.parse = parse
        self.is_user_function = is_user_function
        self.helpers = {}      # code object -> pure (True while being decided: recursion)

    def function(self, func):
        """Pure as a function: the same arguments give the same value, nothing else changes."""
        if is_random(func) or func in CHANGES_ARGUMENTS or func is _rt.keep_aux:
            return False
        if func is UNRESOLVED or func is LOCAL:
            return False
        if isinstance(func, Method):
            return func.name in PURE_METHODS or func.name in LOCAL_CHANGES or \
                rules.has_rule(("method", func.name)) or rules.is_nondiff(("method", func.name))
        if getattr(func, "__module__", None) == _rt.__name__:
            return True
        if isinstance(getattr(func, "__self__", None), (dict, list, tuple, str)) and \
                getattr(func, "__name__", None) in PURE_METHODS:
            return True     # GLOBAL_TABLE.items()
        try:
            if func in PURE_BUILTINS:
                return True
        except TypeError:       # unhashable
            return False
        if rules.has_rule(func) or rules.is_nondiff(func):
            return True
        if isinstance(func, np.ufunc) or getattr(func, "__module__", None) == math.__name__ or \
                isinstance(func, type) and issubclass(func, np.generic):
            return True
        if self.is_user_function(func):
            return self.helper(func)
        if isinstance(func, (types.BuiltinFunctionType, types.FunctionType, np.ufunc)) or \
                callable(func) and not isinstance(func, type):
            module = getattr(func, "__module__", None) or ""
            return module.split(".")[0] in PURE_MODULES
        return False

    def helper(self, func):
        code = func.__code__
        if code not in self.helpers:
            self.helpers[code] = True
            try:
                parsed = self.parse(func)
            except Exception:       # not readable: srcad refuses it elsewhere, with a reason
                self.helpers[code] = False
                return False
            self.helpers[code] = all(self.call(n, parsed.scope) for n in walk(parsed.tree)
                                     if isinstance(n, gast.Call))
        return self.helpers[code]

    def call(self, node, scope):
        """Is the call ``node`` pure, its function resolved in ``scope``?"""
        func = scope.resolve(node.func)
        if func is UNRESOLVED and isinstance(node.func, gast.Attribute) and \
                not isinstance(node.func.value, (gast.Name, gast.Attribute)):
            func = Method(node.func.attr)   # a method of a value computed here: (a - b).ravel()
        return self.function(func)

    def calls(self, node, scope):
        """Are all calls in the expression or statement ``node`` pure?"""
        return all(self.call(n, scope) for n in walk(node) if isinstance(n, gast.Call))
