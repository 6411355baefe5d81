"""Last touches on a generated function: copies of a name to itself, ``reversed``, empty
branches, constant arithmetic, an unused stack, and appends printed as ``lst.append(v)``."""

import gast

from .build import is_reversal
from .tree_facts import is_marker
from .walk import walk


def tidy(stmts):
    """Drops ``x = x``, prints a reversal as ``reversed(...)``, turns an empty ``if``
    around, writes a guarded loop with nothing before its guard as a plain ``while``."""
    out = []
    for s in stmts:
        if isinstance(s, gast.Assign) and isinstance(s.targets[0], gast.Name) and \
                isinstance(s.value, gast.Name) and s.value.id == s.targets[0].id:
            continue
        for field in ("body", "orelse"):
            if isinstance(getattr(s, field, None), list):
                tidy(getattr(s, field))
        if isinstance(s, gast.For) and is_reversal(s.iter):
            s.iter = gast.Call(func=gast.Name(id="reversed", ctx=gast.Load(), annotation=None,
                                              type_comment=None), args=[s.iter.value], keywords=[])
        if isinstance(s, gast.If) and not s.body and s.orelse:
            s.test = negate(s.test)
            s.body, s.orelse = s.orelse, []
        guarded_to_plain(s)
        out.append(s)
    stmts[:] = out


def guarded_to_plain(s):
    """``while True: if not c: break else: rest`` (a guarded loop whose head the optimizer
    inlined into its test) -> ``while c: rest``."""
    if not (isinstance(s, gast.While) and isinstance(s.test, gast.Constant) and
            s.test.value is True and not s.orelse and s.body and isinstance(s.body[0], gast.If)):
        return
    guard = s.body[0]
    if len(guard.body) == 1 and isinstance(guard.body[0], gast.Break) and \
            (guard.orelse or s.body[1:]):
        s.test = negate(guard.test)
        s.body = guard.orelse + s.body[1:]


def drop_unused_stack(tree):
    """The stack when nothing is pushed on it, and the sweep markers when both are empty."""
    body = tree.body
    mentions = {}
    for n in walk(tree):
        if isinstance(n, gast.Name):
            mentions[n.id] = mentions.get(n.id, 0) + 1
    body[:] = [s for s in body if not (
        isinstance(s, gast.Assign) and isinstance(s.value, gast.List) and not s.value.elts
        and isinstance(s.targets[0], gast.Name) and mentions[s.targets[0].id] == 1)]
    markers = [i for i, s in enumerate(body) if is_marker(s)]
    if len(markers) == 2 and markers[1] == markers[0] + 1:
        del body[markers[1]]
        del body[markers[0]]


def print_appends(stmts, helper):
    """``lst = appended(lst, v)`` (the core language's in-place append) prints as
    ``lst.append(v)``."""
    for i, s in enumerate(stmts):
        for field in ("body", "orelse"):
            if isinstance(getattr(s, field, None), list):
                print_appends(getattr(s, field), helper)
        v = getattr(s, "value", None)
        if isinstance(s, gast.Assign) and isinstance(s.targets[0], gast.Name) and \
                isinstance(v, gast.Call) and isinstance(v.func, gast.Name) and \
                v.func.id == helper and len(v.args) == 2 and \
                isinstance(v.args[0], gast.Name) and v.args[0].id == s.targets[0].id:
            method = gast.Attribute(value=v.args[0], attr="append", ctx=gast.Load())
            stmts[i] = gast.Expr(value=gast.Call(func=method, args=[v.args[1]], keywords=[]))
            stmts[i].lineno = s.lineno


def negate(test):
    if isinstance(test, gast.UnaryOp) and isinstance(test.op, gast.Not):
        return test.operand
    return gast.UnaryOp(op=gast.Not(), operand=test)


def return_directly(body):
    """``dx, dy = dh(x, y, dout=...); return dx, dy`` -> ``return dh(x, y, dout=...)``."""
    if len(body) < 2 or not isinstance(body[-1], gast.Return):
        return
    ret, last = body[-1], body[-2]
    if not (isinstance(ret.value, gast.Tuple) and isinstance(last, gast.Assign) and
            len(last.targets) == 1 and isinstance(last.targets[0], gast.Tuple) and
            isinstance(last.value, gast.Call)):
        return
    names = lambda elts: [e.id if isinstance(e, gast.Name) else None for e in elts]
    returned, bound = names(ret.value.elts), names(last.targets[0].elts)
    if None not in returned and returned == bound and len(set(bound)) == len(bound):
        ret.value = last.value
        del body[-2]


def element_loops(tree, keep=frozenset()):
    """``for i in range(len(xs)): x = xs[i]; rest`` -> ``for x in xs: rest``, where nothing
    else reads ``i`` (outside the loops that bind their own) and the body does not name
    ``xs``: the loop the user wrote, where the reverse sweep did not need its index."""
    loops = [s for s in walk(tree) if isinstance(s, gast.For)]
    for loop in loops:
        seq = _indexed_sequence(loop) if loop.lineno not in keep else None
        if seq is None:
            continue
        index, first = loop.target.id, loop.body[0]
        rest_names = {n.id for s in loop.body[1:] for n in walk(s) if isinstance(n, gast.Name)}
        if index in rest_names or seq in rest_names:
            continue
        others = sum(_loads(s, index) for s in loops if s is not loop and
                     isinstance(s.target, gast.Name) and s.target.id == index)
        if _loads(tree, index) - others != 1:
            continue
        loop.target = first.targets[0]
        loop.iter = first.value.value
        del loop.body[0]


def _indexed_sequence(loop):
    """``xs`` of ``for i in range(len(xs)): x = xs[i]`` (x a name or a tuple of names)."""
    it, body = loop.iter, loop.body
    if not (isinstance(loop.target, gast.Name) and not loop.orelse and len(body) > 1 and
            isinstance(it, gast.Call) and isinstance(it.func, gast.Name) and
            it.func.id == "range" and len(it.args) == 1 and not it.keywords):
        return None
    n = it.args[0]
    if not (isinstance(n, gast.Call) and isinstance(n.func, gast.Name) and n.func.id == "len"
            and len(n.args) == 1 and isinstance(n.args[0], gast.Name) and not n.keywords):
        return None
    seq, first = n.args[0].id, body[0]
    if not (isinstance(first, gast.Assign) and len(first.targets) == 1 and
            isinstance(first.value, gast.Subscript) and
            isinstance(first.value.value, gast.Name) and first.value.value.id == seq and
            isinstance(first.value.slice, gast.Name) and
            first.value.slice.id == loop.target.id):
        return None
    target = first.targets[0]
    names = target.elts if isinstance(target, gast.Tuple) else [target]
    return seq if all(isinstance(t, gast.Name) for t in names) else None


def _loads(node, name):
    return sum(1 for n in walk(node) if isinstance(n, gast.Name) and n.id == name and
               isinstance(n.ctx, gast.Load))
