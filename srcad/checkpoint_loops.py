"""A checkpointed loop's saves given to a ``Checkpoints`` object instead of the stack.

For ``for t in srcad.checkpointed(range(T), snapshots=k): u = step(u, kappa)`` the reverse
sweep srcad makes pushes ``u`` before each step and pops it, last to first. Here that becomes::

    u_snapshots = Checkpoints(T, 10)            # before the forward loop
    for t in range(T):
        u_snapshots.save(t, u)                  # keeps at most 10 states
        u = step(u, kappa)
    ...
    def advance_u(t, u):                        # the step itself, to recompute states
        u = step(u, kappa)
        return u
    for t in reversed(range(T)):
        u = u_snapshots.before(t, advance_u)    # recomputed from the nearest snapshot

A loop whose body calls a helper of your own for its new state (``u = step(u, t * dt)``) has
this form: its state saved once, first, in the forward sweep; any other loop marked for
checkpointing is refused at its line, as is one that reads a value the reverse sweep changes
before it recomputes a step.
"""
import gast

from .build import assign, attr, call, const, name
from .errors import UnsupportedSyntax
from .walk import clone, walk


def checkpoint_loops(tree, marks, runtime, filename, namer, split=False):
    """``tree`` with each marked loop (``marks``: {line: snapshots}) checkpointed."""
    for line, snapshots in sorted(marks.items()):
        loops = [s for s in tree.body if isinstance(s, gast.For) and s.lineno == line]
        if split:
            refuse(filename, line, "a checkpointed loop in a helper whose sweeps srcad splits "
                   "(it is not known to be pure)", "checkpoint the loop in the function you "
                   "differentiate, or make the helper pure")
        if not loops:
            if any(isinstance(n, gast.For) and n.lineno == line for n in walk(tree)):
                refuse(filename, line, "a checkpointed loop inside another loop or a branch",
                       "checkpoint a loop at the top of the function")
            continue    # (nothing of it is differentiated: it runs as it is)
        if len(loops) != 2:
            refuse(filename, line, "this checkpointed loop", BODY_HINT)
        checkpoint(tree, loops[0], loops[1], snapshots, runtime, filename, namer)
    return tree


BODY_HINT = "make the loop's body one call of a helper of yours: state = step(state, ...)"


def refuse(filename, line, what, hint):
    raise UnsupportedSyntax(f"cannot differentiate {what}", filename, line, hint)


def checkpoint(tree, forward, reverse, snapshots, runtime, filename, namer):
    line = forward.lineno
    pushes = [s for s in forward.body if is_call_of(s, "append")]
    if not pushes:
        return tree     # (nothing of the loop is saved: nothing to checkpoint)
    pops = [s for s in reverse.body if isinstance(s, gast.Assign) and
            is_call_of(gast.Expr(value=s.value), "pop")]
    steps = [s for s in forward.body if s not in pushes]
    if len(pushes) != 1 or len(pops) != 1 or not steps or \
            not isinstance(forward.iter, gast.Call) or not forward.iter.args or \
            not all(isinstance(s, gast.Assign) and not changes_a_list(s) for s in steps) or \
            any(changes_a_list(s) for s in reverse.body if s not in pops):
        refuse(filename, line, "this checkpointed loop", BODY_HINT)
    push, pop = pushes[0], pops[0]
    saved = push.value.args[0]
    if gast.dump(saved) != gast.dump(as_load(pop.targets[0])) or \
            pop.value.func.value.id != push.value.func.value.id:
        refuse(filename, line, "this checkpointed loop", BODY_HINT)
    at = forward.body.index(push)
    state = loop_state(forward.body[:at], forward.body[at + 1:],
                       [n.id for n in walk(saved) if isinstance(n, gast.Name)])
    if state is None:
        refuse(filename, line, "this checkpointed loop", BODY_HINT)
    index = forward.target.id
    reads = {n.id for s in steps for n in walk(s.value) if isinstance(n, gast.Name)} - \
        {n.id for s in steps for n in walk(s.targets[0]) if isinstance(n, gast.Name)} - \
        set(state) - {index}
    check_reads_stay(tree, forward, reads, filename)
    base = state[0] if len(state) == 1 else "state"
    snaps, advance = namer.fresh(f"{base}_snapshots"), namer.fresh(f"advance_{base}")
    state_load = name(state[0]) if len(state) == 1 else \
        gast.Tuple(elts=[name(n) for n in state], ctx=gast.Load())
    made = assign(snaps, call(name(runtime.get("Checkpoints", "Checkpoints")),
                              clone(forward.iter.args[0]), const(snapshots)), line)
    save = gast.Expr(value=call(attr(name(snaps), "save"), name(index), clone(state_load)))
    save.lineno = line
    forward.body[at] = save
    restore = assign(as_store(clone(state_load)), call(attr(name(snaps), "before"), name(index),
                                                       name(advance)), pop.lineno)
    at = reverse.body.index(pop)    # the values read before the save, read again
    reverse.body[at:at + 1] = [restore] + [clone(s) for s in forward.body[:forward.body.index(
        save)]]
    tree.body.insert(tree.body.index(forward), made)
    tree.body.insert(tree.body.index(reverse), advance_def(advance, index, state_load, steps,
                                                           line, namer))
    return tree


def loop_state(before, after, saved):
    """The names that carry the loop from one step to the next, among the ``saved`` ones (the
    others are read again before the save from the loop's index: ``x = xs[t]``); None when
    the loop is not of that form. What the steps before the save read, no step changes; no
    state name is assigned before the save; every value one step leaves for the next (read
    before it is assigned after the save) is state."""
    early = {n.id for s in before for n in walk(s.targets[0]) if isinstance(n, gast.Name)}
    late = {n.id for s in after for n in walk(s.targets[0]) if isinstance(n, gast.Name)}
    if any(n.id in late for s in before for n in walk(s.value) if isinstance(n, gast.Name)):
        return None
    state = [n for n in saved if n not in early]
    assigned, carried = set(early), set()
    for s in after:
        carried |= {n.id for n in walk(s.value) if isinstance(n, gast.Name)} - assigned
        assigned |= {n.id for n in walk(s.targets[0]) if isinstance(n, gast.Name)}
    if not state or not carried & late <= set(state) or late & early:
        return None
    return state


def advance_def(fname, index, state, steps, line, namer):
    """``def advance(t, u): u = step(u, kappa); return u`` (a tuple state unpacked first):
    the forward loop's body without its save."""
    body = []
    if isinstance(state, gast.Name):
        param = state.id
    else:
        param = namer.fresh("state")
        body.append(assign(as_store(clone(state)), name(param), line))
    body += [clone(s) for s in steps] + [gast.Return(value=clone(state))]
    args = gast.arguments(args=[name(index, store=False), name(param)], posonlyargs=[],
                          vararg=None, kwonlyargs=[], kw_defaults=[], kwarg=None, defaults=[])
    for a in args.args:
        a.ctx = gast.Param()
    fd = gast.FunctionDef(name=fname, args=args, body=body, decorator_list=[], returns=None,
                          type_comment=None, type_params=[])
    for n in walk(fd):
        if isinstance(n, (gast.stmt, gast.expr)):
            n.lineno = line
    return fd


def check_reads_stay(tree, forward, reads, filename):
    """The values the step reads besides its state (``kappa``) must be those it read in the
    forward sweep: bound before the loop and never again."""
    before = set()
    for s in tree.body[:tree.body.index(forward)]:
        before.update(id(n) for n in walk(s))
    for n in walk(tree):
        if isinstance(n, gast.Name) and n.id in reads and isinstance(n.ctx, gast.Store) and \
                id(n) not in before:
            refuse(filename, forward.lineno, f"this checkpointed loop: the step reads {n.id}, "
                   f"which changes after the loop begins (recomputing a step would read its "
                   f"new value)", f"pass {n.id} in the state (state = step(state, ...) "
                   f"returning it), or do not rebind it")


def changes_a_list(stmt):
    """A save or an append: the step would do it again each time it is recomputed."""
    return any(isinstance(n, gast.Attribute) and n.attr in ("append", "pop", "extend")
               for n in walk(stmt))


def is_call_of(stmt, method):
    return isinstance(stmt, gast.Expr) and isinstance(stmt.value, gast.Call) and \
        isinstance(stmt.value.func, gast.Attribute) and stmt.value.func.attr == method and \
        isinstance(stmt.value.func.value, gast.Name)


def as_load(node):
    node = clone(node)
    for n in walk(node):
        if hasattr(n, "ctx"):
            n.ctx = gast.Load()
    return node


def as_store(node):
    for n in walk(node):
        if hasattr(n, "ctx"):
            n.ctx = gast.Store()
    return node
