"""What the reverse sweep saves, and where: the pushes before a value is overwritten, the
values a loop block saves at its end (rereads.block_locals), what a reverse iteration reads
again or computes again instead. A mixin of ``reverse.ReverseMode``: it reads the facts and the
adjoints ``plan`` built, and decides the pairs of pushes and pops."""
import gast

from . import templates
from .analysis import (SCALAR, assigned_names, loaded_names, targets)
from .build import attr, call
from .normalize import located, name
from .rereads import block_locals, rereadable
from .tree_facts import is_pop
from .walk import clone, fingerprint, walk, walk_blocks, walk_stmts

PURE_OPS = ("rule", "copy", "global", "compare", "subscript")   # same operands, same value


def clobbered(operands, bound, start, end):
    """Whether a statement after ``start``, up to ``end``, binds one of ``operands``."""
    return any(operands & b for b in bound[start + 1:end + 1])


class Saving:
    def pushes(self, body, params):
        """Targets to save at each assignment: read by the reverse sweep and maybe bound.

        A value saved where it may still be unbound (first trip of a loop) gets ``= None``
        at the top, so the push never reads an unbound name."""
        self.saved, self.unbound = {}, set()
        invariant = self.invariant_names(body, params)
        # read after the body (the parts of a tuple result too, fuzz 60:447): not block-local
        returned = loaded_names(self.fn.body[-1]) | self.result_parts
        rereads, _ = rereadable(body, params, self.facts.ops, self.kinds,
                                frozenset(self.residuals))
        rereads = {k: [r for r in v if not set(targets(r)) & returned] for k, v in rereads.items()}
        self.rereads = {k: [r for r in v if not set(targets(r)) <= invariant]   # kept as is
                        for k, v in rereads.items()}
        reread = {id(r) for v in self.rereads.values() for r in v}
        plan, self.blocks, carried = block_locals(body, self.facts.ops,
                                                  reread | set(self.residuals), self.uniform)
        plan = {b: [t for t in names if t not in returned] for b, names in plan.items()}
        carried_names = {t for _, t in carried}
        self.block_names = {b: [t for t in names if t not in carried_names]
                            for b, names in plan.items()}
        self.block_saved = {b: [t for t in names if t in self.reads and t not in invariant]
                            for b, names in plan.items()}
        self.recomputed = self.cheap_recomputes(self.block_names)
        for made in self.recomputed.values():   # what they compute from is read as a value,
            for stmt, _ in made.values():       # not as a shape (fuzz 46:701)
                self.value_reads |= loaded_names(stmt.value) & self.reads
        for b, names in self.block_saved.items():
            self.block_saved[b] = [t for t in names if t not in self.recomputed.get(b, {})]
        local = {t for names in self.block_saved.values() for t in names} | {
            t for names in self.recomputed.values() for t in names}
        first = {(i, t) for i, t in carried if t in local}    # later bindings save as usual
        local -= carried_names
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
                            and t not in invariant and id(s) not in reread and t not in local
                            and (id(s), t) not in first]
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
            if not chosen:
                continue
            read = [loaded_names(b) for b in block]
            bound = [assigned_names([b]) for b in block]
            while True:
                last = {}
                for t in sorted(chosen, key=where.get, reverse=True):
                    last[t] = max([where[t]] + [i for i, r in enumerate(read) if t in r] +
                                  [last[u] for u in last if t in read[where[u]]])
                drop = {t for t in chosen if not read[where[t]] <= self.reads | set(chosen)}
                if not drop:    # made again late for a reader made again late: save the top one
                    bad = [t for t in chosen if self.clobbered_chain(t, chosen, where, read, bound,
                                                                     last[t])]
                    drop = {max(bad, key=where.get)} if bad else set()
                if not drop:
                    break
                chosen = {t: s for t, s in chosen.items() if t not in drop}
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

    @staticmethod
    def clobbered_chain(t, chosen, where, read, bound, end):
        """Whether what ``t`` is made again from (through other names made again) is bound
        again before ``end``, where its last reader's adjoint needs it."""
        chain, todo = set(), [t]
        while todo:
            u = todo.pop()
            if u not in chain:
                chain.add(u)
                todo.extend(read[where[u]] & set(chosen))
        base = set().union(*(read[where[u]] for u in chain)) - chain
        return clobbered(base, bound, min(where[u] for u in chain), end)

    def cheap(self, s):
        """One arithmetic op on scalars: as cheap to compute again as to pop."""
        op = self.facts.ops[id(s)]
        return len(targets(s)) == 1 and self.kinds.get(targets(s)[0]) == SCALAR and \
            op.kind == "rule" and op.rule.elementwise and \
            all(self.kinds.get(n) == SCALAR for n in loaded_names(s.value))

    def shapes_renamed(self, rev):
        """In the reverse sweep a value saved as its shape is ``h_shape``, not ``h``: a name
        the user reads as a value never holds a shape."""
        if self.parsed.scope.generated:
            return rev      # a derivative's derivative: its stacks pair pops with pushes by name
        for t in sorted(self.shape_saved):
            after_pops = []     # the statements from each pop of t to the end of its block
            for block in walk_blocks(rev):
                for k, s in enumerate(block):
                    if isinstance(s, gast.Assign) and len(s.targets) == 1 and \
                            isinstance(s.targets[0], gast.Name) and s.targets[0].id == t and \
                            is_pop(s.value):
                        after_pops += block[k:]
            mine = {id(n): n for m in after_pops for n in walk(m)
                    if isinstance(n, gast.Name) and n.id == t}
            every = [n for n in walk(gast.Module(body=rev, type_ignores=[]))
                     if isinstance(n, gast.Name) and n.id == t]
            if mine and len(mine) == len(every) and all(id(n) in mine for n in every):
                shape = self.temp(t + "_shape")     # else a read sees the forward's value
                for n in every:
                    n.id = shape
        return rev
