"""What a ``for`` statement iterates, as far as the front can tell before the analysis runs.

``for x in q`` yields ``q[i]`` only when ``q`` is positional: a list, a tuple, an array, a range,
a string. A dict yields its keys, a set its items: those the index loop reads from a list of
what ``q`` yields, through which no derivative flows. The kind comes from the parameters' kinds
(what the call specialises on, so a derivative lowered for a list never serves a dict) and from
how a local name is bound (``d = dict(...)``, ``xs = [a, b]``). What neither tells, the loop
decides at run time (see ``IndexLoop.positional``): a global may be rebound between calls, a
helper's result is known only to the analysis.
"""
import gast
import numpy as np

from .frontend import Method
from .kinds import SEQ, UNKNOWN, is_keyed, is_positional

KEYS, ITEMS = "keys", "items"   # read through keys_of (no derivative) or loop_keys (checked)

ARITHMETIC = (gast.Add, gast.Mult, gast.MatMult, gast.Div, gast.FloorDiv, gast.Mod, gast.Pow)
POSITIONAL_ATTRIBUTES = {"T", "mT", "shape", "real", "imag"}
POSITIONAL_METHODS = {"reshape", "ravel", "flatten", "transpose", "astype", "squeeze", "tolist",
                      "split", "splitlines", "cumsum", "argsort"}
NUMPY_ITERATORS = {np.ndenumerate, np.ndindex, np.nditer, np.load}   # (np.load: an .npz is keyed)
VIEWS = ("keys", "values", "items")


class Iterables:
    """How a loop reads its iterable: SEQ (by position), KEYS (the list of what it yields,
    which carries no derivative: a dict's keys, a set or a generator passed in), ITEMS (the
    same, for items built here that might: ``set(xs)``, checked at run time) or UNKNOWN."""

    def __init__(self, tree, scope, kinds):
        self.scope = scope
        self.kinds = kinds      # parameter -> kind; None: parameters taken for sequences (stages)
        self.params = {a.id for a in tree.args.args + tree.args.kwonlyargs}
        self.bindings = bindings(tree)

    def of(self, node, seen=frozenset()):
        if isinstance(node, gast.Name):
            return self.of_name(node.id, seen)
        if isinstance(node, gast.Constant):
            return SEQ if isinstance(node.value, (str, bytes)) else UNKNOWN
        if isinstance(node, (gast.List, gast.Tuple)):
            return SEQ
        if isinstance(node, (gast.Dict, gast.DictComp)):
            return KEYS
        if isinstance(node, (gast.Set, gast.SetComp)):
            return ITEMS
        if isinstance(node, gast.BinOp):   # (| & ^ - make sets and dicts too)
            return SEQ if isinstance(node.op, ARITHMETIC) else UNKNOWN
        if isinstance(node, gast.UnaryOp):
            return SEQ
        if isinstance(node, gast.Attribute):
            return SEQ if node.attr in POSITIONAL_ATTRIBUTES else UNKNOWN
        if isinstance(node, gast.Subscript):
            base = self.of(node.value, seen)
            if isinstance(node.slice, gast.Slice) or self.is_array(node.value):
                return base if is_positional(base) else UNKNOWN   # a slice, a row
            return UNKNOWN
        if isinstance(node, gast.IfExp):
            return join([self.of(node.body, seen), self.of(node.orelse, seen)])
        if isinstance(node, gast.Call):
            return self.of_call(node, seen)
        return UNKNOWN

    def of_name(self, id_, seen):
        if id_ in seen:
            return None     # a cycle (d2 = d; d = d2): the other bindings decide
        values = self.bindings.get(id_, [])
        kinds = [self.param_kind(id_)] if id_ in self.params else []
        if not kinds and not values:
            return UNKNOWN  # a global or a closure's: it may be rebound between calls
        kinds += [UNKNOWN if v is None else self.of(v, seen | {id_}) for v in values]
        return join(kinds)

    def param_kind(self, id_):
        if self.kinds is None:
            return SEQ
        kind = self.kinds.get(id_, UNKNOWN)   # (an argument carries a derivative only wrt)
        return SEQ if is_positional(kind) else KEYS if is_keyed(kind) else UNKNOWN

    def of_call(self, node, seen):
        func = self.scope.resolve(node.func)
        if isinstance(func, Method):
            if func.name == "copy" and not node.args:
                return self.of(node.func.value, seen)
            return SEQ if func.name in POSITIONAL_METHODS else UNKNOWN
        if func in (list, tuple, sorted, range):
            return SEQ
        if func in (set, frozenset):
            return ITEMS
        if isinstance(func, type) and issubclass(func, dict):   # dict, OrderedDict, Counter
            return KEYS
        if isinstance(func, np.ufunc) or (getattr(func, "__module__", None) or "").startswith(
                "numpy") and func not in NUMPY_ITERATORS:
            return SEQ
        return UNKNOWN

    def is_array(self, node):
        """A parameter holding an array of rank 2 or more: an index picks a row of it."""
        return isinstance(node, gast.Name) and node.id in self.params and \
            self.kinds is not None and not self.bindings.get(node.id) and \
            self.kinds.get(node.id, UNKNOWN).startswith("array") and \
            self.kinds[node.id] not in ("array0", "array1")

    def view(self, node):
        """``ks`` bound once, to ``d.keys()`` (``.values()``, ``.items()``) of a dict ``d`` never
        rebound: that call, which the loop reads as a loop over the view; else None."""
        if not isinstance(node, gast.Name) or node.id in self.params:
            return None
        values = self.bindings.get(node.id, [])
        if len(values) != 1 or not isinstance(values[0], gast.Call):
            return None
        value = values[0]
        f = value.func
        if not (isinstance(f, gast.Attribute) and f.attr in VIEWS and not value.args and
                not value.keywords and isinstance(f.value, gast.Name)):
            return None
        d, bound = f.value.id, self.bindings.get(f.value.id, [])
        fixed = not bound if d in self.params else len(bound) == 1
        return value if fixed and self.of_name(d, frozenset()) in (KEYS, UNKNOWN) else None


def join(kinds):
    """SEQ, KEYS or ITEMS if every binding agrees (ignoring cycles), else UNKNOWN."""
    known = {k for k in kinds if k is not None}
    return known.pop() if len(known) == 1 else UNKNOWN


def bindings(tree):
    """name -> the values bound to it in ``tree``: a node for ``name = value``, ``name op=
    value`` (the BinOp it computes) and ``for name in q`` (``q[...]``: a row of an array is
    positional), None for any other binding (unpacking, a loop over ``zip``)."""
    found, plain = {}, set()

    def bind(target, value):
        found.setdefault(target.id, []).append(value)
        plain.add(id(target))
    for n in gast.walk(tree):
        if isinstance(n, gast.Assign):
            for t in n.targets:
                if isinstance(t, gast.Name):
                    bind(t, n.value)
        elif isinstance(n, gast.AnnAssign) and isinstance(n.target, gast.Name) and n.value:
            bind(n.target, n.value)
        elif isinstance(n, gast.AugAssign) and isinstance(n.target, gast.Name):
            bind(n.target, gast.BinOp(left=load(n.target.id), op=n.op, right=n.value))
        elif isinstance(n, gast.For) and isinstance(n.target, gast.Name) and \
                not isinstance(n.iter, gast.Call):
            bind(n.target, gast.Subscript(value=n.iter, slice=load("_"), ctx=gast.Load()))
    for n in gast.walk(tree):
        if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Store) and id(n) not in plain:
            found.setdefault(n.id, []).append(None)
    return found


def load(id_):
    return gast.Name(id=id_, ctx=gast.Load(), annotation=None, type_comment=None)
