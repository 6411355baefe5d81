"""Every adjoint built once, in order, before the sweeps are assembled: ``plan`` records each
statement's adjoint and the primal names the reverse sweep reads (for their values, or only for
their shapes), which decide what ``saving.Saving`` keeps. A mixin of ``reverse.ReverseMode``."""
import gast

from .analysis import (SCALAR, SEQ, UNKNOWN, assigned_names, assignments, is_setitem, loaded_names,
                       ndim_of, targets)
from .build import attr, call, const
from .normalize import name
from .shape_reads import read_shapes_from, same_shape, value_loads
from .views import sharing
from .walk import walk, walk_stmts


class Planning:
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
        self.unpacked |= {s.value.value.id for s in walk_stmts(body)   # layer.W of a structure
                          if isinstance(s, gast.Assign) and isinstance(s.value, gast.Attribute)
                          and isinstance(s.value.value, gast.Name)
                          and self.facts.ops[id(s)].key == ("field", s.value.attr)}
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

        self.plan_block(body, shape_of)
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

    def plan_block(self, stmts, shape_of):
        for s in stmts:
            if isinstance(s, gast.Assign):
                self.plan_assign(s, shape_of)
            elif isinstance(s, gast.If):
                self.plan_block(s.body, shape_of)
                self.plan_block(s.orelse, shape_of)
                if id(s) in self.guards:
                    continue    # its While counts the trips that pass it (sweep_While)
                if self.has_adjoint(s) and not (loaded_names(s.test) &
                                                assigned_names(s.body + s.orelse)):
                    self.recompute_if.add(id(s))
                    self.note_reads(s.test, shapes=False)
            elif isinstance(s, (gast.For, gast.While)):
                self.plan_block(s.body, shape_of)
                if isinstance(s, gast.For) and self.has_adjoint(s):
                    if not (loaded_names(s.iter) & assigned_names(s.body)) and not any(
                            isinstance(n, gast.Call) and not isinstance(n.func, gast.Name)
                            for n in walk(s.iter)):
                        self.recompute_range.add(id(s))
                        self.note_reads(s.iter, shapes=False)

    def plan_assign(self, s, shape_of):
        """The adjoint of one assignment, and the primal names it reads."""
        tn = targets(s)
        active = [t for t in tn if t in self.active]
        if not active:
            return
        self_ref = bool(set(tn) & loaded_names(s.value))
        if self_ref:
            self.self_refs.add(id(s))
        op = self.facts.ops[id(s)]
        if op.kind in ("setitem", "append"):
            adj = self.mutation_adjoint(s, op)
            self.adjoints[id(s)] = (adj, None)
            for a in read_shapes_from(adj, shape_of, self.runtime):
                self.note_reads(a)
            return
        if op.kind == "restore_add":   # x = x + stack.pop(): dx passes through
            dout = name(self.adj(tn[0]))
            self.self_refs.add(("inplace", id(s)))
            self.adjoints[id(s)] = (self.adjoint(s, dout, False), dout)
            return
        if self_ref and len(tn) == 1 and op.kind == "rule" and op.rule.elementwise:
            dout = name(self.adj(tn[0]))
            adj = self.replace_self(tn[0], self.adjoint(s, dout, True), s.lineno)
            self.self_refs.add(("inplace", id(s)))
            self.adjoints[id(s)] = (adj, dout)
            for a in read_shapes_from(adj, shape_of, self.runtime):
                self.note_reads(a)
            return
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

    def note_reads(self, node, shapes=True):
        """Primal names the reverse sweep reads in ``node``; ``value_reads`` leaves out those
        read only for a shape (``unbroadcast(g, v)``), which ``shape_of(v)`` can stand for."""
        self.reads |= loaded_names(node) & (self.primal if shapes else loaded_names(node))
        self.value_reads |= (value_loads(node, self.runtime) if shapes else loaded_names(node)) \
            & self.reads
