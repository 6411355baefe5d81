"""Which names surely have the shape of another, and the reverse-sweep reads that only want
a shape.

``unbroadcast(g, v)``, ``unreduce(g, v, ...)`` and ``zeros_like(v)`` read ``v`` for its shape
alone. When ``v`` is an element-wise result of arrays of one shape (``v = np.exp(-a * x * x)``
has the shape of ``x``), reading ``x`` instead lets ``v`` die: it is neither kept alive for
the reverse sweep nor, when nothing else reads it, computed at all (the ``log`` under a
``np.sum`` whose adjoint only needs the summand's shape).
"""
import gast

from .analysis import SCALAR, targets
from .walk import walk, walk_stmts

SHAPE_ONLY = {"unbroadcast": 1, "unreduce": 1, "zeros_like": 0}   # helper -> argument read
SAVED_SHAPE = {"unbroadcast": 1, "unreduce": 1, "zeros_like": 0}   # also take a saved shape_of(v)


def same_shape(body, params, kinds, ops, rebound, values=None):
    """name -> a name never rebound in ``body`` whose shape it surely has.

    Sound only through element-wise ops whose array operands all share one shape (an operand
    of unknown kind may broadcast, so it must share the shape too); scalars and constants
    do not change a shape. Every binding of a name must agree. Where the ``values`` know the
    shapes (an exact specialisation), any name of a known shape is represented by one of
    that shape."""
    bindings = {}
    for s in walk_stmts(body):
        if isinstance(s, gast.For):
            bindings.setdefault(s.target.id, []).append(None)
        elif isinstance(s, gast.Assign):
            for t in targets(s):
                bindings.setdefault(t, []).append(s if len(targets(s)) == 1 and
                                                  isinstance(s.targets[0], gast.Name) else None)
    rep = {p: p for p in params if p not in rebound and kinds.get(p, "").startswith("array")}
    propagate(bindings, rep, kinds, ops)
    for j, s in enumerate(body):   # after its last binding, a name has one shape to the end
        t = targets(s)[0] if isinstance(s, gast.Assign) and len(targets(s)) == 1 and \
            isinstance(s.targets[0], gast.Name) else None
        if t is not None and t not in rep and len(bindings.get(t, ())) == 1:
            operands = array_operands(s, kinds, ops)
            if operands and len(operands) == 1 and not operands & rebound_after(body[j + 1:]):
                h = operands.pop()
                rep[t] = rep.get(h, h)
    for s in body:   # bound once, outside loops and branches: it holds one array throughout
        t = targets(s)[0] if isinstance(s, gast.Assign) and len(targets(s)) == 1 else None
        if t is not None and t not in rep and isinstance(s.targets[0], gast.Name) and \
                len(bindings[t]) == 1 and kinds.get(t, "").startswith("array"):
            rep[t] = t
            propagate(bindings, rep, kinds, ops)
    if values is not None:
        by_shape = {}   # a parameter first, then a user's short name rather than a temporary
        for r in sorted(set(rep.values()), key=lambda r: (r not in params, len(r), r)):
            if values.shape(r) and len(bindings.get(r, ())) <= 1:   # bound all along
                by_shape.setdefault(values.shape(r), r)
        for t in sorted(bindings.keys() - (rep.keys() - set(rep.values()))):
            if kinds.get(t, "").startswith("array") and values.shape(t) in by_shape:
                rep[t] = by_shape[values.shape(t)]
    return rep


def propagate(bindings, rep, kinds, ops):
    grew = True
    while grew:
        grew = False
        for t, stmts in bindings.items():
            if t in rep:
                continue
            found = {operand_shape(s, kinds, ops, rep) if s is not None else None for s in stmts}
            if len(found) == 1 and None not in found:
                rep[t] = found.pop()
                grew = True


def array_operands(s, kinds, ops):
    """The names of an element-wise op's operands that may be arrays (None: not such an op,
    or an operand that is not a name or a constant)."""
    op = ops.get(id(s))
    if op is None or op.kind != "rule" or not op.rule.elementwise:
        return None
    names = set()
    for a in op.bound.values():
        if isinstance(a, gast.Constant):
            continue
        if not isinstance(a, gast.Name):
            return None
        if kinds.get(a.id) != SCALAR:
            names.add(a.id)
    return names


def rebound_after(stmts):
    out = set()
    for s in walk_stmts(stmts):
        if isinstance(s, gast.Assign):
            out |= set(targets(s))
        elif isinstance(s, gast.For):
            out.add(s.target.id)
    return out


def operand_shape(s, kinds, ops, rep):
    """The shape (a representative name) of an element-wise op's result, or None."""
    op = ops.get(id(s))
    if op is None or op.kind != "rule" or not op.rule.elementwise:
        return None
    shapes = set()
    for a in op.bound.values():
        if isinstance(a, gast.Constant):
            continue
        if not isinstance(a, gast.Name):
            return None
        if kinds.get(a.id) == SCALAR:
            continue
        if a.id not in rep:
            return None
        shapes.add(rep[a.id])
    return shapes.pop() if len(shapes) == 1 else None


def read_shapes_from(stmts, rep, runtime, out=None):
    """Point every shape-only read in ``stmts`` (the adjoint of ``out = ...``) at the name
    ``rep`` gives, in place. ``unbroadcast(g, v)`` goes when ``v`` has the shape of ``out``:
    ``g`` is then built from ``out``'s derivative and operands of that shape or scalars."""
    rewrite = ShapeReads(rep, {runtime.get(h, h): i for h, i in SHAPE_ONLY.items()},
                         runtime.get("unbroadcast", "unbroadcast"), rep.get(out))
    return [rewrite.visit(s) for s in stmts]


class ShapeReads(gast.NodeTransformer):
    def __init__(self, rep, helpers, unbroadcast, out_shape):
        self.rep, self.helpers = rep, helpers
        self.unbroadcast, self.out_shape = unbroadcast, out_shape

    def visit_Call(self, node):
        self.generic_visit(node)
        i = self.helpers.get(node.func.id) if isinstance(node.func, gast.Name) else None
        if i is None or len(node.args) <= i or not isinstance(node.args[i], gast.Name):
            return node
        shape = self.rep.get(node.args[i].id)
        if shape is None:
            return node
        if node.func.id == self.unbroadcast and shape == self.out_shape and len(node.args) == 2:
            return node.args[0]
        node.args[i] = gast.Name(id=shape, ctx=gast.Load(), annotation=None, type_comment=None)
        return node


def value_loads(node, runtime):
    """Names ``node`` loads for their value: all but the second argument of ``unbroadcast``
    and ``unreduce`` and the argument of ``zeros_like``, which read a shape (and accept
    ``shape_of(v)`` for ``v``)."""
    helpers = {runtime.get(h, h): i for h, i in SAVED_SHAPE.items()}
    shape_args = {id(n.args[helpers[n.func.id]]) for n in walk(node) if isinstance(n, gast.Call)
                  and isinstance(n.func, gast.Name) and n.func.id in helpers and
                  len(n.args) > helpers[n.func.id]}
    return {n.id for n in walk(node) if isinstance(n, gast.Name) and
            isinstance(n.ctx, gast.Load) and id(n) not in shape_args}
