"""Where each value's memory comes from: the objects a name may be at each of its definitions.

Fresh memory: arithmetic, ufuncs and every rule that is not a view make a new array
(``np.copy(p)``, ``p.copy()`` and ``np.array(p)`` too; ``np.asarray(p)`` is ``p``). A list
literal, an ``append`` or a tuple *holds* its items without being them: changing the list in
place changes no item; changing an item changes what holds it, and its aliases and views,
nothing else. A user helper's result relates to its arguments as its body relates them
(``Helpers``: ``np.tanh(W @ h)`` returned is fresh, ``a.T`` is ``a``, ``params["W"]`` an
item). A name bound again is a new value (``Reaching``): what its old value shared stays with
the old value. ``aliasing`` asks which names a change in place reaches.
"""
import builtins
import math

import gast
import numpy as np

from . import runtime as _rt
from .frontend import read_function
from .kinds import SCALAR, SEQ, UNKNOWN, ndim_of
from .normalize import normalize
from .statements import (assignments, atom_name, bind_arguments, concat_op, describe, infer_kinds,
                         is_setitem, kind_of_atom, repeat_op, setitem_op, tape_op, tape_pushes,
                         targets)
from .walk import walk


VIEW_FUNCS = {np.reshape, np.transpose, np.ravel, np.squeeze, np.expand_dims, np.swapaxes,
              np.moveaxis, np.broadcast_to, np.diagonal, np.flip, np.fliplr, np.flipud, np.asarray,
              np.atleast_1d, np.atleast_2d, np.atleast_3d, np.asanyarray, np.real,
              np.diag}      # of a matrix: its diagonal, as np.diagonal
VIEWS_IN_A_LIST = {np.split, np.array_split, np.hsplit, np.vsplit, np.dsplit}
VIEW_METHODS = {"reshape", "transpose", "ravel", "squeeze", "swapaxes", "diagonal", "view", "T"}
RETURNS_AN_ARGUMENT = {builtins.min, builtins.max}     # one of the arguments itself
YIELDS_ITEMS = {zip, enumerate, reversed, iter, filter, map, sorted, list, tuple}
FRESH_MODULES = ("numpy", "scipy", "math", "builtins", "operator")
RUNTIME = {n: f for n, f in vars(_rt).items() if callable(f) and not n.startswith("_")
           and getattr(f, "__module__", None) == _rt.__name__} | {"np": np, "math": math}
FRESH_RUNTIME = {_rt.zeros_like, _rt.shape_of, _rt.keys_of}   # new values, holding no argument
ITEMS = "<items>"       # the items of an object on entry (whose objects are not known)
ENTRY = "entry"         # the definition of an argument's (or a global's) value on entry
MAX_DEPTH = 4           # helpers of helpers read; deeper calls relate to anything
# how an item of a value relates to a name the value relates to (``a, b = v``)
UNPACKED = {"same": "item", "items": "item", "holds": "same", "item": "any", "any": "any"}


class Memory:
    """Which abstract objects each value may be (inclusion-based points-to sets, Andersen's
    analysis without fields): a value is a name at one of its definitions (``x@12``), or a name
    for all of them (``sharing``). An object is made by a statement (a fresh value) or is an
    argument's or a global's value on entry, with what it holds (``ITEMS``: its items; the
    items of those, at any depth, the second). ``held[o]``: the objects ``o`` may hold."""

    def __init__(self):
        self.points, self.held, self.rules = {}, {}, []

    def objects(self, value):
        return self.points.setdefault(value, set())

    def make(self, value, made, entry=False):
        """``value`` may be the object ``made``; on ``entry``, one holding unknown items."""
        self.objects(value).add(made)
        if entry:
            items, deeper = made + ITEMS, made + ITEMS + ITEMS
            self.held.setdefault(made, set()).add(items)
            self.held.setdefault(items, set()).add(deeper)
            self.held.setdefault(deeper, set()).add(deeper)

    def link(self, relation, target, value):
        """``target`` is ``value``'s object (same), one of its items (item), holds it
        (holds), holds its items (items), or may be any of these (any)."""
        self.rules.append((relation, target, value))

    def within(self, objects):
        """``objects`` and what they hold, at any depth."""
        seen, todo = set(objects), list(objects)
        while todo:
            for o in self.held.get(todo.pop(), ()):
                if o not in seen:
                    seen.add(o)
                    todo.append(o)
        return seen

    def solve(self):
        changed = True
        while changed:
            changed = False
            for relation, target, value in self.rules:
                source, into = self.objects(value), self.objects(target)
                if relation in ("item", "items"):
                    source = set().union(*(self.held.get(o, ()) for o in source))
                elif relation == "any":
                    source = self.within(source)
                if relation in ("same", "item", "any") and not source <= into:
                    into |= source
                    changed = True
                for o in into if relation in ("holds", "items", "any") else ():
                    held = self.held.setdefault(o, set())
                    if not source <= held:
                        held |= source
                        changed = True
        return self

    def reached(self, changed, values):
        """Those of ``values`` that a change in place of ``changed``'s objects changes: the
        values that may be one of them (aliases, views) or hold one, at any depth."""
        hit = set().union(*(self.objects(c) for c in changed))
        return {v for v in values if hit & self.within(self.objects(v))}

    def relation(self, result, entry):
        """How ``result`` relates to the argument whose value on entry is ``entry`` (a
        ``link`` relation), or None: unrelated."""
        mine = {entry: "same", entry + ITEMS: "item", entry + ITEMS + ITEMS: "any"}
        points = self.objects(result)
        found = {mine[o] for o in points if o in mine}
        made = points - set(mine)
        held = set().union(*(self.held.get(o, ()) for o in made))
        found |= {{"same": "holds", "item": "items"}.get(mine[o], "any") for o in held if o in mine}
        if set(mine) & self.within(held - set(mine)):
            found.add("any")
        return found.pop() if len(found) == 1 else "any" if found else None


def join(*states):
    states = [s for s in states if s is not None]
    if not states:
        return None
    out = dict(states[0])
    for state in states[1:]:
        for n, defs in state.items():
            out[n] = out[n] | defs if n in out else defs
    return out


class Reaching:
    """The definitions of each name that may reach each statement: ``before[id(s)]`` maps a
    name to the ``id`` of its binding statements (ENTRY: its value on entry). Branches join;
    a loop iterates to a fixpoint; ``break`` and ``continue`` go where Python sends them."""

    def __init__(self, fn):
        self.before = {}
        params = [a.id for a in fn.args.args + fn.args.kwonlyargs]
        self.block(fn.body, {p: frozenset([ENTRY]) for p in params}, [])

    def block(self, body, state, loops):
        for s in body:
            if state is None:
                return None     # (after a break or a continue)
            if isinstance(s, (gast.Assign, gast.Return)):
                self.before[id(s)] = state
                if isinstance(s, gast.Assign) and not is_setitem(s):
                    state = {**state, **{t: frozenset([id(s)]) for t in targets(s)}}
            elif isinstance(s, gast.If):
                state = join(self.block(s.body, state, loops), self.block(s.orelse, state, loops))
            elif isinstance(s, (gast.For, gast.While)):
                state = self.loop(s, state, loops)
            elif isinstance(s, (gast.Break, gast.Continue)) and loops:
                loops[-1][isinstance(s, gast.Continue)].append(state)
                return None
        return state

    def loop(self, s, state, loops):
        bound = {n.id: frozenset([id(s)]) for n in walk(s.target) if isinstance(n, gast.Name)} \
            if isinstance(s, gast.For) else {}
        head = state
        while True:
            jumps = ([], [])        # states at a break, at a continue
            end = self.block(s.body, {**head, **bound}, loops + [jumps])
            new = join(state, end, *jumps[1])
            if new == head:
                return join(head, *jumps[0])
            head = new

    def values(self, stmt, name):
        """The values of ``name`` that reach ``stmt``."""
        defs = self.before.get(id(stmt), {}).get(name, (ENTRY,))
        return [f"{name}@{d}" for d in sorted(defs, key=str)]


def memory_of(stmts, ops, kinds, helpers=None, reaching=None):
    """The ``Memory`` of what ``stmts`` bind: of each definition with ``reaching``, of each
    name (all its definitions as one) without. ``helpers`` reads user helpers; without it, a
    helper's result may be anything its arguments are or hold."""
    memory = Memory()

    def values(s, n):
        found = reaching.values(s, n) if reaching else [n]
        for v in found:         # an argument's or a global's value on entry
            if v not in memory.points and (not reaching or v.endswith("@" + ENTRY)):
                memory.make(v, v.split("@")[0] + "@" + ENTRY, entry=True)
        return found

    for s in stmts:
        for t, links in zip(targets(s), target_links(s, ops[id(s)], kinds, helpers)):
            fresh = not is_setitem(s) and not any(r in ("same", "any") for r, _ in links)
            if kinds.get(t) == SCALAR:          # (a number is immutable)
                continue
            for target in values(s, t) if is_setitem(s) or not reaching else [f"{t}@{id(s)}"]:
                if fresh:
                    memory.make(target, f"{t}@{id(s)}")
                for relation, a in links:
                    for value in values(s, a) if kinds.get(a) != SCALAR else ():
                        memory.link(relation, target, value)
    return memory.solve()


def target_links(s, op, kinds, helpers):
    """For each name ``s`` binds (or changes), how its new value relates to names' objects."""
    names = targets(s)
    if len(names) > 1 and op.kind == "helper" and helpers:
        items = helpers.links(s, op, kinds, len(names))
        if items is not None:                   # a, b = h(...), item by item
            return [[(r, a.id) for r, a in part if isinstance(a, gast.Name)] for part in items]
    links = value_links(s, op, kinds, helpers)
    if getattr(s, "in_place", False) and not is_setitem(s):    # ``x += e``: the same x
        links.append(("same", names[0]))
    if len(names) > 1:                          # a, b = v: each is an item of v
        links = [(UNPACKED[r], a) for r, a in links]
    return [links] * len(names)


def value_links(stmt, op, kinds, helpers=None):
    """``(relation, name)`` pairs: how the value ``stmt`` binds relates to names' objects."""
    kind, operands = op.kind, [a.value if isinstance(a, gast.Starred) else a
                               for a in op.operands]
    if kind in ("copy", "restore"):
        pairs = [("same", a) for a in operands]
    elif kind == "boolop":                  # ``a or b`` is one of them
        pairs = [("same", a) for a in stmt.value.values]
    elif kind in ("unknown", "badcall"):
        pairs = [("any", a) for a in operands]
    elif kind == "helper":
        pairs = helpers.links(stmt, op, kinds) if helpers else [("any", a) for a in operands]
    elif kind == "subscript":
        pairs = subscript_links(stmt, kinds)
    elif kind == "rule":
        pairs = rule_links(op, kinds)
    elif kind == "nondiff":
        pairs = nondiff_links(stmt, op)
    elif kind in ("pack", "append"):        # a list holds its items; append returns the list
        pairs = [("holds", a) for a in operands[kind == "append":]] + \
            [("same", a) for a in operands[:kind == "append"]]
    elif kind == "setitem":                 # (an array stores a copy of the value)
        pairs = [("holds", operands[1])] if kinds.get(targets(stmt)[0]) in (SEQ, UNKNOWN) else []
    elif isinstance(stmt.value, gast.Dict):
        pairs = [("holds", v) for v in stmt.value.values]
    else:
        pairs = []
    return [(r, a.id) for r, a in pairs if isinstance(a, gast.Name)]


def subscript_links(stmt, kinds):
    """``t = s[i]``: a number; a copy (an index array or a list selects one); an item of a
    list or a dict (``s[1:]`` of a list: a new list of its items); a view of an array."""
    value = stmt.value
    index = value.slice
    parts = index.elts if isinstance(index, gast.Tuple) else [index]
    if kinds.get(targets(stmt)[0]) == SCALAR or any(
            is_container(kind_of_atom(p, kinds)) for p in parts):
        return []
    base = kinds.get(atom_name(value.value))
    if base == SEQ or isinstance(index, gast.Constant) and isinstance(index.value, str):
        return [("items" if isinstance(index, gast.Slice) else "item", value.value)]
    return [("same" if ndim_of(base or UNKNOWN) else "any", value.value)]


def rule_links(op, kinds):
    """A rule's result is fresh memory unless the rule views (or returns) its first argument,
    or makes a list of views or of what its arguments hold (``a + b``, ``a * n`` of lists)."""
    key, first = op.key, op.bound.get(op.rule.params[0][0]) if op.rule.params else None
    if not isinstance(first, gast.AST):
        return []
    if key in (_rt.concat, _rt.repeat):
        return [("items", op.bound[p]) for p in ("a", "b") if isinstance(op.bound.get(p), gast.AST)]
    if key in VIEWS_IN_A_LIST:
        return [("holds", first)]
    if key in (np.array, np.asarray, np.asanyarray):    # of a list: a new array
        default = "True" if key is np.array else "None"
        if kind_of_atom(first, kinds) == SEQ or copies(op.bound.get("copy", default)):
            return []
        return [("same", first)]
    if key in VIEW_FUNCS or key is _rt.added_at or isinstance(key, tuple) and \
            key[1] in VIEW_METHODS:     # (added_at(a, i, g): np.add.at's a, changed)
        return [("same", first)]
    if key in RETURNS_AN_ARGUMENT:
        return [("same", a) for a in op.operands]
    return []


def copies(flag):
    """Whether ``np.array``'s or ``np.asarray``'s ``copy`` argument surely makes a copy."""
    if isinstance(flag, gast.Constant):
        return flag.value is True
    return flag == "True"       # a default (source text); a variable may be False


def nondiff_links(stmt, op):
    """Results without a derivative are fresh (indices, flags, shapes, comparisons), except
    iterators over their arguments (``zip``, ``enumerate``...) and functions users register
    (``srcad.constant(x)`` is ``x``)."""
    key, call = op.key, stmt.value
    if key in FRESH_RUNTIME:
        return []
    if key is None or isinstance(key, (str, tuple)) or not isinstance(call, gast.Call) or \
            key not in YIELDS_ITEMS and (isinstance(key, np.ufunc) or (getattr(
                key, "__module__", None) or "").split(".")[0] in FRESH_MODULES):
        return []
    args = [a.value if isinstance(a, gast.Starred) else a for a in call.args]
    return [("any", a) for a in args + [k.value for k in call.keywords]]


def is_container(kind):
    """An array of rank 1 or more, or a list: ``+=`` changes it in place, and as an index it
    selects a copy."""
    return kind == SEQ or (ndim_of(kind or UNKNOWN) or 0) > 0


class Helpers:
    """How a user helper's result relates to its parameters, read from its body (``Memory``
    over its core language, specialised on the call's argument kinds): as a whole, and item by
    item when every path returns a tuple literal (``return a + b.var(), b``: the first item is
    fresh, the second is ``b``). Cached per (code, kinds) for one analysis; unreadable,
    recursive or too deep: related to anything."""

    def __init__(self, depth=0, cache=None):
        self.depth, self.cache = depth, {} if cache is None else cache

    def links(self, stmt, op, kinds, items=None):
        """``(relation, name)`` pairs of the result; with ``items``, a list of them for each
        of that many items, or None when the helper does not say."""
        fail = [("any", a) for a in op.operands] if items is None else None
        try:
            arguments, loose = bind_arguments(op.func, stmt.value)
        except TypeError:
            return fail
        arguments = {p: a for p, a in arguments.items() if isinstance(a, gast.AST)}
        summary = self.summary(op.func, {p: kind_of_atom(a, kinds) or UNKNOWN
                                         for p, a in arguments.items()})
        if summary is None or items is not None and len(summary[1] or ()) != items:
            return fail
        loose = [("any", a) for atoms in loose.values() for a in atoms]

        def pairs(part):
            return [(part[p], a) for p, a in arguments.items() if p in part] + loose
        return pairs(summary[0]) if items is None else [pairs(part) for part in summary[1]]

    def summary(self, func, arg_kinds):
        """(parameter -> how the result relates to it, absent when fresh; the same for each
        item, or None), or None: unknown."""
        key = (func.__code__, tuple(sorted(arg_kinds.items())))
        if key not in self.cache:
            self.cache[key] = None      # (a recursive call, while it is read: anything)
            if self.depth < MAX_DEPTH:
                self.cache[key] = self.read(func, arg_kinds)
        return self.cache[key]

    def read(self, func, arg_kinds):
        try:
            parsed, core, kinds = read_helper(func, arg_kinds)
        except Exception:       # (what srcad cannot read, it reports when it derives the helper)
            return None
        stmts, exit_ = list(assignments(core.body)), core.body[-1]
        reaching = Reaching(core)
        memory = memory_of(stmts, statement_ops(core, stmts, kinds, parsed.scope), kinds,
                           Helpers(self.depth + 1, self.cache), reaching)
        result = atom_name(exit_.value)
        if result is None or kinds.get(result) == SCALAR:
            return {}, None
        params = [a.id for a in core.args.args + core.args.kwonlyargs if kinds.get(a.id) != SCALAR]

        def relations(values):
            found = {p: {memory.relation(v, f"{p}@{ENTRY}") for v in values} - {None}
                     for p in params}
            return {p: r.pop() if len(r) == 1 else "any" for p, r in found.items() if r}
        returned = {id(s): s for s in stmts}
        packs = [returned.get(d) for d in reaching.before.get(id(exit_), {}).get(result, ())]
        items = None
        if packs and all(s is not None and isinstance(s.value, gast.Tuple) and
                         len(s.value.elts) == len(packs[0].value.elts) for s in packs):
            items = [relations([v for s in packs for n in [atom_name(s.value.elts[k])]
                                if n and kinds.get(n) != SCALAR for v in reaching.values(s, n)])
                     for k in range(len(packs[0].value.elts))]
        return relations(reaching.values(exit_, result)), items


def read_helper(func, arg_kinds):
    """A helper's core language and kinds, for the analysis only (never emitted: srcad's
    runtime helpers go by names of their own)."""
    parsed = read_function(func)
    parsed.scope.runtime = {"_srcad_" + n: f for n, f in RUNTIME.items()}
    core = normalize(parsed, kinds=arg_kinds)
    return parsed, core, infer_kinds(core, arg_kinds, parsed.scope)


def statement_ops(fn, stmts, kinds, scope):
    """What each core statement computes, as ``analysis.analyze`` describes it."""
    pushed = tape_pushes(fn, scope)
    return {id(s): tape_op(s, scope, pushed) or setitem_op(s) or concat_op(s.value, kinds)
            or repeat_op(s.value, kinds, scope.generated) or describe(s.value, scope)
            for s in stmts}
