"""Dead code: statements whose results no one reads, removed with the pushes of values no one
pops, and loops that only feed themselves. A mixin of ``optimize.Optimizer`` (it uses its
``tree``, ``pairs``, ``inherited``, ``memo`` and ``pure``)."""
import gast

from .build import stores
from .tree_facts import (
    PURE_CALLS,
    has_call,
    is_init,
    is_pop,
    is_undo_of_append,
    private_lists,
    uses,
    written,
)
from .walk import walk, walk_stmts


class _Any:
    """Contains every name (``is_undo_of_append`` of any list)."""
    def __contains__(self, item):
        return True


class DeadCode:
    def dead_code(self):
        for _ in range(6):
            self.dead_pops = []
            undoes = any(is_undo_of_append(s, _Any()) for s in walk_stmts(self.tree.body))
            self.private = private_lists(self.tree, self.runtime.get("appended", "appended")) \
                if undoes else frozenset()
            live = self.live_block(self.tree.body, set(), None, remove=True)
            if not self.dead_pops:
                return
            drop = set()
            for pushes, pop in self.pairs:
                if any(pop is d for d in self.dead_pops):
                    drop |= {id(p) for p in pushes} | {id(pop)}
            drop |= self.unread_tapes()
            self.remove_ids(self.tree.body, drop)
            self.pairs = [(p, q) for p, q in self.pairs if id(q) not in drop]
            del live

    def unread_tapes(self):
        """Statements of the input's stacks when every value popped from them is dead (the
        pairing of their pushes and pops is not known here, so it is all or nothing)."""
        dead = {id(d) for d in self.dead_pops}
        drop = set()
        for tape in self.inherited:
            mine = [s for s in walk_stmts(self.tree.body) if tape in {
                n.id for n in walk(s if not isinstance(s, (gast.If, gast.For, gast.While))
                                        else (s.test if not isinstance(s, gast.For) else s.iter))
                if isinstance(n, gast.Name)}]
            pops = [s for s in mine if not (isinstance(s, gast.Expr) or is_init(s))]
            if pops and all(id(s) in dead for s in pops):
                drop |= {id(s) for s in mine}
        return drop

    def remove_ids(self, stmts, drop):
        stmts[:] = [s for s in stmts if id(s) not in drop]
        for s in stmts:
            for field in ("body", "orelse"):
                if isinstance(getattr(s, field, None), list):
                    self.remove_ids(getattr(s, field), drop)

    def live_block(self, stmts, live, loop, remove):
        """Backward liveness; with ``remove`` drops dead statements. Returns live-in."""
        keep = []
        for s in reversed(stmts):
            live, alive = self.live_stmt(s, live, loop, remove)
            if alive or not remove:
                keep.append(s)
        if remove:
            stmts[:] = list(reversed(keep))
        return live

    def live_stmt(self, s, live, loop, remove):
        if isinstance(s, gast.Assign):
            names = stores(s)
            sub_target = any(not isinstance(t, (gast.Name, gast.Tuple, gast.List)) for t in s.targets)
            base = s.targets[0].value if sub_target else None
            if sub_target and isinstance(base, gast.Name) and base.id in self.adjoints and \
                    base.id not in live and not self.memo(is_pop, s.value):
                return live, False    # an element of a derivative no one reads any more
            if not sub_target and not (names & live) and self.memo(self.pure_expr, s.value):
                if self.memo(is_pop, s.value):
                    if remove:
                        self.dead_pops.append(s)
                    return live, True
                return live, False
            return (live - names) | self.memo(uses, s), True
        if isinstance(s, gast.AugAssign):
            t = s.target
            base = t.id if isinstance(t, gast.Name) else t.value.id if isinstance(t, gast.Subscript) \
                and isinstance(t.value, gast.Name) else None
            if base is not None and base not in live and not self.memo(is_pop, s.value):
                return live, False
            return live | self.memo(uses, s), True
        if isinstance(s, gast.If):
            l1 = self.live_block(s.body, set(live), loop, remove)
            l2 = self.live_block(s.orelse, set(live), loop, remove)
            if remove and not s.body and not s.orelse:
                if self.memo(is_pop, s.test):
                    self.dead_pops.append(s)
                    return live | self.memo(uses, s), True
                if not has_call(s.test):
                    return live, False
            return l1 | l2 | self.memo(uses, s), True
        if isinstance(s, (gast.For, gast.While)):
            if remove and self.faint_loop(s, live):
                return live, False
            exit_live = set(live)
            head = set(live) | self.memo(uses, s)
            for _ in range(len(s.body) + 3):
                body_in = self.live_block(s.body, set(head), (exit_live, head), False)
                new = head | body_in
                if isinstance(s, gast.For):
                    new = (new - {s.target.id}) | self.memo(uses, s) | exit_live
                if new == head:
                    break
                head = new
            self.live_block(s.body, set(head), (exit_live, head), remove)
            if remove and not s.body and not (isinstance(s, gast.For) and s.target.id in live):
                if self.memo(is_pop, s.iter if isinstance(s, gast.For) else s.test):
                    self.dead_pops.append(s)
                    return head, True
                node = s.iter if isinstance(s, gast.For) else s.test
                if all(isinstance(n.func, gast.Name) and n.func.id in PURE_CALLS
                       for n in walk(node) if isinstance(n, gast.Call)):
                    return live, False
            return head, True
        if isinstance(s, gast.Break):
            return set(loop[0]) if loop else live, True
        if isinstance(s, gast.Continue):
            return set(loop[1]) if loop else live, True
        if isinstance(s, gast.Return):
            return self.memo(uses, s), True
        if is_undo_of_append(s, self.private) and s.value.func.value.id not in live:
            return live, False
        return live | self.memo(uses, s), True

    def faint_loop(self, loop, live):
        """A loop whose statements only feed its own control (``while True: x = g(x); if x <
        c: break`` with ``x`` dead after it) computes nothing anyone reads."""
        header_node = loop.iter if isinstance(loop, gast.For) else loop.test
        if isinstance(loop, gast.For) and loop.target.id in live:
            return False
        if not self.memo(self.pure_expr, loop):     # a draw in it must still be made
            return False
        if any(isinstance(n, gast.Call) and not (isinstance(n.func, gast.Name) and n.func.id in
                                                  PURE_CALLS) for n in walk(header_node)):
            return False
        body = list(walk_stmts(loop.body))
        for b in body:
            if isinstance(b, (gast.Expr, gast.Return, gast.Assert, gast.Raise)) or (
                    isinstance(b, (gast.Assign, gast.AugAssign)) and (
                        self.memo(is_pop, b.value) or not stores(b) and not isinstance(b, gast.AugAssign))):
                return False
            if isinstance(b, (gast.If, gast.While, gast.For)) and self.memo(is_pop, 
                    b.iter if isinstance(b, gast.For) else b.test):
                return False
        needed, changed = set(live), True
        while changed:
            changed = False
            for b in body:
                if isinstance(b, (gast.Assign, gast.AugAssign)) and written(b) & needed:
                    new = self.memo(uses, b) - needed
                    needed |= new
                    changed = changed or bool(new)
        return not any(isinstance(b, (gast.Assign, gast.AugAssign)) and written(b) & needed
                       for b in body)
