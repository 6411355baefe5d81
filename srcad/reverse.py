"""Reverse mode: each core statement gives a (forward, reverse) pair; compound statements
combine their children's pairs. Values the reverse sweep reads and the forward sweep later
overwrites are pushed on a plain list before the overwrite and popped after the adjoint.
"""
from dataclasses import dataclass, field

import gast
import numpy as np

from . import templates
from .analysis import (SCALAR, SEQ, UNKNOWN, assigned_names, assignments, atom_name,
                       helper_call, is_setitem, is_tape_call, loaded_names, ndim_of, restored_pop,
                       targets)
from .errors import SrcadError
from .build import MARK, aug, attr, backwards, call, const, contribution, may_broadcast
from .normalize import assign, index_value, located, name
from .rereads import block_locals, rereadable
from .shape_reads import read_shapes_from, same_shape, value_loads
from .views import sharing
from .walk import clone, fingerprint, walk, walk_stmts

def may_be_infinite(partial):
    """Any partial but a constant can be inf or NaN (a division, a log, or an operand's value
    in the branch np.where did not select)."""
    try:
        float(partial)
        return False
    except ValueError:
        return True


@dataclass
class Reversed:
    """The generated function and what codegen and the optimizer need to know about it."""
    tree: gast.FunctionDef
    adjoints: set                  # every derivative variable name
    temps: set                     # names the optimizer may inline or rename
    pairs: list = field(default_factory=list)   # (pushes, pop) statements that go together
    kinds: dict = field(default_factory=dict)   # adjoint name -> kind of its primal
    seeds: set = field(default_factory=set)     # parameters holding derivatives from the caller
    dense: set = field(default_factory=set)     # adjoints updated element-wise (d[i] += ...)
    tapes: set = field(default_factory=set)     # the lists it saves values on
    inherited: frozenset = frozenset()          # the stacks of its input (a derivative)


class CallInfo:
    """What a rule with a computed template sees of its call site."""

    def __init__(self, bound, kinds):
        self.bound, self.kinds = bound, kinds

    def ndim(self, param):
        a = self.bound.get(param)
        if isinstance(a, gast.Name):
            return ndim_of(self.kinds.get(a.id) or "unknown")
        if isinstance(a, gast.Constant):
            return 0
        return None

    def given(self, param):
        a = self.bound.get(param)
        return isinstance(a, gast.AST) and not (isinstance(a, gast.Constant) and a.value is None)


PURE_OPS = ("rule", "copy", "global", "compare", "subscript")   # same operands, same value


class ReverseMode:
    def __init__(self, fn, facts, parsed, namer, runtime, derive_helper, mode="grad",
                 generated=frozenset(), purity=None):
        self.fn, self.facts, self.parsed, self.namer = fn, facts, parsed, namer
        self.purity = purity
        self.residuals = {}     # id(helper call) -> (its forward half, the name of what it saved)
        self.generated = set(generated)
        self.extra_adjoints = set()
        self.runtime = runtime          # template global name -> name in the generated code
        self.derive_helper = derive_helper
        self.mode = mode
        self.active = facts.active
        self.kinds = facts.kinds
        self.adj_names = {}
        self.temps = set()
        self.pairs = []
        self.dense = set()
        self.stack = namer.fresh("stack")
        self.tape_derivatives = {}      # a stack of the input (a derivative) -> its adjoint stack
        self.primal = {n.id for n in walk(fn) if isinstance(n, gast.Name)} | {
            a.id for a in fn.args.args + fn.args.kwonlyargs}

    # ---- names -------------------------------------------------------------------------
    def adj(self, v):
        if v not in self.adj_names:
            self.adj_names[v] = self.namer.fresh("d" + v)
        return self.adj_names[v]

    def tape_derivative(self, tape):
        """The adjoint of a stack is a stack: a restore pushes the adjoint of the restored
        value, the matching push pops it (srcad's stacks are LIFO, so reversing the order of
        the sweeps pairs them up again)."""
        if tape not in self.tape_derivatives:
            self.tape_derivatives[tape] = self.namer.fresh("d" + tape)
        return self.tape_derivatives[tape]

    def temp(self, base):
        t = self.namer.fresh(base)
        self.temps.add(t)
        return t

    def adj_temp(self, base):
        t = self.temp(base)
        self.extra_adjoints.add(t)
        return t

    def rt(self, n):
        return name(self.runtime.get(n, n))

    def is_active(self, node):
        return isinstance(node, gast.Name) and node.id in self.active

    # ---- adjoints of single statements -------------------------------------------------
    def adjoint(self, stmt, dout, self_ref):
        """Statements accumulating ``dout`` (derivative of the target) into the operands."""
        op = self.facts.ops[id(stmt)]
        value = stmt.value
        tnames = targets(stmt)
        out = clone(value) if self_ref else name(tnames[0])
        if op.kind == "copy":
            if not self.is_active(value):
                return []
            return [self.accumulate(name(self.adj(value.id)), dout, tnames)]
        if op.kind == "pack":
            return [aug(self.adj(e.id), gast.Subscript(value=clone(dout), slice=const(i),
                                                       ctx=gast.Load()))
                    for i, e in enumerate(value.elts) if self.is_active(e)]
        if op.kind == "subscript":
            return self.subscript_adjoint(value, dout, tnames)
        if op.kind in ("restore", "restore_add"):
            tape = self.tape_derivative(restored_pop(value, self.parsed.scope).func.value.id)
            return [gast.Expr(value=call(attr(name(tape), "append"), clone(dout)))]
        if op.kind == "helper":
            return self.helper_adjoint(stmt, op, dout)
        if op.kind == "rule" and op.rule.elementwise and len(tnames) == 1:
            return self.elementwise_adjoint(op, dout, out)
        if op.kind == "rule" and not op.rule.elementwise:
            return self.template_adjoint(op, dout, out)   # a tuple result: dout is a tuple
        if len(tnames) > 1 and isinstance(value, gast.Name):
            self.dense.add(value.id)
            return [aug(gast.Subscript(value=name(self.adj(value.id)), slice=const(i),
                                       ctx=gast.Store()), name(self.adj(t)))
                    for i, t in enumerate(tnames) if t in self.active]
        if op.kind in ("nondiff", "global", "compare"):
            return []
        raise SrcadError(f"cannot differentiate this statement ({op.kind})", self.parsed.filename,
                         stmt.lineno, "assign the result to one name, then index it")

    def elementwise_adjoint(self, op, dout, out):
        rule, bound = op.rule, op.bound
        mapping = {p: a for p, a in bound.items() if isinstance(a, gast.AST)}
        mapping.update({k: v for k, v in self.runtime.items()})
        mapping["out"] = out
        grouped = {}
        for (p, _), partial in zip(rule.params, rule.partials):
            a = bound.get(p)
            if partial is not None and self.is_active(a):
                grouped.setdefault(a.id, []).append(templates.expr(partial, mapping))
        others = [a for a in bound.values() if isinstance(a, gast.AST)]
        result = []
        masked = isinstance(out, gast.Name) and out.id in self.masked and any(
            may_be_infinite(p) for p in rule.partials if p)
        for var, partials in grouped.items():
            value, sub = contribution(partials, dout)
            if masked:   # a zero from np.where's other branch stays zero, even times inf
                total = partials[0]
                for p in partials[1:]:
                    total = gast.BinOp(left=total, op=gast.Add(), right=p)
                value, sub = call(self.rt("scaled"), clone(dout), total), False
            if may_broadcast(var, others, self.kinds) and not (
                    isinstance(out, gast.Name) and self.same_shape(var, out.id)):
                value = call(self.rt("unbroadcast"), value, name(var))
            result.append(aug(self.adj(var), value, sub))
        return result

    def where_fed(self, body):
        """Names whose derivative may hold exact zeros from ``np.where``'s unselected branch,
        while their partials there may be inf or NaN: upstream of a ``where`` operand."""
        fed = set()
        stmts = list(assignments(body))
        for s in stmts:
            op = self.facts.ops[id(s)]
            if op.kind == "rule" and op.key is np.where:
                fed |= {a.id for a in op.operands if isinstance(a, gast.Name)}
        changed = True
        while changed:
            changed = False
            for s in stmts:
                if set(targets(s)) & fed and self.kinds.get(targets(s)[0]) != SCALAR:
                    new = {a.id for a in self.facts.ops[id(s)].operands
                           if isinstance(a, gast.Name)} - fed
                    fed |= new
                    changed = changed or bool(new)
        return fed

    def template_adjoint(self, op, dout, out):
        rule, bound = op.rule, op.bound
        src = rule.reverse if isinstance(rule.reverse, str) else rule.reverse(
            CallInfo(bound, self.kinds))
        mapping, dropped = templates.bind_parameters(
            rule, bound, lambda a: self.adj(a.id) if self.is_active(a) else None, self.runtime)
        mapping["out"] = out
        mapping["dout"] = dout
        body = []
        for s in templates.stmts(src, {}):
            tgt = s.target if isinstance(s, gast.AugAssign) else s.targets[0]
            if isinstance(tgt, gast.Name) and tgt.id in dropped:
                continue
            body.append(s)
        local = {n.id for s in body for n in walk(s) if isinstance(n, gast.Name)
                 and isinstance(n.ctx, gast.Store) and n.id not in mapping}
        for n in sorted(local):     # a template's own names may hold derivatives (its g):
            mapping[n] = self.adj_temp(n)   # a zero test of what reads them must see them
        sub = templates.Substitute(mapping)
        return [sub.visit(s) for s in body]

    def accumulate(self, target, dout, tnames):
        """``target += dout``; for a structure (a tuple unpacked, a list or dict element) the
        element-wise ``add_seq``, as ``+`` would concatenate lists and tuples."""
        store, load = clone(target), clone(target)
        store.ctx, load.ctx = gast.Store(), gast.Load()
        if not self.structured(dout, tnames):
            return aug(store, dout)
        return gast.Assign(targets=[store], value=call(self.rt("add_seq"), load, dout),
                           type_comment=None)

    def structured(self, dout, tnames):
        """Whether ``dout`` may be a list or tuple: a tuple target's, or a sequence's (a name
        later unpacked, ``W, b = layer``, or indexed, ``layers[i]``, is one even when its kind is
        unknown)."""
        return isinstance(dout, gast.Tuple) or any(self.kinds.get(t) == SEQ or t in self.unpacked
                                                   for t in tnames)

    def subscript_adjoint(self, value, dout, tnames):
        base = value.value
        if not self.is_active(base):
            return []
        self.dense.add(base.id)
        index = value.slice
        simple = all(isinstance(n, (gast.Constant, gast.Slice, gast.Tuple, gast.UnaryOp,
                                    gast.USub, gast.Load, gast.Store))
                     or (isinstance(n, gast.Name) and self.kinds.get(n.id) == SCALAR)
                     for n in walk(index))
        d = self.adj(base.id)
        seq = self.kinds.get(base.id) == SEQ
        if self.kinds.get(base.id) in (SEQ, UNKNOWN, None) and (
                isinstance(index, gast.Slice) or self.structured(dout, tnames)):
            # a slice, or an element that is a list or tuple itself: += would concatenate
            return [assign(d, call(self.rt("add_at"), name(d), index_value(clone(index)), dout),
                           0)]
        if seq or simple:
            target = gast.Subscript(value=name(d), slice=clone(index), ctx=gast.Store())
            return [aug(target, dout)]
        return [assign(d, call(self.rt("add_at"), name(d), index_value(clone(index)), dout), 0)]

    def helper_adjoint(self, stmt, op, dout):
        value, func = stmt.value, op.func
        arguments, wrt, kinds = helper_call(func, value, self.kinds, self.active, self.parsed,
                                            stmt.lineno)
        if not wrt:
            return []
        split = self.purity is not None and not self.purity.function(func)
        fname, seed, forward = self.derive_helper(func, wrt, kinds, stmt, split)
        outs = [self.temp(self.adj(arguments[p].id) + "_" + func.__name__) for p in wrt]
        self.extra_adjoints.update(outs)
        if split:   # not pure: it runs once, in the forward sweep, and saves what we need
            saved = self.namer.fresh(func.__name__ + "_saved")
            self.primal.add(saved)
            self.residuals[id(stmt)] = (forward, saved)
            args, keywords = [name(saved)], []
        else:
            args = [clone(a) for a in value.args]
            keywords = [gast.keyword(arg=k.arg, value=clone(k.value)) for k in value.keywords]
        keywords.append(gast.keyword(arg=seed, value=dout))
        vjp = gast.Call(func=name(fname), args=args, keywords=keywords)
        target = name(outs[0], store=True) if len(outs) == 1 else gast.Tuple(
            elts=[name(o, store=True) for o in outs], ctx=gast.Store())
        result = [gast.Assign(targets=[target], value=vjp, type_comment=None)]
        for p, o in zip(wrt, outs):
            result.append(aug(self.adj(arguments[p].id), name(o)))
        return result

    def needs_shaped_zero(self, body):
        """Names whose zero adjoint must have their shape, not be the scalar 0.0: results of
        rules that are not element-wise, of helpers and of packs, and (their adjoints flow
        into those, or into the gradient of an array argument) element-wise results and
        copies of them or of array arguments. The reverse rules of the former reshape, index
        or scan the adjoint, which a scalar zero (the adjoint of ``np.cumsum``'s result read
        in one branch only, or on the last trip of a loop) does not survive, and a gradient
        has its argument's shape."""
        out = {w for w in self.facts.wrt if self.kinds.get(w) != SCALAR}   # a gradient too
        passing = []
        for s in assignments(body):
            op = self.facts.ops[id(s)]
            arrays = [t for t in targets(s) if self.kinds.get(t) != SCALAR]
            if op.kind == "copy" or op.kind == "rule" and op.rule.elementwise:
                passing.append((arrays, {a.id for a in op.operands if isinstance(a, gast.Name)}))
            elif op.kind != "subscript":
                out |= set(arrays)
        grew = True
        while grew:
            grew = False
            for arrays, operands in passing:
                if operands & out and not set(arrays) <= out:
                    out |= set(arrays)
                    grew = True
        return out

    def zero_of_any(self, v):
        """A zero cotangent that also fits a tuple (callees may index it)."""
        if self.kinds.get(v) == SCALAR or ndim_of(self.kinds.get(v) or "unknown"):
            return self.zero(v)
        return call(self.rt("zeros_like"), name(v))

    def zero(self, v):
        """``v``'s zero adjoint, with ``v``'s shape where that matters: at the top of the
        reverse sweep ``v`` holds its final value, after a binding's adjoint the value (or the
        saved shape) of the binding before."""
        if v in self.dense or self.kinds.get(v) == SEQ or \
                v in self.shaped_zero and v not in self.facts.wrt:
            return call(self.rt("zeros_like"), name(v))
        if v in self.facts.wrt:
            kind = self.kinds.get(v)
            if kind == SCALAR:
                return const(0.0)
            if kind and kind.startswith("array"):
                return call(attr(self.rt("np"), "zeros_like"), name(v))
            return call(self.rt("zeros_like"), name(v))
        return const(0.0)

    # ---- which values the reverse sweep reads ------------------------------------------
    def plan(self, body, params):
        """Build every adjoint once (in order), and collect the primal names they read."""
        self.adjoints, self.reads, self.value_reads = {}, set(), set()
        self.shaped_zero = self.needs_shaped_zero(body)
        self.unpacked = {s.value.id for s in walk_stmts(body) if isinstance(s, gast.Assign)
                         and isinstance(s.targets[0], gast.Tuple) and isinstance(s.value, gast.Name)}
        self.unpacked |= {n.value.id for n in walk(gast.Module(body=body, type_ignores=[]))
                          if isinstance(n, gast.Subscript) and isinstance(n.value, gast.Name)
                          and ndim_of(self.kinds.get(n.value.id) or UNKNOWN) is None}
        shape_of = same_shape(body, params, self.kinds, self.facts.ops, assigned_names(body),
                              self.facts.values)
        self.masked = self.where_fed(body)
        bound_by = {}
        for s in assignments(body):
            for t in targets(s):
                bound_by.setdefault(t, set()).add(self.facts.ops[id(s)].kind)
        self.masks = {t for t, how in bound_by.items() if how == {"compare"}}   # x[x > 0] = v
        self.self_refs = set()
        self.self_ref_douts = {}
        self.recompute_if, self.recompute_range = set(), set()
        self.guards = {id(s.body[-1]) for s in walk_stmts(body) if self.guarded(s)}

        def visit(stmts):
            for s in stmts:
                if isinstance(s, gast.Assign):
                    tn = targets(s)
                    active = [t for t in tn if t in self.active]
                    if not active:
                        continue
                    self_ref = bool(set(tn) & loaded_names(s.value))
                    if self_ref:
                        self.self_refs.add(id(s))
                    op = self.facts.ops[id(s)]
                    if op.kind in ("setitem", "append"):
                        adj = self.mutation_adjoint(s, op)
                        self.adjoints[id(s)] = (adj, None)
                        for a in read_shapes_from(adj, shape_of, self.runtime):
                            self.note_reads(a)
                        continue
                    if op.kind == "restore_add":   # x = x + stack.pop(): dx passes through
                        dout = name(self.adj(tn[0]))
                        self.self_refs.add(("inplace", id(s)))
                        self.adjoints[id(s)] = (self.adjoint(s, dout, False), dout)
                        continue
                    if self_ref and len(tn) == 1 and op.kind == "rule" and op.rule.elementwise:
                        dout = name(self.adj(tn[0]))
                        adj = self.replace_self(tn[0], self.adjoint(s, dout, True), s.lineno)
                        self.self_refs.add(("inplace", id(s)))
                        self.adjoints[id(s)] = (adj, dout)
                        for a in read_shapes_from(adj, shape_of, self.runtime):
                            self.note_reads(a)
                        continue
                    if len(tn) == 1:
                        dout = name(self.adj(tn[0]))
                    else:   # an unpacked target no one reads has a zero derivative
                        dout = gast.Tuple(elts=[name(self.adj(t)) if t in self.active else
                                                self.zero_of_any(t) for t in tn], ctx=gast.Load())
                    if self_ref:    # dout is kept before the old values come back
                        self.self_ref_douts[id(s)] = dout
                        self.note_reads(dout)
                        dout = name(self.adj_temp(self.adj(tn[0]) + "_new") if len(tn) == 1
                                    else self.adj_temp("d_" + "_".join(tn)))
                    adj = read_shapes_from(self.adjoint(s, dout, self_ref), shape_of, self.runtime,
                                           tn[0] if len(tn) == 1 and op.kind == "rule" and
                                           op.rule.elementwise else None)
                    self.adjoints[id(s)] = (adj, dout)
                    for a in adj:
                        self.note_reads(a)
                elif isinstance(s, gast.If):
                    visit(s.body)
                    visit(s.orelse)
                    if id(s) in self.guards:
                        continue    # its While counts the trips that pass it (sweep_While)
                    if self.has_adjoint(s) and not (loaded_names(s.test) & assigned_names(s.body + s.orelse)):
                        self.recompute_if.add(id(s))
                        self.note_reads(s.test, shapes=False)
                elif isinstance(s, (gast.For, gast.While)):
                    visit(s.body)
                    if isinstance(s, gast.For) and self.has_adjoint(s):
                        if not (loaded_names(s.iter) & assigned_names(s.body)) and not any(
                                isinstance(n, gast.Call) and not isinstance(n.func, gast.Name)
                                for n in walk(s.iter)):
                            self.recompute_range.add(id(s))
                            self.note_reads(s.iter, shapes=False)
        visit(body)
        for s in assignments(body):   # a killed adjoint's zero takes the old value's shape
            for t in targets(s):
                if t in self.active and self.facts.ops[id(s)].kind not in ("setitem", "append"):
                    self.note_reads(self.zero(t))
        # x[i] = v is undone if the reverse sweep reads x or a view of x (they share memory),
        # or if x may be an argument (the caller's array); that needs i, and x (not its shape)
        shares = sharing(list(assignments(body)), self.facts.ops, self.kinds)
        for _ in range(2):
            for s in assignments(body):
                group = shares.get(targets(s)[0], frozenset()) | {targets(s)[0]}
                if is_setitem(s) and group & (self.reads | set(params)):
                    self.reads.add(targets(s)[0])
                if is_setitem(s) and targets(s)[0] in self.reads:
                    self.note_reads(s.targets[0].slice, shapes=False)
                    self.value_reads.add(targets(s)[0])

    def note_reads(self, node, shapes=True):
        """Primal names the reverse sweep reads in ``node``; ``value_reads`` leaves out those
        read only for a shape (``unbroadcast(g, v)``), which ``shape_of(v)`` can stand for."""
        self.reads |= loaded_names(node) & (self.primal if shapes else loaded_names(node))
        self.value_reads |= (value_loads(node, self.runtime) if shapes else loaded_names(node)) \
            & self.reads

    # ---- arrays and lists changed in place -------------------------------------------
    def mutation_adjoint(self, s, op):
        """``x[i] = v``: ``dv += dx[i]``, then ``dx[i] = 0`` (the old element is gone);
        ``lst.append(v)``: ``dv += dlst.pop()`` (the derivative list shrinks with the list)."""
        x = targets(s)[0]
        self.dense.add(x)
        dx = name(self.adj(x))
        value = op.operands[-1]
        if op.kind == "append":
            taken = call(attr(dx, "pop"))
            if self.is_active(value):
                return [aug(self.adj(value.id), taken)]
            return [gast.Expr(value=taken)]
        index = s.targets[0].slice
        out = []
        if self.is_active(value):
            part = gast.Subscript(value=dx, slice=clone(index), ctx=gast.Load())
            if not self.is_element(x, index) and self.kinds.get(x) != SEQ:
                part = call(attr(self.rt("np"), "copy"), part)   # dx[i] is zeroed next
                if self.may_repeat(index):
                    part = call(self.rt("last_written"), dx, index_value(clone(index)))
                if self.kinds.get(value.id) != self.kinds.get(x) or self.kinds.get(x) is None:
                    part = call(self.rt("unbroadcast"), part, name(value.id))
            out.append(aug(self.adj(value.id), part))
        out.append(assign(gast.Subscript(value=name(dx.id), slice=clone(index),
                                         ctx=gast.Store()), const(0.0), s.lineno))
        return out

    def may_repeat(self, index):
        """Whether ``index`` may hold an integer array, which may repeat an index (a mask,
        ``x > 0``, cannot)."""
        return any(isinstance(n, gast.Name) and self.kinds.get(n.id) != SCALAR and
                   n.id not in self.masks for n in walk(index))

    def is_element(self, x, index):
        """Is ``x[index]`` one element (an immutable scalar, or a list's item), not a view?"""
        kind = self.kinds.get(x)
        if kind == SEQ:
            return not isinstance(index, gast.Slice)
        nd = ndim_of(kind or UNKNOWN)
        parts = index.elts if isinstance(index, gast.Tuple) else [index]
        scalar = all(isinstance(p, gast.Constant) and type(p.value) is int or
                     isinstance(p, gast.UnaryOp) or
                     isinstance(p, gast.Name) and self.kinds.get(p.id) == SCALAR for p in parts)
        return scalar and nd == len(parts)

    def replace_self(self, target, adj, lineno):
        """``x = f(x, y)``: contributions to ``y`` first, then ``dx = dx * df/dx``."""
        d = self.adj(target)
        others, mine = [], None
        for a in adj:
            if isinstance(a.target, gast.Name) and a.target.id == d:
                value = a.value if isinstance(a.op, gast.Add) else gast.UnaryOp(
                    op=gast.USub(), operand=a.value)
                mine = assign(d, value, lineno)
            else:
                others.append(a)
        return others + [mine or assign(d, self.zero(target), lineno)]   # f constant in x

    def has_adjoint(self, stmt):
        return any(id(n) in self.adjoints for n in walk(stmt))

    def pushes(self, body, params):
        """Targets to save at each assignment: read by the reverse sweep and maybe bound.

        A value saved where it may still be unbound (first trip of a loop) gets ``= None``
        at the top, so the push never reads an unbound name."""
        self.saved, self.unbound = {}, set()
        invariant = self.invariant_names(body, params)
        returned = loaded_names(self.fn.body[-1])     # read after the body: not block-local
        rereads, _ = rereadable(body, params, self.facts.ops, self.kinds,
                                frozenset(self.residuals))
        rereads = {k: [r for r in v if not set(targets(r)) & returned] for k, v in rereads.items()}
        self.rereads = {k: [r for r in v if not set(targets(r)) <= invariant]   # kept as is
                        for k, v in rereads.items()}
        reread = {id(r) for v in self.rereads.values() for r in v}
        plan, self.blocks = block_locals(body, self.facts.ops, reread | set(self.residuals))
        plan = {b: [t for t in names if t not in returned] for b, names in plan.items()}
        self.block_names = plan
        self.block_saved = {b: [t for t in names if t in self.value_reads and t not in invariant]
                            for b, names in plan.items()}
        self.recomputed = self.cheap_recomputes(plan)
        for b, names in self.block_saved.items():
            self.block_saved[b] = [t for t in names if t not in self.recomputed.get(b, {})]
        local = {t for names in self.block_saved.values() for t in names} | {
            t for names in self.recomputed.values() for t in names}
        # their adjoints start at zero where each trip's reverse starts, shaped by this trip's
        # value (after the adjoint of their binding, the name holds no other trip's value)
        self.zeroed_at_start = local | {t for v in self.rereads.values() for r in v
                                        for t in targets(r)}

        def visit(stmts, maybe, sure):
            for s in stmts:
                if isinstance(s, gast.Assign) and self.facts.ops[id(s)].kind in ("setitem", "append"):
                    if targets(s)[0] in self.reads:
                        self.saved[id(s)] = targets(s)   # its old element, or a pop, restores it
                elif isinstance(s, gast.Assign):
                    bound = self.bound_by(s)
                    keep = [t for t in bound if t in self.reads and t in maybe
                            and t not in invariant and id(s) not in reread and t not in local]
                    if keep:
                        self.saved[id(s)] = keep
                        self.unbound |= set(keep) - sure
                    maybe |= set(bound)
                    sure |= set(bound)
                elif isinstance(s, gast.If):
                    m1, m2, s1, s2 = set(maybe), set(maybe), set(sure), set(sure)
                    visit(s.body, m1, s1)
                    visit(s.orelse, m2, s2)
                    maybe |= m1 | m2
                    sure |= s1 & s2
                elif isinstance(s, (gast.For, gast.While)):
                    if isinstance(s, gast.For):
                        t = s.target.id
                        if t in self.reads and t in maybe:
                            self.saved[id(s)] = [t]
                            self.unbound |= {t} - sure
                    inner = maybe | assigned_names(s.body) | self.saved_by_helpers(s.body) | (
                        {s.target.id} if isinstance(s, gast.For) else set())
                    visit(s.body, inner, set(sure) | ({s.target.id} if isinstance(s, gast.For) else set()))
                    maybe |= inner
        self.surely_bound = set(params)     # bound on every path through the forward sweep
        visit(body, set(params), self.surely_bound)

    def bound_by(self, s):
        """Names an assignment binds in the forward sweep: its targets, and what a helper
        that is not pure saved for its reverse half."""
        if id(s) in self.residuals:
            return targets(s) + [self.residuals[id(s)][1]]
        return targets(s)

    def saved_by_helpers(self, stmts):
        return {self.residuals[id(s)][1] for s in walk_stmts(stmts) if id(s) in self.residuals}

    def forward_statement(self, s):
        """The statement as the forward sweep runs it: a helper that is not pure runs its
        forward half, which also returns what its reverse half reads."""
        if id(s) not in self.residuals:
            return s
        forward, saved = self.residuals[id(s)]
        call_ = gast.Call(func=name(forward), args=[clone(a) for a in s.value.args],
                          keywords=[clone(k) for k in s.value.keywords])
        target = gast.Tuple(elts=[clone(s.targets[0]), name(saved, store=True)], ctx=gast.Store())
        return located(gast.Assign(targets=[target], value=call_, type_comment=None), s.lineno)

    def invariant_names(self, body, params):
        """Names whose every binding computes the same value: one pure op of constants and
        names never rebound (``h = 0.5 * dt`` in a loop). Rebinding one loses nothing, so
        it is not saved however often the loop runs."""
        rebound = assigned_names(body)
        bindings = {}
        for s in walk_stmts(body):
            if isinstance(s, gast.For):
                rebound.add(s.target.id)
            elif isinstance(s, gast.Assign):
                for t in targets(s):
                    bindings.setdefault(t, []).append(s)
        invariant, grew = set(), True
        while grew:
            grew = False
            for t, stmts in bindings.items():
                if t not in invariant and t not in params and all(
                        len(targets(s)) == 1 and isinstance(s.targets[0], gast.Name) and
                        self.facts.ops[id(s)].kind in PURE_OPS and
                        not loaded_names(s.value) & rebound - invariant and fingerprint(s.value) == fingerprint(stmts[0].value) for s in stmts):
                    invariant.add(t)
                    grew = True
        return invariant

    # ---- assembling the two sweeps -----------------------------------------------------
    def push(self, value):
        return gast.Expr(value=call(attr(name(self.stack), "append"), value))

    def pop(self):
        return call(attr(name(self.stack), "pop"))

    def pair(self, pushes, pop):
        self.pairs.append((pushes, pop))

    def cheap_recomputes(self, plan):
        """``{id(block): {name: (its statement, index of its last reader)}}``: scalar values a
        block saves for its reverse that one arithmetic op makes again from what the reverse
        has anyway (``y_times_y = y * y`` once ``y`` is back): computed again just before
        their last reader's adjoint, never saved."""
        out = {}
        for block_id, saved in self.block_saved.items():
            block, names = self.blocks[block_id], plan[block_id]
            where = {t: next(i for i, b in enumerate(block)
                             if isinstance(b, gast.Assign) and t in targets(b)) for t in names}
            chosen = {t: block[where[t]] for t in names if self.cheap(block[where[t]])}
            while True:
                last = {}
                for t in sorted(chosen, key=where.get, reverse=True):
                    last[t] = max([where[t]] + [i for i, b in enumerate(block)
                                                if t in loaded_names(b)] +
                                  [last[u] for u in last if t in loaded_names(chosen[u].value)])
                keep = {t: s for t, s in chosen.items()
                        if loaded_names(s.value) <= self.reads | set(chosen) and not
                        loaded_names(s.value) & assigned_names(block[where[t] + 1:last[t] + 1])}
                if keep.keys() == chosen.keys():
                    break
                chosen = keep
            needed = set(saved) & set(chosen)
            for t in sorted(chosen, key=where.get, reverse=True):
                if t in needed:
                    needed |= loaded_names(chosen[t].value) & set(chosen)
            made = {}   # an operand only these make again is written into its reader
            for t in sorted(needed, key=where.get):
                stmt = templates.Substitute(made).visit(clone(chosen[t]))
                if t in saved or sum(t in loaded_names(chosen[u].value) for u in needed) != 1:
                    out.setdefault(block_id, {})[t] = (located(stmt, chosen[t].lineno), last[t])
                else:
                    made[t] = stmt.value
        return out

    def cheap(self, s):
        """One arithmetic op on scalars: as cheap to compute again as to pop."""
        op = self.facts.ops[id(s)]
        return len(targets(s)) == 1 and self.kinds.get(targets(s)[0]) == SCALAR and \
            op.kind == "rule" and op.rule.elementwise and \
            all(self.kinds.get(n) == SCALAR for n in loaded_names(s.value))

    def sweep(self, stmts):
        fwd, rev = [], []
        again = {}
        for t, (s, last) in self.recomputed.get(id(stmts), {}).items():
            again.setdefault(last, []).append(s)
        for k, s in enumerate(stmts):
            f, r = getattr(self, "sweep_" + type(s).__name__, self.sweep_plain)(s)
            if k in again:   # bound again just before its last reader's adjoint
                r = [clone(a) for a in again[k]] + r
            fwd += f
            rev = r + rev
        saved = [t for t in self.block_saved.get(id(stmts), []) if t in self.reads]
        lineno = getattr(stmts[-1], "lineno", None) if stmts else None
        rev = self.start_zeros(self.block_names.get(id(stmts), []), lineno) + rev
        if saved:   # the block's own values, saved at its end, back at its reverse's start
            pushes = [located(self.push(name(t)), lineno) for t in saved]
            pops = [located(assign(t, self.pop(), lineno), lineno) for t in reversed(saved)]
            for push, pop in zip(pushes, reversed(pops)):
                self.pair([push], pop)
            fwd, rev = fwd + pushes, pops + rev
        return fwd, rev

    def start_zeros(self, names, lineno):
        return [located(assign(self.adj(t), self.zero(t), lineno), lineno) for t in names
                if t in self.active and t in self.zeroed_at_start]

    def sweep_plain(self, s):
        return [s], []

    def sweep_Expr(self, s):
        """``stack.append(x)`` in a derivative being differentiated again: ``x``'s adjoint
        gets back what the matching restore pushed on the adjoint stack."""
        value = s.value
        if is_tape_call(value, self.parsed.scope, "append") and self.is_active(value.args[0]):
            tape = self.tape_derivative(value.func.value.id)
            back = aug(self.adj(value.args[0].id), call(attr(name(tape), "pop")))
            return [s], [located(back, s.lineno)]
        return [s], []

    def sweep_Assign(self, s):
        if self.facts.ops[id(s)].kind in ("setitem", "append"):
            return self.sweep_mutation(s)
        fwd, rev = [], []
        pops = []
        for t in self.saved.get(id(s), []):
            kept = name(t) if t in self.value_reads else call(self.rt("shape_of"), name(t))
            push = located(self.push(kept), s.lineno)
            pop = located(assign(t, self.pop(), s.lineno), s.lineno)
            self.pair([push], pop)
            fwd.append(push)
            pops.append(pop)
        fwd.append(self.forward_statement(s))
        if id(s) not in self.adjoints:
            return fwd, list(reversed(pops))
        adj, dout = self.adjoints[id(s)]
        kills = [assign(self.adj(t), self.zero(t), s.lineno) for t in targets(s)
                 if t in self.active and t not in self.zeroed_at_start]
        if ("inplace", id(s)) in self.self_refs:
            rev = list(reversed(pops)) + adj
        elif id(s) in self.self_refs:
            save = [assign(dout.id, self.self_ref_douts[id(s)], s.lineno)]
            rev = save + list(reversed(pops)) + kills + adj
        else:
            rev = adj + list(reversed(pops)) + kills
        return fwd, [located(r, s.lineno) for r in rev]

    def sweep_mutation(self, s):
        """The old element is saved before ``x[i] = v`` and put back after its adjoint; an
        appended list gets its last item popped."""
        x = targets(s)[0]
        adj = self.adjoints.get(id(s), ([], None))[0]
        if id(s) not in self.saved:
            return [s], [located(a, s.lineno) for a in adj]
        if not is_setitem(s):
            restore = gast.Expr(value=call(attr(name(x), "pop")))
            return [s], [located(a, s.lineno) for a in adj + [restore]]
        index = s.targets[0].slice
        old = gast.Subscript(value=name(x), slice=clone(index), ctx=gast.Load())
        if not self.is_element(x, index) and self.kinds.get(x) != SEQ:   # a view: copy it
            old = call(attr(self.rt("np"), "copy"), old)
        push = located(self.push(old), s.lineno)
        pop = assign(gast.Subscript(value=name(x), slice=clone(index), ctx=gast.Store()),
                     self.pop(), s.lineno)
        self.pair([push], pop)
        return [push, s], [located(a, s.lineno) for a in adj + [pop]]

    def sweep_If(self, s):
        bf, br = self.sweep(s.body)
        of, orr = self.sweep(s.orelse)
        if not (br or orr):
            return [gast.If(test=s.test, body=bf, orelse=of)], []
        if id(s) in self.recompute_if:
            return ([located(gast.If(test=s.test, body=bf, orelse=of), s.lineno)],
                    [located(gast.If(test=clone(s.test), body=br, orelse=orr), s.lineno)])
        placed = []
        body = self.finally_push(bf, lambda: self.push(const(True)), placed)
        orelse = self.finally_push(of, lambda: self.push(const(False)), placed)
        rev_if = located(gast.If(test=self.pop(), body=br, orelse=orr), s.lineno)
        self.pair(placed, rev_if)
        return [located(gast.If(test=s.test, body=body, orelse=orelse), s.lineno)], [rev_if]

    def finally_push(self, block, make, placed):
        """Add a push that runs on every path through ``block``: before each jump that
        leaves it, and at its end if control can fall through."""
        out = []
        for i, s in enumerate(block):
            if isinstance(s, (gast.Break, gast.Continue)):
                placed.append(make())
                return out + [placed[-1], s]
            if isinstance(s, gast.If):
                if i == len(block) - 1:
                    s.body = self.finally_push(s.body, make, placed)
                    s.orelse = self.finally_push(s.orelse, make, placed)
                    return out + [s]
                self.push_before_jumps(s, make, placed)
            out.append(s)
        placed.append(make())
        return out + [placed[-1]]

    def push_before_jumps(self, stmt, make, placed):
        for part in ("body", "orelse"):
            block = getattr(stmt, part)
            for s in block:
                if isinstance(s, gast.If):
                    self.push_before_jumps(s, make, placed)
            if block and isinstance(block[-1], (gast.Break, gast.Continue)):
                placed.append(make())
                block.insert(len(block) - 1, placed[-1])

    def trip_counter(self, lineno):
        counter = self.temp("trips")
        init = located(assign(counter, const(0), lineno), lineno)
        step = located(gast.AugAssign(target=name(counter, store=True), op=gast.Add(),
                                      value=const(1)), lineno)
        return counter, init, step

    def sweep_For(self, s):
        bf, br = self.sweep(s.body)
        fwd, rev_tail = [], []
        for t in self.saved.get(id(s), []):    # the loop rebinds a value read later in reverse
            push = self.push(name(t))
            pop = assign(t, self.pop(), s.lineno)
            self.pair([push], pop)
            fwd.append(push)
            rev_tail.append(pop)
        if not br:
            return fwd + [gast.For(target=s.target, iter=s.iter, body=bf, orelse=[],
                                   type_comment=None)], rev_tail
        again = self.reread(self.rereads.get(id(s), []))
        br = again + self.start_zeros([t for r in self.rereads.get(id(s), []) for t in targets(r)],
                                      s.lineno) + br
        iterable = s.iter
        if id(s) not in self.recompute_range:
            hoisted = self.temp(s.target.id + "_range")
            fwd.append(assign(hoisted, s.iter, s.lineno))
            iterable = name(hoisted)
            self.reads.add(hoisted)
        breaks = any(isinstance(n, gast.Break) for n in self.own_jumps(s.body))
        body = bf
        back = clone(iterable)
        if breaks:
            counter, init, step = self.trip_counter(s.lineno)
            fwd.append(init)
            body = [step] + bf
            back = gast.Subscript(value=back, slice=gast.Slice(lower=None, upper=self.pop(), step=None),
                                  ctx=gast.Load())
        fwd.append(located(gast.For(target=s.target, iter=iterable, body=body, orelse=[],
                                    type_comment=None), s.lineno))
        rev_loop = located(gast.For(target=clone(s.target), iter=backwards(back),
                                    body=br, orelse=[], type_comment=None), s.lineno)
        if breaks:
            push = self.push(name(counter))
            fwd.append(push)
            self.pair([push], rev_loop)
        return fwd, [rev_loop] + rev_tail

    def reread(self, stmts):
        """The statements a reverse iteration runs again first: those binding what it reads,
        and what they read in turn."""
        wanted, out = set(self.reads), []
        for r in reversed(stmts):
            if set(targets(r)) & wanted:
                out.insert(0, located(clone(r), r.lineno))
                wanted |= loaded_names(r.value)
        return out

    def own_jumps(self, stmts):
        for s in stmts:
            if isinstance(s, (gast.Break, gast.Continue)):
                yield s
            elif isinstance(s, gast.If):
                yield from self.own_jumps(s.body)
                yield from self.own_jumps(s.orelse)

    def guarded(self, s):
        """``while True: <head>; if <stop>: break; else: <rest>``, as a while loop whose test
        needs statements is lowered: its reverse runs ``<rest>``'s once per trip that passed
        the test, with no flag (the last trip is the one that stopped)."""
        if not (isinstance(s, gast.While) and isinstance(s.test, gast.Constant) and s.body and
                isinstance(s.body[-1], gast.If)):
            return False
        stop = s.body[-1]
        return len(stop.body) == 1 and isinstance(stop.body[0], gast.Break) and \
            not any(isinstance(n, (gast.Break, gast.Continue, gast.Return))
                    for n in walk_stmts(s.body[:-1] + stop.orelse))

    def sweep_guarded(self, s):
        """``sweep_While`` of a guarded loop, when its head leaves nothing to the reverse
        sweep; None otherwise."""
        head, stop = s.body[:-1], s.body[-1]
        if any(id(h) in self.saved or self.has_adjoint(h) for h in walk_stmts(head)):
            return None
        fh, rh = self.sweep(head)
        fr, rr = self.sweep(stop.orelse)
        if rh or not rr:
            return None
        counter, init, step = self.trip_counter(s.lineno)
        push = self.push(name(counter))
        guard = located(gast.If(test=stop.test, body=stop.body, orelse=[step] + fr), stop.lineno)
        fwd = [init, located(gast.While(test=s.test, body=fh + [guard], orelse=[]), s.lineno),
               push]
        rev_loop = located(gast.For(target=name(self.namer.fresh("_"), store=True),
                                    iter=call(name("range"), self.pop()), body=rr, orelse=[],
                                    type_comment=None), s.lineno)
        self.pair([push], rev_loop)
        return fwd, [rev_loop]

    def sweep_While(self, s):
        if id(s.body[-1]) in self.guards if s.body else False:
            done = self.sweep_guarded(s)
            if done is not None:
                return done
        bf, br = self.sweep(s.body)
        if not br:
            return [gast.While(test=s.test, body=bf, orelse=[])], []
        counter, init, step = self.trip_counter(s.lineno)
        push = self.push(name(counter))
        fwd = [init, located(gast.While(test=s.test, body=[step] + bf, orelse=[]), s.lineno), push]
        rev_loop = located(gast.For(target=name(self.namer.fresh("_"), store=True),
                                    iter=call(name("range"), self.pop()), body=br, orelse=[],
                                    type_comment=None), s.lineno)
        self.pair([push], rev_loop)
        return fwd, [rev_loop]

    # ---- the whole function ------------------------------------------------------------
    def run(self, fname):
        fn = self.fn
        params = [a.id for a in fn.args.args + fn.args.kwonlyargs]
        body, ret = fn.body[:-1], fn.body[-1]
        result = ret.value
        self.plan(body, params)
        self.pushes(body, params)
        fwd, rev = self.sweep(body)
        result_name = atom_name(result)
        if isinstance(result, gast.Constant) and self.mode in ("grad", "value_and_grad") and \
                (isinstance(result.value, bool) or not isinstance(result.value, (int, float))):
            raise SrcadError(f"srcad.{self.mode} needs a function with a scalar output, but "
                             f"{fn.name} returns {result.value!r}", self.parsed.filename,
                             getattr(ret, "lineno", None) or fn.lineno,
                             "return the value to differentiate (is a return statement missing?)")
        seed = self.adj(result_name) if result_name else self.namer.fresh("dout")
        inits = []
        for v in sorted(self.active | set(self.facts.wrt), key=self.order_key(fn)):
            if v != result_name:
                zero = self.zero(v)
                if v in loaded_names(zero) and v not in self.surely_bound:
                    self.unbound.add(v)     # zeros_like(v) of a name bound on some paths only
                inits.append(assign(self.adj(v), zero, fn.lineno))
        for tape in sorted(self.tape_derivatives.values()):
            inits.append(assign(tape, gast.List(elts=[], ctx=gast.Load()), fn.lineno))
        checks = []
        if self.mode in ("grad", "value_and_grad") and result_name and \
                self.kinds.get(result_name) != SCALAR and not self.surely_scalar(result_name):
            checks.append(gast.Expr(value=call(self.rt("assert_scalar"), name(result_name))))
        grads = [name(self.adj(w)) for w in self.facts.wrt]
        grads = grads[0] if len(grads) == 1 else gast.Tuple(elts=grads, ctx=gast.Load())
        if self.mode in ("value_and_grad", "split"):
            value = clone(result)
            if result_name and any(result_name in ts for ts in self.saved.values()):
                value = name(self.namer.fresh("value"))    # the reverse sweep restores it
                kept = assign(value.id, clone(result), fn.lineno)
                if self.mode == "split":
                    fwd.append(kept)        # the forward half returns it
                else:
                    checks.insert(0, kept)
            grads = gast.Tuple(elts=[value, grads], ctx=gast.Load())
        marker = lambda text: gast.Expr(value=const(MARK + text))
        placeholders = [assign(v, const(None), fn.lineno) for v in sorted(self.unbound)]
        new_body = ([assign(self.stack, gast.List(elts=[], ctx=gast.Load()), fn.lineno),
                     marker("forward sweep")] + placeholders + fwd + [marker("reverse sweep")] + checks +
                    inits + rev + [gast.Return(value=grads)])
        args = clone(fn.args)
        seed_param = name(seed)
        seed_param.ctx = gast.Param()
        args.args.append(seed_param)
        args.defaults.append(const(1.0))
        tree = gast.FunctionDef(name=fname, args=args, body=new_body, decorator_list=[],
                                returns=None, type_comment=None, type_params=[])
        for n in walk(tree):
            if isinstance(n, (gast.stmt, gast.expr)) and getattr(n, "lineno", None) is None:
                n.lineno = fn.lineno
        adjoints = set(self.adj_names.values()) | {seed} | self.extra_adjoints
        kinds = {self.adj_names[v]: self.kinds.get(v) for v in self.adj_names}
        temps = self.temps | self.generated | {
            self.adj_names[v] for v in self.adj_names if v in self.generated}
        dense = {self.adj_names[v] for v in self.dense if v in self.adj_names}
        tapes = {self.stack} | set(self.tape_derivatives.values())
        return Reversed(tree, adjoints, temps, self.pairs, kinds, {seed}, dense, tapes,
                        self.parsed.scope.tapes)

    def same_shape(self, a, b):
        """``a`` and ``b`` surely have one shape (the values know both): broadcasting did not
        widen either."""
        return self.facts.values is not None and self.facts.values.same_shape(a, b)

    def surely_scalar(self, v):
        """``v`` has shape (): a scalar, or a 0-d array (np.sum's result)."""
        return self.facts.values is not None and self.facts.values.shape(v) == ()

    def order_key(self, fn):
        order = {a.id: i for i, a in enumerate(fn.args.args + fn.args.kwonlyargs)}
        for n in walk(fn):
            if isinstance(n, gast.Name) and n.id not in order:
                order[n.id] = len(order)
        return lambda v: (order.get(v, len(order)), v)
