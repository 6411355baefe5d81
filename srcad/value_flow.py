"""The walk over a core function's statements to a fixpoint: a name's value is the join over
all its bindings, so loops need no unrolling; a name still changing after MAX_ROUNDS widens to
Opaque. The lists and dicts that may change in place are then known by their type only, and the
walk is redone until that set stops growing."""
import functools
import types

import gast
import numpy as np

from .frontend import LOCAL, UNRESOLVED, Method
from .value_calls import KEEPS_ARGUMENTS, attribute, call_function, element_of, method
from .value_lattice import (NONE, OPAQUE, UNKNOWN_VALUE, Array, Dict, Func, NoneValue, Opaque,
                            Scalar, Sequence, Str, global_value, join, unnamed)
from .value_operators import (BINOPS, binop, compare, index_array, index_item, item_of, key_of,
                              unary)
from .walk import walk, walk_stmts


# ---- the function's names ------------------------------------------------------------------
def _constant(c):
    if type(c) in (bool, int, float):
        return Scalar(type(c), c)
    return NONE if c is None else Str(c) if type(c) is str else OPAQUE


class _Unbound(Exception):
    """A local read before any binding of it is known: its statement waits for one."""


MAX_ROUNDS = 12     # then a name still changing becomes Opaque (the widening)


class _Inference:
    def __init__(self, fn, arguments, scope, untrusted, helper_values):
        self.fn, self.scope, self.untrusted = fn, scope, untrusted
        self.helper_values = helper_values
        self.params = [a.id for a in fn.args.args + fn.args.kwonlyargs + [
            fn.args.vararg, fn.args.kwarg] if a is not None]
        self.env, self.changed, self.widen = {}, False, False
        self.carried = carried(fn)
        for p in self.params:
            self.bind(p, arguments.get(p, OPAQUE))

    def run(self):
        names = {n.id for n in walk(self.fn) if isinstance(n, gast.Name)}
        for round_ in range(MAX_ROUNDS + len(names) + 2):
            self.changed, self.widen = False, round_ >= MAX_ROUNDS
            self.block(self.fn.body)
            if not self.changed:
                return self.env
        return dict.fromkeys(self.env, OPAQUE)

    def bind(self, name, value):
        old = self.env.get(name)
        new = untrust(value) if name in self.untrusted else value
        new = unnamed(new) if name in self.carried else new
        new = new if old is None else join(old, new)
        if new != old:
            self.env[name] = OPAQUE if self.widen and old is not None else new
            self.changed = True

    def block(self, stmts):
        for s in stmts:
            try:
                if isinstance(s, gast.For):
                    self.bind_target(s.target, element_of(self.ev(s.iter), s))
                elif isinstance(s, gast.Assign):
                    self.assign(s)
                elif isinstance(s, gast.AugAssign) and isinstance(s.target, gast.Name):
                    self.update(s.target.id, binop(BINOPS[type(s.op)], self.name(s.target.id),
                                                   self.ev(s.value)))
            except _Unbound:
                pass
            self.block(getattr(s, "body", []) + getattr(s, "orelse", []))

    def assign(self, s):
        target = s.targets[0]
        if isinstance(target, gast.Subscript):
            return      # x[i] = v keeps an array's shape (a list or a dict: see _changed)
        if getattr(s, "in_place", False) and isinstance(target, gast.Name):
            return self.update(target.id, self.ev(s.value))
        value = self.ev(s.value)
        for t in s.targets:
            self.bind_target(t, value)

    def update(self, name, value):
        """``x += v``: an ndarray keeps its shape and dtype; anything else is rebound."""
        old = self.env.get(name)
        if not (isinstance(old, Array) and old.shape):
            self.bind(name, value)

    def bind_target(self, target, value):
        if isinstance(target, gast.Name):
            self.bind(target.id, value)
        elif isinstance(target, (gast.Tuple, gast.List)):
            n, items = len(target.elts), getattr(value, "elements", None)
            parts = list(items) if isinstance(value, Sequence) and items is not None and \
                len(items) == n else [element_of(value) if items is None else OPAQUE] * n
            for t, v in zip(target.elts, parts):
                self.bind_target(t, v)

    def name(self, id_):
        if id_ in self.env:
            return self.env[id_]
        obj = self.scope.lookup(id_)
        if obj is LOCAL or id_ in self.params:
            raise _Unbound(id_)
        return OPAQUE if obj is UNRESOLVED else global_value(obj, tracked=True)

    def ev(self, node):
        t = type(node)
        if t is gast.Constant:
            return _constant(node.value)
        if t is gast.Name:
            return self.name(node.id)
        if t is gast.Attribute:
            obj = self.scope.resolve(node)
            if obj is UNRESOLVED or isinstance(obj, Method):
                return attribute(self.ev(node.value), node.attr)
            base = getattr(self.scope.resolve(node.value), "__name__", "")
            library = str(base).split(".")[0] in ("numpy", "math", "scipy")
            return global_value(obj, tracked=library, library=library)
        if t is gast.BinOp:
            return binop(BINOPS[type(node.op)], self.ev(node.left), self.ev(node.right))
        if t is gast.UnaryOp:
            return unary(node.op, self.ev(node.operand))
        if t is gast.Compare:
            values = [self.ev(node.left)] + [self.ev(c) for c in node.comparators]
            return functools.reduce(join, map(compare, node.ops, values, values[1:]))
        if t in (gast.BoolOp, gast.IfExp):
            parts = node.values if t is gast.BoolOp else [node.body, node.orelse]
            return functools.reduce(join, map(self.ev, parts))
        if t in (gast.Tuple, gast.List):
            return Sequence(tuple if t is gast.Tuple else list, tuple(map(self.ev, node.elts)))
        if t is gast.Subscript:
            return self.subscript(self.ev(node.value), node.slice, node)
        if t is gast.Call:
            return self.call(node)
        return Str() if t is gast.JoinedStr else OPAQUE

    def call(self, node):
        if any(isinstance(a, gast.Starred) for a in node.args) or \
                any(k.arg is None for k in node.keywords):
            return OPAQUE
        args = [self.ev(a) for a in node.args]
        kw = {k.arg: self.ev(k.value) for k in node.keywords}
        func = self.scope.resolve(node.func)
        if isinstance(func, Method):
            return method(func.name, self.ev(node.func.value), args, kw)
        if func is LOCAL:
            local = self.ev(node.func)
            func = local.obj if isinstance(local, Func) else UNRESOLVED
        value = OPAQUE if func is UNRESOLVED else call_function(func, args, kw)
        if value == OPAQUE and self.helper_values and isinstance(func, types.FunctionType):
            value = self.helper_values(func, args, kw) or OPAQUE
        return value

    def subscript(self, base, index, site):
        if isinstance(base, Sequence):
            return item_of(base, ("slice",) + self.bounds(index) if isinstance(
                index, gast.Slice) else self.ev(index), site)
        if isinstance(base, Dict):
            return key_of(base, self.ev(index))
        if isinstance(base, Array) or isinstance(base, Scalar) and \
                isinstance(base.dtype, np.dtype):
            return index_array(base, self.index_items(index))
        return Str() if isinstance(base, Str) else OPAQUE

    def bounds(self, node):
        values = [NONE if p is None else self.ev(p) for p in (node.lower, node.upper, node.step)]
        return tuple(None if isinstance(v, NoneValue) else v.value if isinstance(v, Scalar) and
                     type(v.value) is int else UNKNOWN_VALUE for v in values)

    def index_items(self, index):
        parts = index.elts if isinstance(index, gast.Tuple) else [index]
        if len(parts) == 1 and not isinstance(index, gast.Slice) and not (
                isinstance(index, gast.Constant) and index.value is Ellipsis):
            value = self.ev(index)      # x[t] with t a tuple indexes as x[t[0], t[1], ...]
            parts = value.elements if isinstance(value, Sequence) and value.type is tuple \
                else [value]
            items = None if parts is None else [index_item(v) for v in parts]
        else:
            items = [("slice",) + self.bounds(p) if isinstance(p, gast.Slice) else ("...",)
                     if isinstance(p, gast.Constant) and p.value is Ellipsis else
                     index_item(self.ev(p)) for p in parts]
        return None if items is None or None in items else items


# ---- names a loop carries from one iteration to the next --------------------------------------
def carried(fn):
    """Names that may hold, where they are read, a value bound in an earlier iteration of a
    loop: read in its body before any binding there, or read outside it. Their values lose
    their ``Dim``s, which name what one evaluation of their site read."""
    out = set()
    for loop in walk_stmts(fn.body):
        if isinstance(loop, (gast.For, gast.While)):
            inside = {id(n) for n in walk(loop)}
            out |= {n.id for n in walk(fn) if isinstance(n, gast.Name) and id(n) not in inside}
            head = set(_names(loop.target)) if isinstance(loop, gast.For) else set()
            out |= _exposed(([] if isinstance(loop, gast.For) else [loop.test]) +
                            loop.body + loop.orelse, head)[0]
    return frozenset(out)


def _names(node):
    return [n.id for n in walk(node) if isinstance(n, gast.Name)]


def _exposed(stmts, bound):
    """(names read before a binding in ``stmts``, names surely bound after them)."""
    out, bound = set(), set(bound)
    for s in stmts:
        if isinstance(s, gast.If):
            out |= set(_names(s.test)) - bound
            (e1, b1), (e2, b2) = _exposed(s.body, bound), _exposed(s.orelse, bound)
            out, bound = out | e1 | e2, b1 & b2
        elif isinstance(s, gast.Assign) and all(
                isinstance(t, (gast.Name, gast.Tuple, gast.List)) for t in s.targets):
            out |= set(_names(s.value)) - bound
            bound |= {n for t in s.targets for n in _names(t)}
        else:       # a loop's body may not run; any other statement reads what it names
            out |= set(_names(s)) - bound
    return out, bound


# ---- lists and dicts changed in place --------------------------------------------------------
WORLD = "<world>"   # what calls srcad does not know may keep, and change at any later call
READS_ONLY = {"copy", "count", "index", "keys", "values", "items", "get"}   # of lists and dicts


def untrust(v):
    """``v``, where the lists and dicts in it may have been changed in place."""
    if isinstance(v, Sequence) and (v.type is list or v.elements is None):
        return Sequence(v.type)
    if isinstance(v, Sequence):
        return Sequence(v.type, tuple(map(untrust, v.elements)))
    return Dict() if isinstance(v, Dict) else v


def holds_containers(v):
    """May ``v`` be or hold a list, a dict or an object that does?"""
    if isinstance(v, Sequence):
        return v.type is list or v.elements is None or any(map(holds_containers, v.elements))
    if isinstance(v, Array):
        return v.dtype is None or v.dtype.kind in "OV"
    return isinstance(v, (Dict, Opaque))


def _changes_first_argument(func):
    """srcad.runtime's ``appended`` (``lst.append(v)``) and ``add_at`` (``np.add.at``) change
    their first argument in place."""
    return getattr(func, "__module__", "") == "srcad.runtime" and \
        getattr(func, "__name__", "") in ("appended", "add_at")


def _keeps_containers(func, env, node, pure):
    """Does this call leave the lists and dicts it can reach as they were? (A change through
    its receiver, ``lst.append(v)``, is _changed's business.)"""
    if isinstance(func, Method):
        recv = node.func.value
        return not isinstance(env.get(recv.id, NONE) if isinstance(recv, gast.Name) else
                              OPAQUE, Opaque)
    if func in (UNRESOLVED, LOCAL):
        return False
    module = getattr(func, "__module__", None) or ""
    if isinstance(func, np.ufunc) or isinstance(func, type) and issubclass(func, np.generic) or \
            module.split(".")[0] in ("numpy", "math") and not module.startswith("numpy.random"):
        return True
    try:
        return func in KEEPS_ARGUMENTS or module == "srcad.runtime" and \
            not _changes_first_argument(func) or bool(pure and pure(func))
    except TypeError:
        return False


def _changed(fn, env, scope, pure):
    """Names whose lists or dicts may change in place: directly, or through a name that may
    share one with them (the names of one statement may; what unknown calls see is shared)."""
    parent, changed = {}, []

    def find(x):
        while parent.get(x, x) != x:
            x = parent[x]
        return x

    for s in walk_stmts(fn.body):
        own = [s.target, s.iter] if isinstance(s, gast.For) else \
            [s.test] if isinstance(s, (gast.If, gast.While)) else [s]
        nodes = [n for part in own for n in walk(part)]
        held = {n.id for n in nodes if isinstance(n, gast.Name) and
                holds_containers(env.get(n.id, NONE))}
        calls = [(c, scope.resolve(c.func)) for c in nodes if isinstance(c, gast.Call)]
        if not all(_keeps_containers(f, env, c, pure) for c, f in calls):
            held.add(WORLD)
            changed.append(WORLD)
        for n in held:
            parent[find(n)] = find(min(held))
        target = s.targets[0] if isinstance(s, gast.Assign) else None
        if isinstance(target, gast.Subscript) or getattr(s, "in_place", False):
            changed.append(target.value.id if isinstance(target, gast.Subscript) else target.id)
        for c, f in calls:
            recv = c.func.value if isinstance(f, Method) and f.name not in READS_ONLY else \
                c.args[0] if c.args and _changes_first_argument(f) else None
            if isinstance(recv, gast.Name):
                changed.append(recv.id)
    roots = {find(n) for n in changed if n == WORLD or holds_containers(env.get(n, NONE))}
    return frozenset(n for n in env if find(n) in roots)


def infer_env(fn, arguments, scope, helper_values=None, pure=None):
    """name -> value for every name of ``fn``: see values.infer_values."""
    if any(isinstance(n, gast.Call) and isinstance(scope.resolve(n.func), Method) and
           n.func.attr == "resize" for n in walk(fn)):
        return {}       # x.resize(...) changes an array's shape in place
    untrusted = frozenset()
    while True:     # each pass trusts fewer names, so this ends
        env = _Inference(fn, arguments, scope, untrusted, helper_values).run()
        more = untrusted | _changed(fn, env, scope, pure)
        if more == untrusted:
            return env
        untrusted = more
