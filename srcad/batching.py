"""Values saved together are pushed together: ``stack.append((u, v, k1))`` once per step and
``u, v, k1 = stack.pop()`` once per reverse step, where the sweeps pushed each value where it was
last bound and popped it where it is first needed.

A push moves up to the first push of its group when nothing between binds its name, jumps, or
uses the stack; its pop moves up to the first pop of the group when nothing between reads or
binds its name, jumps, or uses the stack. The stack still holds the same values in the same
order, so a second transform reads the batch as the single pushes and pops it stands for
(``frontend.unbatched``).
"""

import gast

from .reaching import names_in
from .walk import walk, walk_blocks


def stack_push(s):
    """``stack.append(name)`` -> (stack, name), else None."""
    v = s.value if isinstance(s, gast.Expr) else None
    if isinstance(v, gast.Call) and isinstance(v.func, gast.Attribute) and \
            v.func.attr == "append" and isinstance(v.func.value, gast.Name) and \
            len(v.args) == 1 and isinstance(v.args[0], gast.Name) and not v.keywords:
        return v.func.value.id, v.args[0].id
    return None


def stack_pop(s):
    """``name = stack.pop()`` -> (stack, name), else None."""
    v = s.value if isinstance(s, gast.Assign) and len(s.targets) == 1 and \
        isinstance(s.targets[0], gast.Name) else None
    if isinstance(v, gast.Call) and isinstance(v.func, gast.Attribute) and v.func.attr == "pop" \
            and isinstance(v.func.value, gast.Name) and not v.args and not v.keywords:
        return v.func.value.id, s.targets[0].id
    return None


def jumps(s):
    return any(isinstance(n, (gast.Break, gast.Continue, gast.Return, gast.Raise))
               for n in walk(s))


def binds(s, v):
    return any(isinstance(n, gast.Name) and n.id == v and not isinstance(n.ctx, gast.Load) or
               isinstance(n, gast.AugAssign) and isinstance(n.target, gast.Name) and
               n.target.id == v for n in walk(s))


class Batching:
    def __init__(self, tree, pairs):
        self.tree = tree
        self.pop_of = {}        # id(push) -> its pop, for a pop restoring one push only
        for pushes, pop in pairs:
            if len(pushes) == 1:
                self.pop_of[id(pushes[0])] = pop
        self.where = {}         # id(statement) -> (block, index)
        for block in walk_blocks(tree.body):
            for i, s in enumerate(block):
                self.where[id(s)] = (block, i)

    def run(self):
        groups = []
        for block in walk_blocks(self.tree.body):
            groups += self.groups(block)
        for pushes, pops in groups:
            self.rewrite(pushes, pops)

    def groups(self, block):
        out, group = [], None
        for i, s in enumerate(block):
            push = stack_push(s)
            if push is None or id(s) not in self.pop_of:
                continue
            if group and self.joins(block, group, i):
                group.append(i)
                continue
            if group and len(group) > 1:
                out.append(self.statements(block, group))
            group = [i]
        if group and len(group) > 1:
            out.append(self.statements(block, group))
        return out

    def statements(self, block, group):
        pushes = [block[i] for i in group]
        return pushes, [self.pop_of[id(p)] for p in pushes]

    def joins(self, block, group, i):
        """Can the push at ``i`` join ``group`` (indices into ``block``), its pop with theirs?"""
        stack, v = stack_push(block[i])
        members = [stack_push(block[j]) for j in group]
        if any(s != stack or w == v for s, w in members):
            return False
        between = [block[j] for j in range(group[0] + 1, i) if j not in group]
        if any(stack in names_in(s) or jumps(s) or binds(s, v) for s in between):
            return False
        pops = [self.pop_of[id(block[j])] for j in group + [i]]
        places = [self.where.get(id(p)) for p in pops]
        if None in places or any(b is not places[0][0] for b, _ in places):
            return False
        rblock = places[0][0]
        at = [k for _, k in places]
        if any(at[n] <= at[n + 1] for n in range(len(at) - 1)):
            return False        # popped in the reverse order of the pushes
        first = at[-1]
        for pop, k in zip(pops, at):
            w = stack_pop(pop)
            if w is None or w[0] != stack:
                return False
            between = [rblock[j] for j in range(first + 1, k) if j not in at]
            if any(stack in names_in(s) or jumps(s) or w[1] in names_in(s) for s in between):
                return False
        return True

    def rewrite(self, pushes, pops):
        values = [stack_push(p)[1] for p in pushes]
        load = lambda v: gast.Name(id=v, ctx=gast.Load(), annotation=None, type_comment=None)
        store = lambda v: gast.Name(id=v, ctx=gast.Store(), annotation=None, type_comment=None)
        batch = gast.Tuple(elts=[load(v) for v in values], ctx=gast.Load())
        pushes[0].value.args = [batch]
        first_pop = pops[-1]
        first_pop.targets = [gast.Tuple(elts=[store(v) for v in values], ctx=gast.Store())]
        drop = {id(s) for s in pushes[1:] + pops[:-1]}
        for block in walk_blocks(self.tree.body):
            block[:] = [s for s in block if id(s) not in drop]
