"""Values a reverse iteration reads again instead of popping them.

A loop body that binds ``x_t = xs[t]`` (a container the function never changes, read at the
loop's index) or ``i_minus_1 = i - 1`` (index arithmetic) computes, in iteration ``t``, a value
that depends on ``t`` and on names that never change. The reverse iteration ``t`` can compute
it again, at its top, from the index the reversed loop sets: nothing is pushed, nothing is
popped, no ``= None`` placeholder is needed (design §4: "push only what the reverse sweep reads
and cannot recompute").

Sound when the value's only readers are the statements after it in the same loop body (so the
value of the current iteration is the one every reader wants), its operands are the enclosing
loops' indices and names bound once before the loop, and the container it indexes is never
changed: no element store or append anywhere in the function, and no call that may change it.
"""
import gast

from .analysis import assignments, loaded_names, targets
from .kinds import SCALAR
from .walk import walk, walk_blocks, walk_stmts

REREAD_OPS = ("subscript", "rule", "copy")
CHANGING_OPS = ("setitem", "append", "unknown", "badcall", "helper", "restore", "restore_add")


def rereadable(body, params, ops, kinds, impure=frozenset()):
    """``{id(for loop): [statements its reverse iteration re-runs first]}``, and the ids of
    those statements (their targets are never saved). ``impure``: ids of statements whose call
    may change its arguments."""
    stable = stable_names(body, params)
    mutated = mutated_containers(body, ops)
    plan, chosen = {}, set()

    def visit(stmts, indices):
        for s in stmts:
            if isinstance(s, gast.For):
                inner = indices | {s.target.id} if isinstance(s.target, gast.Name) else indices
                picked, known = [], set(stable)     # what is picked is known again too
                for j, b in enumerate(s.body):
                    if rereadable_statement(b, s.body[:j], s.body[j + 1:], body, inner, known,
                                            mutated, ops, kinds, impure):
                        picked.append(b)
                        known |= set(targets(b))
                if picked:
                    plan[id(s)] = picked
                    chosen.update(map(id, picked))
                visit(s.body, inner)
            elif isinstance(s, gast.While):
                visit(s.body, set())    # a while loop's reverse sets no index
            elif isinstance(s, gast.If):
                visit(s.body, indices)
                visit(s.orelse, indices)
    visit(body, set())
    return plan, frozenset(chosen)


def rereadable_statement(s, before, after, body, indices, stable, mutated, ops, kinds, impure):
    if not isinstance(s, gast.Assign) or id(s) in impure:
        return False
    target = s.targets[0]
    if not (isinstance(target, gast.Name) or isinstance(target, gast.Tuple) and
            all(isinstance(e, gast.Name) for e in target.elts)):
        return False
    op = ops.get(id(s))
    if op is None or op.kind not in REREAD_OPS:
        return False
    names = set(targets(s))
    operands = loaded_names(s.value)
    if not operands <= indices | stable or operands & names:
        return False
    if op.kind == "subscript":
        if loaded_names(s.value.value) & mutated:
            return False
    elif op.kind == "rule" and not all(kinds.get(n) == SCALAR for n in operands - indices):
        return False     # only index arithmetic: array work is not redone
    if sum(1 for a in assignments(body) if names & set(targets(a))) != 1:
        return False
    readers = {id(n) for n in walk_stmts_nodes(after) if isinstance(n, gast.Name)}
    for n in walk_stmts_nodes(body):
        if isinstance(n, gast.Name) and n.id in names and isinstance(n.ctx, gast.Load) and \
                id(n) not in readers:
            return False
    return not any(n in loaded_names(b) for b in before for n in names)


def walk_stmts_nodes(stmts):
    for s in stmts:
        yield from walk(s)


def binding_counts(body):
    """name -> how often the function binds it (a loop's target counts twice: every trip)."""
    counts = {}
    for s in walk_stmts(body):
        if isinstance(s, gast.Assign):
            for t in targets(s):
                counts[t] = counts.get(t, 0) + 1
        elif isinstance(s, gast.For) and isinstance(s.target, gast.Name):
            counts[s.target.id] = counts.get(s.target.id, 0) + 2
    return counts


def stable_names(body, params):
    """Parameters never rebound, and names bound once, at the top level, outside any loop."""
    counts = binding_counts(body)
    top = {t for s in body if isinstance(s, gast.Assign) for t in targets(s)}
    return {p for p in params if p not in counts} | {t for t in top if counts.get(t) == 1
                                                     and t not in params}


def mutated_containers(body, ops):
    """Names that may change in place: everything read by a function that stores elements,
    appends or calls what may change its arguments (a view may alias any of them)."""
    if any(getattr(s, "in_place", False) or ops.get(id(s)) is None or
           ops[id(s)].kind in CHANGING_OPS for s in assignments(body)) or \
            any(isinstance(s, (gast.AugAssign, gast.Expr)) for s in walk_stmts(body)):
        return {n.id for s in body for n in walk(s) if isinstance(n, gast.Name)}
    return set()


def block_locals(body, ops, skip=frozenset(), uniform=lambda t: False):
    """``{id(block): [names]}``, ``{id(block): block}`` and the (statement id, name) pairs of
    carried names: names bound once in the function, at the top level of a block
    inside a loop (a loop's body or a branch of an ``if`` there), and read only after that
    binding in the same block. The block saves their values at its end and its reverse pops
    them at its start, in one place: each run of the block finds its own values, so nothing
    is restored afterwards and no placeholder is needed for the first trip. ``skip``: ids of
    statements not to consider (re-read ones, helpers that save for their reverse half).

    Also *carried* names, bound first at the top of a loop's block (before any use there) and
    then again inside it, never bound or read outside it, of one shape throughout
    (``uniform``): the Newton iterate ``y = 1.0; while ...: y = y - step``. The block saves
    their last value at its end for its reverse's start; the bindings after the first save
    their old values as usual."""
    counts = binding_counts(body)
    loads = {}
    for n in walk_stmts_nodes(body):
        if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Load):
            loads.setdefault(n.id, set()).add(id(n))
    plan, blocks, carried = {}, {}, {}
    looped = set()      # bound once in a loop and read nowhere else: not carried outside it
    guards = set()

    def block(stmts, loop=None):
        if own_jumps(stmts):
            return
        names = []
        inside = {id(n) for n in walk_stmts_nodes(stmts)}
        for j, s in enumerate(stmts):   # bound first here, then again: a value of one shape
            if not isinstance(s, gast.Assign) or id(s) in skip or len(targets(s)) != 1 or \
                    ops.get(id(s)) is None or ops[id(s)].kind in ("setitem", "append"):
                continue
            t = targets(s)[0]
            if counts.get(t, 0) > 1 and uniform(t) and t not in loaded_names(s.value) and \
                    loads.get(t, set()) <= inside and bound_only_in(body, stmts, t) and \
                    not any(t in mentioned(b) for b in stmts[:j]):
                carried.setdefault(id(stmts), []).append((t, id(s)))
        for j, s in enumerate(stmts):
            if not isinstance(s, gast.Assign) or id(s) in skip or \
                    ops.get(id(s)) is None or ops[id(s)].kind in ("setitem", "append"):
                continue
            after = {id(n) for n in walk_stmts_nodes(stmts[j + 1:]) if isinstance(n, gast.Name)}
            for t in targets(s):
                if t in loaded_names(s.value):
                    continue
                if counts.get(t) == 1 and loads.get(t, set()) <= after:
                    names.append(t)
                elif loop is not None and loop_local(loop, t, after, loads):
                    names.append(t)
                    looped.add(t)
        if names:
            plan[id(stmts)] = names
            blocks[id(stmts)] = stmts

    def visit(stmts, in_loop):
        for s in stmts:
            if isinstance(s, (gast.For, gast.While)):
                block(s.body, s)
                if guard_of(s) is not None:
                    block(guard_of(s).orelse, s)
                    guards.add(id(guard_of(s)))
                visit(s.body, True)
            elif isinstance(s, gast.If):
                if in_loop and id(s) not in guards:
                    block(s.body)
                    block(s.orelse)
                visit(s.body, in_loop)
                visit(s.orelse, in_loop)
    visit(body, False)
    for b in list(carried):
        carried[b] = [(t, i) for t, i in carried[b] if t not in looped]
        if not carried[b]:
            del carried[b]
    for b, pairs in carried.items():
        plan.setdefault(b, []).extend(t for t, _ in pairs)
        blocks[b] = next(x for x in walk_blocks(body) if id(x) == b)
    return plan, blocks, {(i, t) for pairs in carried.values() for t, i in pairs}


def loop_local(loop, t, after, loads):
    """``t`` is bound once in ``loop`` (in its block, as the caller checked) and read only after
    that binding there or by a while loop's test, which the reverse sweep does not run again
    (the Newton ``step``, also bound before the loop): each trip's reverse wants that trip's
    value, and no reverse outside the loop reads ``t``."""
    bindings = sum(1 for s in walk_stmts(loop.body) if isinstance(s, gast.Assign) and
                   t in targets(s) or isinstance(s, gast.For) and t in mentioned(s.target))
    return bindings == 1 and loads.get(t, set()) <= after | test_loads(loop, loads)


def guard_of(loop):
    """The ``if not cond: break else: <rest>`` ending ``while True: <head>; ...``, the form a
    while loop whose test needs statements is lowered to; None for any other loop."""
    if not (isinstance(loop, gast.While) and isinstance(loop.test, gast.Constant) and loop.body
            and isinstance(loop.body[-1], gast.If)):
        return None
    guard = loop.body[-1]
    if len(guard.body) == 1 and isinstance(guard.body[0], gast.Break):
        return guard
    return None


def test_loads(loop, loads):
    """Ids of the names a loop's test reads: a while loop's test, or the head and condition of a
    guarded one when the head computes nothing else: what it binds is read nowhere but in the
    head and the condition (its reverse then has nothing to do; a ``z`` set before the
    ``break`` and read after the loop makes the head's reads real ones, review of trip lists)."""
    if not isinstance(loop, gast.While):
        return set()
    guard = guard_of(loop)
    if guard is None:
        return {id(n) for n in walk(loop.test)}
    head = loop.body[:-1]
    inside = {id(n) for n in walk_stmts_nodes(head + [guard.test]) if isinstance(n, gast.Name)}
    if not all(isinstance(h, gast.Assign) for h in head) or \
            any(not loads.get(b, set()) <= inside for b in assigned_in(head)):
        return set()
    return inside


def assigned_in(stmts):
    return {t for s in stmts if isinstance(s, gast.Assign) for t in targets(s)}


def own_jumps(stmts):
    """A ``break`` or ``continue`` of this block's loop (not of a loop nested in it)."""
    for s in stmts:
        if isinstance(s, (gast.Break, gast.Continue)):
            return True
        if isinstance(s, gast.If) and (own_jumps(s.body) or own_jumps(s.orelse)):
            return True
    return False


def mentioned(node):
    return {n.id for n in walk(node) if isinstance(n, gast.Name)}


def bound_only_in(body, block, t):
    """Every binding of ``t`` in the function is inside ``block``."""
    inside = {id(s) for s in walk_stmts(block)}
    return all(id(s) in inside for s in walk_stmts(body)
               if isinstance(s, gast.Assign) and t in targets(s) or
               isinstance(s, gast.For) and t in mentioned(s.target))
