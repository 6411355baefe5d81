"""Loop-invariant temporaries computed once: ``0.5 * dt`` written in a loop body is hoisted
before the loop, and a temporary that repeats an earlier one in the same block (``0.5 * dt``
written four times in an RK4 step) becomes that one.

Only the normalizer's own temporaries move (a user's variable stays where it was written), only
when bound once in the whole function, and only for arithmetic on names and numbers that cannot
raise where the loop would not have run: ``+``, ``-``, ``*``, unary ``-``, and ``/`` by a
nonzero number. The derivative sweeps then see one statement where the primal had many.

Arithmetic on an array reads its memory, which a change in place through another name (a view
``v = xs[1]`` when ``xs[1] = e`` or ``xs *= e`` runs, an alias, a helper) may change without
binding any operand again: ``v * x`` after it is not ``v * x`` before it. So a temporary whose
operands are not surely numbers is neither shared across such a change nor hoisted out of a
loop that makes one (``changes_memory``); the normalizer cannot tell which names share memory.
"""
import numbers
import re

import gast

from .walk import fingerprint, walk, walk_stmts

SAFE_OPS = (gast.Add, gast.Sub, gast.Mult)
READING_METHODS = {"reshape", "copy", "sum", "mean", "max", "min", "prod", "std", "var",
                   "transpose", "ravel", "flatten", "astype", "dot", "squeeze", "swapaxes",
                   "diagonal", "conj", "conjugate", "item", "tolist", "all", "any", "argmax",
                   "argmin", "cumsum", "cumprod", "clip", "round", "trace", "nonzero", "take",
                   "repeat", "view", "get", "keys", "values", "items", "index", "count"}


def share_invariants(body, temps, params, local, namer, kinds=None):
    """``body`` (core language) with invariant temporaries hoisted and repeats shared.
    ``kinds``: the parameters' kinds at the call, if known (a number's memory never changes)."""
    once = bound_once(body, params)
    movable = {t for t in temps if t in once}
    numbers = surely_numbers(body, params, kinds or {})
    body = Hoist(movable, set(params), local, numbers).block(body)
    renames = {}
    share_repeats(body, movable, renames, numbers, local)
    if renames:
        names = [n for n in walk(gast.Module(body=body, type_ignores=[])) if isinstance(n, gast.Name)]
        retitle(names, renames, temps, namer)
        for n in names:
            n.id = renames.get(n.id, n.id)
    return body


def retitle(names, renames, temps, namer):
    """A temporary named after a dropped one (``dt_over_2_2_times_k`` after ``dt_over_2_2``)
    is named after the one that replaced it instead (``dt_over_2_times_k``; adds the new names
    to ``renames``)."""
    patterns = [(re.compile(rf"(?<![A-Za-z0-9]){re.escape(old)}(?![A-Za-z0-9])"), new)
                for old, new in renames.items()]
    for n in names:
        if n.id in temps and n.id not in renames:
            base = n.id
            for pattern, new in patterns:
                base = pattern.sub(new, base)
            renames[n.id] = n.id if base == n.id else namer.fresh(base)


def bound_once(body, params):
    """Names bound by exactly one statement, a plain ``name = e``, and not a parameter."""
    count, plain = {}, set()
    for s in walk_stmts(body):
        for n in walk(s) if not hasattr(s, "body") else header_nodes(s):
            if isinstance(n, gast.Name) and not isinstance(n.ctx, gast.Load):
                count[n.id] = count.get(n.id, 0) + 1
        if isinstance(s, gast.Assign) and len(s.targets) == 1 and isinstance(s.targets[0], gast.Name):
            plain.add(s.targets[0].id)
    return {n for n, c in count.items() if c == 1 and n in plain and n not in params}


def header_nodes(s):
    """The nodes of a compound statement outside its blocks (a loop's target and iterable)."""
    parts = [getattr(s, f) for f in ("target", "iter", "test") if getattr(s, f, None) is not None]
    return [n for p in parts for n in walk(p)]


def pure_value(value):
    """Arithmetic on atoms that cannot raise for numbers (division only by a nonzero number)."""
    def atom(a):
        return isinstance(a, gast.Name) or number(a)
    if isinstance(value, gast.UnaryOp):
        return isinstance(value.op, gast.USub) and atom(value.operand)
    if not isinstance(value, gast.BinOp) or not (atom(value.left) and atom(value.right)):
        return False
    if isinstance(value.op, SAFE_OPS):
        return True
    return isinstance(value.op, gast.Div) and number(value.right) and value.right.value != 0


def number(node):
    return isinstance(node, gast.Constant) and isinstance(node.value, numbers.Number) and \
        not isinstance(node.value, bool)


def surely_numbers(body, params, kinds):
    """Names whose every value is a number (immutable: no change in place reaches it): scalar
    parameters, a loop's index (the core language loops over ranges), and names bound only to
    number constants or to arithmetic on numbers."""
    bindings = {}
    for s in walk_stmts(body):
        if isinstance(s, gast.For):
            for n in walk(s.target):
                if isinstance(n, gast.Name):
                    bindings.setdefault(n.id, []).append(None)      # an integer
        elif isinstance(s, gast.Assign):
            for t in s.targets:
                for n in walk(t):
                    if isinstance(n, gast.Name) and not isinstance(n.ctx, gast.Load):
                        plain = isinstance(t, gast.Name) and len(s.targets) == 1
                        bindings.setdefault(n.id, []).append(s.value if plain else False)
        elif not hasattr(s, "body"):
            for n in walk(s):
                if isinstance(n, gast.Name) and not isinstance(n.ctx, gast.Load):
                    bindings.setdefault(n.id, []).append(False)
    scalar = {p for p in params if kinds.get(p) == "scalar"}
    found = (set(bindings) - set(params)) | scalar
    changed = True
    while changed:          # the greatest set closed under its bindings
        changed = False
        for n in sorted(found):     # (a scalar parameter bound again to an array is none)
            if not all(b is None or b is not False and numeric(b, found)
                       for b in bindings.get(n, ())):
                found.discard(n)
                changed = True
    return found


def numeric(value, numbers):
    """Arithmetic on number constants and ``numbers`` (a number, whatever it raises)."""
    if number(value):
        return True
    if isinstance(value, gast.Name):
        return value.id in numbers
    if isinstance(value, gast.UnaryOp):
        return isinstance(value.op, (gast.USub, gast.UAdd)) and numeric(value.operand, numbers)
    if isinstance(value, gast.BinOp):
        return numeric(value.left, numbers) and numeric(value.right, numbers)
    return False


def changes_memory(stmts, numbers, local):
    """Whether ``stmts`` may change an object in place (through whatever name): a store into
    an item or an attribute, ``a += e`` on what may be an array, a call whose result is
    dropped (``np.add.at(a, i, g)``, ``lst.append(v)``), a call with ``out=``, or a method of a
    local object that may change it (``lst.pop()``)."""
    for s in stmts:
        for n in walk(s):
            if isinstance(n, (gast.Subscript, gast.Attribute)) and isinstance(n.ctx, gast.Store):
                return True
            if isinstance(n, gast.Assign) and getattr(n, "in_place", False) and any(
                    not (isinstance(t, gast.Name) and t.id in numbers) for t in n.targets):
                return True
            if isinstance(n, gast.Expr) and isinstance(n.value, gast.Call):
                return True
            if isinstance(n, gast.Call) and (
                    any(k.arg == "out" for k in n.keywords) or
                    isinstance(n.func, gast.Attribute) and isinstance(n.func.value, gast.Name)
                    and n.func.value.id in local and n.func.attr not in READING_METHODS):
                return True
    return False


def names_in(value):
    return {n.id for n in walk(value) if isinstance(n, gast.Name)}


def changed_in(stmts):
    out = set()
    for s in stmts:
        for n in walk(s):
            if isinstance(n, gast.Name) and not isinstance(n.ctx, gast.Load):
                out.add(n.id)
            elif isinstance(n, gast.Subscript) and not isinstance(n.ctx, gast.Load) and \
                    isinstance(n.value, gast.Name):
                out.add(n.value.id)
            elif isinstance(n, gast.Call) and isinstance(n.func, gast.Attribute) and \
                    isinstance(n.func.value, gast.Name):
                out.add(n.func.value.id)   # a method may change its object in place
    return out


class Hoist:
    """Move invariant temporaries out of loops, innermost first, while their operands are
    bound before the loop (parameters never rebound, globals, or names bound earlier in an
    enclosing block)."""

    def __init__(self, movable, params, local, numbers=frozenset()):
        self.movable, self.local, self.numbers = movable, local, numbers
        self.ready = set(params)

    def block(self, stmts):
        out = []
        for s in stmts:
            if isinstance(s, (gast.For, gast.While)) and not s.orelse:
                out.extend(self.loop(s))
            else:
                for field in ("body", "orelse"):
                    if getattr(s, field, None):
                        saved = set(self.ready)
                        setattr(s, field, self.block(getattr(s, field)))
                        self.ready = saved
                out.append(s)
            if isinstance(s, gast.Assign) and all(isinstance(t, gast.Name) for t in s.targets):
                self.ready |= {t.id for t in s.targets}
        return out

    def loop(self, loop):
        saved = set(self.ready)
        if isinstance(loop, gast.For):      # the body runs with the loop's target bound
            self.ready |= {n.id for n in walk(loop.target) if isinstance(n, gast.Name)}
        loop.body = self.block(loop.body)
        self.ready = saved
        changed = changed_in([loop])
        if changes_memory([loop], self.numbers, self.local):    # (an array operand may change)
            changed |= {n for s in loop.body if isinstance(s, gast.Assign)
                        for n in names_in(s.value)} - self.numbers
        hoisted, kept = [], []
        for s in loop.body:
            if self.invariant(s, changed):
                hoisted.append(s)
                self.ready.add(s.targets[0].id)
                changed.discard(s.targets[0].id)
            else:
                kept.append(s)
        if not kept:
            return [loop]          # nothing left to run in the loop: leave it as written
        loop.body = kept
        return hoisted + [loop]

    def invariant(self, s, changed):
        if not (isinstance(s, gast.Assign) and len(s.targets) == 1 and
                isinstance(s.targets[0], gast.Name) and s.targets[0].id in self.movable and
                pure_value(s.value)):
            return False
        operands = names_in(s.value)
        return not operands & changed and all(
            n in self.ready or n not in self.local for n in operands)


def share_repeats(stmts, movable, renames, numbers=frozenset(), local=frozenset()):
    """In each block, a movable ``t2 = e`` after ``t1 = e`` (operands unchanged between, and
    no change in place between unless they are numbers) is dropped and ``t2`` read as ``t1``."""
    seen = {}   # fingerprint of a value -> (the temporary holding it, the value's operands)
    out = []
    for s in stmts:
        if isinstance(s, gast.Assign) and len(s.targets) == 1 and isinstance(s.targets[0], gast.Name) \
                and s.targets[0].id in movable and pure_value(s.value):
            key = fingerprint(s.value)
            if key in seen:
                renames[s.targets[0].id] = seen[key][0]
                continue
            seen[key] = (s.targets[0].id, names_in(s.value))
        else:
            for field in ("body", "orelse"):
                if getattr(s, field, None):
                    share_repeats(getattr(s, field), movable, renames, numbers, local)
            changed = changed_in([s])
            if changes_memory([s], numbers, local):
                seen = {k: v for k, v in seen.items() if v[1] <= numbers}
            seen = {k: v for k, v in seen.items() if not v[1] & changed}
        out.append(s)
    stmts[:] = out
    return stmts
