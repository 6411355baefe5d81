"""Which names an in-place change reaches, and the checks that keep srcad from reading them.

``x[i] = v``, ``x += e`` on an array and ``lst.append(v)`` change an object in place; srcad
follows the change through the changed name only (``views.py`` writes a change of a certain
view back to its array). Here: which names a change reaches (the objects each may be are
``memory``'s), the check that none of them is read after the change (an error, never a wrong
derivative), calls whose result is dropped (they act by side effect), and helpers that change
their arguments.
"""
import ast

import gast
import numpy as np

from . import rules
from . import runtime as rt
from .errors import UnsupportedSyntax, user_line
from .frontend import Method, is_tape_call, read_function
from .kinds import SCALAR, SEQ, UNKNOWN, array_kind, ndim_of
from .memory import (VIEW_FUNCS, VIEW_METHODS, VIEWS_IN_A_LIST, Helpers, Reaching, is_container,
                     memory_of, value_links)
from .statements import (atom_name, broadcast_kind, helper_result, is_setitem, kind_of_atom,
                         kind_of_expr, loaded_names, targets)
from .walk import walk

REDUCTIONS = {np.sum, np.mean, np.max, np.min, np.amax, np.amin, np.prod, np.var, np.std,
              np.average, np.nansum, np.nanmean, np.vdot, np.linalg.norm}
REDUCING_METHODS = {"sum", "mean", "max", "min", "prod", "var", "std"}
# where a derivative's helpers read an argument only for its shape (or its memory)
SHAPE_ONLY = {np.shape: (0,), np.ndim: (0,), rt.shape_of: (0,), rt.zeros_like: (0,),
              rt.unbroadcast: (1,), rt.unreduce: (1,), rt.broadcast_like: (1,),
              rt.zeros_filled: (1,), rt.require_view: (0, 1)}
MAYBE = "maybe"         # no known kind, got from an array or a list by a view (``Stale``)
PARTS = "parts of "     # np.split's list of arrays of a known rank: "parts of array2"


def changes_in_place(stmts, ops):
    return any(ops[id(s)].kind in ("setitem", "append") or getattr(s, "in_place", False)
               for s in stmts)


def sharing(stmts, ops, kinds):
    """name -> the names whose value a change of it in place may change, itself included: its
    aliases and views, and what holds it (a list holding it, at any depth), whichever of their
    definitions; only names with another."""
    if not changes_in_place(stmts, ops):
        return {}
    memory = memory_of(stmts, ops, kinds, Helpers())
    names = {n for s in stmts for n in targets(s)} | {
        a for s in stmts for _, a in value_links(s, ops[id(s)], kinds)}
    out = {}
    for n in names:
        reached = memory.reached([n], names)
        if len(reached) > 1:
            out[n] = frozenset(reached)
    return out


def check_mutations(fn, stmts, ops, kinds, parsed, arg_kinds=None):
    """``x[i] = v`` and ``lst.append(v)`` change an object in place, and srcad follows the
    change through ``x`` only. Another name the change reaches (a view, an alias, a list
    holding it) is *stale* after the change until it is bound again: reading it then is an
    error, never a wrong derivative. (The reverse sweep undoes every change in reverse order,
    so what it reads is always right.) ``arg_kinds``: the arguments' kinds at the call."""
    if any(ops[id(s)].kind in ("setitem", "append") or hasattr(s, "element_changed") or
           getattr(s, "in_place", False) and
           kinds.get(targets(s)[0]) not in (SCALAR, "array0") for s in stmts):
        Stale(fn, stmts, ops, kinds, parsed, arg_kinds).block(fn.body, None, [])


class Stale:
    """The walk of ``check_mutations``, with two facts at each point: ``stale`` (name ->
    (the name changed in place, its line)), and the kind of each name *here*: of the values
    that reach (a name's inferred kind joins all it is ever bound to), or MAYBE: of no known
    kind, and an alias, an item or a view of an array or a list (or a list of views, as
    ``np.split`` makes). ``x += e`` changes an array, a list or a MAYBE in place; a number,
    or a value of no known kind got otherwise (an arithmetic result, as srcad has always
    taken it), it binds again."""

    def __init__(self, fn, stmts, ops, kinds, parsed, arg_kinds):
        self.ops, self.kinds, self.parsed = ops, kinds, parsed
        self.reaching = Reaching(fn)
        self.memory = memory_of(stmts, ops, kinds, Helpers(), self.reaching)
        self.names = sorted(set(kinds) | {v.split("@")[0] for v in self.memory.points})
        self.local, self.results = {t for s in stmts for t in targets(s)}, {}
        self.statements, self.written = {id(s): s for s in stmts}, None
        given = arg_kinds if arg_kinds is not None else kinds
        self.entry = {a.id: given.get(a.id) if given.get(a.id) == SEQ or ndim_of(
            given.get(a.id) or UNKNOWN) is not None else UNKNOWN
            for a in fn.args.args + fn.args.kwonlyargs}

    def kind(self, here, n):
        """``n``'s kind here: None if it is not bound on any path here."""
        if n in here or n in self.local:
            return here.get(n)
        return self.kinds.get(n) or UNKNOWN

    def merge(self, *states):
        states = [s for s in states if s is not None]
        if not states:
            return None
        stale = {k: v for s in states for k, v in s[0].items()}
        names = {n for s in states for n in s[1]}
        here = {n: self.kind(states[0][1], n) for n in names}
        for s in states[1:]:
            here = {n: join_here(here[n], self.kind(s[1], n)) for n in names}
        return stale, here, set.intersection(*(s[2] for s in states))

    def block(self, body, state, loops):
        state = state or ({}, dict(self.entry), set())
        for s in body:
            if getattr(s, "reverse_sweep", False):
                state[0].clear()    # a derivative's reverse sweep reads each value as of its
                # forward point, after its restores (a derivative read again; see restored)
            if isinstance(s, gast.Assign):
                self.assign(s, *state)
            elif isinstance(s, gast.If):
                self.check(s.test, state[0], s.lineno)
                state = self.merge(self.block(s.body, copied(state), loops),
                                   self.block(s.orelse, copied(state), loops))
            elif isinstance(s, (gast.For, gast.While)):
                self.check(s.iter if isinstance(s, gast.For) else s.test, state[0], s.lineno)
                state = self.loop(s, state, loops)
            elif isinstance(s, (gast.Break, gast.Continue)) and loops:
                loops[-1][isinstance(s, gast.Continue)].append(state)
                return None
            else:
                for f in ("value", "test", "iter"):
                    if getattr(s, f, None) is not None:
                        self.check(getattr(s, f), state[0], s.lineno)
                        state[2].difference_update(loaded_names(getattr(s, f)))
            if state is None:
                return None     # (every path took a break or a continue)
        return state

    def loop(self, s, state, loops):
        """The facts at the head hold on entry and after every trip (states only grow, so
        the walk ends, and a stale read found on the way is one at the fixpoint too)."""
        head = state
        while True:
            jumps = ([], [])    # states at a break, at a continue
            end = self.block(s.body, copied(head), loops + [jumps])
            new = self.merge(head, end, *jumps[1])
            if set(new[0]) == set(head[0]) and new[1] == head[1] and new[2] == head[2]:
                return self.merge(head, *jumps[0])
            head = new

    def assign(self, s, stale, here, unshared):
        back = getattr(s, "write_back", False) and not is_setitem(s)   # x = stored_at(x, i, v)
        self.check(gast.Tuple(elts=s.value.args[1:], ctx=gast.Load()) if back else s.value,
                   stale, s.lineno)     # (a change written back: x's other elements stay)
        if is_setitem(s):
            self.check(s.targets[0].slice, stale, s.lineno)
            if not getattr(s, "write_back", False):
                self.check(s.targets[0].value, stale, s.lineno)   # x's other elements stay
        if hasattr(s, "writes_back"):   # views.py writes this change back through views,
            self.check(s.writes_back, stale, s.lineno)    # which must be current
        names, x = targets(s), targets(s)[0]
        for t in names:
            stale.pop(t, None)
        if getattr(s, "restore", False):    # a derivative's reverse sweep puts back what its
            self.restored(s, x, stale)      # forward sweep changed: x's aliases as they were
        op = self.ops[id(s)]
        own = op.kind == "append" and atom_name(op.operands[0]) == x
        unshared.difference_update(loaded_names(s.value) - ({x} if own else set()))
        if op.kind in ("setitem", "append") or getattr(s, "in_place", False) and (
                may_change(self.kind(here, x))):
            for n in self.reached(s, x, here) if x not in unshared else ():
                view = self.viewed_as(s, n) if (self.kind(here, n) or "").startswith(
                    "array") else None
                stale[n] = (x, s.lineno, view)
        changed, new = getattr(s, "element_changed", (None, None))   # lst[i] += v: on an
        if changed and not (self.kind(here, x) or "").startswith("array") and \
                may_change(self.kind(here, changed) or UNKNOWN):   # array item, Python changes
            shared = self.reached(s, changed, here) - {changed, new}   # the item itself, which
            if shared - {x} - self.parsed.scope.temps:      # other names (and x's items) hold
                for n in shared:
                    stale[n] = (f"an item of {x}", s.lineno, None)
        if not is_setitem(s) and not own:   # a new empty list: no other name holds it yet
            fresh = isinstance(s.value, gast.List) and not s.value.elts and len(names) == 1
            unshared.difference_update(names)
            unshared.update(names if fresh else ())
        if not is_setitem(s):
            merged = {**self.kinds, **here}
            for t in names:
                here[t] = self.bound_kind(s, op, t, merged)

    def restored(self, s, x, stale):
        """A restore of ``x``'s elements undoes the change of ``x`` on the same line of the
        user's (in a derivative read again): the names that change made stale hold again."""
        where = user_line(self.parsed.filename, s.lineno)
        for n, (changed, line, _) in list(stale.items()):
            if changed == x and user_line(self.parsed.filename, line) == where:
                del stale[n]

    def reached(self, s, x, here):
        """The other names whose value the change of ``x`` at ``s`` changes (a number here
        cannot change)."""
        values = {v: n for n in self.names if n != x and self.kind(here, n) not in (SCALAR, None)
                  for v in self.reaching.values(s, n)}
        return {values[v] for v in self.memory.reached(self.reaching.values(s, x), values)}

    def bound_kind(self, s, op, t, kinds):
        """The kind of the value ``s`` binds to ``t``: the inferred one when it is known, else
        from what its operands hold here (MAYBE: it may be an array or a list, or hold one)."""
        if self.kinds.get(t) not in (UNKNOWN, None) or len(targets(s)) > 1:
            return self.kinds.get(t) or UNKNOWN
        kind = None
        if op.kind == "rule" and op.key in VIEWS_IN_A_LIST:      # views of one rank
            first = kinds.get(atom_name(op.bound.get(op.rule.params[0][0])))
            kind = PARTS + first if ndim_of(first or UNKNOWN) else None
        elif op.kind == "rule":
            kind = reduced_kind(op, kinds)
            if kind is None and op.rule.elementwise:            # (scipy.special's too)
                kind = broadcast_kind([kind_of_atom(a, kinds) for a in op.bound.values()
                                       if isinstance(a, gast.AST)])
        elif op.kind == "subscript":
            kind = indexed_kind(s.value, kinds)
        elif op.kind == "helper":   # (its kinds are analysis's: no MAYBE, no PARTS)
            known = {n: k if is_container(k) or k in (SCALAR, "array0") else UNKNOWN
                     for n, k in kinds.items() if k}
            kind = helper_result(s.value, known, self.parsed.scope, 0, self.results)
        kind = kind if isinstance(kind, str) else kind_of_expr(s.value, kinds, self.parsed.scope)
        if kind in (UNKNOWN, None) and any(   # an alias, item or view of an array or a list,
                may_change(kinds.get(n)) for _, n in value_links(s, op, kinds)):  # or their list
            return MAYBE
        return kind or UNKNOWN

    def viewed_as(self, s, n):
        """The source of the expression the array ``n`` holds at ``s`` is bound to, as the
        user wrote it (``xs[1]``), when every definition reaching ``s`` writes the same one."""
        if self.written is None:        # line -> the user's ``name = e`` on it
            self.written = {}
            for a in walk(self.parsed.tree):
                if isinstance(a, gast.Assign) and len(a.targets) == 1 and \
                        isinstance(a.targets[0], gast.Name):
                    self.written.setdefault((a.lineno, a.targets[0].id), []).append(a.value)
        found = set()
        for d in self.reaching.before.get(id(s), {}).get(n, ()):
            bound = self.statements.get(d)
            written = self.written.get((bound.lineno, n), []) if bound is not None else []
            if len(written) != 1:
                return None
            text = ast.unparse(gast.gast_to_ast(written[0]))
            if not isinstance(written[0], (gast.Name, gast.Attribute, gast.Subscript, gast.Call)):
                text = f"({text})"
            found.add(text)
        return found.pop() if len(found) == 1 else None

    def check(self, node, stale, lineno):
        for n in sorted(self.value_reads(node) & set(stale)):
            x, line, view = stale[n]
            line = user_line(self.parsed.filename, line)[1]     # (of generated code: the user's)
            hint = f"make {x!r} a copy before changing it ({x} = {x}.copy()), so that " \
                   f"changing it in place changes nothing else"
            if x.startswith("an item of "):
                hint = ("+= on an item that is an array changes that array, which other names "
                        "hold too: write a new value (c[k] = c[k] + v) or store a copy")
            if view is not None:
                hint = f"make {n!r} a copy before changing {x!r} ({n} = {view}.copy()), or " \
                       + hint
            raise UnsupportedSyntax(
                f"cannot differentiate this use of {n!r}: it may share memory with {x!r}, "
                f"which was changed in place at line {line}", self.parsed.filename, lineno,
                hint)


    def value_reads(self, node):
        """The names ``node`` reads; in a derivative read again, not those it reads only for
        their shape (``np.shape(v)``, ``unbroadcast(g, v)``...): a store into an element of an
        array leaves its views' shapes as they were."""
        names = loaded_names(node)
        if not self.parsed.scope.generated:
            return names
        shape_only, other = set(), set()
        for n in walk(node):
            if not isinstance(n, gast.Call):
                continue
            places = SHAPE_ONLY.get(self.parsed.scope.resolve(n.func), ())
            for i, a in enumerate(n.args):
                if isinstance(a, gast.Name):
                    (shape_only if i in places else other).add(a.id)
            other.update(loaded_names(n.func))
            for k in n.keywords:
                other.update(loaded_names(k.value))
        if not isinstance(node, gast.Call):
            other.update(n.id for n in walk(node) if isinstance(n, gast.Name)
                         and isinstance(n.ctx, gast.Load) and n.id not in shape_only)
        return names - (shape_only - other)


def join_here(a, b):
    """Kinds joined where paths meet: MAYBE if either may be an array or a list and the other
    differs, except a value of no known kind (taken as before: see ``Stale``)."""
    if a is None or a == b or b == UNKNOWN and may_change(a):
        return b if a is None else a
    if b is None or a == UNKNOWN and may_change(b):
        return a if b is None else b
    return MAYBE if may_change(a) or may_change(b) else UNKNOWN


def may_change(kind):
    """An array, a list, a list of arrays, or a MAYBE: ``+=`` may change it in place."""
    return is_container(kind) or kind == MAYBE or (kind or "").startswith(PARTS)


def copied(state):
    return dict(state[0]), dict(state[1]), set(state[2])


def reduced_kind(op, kinds):
    """The kind of a reduction's result (``np.sum(a)``, ``a.max(axis=1)``, ``np.std(v, -1)``,
    ``np.linalg.norm(v, 1)``...) from its operand's rank, or None."""
    key = op.key[1] if isinstance(op.key, tuple) and op.key[0] == "method" else op.key
    if not (key in REDUCTIONS or key in REDUCING_METHODS):
        return None
    first = op.bound.get(op.rule.params[0][0]) if op.rule.params else None
    ndim, axis = ndim_of(kind_of_atom(first, kinds) or UNKNOWN), op.bound.get("axis")
    if given(op, "keepdims"):
        return array_kind(ndim) if ndim is not None else None
    if not given(op, "axis"):
        return SCALAR
    count = len(axis.elts) if isinstance(axis, gast.Tuple) else 1
    return array_kind(max(ndim - count, 0)) if ndim is not None else None


def indexed_kind(value, kinds):
    """``a[-1]``, ``a[0, 1:]``, ``a[i]`` (``i`` a number: an int, or a bool that copies) of an
    array of known rank, ``parts[2]`` of ``np.split``'s: a number or an array, or None."""
    base = kind_of_atom(value.value, kinds) or UNKNOWN
    parts = value.slice.elts if isinstance(value.slice, gast.Tuple) else [value.slice]
    if base.startswith(PARTS):
        return base[len(PARTS):] if len(parts) == 1 and is_int_constant(parts[0]) else None
    ndim = ndim_of(base)
    ints = sum(not isinstance(p, gast.Slice) for p in parts)
    if ndim is None or ints > ndim or not all(
            isinstance(p, gast.Slice) or is_int_constant(p) or
            isinstance(p, gast.Name) and kinds.get(p.id) == SCALAR for p in parts):
        return None
    return array_kind(ndim - ints)


def is_int_constant(p):
    if isinstance(p, gast.UnaryOp) and isinstance(p.op, gast.USub):
        p = p.operand
    return isinstance(p, gast.Constant) and type(p.value) is int


def given(op, param):
    return isinstance(op.bound.get(param), gast.AST)


def check_discarded_call(stmt, scope, varied, parsed):
    """A call whose result is dropped acts by side effect: on a differentiated value srcad
    cannot see what it changes, so only pure and printing functions are allowed."""
    call = stmt.value
    func = scope.resolve(call.func)
    args = call.args + [k.value for k in call.keywords]
    if isinstance(func, Method):
        args = args + [call.func.value]
    if not any(atom_name(a) in varied for a in args) or is_tape_call(call, scope, "append"):
        return
    writes = any(k.arg == "out" for k in call.keywords)     # np.sum(a, axis=0, out=y)
    if func is print or not writes and not isinstance(func, Method) and (
            rules.has_rule(func) or rules.is_nondiff(func)):
        return
    what = f".{func.name}()" if isinstance(func, Method) else getattr(func, "__name__", "a function")
    raise UnsupportedSyntax(
        f"cannot differentiate the call {what} whose result is discarded: it may change a "
        f"differentiated value in place", parsed.filename, stmt.lineno,
        "build a new value and assign it (x = f(x)) instead of mutating one")


def changes_argument(func, param, kind):
    """The line where the helper ``func`` may change its parameter ``param`` (an argument of
    ``kind``) in place, or None. srcad differentiates a helper on its own, so a change its
    caller would see (``param += e`` on an array or a list, ``param[i] = e``, the same through
    an alias, a view or the rows a loop over it yields) would be lost: a wrong derivative. A
    top-level rebinding of ``param`` to a new value ends the search (``param =
    param.copy()``), unless an alias of the argument remains."""
    ndim = ndim_of(kind)
    mutable = kind == SEQ or ndim is not None and kind != SCALAR    # += on a number rebinds
    # it; on an array, even a 0-d one (np.tensordot's full contraction), it changes it
    rows_are_views = ndim is None or ndim >= 2  # a loop over a vector yields scalars
    parsed = read_function(func)
    if parsed.scope.generated:      # srcad's own output: its ``d[i] += g`` are pure updates
        return None
    scope, names = parsed.scope, {param}

    def base(t):
        while isinstance(t, (gast.Subscript, gast.Attribute)):
            t = t.value
        return t.id if isinstance(t, gast.Name) else None

    def shares(value):
        if isinstance(value, gast.IfExp):
            return shares(value.body) or shares(value.orelse)
        if isinstance(value, (gast.Name, gast.Subscript, gast.Attribute)):
            return base(value) in names
        if isinstance(value, gast.Call):
            func_ = scope.resolve(value.func)
            if isinstance(func_, Method):
                return func_.name in VIEW_METHODS and base(value.func.value) in names
            return func_ in VIEW_FUNCS and bool(value.args) and shares(value.args[0])
        return False

    for stmt in parsed.tree.body:
        for node in walk(stmt):
            if isinstance(node, gast.AugAssign) and base(node.target) in names and (
                    mutable or isinstance(node.target, gast.Subscript)):
                return node.lineno
            if isinstance(node, gast.Call) and node.args and base(node.args[0]) in names and \
                    is_ufunc_at(scope.resolve(node.func)):
                return node.lineno          # np.add.at(param, i, v)
            if isinstance(node, gast.Assign):
                for t in node.targets:
                    if isinstance(t, gast.Subscript) and base(t) in names:
                        return node.lineno
                    if isinstance(t, gast.Name) and node is not stmt and shares(node.value):
                        names.add(t.id)
            if isinstance(node, gast.For) and rows_are_views and shares(node.iter):
                names |= {n.id for n in walk(node.target) if isinstance(n, gast.Name)}
        if isinstance(stmt, gast.Assign) and len(stmt.targets) == 1 and \
                isinstance(stmt.targets[0], gast.Name):
            target = stmt.targets[0].id
            if shares(stmt.value):
                names.add(target)
            elif target in names:
                names.discard(target)
                if not names:
                    return None
    return None


def is_ufunc_at(func):
    """``np.add.at`` and the like: they change their first argument in place."""
    return isinstance(getattr(func, "__self__", None), np.ufunc) and \
        getattr(func, "__name__", "") == "at"
