"""The sweeps of each statement kind: a (forward, reverse) pair per statement, combined by
blocks, branches and loops. A mixin of ``reverse.ReverseMode``, using ``saving.Saving``'s
decisions."""
import gast

from .analysis import SEQ, is_setitem, is_tape_call, loaded_names, targets
from .build import TRIPS, attr, aug, backwards, call, const
from .normalize import assign, located, name
from .walk import clone, walk_stmts


class Sweeps:
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
        local = self.block_names.get(id(stmts), [])
        # zero where each trip's reverse starts, and again where it ends: a name a trip binds
        # before reading it passes nothing to its value before the trip, the loop's first
        # trip included (a parameter the loop overwrites has a zero derivative; fuzz 48:732)
        rev = self.start_zeros(local, lineno) + rev + self.start_zeros(local, lineno)
        if saved:   # the block's own values, saved at its end, back at its reverse's start
            pushes = [located(self.push(self.kept(t)), lineno) for t in saved]
            pops = [located(assign(t, self.pop(), lineno), lineno) for t in reversed(saved)]
            for push, pop in zip(pushes, reversed(pops)):
                self.pair([push], pop)
            fwd, rev = fwd + pushes, pops + rev
        return fwd, rev

    def kept(self, t):
        """What a save of ``t`` pushes: its value, or its shape when the reverse sweep reads
        only that (the reverse sweep then calls it ``t_shape``, see ``ReverseMode.run``)."""
        if t in self.value_reads:
            return name(t)
        self.shape_saved.add(t)
        return call(self.rt("shape_of"), name(t))

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
            push = located(self.push(self.kept(t)), s.lineno)
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
        counter = self.temp(TRIPS)
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
