"""A while loop that saves one value per trip keeps its trips in a list of its own:

    trips = []                          trips = 0
    while c:                            while c:
        ...                                 trips += 1
        trips.append((y, step))   for       ...
        ...                                 stack.append((y, step))
    stack.append(trips)                 stack.append(trips)
    trips = stack.pop()                 for _ in range(stack.pop()):
    for y, step in reversed(trips):         y, step = stack.pop()
        ...                                 ...

Same values, in the same order, one statement fewer on each side and no counter; the list is
pushed like any saved value, so it can join a batch (``batching``). A transform of the
derivative reads it back as the counter form (``frontend.unbatched``), knowing the lists by the
names the derivative carries (``__srcad_trip_lists__``), not by their spelling."""
import gast

from .batching import stack_push
from .build import TRIPS, assign, call, name
from .rereads import guard_of
from .walk import walk, walk_blocks, walk_stmts


def trip_lists(tree, pairs, temps):
    """Rewrites each such loop in place; returns the (push, pop) pairs of the lists. Only
    srcad's own counters (``temps``) qualify, never a user's ``trips``."""
    rev_of = {id(pushes[0]): pop for pushes, pop in pairs if len(pushes) == 1}
    block_of = {id(s): b for b in walk_blocks(tree.body) for s in b}
    mentions = {}
    for n in walk(tree):
        if isinstance(n, gast.Name):
            mentions[n.id] = mentions.get(n.id, 0) + 1
    out = []
    places = [(block, k) for block in walk_blocks(tree.body) for k in range(1, len(block) - 1)]
    for block, k in reversed(places):      # inner loops first: an outer one may then qualify
        loop, after = block[k], block[k + 1]
        counter = counter_init(block[k - 1], temps)
        pushed = stack_push(after)
        if not isinstance(loop, gast.While) or counter is None or pushed is None or \
                pushed[1] != counter or mentions.get(counter) != 3:
            continue
        rev = rev_of.get(id(after))
        found = trip_block(loop, counter, pushed[0])
        if found is not None and reverse_trip(rev, pushed[0]):
            block[k - 1].value = gast.List(elts=[], ctx=gast.Load())
            out.append(([after], listed(counter, found, rev, block_of[id(rev)])))
    return out


def listed(counter, found, rev, home):
    """Counts the trips into a list, which ``rev`` (in ``home``) pops and walks backwards;
    returns that pop."""
    trip, push = found
    trip[:] = [s for s in trip if not counts(s, counter)]
    push.value.func.value.id = counter
    pop = gast.copy_location(assign(counter, rev.iter.args[0], rev.lineno), rev)
    rev.target = rev.body[0].targets[0]
    rev.iter = call("reversed", name(counter))
    rev.body = rev.body[1:]
    home.insert(next(i for i, s in enumerate(home) if s is rev), pop)
    return pop


def counter_init(s, temps):
    """``N`` of ``N = 0`` when ``N`` is a trip counter srcad made; else None."""
    if isinstance(s, gast.Assign) and len(s.targets) == 1 and \
            isinstance(s.targets[0], gast.Name) and s.targets[0].id in temps and \
            s.targets[0].id.startswith(TRIPS) and \
            isinstance(s.value, gast.Constant) and s.value.value == 0 and \
            type(s.value.value) is int:
        return s.targets[0].id
    return None


def counts(s, counter):
    """``N += 1``."""
    return isinstance(s, gast.AugAssign) and isinstance(s.target, gast.Name) and \
        s.target.id == counter and isinstance(s.op, gast.Add)


def trip_block(loop, counter, stack):
    """(the block that counts each trip, its one push) when every trip runs that block to its
    end and the stack is used nowhere else in the loop; else None."""
    guard = guard_of(loop)
    trip = guard.orelse if guard is not None else loop.body
    jumps = [n for n in walk_stmts(loop.body) if isinstance(n, (gast.Break, gast.Continue,
                                                                gast.Return, gast.Raise))]
    allowed = [guard.body[0]] if guard is not None else []
    if loop.orelse or not any(counts(s, counter) for s in trip) or \
            any(all(j is not a for a in allowed) for j in jumps):
        return None
    uses = [n for n in walk(loop) if isinstance(n, gast.Name) and n.id == stack]
    pushes = [s for s in trip if stack_push_any(s, stack)]
    if len(uses) != 1 or len(pushes) != 1:
        return None
    return trip, pushes[0]


def stack_push_any(s, stack):
    """``stack.append(e)`` for any ``e``."""
    v = s.value if isinstance(s, gast.Expr) else None
    return isinstance(v, gast.Call) and isinstance(v.func, gast.Attribute) and \
        v.func.attr == "append" and isinstance(v.func.value, gast.Name) and \
        v.func.value.id == stack and len(v.args) == 1 and not v.keywords


def pops(e, stack):
    """``e`` is ``stack.pop()``."""
    return isinstance(e, gast.Call) and isinstance(e.func, gast.Attribute) and \
        e.func.attr == "pop" and isinstance(e.func.value, gast.Name) and \
        e.func.value.id == stack and not e.args and not e.keywords


def reverse_trip(rev, stack):
    """``for _ in range(stack.pop()): <targets> = stack.pop(); <rest>`` with ``_`` unread and
    ``stack`` used nowhere in ``<rest>``."""
    if not isinstance(rev, gast.For) or not isinstance(rev.target, gast.Name) or \
            len(rev.body) < 2:
        return False
    it, first = rev.iter, rev.body[0]
    if not (isinstance(it, gast.Call) and isinstance(it.func, gast.Name) and
            it.func.id == "range" and len(it.args) == 1 and pops(it.args[0], stack) and
            isinstance(first, gast.Assign) and len(first.targets) == 1 and
            pops(first.value, stack)):
        return False
    target = first.targets[0]
    if not (isinstance(target, gast.Name) or isinstance(target, gast.Tuple) and
            all(isinstance(e, gast.Name) for e in target.elts)):
        return False
    rest = [n for s in rev.body[1:] for n in walk(s) if isinstance(n, gast.Name)]
    return not any(n.id in (stack, rev.target.id) for n in rest)
