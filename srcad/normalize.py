"""Lower a parsed function to srcad's small core language.

The core language, which every later stage relies on:

* ``name = e`` where ``e`` is one operation on *atoms* (a Name, a constant, a global reference
  such as ``np.pi``, or a tuple of constants): BinOp, UnaryOp, Call, Attribute, Subscript,
  Compare, a Tuple/List pack, or an atom (a copy). Temporaries are named after what they hold.
* ``a, b = atom`` or ``a, b = call(...)``: explicit unpacking into plain names.
* ``if test:`` / ``while test:`` whose test carries no derivative (calls in it are hoisted).
* ``for i in R`` where R is a range: ``range(...)``, a slice of one (``reversed(r)`` becomes
  ``r[::-1]``), or a name bound only to ranges; other iterables become index loops (``v = X[i]``,
  or ``k = d_keys[i]`` for a dict: see iteration.py).
* ``*args``/``**kw`` parameters are plain ones holding a tuple and a dict; a call may end with
  ``*t``/``**d`` only where that fills the callee's own ``*param``/``**param`` (variadic.py).
* In srcad's own output being differentiated again: ``t = stack.pop()`` and
  ``t = t + stack.pop()`` on its stacks stay whole, and ``d[i] += g`` becomes the pure update
  ``d = added_at(d, i, g)``.
* ``break``/``continue`` only as the last statement of a block; a statement after an ``if``
  that jumps on some paths is guarded by a flag (``jumped``); returns become one final
  ``return <name>``.
* ``Expr`` (calls kept for their side effects), ``assert`` and ``raise`` pass through.
"""

import types

import gast

from . import runtime
from .build import assign, const, local_targets, located, name
from .element_saves import ElementSaves
from .errors import UnsupportedSyntax
from .frontend import UNRESOLVED, Method, is_tape_call
from .invariants import share_invariants
from .iterables import Iterables
from .iteration import lower_for
from .sugar import private_dicts
from .naming import Namer, temp_names
from .variadic import flatten_parameters, spread_arguments
from .walk import clone, walk

ALWAYS, SOMETIMES, NEVER = "always", "sometimes", "never"


def normalize(parsed, namer=None, kinds=None):
    """Return a new FunctionDef in the core language (``parsed.tree`` is left unchanged).
    ``kinds`` (parameter -> kind, the call's specialisation) says how a loop reads what it
    iterates: by position, or by key (a dict); None takes every parameter for a sequence."""
    tree = clone(parsed.tree)
    flatten_parameters(tree)    # *args, **kw: plain parameters holding a tuple and a dict
    namer = namer or Namer(parsed.scope.locals | set(parsed.scope.globals) | set(parsed.scope.cells))
    lowering = Lowering(parsed, namer, Iterables(tree, parsed.scope, kinds))
    body = [s for s in tree.body if not (isinstance(s, gast.Expr) and isinstance(s.value, gast.Constant))]
    final = Returns(namer, tree).lower(body)
    body = lowering.block(body)
    result = []
    lowering.stmt_Return(final, result, final_return=True)
    body = Jumps(namer).block(body, in_loop=False)
    params = [a.id for a in tree.args.args + tree.args.kwonlyargs]
    tree.body = share_invariants(strip_returns(body) + result, lowering.temps, params,
                                 parsed.scope.locals | local_targets(tree), namer, kinds)
    parsed.scope.locals = parsed.scope.locals | local_targets(tree)
    parsed.scope.temps = frozenset(lowering.temps)
    return tree


def strip_returns(stmts):
    """Drop the jump-to-end markers: after ``Jumps`` every one of them is in tail position."""
    out = []
    for s in stmts:
        if isinstance(s, gast.Return):
            continue
        if isinstance(s, gast.If):
            s.body, s.orelse = strip_returns(s.body), strip_returns(s.orelse)
        elif isinstance(s, (gast.For, gast.While)):
            s.body = strip_returns(s.body)
        out.append(s)
    return out


def targets_name(stmt, id_):
    return any(isinstance(t, gast.Name) and t.id == id_ for t in stmt.targets)


class Lowering:
    """Expressions to one operation per statement (ANF)."""

    def __init__(self, parsed, namer, iterables):
        self.parsed = parsed
        self.scope = parsed.scope
        self.namer = namer
        self.range_names = bound_to_ranges(parsed.tree, self.scope)
        self.iterables = iterables  # what each loop iterates (iterables.py)
        self.temps = set()          # names of the temporaries made here (they may move)
        self.dicts = set() if parsed.scope.generated else private_dicts(parsed.tree)
        self.saves = ElementSaves(self)     # a derivative's saves of elements, read again

    def fail(self, node, what, hint):
        raise UnsupportedSyntax(f"cannot differentiate {what}", self.parsed.filename,
                                getattr(node, "lineno", self.parsed.lineno), hint)

    # ---- atoms -------------------------------------------------------------------------
    def is_atom(self, node):
        if isinstance(node, gast.Constant):
            return True
        if isinstance(node, gast.Name):
            return True
        if isinstance(node, gast.Attribute):     # np.pi, np.sin: a number or a function; an
            value = self.scope.resolve(node)     # array (obj.W) is read into a name, whose
            return value is not UNRESOLVED and not self.is_method(node) and (   # kind is known
                callable(value) or isinstance(value, (int, float, complex, bool, str, type(None),
                                                      types.ModuleType)))
        if isinstance(node, gast.UnaryOp) and isinstance(node.op, gast.USub):
            return isinstance(node.operand, gast.Constant)
        if isinstance(node, gast.Tuple):
            return all(isinstance(e, gast.Constant) or (self.is_atom(e) and not isinstance(e, gast.Name))
                       for e in node.elts)
        return False

    def is_method(self, node):
        return isinstance(self.scope.resolve(node), Method)

    def atom(self, node, out, base=None):
        if self.is_atom(node):
            return node
        if isinstance(node, gast.IfExp):
            target = self.namer.fresh(base or "choice")
            self.if_expression(target, node, out)
            return name(target)
        value = self.flat(node, out)
        target = self.namer.fresh(base) if base else self.namer.fresh(*temp_names(value))
        self.scope.locals = self.scope.locals | {target}
        self.temps.add(target)
        out.append(assign(target, value, node.lineno))
        return name(target)

    def flat(self, node, out):
        """``node`` as one operation whose operands are atoms, emitting temporaries to ``out``."""
        if self.is_atom(node):
            return node
        kind = type(node)
        if kind is gast.BinOp:
            node.left = self.atom(node.left, out)
            node.right = self.atom(node.right, out)
        elif kind is gast.UnaryOp:
            node.operand = self.atom(node.operand, out)
        elif kind is gast.Call and self.is_list_pop(node):
            receiver = node.func.value.id
            item = self.namer.fresh(receiver + "_last")
            self.scope.locals = self.scope.locals | {item}
            out.append(assign(item, self.last_item(receiver, True), node.lineno))
            out.append(assign(receiver, self.last_item(receiver, False), node.lineno))
            return name(item)
        elif kind is gast.Call and self.is_list_append(node):
            self.fail(node, "a call of .append() inside an expression (its result is None; the "
                      "list changes in place where srcad does not follow it)",
                      "call lst.append(v) as a statement of its own (a for loop, not a "
                      "comprehension)")
        elif kind is gast.Call:
            spread_arguments(self, node, out)   # g(*args), g(**kw), g(x, a, b): variadic.py
            if isinstance(node.func, gast.Attribute) and not self.is_atom(node.func):
                node.func.value = self.atom(node.func.value, out)   # x.reshape(6).sum()
            elif not self.is_atom(node.func):
                self.fail(node, "a call of a computed function", "call a function by its name")
            node.args = [a if isinstance(a, gast.Starred) else self.atom(a, out)
                         for a in node.args]
            for k in node.keywords:
                k.value = self.atom(k.value, out)
            if self.scope.generated and self.scope.resolve(node.func) is runtime.add_at:
                node.func = self.runtime_name("added_at")   # the pure form: no aliasing
        elif kind is gast.Attribute:
            node.value = self.atom(node.value, out)
        elif kind is gast.Subscript:
            node.value = self.atom(node.value, out)
            node.slice = self.index(node.slice, out)
        elif kind is gast.Compare:
            node.left = self.atom(node.left, out)
            node.comparators = [self.atom(c, out) for c in node.comparators]
        elif kind in (gast.Tuple, gast.List):
            node.elts = [self.atom(e, out) for e in node.elts]
        elif kind is gast.Dict:
            if any(k is None for k in node.keys):
                self.fail(node, "a dict literal with ** in it", "write the keys out ({'a': d['a'], "
                          "...}), or copy it (e = d.copy()) and store into the copy")
            node.keys = [self.atom(k, out) for k in node.keys]
            node.values = [self.atom(v, out) for v in node.values]
        elif kind is gast.BoolOp:
            pass  # short-circuit: kept whole; analysis rejects it on differentiated values
        elif kind is gast.JoinedStr:
            pass
        else:
            self.fail(node, f"the expression {type(node).__name__}", "rewrite it with plain operations")
        return node

    def index(self, node, out):
        if isinstance(node, gast.Slice):
            for part in ("lower", "upper", "step"):
                value = getattr(node, part)
                if value is not None:
                    setattr(node, part, self.atom(value, out))
            return node
        if isinstance(node, gast.Tuple):
            node.elts = [self.index(e, out) for e in node.elts]
            return node
        return self.atom(node, out)

    def condition(self, test, out):
        """Branch tests carry no derivative: keep them readable, hoist only calls."""
        if any(isinstance(n, (gast.Call, gast.IfExp)) for n in walk(test)):
            return self.atom(test, out, base="cond")
        return test

    # ---- statements --------------------------------------------------------------------
    def block(self, stmts):
        out = []
        for s in stmts:
            start = len(out)
            self.stmt(s, out)
            if getattr(s, "reverse_sweep", False) and len(out) > start:
                out[start].reverse_sweep = True     # a derivative's reverse sweep starts here
        return out

    def stmt(self, s, out):
        method = getattr(self, "stmt_" + type(s).__name__, None)
        if method is None:
            self.fail(s, f"the statement {type(s).__name__}", "rewrite it with plain statements")
        method(s, out)

    def stmt_Assign(self, s, out):
        *chain, last = s.targets
        if isinstance(last, gast.Subscript):
            if chain:
                self.fail(s, "a chained assignment into an element (a = x[i] = v)",
                          "assign in two statements")
            restore = is_tape_call(s.value, self.scope, "pop")
            value = self.saves.pop(last.value.id, located(s.value, s.lineno), s.lineno, out) \
                if restore and isinstance(last.value, gast.Name) else \
                self.atom(located(s.value, s.lineno), out)
            self.store(self.element(last, s.lineno, out), value, s.lineno, out)
            if self.scope.generated:    # srcad's own: its views see these as they were
                out[-1].write_back = getattr(s, "write_back", False)
                out[-1].restore = restore
                out[-1].in_place = not (out[-1].write_back or restore or
                                        getattr(s, "written_back", False))
            return
        if not chain and isinstance(last, gast.Name) and self.is_list_pop(s.value):
            receiver = s.value.func.value.id   # t = d.pop() -> t = d[-1]; d = d[:-1]
            out.append(assign(last, self.last_item(receiver, True), s.lineno))
            out.append(assign(receiver, self.last_item(receiver, False), s.lineno))
            return
        if not chain and isinstance(last, gast.Name) and self.is_sequence_restore(s.value, last.id):
            out.append(s)   # d = add_seq(d, stack.pop()): kept whole, like d += stack.pop()
            return
        self.assign_to(last, s.value, s.lineno, out)
        for target in reversed(chain):
            out.append(assign(target, clone(last if isinstance(last, gast.Name) else
                                                    s.value), s.lineno))

    def stmt_AnnAssign(self, s, out):
        if s.value is not None:
            self.assign_to(s.target, s.value, s.lineno, out)

    def element(self, target, lineno, out):
        """``x[i]`` as a store target: ``x`` a local name, the index atoms."""
        located(target, lineno)
        if not isinstance(target.value, gast.Name) or target.value.id not in self.scope.locals:
            self.fail(target, "assignment into an element of an expression or a global",
                      "assign into a local array: y = <expression>; y[i] = v")
        index = self.index(target.slice, out)
        return gast.Subscript(value=name(target.value.id), slice=index, ctx=gast.Store())

    def store(self, element, value, lineno, out):
        """``x[i] = v``; into a dict no other name holds, the pure ``d = with_item(d, k, v)``
        (a new key has no old value for the reverse sweep to put back); in a derivative read
        again, the pure ``x = stored_at(x, i, v)`` (its arrays are its own)."""
        base = element.value.id
        if base not in self.dicts and not self.scope.generated:
            out.append(assign(element, value, lineno))
            return
        helper = "stored_at" if self.scope.generated else "with_item"
        update = gast.Call(func=self.runtime_name(helper),
                           args=[name(base), index_value(element.slice), value], keywords=[])
        out.append(assign(base, located(update, lineno), lineno))
        out[-1].in_place = self.scope.generated   # other names of x's memory go stale

    def stmt_AugAssign(self, s, out):
        if isinstance(s.target, gast.Subscript) and not (
                self.scope.generated and isinstance(s.op, (gast.Add, gast.Sub))):
            element = self.element(s.target, s.lineno, out)    # x[i] += v: read, then write
            old = self.atom(located(gast.Subscript(value=name(element.value.id),
                                                   slice=clone(element.slice),
                                                   ctx=gast.Load()), s.lineno), out)
            value = located(gast.BinOp(left=old, op=s.op, right=s.value), s.lineno)
            new = self.atom(value, out)
            self.store(element, new, s.lineno, out)
            out[-1].element_changed = (old.id, new.id)   # an array item's += changes it in place
            return
        if isinstance(s.target, gast.Subscript):   # d[i] += g in srcad's output: a pure update
            target = located(s.target, s.lineno)
            base = self.atom(target.value, out)
            index = located(index_value(self.index(target.slice, out)), s.lineno)
            value = self.atom(s.value if isinstance(s.op, gast.Add) else located(
                gast.UnaryOp(op=gast.USub(), operand=s.value), s.lineno), out)   # d[i] -= g
            update = located(gast.Call(func=self.runtime_name("added_at"),
                                       args=[clone(base), index, value], keywords=[]),
                             s.lineno)
            out.append(assign(base.id, self.flat(update, out), s.lineno))
            return
        if is_tape_call(s.value, self.scope, "pop") and isinstance(s.op, gast.Add):
            value = gast.BinOp(left=name(s.target.id), op=gast.Add(), right=s.value)
            out.append(assign(s.target.id, located(value, s.lineno), s.lineno))
            return
        value = gast.BinOp(left=name(s.target.id), op=s.op, right=s.value)
        value.lineno = s.lineno
        start = len(out)
        self.assign_to(s.target, value, s.lineno, out)
        if isinstance(s.target, gast.Name) and not self.scope.generated:
            for lowered in out[start:]:     # an array's ``+=`` changes it in place: aliases see it
                if isinstance(lowered, gast.Assign) and targets_name(lowered, s.target.id):
                    lowered.in_place = True

    def is_sequence_restore(self, value, target):
        return (isinstance(value, gast.Call) and self.scope.resolve(value.func) is runtime.add_seq
                and len(value.args) == 2 and not value.keywords
                and isinstance(value.args[0], gast.Name) and value.args[0].id == target
                and is_tape_call(value.args[1], self.scope, "pop"))

    def runtime_name(self, what):
        for n, obj in self.scope.runtime.items():
            if obj is getattr(runtime, what):
                return name(n)
        raise AssertionError(f"srcad.runtime.{what} is not available to generated code")

    def assign_to(self, target, value, lineno, out):
        located(value, lineno)
        if isinstance(target, gast.Name):
            if isinstance(value, gast.IfExp):
                self.if_expression(target.id, value, out)
            else:
                out.append(assign(target, self.flat(value, out), lineno))
            return
        names = [e.id for e in target.elts]
        if len(names) == 1 and not isinstance(value, (gast.Tuple, gast.List)):   # x, = t
            item = gast.Subscript(value=self.atom(value, out), slice=gast.Constant(
                value=0, kind=None), ctx=gast.Load())
            out.append(assign(names[0], located(item, lineno), lineno))
            return
        if isinstance(value, (gast.Tuple, gast.List)) and not any(
                isinstance(e, gast.Starred) for e in value.elts):
            if len(value.elts) != len(names):
                self.fail(value, "unpacking of a different number of values",
                          "match the number of names and values")
            atoms = [self.atom(e, out) for e in value.elts]
            for i, a in enumerate(atoms):   # a, b = b, a: copy what a later target would clobber
                if isinstance(a, gast.Name) and a.id in names[:i]:
                    keep = self.namer.fresh(a.id + "_old")
                    out.append(assign(keep, a, lineno))
                    atoms[i] = name(keep)
            for n, a in zip(names, atoms):
                out.append(assign(n, a, lineno))
            return
        target = gast.Tuple(elts=[name(n, store=True) for n in names], ctx=gast.Store())
        flat = self.flat(value, out) if isinstance(value, gast.Call) else self.atom(value, out)
        out.append(assign(target, flat, lineno))

    def if_expression(self, target, node, out):
        test = self.condition(node.test, out)
        body, orelse = [], []
        self.assign_to(name(target, store=True), node.body, node.lineno, body)
        self.assign_to(name(target, store=True), node.orelse, node.lineno, orelse)
        out.append(located(gast.If(test=test, body=body, orelse=orelse), node.lineno))

    def stmt_If(self, s, out):
        s.test = self.condition(s.test, out)
        s.body = self.block(s.body)
        s.orelse = self.block(s.orelse)
        out.append(s)

    def stmt_While(self, s, out):
        head = []
        test = self.condition(s.test, head)
        if head:   # the test needs statements: while True + hoisted test + break
            stop = located(gast.If(test=gast.UnaryOp(op=gast.Not(), operand=test),
                                   body=[located(gast.Break(), s.lineno)], orelse=[]), s.lineno)
            s.test = gast.Constant(value=True, kind=None)
            s.body = head + [stop] + self.block(s.body)
        else:
            s.test = test
            s.body = self.block(s.body)
        out.append(located(s, s.lineno))

    def range_iter(self, it, out):
        """The iterable as a range expression, hoisting what it calls; None if it is not one."""
        if isinstance(it, gast.Call) and not it.keywords:
            func = self.scope.resolve(it.func)
            if func is range:
                if any(isinstance(n, gast.Call) and self.scope.resolve(n.func) not in SIMPLE_INT
                       for a in it.args for n in walk(a)):
                    it.args = [self.atom(a, out, base="stop") for a in it.args]
                return it
            if func is reversed and len(it.args) == 1:
                inner = self.range_iter(it.args[0], out)
                if inner is not None:
                    return gast.Subscript(value=inner, slice=gast.Slice(
                        lower=None, upper=None, step=gast.UnaryOp(
                            op=gast.USub(), operand=gast.Constant(value=1, kind=None))),
                        ctx=gast.Load())
        if isinstance(it, gast.Subscript) and isinstance(it.slice, gast.Slice):
            inner = self.range_iter(it.value, out)
            if inner is not None:
                it.value = inner
                it.slice = self.index(it.slice, out)
                return it
        if isinstance(it, gast.Name) and it.id in self.range_names:
            return it
        return None

    def stmt_For(self, s, out):
        it = s.iter
        ranged = self.range_iter(it, out)
        if ranged is not None:
            if isinstance(s.target, gast.Tuple):
                self.fail(s, "unpacking a range", "iterate over plain integers")
            s.iter = located(ranged, s.lineno)
            s.body = self.block(s.body)
            out.append(s)
            return
        lower_for(self, s, out)     # zip, enumerate, dicts...: iteration.py

    def stmt_Return(self, s, out, final_return=False):
        if not final_return:    # a jump-to-end marker left by Returns
            out.append(s)
            return
        value = s.value if s.value is not None else gast.Constant(value=None, kind=None)
        s.value = self.atom(located(value, s.lineno), out, base="out")
        out.append(s)

    def stmt_Expr(self, s, out):
        if isinstance(s.value, gast.Constant):
            return  # docstring or a bare constant
        if self.is_list_pop(s.value):
            receiver = s.value.func.value.id
            out.append(assign(receiver, self.last_item(receiver, False), s.lineno))
            return
        if self.saves.push(s, out):     # stack.append(np.copy(x[i])): element_saves.py
            return
        if isinstance(s.value, gast.Call) and self.is_list_append(s.value):
            s.value.args = [self.atom(s.value.args[0], out)]
        elif isinstance(s.value, gast.Call):
            s.value = self.flat(s.value, out)
        if isinstance(s.value, gast.Call):
            if self.is_list_append(s.value):   # lst.append(v) -> lst = appended(lst, v)
                receiver = s.value.func.value
                update = located(gast.Call(func=self.runtime_name("appended"),
                                           args=[clone(receiver), s.value.args[0]],
                                           keywords=[]), s.lineno)
                out.append(assign(receiver.id, update, s.lineno))
                return
        out.append(s)

    def is_list_append(self, call):
        f = call.func
        return (isinstance(f, gast.Attribute) and f.attr == "append" and isinstance(f.value, gast.Name)
                and f.value.id in self.scope.locals and len(call.args) == 1 and not call.keywords
                and isinstance(self.scope.resolve(f), Method)
                and not is_tape_call(call, self.scope, "append"))

    def is_list_pop(self, call):
        """``d.pop()`` on a list of srcad's output (not a stack), read again: the pure form
        ``d[-1]`` and ``d = d[:-1]`` differentiates as reads of elements do."""
        return self.scope.generated and isinstance(call, gast.Call) and \
            isinstance(call.func, gast.Attribute) and call.func.attr == "pop" and \
            isinstance(call.func.value, gast.Name) and call.func.value.id in self.scope.locals \
            and not call.args and not call.keywords and not is_tape_call(call, self.scope, "pop")

    @staticmethod
    def last_item(receiver, item):
        index = gast.UnaryOp(op=gast.USub(), operand=const(1)) if item else \
            gast.Slice(lower=None, upper=gast.UnaryOp(op=gast.USub(), operand=const(1)), step=None)
        return gast.Subscript(value=name(receiver), slice=index, ctx=gast.Load())

    def stmt_Pass(self, s, out):
        pass

    def stmt_Break(self, s, out):
        out.append(s)

    stmt_Continue = stmt_Break
    stmt_Assert = stmt_Break
    stmt_Raise = stmt_Break


SIMPLE_INT = {len, int, min, max, abs, round}


def index_value(index):
    """An index as an ordinary expression: slices become ``slice(...)`` calls."""
    if isinstance(index, gast.Slice):
        return gast.Call(func=name("slice"), args=[p or gast.Constant(value=None, kind=None) for p in (
            index.lower, index.upper, index.step)], keywords=[])
    if isinstance(index, gast.Tuple):
        return gast.Tuple(elts=[index_value(e) for e in index.elts], ctx=gast.Load())
    return index


def is_range(value, scope):
    """``range(...)`` or a slice of one (``range(n)[::-1]``, which srcad's own reverse sweeps
    save): a range, so a loop over it stays a range loop."""
    while isinstance(value, gast.Subscript) and isinstance(value.slice, gast.Slice):
        value = value.value
    return isinstance(value, gast.Call) and scope.resolve(value.func) is range and \
        not value.keywords


def bound_to_ranges(tree, scope):
    """Names whose every assignment is a range: loops over them stay range loops."""
    values = {}
    for n in walk(tree):
        if isinstance(n, (gast.Assign, gast.AugAssign, gast.AnnAssign, gast.For)):
            targets = n.targets if isinstance(n, gast.Assign) else [n.target]
            for t in targets:
                for e in walk(t):
                    if isinstance(e, gast.Name) and isinstance(e.ctx, gast.Store):
                        ok = isinstance(n, gast.Assign) and t is e and is_range(n.value, scope)
                        values[e.id] = values.get(e.id, True) and ok
    params = {a.id for a in tree.args.args + tree.args.kwonlyargs}
    return {n for n, ok in values.items() if ok and n not in params}


class Returns:
    """Many returns -> one: each becomes ``<result> = value`` plus a jump to the end."""

    def __init__(self, namer, tree):
        self.namer = namer
        self.tree = tree

    def lower(self, body):
        returns = [n for s in body for n in walk(s) if isinstance(n, gast.Return)]
        if not returns:
            return located(gast.Return(value=gast.Constant(value=None, kind=None)), self.tree.lineno)
        last = body[-1] if body else None
        if len(returns) == 1 and last is returns[0]:
            body.pop()
            return last
        values = {r.value.id if isinstance(r.value, gast.Name) else None for r in returns}
        if len(values) == 1 and None not in values and not self.in_loop(body):
            self.result = values.pop()
        else:
            self.result = self.namer.fresh("result")
        self.flag = None
        body[:] = self.rewrite(body, loop_depth=0)
        final = located(gast.Return(value=name(self.result)), returns[-1].lineno)
        if self.flag:
            body.insert(0, assign(self.flag, gast.Constant(value=False, kind=None), self.tree.lineno))
        return final

    def in_loop(self, body):
        return any(isinstance(n, (gast.For, gast.While)) and any(
            isinstance(r, gast.Return) for r in walk(n)) for s in body for n in walk(s))

    def rewrite(self, stmts, loop_depth):
        out = []
        for s in stmts:
            if isinstance(s, gast.Return):
                if not (isinstance(s.value, gast.Name) and s.value.id == self.result):
                    out.append(assign(self.result, s.value, s.lineno))
                if loop_depth:
                    self.flag = self.flag or self.namer.fresh("returned")
                    out.append(assign(self.flag, gast.Constant(value=True, kind=None), s.lineno))
                    out.append(located(gast.Break(), s.lineno))
                else:
                    out.append(located(gast.Return(value=None), s.lineno))
            elif isinstance(s, gast.If):
                s.body = self.rewrite(s.body, loop_depth)
                s.orelse = self.rewrite(s.orelse, loop_depth)
                out.append(s)
            elif isinstance(s, (gast.For, gast.While)):
                s.body = self.rewrite(s.body, loop_depth + 1)
                out.append(s)
                if self.flag and self.returns_inside(s):
                    jump = gast.Break() if loop_depth else gast.Return(value=None)
                    out.append(located(gast.If(test=name(self.flag), body=[located(jump, s.lineno)],
                                               orelse=[]), s.lineno))
            else:
                out.append(s)
        return out

    def returns_inside(self, loop):
        return any(isinstance(n, gast.Assign) and isinstance(n.targets[0], gast.Name)
                   and n.targets[0].id == self.flag for n in walk(loop))


def is_jump(s):
    return isinstance(s, (gast.Break, gast.Continue, gast.Return, gast.Raise))


class Jumps:
    """Every jump last in its block: the rest of a block moves into the branch that falls
    through; where both branches may fall through, a flag guards the rest."""

    def __init__(self, namer):
        self.namer = namer

    def status(self, stmts):
        if not stmts:
            return NEVER
        last = stmts[-1]
        if is_jump(last):
            return ALWAYS
        if isinstance(last, gast.If) and self.status(last.body) == ALWAYS \
                and self.status(last.orelse) == ALWAYS:
            return ALWAYS
        return SOMETIMES if self.escaping(stmts) else NEVER

    def escaping(self, stmts):
        """Jump statements in ``stmts`` that leave it (raise needs no flag: no reverse sweep)."""
        found = []

        def visit(ss, loop):
            for s in ss:
                if isinstance(s, (gast.Break, gast.Continue)) and not loop:
                    found.append(s)
                elif isinstance(s, gast.Return):
                    found.append(s)
                elif isinstance(s, gast.If):
                    visit(s.body, loop)
                    visit(s.orelse, loop)
                elif isinstance(s, (gast.For, gast.While)):
                    visit(s.body, True)
        visit(stmts, False)
        return found

    def block(self, stmts, in_loop):
        out = []
        for i, s in enumerate(stmts):
            if isinstance(s, (gast.For, gast.While)):
                s.body = self.block(s.body, in_loop=True)
                out.append(s)
                continue
            if is_jump(s):
                out.append(s)
                return out      # anything after a jump is dead code
            if not isinstance(s, gast.If):
                out.append(s)
                continue
            rest = stmts[i + 1:]
            s.body = self.block(s.body, in_loop)
            s.orelse = self.block(s.orelse, in_loop)
            body, orelse = self.status(s.body), self.status(s.orelse)
            out.append(s)
            if not rest:
                return out
            if body == ALWAYS and orelse == ALWAYS:
                return out
            if body == ALWAYS:
                s.orelse = self.block(s.orelse + rest, in_loop)
                return out
            if orelse == ALWAYS:
                s.body = self.block(s.body + rest, in_loop)
                return out
            if body == SOMETIMES or orelse == SOMETIMES:
                flag = self.namer.fresh("jumped")
                self.mark(s, flag)
                out.insert(len(out) - 1, assign(flag, gast.Constant(value=False, kind=None), s.lineno))
                guard = gast.If(test=gast.UnaryOp(op=gast.Not(), operand=name(flag)),
                                body=self.block(rest, in_loop), orelse=[])
                out.append(located(guard, rest[0].lineno))
                return out
        return out

    def mark(self, stmt, flag):
        """Set ``flag = True`` just before each jump that leaves ``stmt``."""
        targets = {id(j) for j in self.escaping([stmt])}

        def visit(ss):
            i = 0
            while i < len(ss):
                s = ss[i]
                if id(s) in targets:
                    ss.insert(i, assign(flag, gast.Constant(value=True, kind=None), s.lineno))
                    i += 1
                elif isinstance(s, gast.If):
                    visit(s.body)
                    visit(s.orelse)
                elif isinstance(s, (gast.For, gast.While)):
                    visit(s.body)
                i += 1
        visit([stmt])
