"""Small gast builders shared by the stages: names, assignments, calls, constants,
accumulations, name queries, and the ``dout * partial`` terms both modes build from a rule's
partial derivatives. Part of the ground floor (with ``walk`` and ``kinds``): imports nothing
of srcad above it.
"""

import gast

from .kinds import SCALAR
from .walk import clone, fingerprint, walk

MARK = "__srcad_comment__ "   # a string statement that codegen prints as a comment
TRIPS = "trips"     # a loop's trip counter, or its list of trips (trip_lists, frontend.unbatched)

def name(id_, store=False):
    return gast.Name(id=id_, ctx=gast.Store() if store else gast.Load(), annotation=None,
                     type_comment=None)


def assign(target, value, lineno):
    if isinstance(target, str):
        target = name(target, store=True)
    node = gast.Assign(targets=[target], value=value, type_comment=None)
    node.lineno = lineno
    return node


def located(node, lineno):
    for n in walk(node):
        if not hasattr(n, "lineno") or n.lineno is None:
            n.lineno = lineno
    return node


def call(func, *args, **kwargs):
    return gast.Call(func=func if not isinstance(func, str) else name(func), args=list(args),
                     keywords=[gast.keyword(arg=k, value=v) for k, v in kwargs.items()])


def attr(value, attribute):
    return gast.Attribute(value=value if not isinstance(value, str) else name(value),
                          attr=attribute, ctx=gast.Load())


def summed(numpy, value, leading):
    """``np.sum(value)`` (``leading`` None: every axis), or over its first ``leading`` axes:
    the sum that undoes broadcasting ``value`` up from a smaller shape."""
    if leading is None:
        return call(attr(numpy, "sum"), value)
    return call(attr(numpy, "sum"), value,
                axis=const(0 if leading == 1 else tuple(range(leading))))


def replace_child(parent, old, new):
    """Put ``new`` where ``parent`` holds ``old`` (a field or an item of a list field)."""
    for field, value in gast.iter_fields(parent):
        if value is old:
            setattr(parent, field, new)
        elif isinstance(value, list) and any(v is old for v in value):
            value[:] = [new if v is old else v for v in value]


def const(value):
    """A literal; a tuple as a tuple of literals (as Python parses ``(0, 1)`` back)."""
    if type(value) is tuple:
        return gast.Tuple(elts=[const(v) for v in value], ctx=gast.Load())
    return gast.Constant(value=value, kind=None)


def aug(target, value, sub=False):
    t = name(target, store=True) if isinstance(target, str) else target
    return gast.AugAssign(target=t, op=gast.Sub() if sub else gast.Add(), value=value)


def same(a, b):
    return fingerprint(a) == fingerprint(b)


def contribution(partials, dout):
    """``dout * partial`` in its plainest form, and whether to subtract it."""
    dout = clone(dout)
    if len(partials) > 1:
        if all(same(p, partials[0]) for p in partials):
            p = partials[0]
            if isinstance(p, gast.Constant):
                return gast.BinOp(left=const(float(len(partials)) * p.value), op=gast.Mult(),
                                  right=dout), False
            factor = gast.BinOp(left=const(float(len(partials))), op=gast.Mult(), right=p)
            return gast.BinOp(left=factor, op=gast.Mult(), right=dout), False
        total = partials[0]
        for p in partials[1:]:
            total = gast.BinOp(left=total, op=gast.Add(), right=p)
        return gast.BinOp(left=dout, op=gast.Mult(), right=total), False
    p = partials[0]
    sub = False
    if isinstance(p, gast.UnaryOp) and isinstance(p.op, gast.USub):
        p, sub = p.operand, True
    if isinstance(p, gast.Constant) and p.value == 1.0:
        return dout, sub
    if isinstance(p, gast.BinOp) and isinstance(p.op, gast.Div) and \
            isinstance(p.left, gast.Constant) and p.left.value == 1.0:
        return gast.BinOp(left=dout, op=gast.Div(), right=p.right), sub
    return gast.BinOp(left=dout, op=gast.Mult(), right=p), sub


def is_reversal(node):
    """``r[::-1]``: how the core language writes ``reversed(r)`` for a range ``r``."""
    sl = getattr(node, "slice", None)
    return (isinstance(node, gast.Subscript) and isinstance(sl, gast.Slice) and sl.lower is None
            and sl.upper is None and isinstance(sl.step, gast.UnaryOp)
            and isinstance(sl.step.op, gast.USub) and isinstance(sl.step.operand, gast.Constant)
            and sl.step.operand.value == 1)


def backwards(iterable):
    """The iterable of a loop's reverse sweep: ``reversed(r)``, or ``r`` when it was ``r[::-1]``."""
    if is_reversal(iterable):
        return iterable.value
    return call(name("reversed"), iterable)


def may_broadcast(var, operands, kinds):
    """Broadcasting can only have widened ``var`` if another operand may be an array."""
    for a in operands:
        if isinstance(a, gast.Name) and a.id == var:
            continue
        if isinstance(a, gast.Constant):
            continue
        if isinstance(a, gast.Name) and kinds.get(a.id) == SCALAR:
            continue
        if isinstance(a, gast.Name) and kinds.get(var) == kinds.get(a.id) == SCALAR:
            continue
        if not isinstance(a, (gast.Name, gast.Constant)):
            continue   # a global constant such as np.pi
        return True
    return False


def local_targets(tree):
    """Parameters and names stored anywhere in ``tree``."""
    return {n.id for n in walk(tree) if isinstance(n, gast.Name)
            and isinstance(n.ctx, (gast.Store, gast.Param))}


def loads(node):
    return {n.id for n in walk(node) if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Load)}


def stores(s):
    """Names a statement (re)binds; a subscript or augmented store does not kill."""
    if isinstance(s, gast.Assign):
        out = set()
        for t in s.targets:
            if isinstance(t, gast.Name):
                out.add(t.id)
            elif isinstance(t, (gast.Tuple, gast.List)):
                out |= {e.id for e in t.elts}
        return out
    if isinstance(s, gast.For):
        return {s.target.id}
    return set()
